"""Test doubles and builders shared by the tests."""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.encoders import Vectors, normalise_rows
from knowledge.text import content_words

TOPICS_YML = """\
topics:
  buoni-pasto:      {audience: both,    it: "Buoni pasto", en: "Meal vouchers"}
  rimborso-asilo-nido: {audience: worker, it: "Rimborso asilo nido", en: "Nursery"}
  attivazione-piano-azienda: {audience: company, it: "Attivare un piano", en: "Activating"}
"""


class HashingEncoder:
    """A deterministic bag-of-words encoder: similar wording gives similar vectors.

    It stands in for the neural model where a test is about our logic (fusion, caching,
    decisions), not about the model's quality; it counts its calls so caching can be checked.
    """

    def __init__(self, dim: int = 256, name: str = "hashing") -> None:
        self._dim = dim
        self._name = name
        self.calls = 0

    @property
    def id(self) -> str:
        return f"{self._name}-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dim, dtype=np.float32)
        for word in content_words(text):
            for gram in {word[i : i + 4] for i in range(max(1, len(word) - 3))}:
                slot = int(hashlib.md5(gram.encode()).hexdigest(), 16) % self._dim
                vector[slot] += 1.0
        vector[0] += 0.05  # no all-zero rows: every text is a little similar to every other
        return vector

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        return normalise_rows(np.vstack([self._vector(t) for t in texts]))

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        return self.encode_queries(texts)


def entry_text(
    entry_id: str,
    topic: str = "buoni-pasto",
    audience: str = "both",
    title: str = "Buoni pasto esenti",
    questions: Sequence[str] = (
        "i buoni pasto sono tassati?",
        "quanto valgono i buoni pasto elettronici",
        "ticket restaurant esenti",
        "buono pasto cartaceo limite",
        "meal vouchers tax free",
        "buoni pasto in smart working",
    ),
    answer: str = "Dal 2026 il buono pasto elettronico è esente fino a 10 € al giorno.",
    valid_until: str = "null",
    extra: str = "",
    kind: str = "faq",
) -> str:
    question_lines = "\n".join(f"  - {q!r}" for q in questions)
    return (
        textwrap.dedent(
            f"""\
            ---
            id: {entry_id}
            kind: {kind}
            topic: {topic}
            audience: {audience}
            title: {title}
            questions:
            QUESTIONS
            valid_from: 2026-01-01
            valid_until: {valid_until}
            sources:
              - "art. 51 c. 2 lett. c TUIR"
            reviewed: 2026-11-01
            """
        ).replace("QUESTIONS", question_lines)
        + extra
        + "---\n"
        + answer
        + "\n"
    )


NIDO_QUESTIONS = (
    "rimborso retta asilo nido",
    "posso farmi rimborsare il nido comunale",
    "asilo nido welfare aziendale",
    "retta del nido di mia figlia",
    "nursery fees reimbursement",
    "il micronido privato si rimborsa?",
)
PIANO_QUESTIONS = (
    "come attivo un piano welfare in azienda",
    "passi per introdurre il welfare aziendale",
    "cosa serve per avviare un piano di welfare",
    "regolamento welfare per una cooperativa",
    "how does a company start a welfare plan",
    "tempi per attivare il welfare",
)


def written(path: Path, text: str) -> Path:
    """`path`, after writing `text` to it in UTF-8: a test's input file in one expression."""
    path.write_text(text, encoding="utf-8")
    return path


def nido_entry(valid_until: str = "null") -> str:
    """The small base's nursery entry, confirmed until `valid_until`."""
    return entry_text(
        "nido-retta",
        topic="rimborso-asilo-nido",
        audience="worker",
        title="Rimborso della retta del nido",
        questions=NIDO_QUESTIONS,
        answer="Sì, la retta del nido si può rimborsare con il welfare, con la fattura.",
        valid_until=valid_until,
    )


def write_small_base(root: Path) -> tuple[Path, Path]:
    """A three-topic knowledge base in `root`; returns (base_dir, topics_file)."""
    base = root / "base"
    base.mkdir(parents=True)
    topics = root / "topics.yml"
    topics.write_text(TOPICS_YML, encoding="utf-8")
    (base / "buoni-pasto-limiti.md").write_text(entry_text("buoni-pasto-limiti"), "utf-8")
    (base / "nido-retta.md").write_text(nido_entry(), "utf-8")
    (base / "piano-attivazione.md").write_text(
        entry_text(
            "piano-attivazione",
            topic="attivazione-piano-azienda",
            audience="company",
            title="Attivare un piano di welfare aziendale",
            questions=PIANO_QUESTIONS,
            answer="Per attivare un piano serve un regolamento o un accordo aziendale.",
        ),
        "utf-8",
    )
    return base, topics


TFR_QUESTIONS = (
    "come si calcola il TFR",
    "quando mi pagano la liquidazione",
    "posso chiedere un anticipo del TFR",
    "quanto TFR ho maturato",
    "severance pay calculation",
    "il tfr in busta paga",
)


def referral_text(
    entry_id: str = "fuori-ambito-tfr",
    refer_to: Sequence[str] | None = ("l'ufficio personale", "il patronato"),
    questions: Sequence[str] = TFR_QUESTIONS,
    answer: str = "Il TFR non è welfare aziendale: qui non posso aiutarti con precisione.",
    extra: str = "",
) -> str:
    """A referral entry ("not mine, ask them"): no topic, and who to turn to."""
    question_lines = "\n".join(f"  - {q!r}" for q in questions)
    contacts = (
        "refer_to:\n" + "\n".join(f"  - {who!r}" for who in refer_to) + "\n"
        if refer_to is not None
        else ""
    )
    return (
        f"---\nid: {entry_id}\nkind: referral\naudience: both\n"
        f"title: TFR e liquidazione, a chi chiedere\nquestions:\n{question_lines}\n"
        f"{contacts}valid_from: null\nvalid_until: null\n"
        f'sources:\n  - "art. 2120 c.c."\nreviewed: 2026-11-01\n{extra}---\n{answer}\n'
    )

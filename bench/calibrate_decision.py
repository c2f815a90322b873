"""Choose the answer / clarify / fallback thresholds from labelled data.

    .venv/bin/python bench/calibrate_decision.py

Every labelled message is searched once; then the decision thresholds are tuned by coordinate
descent (a few rounds over each threshold's grid, the others held) to the lowest total cost of
what the desk would do, costs chosen for the person reading the reply:

- a welfare answer on the wrong topic, or to a message that must not get one: 4 (it misleads,
  said with confidence; the target is a wrong-answer rate under 2 %)
- a fallback or a referral on a welfare question: 1 (a person is offered, time is lost)
- a clarifying question: 0.3 if the right topic is among the top three, else 1
- on a message that is not about welfare: a referral 0 (it says who can help), a fallback or a
  clarifying question 0.2

Tuning sets: the dev retrieval set, the dialogue dev set, the referral probes and the
out-of-scope messages (offtopic and nearmiss; small talk is the NLU's job). The held-out
retrieval and dialogue sets are left out, so `sportello eval …` on them stays a fair measure.
Thresholds depend on the encoder's similarity scale: re-run this after changing the encoder
or the knowledge base a lot, and copy the printed values into config.yml.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import RetrievalSettings, read_labelled_queries  # noqa: E402
from knowledge.entries import NO_TOPIC  # noqa: E402
from knowledge.retriever import Hit, decide  # noqa: E402
from sportello.settings import load_settings  # noqa: E402
from sportello.wiring import build_search  # noqa: E402

DATA = ROOT / "bench/data"
TUNING = [
    ROOT.parent / "shared/dev_queries.tsv",
    DATA / "dialogue_dev.tsv",
    DATA / "referral_probe.tsv",
    DATA / "referral_probe_fresh.tsv",
]
OUT_OF_SCOPE = DATA / "out_of_scope.tsv"
WRONG = 4.0

GRID: dict[str, tuple[float, ...]] = {
    "min_similarity": (0.40, 0.42, 0.44, 0.46, 0.47, 0.485, 0.50, 0.52),
    "confident_similarity": (0.50, 0.52, 0.54, 0.565, 0.58, 0.60, 0.63),
    "min_coverage": (0.25, 0.34, 0.4, 0.5, 0.6, 0.67),
    "clarify_margin": (0.0, 0.2, 0.35, 0.5, 0.75, 1.0),
    "clear_similarity": (0.62, 0.65, 0.68, 0.70, 0.72, 0.75, 0.80, 2.0),
    "clear_lead": (0.0, 0.01, 0.02, 0.03, 0.05),
    "agreement_margin": (0.2, 0.3, 0.5, 99.0),
    "agreement_lexical_lead": (1.0, 1.05, 1.1, 1.2),
    "referral_closer_similarity": (0.05, 0.1, 0.15, 99.0),
    "referral_rival_margin": (0.75, 1.0, 1.25, 1.5),
    "dominant_margin": (1.5, 2.0, 2.5, 3.0, 4.0, 99.0),
    "dominant_min_similarity": (0.36, 0.38, 0.40, 0.42, 0.44, 0.46),
    "referral_min_similarity": (0.36, 0.38, 0.40, 0.42, 0.44, 0.46, 0.485),
    "short_query_margin": (0.5, 1.0, 1.5, 2.0, 2.5),
    "short_query_min_similarity": (0.2, 0.25, 0.3, 0.35, 0.4),
}
GROUPS: tuple[tuple[str, ...], ...] = (
    ("min_similarity", "confident_similarity", "min_coverage"),
    ("clarify_margin", "clear_similarity", "clear_lead"),
    ("agreement_margin", "agreement_lexical_lead"),
    ("referral_closer_similarity", "referral_rival_margin"),
    ("dominant_margin", "dominant_min_similarity"),
    ("referral_min_similarity",),
    ("short_query_margin", "short_query_min_similarity"),
)
"""Thresholds that only act together are searched together (a grid over the group)."""


@dataclass(frozen=True)
class Case:
    label: str
    """The expected topic, or NO_TOPIC for a message that must not get a welfare answer."""
    hits: tuple[Hit, ...]
    coverage: float
    keyword: bool


def verdict(settings: RetrievalSettings, case: Case) -> str:
    decision = decide(case.hits, case.coverage, settings, keyword=case.keyword)
    if decision == "answer" and case.hits[0].entry.is_referral:
        return "referral"
    return decision


def cost(settings: RetrievalSettings, case: Case) -> float:
    what = verdict(settings, case)
    if case.label == NO_TOPIC:
        return {"answer": WRONG, "referral": 0.0}.get(what, 0.2)
    if what == "answer":
        return 0.0 if case.hits[0].entry.topic == case.label else WRONG
    if what == "clarify":
        return 0.3 if case.label in {h.entry.topic for h in case.hits[:3]} else 1.0
    return 1.0


def main() -> None:
    settings = load_settings()
    retriever = build_search(settings, progress=False)
    cases: list[Case] = []
    known = [*sorted({e.topic for e in retriever.entries if not e.is_referral}), NO_TOPIC]
    for path in TUNING:
        for q in read_labelled_queries(path, known_labels=known):
            result = retriever.search(q.text, audience="worker")
            cases.append(Case(q.label, result.hits, result.coverage, result.keyword))
    for q in read_labelled_queries(OUT_OF_SCOPE, label_column="kind"):
        if q.label in ("offtopic", "nearmiss"):
            result = retriever.search(q.text, audience="worker")
            cases.append(Case(NO_TOPIC, result.hits, result.coverage, result.keyword))

    current = settings.retrieval
    best_total = sum(cost(current, c) for c in cases)
    print(f"{len(cases)} cases; cost with config.yml thresholds {best_total:.1f}")
    for _round in range(4):
        improved = False
        for group in GROUPS:
            for values in itertools.product(*(GRID[name] for name in group)):
                trial = current.model_copy(update=dict(zip(group, values, strict=True)))
                total = sum(cost(trial, c) for c in cases)
                if total < best_total - 1e-9:
                    current, best_total, improved = trial, total, True
        if not improved:
            break
    print("chosen thresholds (copy into config.yml, section retrieval):")
    for name in GRID:
        print(f"  {name}: {getattr(current, name)}")
    print(f"total cost {best_total:.1f}")
    report(current, cases)


def report(settings: RetrievalSettings, cases: list[Case]) -> None:
    welfare = [c for c in cases if c.label != NO_TOPIC]
    other = [c for c in cases if c.label == NO_TOPIC]
    right = sum(
        verdict(settings, c) == "answer" and c.hits[0].entry.topic == c.label for c in welfare
    )
    wrong = sum(
        verdict(settings, c) == "answer"
        and (c.label == NO_TOPIC or c.hits[0].entry.topic != c.label)
        for c in cases
    )
    print(
        f"welfare {len(welfare)}: answered right {right / len(welfare):.3f};"
        f" not welfare {len(other)}; wrong answers {wrong} ({wrong / len(cases):.3f} of all)"
    )


if __name__ == "__main__":
    main()

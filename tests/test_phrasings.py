"""Other-language phrasings: validated with the entries, and searched only off the Italian path."""

import datetime as dt
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, RetrievalSettings, check_knowledge_base
from knowledge import load_knowledge_base as load
from knowledge.base_loader import KnowledgeBase
from knowledge.dense import load_or_build_dense_index
from knowledge.retriever import Retriever
from tests.support import HashingEncoder, write_small_base

pytestmark = pytest.mark.unit
TODAY = dt.date(2026, 11, 25)

ROMANIAN = """language: ro
phrasings:
  nido-retta:
    - pot primi inapoi taxa de cresa pentru fetita mea
    - rambursarea cresei cu welfare
  buoni-pasto-limiti:
    - tichetele de masa sunt scutite de impozit
"""


def write_phrasings(root: Path, name: str, text: str) -> Path:
    folder = root / "phrasings"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(root: Path) -> list[str]:
    base, topics = root / "base", root / "topics.yml"
    return [str(p) for p in check_knowledge_base(base, topics, TODAY).problems]


def test_phrasings_beside_the_base_are_loaded(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    without = load(base, topics, TODAY)
    write_phrasings(tmp_path, "ro.yml", ROMANIAN)
    kb = load(base, topics, TODAY)
    assert problems(tmp_path) == []
    assert kb.phrasings == {
        "ro": {
            "nido-retta": (
                "pot primi inapoi taxa de cresa pentru fetita mea",
                "rambursarea cresei cu welfare",
            ),
            "buoni-pasto-limiti": ("tichetele de masa sunt scutite de impozit",),
        }
    }
    assert without.phrasings == {}
    assert kb.content_hash != without.content_hash  # the dense index is rebuilt


def test_an_unknown_entry_id_is_an_error_with_its_line(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    path = write_phrasings(
        tmp_path, "fr.yml", "language: fr\nphrasings:\n  creche-disparue:\n    - la crèche\n"
    )
    assert problems(tmp_path) == [
        f"{path}:3: unknown entry id 'creche-disparue' — use the id of an entry of"
        " knowledge/base (renamed? deleted?)"
    ]
    with pytest.raises(KnowledgeBaseError):
        load(base, topics, TODAY)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("de.yml", "language: de\nphrasings: {}\n", "unknown language 'de'"),
        ("es.yml", "language: fr\nphrasings:\n  nido-retta:\n    - x\n", "'language' must be"),
        ("en.yml", "language: en\nphrasings:\n  nido-retta: nursery\n", "needs a list"),
        ("en.yml", "language: en\nphrasings:\n  nido-retta:\n    - ''\n", "empty or non-text"),
        ("en.yml", "language: en\nphrasings: [a, b]\n", "'phrasings' must map"),
        ("en.yml", "language: en\nphrasings:\n  nido-retta: [a\n", "not valid YAML"),
    ],
)
def test_malformed_files_are_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    write_small_base(tmp_path)
    write_phrasings(tmp_path, name, text)
    found = problems(tmp_path)
    assert len(found) == 1 and message in found[0], found


def test_a_repeated_phrasing_is_a_warning(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    write_phrasings(
        tmp_path,
        "en.yml",
        "language: en\nphrasings:\n  nido-retta:\n    - Nursery fees\n"
        "  buoni-pasto-limiti:\n    - nursery  fees\n",
    )
    report = check_knowledge_base(base, topics, TODAY)
    assert [p.severity for p in report.problems] == ["warning"]
    assert "the same phrasing as line 4" in str(report.problems[0])
    assert load(base, topics, TODAY).phrasings["en"]["buoni-pasto-limiti"] == ("nursery fees",)


def retriever_for(kb: KnowledgeBase, data_dir: Path) -> Retriever:
    encoder = HashingEncoder()
    dense, _ = load_or_build_dense_index(
        kb.entries, kb.content_hash, encoder, data_dir, progress=False, phrasings=kb.phrasings
    )
    return Retriever(kb.entries, encoder, dense, RetrievalSettings(), kb.phrasings)


def test_a_foreign_question_finds_its_entry_through_the_phrasings(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    write_phrasings(tmp_path, "ro.yml", ROMANIAN)
    kb = load(base, topics, TODAY)
    bare = retriever_for(load(base, topics, TODAY, phrasings_dir=tmp_path / "none"), tmp_path)
    with_phrasings = retriever_for(kb, tmp_path)
    question = "tichetele de masa sunt impozitate?"
    assert with_phrasings.search(question, language="ro").hits[0].entry.id == "buoni-pasto-limiti"
    assert bare.search(question, language="ro").hits[0].similarity < (
        with_phrasings.search(question, language="ro").hits[0].similarity
    )


def test_italian_questions_never_see_the_phrasings(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    write_phrasings(tmp_path, "ro.yml", ROMANIAN)
    bare = retriever_for(load(base, topics, TODAY, phrasings_dir=tmp_path / "none"), tmp_path)
    with_phrasings = retriever_for(load(base, topics, TODAY), tmp_path)
    # Words that exist only in the phrasings change nothing for an Italian message.
    for question in ("rambursarea cresei", "rimborso nido", "buoni pasto tassati", "cresa"):
        for language in (None, "it"):
            one = with_phrasings.search(question, language=language)
            other = bare.search(question, language=language)
            assert [(h.entry.id, h.score) for h in one.hits] == [
                (h.entry.id, h.score) for h in other.hits
            ]
            assert (one.decision, one.coverage) == (other.decision, other.coverage)
    assert with_phrasings.search("rambursarea cresei", language="ro").hits[0].lexical > 0
    assert bare.search("rambursarea cresei", language="ro").hits[0].lexical == 0

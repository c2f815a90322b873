import datetime as dt
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, check_knowledge_base, load_knowledge_base
from knowledge.entries import read_entry_file
from tests.support import entry_text, write_small_base

pytestmark = pytest.mark.unit
TODAY = dt.date(2026, 11, 25)


def problems_of(base: Path, topics: Path) -> list[str]:
    return [str(p) for p in check_knowledge_base(base, topics, TODAY).problems]


def test_small_base_is_valid(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    report = check_knowledge_base(base, topics, TODAY)
    assert report.problems == ()
    assert {e.id for e in report.entries} == {
        "buoni-pasto-limiti",
        "nido-retta",
        "piano-attivazione",
    }


def test_reader_keeps_field_lines_and_body(tmp_path: Path) -> None:
    base, _ = write_small_base(tmp_path)
    raw = read_entry_file(base / "nido-retta.md")
    assert raw.field_lines["id"] == 2
    assert raw.field_lines["topic"] == 4
    assert raw.body.startswith("Sì, la retta")


def test_problems_name_file_line_and_fix(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="asilo", audience="everyone"), "utf-8"
    )
    problems = problems_of(base, topics)
    assert f"{base / 'nido-retta.md'}:4: topic 'asilo' is not in topics.yml — " in problems[0]
    assert any(
        ":5: audience 'everyone' is not one of worker, company, both —" in p for p in problems
    )


def test_every_rule_is_reported_in_one_pass(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "wrong-name.md").write_text(
        entry_text(
            "Buoni_Pasto",
            questions=("uno", "due", "due"),
            answer="x" * 1001,
            valid_until="2025-01-01",
            extra="qeustions: []\n",
        ),
        "utf-8",
    )
    text = "\n".join(problems_of(base, topics))
    assert "is not lowercase words joined by '-'" in text
    assert "3 question(s), at least 6 needed" in text
    assert "repeated question 'due'" in text
    assert "answer is 1001 characters, over 1000" in text
    assert "valid_until 2025-01-01 is before valid_from 2026-01-01" in text
    assert "unknown field 'qeustions' — did you mean 'questions'?" in text


def test_duplicate_ids_and_missing_topics(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "piano-attivazione.md").unlink()
    copy = (base / "nido-retta.md").read_text("utf-8")
    (base / "nido-retta-copia.md").write_text(copy, "utf-8")
    text = "\n".join(problems_of(base, topics))
    assert "id 'nido-retta' differs from the file name 'nido-retta-copia.md'" in text
    assert f"{topics}:4: topic 'attivazione-piano-azienda' has no entry" in text


def test_broken_yaml_and_missing_front_matter(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "rotto.md").write_text("---\nid: rotto\ntitle: [non chiuso\n---\nrisposta\n", "utf-8")
    (base / "senza.md").write_text("solo testo\n", "utf-8")
    text = "\n".join(problems_of(base, topics))
    assert "rotto.md:" in text and "front matter is not valid YAML" in text
    assert "senza.md:1: no front matter" in text


def test_expired_entry_fails_check_but_is_still_served(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="rimborso-asilo-nido", valid_until="2026-06-30"), "utf-8"
    )
    report = check_knowledge_base(base, topics, TODAY)
    assert [p.message for p in report.errors] == ["expired on 2026-06-30"]
    kb = load_knowledge_base(base, topics, TODAY)
    assert kb.by_id("nido-retta").is_expired(TODAY)


def test_malformed_entry_stops_loading_with_its_location(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(entry_text("nido-retta", questions=("una",)), "utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"nido-retta\.md:7: 1 question\(s\)"):
        load_knowledge_base(base, topics, TODAY)


def test_case_history_fields_are_checked(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    topics.write_text(topics.read_text("utf-8") + '  case-history: {audience: both, it: "Casi"}\n')
    good = (
        "sector: cooperativa sociale\nsize_band: small\nprovince: CN\n"
        "measures:\n  - rimborso nido\noutcome: più richieste\nillustrative: true\n"
    )
    (base / "caso-buono.md").write_text(
        entry_text("caso-buono", topic="case-history", kind="case-history", extra=good), "utf-8"
    )
    bad = good.replace("small", "huge").replace("CN", "Cuneo").replace("true", "'yes'")
    (base / "caso-cattivo.md").write_text(
        entry_text("caso-cattivo", topic="case-history", kind="case-history", extra=bad), "utf-8"
    )
    text = "\n".join(problems_of(base, topics))
    assert "caso-buono" not in text
    assert "size_band 'huge' is unknown" in text
    assert "province 'Cuneo' is not a two-letter code" in text
    assert "illustrative must be true or false" in text

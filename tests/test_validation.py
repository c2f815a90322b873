import datetime as dt
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, check_knowledge_base, load_knowledge_base
from knowledge.entries import read_entry_file
from tests.support import entry_text, referral_text, write_small_base

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


def test_expired_entry_is_a_warning_and_still_served(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="rimborso-asilo-nido", valid_until="2026-06-30"), "utf-8"
    )
    report = check_knowledge_base(base, topics, TODAY)
    assert report.errors == []
    assert [p.message for p in report.warnings] == [
        "expired on 2026-06-30 (still served, with a caveat)"
    ]
    kb = load_knowledge_base(base, topics, TODAY)
    assert kb.by_id("nido-retta").is_expired(TODAY)


@pytest.mark.parametrize(
    ("valid_until", "warned"),
    [("2027-01-23", True), ("2027-01-24", False), ("2026-11-25", True), ("null", False)],
)
def test_entry_expiring_within_sixty_days_is_flagged(
    tmp_path: Path, valid_until: str, warned: bool
) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="rimborso-asilo-nido", valid_until=valid_until), "utf-8"
    )
    report = check_knowledge_base(base, topics, TODAY)
    assert report.errors == []
    assert [p.message.startswith("expires on") for p in report.warnings] == (
        [True] if warned else []
    )


def test_no_date_stops_loading(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="rimborso-asilo-nido", valid_until="2026-12-31"), "utf-8"
    )
    for today in (dt.date(2027, 1, 1), dt.date(2031, 6, 1), dt.date(2099, 12, 31)):
        kb = load_knowledge_base(base, topics, today)
        assert kb.by_id("nido-retta").is_expired(today)


def test_referral_entry_needs_a_contact_and_no_topic(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "fuori-ambito-tfr.md").write_text(referral_text(), "utf-8")
    report = check_knowledge_base(base, topics, TODAY)
    assert report.problems == ()
    referral = next(e for e in report.entries if e.id == "fuori-ambito-tfr")
    assert referral.is_referral and referral.topic == "-"
    assert referral.refer_to == ("l'ufficio personale", "il patronato")

    (base / "fuori-ambito-tfr.md").write_text(referral_text(refer_to=None), "utf-8")
    (base / "fuori-ambito-ferie.md").write_text(
        referral_text("fuori-ambito-ferie", refer_to=("  ",), extra="topic: buoni-pasto\n"),
        "utf-8",
    )
    text = "\n".join(problems_of(base, topics))
    assert "fuori-ambito-tfr.md:3: a referral entry without a contact — add 'refer_to:'" in text
    assert "fuori-ambito-ferie.md:" in text and "a referral entry without a contact" in text
    assert "a referral entry has no topic" in text


def test_referral_entry_without_sources_is_an_error(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    text = referral_text().replace('sources:\n  - "art. 2120 c.c."\n', "sources: []\n")
    (base / "fuori-ambito-tfr.md").write_text(text, "utf-8")
    assert any("sources is empty" in p for p in problems_of(base, topics))


def test_refer_to_only_on_referrals(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="rimborso-asilo-nido", extra="refer_to:\n  - 'x'\n"),
        "utf-8",
    )
    assert any(
        "refer_to on an entry that is not a referral" in p for p in problems_of(base, topics)
    )


@pytest.mark.parametrize(
    ("answer", "flagged"),
    [
        ("Puoi usarlo per i tuoi genitori (tua madre di 80 anni sì).", True),
        ("Con un ISEE di 30.000 € rientri nel limite del bando.", True),
        ("Se hai due figli la soglia sale.", False),
        ("Hai 2 figli, quindi la soglia è 2.000 €.", True),
        ("Se tuo padre vive con te, puoi usare il credito anche per lui.", False),
        ("Il bando vale per chi ha un ISEE fino a 30.000 €.", False),
    ],
)
def test_answers_that_invent_the_asker_are_flagged(
    tmp_path: Path, answer: str, flagged: bool
) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="rimborso-asilo-nido", answer=answer), "utf-8"
    )
    report = check_knowledge_base(base, topics, TODAY)
    found = [p for p in report.warnings if "seems to describe the reader" in p.message]
    assert bool(found) == flagged


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

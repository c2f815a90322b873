"""Answers' translations: tied to the Italian they came from, with the same figures."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from knowledge import check_knowledge_base
from knowledge import load_knowledge_base as load
from knowledge.translations import TRANSLATION_LANGUAGES, number_tokens, source_hash
from tests.support import write_small_base

pytestmark = pytest.mark.unit
TODAY = dt.date(2026, 11, 25)
BUONI = "Dal 2026 il buono pasto elettronico è esente fino a 10 € al giorno."
NIDO = "Sì, la retta del nido si può rimborsare con il welfare, con la fattura."


def english(
    buoni_answer: str = "From 2026 the electronic meal voucher is tax-free up to 10 € a day.",
    buoni_source: str | None = None,
    language: str = "en",
) -> str:
    source = buoni_source if buoni_source is not None else source_hash(BUONI)
    return (
        f"language: {language}\n"
        "entries:\n"
        "  buoni-pasto-limiti:\n"
        f"    source: {source}\n"
        '    title: "Tax-free meal vouchers"\n'
        "    answer: |\n"
        f"      {buoni_answer}\n"
        "  nido-retta:\n"
        f"    source: {source_hash(NIDO)}\n"
        '    title: "Refund of nursery fees"\n'
        "    answer: |\n"
        "      Yes, nursery fees can be refunded with welfare, with the invoice.\n"
    )


def write_translations(root: Path, name: str, text: str) -> None:
    folder = root / "translations"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def problems(root: Path) -> list[str]:
    base, topics = root / "base", root / "topics.yml"
    return [str(p) for p in check_knowledge_base(base, topics, TODAY).problems]


def test_source_hash_is_the_first_16_hex_of_the_stripped_answers_sha256() -> None:
    expected = hashlib.sha256(BUONI.encode("utf-8")).hexdigest()[:16]
    assert source_hash(f"\n{BUONI}  \n") == expected
    assert len(expected) == 16


def test_numbers_keep_their_separators() -> None:
    text = "5.300 € dal 31/12/2026, art. 51 c. 2; 5,29 € e 1.000 € o 2.000 €."
    assert sorted(number_tokens(text).elements()) == sorted(
        ["5.300", "31", "12", "2026", "51", "2", "5,29", "1.000", "2.000"]
    )


def test_translations_beside_the_base_are_attached_to_their_entries(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    before = load(base, topics, TODAY)
    write_translations(tmp_path, "en.yml", english())
    kb = load(base, topics, TODAY)
    nido = kb.by_id("nido-retta").translations["en"]
    assert nido.title == "Refund of nursery fees"
    assert nido.answer == "Yes, nursery fees can be refunded with welfare, with the invoice."
    assert nido.is_fresh_for(kb.by_id("nido-retta").answer)
    assert kb.by_id("piano-attivazione").translations == {}
    assert kb.content_hash != before.content_hash
    assert problems(tmp_path) == [
        f"{tmp_path / 'translations' / 'en.yml'}:1: warning: 1 entry has no 'en' translation "
        "(piano-attivazione) — translate them; meanwhile they are answered in Italian"
    ]


def test_an_edited_italian_answer_makes_its_translation_stale(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    write_translations(tmp_path, "en.yml", english())
    nido = base / "nido-retta.md"
    nido.write_text(nido.read_text(encoding="utf-8").replace("con la fattura", "con la ricevuta"))
    report = check_knowledge_base(base, topics, TODAY)
    stale = [str(p) for p in report.warnings if "stale" in p.message]
    new_hash = source_hash(report.entries[1].answer)
    assert stale == [
        f"{tmp_path / 'translations' / 'en.yml'}:9: warning: 'nido-retta' (en) is stale: "
        "the Italian answer changed since it was translated — update the translation, then "
        f"write 'source: {new_hash}'; meanwhile it is answered in Italian"
    ]
    assert report.errors == []
    kept = load(base, topics, TODAY).by_id("nido-retta")
    assert not kept.translations["en"].is_fresh_for(kept.answer)  # served in Italian


def test_a_changed_figure_is_an_error_naming_the_numbers(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    changed = "From 2026 the electronic meal voucher is tax-free up to 8 € a day."
    write_translations(tmp_path, "en.yml", english(buoni_answer=changed))
    report = check_knowledge_base(base, topics, TODAY)
    assert [p.message for p in report.errors] == [
        "'buoni-pasto-limiti' (en) has numbers that differ from the Italian: missing 10; extra 8"
    ]
    assert report.errors[0].line == 6
    kb = load(base, topics, TODAY)  # a bad translation never stops the desk...
    assert "en" not in kb.by_id("buoni-pasto-limiti").translations  # ...it is left out
    assert "en" in kb.by_id("nido-retta").translations


def test_a_missing_figure_is_named(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    write_translations(
        tmp_path, "en.yml", english(buoni_answer="The electronic voucher is tax-free up to 10 €.")
    )
    assert [p.message for p in check_knowledge_base(base, topics, TODAY).errors] == [
        "'buoni-pasto-limiti' (en) has numbers that differ from the Italian: missing 2026"
    ]


def test_an_unknown_entry_id_is_an_error_with_its_line(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    text = english().replace("  nido-retta:", "  nido-rette:")
    write_translations(tmp_path, "en.yml", text)
    errors = check_knowledge_base(base, topics, TODAY).errors
    assert [(p.line, p.message) for p in errors] == [(8, "unknown entry id 'nido-rette'")]


def test_a_file_declaring_another_language_is_an_error(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    write_translations(tmp_path, "es.yml", english(language="fr"))
    errors = check_knowledge_base(base, topics, TODAY).errors
    assert [p.message for p in errors] == ["'language' must be 'es', the file's name"]
    assert all(not e.translations for e in load(base, topics, TODAY).entries)


def test_an_empty_answer_is_an_error(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    text = english().replace(
        "    answer: |\n      Yes, nursery", "    answer: ''\n    note: |\n      Yes, nursery"
    )
    write_translations(tmp_path, "en.yml", text)
    errors = check_knowledge_base(base, topics, TODAY).errors
    assert [p.message for p in errors] == ["'nido-retta' (en) has an empty or missing 'answer'"]


def test_a_file_named_after_an_unknown_language_is_an_error(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    write_translations(tmp_path, "de.yml", english(language="de"))
    assert [p.message for p in check_knowledge_base(base, topics, TODAY).errors] == [
        "unknown language 'de'"
    ]


def test_the_bundled_base_is_translated_into_english_spanish_and_french() -> None:
    # a fixed day after every entry's `reviewed` date: a review dated after the check's day is
    # an error that drops the entry, and its translations would then look orphaned
    report = check_knowledge_base(today=dt.date(2030, 1, 1))
    translation_errors = [p for p in report.errors if p.path.parent.name == "translations"]
    assert [str(p) for p in translation_errors] == []
    for language in ("en", "es", "fr"):
        assert language in TRANSLATION_LANGUAGES
        untranslated = [e.id for e in report.entries if language not in e.translations]
        assert untranslated == [], language

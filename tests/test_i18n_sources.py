"""Interface translations record the Italian they came from; a changed Italian text shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers import texts
from handlers.catalog_sources import italian_hash, read_sources, write_sources
from handlers.i18n import Translations, source_texts
from nlu.language import LANGUAGES
from sportello.cli import main

OTHERS = [language for language in LANGUAGES if language != "it"]


@pytest.fixture(scope="module")
def catalogs() -> Translations:
    return Translations.load()


@pytest.mark.parametrize("language", OTHERS)
def test_every_shipped_translation_records_todays_italian(
    catalogs: Translations, language: str
) -> None:
    """After changing an Italian text in handlers/texts.py, update its translations and run
    `sportello i18n stamp LANG KEY` for each language listed here."""
    assert read_sources(language) is not None, f"handlers/locales/sources/{language}.yml"
    assert catalogs.stale(language) == []


def write_catalog(directory: Path, language: str, wordings: dict[str, str]) -> None:
    lines = [f'{key}: "{text}"' for key, text in wordings.items()]
    (directory / f"{language}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_translation_of_an_older_italian_is_stale_and_said_in_italian(tmp_path: Path) -> None:
    write_catalog(tmp_path, "en", {"ASK_ROLE": "You are…", "CONSENT_YES": "Yes, fine"})
    write_sources(
        "en",
        {
            "ASK_ROLE": italian_hash(texts.ASK_ROLE),
            "CONSENT_YES": italian_hash("Sì, va bene così"),  # the Italian it was made from
        },
        tmp_path / "sources",
    )
    catalogs = Translations.load(tmp_path)
    assert catalogs.stale("en") == ["CONSENT_YES"]
    assert catalogs.text("en", texts.CONSENT_YES) == texts.CONSENT_YES
    assert catalogs.text("en", texts.ASK_ROLE) == "You are…"


def test_a_translation_without_a_record_is_stale(tmp_path: Path) -> None:
    write_catalog(tmp_path, "ro", {"ASK_ROLE": "Tu ești…"})
    write_sources("ro", {}, tmp_path / "sources")
    assert Translations.load(tmp_path).stale("ro") == ["ASK_ROLE"]


def test_catalogs_built_in_memory_keep_no_record_and_nothing_is_stale() -> None:
    catalogs = Translations({"fr": {"ASK_ROLE": "Tu es…"}})
    assert catalogs.stale("fr") == []
    assert catalogs.text("fr", texts.ASK_ROLE) == "Tu es…"


def test_check_names_the_stale_key_and_stamp_clears_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_catalog(tmp_path, "es", {"ASK_ROLE": "Tú eres…", "CONSENT_NO": "No, gracias"})
    write_sources(
        "es",
        {"ASK_ROLE": italian_hash("Tu sei…"), "CONSENT_NO": italian_hash(texts.CONSENT_NO)},
        tmp_path / "sources",
    )
    assert main(["i18n", "check", "--locales", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "es.yml: ASK_ROLE: translated from an older Italian text" in out
    assert "CONSENT_NO:" not in out.split("warning")[0]
    assert "1 stale translation(s)" in out

    assert main(["i18n", "stamp", "es", "ASK_ROLE", "--locales", str(tmp_path)]) == 0
    recorded = read_sources("es", tmp_path / "sources")
    assert recorded == {
        "ASK_ROLE": italian_hash(texts.ASK_ROLE),
        "CONSENT_NO": italian_hash(texts.CONSENT_NO),
    }
    assert main(["i18n", "check", "--locales", str(tmp_path)]) == 0
    assert "0 stale translation(s)" in capsys.readouterr().out


def test_stamp_refuses_a_key_the_catalog_does_not_translate(tmp_path: Path) -> None:
    write_catalog(tmp_path, "fr", {"ASK_ROLE": "Tu es…"})
    assert main(["i18n", "stamp", "fr", "CONSENT_YES", "--locales", str(tmp_path)]) == 2
    assert main(["i18n", "stamp", "fr", "--locales", str(tmp_path)]) == 2
    assert read_sources("fr", tmp_path / "sources") is None


def test_the_hash_is_of_the_italian_text_a_key_has_today() -> None:
    sources = source_texts()
    assert italian_hash(sources["ASK_ROLE"]) == italian_hash(texts.ASK_ROLE)
    assert italian_hash("Tu sei…") != italian_hash(texts.ASK_ROLE)

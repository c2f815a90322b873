"""The interface catalogs (handlers/locales/*.yml): complete, and checked when they load."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers import texts
from handlers.i18n import TranslationError, Translations, placeholders, source_texts
from nlu.language import LANGUAGES

OTHERS = [language for language in LANGUAGES if language != "it"]


@pytest.fixture(scope="module")
def catalogs() -> Translations:
    return Translations.load()


@pytest.mark.parametrize("language", OTHERS)
def test_every_text_is_translated(catalogs: Translations, language: str) -> None:
    """After adding a text to handlers/texts.py, add its key to every catalog listed here."""
    missing = catalogs.missing(language)
    assert not missing, f"handlers/locales/{language}.yml lacks: {', '.join(missing)}"


@pytest.mark.parametrize("language", OTHERS)
def test_translations_keep_the_italian_placeholders(catalogs: Translations, language: str) -> None:
    for key, source in source_texts().items():
        wording = catalogs.text(language, source)
        assert placeholders(wording) == placeholders(source), (language, key)
        assert wording.format(**dict.fromkeys(placeholders(source), "x"))  # it formats


@pytest.mark.parametrize("language", OTHERS)
def test_commands_stay_as_they_are(catalogs: Translations, language: str) -> None:
    """Commands the Italian names are named the same in every language."""
    for key, source in source_texts().items():
        for word in source.split():
            if word.startswith("/") and word[1:].strip(".,:;").isidentifier():
                assert word.strip(".,:;") in catalogs.text(language, source), (language, key)


@pytest.mark.parametrize("language", OTHERS)
def test_the_privacy_facts_are_the_same(catalogs: Translations, language: str) -> None:
    """The notice's figures are placeholders filled from settings, and "5" stays 5."""
    for source in (texts.PRIVACY_NOTICE, texts.PRIVACY_MENU):
        wording = catalogs.text(language, source)
        assert wording.count("5") == source.count("5")
        assert wording.count("\n- ") == source.count("\n- ")


def test_a_missing_wording_falls_back_to_italian(tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text('ASK_ROLE: "You are…"\n', encoding="utf-8")
    catalogs = Translations.load(tmp_path)
    assert catalogs.text("en", texts.ASK_ROLE) == "You are…"
    assert catalogs.text("en", texts.CONSENT_YES) == texts.CONSENT_YES
    assert catalogs.text("fr", texts.ASK_ROLE) == texts.ASK_ROLE
    assert "CONSENT_YES" in catalogs.missing("en") and "ASK_ROLE" not in catalogs.missing("en")
    assert catalogs.text("en", "a text that is not a constant") == "a text that is not a constant"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ('COMPANY_JOINED: "Linked to {company}"\n', "placeholders"),
        ('NOT_A_TEXT: "hello"\n', "not a text of handlers/texts.py"),
        ('ASK_ROLE: ""\n', "non-empty"),
        ("- a list\n", "mapping"),
        ("ASK_ROLE: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_wrong_catalog_is_refused_at_load_with_file_and_key(
    tmp_path: Path, content: str, error: str
) -> None:
    (tmp_path / "ro.yml").write_text(content, encoding="utf-8")
    with pytest.raises(TranslationError, match=error) as raised:
        Translations.load(tmp_path)
    assert "ro.yml" in str(raised.value)


def test_every_italian_text_is_distinct() -> None:
    """Wordings are looked up by their Italian text, so no two constants may share one."""
    sources = list(source_texts().values())
    assert len(sources) == len(set(sources))


def test_the_tables_are_translated_item_by_item(catalogs: Translations) -> None:
    assert catalogs.text("en", texts.ROLE_NAMES["worker"]) == "worker"
    commands = dict(catalogs.commands("fr"))
    assert list(commands) == [name for name, _ in texts.COMMAND_DESCRIPTIONS]
    assert commands["lingua"] == "Choisir la langue"

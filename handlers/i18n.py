"""Interface texts in the user's language: Italian is the source, one catalog per language.

handlers/texts.py holds every text in Italian, as constants that the code uses by name. A
catalog, `handlers/locales/<lang>.yml`, gives each constant's wording in one language, keyed by
the constant's name (`TABLE.key` for the items of a table: `ROLE_NAMES.worker`,
`COMMAND_DESCRIPTIONS.start`, `INTERVIEW_AREA_NAMES.health`). The code asks for a wording with
the Italian constant itself — `ctx.tr(texts.CONSENT_YES)`, gettext style — so code that still
writes `texts.NAME` alone keeps working (in Italian), and adding a text is adding a constant;
its translations can follow. Texts only the welfare managers read stay Italian
(`texts.STAFF_ONLY`).

A missing translation falls back to Italian, never to an error: the completeness test names the
missing keys. So does a stale one, made from an Italian text that has changed since: each
translation records the hash of its Italian source (handlers/catalog_sources.py), and
`sportello i18n check` names the stale keys. What cannot be right is refused when the catalogs
load, at start-up: a key that is not a constant, a translation whose `{placeholders}` differ
from the Italian's.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import yaml

from escalation import statuses
from handlers import texts
from handlers.catalog_sources import read_sources, stale_keys
from needs.plans import PlanWording, plan_wording_keys
from nlu.language import DEFAULT_LANGUAGE, LANGUAGES
from sportello.errors import SportelloError

LOCALES: Final = Path(__file__).with_name("locales")
"""Where the catalogs live: one `<lang>.yml` per language other than Italian."""
PLAN_WORDING: Final = "PLAN_WORDING"
"""The table of the sentences of the line about the worker's company plan
(needs.plans.PlanWording), translated like the tables of texts.py."""
UNTRANSLATED: Final = frozenset({"LANGUAGE_NAMES", "LANGUAGE_BUTTON"}) | texts.STAFF_ONLY
"""Constants that stay the same in every language: each language's name in itself, and the
button that leads to them, readable whatever the language the message is in; and the texts
only the (Italian) welfare managers read (`texts.STAFF_ONLY`)."""
TICKET_STATUS: Final = "TICKET_STATUS"
"""The table of how a ticket's status reads to the worker (escalation.statuses.LABELS),
translated like the tables of texts.py."""

Translate = Callable[[str], str]
"""The wording of an Italian text in one language (see `Translations.translator`)."""


def italian(text: str) -> str:
    """The translator of a conversation in Italian: the source text itself."""
    return text


class TranslationError(SportelloError, ValueError):
    """A catalog that cannot be used as it is: the file, the key and what to fix."""


def source_texts() -> dict[str, str]:
    """Every translatable Italian text of handlers/texts.py, by key."""
    sources: dict[str, str] = {}
    for name, value in vars(texts).items():
        if not name.isupper() or name in UNTRANSLATED:
            continue
        if isinstance(value, str):
            sources[name] = value
    for name, key, value in _table_items():
        sources[f"{name}.{key}"] = value
    return _first_of_each_text(sources)


def _first_of_each_text(sources: Mapping[str, str]) -> dict[str, str]:
    """One key per Italian text: the code looks wordings up by the Italian text itself
    (gettext style), so two constants with the same text ("No, grazie" in two flows) are one
    message with one translation, kept under the first constant's key."""
    seen: set[str] = set()
    unique: dict[str, str] = {}
    for key, text in sources.items():
        if text not in seen:
            seen.add(text)
            unique[key] = text
    return unique


def _table_items() -> list[tuple[str, str, str]]:
    """(table, key, text) for each item of a table of texts: a constant of texts.py that maps
    keys to texts (`ROLE_NAMES`) or lists (key, text) pairs (`COMMAND_DESCRIPTIONS`), the
    company-plan sentences and the tickets' statuses. A new table is translated like a new
    text, with no list to update."""
    items: list[tuple[str, str, str]] = []
    for name, value in vars(texts).items():
        if name.isupper() and name not in UNTRANSLATED:
            items += [(name, key, text) for key, text in _pairs(value)]
    items += [(PLAN_WORDING, key, value) for key, value in plan_wording_keys().items()]
    items += [(TICKET_STATUS, key, value) for key, value in statuses.LABELS.items()]
    return items


def _pairs(value: object) -> list[tuple[str, str]]:
    """The (key, text) items of a table; none for a text or anything else."""
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, tuple) and all(isinstance(item, tuple) for item in value):
        pairs = list(value)
    else:
        return []
    return [(str(key), text) for key, text in pairs if isinstance(text, str)]


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a text is formatted with."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)


class Translations:
    """The catalogs of every language, checked against the Italian texts; loaded once."""

    def __init__(
        self,
        catalogs: Mapping[str, Mapping[str, str]],
        records: Mapping[str, Mapping[str, str] | None] | None = None,
    ) -> None:
        """`records` gives, per language, the hash of the Italian each key was translated
        from (handlers/catalog_sources.py); a language without one is taken as up to date."""
        self._sources = source_texts()
        self._keys = {text: key for key, text in self._sources.items()}
        for language, catalog in catalogs.items():
            self._check(language, catalog)
        self._catalogs = {language: dict(catalog) for language, catalog in catalogs.items()}
        self._stale = {
            language: frozenset(stale_keys(catalog, self._sources, (records or {}).get(language)))
            for language, catalog in catalogs.items()
        }

    @classmethod
    def load(cls, directory: Path = LOCALES) -> Translations:
        """The catalogs in `directory`: a `<lang>.yml` for each language of the desk but Italian,
        with the records of their Italian sources in `directory/sources/`."""
        catalogs: dict[str, Mapping[str, str]] = {}
        records: dict[str, Mapping[str, str] | None] = {}
        for language in LANGUAGES:
            path = directory / f"{language}.yml"
            if language != DEFAULT_LANGUAGE and path.exists():
                catalogs[language] = _read_catalog(path)
                records[language] = read_sources(language, directory / "sources")
        return cls(catalogs, records)

    @classmethod
    def italian_only(cls) -> Translations:
        return cls({})

    def _check(self, language: str, catalog: Mapping[str, str]) -> None:
        where = f"handlers/locales/{language}.yml"
        if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
            raise TranslationError(f"{where}: {language!r} is not one of {LANGUAGES[1:]}")
        for key, text in catalog.items():
            source = self._sources.get(key)
            if source is None:
                raise TranslationError(
                    f"{where}: {key} is not a text of handlers/texts.py; remove it or rename it"
                )
            if not isinstance(text, str) or not text.strip():
                raise TranslationError(f"{where}: {key} must be a non-empty string")
            if placeholders(text) != placeholders(source):
                raise TranslationError(
                    f"{where}: {key} has placeholders {sorted(placeholders(text))}, the Italian "
                    f"has {sorted(placeholders(source))}; use exactly the Italian's"
                )

    def text(self, language: str, source: str) -> str:
        """`source` (an Italian constant) in `language`; the Italian when there is no wording."""
        key = self._keys.get(source)
        if key is None or key in self._stale.get(language, ()):
            return source
        return self._catalogs.get(language, {}).get(key, source)

    def translator(self, language: str) -> Translate:
        """The wording function of one language, for code that has no context at hand."""
        if language == DEFAULT_LANGUAGE:
            return italian
        return lambda source: self.text(language, source)

    def missing(self, language: str) -> list[str]:
        """The keys `language`'s catalog does not translate yet (they are said in Italian)."""
        catalog = self._catalogs.get(language, {})
        return [key for key in self._sources if key not in catalog]

    def stale(self, language: str) -> list[str]:
        """The keys `language` translates from an Italian text that has changed since (or
        without a record of it): they are said in Italian until checked and stamped."""
        return sorted(self._stale.get(language, ()))

    def translated(self, language: str) -> list[str]:
        """The keys `language`'s catalog has a wording for, stale or not."""
        return list(self._catalogs.get(language, {}))

    def sources(self) -> dict[str, str]:
        """Every translatable Italian text, by key."""
        return dict(self._sources)

    def plan_wording(self, language: str) -> PlanWording:
        """The sentences of the company-plan line in `language`."""
        return PlanWording(
            **{key: self.text(language, value) for key, value in plan_wording_keys().items()}
        )

    def commands(self, language: str) -> list[tuple[str, str]]:
        """The bot's command list in `language`: names stay, descriptions are translated."""
        return [
            (name, self.text(language, description))
            for name, description in texts.COMMAND_DESCRIPTIONS
        ]


def _read_catalog(path: Path) -> dict[str, str]:
    try:
        # the C loader when PyYAML has it: 15 times faster on these files (a start-up cost)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise TranslationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict):
        raise TranslationError(f"{path}: expected a mapping of text names to translations")
    return {str(key): value for key, value in loaded.items()}

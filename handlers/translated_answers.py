"""Which words of an entry a user reads: the Italian, or its translation while it is fresh.

A translation is served only while it was made from the current Italian answer
(knowledge/translations.py): a stale or missing one would say something the reviewed Italian
no longer says, so the user gets the Italian answer with one line, in their language, saying so
and offering a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge import Entry
from nlu.language import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Wording:
    """An entry's title and answer as one user reads them."""

    title: str
    answer: str
    in_italian_for_now: bool = False
    """The user's language has no fresh translation: the answer says so first (in the user's
    language, texts.ANSWER_ITALIAN_FOR_NOW) and offers a person."""


def wording(entry: Entry, language: str) -> Wording:
    """The entry in `language` when its translation is fresh, otherwise in Italian, marked so
    that the reply can say it."""
    if language == DEFAULT_LANGUAGE:
        return Wording(entry.title, entry.answer)
    translation = entry.translations.get(language)
    if translation is not None and translation.is_fresh_for(entry.answer):
        return Wording(translation.title, translation.answer)
    return Wording(entry.title, entry.answer, in_italian_for_now=True)


def title_in(entry: Entry, language: str) -> str:
    """The entry's title for a list of options (no line: the answer will carry it)."""
    return wording(entry, language).title

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

ITALIAN_FOR_NOW = {
    "en": "For now this answer is in Italian: we are updating its English translation. "
    "If you prefer, a person can help you.",
    "es": "Por ahora esta respuesta está en italiano: estamos actualizando la traducción al "
    "español. Si prefieres, una persona puede ayudarte.",
    "fr": "Pour l'instant, cette réponse est en italien : nous mettons à jour sa traduction en "
    "français. Si tu préfères, une personne peut t'aider.",
    "ro": "Deocamdată acest răspuns este în italiană: actualizăm traducerea în română. "
    "Dacă preferi, te poate ajuta o persoană.",
    "sq": "Për momentin kjo përgjigje është në italisht: po përditësojmë përkthimin në shqip. "
    "Nëse dëshiron, mund të të ndihmojë një person.",
    "ar": "هذه الإجابة باللغة الإيطالية في الوقت الحالي: نحن نحدّث ترجمتها إلى العربية. "
    "إذا أردت، يمكن لشخص من فريقنا مساعدتك.",
}
"""The line put before an Italian answer served to a user of another language."""


@dataclass(frozen=True)
class Wording:
    """An entry's title and answer as one user reads them."""

    title: str
    answer: str
    italian_for_now: str | None = None
    """Set when the user's language has no fresh translation: the line that says so."""


def wording(entry: Entry, language: str) -> Wording:
    """The entry in `language` when its translation is fresh, otherwise in Italian (with the
    line saying so for a language the desk has that line in)."""
    if language == DEFAULT_LANGUAGE:
        return Wording(entry.title, entry.answer)
    translation = entry.translations.get(language)
    if translation is not None and translation.is_fresh_for(entry.answer):
        return Wording(translation.title, translation.answer)
    return Wording(entry.title, entry.answer, ITALIAN_FOR_NOW.get(language))


def title_in(entry: Entry, language: str) -> str:
    """The entry's title for a list of options (no line: the answer will carry it)."""
    return wording(entry, language).title

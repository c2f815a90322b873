"""A Romanian, Albanian or Arabic question answered in its language, on the bundled base.

The whole way through the real engine: the question is detected as its language, found through
that language's phrasings, and served with the entry's translation from
knowledge/translations/<lang>.yml instead of the Italian text.
"""

from __future__ import annotations

import pytest

from handlers import DialogueEngine
from knowledge import Entry
from tests.conftest import DeskParts
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

ENTRY = "buoni-pasto-limiti-2026"
QUESTIONS = {
    "ro": "tichetele de masa electronice cat sunt scutite de taxe pe zi din 2026?",
    "sq": "deri ne sa euro ne dite jane pa taksa kuponat e ushqimit elektronike nga 2026?",
    "ar": "إلى كم يورو في اليوم تكون قسائم الوجبات الإلكترونية بدون ضرائب في 2026؟",
}


def bundled_entry(desk_parts: DeskParts, entry_id: str) -> Entry:
    retriever, _ = desk_parts
    return next(entry for entry in retriever.entries if entry.id == entry_id)


@pytest.mark.parametrize("language", sorted(QUESTIONS))
def test_the_question_is_answered_with_the_entrys_translation(
    engine: DialogueEngine, desk_parts: DeskParts, language: str
) -> None:
    entry = bundled_entry(desk_parts, ENTRY)
    translation = entry.translations[language]
    assert translation.is_fresh_for(entry.answer)
    chat = Chat(engine)
    chat.onboard()
    chat.handle(chat._turn(text=QUESTIONS[language], language=language))
    text = chat.text()
    assert f"**{translation.title}**" in text
    assert translation.answer in text
    assert entry.answer.strip() not in text
    assert "10 €" in text and "5,29 €" in text and "/operatore" in text

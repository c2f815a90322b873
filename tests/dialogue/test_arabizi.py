"""An Arabizi question (Arabic in Latin letters and digits) answered in Arabic (issue 18).

Through the real engine on the bundled base, from /start: the worker's phone gives no language,
the question is Moroccan Arabic on a Latin keyboard. It used to be read as English and declined;
it is now read as Arabic, found on the Arabic path and answered with the entry's Arabic
translation. A language chosen with /lingua still comes first.
"""

from __future__ import annotations

import pytest

from handlers import DialogueEngine, texts
from handlers.i18n import Translations
from tests.conftest import DeskParts
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

QUESTION = "bghit nkhles l'abonnement dyal tobis b welfare"  # from bench/data/probe_arabizi.tsv
ENTRY = "trasporto-pubblico-abbonamento-rimborso"


def test_an_arabizi_question_is_answered_in_arabic(
    engine: DialogueEngine, desk_parts: DeskParts
) -> None:
    retriever, _ = desk_parts
    entry = next(entry for entry in retriever.entries if entry.id == ENTRY)
    chat = Chat(engine)
    chat.onboard()
    chat.send(QUESTION)
    text = chat.text()
    assert f"**{entry.translations['ar'].title}**" in text
    assert entry.translations["ar"].answer in text


def test_a_chosen_language_stays_above_arabizi_detection(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("/lingua")
    chat.press("Italiano")
    chat.send(QUESTION)
    assert texts.ANSWER_FEEDBACK in chat.text()
    assert Translations.load().text("ar", texts.ANSWER_FEEDBACK) not in chat.text()

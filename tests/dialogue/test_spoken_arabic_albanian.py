"""Spoken Arabic and Albanian questions answered right in a whole conversation (issue 18).

On the bundled base, through the real engine from onboarding: an Albanian question about
parental leave (the intent classifier once read its "sa ... kam" as a privacy request and sent
the privacy notice), and Egyptian and Moroccan questions whose words the Standard Arabic
phrasings did not know ("الاتوبيس" bus, "الكريدي" credit, "ما ...ش" negation) and that used to
get the "I could not find it" reply. Each is answered with its entry's translation.
"""

from __future__ import annotations

import pytest

from handlers import DialogueEngine
from tests.conftest import DeskParts
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

CASES = [
    (
        "sq",
        "leja prindërore: sa muaj kam dhe me sa paguhet?",
        "congedo-parentale-mesi-indennita-80",
    ),
    (
        "ar",
        "الشركة ممكن تدفعلي اشتراك الاتوبيس من الويلفير؟",  # Egyptian
        "trasporto-pubblico-abbonamento-rimborso",
    ),
    (
        "ar",
        "الكريدي ديال الويلفير اللي ما خسرتوش فين كيمشي فآخر العام؟",  # Moroccan
        "scadenza-credito-welfare-non-speso-dicembre",
    ),
]


@pytest.mark.parametrize(("language", "question", "entry_id"), CASES)
def test_the_question_gets_its_entry_in_its_language(
    engine: DialogueEngine, desk_parts: DeskParts, language: str, question: str, entry_id: str
) -> None:
    retriever, _ = desk_parts
    entry = next(entry for entry in retriever.entries if entry.id == entry_id)
    translation = entry.translations[language]
    chat = Chat(engine)
    chat.onboard()
    chat.handle(chat._turn(text=question, language=language))
    text = chat.text()
    assert f"**{translation.title}**" in text
    assert translation.answer in text

"""Romanian questions answered right in a whole conversation (issue 18).

On the bundled base, through the real engine from onboarding, each question is answered with
its entry's Romanian translation. Before the Romanian work of 2026-12-03 each went elsewhere:
a flexible-hours request that names a child and school was offered the school entries first;
"banii înapoi" (money back) for glasses did not read as a reimbursement and was offered the
health entries; "dădacă" (nanny) was a word the index did not know and the desk asked which
topic was meant.
"""

from __future__ import annotations

import pytest

from handlers import DialogueEngine
from tests.conftest import DeskParts
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

CASES = [
    (
        "cer program flexibil ca sa iau copilul de la scoala, se poate?",
        "smart-working-conciliazione-priorita-lavoratore",
    ),
    ("cand imi vin banii inapoi pentru ochelari", "documenti-rimborso-tempi-scadenze"),
    ("pot plati dadaca cu welfare", "rimborso-asilo-nido-baby-sitter"),
]


@pytest.mark.parametrize(("question", "entry_id"), CASES)
def test_the_romanian_question_gets_its_entry_in_romanian(
    engine: DialogueEngine, desk_parts: DeskParts, question: str, entry_id: str
) -> None:
    retriever, _ = desk_parts
    entry = next(entry for entry in retriever.entries if entry.id == entry_id)
    translation = entry.translations["ro"]
    chat = Chat(engine)
    chat.onboard()
    chat.handle(chat._turn(text=question, language="ro"))
    text = chat.text()
    assert f"**{translation.title}**" in text
    assert translation.answer in text

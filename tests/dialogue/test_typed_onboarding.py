"""People type their answers to the onboarding questions as often as they press the buttons."""

from __future__ import annotations

import pytest

from handlers import DialogueEngine, texts
from handlers.flows.onboarding import role_from_text
from storage import Database, User
from tests.dialogue.conftest import Chat


def profile(database: Database, count: int = 1) -> list[User]:
    with database.session() as session:
        found = list(session.query(User))
    assert len(found) == count
    return found


@pytest.mark.integration
def test_typed_yes_role_and_no_code_onboard_like_the_buttons(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.send("/start")
    chat.send("sì, accetto")
    assert texts.ASK_ROLE in chat.text()
    chat.send("sono una lavoratrice")
    assert texts.ASK_COMPANY_CODE in chat.text()
    chat.send("non ce l'ho")
    assert texts.ONBOARDING_DONE in chat.text()
    assert texts.PENDING_QUESTION not in chat.text()  # "non ce l'ho" was no question
    (user,) = profile(database)
    assert user.consent_at is not None and user.role == "worker" and user.company_id is None


@pytest.mark.integration
def test_typed_no_to_the_privacy_question_declines_and_stores_nothing(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.send("/start")
    chat.send("no grazie")
    assert "non ho salvato niente" in chat.text()
    profile(database, count=0)


@pytest.mark.integration
def test_a_greeting_is_not_kept_as_a_question_but_a_question_is(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.send("ciao")
    assert "privacy" in chat.text()
    chat.send("buongiorno")
    assert texts.CONSENT_NEEDED in chat.text()
    chat.send("ok")
    chat.send("azienda")  # the HR office
    replies = chat.send("no")
    assert texts.PENDING_QUESTION not in "\n".join(r.text for r in replies)

    asker = Chat(engine, user_id=43)
    asker.send("/start")
    asker.send("posso farmi rimborsare la retta dell'asilo nido?")
    assert texts.CONSENT_NEEDED in asker.text()
    asker.send("va bene")
    asker.press("Lavoratore")
    replies = asker.send("nessuno")
    text = "\n".join(r.text for r in replies)
    assert texts.PENDING_QUESTION in text and "nido" in text.lower()


@pytest.mark.integration
def test_unclear_replies_ask_the_step_again(engine: DialogueEngine, database: Database) -> None:
    chat = Chat(engine)
    chat.send("/start")
    chat.press("Sì, va bene")
    chat.send("boh, dipende")  # neither a role nor a question worth keeping for later
    assert texts.ASK_ROLE in chat.text()
    assert profile(database)[0].role is None
    chat.send("sono dipendente dell'azienda")  # names both: ask again rather than guess
    assert texts.ASK_ROLE in chat.text()
    chat.send("lavoratore")
    assert texts.ASK_COMPANY_CODE in chat.text()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Lavoratore", "worker"),
        ("sono una lavoratrice", "worker"),
        ("dipendente", "worker"),
        ("impiegato", "worker"),
        ("socio lavoratore della cooperativa", "worker"),
        ("Azienda", "company"),
        ("sono il titolare", "company"),
        ("ufficio del personale", "company"),
        ("lavoro nelle risorse umane", "company"),
        ("HR", "company"),
        ("sono dipendente dell'azienda", None),
        ("boh", None),
        ("assistenza sociale", None),
    ],
)
def test_role_from_text(text: str, role: str | None) -> None:
    assert role_from_text(text) == role

"""What the desk keeps and for how long, and company-code guessing, through the real engine."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers import DialogueEngine, DialogueSettings, Pseudonymizer
from handlers.settings import RetentionSettings
from storage import ChatLink, Conversation, Database, Interaction, InteractionCount, User
from storage import add_company as store_company
from tests.conftest import KEY, DeskParts
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration


def rows(database: Database, model: type) -> list:  # type: ignore[type-arg]
    with database.session() as session:
        return list(session.query(model))


def add_company(database: Database, code: str) -> None:
    with database.session() as session:
        store_company(session, code=code, name="Cooperativa Sole", now=Chat.start_clock())


def to_company_step(chat: Chat) -> None:
    chat.send("/start")
    chat.press("Sì, va bene")
    chat.press("Lavoratore")


def test_wrong_company_codes_pause_the_guessing_then_it_resumes(
    engine: DialogueEngine, database: Database
) -> None:
    add_company(database, "SOLE-2026")
    chat = Chat(engine)
    to_company_step(chat)
    for attempt in range(4):
        chat.send(f"ZZZ-{attempt:03d}")
        assert "Non trovo il codice" in chat.text()
    chat.send("ZZZ-004")  # the fifth wrong code in a row
    assert "fermiamoci un attimo" in chat.text() and "15 minuti" in chat.text()
    chat.send("SOLE-2026")  # even the right code waits for the pause to end
    assert "fermiamoci un attimo" in chat.text()
    (user,) = rows(database, User)
    assert user.company_id is None
    chat.clock += dt.timedelta(minutes=15)
    chat.send("SOLE-2026")
    assert "ti ho collegato a **Cooperativa Sole**" in chat.text()
    (user,) = rows(database, User)
    assert user.company_id is not None and user.code_failures == 0


def test_a_typo_then_the_right_code_costs_nothing_later(
    engine: DialogueEngine, database: Database
) -> None:
    add_company(database, "SOLE-2026")
    chat = Chat(engine)
    to_company_step(chat)
    chat.send("SOLE-2062")
    chat.send("SOLE-2026")
    assert "ti ho collegato" in chat.text()
    (user,) = rows(database, User)
    assert (user.code_failures, user.code_paused_until) == (0, None)


def test_nothing_is_logged_before_consent_and_declining_leaves_nothing(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.send("mia figlia è malata: ho diritto a dei permessi?")
    assert "privacy" in chat.text()
    (conversation,) = rows(database, Conversation)
    assert conversation.data["pending"]  # what onboarding needs, and nothing in the log
    assert rows(database, Interaction) == []
    chat.press("No, grazie")
    for model in (User, ChatLink, Conversation, Interaction, InteractionCount):
        assert rows(database, model) == []


def test_a_question_left_in_a_half_done_onboarding_is_dropped_after_a_day(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.send("posso farmi rimborsare la retta del nido?")
    chat.press("Sì, va bene")  # consented, then never picked a role
    (conversation,) = rows(database, Conversation)
    assert "pending" in conversation.data
    assert engine.housekeeping(chat.clock + dt.timedelta(hours=23))["pending_dropped"] == 0
    assert engine.housekeeping(chat.clock + dt.timedelta(hours=25))["pending_dropped"] == 1
    (conversation,) = rows(database, Conversation)
    assert "pending" not in conversation.data and conversation.step == "role"


def test_people_silent_for_a_year_are_forgotten_and_their_turns_only_counted(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("i buoni pasto elettronici sono esenti?")
    (answer,) = [i for i in rows(database, Interaction) if i.decision == "answer"]
    assert answer.topic == "buoni-pasto" and answer.entry_ids
    later = chat.clock + dt.timedelta(days=365)
    done = engine.housekeeping(later)
    assert done["inactive_erased"] == 0 and rows(database, User)
    done = engine.housekeeping(later + dt.timedelta(days=1))
    assert done["inactive_erased"] == 1
    for model in (User, ChatLink, Conversation, Interaction):
        assert rows(database, model) == []
    counts = {
        (c.day, c.kind, c.decision, c.topic): c.count for c in rows(database, InteractionCount)
    }
    assert counts[(chat.clock.date(), "question", "answer", "buoni-pasto")] == 1


def test_the_detailed_log_is_folded_after_log_user_ref_days(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("i buoni pasto elettronici sono esenti?")
    logged = len(rows(database, Interaction))
    assert engine.housekeeping(chat.clock + dt.timedelta(days=89))["log_rows_folded"] == 0
    assert engine.housekeeping(chat.clock + dt.timedelta(days=91))["log_rows_folded"] == logged
    assert rows(database, Interaction) == [] and rows(database, User)
    assert sum(c.count for c in rows(database, InteractionCount)) == logged


def test_the_privacy_texts_state_the_periods_in_force(
    database: Database, desk_parts: DeskParts
) -> None:
    retriever, classifier = desk_parts
    engine = DialogueEngine(
        database=database,
        retriever=retriever,
        intents=classifier,
        pseudonymizer=Pseudonymizer(KEY),
        settings=DialogueSettings(retention_days=30),
        retention=RetentionSettings(log_user_ref_days=60, inactive_user_days=200),
    )
    chat = Chat(engine)
    notice = chat.send("/start")[0].text
    for stated in ("24 ore", "60 giorni", "30 giorni", "200 giorni"):
        assert stated in notice
    chat.press("Sì, va bene")
    menu = chat.send("/privacy")[0].text
    for stated in ("60 giorni", "30 giorni", "200 giorni"):
        assert stated in menu

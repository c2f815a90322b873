"""The needs interview over Telegram: the real PTB Application against the loopback stand-in."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram.ext import Application

from storage import Database, InterviewResult, add_company
from tests.bot.test_telegram_e2e import (
    USER,
    button_data,
    messages_to,
    next_reply,
    polling_app,  # noqa: F401  (the fixture)
)
from tests.botapi_standin import BotApiStandIn, callback_update, message_update

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def test_a_short_interview_over_telegram_is_stored(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]  # noqa: F811
    database: Database,
) -> None:
    with database.session() as session:
        add_company(session, code="ACME", name="Acme", now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    sent = 0

    async def say(text: str, replies: int = 1) -> None:
        nonlocal sent
        standin.queue_update(message_update(USER, text))
        await next_reply(standin, sent + replies - 1)
        sent += replies

    async def press(label: str) -> None:
        nonlocal sent
        last = messages_to(standin.calls, USER)[sent - 1]
        standin.queue_update(callback_update(USER, button_data(last, label)))
        await next_reply(standin, sent)
        sent += 1

    await say("/start")
    await press("Sì, va bene")
    await press("Lavoratore")
    await say("ACME", replies=2)  # joined, and onboarding done
    await say("/bisogni")
    assert "Sei d'accordo" in messages_to(standin.calls, USER)[-1].params["text"]
    for label in ("Sì, sono d", "No", "No", "Auto", "Fino a 15", "Tempo pieno", "Smart working"):
        await press(label)
    await press("Salute")
    await press("Fatto")
    await press("Salta")
    summary = messages_to(standin.calls, USER)[-1].params["text"]
    assert "<b>Ecco le tue risposte</b>" in summary and "Salute" in summary
    await press("Conferma")
    assert "Ho salvato le tue risposte" in messages_to(standin.calls, USER)[-1].params["text"]
    with database.session() as session:
        (row,) = session.query(InterviewResult).all()
        assert (row.commute_mode, row.need_areas, row.wants_smart_working) == (
            "car",
            ["health"],
            True,
        )

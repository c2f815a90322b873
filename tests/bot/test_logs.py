"""Logs carry no personal data at any level: a whole conversation, and a database failure,
with every logger at DEBUG, then the output searched for the token, the texts and the ids."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram.ext import Application

from bot import DeskBot
from handlers import DialogueEngine, Pseudonymizer, TurnDispatcher
from sportello.logs import FLOORS, RedactingFormatter, configure_logging
from storage import Database
from tests.bot.test_telegram_e2e import button_data, messages_to, next_reply, telegram_settings
from tests.botapi_standin import TOKEN, BotApiStandIn, callback_update, message_update
from tests.conftest import KEY

USER = 7350412968  # a Telegram id no timestamp, port or pid will spell by chance
HEALTH = "Mia figlia ha la febbre alta, posso prendere i permessi per malattia del figlio?"
UNANSWERABLE = "Il mio vicino Gennaro Esposito suona la tromba di notte, cosa faccio?"
AFTER_FAILURE = "Sono incinta di tre mesi: il welfare copre le visite private?"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The desk's logging at DEBUG, and then every logger there is forced to DEBUG too, as a
    careless library or operator might: only the handler's floors stand in the way."""
    stream = io.StringIO()
    handler = configure_logging("DEBUG", [TOKEN], stream)
    manager = logging.Logger.manager
    saved = {name: logging.getLogger(name).level for name in [*manager.loggerDict, *FLOORS]}
    root_level = logging.getLogger().level
    for name in saved:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(root_level)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
async def app(
    captured: io.StringIO, standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = DeskBot(
        TurnDispatcher(engine), telegram_settings(standin), outbox=database
    ).build()
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def say(standin: BotApiStandIn, text: str) -> str:
    sent = len(messages_to(standin.calls, USER))
    standin.queue_update(message_update(USER, text))
    return str((await next_reply(standin, sent, USER)).params.get("text", ""))


async def press(standin: BotApiStandIn, label: str) -> None:
    sent = len(messages_to(standin.calls, USER))
    last = messages_to(standin.calls, USER)[-1]
    standin.queue_update(callback_update(USER, button_data(last, label)))
    await standin.wait_for(lambda calls: len(messages_to(calls, USER)) > sent)


@pytest.mark.integration
async def test_a_whole_conversation_and_a_database_failure_leave_no_personal_data_in_the_logs(
    captured: io.StringIO,
    standin: BotApiStandIn,
    app: Application,  # type: ignore[type-arg]
    database: Database,
    engine: DialogueEngine,
) -> None:
    assert "privacy" in await say(standin, HEALTH)  # held before consent, then answered
    await press(standin, "Sì, va bene")
    await press(standin, "Lavoratore")
    await press(standin, "Non ce l'ho")
    await standin.wait_for(lambda calls: len(messages_to(calls, USER)) >= 6)
    await say(standin, UNANSWERABLE)
    await say(standin, "/miei_dati")
    database.downgrade("base")  # every table gone: the next turn fails inside the engine
    assert "qualcosa è andato storto" in await say(standin, AFTER_FAILURE)
    database.upgrade()
    await say(standin, "/cancella")
    await press(standin, "Sì, cancella")
    await asyncio.sleep(0.2)

    output = captured.getvalue()
    # the capture is real: the desk's own lines at DEBUG/INFO and the failure are all there
    assert "turn handled" in output and "turn failed" in output and "Traceback" in output
    assert "[SQL parameters hidden due to hide_parameters=True]" in output
    user_ref = Pseudonymizer(KEY).user_ref("telegram", USER)
    secret_part = TOKEN.split(":", 1)[1]
    entry_ids = [entry.id for entry in engine._answerer._retriever.entries]
    words = ("febbre", "Gennaro", "tromba", "incinta", "visite private")
    for trace in (TOKEN, secret_part, str(USER), user_ref, HEALTH, UNANSWERABLE, *words):
        assert trace not in output, trace
    named = [entry_id for entry_id in entry_ids if entry_id in output]
    assert named == []


@pytest.mark.unit
def test_tokens_secrets_and_postgres_details_are_redacted() -> None:
    formatter = RedactingFormatter("%(message)s", ["Zq3_vL9-xW2pR7tYk4Hn8bMc6Df1Gs5J"])

    def line(message: str) -> str:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, message, None, None)
        return formatter.format(record)

    url = "POST https://api.telegram.org/bot7412345678:AAH3kx_Yz-9QwErTyUiOpAsDfGhJkLzXcVb/getMe"
    assert line(url) == "POST https://api.telegram.org/bot[redacted]/getMe"
    assert line("secret Zq3_vL9-xW2pR7tYk4Hn8bMc6Df1Gs5J set") == "secret [redacted] set"
    violation = (
        'duplicate key value violates unique constraint "uq_chat_links_telegram_user_id"\n'
        "DETAIL:  Key (telegram_user_id)=(7350412968) already exists."
    )
    assert "7350412968" not in line(violation) and "DETAIL: [redacted]" in line(violation)

"""Replies survive Bot API outages: the real PTB Application over real HTTP against the
stand-in, which answers 502 or drops connections for a window while many people wait.

Each person sends two commands back to back and must get exactly the two answers, in order,
once the outage is over: nothing lost, nothing twice, nothing overtaking. Polling and webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot import DeskBot
from bot.render import to_html
from bot.webhook import serve_webhook
from handlers import DialogueEngine, TurnDispatcher, callbacks, texts
from handlers.dispatch import Engine
from storage import Database, OutboxMessage, Outgoing, User, enqueue, outbox_status
from tests.bot.test_telegram_e2e import telegram_settings
from tests.botapi_standin import BotApiStandIn, callback_update, free_port, message_update

HELP = texts.HELP.format(
    commands="\n".join(f"- /{name} — {summary}" for name, summary in texts.COMMAND_DESCRIPTIONS)
)
"""What /aiuto answers (handlers/flows/menu.py)."""
pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

PEOPLE = [910_000 + n for n in range(50)]
OUTAGE_SECONDS = 3.0
Deliver = Callable[[dict[str, Any]], Awaitable[None]]


async def start(app: Application) -> None:  # type: ignore[type-arg]
    """What run_polling / run_webhook do before taking updates."""
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    await app.shutdown()


@contextlib.asynccontextmanager
async def polling_bot(
    engine: Engine, standin: BotApiStandIn, database: Database
) -> AsyncIterator[None]:
    """The desk's bot on `engine`, polling the stand-in (1 s long polls), stopped after."""
    app = DeskBot(TurnDispatcher(engine), telegram_settings(standin), outbox=database).build()
    await start(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield
    finally:
        await stop(app)


@pytest.fixture
async def polling(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> AsyncIterator[Deliver]:
    async def deliver(update: dict[str, Any]) -> None:
        standin.queue_update(update)

    async with polling_bot(engine, standin, database):
        yield deliver


@pytest.fixture
async def webhook(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> AsyncIterator[Deliver]:
    """The desk's own webhook server (bot/webhook.py), as `sportello run` serves it."""
    port = free_port()
    secret = "Hk7_pQ2-Wz9rT4vN6bX1mC8sD3fG5jL0"
    url = f"http://127.0.0.1:{port}/telegram"
    settings = telegram_settings(
        standin, mode="webhook", webhook_port=port, webhook_url=url, webhook_secret=secret
    )
    app = DeskBot(TurnDispatcher(engine), settings, outbox=database).build()
    halt = asyncio.Event()
    serving = asyncio.create_task(serve_webhook(app, settings, halt, retries=0))
    await standin.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls))
    await asyncio.sleep(0.2)  # the server listens right after setWebhook

    async def deliver(update: dict[str, Any]) -> None:
        response = await standin.post_webhook(url, update, secret)
        assert response.status_code == 200

    yield deliver
    halt.set()
    await asyncio.wait_for(serving, 15)


async def onboard(standin: BotApiStandIn, deliver: Deliver, chat_id: int) -> None:
    await deliver(message_update(chat_id, "/start"))
    for count, data in (
        (1, callbacks.CONSENT_YES),
        (2, callbacks.ROLE_WORKER),
        (3, callbacks.COMPANY_NONE),
    ):
        await standin.wait_messages(chat_id, count)
        await deliver(callback_update(chat_id, data))
    await standin.wait_messages(chat_id, 4)


async def two_commands_each_through(
    standin: BotApiStandIn, deliver: Deliver, database: Database, outage: Callable[[], None]
) -> None:
    """The outage lasts `OUTAGE_SECONDS`, and longer if needed until it has refused every
    person's first reply at least once (so a slow machine cannot let replies slip past it;
    the second waits behind the first, as one chat's messages go out in order)."""
    await asyncio.gather(*(onboard(standin, deliver, person) for person in PEOPLE))
    outage()
    opened = asyncio.get_running_loop().time()

    async def two_commands(person: int) -> None:
        await deliver(message_update(person, "/menu"))
        await deliver(message_update(person, "/aiuto"))

    await asyncio.gather(*(two_commands(person) for person in PEOPLE))
    async with asyncio.timeout(60):
        while len({chat for chat, _ in standin.faulted}) < len(PEOPLE):
            await asyncio.sleep(0.05)
    await asyncio.sleep(max(0.0, opened + OUTAGE_SECONDS - asyncio.get_running_loop().time()))
    standin.heal()
    for person in PEOPLE:
        await standin.wait_messages(person, 6, timeout=60)
    await asyncio.sleep(1.5)  # a reply sent twice would arrive now
    for person in PEOPLE:
        received = [call.params["text"] for call in standin.messages_for(person)[4:]]
        assert received == [to_html(texts.MENU), to_html(HELP)]
    with database.session() as session:
        assert outbox_status(session) == {"pending": 0, "sent": 6 * len(PEOPLE), "refused": 0}
        retried = session.scalars(select(OutboxMessage.id).where(OutboxMessage.attempts > 1))
        assert len(retried.all()) >= len(PEOPLE)  # the outage met every person's replies


async def test_a_502_window_loses_and_duplicates_nothing_polling(
    standin: BotApiStandIn, polling: Deliver, database: Database
) -> None:
    await two_commands_each_through(standin, polling, database, lambda: standin.fail_for(600, 502))


async def test_dropped_connections_lose_and_duplicate_nothing_polling(
    standin: BotApiStandIn, polling: Deliver, database: Database
) -> None:
    await two_commands_each_through(standin, polling, database, lambda: standin.drop_for(600))


async def test_a_502_window_loses_and_duplicates_nothing_webhook(
    standin: BotApiStandIn, webhook: Deliver, database: Database
) -> None:
    await two_commands_each_through(standin, webhook, database, lambda: standin.fail_for(600, 502))


async def test_dropped_connections_lose_and_duplicate_nothing_webhook(
    standin: BotApiStandIn, webhook: Deliver, database: Database
) -> None:
    await two_commands_each_through(standin, webhook, database, lambda: standin.drop_for(600))


async def test_a_blocked_person_is_refused_once_never_retried_and_marked_blocked(
    standin: BotApiStandIn, polling: Deliver, database: Database
) -> None:
    person = PEOPLE[0]
    await onboard(standin, polling, person)
    standin.block(person)
    await polling(message_update(person, "/menu"))
    async with asyncio.timeout(15):
        while True:
            with database.session() as session:
                if outbox_status(session)["refused"] == 1:
                    break
            await asyncio.sleep(0.05)
    attempts = len(standin.sent_to(person))
    await asyncio.sleep(2.0)  # the first retry of a failed send would have come by now
    assert len(standin.sent_to(person)) == attempts == 5  # 4 onboarding messages, 1 refused
    with database.session() as session:
        (row,) = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "refused"))
        assert (row.attempts, row.last_error, row.payload) == (1, "Forbidden", None)
        (user,) = session.scalars(select(User))
        assert user.blocked is True


async def test_messages_left_pending_by_a_dead_process_go_out_before_new_updates(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> None:
    """Rows a killed process left pending are delivered at start-up, in order, before any
    update is taken (and so before any new reply to the same chat)."""
    person = PEOPLE[0]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # not due for the periodic scan
    with database.session() as session:
        for number in range(3):
            enqueue(
                session,
                chat_id=person,
                message=Outgoing(f"risposta {number}"),
                key=f"left:{number}",
                now=later,
                not_before=later,
            )
    standin.queue_update(message_update(person, "/menu"))
    app = DeskBot(TurnDispatcher(engine), telegram_settings(standin), outbox=database).build()
    await start(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        calls = await standin.wait_messages(person, 4)
        assert [call.params["text"] for call in calls] == [
            "risposta 0",
            "risposta 1",
            "risposta 2",
            to_html(texts.MENU),
        ]
    finally:
        await stop(app)
    with database.session() as session:
        assert outbox_status(session) == {"pending": 0, "sent": 4, "refused": 0}

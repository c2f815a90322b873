"""Updates are acknowledged to Telegram only once handled, so a killed bot loses none; and
none is taken before the engine has answered a readiness check."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Sequence

import pytest

from bot import DeskBot, intake
from bot.webhook import serve_webhook
from handlers import Incoming, Outcome, TurnDispatcher
from storage import Database
from tests.bot.test_delivery_faults import polling_bot
from tests.bot.test_telegram_e2e import telegram_settings
from tests.botapi_standin import BotApiStandIn, free_port, message_update

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

PERSON = 4343
HOLD_SECONDS = 20.0


class HeldEngine:
    """An engine that holds every batch until released, and records its warm-ups.

    Its calls run on the dispatcher's engine thread, so it waits on thread events; each wait
    is bounded, so a failing test ends instead of leaving the thread blocked.
    """

    def __init__(self) -> None:
        self.release = threading.Event()
        self.handled: list[int | None] = []
        self.warm = threading.Event()
        self.let_warm_up = threading.Event()

    def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        self.release.wait(HOLD_SECONDS)
        self.handled += [incoming.update_id for incoming in batch]
        return [Outcome() for _ in batch]

    def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        return None

    def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        return {}

    def warm_up(self) -> None:
        self.let_warm_up.wait(HOLD_SECONDS)
        self.warm.set()


async def polls_after(standin: BotApiStandIn, count: int) -> None:
    target = standin.polls + count
    async with asyncio.timeout(10):
        while standin.polls < target:
            await asyncio.sleep(0.01)


async def test_polling_acknowledges_an_update_only_once_it_is_handled(
    standin: BotApiStandIn, database: Database
) -> None:
    engine = HeldEngine()
    engine.let_warm_up.set()
    async with polling_bot(engine, standin, database):
        update = standin.queue_update(message_update(PERSON, "/menu"))
        await polls_after(standin, 3)  # fetched, and polled for more while it is handled
        assert standin.unacknowledged == [update["update_id"]]
        assert engine.handled == []
        engine.release.set()
        async with asyncio.timeout(10):
            while standin.unacknowledged:
                await asyncio.sleep(0.01)
        assert engine.handled == [update["update_id"]]  # handled once, though fetched again


async def test_a_quiet_desk_polls_once_per_message(
    standin: BotApiStandIn, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after taking an update the bot waits for it to finish instead of asking again
    at once, which would only bring the same update back while it is being dispatched."""
    monkeypatch.setattr(intake, "SETTLE_SECONDS", HOLD_SECONDS)  # never runs out on a slow CI
    engine = HeldEngine()
    engine.let_warm_up.set()
    engine.release.set()
    async with polling_bot(engine, standin, database):
        await polls_after(standin, 1)
        before, started = standin.polls, time.monotonic()
        messages = 5
        for _ in range(messages):
            update = standin.queue_update(message_update(PERSON, "/menu"))
            async with asyncio.timeout(10):
                while update["update_id"] not in engine.handled or standin.unacknowledged:
                    await asyncio.sleep(0.005)
        idle_polls = int(time.monotonic() - started) + 1  # a long poll ends empty each second
        # one poll per message brings it and acknowledges the one before; asking again at
        # once after each would make it two
        assert standin.polls - before <= messages + idle_polls


async def test_a_webhook_update_is_answered_only_once_it_is_handled(
    standin: BotApiStandIn, database: Database
) -> None:
    """The desk's own webhook server (bot/webhook.py) answers 200 only once the turn is done."""
    engine = HeldEngine()
    engine.let_warm_up.set()
    port = free_port()
    secret = "Hk7_pQ2-Wz9rT4vN6bX1mC8sD3fG5jL0"
    url = f"http://127.0.0.1:{port}/telegram"
    settings = telegram_settings(
        standin, mode="webhook", webhook_port=port, webhook_url=url, webhook_secret=secret
    )
    app = DeskBot(TurnDispatcher(engine), settings, outbox=database).build()
    halt = asyncio.Event()
    serving = asyncio.create_task(serve_webhook(app, settings, halt, retries=0))
    try:
        await standin.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls))
        await asyncio.sleep(0.2)  # the server listens right after setWebhook
        posted = asyncio.create_task(
            standin.post_webhook(url, message_update(PERSON, "/menu"), secret)
        )
        await asyncio.sleep(0.5)
        assert not posted.done()  # held in the engine: Telegram has no answer yet
        assert engine.handled == []
        engine.release.set()
        assert (await asyncio.wait_for(posted, 10)).status_code == 200
        assert len(engine.handled) == 1
    finally:
        engine.release.set()
        halt.set()
        await asyncio.wait_for(serving, 15)


async def test_no_update_is_taken_before_the_engine_has_answered_a_readiness_check(
    standin: BotApiStandIn, database: Database
) -> None:
    engine = HeldEngine()
    engine.release.set()
    app = DeskBot(TurnDispatcher(engine), telegram_settings(standin), outbox=database).build()
    await app.initialize()
    assert app.post_init is not None
    starting = asyncio.create_task(app.post_init(app))  # run_polling polls only after it
    await asyncio.sleep(0.3)
    assert not starting.done() and not engine.warm.is_set()
    engine.let_warm_up.set()
    await asyncio.wait_for(starting, 10)
    assert engine.warm.is_set()
    assert standin.polls == 0
    await app.start()
    await app.stop()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    await app.shutdown()

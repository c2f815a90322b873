"""Only what Telegram vouches for: forged updates, webhook secrets, body limits, update types.

The forged update is the attack of issue 14: with the webhook secret (or a token) in hand,
an update whose sender is the victim and whose chat is the attacker's asked for the victim's
`/miei_dati` export, and got it delivered to the attacker's chat.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.ext import Application

from bot import BotConfigurationError, DeskBot, TelegramSettings
from bot.runner import check_mode
from bot.trust import ALLOWED_UPDATES, check_webhook_secret, vouched
from bot.webhook import serve_webhook
from handlers import DialogueEngine, TurnDispatcher, callbacks
from storage import ChatLink, Database, Interaction
from tests.bot.test_telegram_e2e import messages_to, next_reply, onboard, telegram_settings
from tests.botapi_standin import TOKEN, BotApiStandIn, callback_update, free_port, message_update
from tests.conftest import run_cli

VICTIM, ATTACKER = 4242, 6666
SECRET = "Zq3_vL9-xW2pR7tYk4Hn8bMc6Df1Gs5J"  # 32 characters, as `token_urlsafe(24)` gives


def forged(update: dict[str, Any], chat_id: int) -> dict[str, Any]:
    """The same update with its chat replaced by another person's private chat."""
    update = copy.deepcopy(update)
    body = update.get("message") or update["callback_query"]["message"]
    body["chat"]["id"] = chat_id
    return update


def stored(database: Database) -> tuple[list[tuple[str, int, int]], int]:
    with database.session() as session:
        links = [(r.user_ref, r.telegram_user_id, r.chat_id) for r in session.query(ChatLink)]
        return links, session.query(Interaction).count()


# -- unit: what counts as vouched for ---------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (message_update(VICTIM, "/miei_dati"), True),
        (forged(message_update(VICTIM, "/miei_dati"), ATTACKER), False),
        (callback_update(VICTIM, "privacy:export"), True),
        (forged(callback_update(VICTIM, "privacy:export"), ATTACKER), False),
    ],
)
def test_a_private_chat_must_be_the_senders(update: dict[str, Any], expected: bool) -> None:
    assert vouched(Update.de_json({"update_id": 1, **update}, None)) is expected


@pytest.mark.unit
def test_a_button_under_a_group_message_is_not_vouched_for() -> None:
    update = callback_update(VICTIM, "privacy:export")
    update["callback_query"]["message"]["chat"] = {"id": -100123, "type": "group", "title": "g"}
    assert not vouched(Update.de_json({"update_id": 1, **update}, None))


@pytest.mark.unit
def test_telegram_is_asked_only_for_the_update_types_the_desk_handles() -> None:
    assert set(ALLOWED_UPDATES) == {"message", "callback_query", "my_chat_member"}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (None, "needs a secret"),
        ("", "needs a secret"),
        ("x", "32-256 characters"),
        ("changeme", "32-256 characters"),
        ("changeme-changeme-changeme-changeme", "placeholder"),
        ("my-webhook-secret-for-the-sportello", "placeholder"),
        ("a" * 40, "too uniform"),
        ("ab" * 20, "too uniform"),
        ("Zq3_vL9-xW2pR7tYk4Hn8bMc6Df1Gs5J!", "A-Z a-z 0-9 _ -"),  # '!' Telegram refuses
    ],
)
def test_weak_or_placeholder_webhook_secrets_are_refused(secret: str | None, why: str) -> None:
    with pytest.raises(BotConfigurationError, match=why) as refused:
        check_webhook_secret(secret)
    assert "SPORTELLO__TELEGRAM__WEBHOOK_SECRET" in str(refused.value)
    if secret and len(secret) > 3:
        assert secret not in str(refused.value)  # the message never echoes the secret


@pytest.mark.unit
def test_a_strong_secret_is_accepted_and_webhook_mode_checks_it_before_starting() -> None:
    assert check_webhook_secret(SECRET) == SECRET
    settings = TelegramSettings.model_validate(
        {"mode": "webhook", "webhook_url": "https://desk.example/telegram"}
    )
    with pytest.raises(BotConfigurationError, match="needs a secret"):
        check_mode(settings)
    values = {**settings.model_dump(), "webhook_secret": "changeme"}
    with pytest.raises(BotConfigurationError, match="32-256"):
        check_mode(TelegramSettings.model_validate(values))
    check_mode(TelegramSettings.model_validate({**values, "webhook_secret": SECRET}))


@pytest.mark.integration
@pytest.mark.parametrize("secret", ["changeme", "x", "my-webhook-secret-for-the-desk-0000"])
def test_sportello_run_refuses_a_weak_webhook_secret_before_starting(
    secret: str, tmp_path: Path
) -> None:
    result = run_cli(
        "run",
        env={
            "SPORTELLO__DATA_DIR": str(tmp_path),
            "SPORTELLO__TELEGRAM__TOKEN": TOKEN,
            "SPORTELLO__TELEGRAM__MODE": "webhook",
            "SPORTELLO__TELEGRAM__WEBHOOK_URL": "https://desk.example/telegram",
            "SPORTELLO__TELEGRAM__WEBHOOK_SECRET": secret,
        },
    )
    assert result.returncode == 2
    assert "SPORTELLO__TELEGRAM__WEBHOOK_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(secret) < 4 or secret not in result.stderr  # never echoed
    assert not (tmp_path / "sportello.db").exists()  # refused before anything started


# -- polling: the forged update changes nothing ---------------------------------------------


@pytest.fixture
def drops(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.WARNING, logger="bot.application")
    yield caplog


async def dropped(caplog: pytest.LogCaptureFixture, count: int) -> None:
    async with asyncio.timeout(15):
        while sum("dropped" in r.getMessage() for r in caplog.records) < count:
            await asyncio.sleep(0.02)


@pytest.fixture
async def polling_app(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = DeskBot(TurnDispatcher(engine), telegram_settings(standin), outbox=database).build()
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=list(ALLOWED_UPDATES)
        )
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.mark.integration
async def test_a_forged_update_over_polling_gets_nothing_and_changes_nothing(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
    database: Database,
    drops: pytest.LogCaptureFixture,
) -> None:
    received = await onboard(standin, VICTIM)
    before = stored(database)
    answered = sum(c.method == "answerCallbackQuery" for c in standin.calls)
    standin.queue_update(forged(message_update(VICTIM, "/miei_dati"), ATTACKER))
    standin.queue_update(forged(callback_update(VICTIM, "privacy:export"), ATTACKER))
    standin.queue_update(forged(message_update(VICTIM, "/start"), ATTACKER))
    await dropped(drops, 3)
    await asyncio.sleep(0.2)
    assert stored(database) == before  # no chat link moved, nothing logged
    standin.queue_update(message_update(VICTIM, "/menu"))  # the victim's own chat still works
    await next_reply(standin, received, VICTIM)
    assert messages_to(standin.calls, ATTACKER) == []
    assert sum(c.method == "answerCallbackQuery" for c in standin.calls) == answered
    assert all(str(VICTIM) not in r.getMessage() for r in drops.records)
    assert all(str(ATTACKER) not in r.getMessage() for r in drops.records)


# -- webhook: the server checks before it reads ----------------------------------------------


@pytest.fixture
async def webhook(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> AsyncIterator[tuple[str, asyncio.Event]]:
    port = free_port()
    settings = telegram_settings(
        standin,
        mode="webhook",
        webhook_port=port,
        webhook_url="https://desk.example/telegram",
        webhook_secret=SECRET,
        webhook_max_body=64 * 1024,
    )
    app = DeskBot(TurnDispatcher(engine), settings, outbox=database).build()
    stop = asyncio.Event()
    task = asyncio.create_task(serve_webhook(app, settings, stop, retries=0))
    await standin.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls))
    url = f"http://127.0.0.1:{port}/telegram"
    async with asyncio.timeout(10):
        while True:
            try:
                async with httpx.AsyncClient() as client:
                    await client.get(url)
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.02)
    yield url, stop
    stop.set()
    await asyncio.wait_for(task, 15)


@pytest.mark.integration
async def test_webhook_registration_asks_for_the_handled_types_with_the_secret(
    standin: BotApiStandIn, webhook: tuple[str, asyncio.Event]
) -> None:
    (call,) = [c for c in standin.calls if c.method == "setWebhook"]
    assert set(call.params["allowed_updates"]) == set(ALLOWED_UPDATES)
    assert call.params["secret_token"] == SECRET
    assert call.params["url"] == "https://desk.example/telegram"


@pytest.mark.integration
async def test_a_forged_update_over_the_webhook_gets_nothing_and_changes_nothing(
    standin: BotApiStandIn,
    webhook: tuple[str, asyncio.Event],
    database: Database,
    drops: pytest.LogCaptureFixture,
) -> None:
    url, _ = webhook
    for text in ("/start",):
        accepted = await standin.post_webhook(url, message_update(VICTIM, text), SECRET)
        assert accepted.status_code == 200
    notice = await next_reply(standin, 0, VICTIM)
    assert "privacy" in notice.params["text"]
    before = stored(database)
    for update in (
        forged(message_update(VICTIM, "/miei_dati"), ATTACKER),
        forged(callback_update(VICTIM, callbacks.CONSENT_YES), ATTACKER),
    ):
        accepted = await standin.post_webhook(url, update, SECRET)
        assert accepted.status_code == 200  # Telegram must not retry it; it is dropped inside
    await dropped(drops, 2)
    await asyncio.sleep(0.2)
    assert messages_to(standin.calls, ATTACKER) == []
    assert stored(database) == before


@pytest.mark.integration
async def test_the_webhook_refuses_before_reading_the_body(
    standin: BotApiStandIn, webhook: tuple[str, asyncio.Event]
) -> None:
    url, _ = webhook
    wrong = await standin.post_webhook(url, message_update(VICTIM, "/menu"), SECRET[:-1] + "x")
    assert wrong.status_code == 403 and wrong.content == b""
    missing = await standin.post_webhook(url, message_update(VICTIM, "/menu"), None)
    assert missing.status_code == 403
    async with httpx.AsyncClient() as client:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        form = await client.post(url, content=b"update=1", headers=headers)
        assert form.status_code == 415
        garbage = await client.post(
            url, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
        )
        assert garbage.status_code == 400
        # A body over the limit, declared or chunked, is cut off; nothing reaches the bot.
        big = b'{"update_id": 1, "message": {"text": "' + b"a" * 70_000 + b'"}}'
        json_headers = {**headers, "Content-Type": "application/json"}

        async def chunked() -> AsyncIterator[bytes]:
            for start in range(0, len(big), 16_384):
                yield big[start : start + 16_384]

        for content in (big, chunked()):
            try:
                response = await client.post(url, content=content, headers=json_headers)
            except httpx.TransportError:
                continue  # the server closed the connection: refused
            assert response.status_code >= 400
    await asyncio.sleep(0.2)
    assert messages_to(standin.calls, VICTIM) == []

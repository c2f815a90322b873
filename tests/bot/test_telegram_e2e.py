"""The real PTB Application over real HTTP against the loopback Bot API stand-in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.ext import Application

from bot import DeskBot, TelegramSettings
from bot.render import LRM, RLM
from bot.webhook import serve_webhook
from handlers import DialogueEngine, TurnDispatcher
from storage import Database, User
from tests.botapi_standin import (
    TOKEN,
    BotApiStandIn,
    Call,
    callback_update,
    free_port,
    message_update,
    user,
)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

USER = 4242


def telegram_settings(standin: BotApiStandIn, **overrides: Any) -> TelegramSettings:
    return TelegramSettings.model_validate(
        {
            "token": TOKEN,
            "base_url": standin.base_url,
            "base_file_url": standin.base_file_url,
            "overall_max_rate": 1000,
            "max_retries": 3,
            "poll_timeout": 1,
            **overrides,
        }
    )


@pytest.fixture
async def polling_app(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    desk = DeskBot(TurnDispatcher(engine), telegram_settings(standin), outbox=database)
    app = desk.build()
    async with app:
        assert app.post_init is not None
        await app.post_init(app)  # what run_polling does between initialize and start
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


def messages_to(calls: list[Call], chat_id: int) -> list[Call]:
    return [
        c
        for c in calls
        if c.method in ("sendMessage", "sendDocument") and int(c.params["chat_id"]) == chat_id
    ]


async def next_reply(standin: BotApiStandIn, already: int, chat_id: int = USER) -> Call:
    await standin.wait_for(lambda calls: len(messages_to(calls, chat_id)) > already)
    return messages_to(standin.calls, chat_id)[already]


def button_data(call: Call, label: str) -> str:
    markup = call.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    for row in markup["inline_keyboard"]:
        for button in row:
            if label in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {markup}")


async def onboard(standin: BotApiStandIn, chat_id: int = USER) -> int:
    """Play onboarding over Telegram; returns how many messages the user has received."""
    sent = len(messages_to(standin.calls, chat_id))
    standin.queue_update(message_update(chat_id, "/start"))
    notice = await next_reply(standin, sent, chat_id)
    standin.queue_update(callback_update(chat_id, button_data(notice, "Sì, va bene")))
    roles = await next_reply(standin, sent + 1, chat_id)
    standin.queue_update(callback_update(chat_id, button_data(roles, "Lavoratore")))
    company = await next_reply(standin, sent + 2, chat_id)
    standin.queue_update(callback_update(chat_id, button_data(company, "Non ce l'ho")))
    await next_reply(standin, sent + 3, chat_id)
    return sent + 4


async def test_polling_conversation_with_buttons(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
) -> None:
    await standin.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls))
    commands = next(c for c in standin.calls if c.method == "setMyCommands").params["commands"]
    assert {c["command"] for c in commands} >= {"start", "miei_dati", "cancella", "operatore"}

    count = await onboard(standin)
    assert any(c.method == "answerCallbackQuery" for c in standin.calls)
    standin.queue_update(message_update(USER, "i buoni pasto elettronici sono esenti?"))
    answer = await next_reply(standin, count)
    assert answer.params["parse_mode"] == "HTML"
    assert "<b>" in answer.params["text"] and "Fonte:" in answer.params["text"]
    standin.queue_update(callback_update(USER, button_data(answer, "👍")))
    await standin.wait_for(
        lambda calls: any(
            c.method == "answerCallbackQuery" and c.params.get("text") == "Grazie del riscontro!"
            for c in calls
        )
    )


async def test_user_text_is_escaped_and_export_is_a_file(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
) -> None:
    count = await onboard(standin)
    standin.queue_update(message_update(USER, "/comando<b>strano</b>"))
    reply = await next_reply(standin, count)
    assert "&lt;b&gt;" in reply.params["text"]
    standin.queue_update(message_update(USER, "/miei_dati"))
    export = await next_reply(standin, count + 1)
    assert export.method == "sendDocument"
    data = json.loads(export.files["document"])
    assert "consent" in json.dumps(data)


async def test_stickers_and_old_buttons_get_a_polite_reply(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
) -> None:
    count = await onboard(standin)
    sticker = {
        "file_id": "x",
        "file_unique_id": "y",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    standin.queue_update(message_update(USER, None, sticker=sticker))
    reply = await next_reply(standin, count)
    assert "leggo solo messaggi scritti" in reply.params["text"]
    standin.queue_update(callback_update(USER, "faq:clarifying:0:1"))
    await standin.wait_for(
        lambda calls: any(
            c.method == "answerCallbackQuery" and "non è più attivo" in str(c.params.get("text"))
            for c in calls
        )
    )


async def test_rate_limited_replies_are_retried_not_dropped(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
) -> None:
    count = await onboard(standin)
    standin.fail_next(2, status=429, retry_after=1)
    standin.queue_update(message_update(USER, "/menu"))
    reply = await next_reply(standin, count + 2)  # two refused attempts, then the real one
    assert "Ecco cosa posso fare" in reply.params["text"]
    await asyncio.sleep(0.5)
    delivered = [
        c for c in messages_to(standin.calls, USER)[count:] if "Ecco cosa" in c.params["text"]
    ]
    assert len(delivered) == 3  # the stand-in saw each attempt; the user got exactly one reply


async def test_blocked_user_is_remembered_without_crashing(
    standin: BotApiStandIn,
    polling_app: Application,
    database: Database,  # type: ignore[type-arg]
) -> None:
    count = await onboard(standin)
    standin.fail_next(1, status=403, retry_after=None)
    standin.queue_update(message_update(USER, "/menu"))
    await next_reply(standin, count)
    await asyncio.sleep(0.3)
    with database.session() as session:
        (user,) = session.query(User).all()
        assert user.blocked is True


async def test_webhook_with_secret_and_duplicate_update(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    secret = "Hk7_pQ2-Wz9rT4vN6bX1mC8sD3fG5jL0"
    settings = telegram_settings(
        standin, mode="webhook", webhook_port=port, webhook_url=url, webhook_secret=secret
    )
    app = DeskBot(TurnDispatcher(engine), settings, outbox=database).build()
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_webhook(app, settings, stop, retries=0))
    await standin.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls))
    assert any(c.method == "setWebhook" and c.params["url"] == url for c in standin.calls)
    await asyncio.sleep(0.2)  # the server listens right after setWebhook
    refused = await standin.post_webhook(url, message_update(USER, "/menu"), "wrong")
    assert refused.status_code == 403
    update = {"update_id": 777_000, **message_update(USER, "/menu")}
    for _ in range(2):  # Telegram redelivers when it does not get a timely 200
        accepted = await standin.post_webhook(url, update, secret)
        assert accepted.status_code == 200
    await next_reply(standin, 0)
    await asyncio.sleep(0.5)
    assert len(messages_to(standin.calls, USER)) == 1
    stop.set()
    await asyncio.wait_for(serving, 15)


async def test_a_database_outage_gets_an_apology_and_the_bot_carries_on(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
    database: Database,
) -> None:
    count = await onboard(standin)
    database.downgrade("base")  # every table gone: the next turn fails inside the engine
    standin.queue_update(message_update(USER, "buoni pasto esenti"))
    apology = await next_reply(standin, count)
    assert "qualcosa è andato storto" in apology.params["text"]
    database.upgrade()
    standin.queue_update(message_update(USER, "/menu"))
    after = await next_reply(standin, count + 1)
    assert "Ecco cosa posso fare" in after.params["text"]


async def test_a_command_in_a_group_gets_a_private_link_and_chatter_is_ignored(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
    database: Database,
) -> None:
    group = {"id": -1001, "type": "supergroup", "title": "Reparto"}
    standin.queue_update(message_update(USER, "ciao a tutti", chat=group))
    standin.queue_update(message_update(USER, "/aiuto@sportello_bot", chat=group))
    reply = await next_reply(standin, 0, chat_id=-1001)
    assert "scrivimi in privato" in reply.params["text"]
    assert "https://t.me/sportello_bot?start=dal_gruppo" in reply.params["text"]
    assert len(messages_to(standin.calls, -1001)) == 1  # the chatter got nothing
    with database.session() as session:
        assert session.query(User).count() == 0


ARABIC_USER = 4343


def _rtl_lines_marked(html_text: str) -> list[str]:
    """The lines with Arabic in them; each must open with a RIGHT-TO-LEFT MARK."""
    lines = [line for line in html_text.split("\n") if any("\u0600" <= c <= "\u06ff" for c in line)]
    assert lines and all(line.startswith(RLM) for line in lines), lines
    return lines


async def test_an_arabic_conversation_is_written_right_to_left(
    standin: BotApiStandIn,
    polling_app: Application,  # type: ignore[type-arg]
) -> None:
    """From /start to an answer in Arabic: every Arabic line is marked right-to-left, the
    commands, figures and Italian words inside it left-to-right; the entry's answer is its
    Arabic translation (knowledge/translations/ar.yml)."""
    arabic = {**user(ARABIC_USER), "language_code": "ar"}

    async def say(text: str, already: int) -> Call:
        standin.queue_update(message_update(ARABIC_USER, text, **{"from": arabic}))
        return await next_reply(standin, already, ARABIC_USER)

    notice = await say("/start", 0)
    text = notice.params["text"]
    assert text.startswith(RLM + "مرحبًا!")
    _rtl_lines_marked(text)
    assert f"{LRM}/miei_dati" in text and f"{LRM}/cancella" in text
    assert "<b>" + LRM + "Sportello Welfare</b>" in text
    button_data(notice, RLM + "نعم، أوافق")
    assert (await say("نعم", 1)).params["text"] == RLM + "شكرًا! لكي أعطيك الأجوبة الصحيحة: أنت…"
    await say("أنا عامل", 2)
    await say("لا", 3)
    answer = await say("هل يرد لي الويلفير قسط حضانة ابنتي", 4)
    received = 5
    while not answer.params["text"].startswith(RLM + "<b>"):  # a line before, or the topics
        if "اختر الموضوع الصحيح" in answer.params["text"]:
            standin.queue_update(callback_update(ARABIC_USER, button_data(answer, "nido")))
        answer = await next_reply(standin, received, ARABIC_USER)
        received += 1
    text = answer.params["text"]
    assert "الحضانة" in text.split("\n")[0]  # the nursery entry's title, in Arabic
    assert f"{LRM}welfare" in text and f"{LRM}asilo nido" in text  # Italian words: LTR
    assert RLM + "المصدر: " in text
    assert text.endswith(RLM + "هل كان هذا مفيدًا؟")
    _rtl_lines_marked(text)

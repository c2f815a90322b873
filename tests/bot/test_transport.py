"""`AiohttpRequest` under a real `telegram.Bot`, over real HTTP on loopback.

Most tests talk to the Bot API stand-in; the timing tests talk to `ScriptedApi`, a few lines of
aiohttp.web that answer getUpdates late and can leave a method unanswered.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import BaseRequest

from bot.transport import AiohttpRequest
from tests.botapi_standin import BOT_USER, TOKEN, BotApiStandIn, free_port, message_update

pytestmark = pytest.mark.unit

CHAT = 4242
GUARD = 5.0
"""Seconds after which a call the transport failed to time out is stopped (the test fails)."""


def make_bot(base_url: str, request: AiohttpRequest, polls: AiohttpRequest | None = None) -> Bot:
    return Bot(
        TOKEN,
        base_url=base_url,
        request=request,
        get_updates_request=polls if polls is not None else AiohttpRequest(),
    )


@dataclass
class Seen:
    """One request as `ScriptedApi` received it."""

    method: str
    content_type: str
    user_agent: str
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str | None, str, bytes]] = field(default_factory=dict)


class ScriptedApi:
    """A tiny Bot API on 127.0.0.1 with chosen delays.

    getMe answers at once, getUpdates after `poll_delay` seconds, sendDocument at once; the
    methods in `hang` get no answer until the server stops.
    """

    def __init__(self, poll_delay: float = 0.0, hang: frozenset[str] = frozenset()) -> None:
        self.poll_delay = poll_delay
        self.hang = hang
        self.seen: list[Seen] = []
        self.arrived = asyncio.Event()
        self.port = free_port()
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def calls(self, method: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method]

    async def __aenter__(self) -> ScriptedApi:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()  # let hanging handlers end, or cleanup would wait for them
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        seen = Seen(method, request.content_type, request.headers.get("User-Agent", ""))
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                assert isinstance(part, aiohttp.BodyPartReader)
                content = await part.read()
                if part.filename is None:
                    seen.form[str(part.name)] = content.decode()
                else:
                    part_type = part.headers.get("Content-Type", "")
                    seen.files[str(part.name)] = (part.filename, part_type, bytes(content))
        else:
            seen.form = {key: str(value) for key, value in (await request.post()).items()}
        self.seen.append(seen)
        self.arrived.set()
        result: Any = True
        if method in self.hang:
            await self._release.wait()
        elif method == "getMe":
            result = BOT_USER
        elif method == "getUpdates":
            await asyncio.sleep(self.poll_delay)
            result = []
        elif method == "sendDocument":
            chat = {"id": int(seen.form["chat_id"]), "type": "private"}
            result = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": BOT_USER}
        return web.json_response({"ok": True, "result": result})


# -- what arrives -------------------------------------------------------------------------------


async def test_send_message_arrives_with_html_and_keyboard(standin: BotApiStandIn) -> None:
    text = "<b>Buoni pasto</b> elettronici: esenti fino a 8 € al giorno — <i>fonte</i>"
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("👍 Sì", callback_data="fb:1:up")],
            [InlineKeyboardButton("Operatore", callback_data="menu:operatore")],
        ]
    )
    async with make_bot(standin.base_url, AiohttpRequest()) as bot:
        message = await bot.send_message(CHAT, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    (call,) = standin.sent_to(CHAT)
    assert call.params["text"] == text
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "👍 Sì", "callback_data": "fb:1:up"}],
            [{"text": "Operatore", "callback_data": "menu:operatore"}],
        ]
    }
    assert message.chat_id == CHAT and message.text == text  # the answer came back parsed


@pytest.mark.parametrize(
    "filename",
    [
        "sportello-welfare-dati-20260302.json",  # what /miei_dati sends
        "rimborso nido di Zoë.json",  # Telegram's server takes the name as written
    ],
)
async def test_send_document_uploads_the_file(standin: BotApiStandIn, filename: str) -> None:
    content = b'{"consenso": "s\xc3\xac"}\x00\xff binary tail'
    async with make_bot(standin.base_url, AiohttpRequest()) as bot:
        await bot.send_document(
            CHAT, InputFile(content, filename=filename), caption="I tuoi dati, è tutto qui"
        )
    (call,) = standin.sent_to(CHAT, "sendDocument")
    assert call.files == {"document": content}
    assert call.params["document"] == filename
    assert call.params["caption"] == "I tuoi dati, è tutto qui"
    assert call.params["chat_id"] == CHAT


async def test_upload_is_multipart_with_the_file_type_and_ptb_user_agent() -> None:
    async with (
        ScriptedApi() as api,
        make_bot(api.base_url, AiohttpRequest()) as bot,
    ):
        await bot.send_document(CHAT, InputFile(b"[1, 2]", filename="dati.json"), caption="ok")
    (seen,) = api.calls("sendDocument")
    assert seen.content_type == "multipart/form-data"
    assert seen.files == {"document": ("dati.json", "application/json", b"[1, 2]")}
    assert seen.form == {"chat_id": str(CHAT), "caption": "ok"}
    assert seen.user_agent == BaseRequest.USER_AGENT
    (get_me,) = api.calls("getMe")
    assert get_me.content_type != "multipart/form-data"  # plain calls stay a simple form


# -- long polling and timeouts ------------------------------------------------------------------


async def test_get_updates_long_polls_the_standin(standin: BotApiStandIn) -> None:
    async with make_bot(standin.base_url, AiohttpRequest()) as bot:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, standin.queue_update, message_update(CHAT, "buoni pasto"))
        started = time.monotonic()
        (update,) = await bot.get_updates(timeout=dt.timedelta(seconds=5))
    assert time.monotonic() - started < 1.0  # the poll returned when the update came
    assert update.message is not None and update.message.text == "buoni pasto"


async def test_the_poll_timeout_lengthens_the_read_timeout() -> None:
    """An answer after 1.5 s arrives: read timeout 1 s plus a 2 s poll."""
    async with (
        ScriptedApi(poll_delay=1.5) as api,
        make_bot(api.base_url, AiohttpRequest(), AiohttpRequest(read_timeout=1.0)) as bot,
    ):
        started = time.monotonic()
        updates = await bot.get_updates(timeout=dt.timedelta(seconds=2))
        elapsed = time.monotonic() - started
    assert updates == ()
    assert 1.4 < elapsed < 3.0
    (poll,) = api.calls("getUpdates")
    assert poll.form["timeout"] == "2"


async def test_without_a_poll_timeout_the_same_late_answer_times_out() -> None:
    """The control for the test above: the read timeout really is 1 s."""
    async with (
        ScriptedApi(poll_delay=1.5) as api,
        make_bot(api.base_url, AiohttpRequest(), AiohttpRequest(read_timeout=1.0)) as bot,
    ):
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await asyncio.wait_for(bot.get_updates(timeout=dt.timedelta(0)), GUARD)
        assert 0.9 < time.monotonic() - started < 1.45


@pytest.mark.parametrize(
    ("configured", "per_call"),
    [(0.5, None), (10.0, 0.5)],
    ids=["configured-read-timeout", "per-call-read-timeout"],
)
async def test_a_server_that_never_answers_times_out(
    configured: float, per_call: float | None
) -> None:
    async with (
        ScriptedApi(hang=frozenset({"sendMessage"})) as api,
        make_bot(api.base_url, AiohttpRequest(read_timeout=configured)) as bot,
    ):
        started = time.monotonic()
        read_timeout = BaseRequest.DEFAULT_NONE if per_call is None else per_call
        with pytest.raises(TimedOut):
            await asyncio.wait_for(bot.send_message(CHAT, "ciao", read_timeout=read_timeout), GUARD)
        assert 0.45 < time.monotonic() - started < 1.5
        assert len(api.calls("sendMessage")) == 1  # sent once, not retried behind PTB's back


async def test_waiting_for_a_pooled_connection_times_out() -> None:
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.3, read_timeout=10.0)
    async with (
        ScriptedApi(hang=frozenset({"sendMessage"})) as api,
        make_bot(api.base_url, request) as bot,
    ):
        api.arrived.clear()
        first = asyncio.create_task(bot.send_message(CHAT, "occupa la connessione"))
        await asyncio.wait_for(api.arrived.wait(), 5)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await asyncio.wait_for(bot.send_message(CHAT, "aspetta"), GUARD)
        assert 0.25 < time.monotonic() - started < 1.2
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
    assert len(api.calls("sendMessage")) == 1  # the second never got a connection


async def test_a_refused_connection_is_a_network_error_not_a_timeout() -> None:
    bot = make_bot(f"http://127.0.0.1:{free_port()}/bot", AiohttpRequest(connect_timeout=5.0))
    started = time.monotonic()
    with pytest.raises(NetworkError) as raised:
        async with bot:  # initialize() asks getMe, the first call over the transport
            pass
    assert time.monotonic() - started < 2.0  # refused at once, not waited out
    assert not isinstance(raised.value, TimedOut)
    assert isinstance(raised.value.__cause__, aiohttp.ClientConnectionError)


# -- life cycle ---------------------------------------------------------------------------------


async def test_requests_before_initialize_or_after_shutdown_are_refused(
    standin: BotApiStandIn,
) -> None:
    request = AiohttpRequest()
    url = f"{standin.base_url}{TOKEN}/getMe"
    with pytest.raises(RuntimeError, match="not initialised"):
        await request.do_request(url, "POST")
    # PTB's Bot wraps whatever the transport raises that is not a TelegramError
    bot = make_bot(standin.base_url, request)
    with pytest.raises(NetworkError) as raised:
        await bot.send_message(CHAT, "troppo presto")
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert standin.calls == []

    async with request:
        status, body = await request.do_request(url, "POST")
        assert status == 200 and b'"ok": true' in body
    with pytest.raises(RuntimeError, match="not initialised"):
        await request.do_request(url, "POST")


async def test_initialize_after_shutdown_works_again(standin: BotApiStandIn) -> None:
    bot = make_bot(standin.base_url, AiohttpRequest())
    for run in ("primo avvio", "dopo il riavvio"):
        async with bot:  # initialize ... shutdown, twice, as PTB's restarts do
            await bot.send_message(CHAT, run)
    assert [c.params["text"] for c in standin.sent_to(CHAT)] == ["primo avvio", "dopo il riavvio"]


def test_one_request_object_serves_one_event_loop_after_another() -> None:
    """The session is made in `initialize`, inside the loop that will use it."""
    port = free_port()
    bot = make_bot(f"http://127.0.0.1:{port}/bot", AiohttpRequest())

    async def one_run(text: str) -> list[str]:
        standin = BotApiStandIn(port)
        await standin.start()
        try:
            async with bot:
                await bot.send_message(CHAT, text)
            return [c.params["text"] for c in standin.sent_to(CHAT)]
        finally:
            await standin.stop()

    assert asyncio.run(one_run("primo loop")) == ["primo loop"]
    assert asyncio.run(one_run("secondo loop")) == ["secondo loop"]


# -- error answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "error"), [(429, RetryAfter), (403, Forbidden)])
async def test_error_answers_reach_ptb_as_its_exceptions(
    standin: BotApiStandIn, status: int, error: type[TelegramError]
) -> None:
    standin.fail_next(1, status=status, retry_after=3)
    async with make_bot(standin.base_url, AiohttpRequest()) as bot:
        with pytest.raises(error) as raised:
            await bot.send_message(CHAT, "primo tentativo")
        if isinstance(raised.value, RetryAfter):
            assert raised.value.retry_after == dt.timedelta(seconds=3)
        await bot.send_message(CHAT, "secondo tentativo")  # the session is still good
    assert [c.params["text"] for c in standin.sent_to(CHAT)] == [
        "primo tentativo",
        "secondo tentativo",
    ]

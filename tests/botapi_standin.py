"""A Bot API stand-in on loopback: a real HTTP server that speaks enough of Telegram's API.

The bot under test is configured with `base_url=http://127.0.0.1:<port>/bot`, exactly as an
operator would point it at a self-hosted Bot API server, so PTB's HTTP client, request
encoding, retries and rate limiter all run for real. The stand-in records every call, queues
updates for getUpdates (long polling), can push updates to a webhook with the secret header, and
can be told to fail: answer 429 or 5xx to the next calls (`fail_next`), answer 5xx or drop the
connection without an answer for a time window (`fail_for`, `drop_for`: an outage), or refuse
one chat with 403 (`block`: the person blocked the bot). `calls` records every call as it
arrives; `messages_for` only the messages the stand-in accepted (answered 200), i.e. what the
person would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

TOKEN = "123456:TEST-token-for-the-stand-in"
SENDS = ("sendMessage", "sendDocument", "answerCallbackQuery")
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Sportello", "username": "sportello_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.perf_counter)
    result: Any = None
    """What the stand-in answered (a sent message, with its message_id), once answered."""


class BotApiStandIn:
    def __init__(self, port: int | None = None) -> None:
        self.calls: list[Call] = []
        self.port = port or free_port()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._failures: list[tuple[int, int | None]] = []
        self._server: HTTPServer | None = None
        self.sent = asyncio.Condition()
        self.polls = 0
        self._by_chat: dict[int, list[Call]] = {}
        self._chat_events: dict[int, asyncio.Event] = {}
        self._window: tuple[str, float] | None = None
        self._client: httpx.AsyncClient | None = None
        self.blocked: set[int] = set()
        self.faults = 0
        """Calls answered with a fault from a window or a blocked chat."""
        self.faulted: set[tuple[int, str]] = set()
        """(chat id, text) of the sends that met a fault at least once."""
        self.groups: dict[int, dict[str, Any]] = {}
        """Group chats the bot is a member of (`add_group`): getChat answers for these only."""
        self._thread_ids = itertools.count(7000)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        app = _QuietApplication([(r"/bot([^/]+)/(\w+)", _MethodHandler, {"standin": self})])
        self._server = HTTPServer(app)
        self._server.listen(self.port, address="127.0.0.1")

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    # -- what tests do ----------------------------------------------------------------------

    def fail_next(self, count: int, status: int = 429, retry_after: int | None = 1) -> None:
        """The next `count` send calls answer `status` (429 carries retry_after)."""
        self._failures.extend([(status, retry_after)] * count)

    def fail_for(self, seconds: float, status: int = 502) -> None:
        """For `seconds` from now, every send answers `status` (an outage behind a proxy)."""
        self._window = (str(status), time.monotonic() + seconds)

    def drop_for(self, seconds: float) -> None:
        """For `seconds` from now, every send gets its connection closed without an answer,
        before the stand-in acts on it (a load balancer dropping connections)."""
        self._window = ("drop", time.monotonic() + seconds)

    def heal(self) -> None:
        """End the current outage window now."""
        self._window = None

    def add_group(self, chat_id: int, title: str = "Welfare manager", forum: bool = False) -> None:
        """A supergroup the bot is in; a forum one has topics (createForumTopic works)."""
        self.groups[chat_id] = {
            "id": chat_id,
            "type": "supergroup",
            "title": title,
            "is_forum": forum,
        }

    def block(self, chat_id: int) -> None:
        """Sends to `chat_id` answer 403 "bot was blocked by the user" from now on."""
        self.blocked.add(chat_id)

    def fault_now(self, method: str, params: dict[str, Any]) -> str | None:
        """The fault a call meets now: "drop", a status code as text, or None."""
        if method not in SENDS:
            return None
        if "chat_id" in params and int(params["chat_id"]) in self.blocked:
            return "403"
        if self._window is not None:
            kind, until = self._window
            if time.monotonic() < until:
                self.faulted.add((int(params.get("chat_id", 0)), str(params.get("text", ""))))
                return kind
            self._window = None
        return None

    @property
    def unacknowledged(self) -> list[int]:
        """Ids of the updates queued for getUpdates that the bot has not acknowledged."""
        return [update["update_id"] for update in self._updates]

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    def text_update(self, user_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
        update = self.queue_update(message_update(user_id, text))
        if update_id is not None:
            update["update_id"] = update_id
        return update

    async def post_webhook(
        self, url: str, update: dict[str, Any], secret: str | None
    ) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        update = {"update_id": next(self._update_ids), **update}
        if self._client is None:  # one client: making one costs milliseconds of CPU
            self._client = httpx.AsyncClient()
        return await self._client.post(url, json=update, headers=headers, timeout=10)

    def sent_to(self, chat_id: int, method: str = "sendMessage") -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and int(c.params.get("chat_id", 0)) == chat_id
        ]

    async def wait_for(self, predicate: Any, timeout: float = 15.0) -> None:
        """Wait until predicate(calls) is true (the bot answers asynchronously)."""
        deadline = time.monotonic() + timeout
        async with self.sent:
            while not predicate(self.calls):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out; calls so far: {[c.method for c in self.calls]}"
                    )
                try:
                    await asyncio.wait_for(self.sent.wait(), remaining)
                except TimeoutError:
                    continue

    # -- the API ----------------------------------------------------------------------------

    async def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":
            self.polls += 1
            return 200, {"ok": True, "result": await self._get_updates(params)}
        fault = self.fault_now(method, params)
        if fault == "403":
            self.faults += 1
            return 403, {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
        if fault is not None:
            self.faults += 1
            return int(fault), {"ok": False, "error_code": int(fault), "description": "Bad Gateway"}
        if method in SENDS and self._failures:
            status, retry_after = self._failures.pop(0)
            if status == 429:
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry later",
                    "parameters": {"retry_after": retry_after or 1},
                }
            return status, {"ok": False, "error_code": status, "description": "Bad Gateway"}
        if method == "sendMessage" and len(str(params.get("text", ""))) > 4096:
            # Telegram counts after parsing the markup; counting the markup too is stricter
            return 400, {"ok": False, "error_code": 400, "description": "message is too long"}
        result: Any = True
        if method == "getMe":
            result = BOT_USER
        elif method in ("getChat", "getChatMember", "createForumTopic"):
            return self._group_call(method, params)
        elif method in ("sendMessage", "sendDocument"):
            chat_id = int(params["chat_id"])
            chat = self.groups.get(chat_id, {"id": chat_id, "type": "private"})
            result = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {key: chat[key] for key in ("id", "type", "title") if key in chat},
                "from": BOT_USER,
            }
            if params.get("message_thread_id") is not None:
                result["message_thread_id"] = int(params["message_thread_id"])
                result["is_topic_message"] = True
            if method == "sendMessage":
                result["text"] = params.get("text", "")
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return 200, {"ok": True, "result": result}

    def _group_call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat = self.groups.get(int(params.get("chat_id", 0)))
        if chat is None:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        if method == "getChat":
            result: dict[str, Any] = {**chat, "accent_color_id": 0, "max_reaction_count": 11}
        elif method == "getChatMember":
            result = {
                "status": "administrator",
                "user": BOT_USER,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_manage_topics": True,
            }
        else:
            if not chat["is_forum"]:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: the chat is not a forum",
                }
            result = {
                "message_thread_id": next(self._thread_ids),
                "name": params.get("name", ""),
                "icon_color": 7322096,
            }
        return 200, {"ok": True, "result": result}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), min(timeout, 1.0))
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]

    async def record(self, call: Call) -> None:
        async with self.sent:
            self.calls.append(call)
            self.sent.notify_all()

    def accepted(self, call: Call) -> None:
        """A send answered 200: the message reached the person."""
        if call.method in ("sendMessage", "sendDocument") and "chat_id" in call.params:
            chat_id = int(call.params["chat_id"])
            self._by_chat.setdefault(chat_id, []).append(call)
            self._chat_events.setdefault(chat_id, asyncio.Event()).set()

    def messages_for(self, chat_id: int) -> list[Call]:
        return self._by_chat.get(chat_id, [])

    async def wait_messages(self, chat_id: int, count: int, timeout: float = 30.0) -> list[Call]:
        """Wait until `chat_id` has received `count` messages in all (cheap with many chats)."""
        deadline = time.monotonic() + timeout
        event = self._chat_events.setdefault(chat_id, asyncio.Event())
        while len(self.messages_for(chat_id)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: {len(self.messages_for(chat_id))}/{count}")
            event.clear()
            if len(self.messages_for(chat_id)) >= count:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return self.messages_for(chat_id)


class _QuietApplication(Application):
    def log_request(self, handler: RequestHandler) -> None:
        """No access log: its lines carry the token, and the bot's own logs are under test."""


_METHODS = {
    name.lower(): name
    for name in (
        "getUpdates",
        "getMe",
        "sendMessage",
        "sendDocument",
        "answerCallbackQuery",
        "getChat",
        "getChatMember",
        "createForumTopic",
        "getWebhookInfo",
        "setWebhook",
        "deleteWebhook",
        "setMyCommands",
    )
}
"""Method names as the tests spell them, by their lower case."""


class _MethodHandler(RequestHandler):  # type: ignore[misc]
    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    async def post(self, token: str, method: str) -> None:
        method = _METHODS.get(method.lower(), method)  # the Bot API ignores the case
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            params = json.loads(self.request.body)
        else:
            for key, values in self.request.body_arguments.items():
                params[key] = _decode(values[0].decode())
            for key, parts in self.request.files.items():
                files[key] = parts[0]["body"]
                params.setdefault(key, parts[0]["filename"])
        for key, values in self.request.query_arguments.items():  # as the Bot API, a query
            params.setdefault(key, _decode(values[0].decode()))  # string is read like a form
        if token != TOKEN:
            self.set_status(401)
            self.finish({"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        if self.standin.fault_now(method, params) == "drop":
            self.standin.faults += 1
            self.request.connection.stream.close()  # no status line, no body
            self._finished = True  # tornado must not try to answer on the closed stream
            return
        call = Call(method, params, files)
        if method != "getUpdates":
            await self.standin.record(call)
        status, body = await self.standin.answer(method, params)
        if status == 200:
            call.result = body.get("result")
            self.standin.accepted(call)
        self.set_status(status)
        self.finish(body)


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Lavoratrice", "language_code": "it"}


def message_update(user_id: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_incoming_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": user(user_id),
        **extra,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": message}


def callback_update(
    user_id: int,
    data: str,
    message_id: int = 1,
    chat: dict[str, Any] | None = None,
    thread_id: int | None = None,
) -> dict[str, Any]:
    """A button press; by default under a message in the user's private chat, else in
    `chat` (a group: a ticket's card), in forum topic `thread_id` if given."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat or {"id": user_id, "type": "private"},
        "from": BOT_USER,
        "text": "…",
    }
    if thread_id is not None:
        message.update(message_thread_id=thread_id, is_topic_message=True)
    return {
        "callback_query": {
            "id": str(next(_incoming_ids)),
            "from": user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
    }


_incoming_ids = itertools.count(50_000)

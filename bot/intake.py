"""Taking updates so that a killed process loses none: acknowledged only once handled.

Telegram forgets an update once the bot acknowledges it: in polling mode by asking for the
next offset, in webhook mode by answering 200. PTB does both as soon as the update is in its
queue, before any handler ran; a process killed then (kill -9, out of memory, power) loses
every update it had fetched but not yet handled. Here the acknowledgement waits until the
update's handlers are done — for the desk, until its turn (state, log and replies in the
outbox) is committed. A redelivered update is then recognised by the engine's dedupe key.

- Polling: `GatedBot` stands in for the bot the `Updater` polls with. The offset it asks
  for never passes the oldest update still in flight, and updates already taken are left
  out of what the `Updater` sees, so nothing is handled twice in one process. When only such
  updates come back and the oldest is still in flight, it waits for an update to finish
  instead of asking again at once (if the oldest finished meanwhile, it asks at once).
  Right after taking updates it waits the same way, briefly, before asking at all: a quiet
  desk then polls once per message instead of twice.
- Webhook: `AckQueue` is the application's update queue; the desk's webhook handler
  (bot/webhook.py) answers Telegram when `put` returns, and `put` returns when the update
  is done.

`UpdateGate.done` is called by a handler in the last group (`DONE_GROUP`), which every update
reaches whatever the handlers before it did.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import urllib.parse
from collections.abc import Sequence
from typing import Any

from telegram import Bot, Update
from telegram.ext import ContextTypes
from telegram.request import BaseRequest

DONE_GROUP = 1_000_000
"""Handler group of the gate's `done` handler: after every other group."""
REPOLL_WAIT_SECONDS = 1.0
"""How long polling waits for an update in flight to finish when nothing new came."""
SETTLE_SECONDS = 0.02
"""How long polling waits, right after taking updates, for one of them to finish before it
asks again (see `GatedBot.get_updates`)."""


class UpdateGate:
    """The updates taken and not yet done, and which updates this process has seen."""

    def __init__(self) -> None:
        self._open: set[int] = set()
        self._seen: set[int] = set()
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._progress = asyncio.Event()

    @property
    def in_flight(self) -> int:
        return len(self._open)

    def offset(self, wanted: int | None) -> int | None:
        """The offset to poll with: never past the oldest update still in flight."""
        if not self._open:
            return wanted
        oldest = min(self._open)
        return oldest if wanted is None else min(wanted, oldest)

    def take(self, updates: Sequence[dict[str, Any]], offset: int | None) -> list[dict[str, Any]]:
        """The updates (as JSON) not seen before, now in flight; forget what the server let
        go."""
        if offset is not None:
            self._seen = {update_id for update_id in self._seen if update_id >= offset}
        fresh = [update for update in updates if update["update_id"] not in self._seen]
        for update in fresh:
            self._seen.add(update["update_id"])
            self._open.add(update["update_id"])
        return fresh

    def taken(self, update_id: int) -> asyncio.Future[None]:
        """Mark one update in flight; the future resolves when it is done."""
        self._open.add(update_id)
        waiter = self._waiters.get(update_id)
        if waiter is None:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters[update_id] = waiter
        return waiter

    def done(self, update_id: int) -> None:
        self._open.discard(update_id)
        waiter = self._waiters.pop(update_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        self._progress.set()

    async def on_done(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The handler of the last group."""
        self.done(update.update_id)

    async def wait_for_progress(self, timeout: float) -> None:
        self._progress.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._progress.wait(), timeout)


class GatedBot:
    """The bot as the polling `Updater` sees it: `get_updates` goes through the gate,
    everything else is the real bot's.

    Because the offset stays at the oldest update in flight, under load every poll brings
    back the updates still being handled along with the new ones. They are fetched as raw
    JSON through the bot's polling request (`requests`, the one given to the application as
    `get_updates_request`) and only the new ones become `Update` objects: building one costs
    more than the rest of its trip through this process, and a busy desk would otherwise
    build each update three or four times.
    """

    def __init__(self, bot: Bot, gate: UpdateGate, requests: BaseRequest) -> None:
        self._bot = bot
        self._gate = gate
        self._requests = requests
        self._just_took = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)

    async def get_updates(
        self,
        offset: int | None = None,
        timeout: float | dt.timedelta | None = None,
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        if self._just_took and self._gate.in_flight:
            # The updates just taken are on their way to the engine. Asked now, Telegram would
            # answer at once with those same updates (they are not acknowledged yet), and
            # reading that answer would delay their dispatch; a quiet desk would poll twice per
            # message. Wait for one to finish, or a moment: a busy desk still fetches what
            # came meanwhile long before the engine can take it.
            await self._gate.wait_for_progress(SETTLE_SECONDS)
        asked = self._gate.offset(offset)
        raw = await self._fetch(asked, timeout, allowed_updates)
        fresh = self._gate.take(raw, asked)
        self._just_took = bool(fresh)
        if raw and not fresh and self._gate.offset(offset) == asked:
            # only updates in flight came back, and the oldest is still in flight: asking
            # again now would get the same answer
            await self._gate.wait_for_progress(REPOLL_WAIT_SECONDS)
        return Update.de_list(fresh, self._bot)

    async def _fetch(
        self,
        offset: int | None,
        timeout: float | dt.timedelta | None,
        allowed_updates: Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        """getUpdates as Bot.get_updates asks it (the read timeout is the request's own plus
        the long-poll time), answered as JSON. The parameters go in the query string, which
        the Bot API takes like a form."""
        poll = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else timeout
        seconds = int(poll or 0)
        parameters: dict[str, object] = {"timeout": seconds}
        if offset is not None:
            parameters["offset"] = offset
        if allowed_updates is not None:
            parameters["allowed_updates"] = json.dumps(list(allowed_updates))
        result = await self._requests.post(
            f"{self._bot.base_url}/getUpdates?{urllib.parse.urlencode(parameters)}",
            read_timeout=(self._requests.read_timeout or 0) + seconds,
        )
        return result if isinstance(result, list) else []


class AckQueue(asyncio.Queue[object]):
    """The application's update queue in webhook mode: `put` returns once the update is
    done, so the webhook handler (bot/webhook.py) answers Telegram only then."""

    def __init__(self, gate: UpdateGate) -> None:
        super().__init__()
        self._gate = gate

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):
            await super().put(item)
            return
        finished = self._gate.taken(item.update_id)
        await super().put(item)
        await finished

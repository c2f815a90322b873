"""Delivering the outbox to Telegram: at once after a turn, again with backoff until settled.

A turn's replies are rows of the outbox (storage/outbox.py) by the time the bot hears of
them. The bot hands them to the `Deliverer`, which sends them straight away — the happy path
costs no more than sending — and records each result in the database. What fails is retried
in the same process, without any new update to prompt it:

- 5xx answers, timeouts and dropped connections (PTB raises `NetworkError`, `TimedOut`):
  exponential backoff with full jitter (`RetryPolicy`), for as long as it takes; the first
  send that succeeds again (the chat whose wait ends first) ends every other chat's wait,
  so the outage ends for everyone within one short retry of Telegram coming back;
- 429 (`RetryAfter`): PTB's `AIORateLimiter` waits and retries first; if it gives up, the
  row waits the time Telegram asked for and is tried again;
- refused for good (`Forbidden`: the person blocked the bot; `BadRequest`: chat not found, or
  a message Telegram will never accept): the row is marked `refused`, never retried, and a
  blocked person is marked blocked.

Messages of one chat go out one after another in queue order (a chat waiting on a retry holds
back only its own later messages); different chats never wait for each other. On start, and
then every `scan_seconds`, rows that nobody here holds are loaded from the database: those
left pending by a process that was killed, and those other parts of the desk queued (a
manager's reply). A turn's rows are queued with a `not_before` a little in the future
(handlers/outbox.py), so the scan leaves them to the turn's own hand-off.

Results are recorded in batches (one transaction for everything settled while the previous
one was written): under load that is one commit for many messages, when idle one per
message. A message Telegram accepted in the instant before a kill -9, before its mark was
committed, is sent again after the restart: delivery is at least once, the record exactly once.

Callback answers (the toast after a button press) are not in the outbox: Telegram accepts
them only within seconds of the press, so a retry from the outbox would come too late to be
seen. They are sent once, at once, best effort (`answer_callback`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.render import bidi, split_message, to_html
from storage import (
    Database,
    Outgoing,
    PendingMessage,
    due_messages,
    mark_refused,
    mark_sent,
    reschedule,
)

if TYPE_CHECKING:
    from bot.tickets import TicketThreads

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
OnRefused = Callable[[int, str], Awaitable[None]]

_EVERYTHING = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base·2ⁿ⁻¹)),
    never less than `floor`. Jitter spreads the retries of many chats after an outage, so
    they do not all hit Telegram in the same instant when it comes back."""

    base_seconds: float = 0.5
    cap_seconds: float = 60.0
    floor_seconds: float = 0.1

    def delay(self, attempts: int, rng: random.Random) -> float:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return max(self.floor_seconds, rng.uniform(0, ceiling))


@dataclass
class _Item:
    id: int
    chat_id: int
    message: Outgoing
    attempts: int
    parts_sent: int = 0
    """Parts of a long message already accepted: a retry goes on from the next one."""
    wakeable: bool = False
    """Waiting out a network failure: the first send that succeeds again cuts the wait."""


@dataclass
class _Records:
    sent: list[int] = field(default_factory=list)
    rescheduled: list[tuple[int, dt.datetime, str]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.rescheduled or self.refused)

    def ids(self) -> Iterable[int]:
        yield from self.sent
        yield from (row for row, _ in self.refused)


SEND_MESSAGE = "sendmessage"
"""sendMessage, called through `Bot.do_api_request` so that Telegram's answer (the sent
message) stays JSON: `Bot.send_message` would build a `Message` from it, which costs more
than the rest of a send, and a turn sends two messages on average. Bot API method names are
case-insensitive; this spelling is not a `Bot` attribute, so PTB does not warn that
`send_message` exists. The call still goes through the application's rate limiter."""


class TelegramSender:
    """Renders an outbox message for Telegram and sends what of it is not sent yet.

    `threads` places a ticket's messages in the managers' chat (bot/tickets.py)."""

    def __init__(self, bot: Bot, threads: TicketThreads | None = None) -> None:
        self._bot = bot
        self._threads = threads

    async def send(self, item: _Item) -> None:
        message = item.message
        if message.document is not None:
            document = message.document
            await self._bot.send_document(
                item.chat_id,
                document=InputFile(document.content, filename=document.filename),
                caption=bidi(message.text),
            )
            item.parts_sent = 1
            return
        parts = split_message(message.text)
        where: dict[str, Any] = {}
        if message.thread_id is not None:
            where["message_thread_id"] = message.thread_id
        if self._threads is not None and message.place is not None:
            where = await self._threads.where(item.chat_id, message.place) or where
        for number in range(item.parts_sent, len(parts)):
            markup = keyboard(message) if number == len(parts) - 1 else None
            sent = await self._bot.do_api_request(
                SEND_MESSAGE,
                api_kwargs={
                    "chat_id": item.chat_id,
                    "text": to_html(parts[number]),
                    "parse_mode": ParseMode.HTML,
                    **({"reply_markup": markup} if markup is not None else {}),
                    **where,
                },
            )
            item.parts_sent = number + 1
            if self._threads is not None:
                await self._threads.sent(item.chat_id, message.place, int(sent["message_id"]))


def keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(bidi(label), callback_data=data) for label, data in row]
            for row in message.buttons
        ]
    )


async def answer_callback(query: CallbackQuery, notice: str | None) -> None:
    """Stop the button's spinner (with the notice as a toast), once and best effort."""
    try:
        await query.answer(text=notice)
    except TelegramError as exc:
        logger.info("button press not acknowledged (%s): the spinner stops by itself", type(exc))


class Deliverer:
    """Sends outbox rows, per chat in order, retrying until each is sent or refused."""

    def __init__(
        self,
        database: Database,
        send: Callable[[_Item], Awaitable[None]],
        on_refused: OnRefused,
        clock: Clock,
        policy: RetryPolicy | None = None,
        scan_seconds: float = 2.0,
        seed: int | None = None,
    ) -> None:
        self._db = database
        self._send = send
        self._on_refused = on_refused
        self._clock = clock
        self._policy = policy or RetryPolicy()
        self._scan_seconds = scan_seconds
        self._rng = random.Random(seed)
        self._chats: dict[int, collections.deque[_Item]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._held: set[int] = set()
        self._finished: dict[int, int | None] = {}
        """Ids settled here, with the number of the record batch that committed them (None
        until it has): a scan that read the table before that commit must not take them."""
        self._records = _Records()
        self._commits = 0
        self._wake_recorder = asyncio.Event()
        self._recording = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._idle = asyncio.Event()
        self._idle.set()
        self._recovered = asyncio.Event()

    # -- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Take every pending row (those a killed process left too), then keep scanning."""
        self._tasks = [
            asyncio.create_task(self._record_loop(), name="outbox-recorder"),
        ]
        await self._scan(until=_EVERYTHING)
        self._tasks.append(asyncio.create_task(self._scan_loop(), name="outbox-scan"))

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Let the sends under way finish (up to `grace_seconds`), record what was settled,
        and stop. Rows not yet sent stay pending for the next start."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        if not self._tasks:  # never started
            return
        recorder, *others = self._tasks
        senders = [*self._workers.values(), *others]
        for task in senders:
            task.cancel()
        for task in senders:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._flush()  # after a write under way: the lock waits for it
        recorder.cancel()  # now idle: a write is never cut off halfway
        with contextlib.suppress(asyncio.CancelledError):
            await recorder
        self._tasks = []

    # -- the happy path ------------------------------------------------------------------

    def submit(self, rows: Iterable[tuple[int, int, Outgoing, int]]) -> None:
        """Queue a turn's rows (id, chat id, message, attempts so far) behind their chat's
        earlier ones. They were committed a moment ago, so none can be settled yet; a row
        this process already holds is not queued twice."""
        self._queue(rows, skip_settled=False)

    def _queue(self, rows: Iterable[tuple[int, int, Outgoing, int]], skip_settled: bool) -> None:
        for row_id, chat_id, message, attempts in rows:
            if row_id in self._held or (skip_settled and row_id in self._finished):
                continue
            self._held.add(row_id)
            self._chats.setdefault(chat_id, collections.deque()).append(
                _Item(row_id, chat_id, message, attempts)
            )
            if chat_id not in self._workers:
                self._workers[chat_id] = asyncio.create_task(self._deliver_chat(chat_id))
                self._idle.clear()

    async def drain(self) -> None:
        """Wait until nothing is held and everything settled is recorded (tests, shutdown)."""
        await self._idle.wait()
        await self._flush()

    @property
    def held(self) -> int:
        """Messages waiting to be sent or retried in this process."""
        return len(self._held)

    # -- per chat ------------------------------------------------------------------------

    async def _deliver_chat(self, chat_id: int) -> None:
        queue = self._chats[chat_id]
        try:
            while queue:
                item = queue[0]
                delay = await self._attempt(item)
                if delay is None:
                    queue.popleft()
                    self._held.discard(item.id)
                    self._finished[item.id] = None
                elif item.wakeable:
                    await self._pause(delay)
                else:
                    await asyncio.sleep(delay)
        finally:
            del self._workers[chat_id]
            if not queue:
                del self._chats[chat_id]
            if not self._workers:
                self._idle.set()

    async def _attempt(self, item: _Item) -> float | None:
        """Send once; None when the row is settled, else the seconds to wait."""
        try:
            await self._send(item)
        except Forbidden as exc:
            self._refuse(item, "Forbidden")
            logger.info("outbox %s refused: the person blocked the bot", item.id)
            await self._blocked(item.chat_id, exc)
            return None
        except BadRequest as exc:
            self._refuse(item, "BadRequest")
            logger.warning("outbox %s refused by Telegram for good: %s", item.id, exc.message)
            return None
        except RetryAfter as exc:
            item.wakeable = False  # Telegram said how long: no earlier
            delay = _seconds(exc.retry_after) + self._rng.uniform(0, 0.5)
            return self._retry(item, delay, "RetryAfter")
        except TelegramError as exc:  # NetworkError, TimedOut, 5xx, anything else
            item.attempts += 1
            item.wakeable = True
            delay = self._policy.delay(item.attempts, self._rng)
            return self._retry(item, delay, type(exc).__name__, counted=True)
        self._records.sent.append(item.id)
        self._wake_recorder.set()
        self._back_up()
        return None

    async def _pause(self, delay: float) -> None:
        """Wait out a backoff, or less: until a send to any chat succeeds again."""
        recovered = self._recovered
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(recovered.wait(), delay)

    def _back_up(self) -> None:
        """A send succeeded: chats backing off from network failures retry now, not after
        their (exponentially growing) waits, so an outage ends for everyone at once."""
        self._recovered.set()
        self._recovered = asyncio.Event()

    def _retry(self, item: _Item, delay: float, error: str, counted: bool = False) -> float:
        if not counted:
            item.attempts += 1
        at = self._clock() + dt.timedelta(seconds=delay)
        self._records.rescheduled.append((item.id, at, error))
        self._wake_recorder.set()
        logger.info(
            "outbox %s: %s, attempt %d, retry in %.1f s", item.id, error, item.attempts, delay
        )
        return delay

    def _refuse(self, item: _Item, error: str) -> None:
        self._records.refused.append((item.id, error))
        self._wake_recorder.set()

    async def _blocked(self, chat_id: int, exc: Exception) -> None:
        try:
            await self._on_refused(chat_id, type(exc).__name__)
        except Exception:
            logger.exception("could not record that a chat blocked the bot")

    # -- the database --------------------------------------------------------------------

    async def _record_loop(self) -> None:
        while True:
            await self._wake_recorder.wait()
            await self._flush()

    async def _flush(self) -> None:
        """Write everything settled or rescheduled so far, in one transaction."""
        async with self._recording:
            self._wake_recorder.clear()
            records, self._records = self._records, _Records()
            if not records:
                return
            try:
                await asyncio.to_thread(self._write, records, self._clock())
            except Exception:
                logger.exception("could not record outbox results: retrying with the next batch")
                self._merge_back(records)
                await asyncio.sleep(1.0)
                self._wake_recorder.set()
                return
            self._commits += 1
            for row_id in records.ids():
                self._finished[row_id] = self._commits

    def _merge_back(self, records: _Records) -> None:
        self._records.sent[:0] = records.sent
        self._records.rescheduled[:0] = records.rescheduled
        self._records.refused[:0] = records.refused

    def _write(self, records: _Records, now: dt.datetime) -> None:
        with self._db.session() as session:  # in the order they happened: retries first
            for row_id, at, error in records.rescheduled:
                reschedule(session, id=row_id, next_attempt_at=at, error=error)
            for row_id, error in records.refused:
                mark_refused(session, id=row_id, now=now, error=error)
            mark_sent(session, ids=records.sent, now=now)

    async def _scan_loop(self) -> None:
        while True:
            await asyncio.sleep(self._scan_seconds)
            try:
                await self._scan(until=self._clock())
            except Exception:
                logger.exception("outbox scan failed: trying again at the next period")

    async def _scan(self, until: dt.datetime) -> None:
        """Take the pending rows due by `until` that are not held here."""
        committed_before = self._commits
        while True:
            exclude = self._held | set(self._finished)
            rows = await asyncio.to_thread(self._due, until, exclude)
            self._queue(_as_rows(rows), skip_settled=True)
            if len(rows) < 500:
                break
        self._finished = {
            row: commit
            for row, commit in self._finished.items()
            if commit is None or commit > committed_before
        }

    def _due(self, until: dt.datetime, exclude: set[int]) -> list[PendingMessage]:
        with self._db.session() as session:
            return due_messages(session, now=until, limit=500, exclude=exclude)


def _as_rows(rows: Iterable[PendingMessage]) -> Iterable[tuple[int, int, Outgoing, int]]:
    return ((r.id, r.chat_id, r.message, r.attempts) for r in rows)


def _seconds(value: int | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)

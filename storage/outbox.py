"""The outbox: every message the desk sends, queued in the database before it is sent.

Why: Telegram has outages (5xx answers, dropped connections, timeouts). A reply that exists
only in memory between "the turn is committed" and "Telegram accepted it" is lost for good
when the send fails or the process dies, because the update it answers is already recorded as
handled. So a turn writes its replies here *in its own transaction* (with the flow state, the
log and the update's dedupe key), and the bot delivers from here: at once after the turn, and
again later, with backoff, until Telegram accepts the message or refuses it for good.

Anything else the desk sends (a manager's reply, a reminder, a broadcast) uses the same
`enqueue`, in the transaction that decides to send it::

    with database.session() as session:
        ...  # e.g. the ticket's state change
        enqueue(session, chat_id=chat, message=Outgoing("Ciao, ..."), key=f"ticket:{t}:{n}",
                now=now)

The bot process picks such rows up within `bot.delivery` 's scan period. `key` makes a
retried writer harmless: the same key twice is one message. Messages of one chat go out in
the order of their `id` (the order they were enqueued).

Delivery is at least once: a message whose send reached Telegram just before the process was
killed, before its `sent` mark was committed, goes out again after the restart (Telegram has
no idempotency key for sends). Everything else is exactly once: sent or refused is recorded
once, by `mark_sent` / `mark_refused`, which only ever settle a pending row.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, delete, func, select, update
from sqlalchemy.orm import Session

from storage.checks import aware_utc, bounded_text, optional_text
from storage.models import (
    ERROR_LENGTH,
    OUTBOX_KEY_LENGTH,
    OUTBOX_STATUSES,
    UPDATE_KEY_LENGTH,
    OutboxMessage,
    table_of,
)
from storage.statements import dialect_insert

_outbox = table_of(OutboxMessage)


@dataclass(frozen=True)
class OutgoingDocument:
    filename: str
    content: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True)
class TicketPlace:
    """Where a message of a ticket goes in the managers' chat, resolved when it is sent.

    The ticket's forum topic, or a reply to its card, may not exist yet when the message is
    queued (the card is still in the outbox), so the deliverer looks them up at send time and
    records where the message landed, for replies to it to find the ticket.
    """

    ticket: int
    message: int | None = None
    """The ticket message row this is (its Telegram id is recorded once sent)."""
    card: bool = False
    """The ticket's card: its Telegram id is what replies in a plain group point at."""
    topic: str | None = None
    """The forum topic's name, to create it if the ticket has none yet."""

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "message": self.message,
            "card": self.card,
            "topic": self.topic,
        }

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> TicketPlace:
        message = payload.get("message")
        topic = payload.get("topic")
        return cls(
            ticket=int(payload["ticket"]),
            message=None if message is None else int(message),
            card=bool(payload.get("card", False)),
            topic=None if topic is None else str(topic),
        )


@dataclass(frozen=True)
class Outgoing:
    """One message as the desk means it, independent of the channel that renders it.

    `text` uses the desk's tiny markup (`**bold**`); `buttons` are rows of
    (label, callback data); with a `document`, `text` is its caption.
    """

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    document: OutgoingDocument | None = None
    thread_id: int | None = None
    """The forum topic of the chat to post in (a reply in a managers' topic)."""
    place: TicketPlace | None = None

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text}
        if self.thread_id is not None:
            payload["thread_id"] = self.thread_id
        if self.place is not None:
            payload["place"] = self.place.to_json()
        if self.buttons:
            payload["buttons"] = [[list(button) for button in row] for row in self.buttons]
        if self.document is not None:
            payload["document"] = {
                "filename": self.document.filename,
                "content": base64.b64encode(self.document.content).decode("ascii"),
                "mime_type": self.document.mime_type,
            }
        return payload

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> Outgoing:
        document = payload.get("document")
        thread_id = payload.get("thread_id")
        place = payload.get("place")
        return cls(
            thread_id=None if thread_id is None else int(thread_id),
            place=None if place is None else TicketPlace.from_json(place),
            text=str(payload["text"]),
            buttons=tuple(
                tuple((str(label), str(data)) for label, data in row)
                for row in payload.get("buttons", ())
            ),
            document=None
            if document is None
            else OutgoingDocument(
                filename=str(document["filename"]),
                content=base64.b64decode(document["content"]),
                mime_type=str(document["mime_type"]),
            ),
        )


@dataclass(frozen=True)
class PendingMessage:
    """A row still to deliver, as the deliverer needs it."""

    id: int
    chat_id: int
    message: Outgoing
    attempts: int
    next_attempt_at: datetime


def enqueue(
    session: Session,
    *,
    chat_id: int,
    message: Outgoing,
    key: str,
    now: datetime,
    answers: str | None = None,
    not_before: datetime | None = None,
) -> int | None:
    """Queue `message` for `chat_id` in the caller's transaction; its row id, or None when
    a message with this `key` was queued before (nothing is added then).

    `answers` is the processed-update key of the update the message answers, if any.
    `not_before` keeps the row from the deliverer's scan until then: a writer that sends
    the message itself right after committing (a turn's replies) sets it, so the two do not
    race; a process started after a crash takes every pending row regardless.
    """
    at = aware_utc(now, "now")
    values = {
        "key": bounded_text(key, "key", OUTBOX_KEY_LENGTH),
        "chat_id": chat_id,
        "answers": optional_text(answers, "answers", UPDATE_KEY_LENGTH),
        "payload": message.to_json(),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": at if not_before is None else aware_utc(not_before, "not_before"),
        "created_at": at,
        "settled_at": None,
        "last_error": None,
    }
    session.flush()  # a Core statement: pending ORM objects must be in first
    connection = session.connection()
    row = connection.execute(_insert(connection.dialect.name), values).first()
    if row is None:
        return None
    session.info.setdefault(_QUEUED, []).append((int(row[0]), chat_id, message))
    return int(row[0])


_QUEUED = "sportello.outbox.queued"


def take_queued(session: Session) -> list[tuple[int, int, Outgoing]]:
    """The rows `enqueue` added through this session since the last call (id, chat, message).

    A turn that queues messages for other chats (a manager's answer for the worker) hands
    them to the bot with its own replies, so they go out at once instead of at the next scan.
    """
    queued: list[tuple[int, int, Outgoing]] = session.info.pop(_QUEUED, [])
    return queued


def defer(session: Session, *, ids: Sequence[int], until: datetime) -> None:
    """Keep pending rows from the deliverer's scan until `until`: the writer hands them to
    the bot itself right after committing (see `enqueue`'s `not_before`)."""
    if ids:
        session.connection().execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == "pending")
            .values(next_attempt_at=aware_utc(until, "until"))
        )


def due_messages(
    session: Session,
    *,
    now: datetime,
    limit: int = 500,
    exclude: Collection[int] = (),
) -> list[PendingMessage]:
    """Pending messages whose next attempt is due, oldest first (at most `limit`).

    `exclude`: ids the caller already holds, left out so a busy outbox still yields new rows.
    """
    statement = (
        select(
            _outbox.c.id,
            _outbox.c.chat_id,
            _outbox.c.payload,
            _outbox.c.attempts,
            _outbox.c.next_attempt_at,
        )
        .where(_outbox.c.status == "pending")
        .where(_outbox.c.next_attempt_at <= aware_utc(now, "now"))
        .order_by(_outbox.c.id)
        .limit(limit + len(exclude))
    )
    found: list[PendingMessage] = []
    for row in session.connection().execute(statement):
        if row.id in exclude:
            continue
        found.append(
            PendingMessage(
                id=row.id,
                chat_id=row.chat_id,
                message=Outgoing.from_json(row.payload),
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at,
            )
        )
        if len(found) == limit:
            break
    return found


def mark_sent(session: Session, *, ids: Sequence[int], now: datetime) -> int:
    """Record that Telegram accepted these messages; how many pending rows were settled.

    The payload goes with it. A row already settled is left alone, so a repeated mark (two
    deliverers, a retry of this transaction) records nothing twice.
    """
    if not ids:
        return 0
    result = session.connection().execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == "pending")
        .values(
            status="sent",
            payload=None,
            attempts=OutboxMessage.attempts + 1,
            settled_at=aware_utc(now, "now"),
        )
    )
    return int(result.rowcount)


def mark_refused(session: Session, *, id: int, now: datetime, error: str) -> bool:
    """Record that Telegram refused the message for good (blocked, chat not found)."""
    return _failed_attempt(
        session, id, error, status="refused", payload=None, settled_at=aware_utc(now, "now")
    )


def reschedule(session: Session, *, id: int, next_attempt_at: datetime, error: str) -> bool:
    """Record a failed attempt and when to try again."""
    return _failed_attempt(
        session, id, error, next_attempt_at=aware_utc(next_attempt_at, "next_attempt_at")
    )


def _failed_attempt(session: Session, id: int, error: str, **values: object) -> bool:
    """Count one more attempt on a still-pending message, keep Telegram's error, set `values`.

    False when the message is no longer pending: a row is settled once, by whoever is first.
    """
    result = session.connection().execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == id, OutboxMessage.status == "pending")
        .values(attempts=OutboxMessage.attempts + 1, last_error=error[:ERROR_LENGTH], **values)
    )
    return bool(result.rowcount)


def prune_outbox(session: Session, *, settled_before: datetime) -> int:
    """Forget settled messages (their payload is already gone); pending ones always stay."""
    result = session.connection().execute(
        delete(OutboxMessage)
        .where(OutboxMessage.status != "pending")
        .where(OutboxMessage.settled_at < aware_utc(settled_before, "settled_before"))
    )
    return int(result.rowcount)


def outbox_status(session: Session) -> dict[str, int]:
    """How many rows are in each status (for tests, reports and the CLI)."""
    counts = {status: 0 for status in OUTBOX_STATUSES}
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    for status, count in rows:
        counts[status] = int(count)
    return counts


@functools.cache
def _insert(dialect: str) -> Insert:
    """Built once per backend: every answered turn runs it."""
    insert: Insert = (
        dialect_insert(dialect, _outbox)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(_outbox.c.id)
    )
    return insert

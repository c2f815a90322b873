"""A turn's replies into the outbox, in the turn's own transaction.

The engine calls `queue_replies` after the flow state and the log row are written and before
the transaction commits, so the replies exist exactly when the turn does: a turn that rolls
back queues nothing, and a committed one cannot lose its replies to a failed send or a killed
process (the bot delivers them from the outbox, see bot/delivery.py). Only channels that
deliver from the outbox queue: Telegram. The terminal chat prints the replies itself.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from handlers.turns import OutboxEntry, Reply, Turn, messages_of
from storage import Outgoing, OutgoingDocument, defer, enqueue, take_queued

QUEUED_CHANNELS = frozenset({"telegram"})
HANDOFF = dt.timedelta(seconds=30)
"""The channel sends a turn's replies itself as soon as the turn is committed; the outbox
scan takes them only if they are still pending this long after the turn (the process died,
or the first send failed and its retry was lost with the process)."""


def to_outgoing(reply: Reply, thread_id: int | None = None) -> Outgoing:
    """A reply as the outbox stores it (the channel renders it when it sends), in the forum
    topic `thread_id` when the turn it answers was written in one."""
    document = reply.document
    return Outgoing(
        thread_id=thread_id,
        text=reply.text,
        buttons=tuple(tuple((b.label, b.data) for b in row) for row in reply.buttons),
        document=None
        if document is None
        else OutgoingDocument(document.filename, document.content, document.mime_type),
    )


def queue_replies(
    session: Session,
    *,
    turn: Turn,
    replies: list[Reply],
    interaction_id: int | None,
    update_key: str | None,
) -> list[OutboxEntry]:
    """Queue the turn's messages; one entry per message, in order.

    Keys are `turn:<interaction id>:<n>` when the turn was logged: the interaction row is new
    in this transaction, so the keys are too. Turns that are not logged (before consent, the
    erasing turn, group chats) use `update:<update key>:<n>`, as unique as the update the
    engine has just marked processed; a turn with neither gets a random key.
    """
    if turn.channel not in QUEUED_CHANNELS:
        return []
    prefix = _key_prefix(interaction_id, update_key)
    entries: list[OutboxEntry] = []
    for number, reply in enumerate(messages_of(turn, replies)):
        message = to_outgoing(reply, turn.thread_id)
        row = enqueue(
            session,
            chat_id=turn.chat_id,
            message=message,
            key=f"{prefix}:{number}",
            now=turn.at,
            answers=update_key,
            not_before=turn.at + HANDOFF,
        )
        if row is not None:
            entries.append(OutboxEntry(row, turn.chat_id, message))
    return entries


def with_queued(session: Session, turn: Turn, entries: list[OutboxEntry]) -> list[OutboxEntry]:
    """The turn's entries and, after them, the other rows it queued (for other chats), so
    the channel sends everything the turn decided at once. Like the turn's replies, those
    rows are kept from the outbox scan for a while, or the scan and the channel could both
    send one of them."""
    if turn.channel not in QUEUED_CHANNELS:
        take_queued(session)
        return entries
    known = {entry.id for entry in entries}
    others = [
        OutboxEntry(row, chat_id, message)
        for row, chat_id, message in take_queued(session)
        if row not in known
    ]
    defer(session, ids=[entry.id for entry in others], until=turn.at + HANDOFF)
    return [*entries, *others]


def _key_prefix(interaction_id: int | None, update_key: str | None) -> str:
    """What makes a turn's outbox keys unique: its log row, else its update, else chance."""
    if interaction_id is not None:
        return f"turn:{interaction_id}"
    if update_key is not None:
        return f"update:{update_key}"
    return f"once:{uuid.uuid4().hex}"

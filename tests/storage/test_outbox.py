"""The outbox: queued in the caller's transaction, idempotent by key, settled once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage import (
    Database,
    OutboxMessage,
    Outgoing,
    OutgoingDocument,
    due_messages,
    enqueue,
    mark_refused,
    mark_sent,
    outbox_status,
    prune_outbox,
    reschedule,
)
from tests.storage.builders import NOW, race

MESSAGE = Outgoing(
    "**Buoni pasto**: esenti fino a 8 €",
    buttons=((("👍", "feedback:1:1"), ("👎", "feedback:1:0")),),
)


def queue(db: Database, key: str, chat_id: int = 10, message: Outgoing = MESSAGE) -> int | None:
    with db.session() as session:
        return enqueue(session, chat_id=chat_id, message=message, key=key, now=NOW)


def test_a_message_round_trips_with_buttons_and_a_file(db: Database) -> None:
    document = Outgoing(
        "I tuoi dati", document=OutgoingDocument("dati.json", b'{"a": "\xc3\xa8"}\x00\xff')
    )
    first = queue(db, "a")
    second = queue(db, "b", message=document)
    assert first is not None and second is not None and first < second
    with db.session() as session:
        due = due_messages(session, now=NOW)
    assert [(m.id, m.chat_id, m.message, m.attempts) for m in due] == [
        (first, 10, MESSAGE, 0),
        (second, 10, document, 0),
    ]


def test_the_same_key_queues_one_message(db: Database) -> None:
    assert queue(db, "ticket:1:1") is not None
    assert queue(db, "ticket:1:1") is None
    with db.session() as session:
        assert outbox_status(session) == {"pending": 1, "sent": 0, "refused": 0}


def test_concurrent_writers_of_one_key_queue_one_message(db: Database) -> None:
    results = race(
        db,
        6,
        lambda session, _: enqueue(session, chat_id=1, message=MESSAGE, key="k", now=NOW),
    )
    assert sum(result is not None for result in results) == 1


def test_a_rolled_back_transaction_queues_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        enqueue(session, chat_id=1, message=MESSAGE, key="k", now=NOW)
        raise RuntimeError("the turn failed")
    with db.session() as session:
        assert due_messages(session, now=NOW) == []


def test_sent_is_recorded_once_and_the_text_is_dropped(db: Database) -> None:
    ids = [queue(db, key) for key in ("a", "b")]
    with db.session() as session:
        assert mark_sent(session, ids=[i for i in ids if i is not None], now=NOW) == 2
        assert mark_sent(session, ids=[i for i in ids if i is not None], now=NOW) == 0
        assert mark_refused(session, id=ids[0] or 0, now=NOW, error="Forbidden") is False
    with db.session() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert {(r.status, r.payload, r.attempts, r.settled_at) for r in rows} == {
            ("sent", None, 1, NOW)
        }
        assert due_messages(session, now=NOW) == []


def test_a_failed_attempt_waits_and_a_refusal_is_final(db: Database) -> None:
    first, second = queue(db, "a"), queue(db, "b")
    assert first is not None and second is not None
    later = NOW + timedelta(seconds=4)
    with db.session() as session:
        assert reschedule(session, id=first, next_attempt_at=later, error="NetworkError")
        assert [m.id for m in due_messages(session, now=NOW)] == [second]
        assert [m.id for m in due_messages(session, now=later)] == [first, second]
        assert [m.attempts for m in due_messages(session, now=later)] == [1, 0]
        assert mark_refused(session, id=second, now=NOW, error="Forbidden") is True
        assert [m.id for m in due_messages(session, now=later)] == [first]
        (refused,) = session.scalars(select(OutboxMessage).where(OutboxMessage.id == second))
        assert (refused.status, refused.payload, refused.last_error) == (
            "refused",
            None,
            "Forbidden",
        )


def test_rows_already_held_are_left_out_without_shrinking_the_page(db: Database) -> None:
    ids = [queue(db, str(n)) for n in range(5)]
    with db.session() as session:
        due = due_messages(session, now=NOW, limit=2, exclude={ids[0], ids[1]})
    assert [m.id for m in due] == ids[2:4]


def test_settled_rows_are_pruned_pending_ones_never(db: Database) -> None:
    sent, refused, pending = queue(db, "a"), queue(db, "b"), queue(db, "c")
    assert sent is not None and refused is not None and pending is not None
    with db.session() as session:
        mark_sent(session, ids=[sent], now=NOW)
        mark_refused(session, id=refused, now=NOW + timedelta(days=2), error="BadRequest")
    with db.session() as session:
        assert prune_outbox(session, settled_before=NOW + timedelta(days=1)) == 1
        assert prune_outbox(session, settled_before=NOW + timedelta(days=30)) == 1
        assert outbox_status(session) == {"pending": 1, "sent": 0, "refused": 0}


def test_a_row_queued_with_not_before_waits_for_the_scan_until_then(db: Database) -> None:
    """A turn's replies are sent by the turn's own hand-off; the scan takes them only later."""
    with db.session() as session:
        row = enqueue(
            session,
            chat_id=1,
            message=MESSAGE,
            key="turn:1:0",
            now=NOW,
            answers="1001:c0ffee",
            not_before=NOW + timedelta(seconds=30),
        )
    with db.session() as session:
        assert due_messages(session, now=NOW + timedelta(seconds=29)) == []
        assert [m.id for m in due_messages(session, now=NOW + timedelta(seconds=30))] == [row]
        (stored,) = session.scalars(select(OutboxMessage))
        assert (stored.answers, stored.created_at) == ("1001:c0ffee", NOW)

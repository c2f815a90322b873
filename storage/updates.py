"""Deduplication of incoming updates by a key that names the update and what it carries.

Telegram redelivers an update when it is not acknowledged in time (webhook timeouts,
restarts during polling). Mark the update in the same transaction as the turn's side
effects: if handling fails, the mark rolls back with them and the redelivery is handled.

The key is the caller's (see `handlers.engine`): the update id alone is not enough, because
after a week without updates Telegram starts its ids again from a random number, and a new
message whose id matched one still remembered here would be skipped.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.checks import aware_utc, bounded_text
from storage.models import UPDATE_KEY_LENGTH, ProcessedUpdate
from storage.statements import insert_if_absent


def mark_update_processed(session: Session, *, key: str, now: datetime) -> bool:
    """True the first time `key` is seen, False for a duplicate.

    Exactly one of several concurrent transactions marking the same key gets True (see
    `insert_if_absent`); on PostgreSQL the others wait until the first commits or rolls back.
    """
    values = {
        "key": bounded_text(key, "key", UPDATE_KEY_LENGTH),
        "processed_at": aware_utc(now, "now"),
    }
    return insert_if_absent(session, ProcessedUpdate, values)


def prune_processed_updates(session: Session, *, older_than: datetime) -> int:
    """Forget updates processed before `older_than` (Telegram keeps updates for 24 hours)."""
    result = session.execute(
        delete(ProcessedUpdate)
        .where(ProcessedUpdate.processed_at < aware_utc(older_than, "older_than"))
        .returning(ProcessedUpdate.key)
        .execution_options(synchronize_session="fetch")
    )
    return len(result.all())

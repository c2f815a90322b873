"""Deduplication of incoming Telegram updates by `update_id`.

Telegram redelivers an update when it is not acknowledged in time (webhook timeouts,
restarts during polling). Mark the update in the same transaction as the turn's side
effects: if handling fails, the mark rolls back with them and the redelivery is handled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.checks import aware_utc
from storage.models import ProcessedUpdate
from storage.statements import insert_if_absent


def mark_update_processed(session: Session, *, update_id: int, now: datetime) -> bool:
    """True the first time `update_id` is seen, False for a duplicate.

    Exactly one of several concurrent transactions marking the same id gets True (see
    `insert_if_absent`); on PostgreSQL the others wait until the first commits or rolls back.
    """
    values = {"update_id": update_id, "processed_at": aware_utc(now, "now")}
    return insert_if_absent(session, ProcessedUpdate, values)


def prune_processed_updates(session: Session, *, older_than: datetime) -> int:
    """Forget update ids processed before `older_than` (Telegram keeps updates for 24 hours)."""
    result = session.execute(
        delete(ProcessedUpdate)
        .where(ProcessedUpdate.processed_at < aware_utc(older_than, "older_than"))
        .returning(ProcessedUpdate.update_id)
        .execution_options(synchronize_session="fetch")
    )
    return len(result.all())

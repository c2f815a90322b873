"""Retention, enforced: what housekeeping forgets, and when (the README's privacy section).

- the text of a question the desk could not answer: `dialogue.retention_days` (90);
- a detailed log row (intent, decision, topic, entries, scores, feedback):
  `privacy.log_user_ref_days` (90), then it is folded into the daily counts;
- a person who never consented, their first question included: `PENDING_HOURS` (24 h);
- a question waiting in an onboarding left half-way: `PENDING_HOURS` after the last step;
- a person who stopped writing (profile, chat link, conversation):
  `privacy.inactive_user_days` (365);
- Telegram update ids (duplicate detection): `UPDATE_IDS_DAYS` (7);
- outbox rows once sent or refused (their text goes at once, the row with its chat id):
  `OUTBOX_DAYS` (7).

`enforce_retention` returns how many rows each rule touched, under these keys:
`texts_purged`, `updates_pruned`, `unconsented_erased`, `pending_dropped`,
`inactive_erased`, `log_rows_folded`, `outbox_pruned`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from handlers.flows import onboarding
from handlers.settings import RetentionSettings
from storage import (
    drop_stale_flow_value,
    erase_inactive_users,
    erase_unconsented_users,
    fold_old_interactions,
    prune_outbox,
    prune_processed_updates,
    purge_expired_texts,
)

PENDING_HOURS = onboarding.PENDING_HOURS
UPDATE_IDS_DAYS = 7
"""Telegram redelivers an update for at most a day, so a week of update ids is plenty."""
OUTBOX_DAYS = 7
"""A settled outbox row keeps only its status and chat id: a week is enough to look into a
delivery problem, and no longer is needed."""
ERASING = ("texts_purged", "unconsented_erased", "pending_dropped", "inactive_erased")


def enforce_retention(
    session: Session, *, now: dt.datetime, retention: RetentionSettings
) -> dict[str, int]:
    """Apply every retention rule as of `now`; how many rows each one touched."""
    pending = now - dt.timedelta(hours=PENDING_HOURS)
    today = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "texts_purged": purge_expired_texts(session, now=now),
        "updates_pruned": prune_processed_updates(
            session, older_than=now - dt.timedelta(days=UPDATE_IDS_DAYS)
        ),
        "unconsented_erased": erase_unconsented_users(session, created_before=pending),
        "pending_dropped": drop_stale_flow_value(
            session, flow=onboarding.FLOW, key="pending", updated_before=pending, now=now
        ),
        "inactive_erased": erase_inactive_users(
            session,
            last_seen_before=today - dt.timedelta(days=retention.inactive_user_days),
        ),
        "log_rows_folded": fold_old_interactions(
            session, before=now - dt.timedelta(days=retention.log_user_ref_days)
        ),
        "outbox_pruned": prune_outbox(session, settled_before=now - dt.timedelta(days=OUTBOX_DAYS)),
    }


def erased_anything(done: dict[str, int]) -> bool:
    """True when the database files should be checkpointed (something personal was removed)."""
    return any(done.get(key) for key in (*ERASING, "log_rows_folded", "outbox_pruned"))

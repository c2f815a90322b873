"""How long the desk remembers: the retention rules housekeeping applies, with a given `now`.

- people silent for `inactive_user_days` are erased (profile, chat link, conversation; their
  log rows are folded into the daily counts), whatever their consent;
- log rows older than `log_user_ref_days` are folded into the daily counts: the detailed,
  pseudonymous log only covers the recent past;
- a value in a flow's data (a question written before onboarding ended) is dropped once the
  conversation has not moved for a while.

Question texts (`purge_expired_texts`), never-consented people (`erase_unconsented_users`)
and update ids (`prune_processed_updates`) have their own rules in their modules.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.checks import aware_utc
from storage.flows import save_flow
from storage.interactions import fold_interactions
from storage.models import Conversation, Interaction, User
from storage.privacy import erase_user


def erase_inactive_users(session: Session, *, last_seen_before: datetime) -> int:
    """Erase everyone whose latest turn was on a day before `last_seen_before`; how many."""
    stale = session.scalars(
        select(User.user_ref).where(User.last_seen_at < aware_utc(last_seen_before, "before"))
    ).all()
    for user_ref in stale:
        erase_user(session, user_ref=user_ref)
    return len(stale)


def fold_old_interactions(session: Session, *, before: datetime) -> int:
    """Fold the log rows of turns before `before` into the daily counts; how many."""
    return fold_interactions(session, Interaction.at < aware_utc(before, "before"))


def drop_stale_flow_value(
    session: Session, *, flow: str, key: str, updated_before: datetime, now: datetime
) -> int:
    """Remove `key` from the data of `flow` conversations idle since `updated_before`."""
    rows = session.execute(
        select(Conversation.user_ref, Conversation.step, Conversation.data).where(
            Conversation.flow == flow,
            Conversation.updated_at < aware_utc(updated_before, "before"),
        )
    ).all()
    dropped = 0
    for row in rows:
        if row.data.get(key) is None:
            continue
        data = {k: v for k, v in row.data.items() if k != key}
        save_flow(session, user_ref=row.user_ref, flow=flow, step=row.step, data=data, now=now)
        dropped += 1
    return dropped

"""Privacy hardening: last-seen day and code attempts on users, topic on the log, daily counts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

- `users.last_seen_at` (the day of the latest turn) lets housekeeping erase people who have
  been silent for `privacy.inactive_user_days`; existing users get the day of `updated_at`.
- `users.code_failures` / `code_paused_until` rate-limit company-code guesses.
- `interactions.topic` is what statistics keep of the entry ids.
- `interaction_counts` receives the log rows of erased users and rows older than
  `privacy.log_user_ref_days`. Rows anonymised by the old erasure (user_ref NULL) are folded
  into it here, so no row that once belonged to someone keeps its times, scores or entries.

Types are spelled out rather than imported from the models (see 0001).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_seen_at", _timestamp(), nullable=True))
        batch.add_column(
            sa.Column("code_failures", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(sa.Column("code_paused_until", _timestamp(), nullable=True))
    users = sa.table(
        "users",
        sa.column("user_ref", sa.String()),
        sa.column("updated_at", _timestamp()),
        sa.column("last_seen_at", _timestamp()),
    )
    connection = op.get_bind()
    for user_ref, updated_at in connection.execute(sa.select(users.c.user_ref, users.c.updated_at)):
        connection.execute(
            users.update()
            .where(users.c.user_ref == user_ref)
            .values(last_seen_at=_day_start(updated_at))
        )
    with op.batch_alter_table("users") as batch:
        batch.alter_column("last_seen_at", existing_type=_timestamp(), nullable=False)
        batch.create_index(batch.f("ix_users_last_seen_at"), ["last_seen_at"], unique=False)

    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("topic", sa.String(length=64), nullable=True))

    counts = op.create_table(
        "interaction_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('telegram', 'terminal', 'test')",
            name=op.f("ck_interaction_counts_channel"),
        ),
        sa.CheckConstraint(
            "kind IN ('question', 'command', 'button', 'other')",
            name=op.f("ck_interaction_counts_kind"),
        ),
        sa.CheckConstraint(
            "decision IN ('answer', 'clarify', 'fallback', 'referral')",
            name=op.f("ck_interaction_counts_decision"),
        ),
        sa.CheckConstraint("count > 0", name=op.f("ck_interaction_counts_count_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_counts")),
    )
    assert counts is not None
    op.create_index(op.f("ix_interaction_counts_day"), "interaction_counts", ["day"], unique=False)
    _fold_anonymous_rows(connection, counts)


def _fold_anonymous_rows(connection: sa.Connection, counts: sa.Table) -> None:
    """The rows the old erasure left behind (user_ref NULL) become daily counts."""
    log = sa.table(
        "interactions",
        sa.column("id", sa.Integer()),
        sa.column("at", _timestamp()),
        sa.column("user_ref", sa.String()),
        sa.column("channel", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("intent", sa.String()),
        sa.column("decision", sa.String()),
    )
    rows = connection.execute(
        sa.select(log.c.at, log.c.channel, log.c.kind, log.c.intent, log.c.decision).where(
            log.c.user_ref.is_(None)
        )
    ).all()
    if not rows:
        return
    tally = Counter(
        (_day_start(r.at).date(), r.channel, r.kind, r.intent, r.decision) for r in rows
    )
    connection.execute(
        counts.insert(),
        [
            {
                "day": day,
                "channel": channel,
                "kind": kind,
                "intent": intent,
                "decision": decision,
                "topic": None,  # entry ids cannot be mapped to topics from here
                "count": count,
            }
            for (day, channel, kind, intent, decision), count in tally.items()
        ],
    )
    connection.execute(log.delete().where(log.c.user_ref.is_(None)))


def _day_start(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite hands back text through a lightweight table
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def downgrade() -> None:
    op.drop_index(op.f("ix_interaction_counts_day"), table_name="interaction_counts")
    op.drop_table("interaction_counts")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("topic")
    with op.batch_alter_table("users") as batch:
        batch.drop_index(batch.f("ix_users_last_seen_at"))
        batch.drop_column("code_paused_until")
        batch.drop_column("code_failures")
        batch.drop_column("last_seen_at")

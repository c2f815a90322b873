"""Outbox of outgoing messages; processed updates keyed by more than the update id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

`outbox`: every message the desk sends, written in the transaction that decided it and
delivered from there (storage/outbox.py). `processed_updates.update_id` becomes `key`, a
string naming the update and what it carries, so that Telegram restarting its update ids
cannot make the desk skip a new message; rows already there keep their id as their key
(they can match no new key, and housekeeping prunes them within a week).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("answers", sa.String(length=64), nullable=True),
        sa.Column("payload", _json(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _timestamp(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("settled_at", _timestamp(), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'refused')", name=op.f("ck_outbox_status")
        ),
        sa.CheckConstraint(
            "status <> 'pending' OR payload IS NOT NULL",
            name=op.f("ck_outbox_pending_has_payload"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    op.create_index(op.f("ix_outbox_chat_id"), "outbox", ["chat_id"], unique=False)
    op.create_index(op.f("ix_outbox_settled_at"), "outbox", ["settled_at"], unique=False)
    op.create_index(
        "ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"], unique=False
    )

    op.add_column("processed_updates", sa.Column("key", sa.String(length=64), nullable=True))
    op.execute("UPDATE processed_updates SET key = CAST(update_id AS VARCHAR(64))")
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_constraint("pk_processed_updates", type_="primary")
        batch.drop_column("update_id")
        batch.alter_column("key", existing_type=sa.String(length=64), nullable=False)
        batch.create_primary_key("pk_processed_updates", ["key"])


def downgrade() -> None:
    op.add_column(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=True),
    )
    # Only keys that are a bare update id can go back; the others are dropped (they would be
    # pruned within a week anyway, and the old schema cannot hold them).
    op.execute("DELETE FROM processed_updates WHERE key LIKE '%:%'")
    op.execute("UPDATE processed_updates SET update_id = CAST(key AS BIGINT)")
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_constraint("pk_processed_updates", type_="primary")
        batch.drop_column("key")
        batch.alter_column("update_id", existing_type=sa.BigInteger(), nullable=False)
        batch.create_primary_key("pk_processed_updates", ["update_id"])

    op.drop_index("ix_outbox_status_next_attempt_at", table_name="outbox")
    op.drop_index(op.f("ix_outbox_settled_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_chat_id"), table_name="outbox")
    op.drop_table("outbox")

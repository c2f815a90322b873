"""Initial schema: companies, users, chat links, conversations, interactions, updates.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

Written by hand from storage/models.py and checked against it by
tests/storage/test_migrations.py (autogenerate finds no difference on SQLite or PostgreSQL).
Types are spelled out here rather than imported from the models, so later model changes
cannot rewrite history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.CheckConstraint("code = upper(code)", name=op.f("ck_companies_code_upper")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("code", name=op.f("uq_companies_code")),
    )
    op.create_table(
        "users",
        sa.Column("user_ref", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("consent_version", sa.String(length=32), nullable=True),
        sa.Column("consent_at", _timestamp(), nullable=True),
        sa.Column("blocked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.CheckConstraint("role IN ('worker', 'company', 'manager')", name=op.f("ck_users_role")),
        sa.CheckConstraint(
            "(consent_version IS NULL AND consent_at IS NULL)"
            " OR (consent_version IS NOT NULL AND consent_at IS NOT NULL)",
            name=op.f("ck_users_consent_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_users_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_ref", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_company_id"), "users", ["company_id"], unique=False)
    op.create_table(
        "chat_links",
        sa.Column("user_ref", sa.String(length=128), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_ref"],
            ["users.user_ref"],
            name=op.f("fk_chat_links_user_ref_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_ref", name=op.f("pk_chat_links")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_chat_links_telegram_user_id")),
    )
    op.create_table(
        "conversations",
        sa.Column("user_ref", sa.String(length=128), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=True),
        sa.Column("step", sa.String(length=64), nullable=True),
        sa.Column("data", _json(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_ref"],
            ["users.user_ref"],
            name=op.f("fk_conversations_user_ref_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_ref", name=op.f("pk_conversations")),
    )
    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _timestamp(), nullable=False),
        sa.Column("user_ref", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("entry_ids", _json(), nullable=False),
        sa.Column("scores", _json(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("feedback", sa.String(length=16), nullable=True),
        sa.Column("question_text", sa.Text(), nullable=True),
        sa.Column("retain_until", _timestamp(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('telegram', 'terminal', 'test')", name=op.f("ck_interactions_channel")
        ),
        sa.CheckConstraint(
            "kind IN ('question', 'command', 'button', 'other')",
            name=op.f("ck_interactions_kind"),
        ),
        sa.CheckConstraint(
            "decision IN ('answer', 'clarify', 'fallback')", name=op.f("ck_interactions_decision")
        ),
        sa.CheckConstraint(
            "feedback IN ('helpful', 'not_helpful')", name=op.f("ck_interactions_feedback")
        ),
        sa.CheckConstraint(
            "question_text IS NULL OR retain_until IS NOT NULL",
            name=op.f("ck_interactions_text_has_deadline"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    op.create_index(op.f("ix_interactions_at"), "interactions", ["at"], unique=False)
    op.create_index(op.f("ix_interactions_user_ref"), "interactions", ["user_ref"], unique=False)
    op.create_index(
        op.f("ix_interactions_retain_until"), "interactions", ["retain_until"], unique=False
    )
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.create_index(
        op.f("ix_processed_updates_processed_at"),
        "processed_updates",
        ["processed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processed_updates_processed_at"), table_name="processed_updates")
    op.drop_table("processed_updates")
    op.drop_index(op.f("ix_interactions_retain_until"), table_name="interactions")
    op.drop_index(op.f("ix_interactions_user_ref"), table_name="interactions")
    op.drop_index(op.f("ix_interactions_at"), table_name="interactions")
    op.drop_table("interactions")
    op.drop_table("conversations")
    op.drop_table("chat_links")
    op.drop_index(op.f("ix_users_company_id"), table_name="users")
    op.drop_table("users")
    op.drop_table("companies")

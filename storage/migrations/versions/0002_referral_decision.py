"""Interactions may record a referral: the desk said "not mine" and named who handles it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

A referral is neither an answer nor a fallback, and the monitoring of the desk must tell them
apart (how many neighbouring questions arrive, and which), so it gets its own decision value.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ck_interactions_decision"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_constraint(op.f(_NAME), type_="check")
        batch.create_check_constraint(op.f(_NAME), condition)


def upgrade() -> None:
    _replace_check("decision IN ('answer', 'clarify', 'fallback', 'referral')")


def downgrade() -> None:
    op.execute("UPDATE interactions SET decision = 'fallback' WHERE decision = 'referral'")
    _replace_check("decision IN ('answer', 'clarify', 'fallback')")

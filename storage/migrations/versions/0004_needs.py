"""Needs analysis: workforce data sets, interview results and company plans (issue 17).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Written by hand from storage/models.py and checked against it by
tests/storage/test_migrations.py. Other branches add migrations too: whoever merges chains
them by setting `down_revision`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _company_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["company_id"],
        ["companies.id"],
        name=op.f(f"fk_{table}_company_id_companies"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "workforce_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("eta", sa.Integer(), nullable=False),
        sa.Column("genere", sa.String(length=1), nullable=False),
        sa.Column("contratto", sa.String(length=16), nullable=False),
        sa.Column("part_time", sa.Boolean(), nullable=False),
        sa.Column("figli_0_2", sa.Integer(), nullable=False),
        sa.Column("figli_3_5", sa.Integer(), nullable=False),
        sa.Column("figli_6_13", sa.Integer(), nullable=False),
        sa.Column("figli_14_18", sa.Integer(), nullable=False),
        sa.Column("caregiver", sa.Boolean(), nullable=False),
        sa.Column("minuti_tragitto", sa.Integer(), nullable=False),
        sa.Column("turni", sa.Boolean(), nullable=False),
        sa.Column("sede", sa.String(length=100), nullable=False),
        sa.Column("anzianita_anni", sa.Integer(), nullable=False),
        sa.CheckConstraint("genere IN ('F', 'M', 'X')", name=op.f("ck_workforce_records_genere")),
        sa.CheckConstraint(
            "contratto IN ('indeterminato', 'determinato', 'apprendistato', 'somministrato')",
            name=op.f("ck_workforce_records_contratto"),
        ),
        sa.CheckConstraint("eta BETWEEN 15 AND 80", name=op.f("ck_workforce_records_eta")),
        _company_fk("workforce_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workforce_records")),
    )
    op.create_index(
        op.f("ix_workforce_records_company_id"), "workforce_records", ["company_id"], unique=False
    )
    op.create_table(
        "workforce_imports",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", _timestamp(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        _company_fk("workforce_imports"),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_workforce_imports")),
    )
    op.create_table(
        "interview_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_ref", sa.String(length=128), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("consent_aggregate", sa.Boolean(), nullable=False),
        sa.Column("children_0_2", sa.Integer(), nullable=False),
        sa.Column("children_3_5", sa.Integer(), nullable=False),
        sa.Column("children_6_13", sa.Integer(), nullable=False),
        sa.Column("children_14_18", sa.Integer(), nullable=False),
        sa.Column("dependent_relatives", sa.Boolean(), nullable=False),
        sa.Column("commute_mode", sa.String(length=16), nullable=True),
        sa.Column("commute_band", sa.String(length=16), nullable=True),
        sa.Column("working_time", sa.String(length=16), nullable=True),
        sa.Column("wants_flexibility", sa.Boolean(), nullable=False),
        sa.Column("wants_smart_working", sa.Boolean(), nullable=False),
        sa.Column("need_areas", _json(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.CheckConstraint(
            "commute_mode IN ('car', 'public_transport', 'bike', 'walk', 'motorbike', 'mixed',"
            " 'other')",
            name=op.f("ck_interview_results_commute_mode"),
        ),
        sa.CheckConstraint(
            "commute_band IN ('0-15', '15-30', '30-45', '45-60', '60+')",
            name=op.f("ck_interview_results_commute_band"),
        ),
        sa.CheckConstraint(
            "working_time IN ('full_time', 'part_time', 'shifts')",
            name=op.f("ck_interview_results_working_time"),
        ),
        _company_fk("interview_results"),
        sa.ForeignKeyConstraint(
            ["user_ref"],
            ["users.user_ref"],
            name=op.f("fk_interview_results_user_ref_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_results")),
        sa.UniqueConstraint(
            "user_ref", "company_id", name=op.f("uq_interview_results_user_ref_company_id")
        ),
    )
    op.create_index(
        op.f("ix_interview_results_company_id"), "interview_results", ["company_id"], unique=False
    )
    op.create_table(
        "company_plans",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("topics", _json(), nullable=False),
        sa.Column("platform_url", sa.String(length=500), nullable=True),
        sa.Column("credit_cents", sa.Integer(), nullable=True),
        sa.Column("credit_expires", sa.Date(), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("updated_at", _timestamp(), nullable=False),
        _company_fk("company_plans"),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_company_plans")),
    )


def downgrade() -> None:
    op.drop_table("company_plans")
    op.drop_index(op.f("ix_interview_results_company_id"), table_name="interview_results")
    op.drop_table("interview_results")
    op.drop_table("workforce_imports")
    op.drop_index(op.f("ix_workforce_records_company_id"), table_name="workforce_records")
    op.drop_table("workforce_records")

"""The hand-written migrations must build exactly the schema the models describe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Column, Index, Integer, MetaData, String, inspect

from storage import Base, Database, Interaction, InteractionCount, User, head_revision


def schema_differences(database: Database, metadata: MetaData) -> list[Any]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))


def test_migrations_build_exactly_the_models_schema(fresh_db: Database) -> None:
    fresh_db.upgrade()
    assert schema_differences(fresh_db, Base.metadata) == []
    # autogenerate does not compare CHECK constraints: compare their names directly
    inspector = inspect(fresh_db.engine)
    for table in Base.metadata.sorted_tables:
        expected = {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)}
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert found == expected, table.name
    with fresh_db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == head_revision() == "0007"


def test_the_comparison_notices_a_drifted_model(fresh_db: Database) -> None:
    """The check above can fail: a column or index missing from the migration is reported."""
    fresh_db.upgrade()
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    users = drifted.tables["users"]
    users.append_column(Column("nickname", String(40)))
    Index("ix_users_language", users.c.language)
    drifted.tables["chat_links"].c.chat_id.type = Integer()
    differences = schema_differences(fresh_db, drifted)
    # modifications come as a list of changes, additions as one tuple
    kinds = sorted(diff[0][0] if isinstance(diff, list) else diff[0] for diff in differences)
    assert kinds == ["add_column", "add_index", "modify_type"]


def test_downgrade_removes_everything_and_upgrade_restores_it(fresh_db: Database) -> None:
    fresh_db.upgrade()
    fresh_db.downgrade("base")
    assert inspect(fresh_db.engine).get_table_names() == ["alembic_version"]
    fresh_db.upgrade()
    assert set(inspect(fresh_db.engine).get_table_names()) == {
        "alembic_version",
        *Base.metadata.tables,
    }


@pytest.mark.unit
def test_every_table_of_the_brief_is_modelled() -> None:
    assert set(Base.metadata.tables) == {
        "companies",
        "users",
        "chat_links",
        "conversations",
        "interactions",
        "interaction_counts",
        "processed_updates",
        "workforce_records",
        "workforce_imports",
        "interview_results",
        "company_plans",
        "outbox",
        "managers",
        "tickets",
        "ticket_events",
        "ticket_messages",
    }


def test_0002_keeps_users_and_folds_the_rows_the_old_erasure_left(fresh_db: Database) -> None:
    """An 0001 database with a user, their log row and two rows of an erased person."""
    fresh_db.upgrade_to("0001")
    seen = "2026-11-20 17:45:00+00:00"
    with fresh_db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (user_ref, blocked, created_at, updated_at)"
            f" VALUES ('ref-kept', false, '{seen}', '{seen}')"
        )
        for user_ref, at, decision in (
            ("'ref-kept'", "2026-11-20 17:45:00+00:00", "answer"),
            ("NULL", "2026-11-19 08:00:01+00:00", "answer"),
            ("NULL", "2026-11-19 08:00:09+00:00", "answer"),
            ("NULL", "2026-11-19 08:01:00+00:00", "fallback"),
        ):
            connection.exec_driver_sql(
                "INSERT INTO interactions (at, user_ref, channel, kind, intent, confidence,"
                " decision, entry_ids, scores, latency_ms, feedback)"
                f" VALUES ('{at}', {user_ref}, 'telegram', 'question', 'ask_benefit', 0.9,"
                f" '{decision}', '[\"nido-rimborso\"]', '[3.2]', 12.5, 'helpful')"
            )
    fresh_db.upgrade()
    with fresh_db.session() as session:
        user = session.get(User, "ref-kept")
        assert user is not None
        assert user.last_seen_at == dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
        assert user.code_failures == 0 and user.code_paused_until is None
        (kept,) = session.query(Interaction).all()
        assert kept.user_ref == "ref-kept" and kept.topic is None
        counts = {
            (c.day, c.decision, c.intent, c.topic): c.count for c in session.query(InteractionCount)
        }
    assert counts == {
        (dt.date(2026, 11, 19), "answer", "ask_benefit", None): 2,
        (dt.date(2026, 11, 19), "fallback", "ask_benefit", None): 1,
    }
    fresh_db.downgrade("0001")
    assert "interaction_counts" not in inspect(fresh_db.engine).get_table_names()
    assert "last_seen_at" not in {c["name"] for c in inspect(fresh_db.engine).get_columns("users")}

"""The hand-written migrations must build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Column, Index, Integer, MetaData, String, inspect

from storage import Base, Database, head_revision


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
        assert context.get_current_revision() == head_revision() == "0002"


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
        "processed_updates",
        "outbox",
    }

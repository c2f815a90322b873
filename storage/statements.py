"""Dialect-specific statements the repositories share."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.errors import StorageError
from storage.models import Base, table_of


def insert_if_absent(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row unless it would break a unique constraint; True if it was inserted.

    `INSERT ... ON CONFLICT DO NOTHING` decides inside the database, so two transactions
    racing for the same key cannot both win: on PostgreSQL the second waits for the first
    to commit (and then inserts nothing) or to roll back (and then inserts). No exception
    is raised, so the caller's transaction stays usable.
    """
    session.flush()  # the statement bypasses the ORM: pending objects must be in first
    connection = session.connection()
    statement = _insert_if_absent(connection.dialect.name, table_of(model))
    return connection.execute(statement, values).first() is not None


def dialect_insert(dialect: str, table: Table) -> Any:
    """The backend's own INSERT, the one that has ON CONFLICT (the generic one has not).

    Typed `Any`: the two dialects' classes share no base that declares `on_conflict_do_nothing`.
    """
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    # Database.from_url accepts no other backend
    raise StorageError(
        f"the {dialect} backend is not supported — use sqlite:/// or postgresql+psycopg://"
    )


@functools.cache
def _insert_if_absent(dialect: str, table: Table) -> Insert:
    """Built once per table (the columns come with the parameters): every turn runs one."""
    primary_key = table.primary_key.columns.values()[0]
    insert: Insert = dialect_insert(dialect, table).on_conflict_do_nothing().returning(primary_key)
    return insert

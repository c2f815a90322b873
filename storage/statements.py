"""Dialect-specific statements the repositories share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.errors import StorageError
from storage.models import Base


def insert_if_absent(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row unless it would break a unique constraint; True if it was inserted.

    `INSERT ... ON CONFLICT DO NOTHING` decides inside the database, so two transactions
    racing for the same key cannot both win: on PostgreSQL the second waits for the first
    to commit (and then inserts nothing) or to roll back (and then inserts). No exception
    is raised, so the caller's transaction stays usable.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(model)
    elif dialect == "sqlite":
        statement = sqlite.insert(model)
    else:  # Database.from_url accepts no other backend
        raise StorageError(
            f"the {dialect} backend is not supported — use sqlite:/// or postgresql+psycopg://"
        )
    primary_key = inspect(model).primary_key[0]
    statement = statement.values(values).on_conflict_do_nothing().returning(primary_key)
    return session.execute(statement).first() is not None

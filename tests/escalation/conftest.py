"""Escalation tests use the storage fixtures: each `db` test runs on SQLite and PostgreSQL."""

from tests.storage.conftest import (  # noqa: F401  (fixtures)
    db,
    postgres,
    postgres_database,
    sqlite_template,
)

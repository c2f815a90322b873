"""Running the bundled Alembic migrations from code.

The scripts live inside the package (`storage/migrations`), so an installed desk migrates its
database without an alembic.ini on disk; `storage/alembic.ini` is only for developers writing
a new revision (see storage/README.md).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str, connection: Connection | None = None) -> Config:
    """An in-memory Alembic config for the bundled scripts.

    With a connection, `migrations/env.py` runs on it instead of opening its own, so the
    engine's connection set-up (SQLite pragmas, pool) applies to the migration too.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    # ConfigParser interpolates '%', which may occur in an escaped password.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(connection: Connection, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url, connection), revision)


def downgrade_to(connection: Connection, url: str, revision: str) -> None:
    command.downgrade(alembic_config(url, connection), revision)


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()

"""Storage fixtures: every `db` test runs on SQLite (a tmp_path file) and on PostgreSQL.

PostgreSQL tests get a schema of their own, created with a random name in the database of
$SPORTELLO_TEST_POSTGRES_URL (default: `test` on 127.0.0.1:5432) and dropped at the end of
the run, so parallel runs never meet. The schema is migrated once; each test
starts from empty tables. When the server is not reachable only the PostgreSQL cases are
skipped, with the reason in the summary.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from storage import Base, Database

POSTGRES_ENV = "SPORTELLO_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

BACKENDS = [
    pytest.param("sqlite", marks=pytest.mark.unit, id="sqlite"),
    pytest.param("postgresql", marks=pytest.mark.integration, id="postgresql"),
]


class PostgresServer:
    """The test server, reached through its `test` database; hands out throwaway schemas.

    A schema per use (instead of a database) keeps runs apart at no cost: creating and
    dropping databases makes PostgreSQL checkpoint, a second or two each time.
    """

    def __init__(self, url: URL) -> None:
        self.url = url
        self._engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            poolclass=NullPool,
            connect_args={"connect_timeout": 3},
        )
        self._created: list[str] = []

    def reachable(self) -> bool:
        try:
            with self._engine.connect():
                return True
        except OperationalError:
            return False

    def create_schema(self) -> str:
        """The URL of a new, empty schema, which is the only one on its search path."""
        name = f"sportello_test_{secrets.token_hex(6)}"
        with self._engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        self._created.append(name)
        scoped = self.url.update_query_dict({"options": f"-csearch_path={name}"})
        return scoped.render_as_string(hide_password=False)

    def drop_schemas(self) -> None:
        if self._created:
            with self._engine.connect() as connection:
                for name in self._created:
                    connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self._engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    url = make_url(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES_URL))
    server = PostgresServer(url)
    if not server.reachable():
        server.drop_schemas()
        pytest.skip(
            f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}:"
            f" PostgreSQL-specific tests skipped (set {POSTGRES_ENV} to point at a server)"
        )
    yield server
    server.drop_schemas()


@pytest.fixture(scope="session")
def postgres_database(postgres: PostgresServer) -> Iterator[Database]:
    """One migrated PostgreSQL schema for the whole run; tests empty its tables."""
    database = Database.from_url(postgres.create_schema())
    database.upgrade()
    yield database
    database.dispose()


def empty_tables(database: Database) -> None:
    # DELETE, not TRUNCATE: on a handful of rows it is ten times faster. Ids keep growing
    # across tests, so no test may rely on their values.
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'var' / 'sportello.sqlite3'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating every time."""
    folder = tmp_path_factory.mktemp("template")
    database = Database.from_url(sqlite_url(folder))
    database.upgrade()
    database.dispose()  # checkpoints the WAL: the main file is then complete
    return folder / "var" / "sportello.sqlite3"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        (tmp_path / "var").mkdir()
        shutil.copyfile(
            request.getfixturevalue("sqlite_template"), tmp_path / "var" / "sportello.sqlite3"
        )
        database = Database.from_url(sqlite_url(tmp_path))
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("postgres_database")
        empty_tables(database)
        yield database


@pytest.fixture(params=BACKENDS)
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, unmigrated database on each backend (a new PostgreSQL schema each time)."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres").create_schema()
    database = Database.from_url(url)
    yield database
    database.dispose()

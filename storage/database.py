"""Opening the database: engine set-up per backend, sessions, migrations.

SQLite is the default for a single desk and for tests; PostgreSQL is for production. Only
these two are accepted, because the repositories use their `ON CONFLICT` and `RETURNING`.
On SQLite every session takes the write lock when it begins, so concurrent turns run one
after the other (waiting up to `SQLITE_BUSY_TIMEOUT_MS`) instead of failing; PostgreSQL runs
them side by side under READ COMMITTED.

What the database holds is personal, so it is guarded like it: the engine hides bound
parameters (question texts, user references) from every log line and error message; a SQLite
file is created 0600 in a folder created 0700, and its side files (`-wal`, `-shm`, the writer
lock) are brought to 0600 too; `secure_delete` overwrites deleted rows, and after an erasure
`checkpoint()` copies the WAL into the file and empties it, so the erased text is gone from
the disk while the desk runs, not at its next restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.errors import StorageError
from storage.migrate import downgrade_to, upgrade_to_head

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a SQLite session waits for another one's transaction before 'database is locked'."""

_EXAMPLES = "e.g. sqlite:///var/sportello.sqlite3 or postgresql+psycopg://user:pw@host:5432/name"


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ***, also when it cannot be parsed."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


class Database:
    """One database: its engine, a session factory and its migrations.

    Build it once at start-up (`Database.from_url(settings...)`, then `upgrade()`) and pass it
    to whoever needs sessions; nothing here is global.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = mask_url(engine.url)
        # Rows returned by the repositories stay readable after the `with` block commits.
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        sqlite = engine.dialect.name == "sqlite"
        self._writer_lock = threading.Lock() if sqlite else None
        self._writer_file = _writer_lock_file(engine.url) if sqlite else None

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        """An engine for `url`, not yet connected (connecting happens in `upgrade`).

        `postgresql://` without a driver means psycopg 3, the driver the desk ships with.
        """
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StorageError(
                f"{mask_url(url)!r} is not a database URL — use one like {_EXAMPLES}"
            ) from None
        backend = parsed.get_backend_name()
        try:
            if backend == "sqlite":
                return cls(_sqlite_engine(parsed, echo))
            if backend == "postgresql":
                if parsed.drivername == "postgresql":
                    parsed = parsed.set(drivername="postgresql+psycopg")
                return cls(
                    create_engine(parsed, echo=echo, pool_pre_ping=True, hide_parameters=True)
                )
        except (ImportError, NoSuchModuleError) as exc:
            raise StorageError(
                f"{mask_url(parsed)}: database driver not available ({exc})"
                " — use postgresql+psycopg:// (psycopg 3 is a dependency) or sqlite:///"
            ) from exc
        raise StorageError(
            f"{mask_url(parsed)}: unsupported database '{backend}'"
            f" — Sportello runs on SQLite or PostgreSQL, {_EXAMPLES}"
        )

    def session(self) -> contextlib.AbstractContextManager[Session]:
        """A session in a transaction: committed when the block ends, rolled back on error."""
        if self._writer_lock is None:
            return self._sessions.begin()
        return self._serialised()

    @contextlib.contextmanager
    def _serialised(self) -> Iterator[Session]:
        """SQLite allows one writer: threads of this process queue on a lock, not on SQLite.

        SQLite's own busy handler sleeps in growing steps (up to 100 ms) while another
        connection writes; a Python lock wakes the next thread the moment the previous
        transaction ends, so concurrent turns cost their work and nothing more. Between
        processes (several engine workers on one file) an advisory lock on a sidecar file
        does the same: the kernel wakes the waiter when the holder lets go.
        """
        assert self._writer_lock is not None
        with self._writer_lock, _file_lock(self._writer_file), self._sessions.begin() as session:
            yield session

    def checkpoint(self) -> None:
        """After an erasure: write the WAL into the database file and truncate it.

        Until then the WAL still holds the pages as they were before the erasure (with
        `secure_delete`, the database file itself never keeps deleted content). Nothing to do
        on PostgreSQL, whose storage is the server's business, or in memory.
        """
        if self._writer_file is None:
            return
        assert self._writer_lock is not None
        with self._writer_lock, _file_lock(self._writer_file), self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection  # outside a transaction, as SQLite wants
            assert raw is not None
            busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                logger.warning("WAL checkpoint after an erasure could not finish: a reader held it")

    def upgrade(self) -> None:
        """Bring the schema to the newest revision shipped with this code.

        This is the first time the desk talks to the database, so it is also where an
        unreachable server or a wrong URL is reported.
        """
        with self._migration_connection() as connection:
            upgrade_to_head(connection, self._real_url())
        logger.info("database %s is at the current schema", self.url)

    def upgrade_to(self, revision: str) -> None:
        """Migrate to `revision` only (not the newest): for tests of later migrations."""
        with self._migration_connection() as connection:
            upgrade_to_head(connection, self._real_url(), revision)

    def downgrade(self, revision: str) -> None:
        """Go back to `revision` ('base' drops every table): for developers and tests."""
        with self._migration_connection() as connection:
            downgrade_to(connection, self._real_url(), revision)

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or before the file is removed)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    def __str__(self) -> str:
        return self.url

    def _real_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @contextlib.contextmanager
    def _migration_connection(self) -> Iterator[Connection]:
        """A connection in a transaction for Alembic, with errors turned into StorageError.

        On SQLite, foreign keys are switched off for the migration (Alembic's batch mode
        rebuilds tables, and with foreign keys on, dropping the old table would cascade) and
        checked afterwards; the pragma only works outside a transaction, hence the raw
        driver connection.
        """
        sqlite = self.engine.dialect.name == "sqlite"
        try:
            with self.engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                if sqlite and raw is not None:
                    raw.execute("PRAGMA foreign_keys=OFF")
                try:
                    with connection.begin():
                        yield connection
                        if sqlite and raw is not None:
                            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
                            if broken:
                                raise StorageError(
                                    f"{self.url}: the migration left rows pointing at missing"
                                    f" rows ({broken[:3]}) — nothing was changed; report this"
                                    " as a bug in the migration"
                                )
                finally:
                    if sqlite and raw is not None:
                        raw.execute("PRAGMA foreign_keys=ON")
        except CommandError as exc:
            raise StorageError(
                f"{self.url}: cannot migrate the database ({exc}) — it was probably migrated"
                " by a newer Sportello: run that version, or restore a backup"
            ) from exc
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            fix = (
                "check that the database file and its folder are readable and writable"
                if sqlite
                else "check that the server is running and that the database URL, user and"
                " password in the settings are right"
            )
            raise StorageError(
                f"{self.url}: cannot open or migrate the database ({reason}) — {fix}"
            ) from exc


def _writer_lock_file(url: URL) -> Path | None:
    """The sidecar file whose lock serialises writers across processes (file databases only)."""
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return None
    if url.query.get("uri") == "true":
        return None  # a URI filename may not map to a path on this machine
    return Path(database).expanduser().with_name(Path(database).name + ".writer-lock")


@contextlib.contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


SIDE_FILES = ("-wal", "-shm", "-journal", ".writer-lock")


def _private_database_file(path: Path) -> None:
    """The database file and its side files exist only as 0600, in a folder made 0700.

    SQLite gives `-wal` and `-shm` the mode of the database file, so creating that one
    private first is enough for new files; older ones are tightened when they are ours.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    with contextlib.suppress(FileExistsError):  # whatever is there, SQLite will judge it
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        try:
            info = file.stat()
        except FileNotFoundError:
            continue
        if info.st_mode & 0o077 and info.st_uid == os.getuid() and stat.S_ISREG(info.st_mode):
            file.chmod(0o600)


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or url.query.get("mode") == "memory"
    if in_memory:
        # One shared connection, or every checkout would see its own empty database.
        engine = create_engine(
            url,
            echo=echo,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
    else:
        if url.query.get("uri") != "true":
            try:
                _private_database_file(Path(database).expanduser())
            except OSError as exc:
                raise StorageError(
                    f"{mask_url(url)}: cannot create the folder for the database file ({exc})"
                    " — choose a writable path in the database URL"
                ) from exc
        engine = create_engine(url, echo=echo, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # SQLAlchemy emits BEGIN itself (below): the sqlite3 module's own transaction
        # handling would otherwise break SAVEPOINTs and transactional DDL.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Deleted rows are overwritten with zeros, whatever the SQLite build's default.
        dbapi_connection.execute("PRAGMA secure_delete=ON")
        if not in_memory:
            # Commits no longer rewrite the main file, and readers outside the desk's
            # sessions (a backup, the sqlite3 shell) do not block it.
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL never corrupts the database; a power cut may lose the last
            # few turns, in exchange for no fsync on every commit (one per message).
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front. With a plain (deferred) BEGIN, a turn that
        # reads and then writes fails at once with "database is locked" when another turn
        # wrote in between, because SQLite cannot wait on a stale snapshot; this way the
        # second turn waits (busy_timeout) and then sees the first one's rows.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine

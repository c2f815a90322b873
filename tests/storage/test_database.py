"""Opening databases: URLs, SQLite set-up, transactions, time zones, error messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import (
    Company,
    Database,
    StorageError,
    add_company,
    ensure_user,
    find_company,
    find_user,
    head_revision,
)
from tests.storage.builders import NOW, add_user


@pytest.mark.unit
def test_sqlite_file_gets_its_folder_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "var" / "desk.sqlite3"
    database = Database.from_url(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()  # created before the first connection
        database.upgrade()
        with database.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
        assert path.is_file()
    finally:
        database.dispose()


@pytest.mark.unit
def test_in_memory_sqlite_is_one_database_for_every_session() -> None:
    database = Database.from_url("sqlite://")
    try:
        database.upgrade()
        with database.session() as session:
            add_company(session, code="ACME", name="Acme S.p.A.", now=NOW)
        with database.session() as session:
            company = find_company(session, code="acme")
            assert company is not None and company.name == "Acme S.p.A."
    finally:
        database.dispose()


@pytest.mark.unit
def test_password_is_masked_everywhere() -> None:
    database = Database.from_url("postgresql://sportello:s3cret@db.example:5432/desk")
    try:
        assert database.url == "postgresql+psycopg://sportello:***@db.example:5432/desk"
        assert "s3cret" not in repr(database)
        assert "s3cret" not in str(database)
        assert str(database) == database.url
        # the driver-less URL means psycopg 3, the driver the desk ships with
        assert database.engine.url.drivername == "postgresql+psycopg"
    finally:
        database.dispose()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://desk:s3cret@localhost/desk", "unsupported database 'mysql'"),
        ("nonsense", "not a database URL"),
        ("postgresql+nosuchdriver://desk:s3cret@localhost/desk", "postgresql"),
    ],
)
def test_unusable_urls_are_refused_without_the_password(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message) as raised:
        Database.from_url(url)
    assert "s3cret" not in str(raised.value)


@pytest.mark.integration
def test_unreachable_server_names_the_url_and_the_fix() -> None:
    database = Database.from_url(
        "postgresql+psycopg://desk:s3cret@127.0.0.1:1/desk?connect_timeout=3"
    )
    try:
        with pytest.raises(StorageError) as raised:
            database.upgrade()
    finally:
        database.dispose()
    message = str(raised.value)
    assert "postgresql+psycopg://desk:***@127.0.0.1:1/desk" in message
    assert "s3cret" not in message
    assert "check that the server is running" in message


@pytest.mark.unit
def test_a_database_path_that_cannot_exist_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", "utf-8")
    with pytest.raises(StorageError, match=r"cannot create the folder .* writable path"):
        Database.from_url(f"sqlite:///{blocker / 'var' / 'desk.sqlite3'}")


@pytest.mark.unit
def test_an_unopenable_sqlite_file_names_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder-not-a-file.sqlite3"
    folder.mkdir()
    database = Database.from_url(f"sqlite:///{folder}")
    try:
        with pytest.raises(StorageError, match=r"unable to open database file.*readable and"):
            database.upgrade()
    finally:
        database.dispose()


@pytest.mark.unit
def test_database_from_a_newer_version_is_reported(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    try:
        database.upgrade()
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
        with pytest.raises(StorageError, match="newer Sportello"):
            database.upgrade()
    finally:
        database.dispose()


def test_upgrade_twice_changes_nothing(db: Database) -> None:
    with db.session() as session:
        add_company(session, code="ACME", name="Acme", now=NOW)
    db.upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (head_revision(),)
        ]
    with db.session() as session:
        assert find_company(session, code="ACME") is not None


def test_session_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    with db.session() as session:
        add_company(session, code="KEPT", name="Kept", now=NOW)
    with pytest.raises(RuntimeError), db.session() as session:
        add_company(session, code="LOST", name="Lost", now=NOW)
        raise RuntimeError("handler failed")
    with db.session() as session:
        assert find_company(session, code="KEPT") is not None
        assert find_company(session, code="LOST") is None


def test_returned_rows_stay_readable_after_the_session(db: Database) -> None:
    with db.session() as session:
        add_company(session, code="ACME", name="Acme", now=NOW)
        user = ensure_user(
            session, user_ref="u1", telegram_user_id=None, chat_id=None, language="it", now=NOW
        )
    assert (user.user_ref, user.language, user.company) == ("u1", "it", None)


def test_foreign_keys_are_enforced_and_cascade(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        session.execute(
            text("INSERT INTO chat_links (user_ref, telegram_user_id, chat_id) VALUES ('x', 1, 1)")
        )
    with db.session() as session:
        add_user(session, "u1", telegram_user_id=42)
    with db.session() as session:
        session.execute(text("DELETE FROM users WHERE user_ref = 'u1'"))
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM chat_links")).scalar() == 0


def test_timestamps_are_stored_as_instants_and_read_in_utc(db: Database) -> None:
    rome_summer = timezone(timedelta(hours=2))
    local = datetime(2026, 7, 1, 11, 0, tzinfo=rome_summer)
    with db.session() as session:
        add_user(session, "u1", now=local)
        # rows written directly, not through a repository, are converted by the column type
        session.add(Company(code="DIRECT", name="Direct", created_at=local))
    with db.session() as session:
        if db.engine.dialect.name == "postgresql":
            session.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
        user = find_user(session, user_ref="u1")
        company = find_company(session, code="DIRECT")
        assert user is not None and company is not None
        for stamp in (user.created_at, company.created_at):
            assert stamp == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
            assert stamp.utcoffset() == timedelta(0)
            assert (stamp.hour, stamp.tzinfo) == (9, UTC)


def test_threads_sharing_a_sqlite_database_queue_instead_of_failing(tmp_path: Path) -> None:
    """SQLite has one writer: the Database queues its own threads rather than erroring."""
    import threading
    import time as clock

    db = Database.from_url(f"sqlite:///{tmp_path / 'queue.db'}")
    db.upgrade()
    inside = 0
    overlap = False
    errors: list[BaseException] = []

    def turn(number: int) -> None:
        nonlocal inside, overlap
        try:
            with db.session() as session:
                inside += 1
                overlap |= inside > 1
                session.execute(text("SELECT 1"))
                clock.sleep(0.02)
                inside -= 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=turn, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.dispose()
    assert errors == [] and not overlap

"""SQLite writers of several processes queue on `<db file>.writer-lock` (flock), not on SQLite.

The multi-process tests run a second, real Python process on the same database file. That
process lowers its SQLite busy timeout to 200 ms, so that if it waited on SQLite (and not on
the lock file) it would fail with "database is locked" well inside the test's bounded wait.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storage import Database, add_company, list_companies
from tests.storage.builders import NOW

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CHILD_BUSY_TIMEOUT_MS = 200
PROMPT = 0.5
"""Seconds within which a queued writer must start once the lock is free (SQLite's busy
timeout is 5 s; its busy handler would also add up to 100 ms sleeps)."""

CHILD = """
import datetime as dt, json, sys, time
from pathlib import Path
from sqlalchemy import text
import storage.database
storage.database.SQLITE_BUSY_TIMEOUT_MS = int(sys.argv[4])
from storage import Database, add_company, find_company

mode, url, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
now = dt.datetime.now(dt.UTC)
database = Database.from_url(url)
if mode == "write":
    (folder / "ready").touch()
    with database.session() as session:
        entered = time.monotonic()
        (folder / "entered").touch()
        busy = session.execute(text("PRAGMA busy_timeout")).scalar()
        saw = find_company(session, code="PRIMO") is not None
        add_company(session, code="SECONDO", name="Second writer", now=now)
    database.dispose()
    print(json.dumps({"entered": entered, "busy_timeout": busy, "saw_first_commit": saw}))
elif mode == "hold":
    with database.session() as session:
        add_company(session, code="FANTASMA", name="Never committed", now=now)
        session.flush()
        (folder / "holding").touch()
        time.sleep(60)
"""


def start_child(mode: str, url: str, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, url, str(folder), str(CHILD_BUSY_TIMEOUT_MS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop_child(child: subprocess.Popen[str]) -> None:
    if child.returncode is None:
        child.kill()
        child.communicate()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def queued_on(lock_file: Path, pid: int) -> bool:
    """Whether `pid` is blocked waiting for a flock on `lock_file`.

    Linux lists waiters in /proc/locks with an arrow:
    `7: -> FLOCK  ADVISORY  WRITE 4242 fe:00:1474572 0 EOF` (pid, then device:inode).
    """
    if not lock_file.exists():
        return False
    inode = lock_file.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()[1:]
        if fields[:2] == ["->", "FLOCK"] and len(fields) >= 6:
            owner, where = fields[4], fields[5]
            if owner == str(pid) and where.endswith(f":{inode}"):
                return True
    return False


def is_locked(lock_file: Path) -> bool:
    """Whether someone holds the writer lock (tried from a fresh open file, never waiting)."""
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    path = tmp_path / "var" / "sportello.sqlite3"
    database = Database.from_url(f"sqlite:///{path}")
    database.upgrade()
    yield database, path
    database.dispose()


def companies(database: Database) -> set[str]:
    with database.session() as session:
        return {company.code for company in list_companies(session)}


def test_the_lock_file_sits_next_to_the_database_and_is_held_only_during_a_session(
    database_file: tuple[Database, Path],
) -> None:
    database, path = database_file
    lock_file = path.with_name("sportello.sqlite3.writer-lock")
    with database.session() as session:
        add_company(session, code="PRIMO", name="First writer", now=NOW)
        assert lock_file.is_file()
        assert is_locked(lock_file)
    assert not is_locked(lock_file)  # released at commit
    with pytest.raises(RuntimeError, match="turn failed"), database.session() as session:
        add_company(session, code="SECONDO", name="Rolled back", now=NOW)
        assert is_locked(lock_file)
        raise RuntimeError("turn failed")
    assert not is_locked(lock_file)  # and at rollback
    assert companies(database) == {"PRIMO"}


def test_a_second_process_waits_for_the_writer_then_goes_on_at_once(
    database_file: tuple[Database, Path], tmp_path: Path
) -> None:
    database, path = database_file
    lock_file = path.with_name(path.name + ".writer-lock")
    url = f"sqlite:///{path}"
    child: subprocess.Popen[str] | None = None
    try:
        with database.session() as session:
            add_company(session, code="PRIMO", name="First writer", now=NOW)
            session.flush()  # SQLite's write lock is held too, not only the lock file
            child = start_child("write", url, tmp_path)
            wait_until(
                lambda: queued_on(lock_file, child.pid) or child.poll() is not None,
                timeout=30,
                what="the second process to queue on the lock file",
            )
            assert child.poll() is None, child.communicate()
            # Longer than the child's busy timeout: it neither failed nor went ahead.
            deadline = time.monotonic() + 3 * CHILD_BUSY_TIMEOUT_MS / 1000
            while time.monotonic() < deadline:
                assert child.poll() is None, child.communicate()
                assert not (tmp_path / "entered").exists()
                time.sleep(0.02)
            assert queued_on(lock_file, child.pid)
            committing = time.monotonic()
        committed = time.monotonic()
        out, err = child.communicate(timeout=30)
    finally:
        if child is not None:
            stop_child(child)
    assert child.returncode == 0, err
    result = json.loads(out)
    assert result["busy_timeout"] == CHILD_BUSY_TIMEOUT_MS
    assert result["saw_first_commit"] is True
    assert committing < result["entered"] < committed + PROMPT
    assert companies(database) == {"PRIMO", "SECONDO"}


def test_a_killed_writer_does_not_wedge_the_others(
    database_file: tuple[Database, Path], tmp_path: Path
) -> None:
    database, path = database_file
    lock_file = path.with_name(path.name + ".writer-lock")
    child = start_child("hold", f"sqlite:///{path}", tmp_path)
    try:
        wait_until(
            lambda: (tmp_path / "holding").exists() or child.poll() is not None,
            timeout=30,
            what="the other process to open its session",
        )
        assert child.poll() is None, child.communicate()
        assert is_locked(lock_file)
        os.kill(child.pid, signal.SIGKILL)  # a worker dies mid-turn
        child.communicate(timeout=30)
    finally:
        stop_child(child)
    started = time.monotonic()
    with database.session() as session:
        add_company(session, code="PRIMO", name="First writer", now=NOW)
    assert time.monotonic() - started < PROMPT
    assert companies(database) == {"PRIMO"}  # the dead writer's turn was rolled back


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:desk?mode=memory&cache=shared&uri=true",
    ],
)
def test_in_memory_databases_have_no_lock_file_and_still_work(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a lock file for ':memory:' would land here
    database = Database.from_url(url)
    try:
        database.upgrade()

        def write(code: str) -> None:
            with database.session() as session:
                add_company(session, code=code, name=code.title(), now=NOW)

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, ["PRIMO", "SECONDO"]))
        assert companies(database) == {"PRIMO", "SECONDO"}
    finally:
        database.dispose()
    assert list(tmp_path.iterdir()) == []

"""Deduplication of Telegram updates, including under concurrency, and its migration."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import text

from storage import (
    Database,
    add_company,
    find_company,
    mark_update_processed,
    prune_processed_updates,
)
from tests.storage.builders import NOW, race


def mark_in_own_session(db: Database, key: str) -> bool:
    with db.session() as session:
        return mark_update_processed(session, key=key, now=NOW)


def test_an_update_is_new_once(db: Database) -> None:
    with db.session() as session:
        assert mark_update_processed(session, key="1", now=NOW) is True
        assert mark_update_processed(session, key="1", now=NOW) is False
        assert mark_update_processed(session, key="2", now=NOW) is True
    assert mark_in_own_session(db, "1") is False
    # a restarted update counter may reuse an id: the rest of the key tells the updates apart
    assert mark_in_own_session(db, "1:c0ffee") is True


def test_a_duplicate_leaves_the_transaction_usable(db: Database) -> None:
    assert mark_in_own_session(db, "7") is True
    with db.session() as session:
        assert mark_update_processed(session, key="7", now=NOW) is False
        add_company(session, code="ACME", name="Acme", now=NOW)
    with db.session() as session:
        assert find_company(session, code="ACME") is not None


def test_a_rolled_back_turn_does_not_mark_its_update(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        assert mark_update_processed(session, key="9", now=NOW) is True
        raise RuntimeError("handler failed")
    assert mark_in_own_session(db, "9") is True  # the redelivery is handled


def test_old_update_ids_are_pruned(db: Database) -> None:
    with db.session() as session:
        for hours, key in [(0, "1"), (12, "2"), (25, "3"), (30, "4")]:
            mark_update_processed(session, key=key, now=NOW + timedelta(hours=hours))
    with db.session() as session:
        cutoff = NOW + timedelta(hours=25)  # strictly older only: 1 and 2
        assert prune_processed_updates(session, older_than=cutoff) == 2
        assert prune_processed_updates(session, older_than=cutoff) == 0
    with db.session() as session:
        assert mark_update_processed(session, key="1", now=NOW) is True  # forgotten
        assert mark_update_processed(session, key="3", now=NOW) is False  # remembered
        assert mark_update_processed(session, key="4", now=NOW) is False


def test_concurrent_marks_of_one_update_have_one_winner(db: Database) -> None:
    workers = 8
    results = race(
        db, workers, lambda session, _: mark_update_processed(session, key="42", now=NOW)
    )
    assert sorted(results) == [False] * (workers - 1) + [True]


def test_a_second_marker_waits_for_the_first_to_commit(db: Database) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        with db.session() as first:
            assert mark_update_processed(first, key="5", now=NOW) is True
            second = pool.submit(mark_in_own_session, db, "5")
            time.sleep(0.3)
            assert not second.done()  # held back by the first, uncommitted, transaction
        assert second.result(timeout=10) is False


def test_a_second_marker_wins_when_the_first_rolls_back(db: Database) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        with pytest.raises(RuntimeError), db.session() as first:
            assert mark_update_processed(first, key="6", now=NOW) is True
            second = pool.submit(mark_in_own_session, db, "6")
            time.sleep(0.3)
            assert not second.done()
            raise RuntimeError("handler failed")
        assert second.result(timeout=10) is True
    assert mark_in_own_session(db, "6") is False


def test_the_migration_keeps_the_update_ids_already_processed(fresh_db: Database) -> None:
    """0004 → 0005 turns each remembered update id into a key, and back on downgrade."""
    fresh_db.upgrade()
    fresh_db.downgrade("0004")
    with fresh_db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO processed_updates (update_id, processed_at) VALUES (:i, :at)"),
            [{"i": 2**40, "at": NOW}, {"i": 5, "at": NOW}],
        )
    fresh_db.upgrade()
    assert mark_in_own_session(fresh_db, str(2**40)) is False
    assert mark_in_own_session(fresh_db, "5") is False
    assert mark_in_own_session(fresh_db, "5:c0ffee") is True
    fresh_db.downgrade("0004")
    with fresh_db.engine.connect() as connection:
        ids = connection.execute(text("SELECT update_id FROM processed_updates")).scalars()
        assert sorted(ids) == [5, 2**40]  # the new-style key could not go back

"""Builders for storage tests: a user or a logged turn in one line, defaults filled in."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session

from storage import Database, User, ensure_user, log_interaction

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

T = TypeVar("T")


def add_user(
    session: Session,
    user_ref: str,
    telegram_user_id: int | None = None,
    language: str | None = "it",
    now: datetime = NOW,
    chat_id: int | None = None,
) -> User:
    """A user's first (or next) contact; the chat id defaults to the Telegram id + 1,000,000."""
    if chat_id is None and telegram_user_id is not None:
        chat_id = telegram_user_id + 1_000_000
    return ensure_user(
        session,
        user_ref=user_ref,
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        language=language,
        now=now,
    )


def log_turn(
    session: Session,
    user_ref: str | None,
    *,
    at: datetime = NOW,
    decision: str | None = "answer",
    intent: str | None = "faq.buoni-pasto",
    entry_ids: Sequence[str] = ("buoni-pasto-esenzione",),
    scores: Sequence[float] = (0.91,),
    question_text: str | None = None,
    retain_for: timedelta | None = None,
) -> int:
    return log_interaction(
        session,
        user_ref=user_ref,
        at=at,
        channel="telegram",
        kind="question",
        intent=intent,
        confidence=0.9 if decision == "answer" else 0.4,
        decision=decision,
        entry_ids=entry_ids,
        scores=scores,
        latency_ms=120.0,
        question_text=question_text,
        retain_until=None if retain_for is None else at + retain_for,
    )


def race(db: Database, workers: int, action: Callable[[Session, int], T]) -> list[T]:
    """Run `action` in `workers` threads released together, each in a transaction of its own.

    Each thread has its own `Database`, as separate processes (engine workers) would: on
    PostgreSQL the transactions overlap and the database settles the race; on SQLite the
    writers' file lock queues them, so the barrier is passed before a session is opened
    (a thread waiting there while holding the lock would block the others for good).
    Re-raises the first error a thread met.
    """
    barrier = threading.Barrier(workers)

    def one(number: int) -> T:
        barrier.wait(timeout=10)
        with Database(db.engine).session() as session:
            return action(session, number)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(workers), timeout=30))

"""Input checks shared by the repositories.

They run before any SQL so that a bad value fails the same way on SQLite (which would store
almost anything) and on PostgreSQL (which would refuse it mid-transaction).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


def aware_utc(value: datetime, name: str) -> datetime:
    """`value` in UTC; naive datetimes are refused because their meaning depends on the host."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware (e.g. datetime.now(UTC)), got naive {value!r}"
        )
    return value.astimezone(UTC)


def day_start(value: datetime) -> datetime:
    """Midnight UTC of `value`'s day: how precisely the desk remembers when someone was here."""
    return aware_utc(value, "time").replace(hour=0, minute=0, second=0, microsecond=0)


def bounded_text(value: str, name: str, max_length: int) -> str:
    """A non-empty string that fits its column on every backend."""
    if not value or len(value) > max_length:
        raise ValueError(f"{name} must be 1-{max_length} characters, got {value!r}")
    return value


def optional_text(value: str | None, name: str, max_length: int) -> str | None:
    return None if value is None else bounded_text(value, name, max_length)


def one_of(value: str, allowed: Iterable[str], name: str) -> str:
    choices = tuple(allowed)
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}: expected one of {', '.join(choices)}")
    return value


def finite(value: float, name: str) -> float:
    """A plain float: numpy scalars are converted, NaN and infinities refused (JSON has none)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def json_copy(value: Any, name: str) -> Any:
    """A detached copy of `value` exactly as the database will give it back.

    Going through JSON here means tuples become lists and keys become strings now rather
    than after a restart, and a value PostgreSQL would refuse (NaN, a set, a datetime) fails
    with the field's name instead of a driver error.
    """
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be JSON-serialisable: {exc}") from exc

"""Working-hours arithmetic with fixed clocks: weekends and Italian public holidays skipped."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from escalation import EscalationSettings, Targets, WorkingCalendar

pytestmark = pytest.mark.unit
ROME = ZoneInfo("Europe/Rome")


def rome(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ROME)


def test_friday_evening_is_due_monday_afternoon() -> None:
    calendar = WorkingCalendar()
    # Friday 4 December 2026, 17:00: one hour left that day, then Monday 9-16
    assert calendar.add(rome(2026, 12, 4, 17), 8) == rome(2026, 12, 7, 16)


def test_a_holiday_is_skipped_like_a_sunday() -> None:
    calendar = WorkingCalendar()
    # Monday 7 December 17:00 + 8 h: Tuesday 8 December (Immacolata) is skipped
    assert calendar.add(rome(2026, 12, 7, 17), 8) == rome(2026, 12, 9, 16)
    # Easter Monday 2027 (29 March), from the library, not from a hand-written list
    assert not calendar.is_working_day(dt.date(2027, 3, 29))
    assert calendar.is_working_day(dt.date(2027, 3, 30))


def test_outside_hours_counts_from_the_next_opening() -> None:
    calendar = WorkingCalendar()
    assert calendar.add(rome(2026, 12, 5, 11), 1) == rome(2026, 12, 7, 10)  # a Saturday
    assert calendar.add(rome(2026, 12, 9, 7), 2) == rome(2026, 12, 9, 11)  # before opening
    assert calendar.add(rome(2026, 12, 9, 20), 9) == rome(2026, 12, 10, 18)  # whole next day


def test_working_time_between_two_moments() -> None:
    calendar = WorkingCalendar()
    since, until = rome(2026, 12, 4, 17), rome(2026, 12, 9, 10)
    assert calendar.between(since, until) == dt.timedelta(hours=1 + 9 + 1)
    assert calendar.between(until, since) == dt.timedelta(0)


def test_targets_from_settings() -> None:
    settings = EscalationSettings(first_response_hours=4, reminder_share=0.5)
    targets = Targets.from_settings(settings)
    opened = rome(2026, 12, 24, 16)  # Christmas Eve is a working day; 25 and 26 are not
    assert targets.reminder_at(opened) == rome(2026, 12, 24, 18)
    assert targets.due_at(opened) == rome(2026, 12, 28, 11)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        WorkingCalendar().add(dt.datetime(2026, 12, 4, 17), 1)


def test_settings_refuse_an_empty_day() -> None:
    with pytest.raises(ValueError, match="workday_end"):
        EscalationSettings(workday_start=dt.time(18), workday_end=dt.time(9))

"""Working-time arithmetic for the first-response target: pure, given a clock.

The target counts working hours only: `workdays` between `workday_start` and `workday_end`
in the desk's time zone, skipping Italian public holidays as the maintained `holidays`
library knows them (national ones, Easter Monday included; a year is computed on demand).
A request written on Friday evening is due on Monday or Tuesday, not on Saturday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

from escalation.settings import EscalationSettings

_MAX_DAYS = 3660
"""A target can be no further away than this many calendar days (a guard, not a rule)."""


@dataclass(frozen=True)
class WorkingCalendar:
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(18, 0)
    workdays: frozenset[int] = frozenset(range(5))
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Rome"))
    _holidays: holidays.HolidayBase = field(
        default_factory=lambda: holidays.country_holidays("IT"), compare=False, repr=False
    )

    @classmethod
    def from_settings(cls, settings: EscalationSettings) -> WorkingCalendar:
        return cls(
            start=settings.workday_start,
            end=settings.workday_end,
            workdays=frozenset(settings.workdays),
            zone=ZoneInfo(settings.timezone),
        )

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.workdays and day not in self._holidays

    def _windows(self, since: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The working intervals from `since` on, in order (aware datetimes)."""
        local = _aware(since).astimezone(self.zone)
        day = local.date()
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                opens = dt.datetime.combine(day, self.start, self.zone)
                closes = dt.datetime.combine(day, self.end, self.zone)
                begin = max(opens, local)
                if begin < closes:
                    yield begin, closes
            day += dt.timedelta(days=1)

    def add(self, since: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` working hours after `since` (in UTC)."""
        left = dt.timedelta(hours=hours)
        for begin, closes in self._windows(since):
            if begin + left <= closes:
                return (begin + left).astimezone(dt.UTC)
            left -= closes - begin
        raise ValueError(f"{hours} working hours do not fit in {_MAX_DAYS} days")

    def between(self, since: dt.datetime, until: dt.datetime) -> dt.timedelta:
        """Working time from `since` to `until` (zero if `until` is not later)."""
        until = _aware(until)
        total = dt.timedelta()
        for begin, closes in self._windows(since):
            if begin >= until:
                break
            total += min(closes, until) - begin
        return total


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
    return value


@dataclass(frozen=True)
class Targets:
    """When a ticket opened at some moment is due for a reminder and is breached."""

    calendar: WorkingCalendar
    first_response_hours: float
    reminder_share: float

    @classmethod
    def from_settings(cls, settings: EscalationSettings) -> Targets:
        return cls(
            WorkingCalendar.from_settings(settings),
            settings.first_response_hours,
            settings.reminder_share,
        )

    def reminder_at(self, opened: dt.datetime) -> dt.datetime:
        return self.calendar.add(opened, self.first_response_hours * self.reminder_share)

    def due_at(self, opened: dt.datetime) -> dt.datetime:
        return self.calendar.add(opened, self.first_response_hours)

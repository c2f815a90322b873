"""Workforce indicators: what share of the staff each welfare need could concern.

Pure arithmetic on validated rows; publishing goes through `needs.suppression`. Each
indicator is a count and the denominator it is a share of (README: "Needs analysis").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from needs.workforce import Employee

LONG_COMMUTE_MINUTES = 45
UNDER_AGE = 30
OVER_AGE = 50


@dataclass(frozen=True)
class Indicator:
    key: str
    definition: str
    test: Callable[[Employee], bool]
    among: Callable[[Employee], bool] = lambda e: True
    """Who the denominator counts: everyone, or e.g. women for `women_part_time`."""
    denominator: str = "headcount"


INDICATORS: tuple[Indicator, ...] = (
    Indicator("women", "genere = F", lambda e: e.genere == "F"),
    Indicator("under_30", f"eta < {UNDER_AGE}", lambda e: e.eta < UNDER_AGE),
    Indicator("over_50", f"eta >= {OVER_AGE}", lambda e: e.eta >= OVER_AGE),
    Indicator("part_time", "part_time = si", lambda e: e.part_time),
    Indicator(
        "women_part_time",
        "part_time = si among women",
        lambda e: e.part_time,
        among=lambda e: e.genere == "F",
        denominator="women",
    ),
    Indicator(
        "non_permanent", "contratto != indeterminato", lambda e: e.contratto != "indeterminato"
    ),
    Indicator("parents_0_2", "figli_0_2 >= 1", lambda e: e.figli_0_2 > 0),
    Indicator("parents_3_5", "figli_3_5 >= 1", lambda e: e.figli_3_5 > 0),
    Indicator("parents_6_13", "figli_6_13 >= 1", lambda e: e.figli_6_13 > 0),
    Indicator("parents_14_18", "figli_14_18 >= 1", lambda e: e.figli_14_18 > 0),
    Indicator(
        "parents_under_14",
        "a child in 0-2, 3-5 or 6-13",
        lambda e: e.figli_0_2 + e.figli_3_5 + e.figli_6_13 > 0,
    ),
    Indicator("caregivers", "caregiver = si", lambda e: e.caregiver),
    Indicator(
        "long_commute",
        f"minuti_tragitto > {LONG_COMMUTE_MINUTES}",
        lambda e: e.minuti_tragitto > LONG_COMMUTE_MINUTES,
    ),
    Indicator("shift_workers", "turni = si", lambda e: e.turni),
)
INDICATOR_KEYS = tuple(i.key for i in INDICATORS)


@dataclass(frozen=True)
class Tally:
    """An indicator before publication: `count` people out of `denominator`."""

    count: int
    denominator: int


def tally(employees: Iterable[Employee]) -> dict[str, Tally]:
    """Count every indicator over the employees, in one pass."""
    counts = dict.fromkeys(INDICATOR_KEYS, 0)
    denominators = dict.fromkeys(INDICATOR_KEYS, 0)
    for employee in employees:
        for indicator in INDICATORS:
            if indicator.among(employee):
                denominators[indicator.key] += 1
                if indicator.test(employee):
                    counts[indicator.key] += 1
    return {key: Tally(counts[key], denominators[key]) for key in INDICATOR_KEYS}


def by_site(employees: Iterable[Employee]) -> dict[str, list[Employee]]:
    """The employees grouped by `sede`, sites in alphabetical order."""
    groups: dict[str, list[Employee]] = {}
    for employee in employees:
        groups.setdefault(employee.sede, []).append(employee)
    return dict(sorted(groups.items()))


def definitions() -> Mapping[str, tuple[str, str]]:
    """key -> (definition, denominator), for the README drift test and the HTML legend."""
    return {i.key: (i.definition, i.denominator) for i in INDICATORS}

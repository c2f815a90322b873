"""The one rule that keeps every report from exposing a person; every figure goes through here.

A figure about a group is shown only if it singles out nobody: it is withheld when it counts
1 to k-1 people, or leaves 1 to k-1 people of its denominator outside it
(`1 <= count <= k-1` or `1 <= denominator - count <= k-1`). k is `privacy.min_group_size`,
never below `MIN_GROUP_SIZE`. A withheld figure is `{"suppressed": true}`: no count, no share.

Differencing (subtracting published figures to isolate a few people) is closed three ways:
- `protect_partition`: when cells that add up to a known whole (sites, commute modes, first
  choices) lose one cell to the rule, the next smallest cells are withheld too, until the
  withheld cells are at least two and their total passes the rule, so no subtraction from the
  whole recovers one cell;
- `population_large_enough`: a report or breakdown group needs at least 2k people; below that
  nearly every figure would be withheld and the rest would reveal the few;
- `stable_cohort`: interview results are aggregated over a cohort that grows in steps of k, so
  two reports taken at different times differ by k or more respondents, never by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

MIN_GROUP_SIZE = 5
"""The smallest k the desk accepts: settings refuse a lower `privacy.min_group_size`."""

SHARE_DIGITS = 4

T = TypeVar("T")
Figure = dict[str, object]
"""`{"count": n, "share": x}` or `{"suppressed": True}`, exactly as reports publish it."""

SUPPRESSED: Figure = {"suppressed": True}


def check_k(k: int) -> int:
    """`k` itself, or ValueError when it is below the floor."""
    if k < MIN_GROUP_SIZE:
        raise ValueError(f"min_group_size must be at least {MIN_GROUP_SIZE}, got {k}")
    return k


def is_disclosive(count: int, denominator: int, k: int) -> bool:
    """True when showing `count` out of `denominator` would single out fewer than k people."""
    check_k(k)
    if not 0 <= count <= denominator:
        raise ValueError(f"count {count} must lie between 0 and the denominator {denominator}")
    return 1 <= count <= k - 1 or 1 <= denominator - count <= k - 1


def protect(count: int, denominator: int, k: int) -> Figure:
    """The published form of one figure: count and share, or withheld."""
    if is_disclosive(count, denominator, k):
        return dict(SUPPRESSED)
    share = round(count / denominator, SHARE_DIGITS) if denominator else 0.0
    return {"count": count, "share": share}


@dataclass(frozen=True)
class Cell:
    """One cell of a partition: `count` people with the attribute out of `denominator`."""

    count: int
    denominator: int


def protect_partition(
    cells: Mapping[str, Cell],
    k: int,
    *,
    shared_denominator: bool = False,
    hidden: Iterable[str] = (),
    withheld: Iterable[str] = (),
) -> dict[str, Figure]:
    """Protect cells that add up to a known whole, against subtraction from that whole.

    Cells are either disjoint groups, each with its own denominator (sites: the pooled
    denominator is their sum), or categories of one population (`shared_denominator`: the
    pooled denominator is that population). `hidden` cells are never published but can be
    derived (the 30-49 age band from the total, under 30 and 50+); `withheld` cells were
    already suppressed by an earlier check.

    Primary suppression is the rule itself. Secondary suppression: while the pooled total of
    the withheld cells (what a reader computes from the whole and the shown cells) would be
    disclosive, the smallest shown cell is withheld too — a zero cell as well, otherwise
    "0 elsewhere" tells where the few are. So a single withheld cell is never left alone.
    """
    out = set(hidden) | set(withheld)
    out |= {key for key, cell in cells.items() if is_disclosive(cell.count, cell.denominator, k)}

    def pooled_disclosive() -> bool:
        keys = [key for key in cells if key in out]
        count = sum(cells[key].count for key in keys)
        if shared_denominator:
            denominator = next(iter(cells.values())).denominator
        else:
            denominator = sum(cells[key].denominator for key in keys)
        return bool(keys) and is_disclosive(count, denominator, k)

    while pooled_disclosive():
        shown = [key for key in cells if key not in out]
        if not shown:
            break
        out.add(min(shown, key=lambda key: (cells[key].count, cells[key].denominator, key)))
    return {
        key: dict(SUPPRESSED) if key in out else protect(cell.count, cell.denominator, k)
        for key, cell in cells.items()
        if key not in set(hidden)
    }


def protect_nested(
    figures: dict[str, Figure], whole: str, part: str, difference: Cell, k: int
) -> None:
    """Withhold `part` when `whole` minus `part` (both shown) would single out a few people.

    `difference` is that derived group: people in `whole` but not in `part`, out of those
    not in `part`'s population. Called for every nested pair a report publishes.
    """
    shown = "count" in figures[whole] and "count" in figures[part]
    if shown and is_disclosive(difference.count, difference.denominator, k):
        figures[part] = dict(SUPPRESSED)


def population_large_enough(size: int, k: int) -> bool:
    """A population is reported on only from 2k people up (or when it is empty)."""
    check_k(k)
    return size >= 2 * k


def stable_cohort(rows: Sequence[T], k: int) -> list[T]:
    """The first multiple-of-k rows (in the given, stable order): the cohort a report uses.

    Aggregates then move only when k more people have joined, so comparing two reports
    never isolates the one person who answered in between.
    """
    check_k(k)
    return list(rows[: len(rows) - len(rows) % k])

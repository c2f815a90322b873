"""The company needs report: workforce indicators, interview results and suggestions.

Builds the published report as plain data (the JSON of issue 17); `needs.render` turns it
into CSV or HTML. Every figure passes `needs.suppression`; nothing below is published raw.
Why here and not in `monitoring/`: this report reads only what `needs/` owns (data set,
interviews, plan) and is the first phase of the method; monitoring (usage, appropriateness)
will import the same suppression function when it is built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from needs.indicators import INDICATOR_KEYS, Tally, by_site, tally
from needs.interview import aggregate_interviews
from needs.suggestions import suggest
from needs.suppression import (
    Cell,
    Figure,
    check_k,
    population_large_enough,
    protect,
    protect_nested,
    protect_partition,
)
from needs.workforce import Employee
from storage import InterviewAnswers

OTHER_SITES = "Altre sedi"
CHILD_BANDS = ("parents_0_2", "parents_3_5", "parents_6_13")


class TooFewPeople(ValueError):
    """The company has fewer than 2k people in its data set: no report would be safe."""


def build_report(
    *,
    company: str,
    employees: Sequence[Employee],
    interviews: Sequence[InterviewAnswers],
    k: int,
    entries_by_topic: Mapping[str, Sequence[str]],
    plan_topics: Sequence[str] = (),
    with_sites: bool = False,
) -> dict[str, object]:
    """The report as issue 17 specifies it; `with_sites` adds `workforce.by_site`."""
    check_k(k)
    headcount = len(employees)
    if headcount and not population_large_enough(headcount, k):
        raise TooFewPeople(
            f"{company}: the data set has {headcount} people; a report needs at least {2 * k}"
            " (twice privacy.min_group_size), or its figures would point at individuals"
        )
    indicators = protect_workforce(tally(employees), k) if headcount else {}
    workforce: dict[str, object] = {"headcount": headcount, "indicators": indicators}
    if with_sites:
        workforce["by_site"] = site_breakdown(employees, indicators, k)
    interview = aggregate_interviews(interviews, k)
    return {
        "company": company,
        "workforce": workforce,
        "interview": interview,
        "suggestions": suggest(indicators, interview, entries_by_topic, plan_topics),
    }


def protect_workforce(tallies: Mapping[str, Tally], k: int) -> dict[str, Figure]:
    """Each indicator through the rule, then the derivable differences between indicators.

    Published indicators overlap, so some differences are groups of their own: the 30-49
    age band (headcount - under_30 - over_50), people not women, part-timers who are not
    women (part_time - women_part_time), parents of a child under 14 with no child in one
    band (parents_under_14 - parents_0_2, ...). Each of those must pass the rule too, or
    the finer figure is withheld.
    """
    n = tallies["women"].denominator
    figures = {key: protect(t.count, t.denominator, k) for key, t in tallies.items()}
    under, over = tallies["under_30"].count, tallies["over_50"].count
    ages = {
        "under_30": Cell(under, n),
        "age_30_49": Cell(n - under - over, n),
        "over_50": Cell(over, n),
    }
    figures.update(
        protect_partition(
            ages,
            k,
            shared_denominator=True,
            hidden=("age_30_49",),
            withheld=[key for key in ("under_30", "over_50") if "count" not in figures[key]],
        )
    )
    women = tallies["women"].count
    protect_nested(
        figures,
        "part_time",
        "women_part_time",
        Cell(tallies["part_time"].count - tallies["women_part_time"].count, n - women),
        k,
    )
    for band in CHILD_BANDS:
        count = tallies[band].count
        protect_nested(
            figures,
            "parents_under_14",
            band,
            Cell(tallies["parents_under_14"].count - count, n - count),
            k,
        )
    return figures


def site_breakdown(
    employees: Sequence[Employee], totals: Mapping[str, Figure], k: int
) -> list[dict[str, object]]:
    """Indicators by site, for groups of at least 2k people; small sites pooled.

    Sites below 2k people go into "Altre sedi"; if that pool is still below 2k, the next
    smallest site joins it. A breakdown left with one group is the total again: empty list.
    Then, indicator by indicator, the groups are a partition of the company's figure, and
    `protect_partition` keeps any withheld group cell from being recovered by subtraction.
    """
    groups = _pooled_groups(by_site(employees), k)
    if len(groups) < 2:
        return []
    tallies = {name: tally(members) for name, members in groups.items()}
    per_group = {name: protect_workforce(t, k) for name, t in tallies.items()}
    for key in INDICATOR_KEYS:
        cells = {name: Cell(t[key].count, t[key].denominator) for name, t in tallies.items()}
        already = [name for name in cells if "count" not in per_group[name][key]]
        if "count" not in totals.get(key, {}):
            # the whole is withheld: its cells must not rebuild it
            already = list(cells)
        published = protect_partition(cells, k, withheld=already)
        for name, figure in published.items():
            per_group[name][key] = figure
    return [
        {"site": name, "headcount": len(groups[name]), "indicators": per_group[name]}
        for name in groups
    ]


def _pooled_groups(sites: Mapping[str, list[Employee]], k: int) -> dict[str, list[Employee]]:
    large = {
        name: people for name, people in sites.items() if population_large_enough(len(people), k)
    }
    pool = [p for name, people in sites.items() if name not in large for p in people]
    while pool and not population_large_enough(len(pool), k) and large:
        smallest = min(large, key=lambda name: (len(large[name]), name))
        pool.extend(large.pop(smallest))
    groups = dict(large)
    if pool:
        groups[OTHER_SITES] = pool
    return groups

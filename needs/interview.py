"""Aggregating the needs interviews of a company's workers (only those who consented).

The interview itself is a conversation flow in `handlers/`; it stores its answers with
`storage.save_interview` (one row per user and company, re-running updates it). Here the
consented rows become published figures, through the same rule as every other report.
The free comment is never read here: `storage.consented_interviews` does not even return it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from needs.suppression import (
    SUPPRESSED,
    Cell,
    Figure,
    population_large_enough,
    protect,
    protect_nested,
    protect_partition,
    stable_cohort,
)
from storage import COMMUTE_MODES, NEED_AREAS, WORKING_TIMES, InterviewAnswers

NOT_SAID = "not_said"
NO_AREA = "none"
LONG_COMMUTE_BANDS = ("45-60", "60+")


@dataclass(frozen=True)
class InterviewIndicator:
    key: str
    definition: str
    test: Callable[[InterviewAnswers], bool]


INTERVIEW_INDICATORS: tuple[InterviewIndicator, ...] = (
    InterviewIndicator("parents_0_2", "a child aged 0-2", lambda a: a.children_0_2 > 0),
    InterviewIndicator("parents_3_5", "a child aged 3-5", lambda a: a.children_3_5 > 0),
    InterviewIndicator("parents_6_13", "a child aged 6-13", lambda a: a.children_6_13 > 0),
    InterviewIndicator("parents_14_18", "a child aged 14-18", lambda a: a.children_14_18 > 0),
    InterviewIndicator(
        "parents_under_14",
        "a child in 0-2, 3-5 or 6-13",
        lambda a: a.children_0_2 + a.children_3_5 + a.children_6_13 > 0,
    ),
    InterviewIndicator(
        "caregivers",
        "cares for a dependent elderly or disabled relative",
        lambda a: a.dependent_relatives,
    ),
    InterviewIndicator(
        "long_commute",
        "one-way commute band 45-60 or 60+ minutes",
        lambda a: a.commute_band in LONG_COMMUTE_BANDS,
    ),
    InterviewIndicator("wants_flexibility", "wishes flexible hours", lambda a: a.wants_flexibility),
    InterviewIndicator(
        "wants_smart_working", "wishes smart working", lambda a: a.wants_smart_working
    ),
)


def aggregate_interviews(answers: Sequence[InterviewAnswers], k: int) -> dict[str, object]:
    """The published interview section: every figure protected, nothing below 2k people.

    Only rows with `consent_aggregate` count (callers pass the consented ones; others are
    dropped here too), over the stable cohort of `needs.suppression.stable_cohort`.
    """
    cohort = stable_cohort([a for a in answers if a.consent_aggregate], k)
    n = len(cohort)
    large = population_large_enough(n, k)
    counts = {i.key: sum(1 for a in cohort if i.test(a)) for i in INTERVIEW_INDICATORS}
    indicators: dict[str, Figure] = {
        key: protect(count, n, k) if large else dict(SUPPRESSED) for key, count in counts.items()
    }
    for band in ("parents_0_2", "parents_3_5", "parents_6_13"):
        # parents of a child under 14 with none in the band: a group a reader can derive
        difference = Cell(counts["parents_under_14"] - counts[band], n - counts[band])
        protect_nested(indicators, "parents_under_14", band, difference, k)

    def partition(
        keys: Sequence[str], value: Callable[[InterviewAnswers], str]
    ) -> dict[str, Figure]:
        if not large:
            return {key: dict(SUPPRESSED) for key in keys}
        counts = dict.fromkeys(keys, 0)
        for a in cohort:
            counts[value(a)] += 1
        return protect_partition({key: Cell(c, n) for key, c in counts.items()}, k)

    picked = {
        area: (
            protect(sum(1 for a in cohort if area in a.need_areas), n, k)
            if large
            else dict(SUPPRESSED)
        )
        for area in NEED_AREAS
    }
    # "none" (no area picked) takes part in the partition but is not published.
    first = partition(
        (*NEED_AREAS, NO_AREA), lambda a: a.need_areas[0] if a.need_areas else NO_AREA
    )
    return {
        "respondents": n if large else dict(SUPPRESSED),
        "indicators": indicators,
        "commute_modes": partition(
            (*COMMUTE_MODES, NOT_SAID), lambda a: a.commute_mode or NOT_SAID
        ),
        "working_time": partition((*WORKING_TIMES, NOT_SAID), lambda a: a.working_time or NOT_SAID),
        "need_areas": {
            area: {"picked": picked[area], "first_choice": first[area]} for area in NEED_AREAS
        },
    }

"""Indicator arithmetic on a hand-computed fixture, the report's shape, CSV and HTML."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from needs import (
    INDICATOR_KEYS,
    RULES,
    TooFewPeople,
    build_report,
    render_csv,
    render_html,
    tally,
)
from needs.indicators import Tally
from storage import InterviewAnswers
from tests.needs.fixtures import STAFF

pytestmark = pytest.mark.unit
K = 5
ENTRIES = {"trasporto-pubblico": ["tp-1"], "smart-working-conciliazione": ["sw-1", "sw-2"]}


def test_indicator_counts_and_denominators_by_hand() -> None:
    assert tally(STAFF) == {
        "women": Tally(10, 20),
        "under_30": Tally(6, 20),
        "over_50": Tally(6, 20),
        "part_time": Tally(7, 20),
        "women_part_time": Tally(6, 10),
        "non_permanent": Tally(5, 20),
        "parents_0_2": Tally(5, 20),
        "parents_3_5": Tally(2, 20),
        "parents_6_13": Tally(7, 20),
        "parents_14_18": Tally(0, 20),
        "parents_under_14": Tally(13, 20),
        "caregivers": Tally(3, 20),
        "long_commute": Tally(5, 20),  # 45 minutes is not "more than 45"
        "shift_workers": Tally(16, 20),
    }


def report(**overrides: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "company": "ACME",
        "employees": STAFF,
        "interviews": [],
        "k": K,
        "entries_by_topic": ENTRIES,
    }
    arguments.update(overrides)
    return build_report(**arguments)  # type: ignore[arg-type]


def test_the_json_has_exactly_the_shape_of_the_issue() -> None:
    built = json.loads(json.dumps(report()))
    assert list(built) == ["company", "workforce", "interview", "suggestions"]
    assert built["company"] == "ACME"
    assert list(built["workforce"]) == ["headcount", "indicators"]
    assert built["workforce"]["headcount"] == 20
    indicators = built["workforce"]["indicators"]
    assert list(indicators) == list(INDICATOR_KEYS)
    for figure in indicators.values():
        assert figure == {"suppressed": True} or set(figure) == {"count", "share"}
    assert indicators == {
        "women": {"count": 10, "share": 0.5},
        "under_30": {"count": 6, "share": 0.3},
        "over_50": {"count": 6, "share": 0.3},
        "part_time": {"count": 7, "share": 0.35},
        "women_part_time": {"suppressed": True},  # leaves 4 women outside
        "non_permanent": {"count": 5, "share": 0.25},
        "parents_0_2": {"count": 5, "share": 0.25},
        "parents_3_5": {"suppressed": True},  # 2 people
        "parents_6_13": {"count": 7, "share": 0.35},
        "parents_14_18": {"count": 0, "share": 0.0},
        "parents_under_14": {"count": 13, "share": 0.65},
        "caregivers": {"suppressed": True},  # 3 people
        "long_commute": {"count": 5, "share": 0.25},
        "shift_workers": {"suppressed": True},  # leaves 4 outside (n-4)
    }


def test_suggestions_come_from_published_figures_only() -> None:
    suggestions = report()["suggestions"]
    assert isinstance(suggestions, list)
    fired = [s["rule"] for s in suggestions]
    # caregivers, shifts and women in part-time pass their thresholds but were withheld
    assert not {"caregivers", "shifts", "women-part-time"} & set(fired)
    assert fired[0] == "young-children"  # strongest share first
    commute = next(s for s in suggestions if s["rule"] == "long-commute")
    assert commute == {
        "rule": "long-commute",
        "source": "workforce",
        "indicator": "long_commute",
        "share": 0.25,
        "reason": "25 % del personale impiega più di 45 minuti per arrivare al lavoro",
        "topics": ["trasporto-pubblico", "smart-working-conciliazione"],
        "entries": ["sw-1", "sw-2", "tp-1"],
        "already_in_plan": [],
    }


def test_suggestions_say_what_the_plan_already_offers() -> None:
    suggestions = report(plan_topics=["trasporto-pubblico"])["suggestions"]
    assert isinstance(suggestions, list)
    commute = next(s for s in suggestions if s["rule"] == "long-commute")
    assert commute["already_in_plan"] == ["trasporto-pubblico"]


def test_fewer_than_twice_k_people_get_no_report() -> None:
    with pytest.raises(TooFewPeople, match="has 9 people; a report needs at least 10"):
        report(employees=STAFF[:9])
    assert report(employees=STAFF[:10])["workforce"] == {
        "headcount": 10,
        "indicators": report(employees=STAFF[:10])["workforce"]["indicators"],  # type: ignore[index]
    }


def test_the_site_breakdown_pools_small_sites_and_protects_partitions() -> None:
    staff = [*STAFF, *(e.__class__(**{**e.as_row(), "sede": "Cuneo"}) for e in STAFF[:4])]
    built = report(employees=staff, with_sites=True)
    sites = built["workforce"]["by_site"]  # type: ignore[index]
    # Cuneo has 4 people: it joins the smallest site in the "Altre sedi" pool
    assert [(s["site"], s["headcount"]) for s in sites] == [("Torino", 10), ("Altre sedi", 14)]
    totals = built["workforce"]["indicators"]  # type: ignore[index]
    for key in INDICATOR_KEYS:
        cells = [s["indicators"][key] for s in sites]
        withheld = [c for c in cells if "count" not in c]
        # never exactly one withheld cell next to a published total: it would be a subtraction
        assert not ("count" in totals[key] and len(withheld) == 1), key


def test_only_consented_interviews_count_in_cohorts_of_k() -> None:
    yes = [
        InterviewAnswers(
            consent_aggregate=True,
            children_0_2=1 if i < 5 else 0,
            commute_mode="car" if i < 9 else "bike",
            commute_band="60+" if i < 5 else "0-15",
            wants_smart_working=i < 8,
            need_areas=("childcare", "time") if i < 5 else ("health",) if i < 11 else (),
        )
        for i in range(12)
    ]
    no = [InterviewAnswers(consent_aggregate=False, need_areas=("housing",))] * 7
    section = report(interviews=[*yes, *no])["interview"]
    assert isinstance(section, dict)
    assert section["respondents"] == 10  # 12 consented, cohort of 2k; the 7 refusals ignored
    assert section["indicators"]["parents_0_2"] == {"count": 5, "share": 0.5}
    assert section["indicators"]["long_commute"] == {"count": 5, "share": 0.5}
    assert section["indicators"]["wants_smart_working"] == {"suppressed": True}  # n-2
    assert section["need_areas"]["childcare"]["picked"] == {"count": 5, "share": 0.5}
    assert section["need_areas"]["childcare"]["first_choice"] == {"count": 5, "share": 0.5}
    assert section["need_areas"]["time"]["first_choice"] == {"count": 0, "share": 0.0}
    assert section["need_areas"]["housing"]["picked"] == {"count": 0, "share": 0.0}
    # car 9 / bike 1 of 10: bike is withheld, and so must be car (the only other non-zero)
    modes = section["commute_modes"]
    assert modes["bike"] == {"suppressed": True} and "count" not in modes["car"]


def test_too_few_consented_interviews_publish_nothing() -> None:
    answers = [InterviewAnswers(consent_aggregate=True, need_areas=("health",))] * 9
    section = report(interviews=answers)["interview"]
    assert isinstance(section, dict)
    assert section["respondents"] == {"suppressed": True}
    assert all(f == {"suppressed": True} for f in section["indicators"].values())


def test_the_csv_has_one_line_per_figure_and_no_withheld_number() -> None:
    lines = list(csv.DictReader(io.StringIO(render_csv(report()))))
    by_key = {(r["section"], r["key"]): r for r in lines if r["group"] == "all"}
    assert by_key[("workforce", "headcount")]["count"] == "20"
    assert by_key[("workforce", "long_commute")] == {
        "section": "workforce",
        "group": "all",
        "key": "long_commute",
        "count": "5",
        "share": "0.25",
        "suppressed": "false",
        "note": "",
    }
    caregivers = by_key[("workforce", "caregivers")]
    assert (caregivers["count"], caregivers["share"], caregivers["suppressed"]) == ("", "", "true")
    suggestion = next(r for r in lines if r["section"] == "suggestion")
    assert suggestion["note"].startswith("65 % del personale ha figli sotto i 14 anni →")


def test_the_html_shows_figures_as_svg_and_never_a_withheld_count() -> None:
    page = render_html(report(), k=K, generated="02/12/2026")
    assert page.startswith("<!doctype html>") and "@media print" in page
    assert page.count("<svg") >= 1 and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "<script" not in page and "https://" not in page
    assert "65 % (13)" in page and "25 % (5)" in page  # shown as share and count
    assert "non mostrato: riguarderebbe meno di 5 persone" in page
    # withheld: caregivers (3), parents 3-5 (2), shifts (16), women part-time (6 of 10)
    for withheld in ("15 % (3)", "10 % (2)", "80 % (16)", "60 % (6)"):
        assert withheld not in page, withheld
    assert "Generato il 02/12/2026" in page


def test_every_rule_names_known_topics_and_a_percent_reason() -> None:
    from knowledge import load_topics

    topics = load_topics()
    for rule in RULES:
        assert set(rule.topics) <= set(topics), rule.id
        assert "{share}" in rule.reason and re.fullmatch(r"[a-z0-9-]+", rule.id)

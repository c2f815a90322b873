"""From stored interviews and data set to the published report, through the repositories."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from needs import Employee, build_report
from storage import (
    Database,
    InterviewAnswers,
    add_company,
    consented_interviews,
    ensure_user,
    load_workforce,
    replace_workforce,
    save_interview,
)
from tests.needs.fixtures import STAFF

pytestmark = pytest.mark.unit
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
SECRET = "il mio capo mi tratta male"


def test_stored_interviews_reach_the_report_counted_once_and_without_comments(
    database: Database,
) -> None:
    with database.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        replace_workforce(session, company_id=acme, rows=[e.as_row() for e in STAFF], now=NOW)
        for i in range(13):
            ref = f"ref-{i}"
            ensure_user(
                session, user_ref=ref, telegram_user_id=None, chat_id=None, language="it", now=NOW
            )
            answers = InterviewAnswers(
                consent_aggregate=i != 12,  # the last one said no to aggregate use
                commute_band="60+" if i < 6 else "0-15",
                need_areas=("mobility",) if i < 6 else ("health",),
                comment=SECRET,
            )
            save_interview(session, user_ref=ref, company_id=acme, answers=answers, now=NOW)
        # two people run the interview again: their rows are updated, not duplicated
        for i in (0, 1):
            again = InterviewAnswers(
                consent_aggregate=True, commute_band="0-15", need_areas=("health",)
            )
            save_interview(session, user_ref=f"ref-{i}", company_id=acme, answers=again, now=NOW)
    with database.session() as session:
        employees = [Employee.from_row(r) for r in load_workforce(session, company_id=acme)]
        interviews = consented_interviews(session, company_id=acme)
    report = build_report(
        company="ACME", employees=employees, interviews=interviews, k=5, entries_by_topic={}
    )
    text = json.dumps(report, ensure_ascii=False)
    assert SECRET not in text
    interview = report["interview"]
    assert isinstance(interview, dict)
    assert interview["respondents"] == 10  # 12 consented, cohort of 10; refusal left out
    assert interview["indicators"]["long_commute"] == {"suppressed": True}  # 4 of the first 10
    assert interview["need_areas"]["health"]["picked"] == {"suppressed": True}  # n-4
    assert report["workforce"]["headcount"] == 20  # type: ignore[index]

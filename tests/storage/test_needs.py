"""Needs data on SQLite and PostgreSQL: workforce replacement, interview upserts, plans."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage import (
    Database,
    InterviewAnswers,
    InterviewResult,
    NotFoundError,
    PlanTerms,
    WorkforceRecord,
    add_company,
    consented_interviews,
    erase_user,
    export_user_data,
    find_company_plan,
    find_interview,
    find_workforce_import,
    load_workforce,
    replace_workforce,
    save_interview,
    set_company_plan,
)
from tests.storage.builders import NOW, add_user


def row(number: int, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "row": number,
        "eta": 30 + number,
        "genere": "F",
        "contratto": "indeterminato",
        "part_time": False,
        "figli_0_2": 0,
        "figli_3_5": 0,
        "figli_6_13": 1,
        "figli_14_18": 0,
        "caregiver": False,
        "minuti_tragitto": 25,
        "turni": True,
        "sede": "Torino",
        "anzianita_anni": 2,
    }
    return {**base, **values}


def test_an_import_replaces_the_previous_data_set_of_that_company_only(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        beta = add_company(session, code="BETA", name="Beta", now=NOW).id
        replace_workforce(session, company_id=acme, rows=[row(2), row(3)], now=NOW)
        replace_workforce(session, company_id=beta, rows=[row(2)], now=NOW)
    later = NOW + timedelta(days=1)
    with db.session() as session:
        assert replace_workforce(session, company_id=acme, rows=[row(2, sede="Asti")], now=later)
    with db.session() as session:
        assert load_workforce(session, company_id=acme) == [
            {k: v for k, v in row(2, sede="Asti").items() if k != "row"}
        ]
        assert len(load_workforce(session, company_id=beta)) == 1
        info = find_workforce_import(session, company_id=acme)
        assert info is not None and (info.rows, info.imported_at) == (1, later)


def test_a_failed_import_leaves_the_previous_data_set(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        replace_workforce(session, company_id=acme, rows=[row(2), row(3)], now=NOW)
    with pytest.raises(IntegrityError), db.session() as session:
        # the database's own CHECK refuses an age the file validation would have caught
        replace_workforce(session, company_id=acme, rows=[row(2), row(3, eta=99)], now=NOW)
    with db.session() as session:
        assert len(load_workforce(session, company_id=acme)) == 2


def test_a_large_import_is_stored_in_file_order(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        rows = [row(n, eta=15 + n % 60) for n in range(2, 12_002)]
        assert replace_workforce(session, company_id=acme, rows=rows, now=NOW) == 12_000
    with db.session() as session:
        stored = load_workforce(session, company_id=acme)
        assert [r["eta"] for r in stored[:3]] == [17, 18, 19] and len(stored) == 12_000


def answers(**values: object) -> InterviewAnswers:
    base: dict[str, object] = {
        "consent_aggregate": True,
        "children_0_2": 1,
        "dependent_relatives": True,
        "commute_mode": "public_transport",
        "commute_band": "45-60",
        "working_time": "part_time",
        "wants_flexibility": True,
        "need_areas": ("childcare", "time"),
        "comment": "asilo aziendale",
        "language": "it",
    }
    return InterviewAnswers(**{**base, **values})  # type: ignore[arg-type]


def test_rerunning_the_interview_updates_instead_of_duplicating(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        add_user(session, "ref-anna", telegram_user_id=1)
        first = save_interview(
            session, user_ref="ref-anna", company_id=acme, answers=answers(), now=NOW
        )
    later = NOW + timedelta(hours=2)
    with db.session() as session:
        again = save_interview(
            session,
            user_ref="ref-anna",
            company_id=acme,
            answers=answers(need_areas=("mobility",), comment=None),
            now=later,
        )
    assert again == first
    with db.session() as session:
        rows = list(session.scalars(select(InterviewResult)))
        assert len(rows) == 1
        assert (rows[0].need_areas, rows[0].created_at, rows[0].updated_at) == (
            ["mobility"],
            NOW,
            later,
        )
        found = find_interview(session, user_ref="ref-anna", company_id=acme)
        assert found == answers(need_areas=("mobility",), comment=None)


def test_only_consented_interviews_are_aggregated_and_never_with_comments(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        for n, consent in enumerate((True, False, True)):
            add_user(session, f"ref-{n}", telegram_user_id=n + 1)
            save_interview(
                session,
                user_ref=f"ref-{n}",
                company_id=acme,
                answers=answers(consent_aggregate=consent),
                now=NOW,
            )
    with db.session() as session:
        consented = consented_interviews(session, company_id=acme)
        assert len(consented) == 2
        assert all(a.comment is None and a.consent_aggregate for a in consented)
        own = find_interview(session, user_ref="ref-1", company_id=acme)
        assert own is not None and own.comment == "asilo aziendale"  # the author sees it


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"commute_mode": "rocket"}, "unknown commute mode"),
        ({"commute_band": "2h"}, "unknown commute band"),
        ({"need_areas": ("childcare", "childcare")}, "must not repeat"),
        ({"need_areas": ("yachts",)}, "unknown need area"),
        ({"children_3_5": -1}, "children_3_5 must be a whole number"),
    ],
)
def test_bad_interview_values_are_refused(
    db: Database, bad: dict[str, object], message: str
) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        add_user(session, "ref-anna", telegram_user_id=1)
        with pytest.raises(ValueError, match=message):
            save_interview(
                session, user_ref="ref-anna", company_id=acme, answers=answers(**bad), now=NOW
            )


def test_the_user_s_export_holds_their_interview_with_its_comment(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        add_user(session, "ref-anna", telegram_user_id=1)
        save_interview(session, user_ref="ref-anna", company_id=acme, answers=answers(), now=NOW)
    with db.session() as session:
        (interview,) = export_user_data(session, user_ref="ref-anna")["needs_interviews"]
    assert interview["company"] == "ACME" and interview["comment"] == "asilo aziendale"
    assert interview["need_areas"] == ["childcare", "time"]
    assert interview["updated_at"] == "2026-03-02T09:30:00+00:00"


def test_an_interview_needs_a_known_user_and_goes_with_erasure(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        with pytest.raises(NotFoundError):
            save_interview(
                session, user_ref="ref-ghost", company_id=acme, answers=answers(), now=NOW
            )
        add_user(session, "ref-anna", telegram_user_id=1)
        save_interview(session, user_ref="ref-anna", company_id=acme, answers=answers(), now=NOW)
    with db.session() as session:
        assert erase_user(session, user_ref="ref-anna")["interview_results"] == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(InterviewResult)) == 0
        assert session.scalar(select(func.count()).select_from(WorkforceRecord)) == 0


def test_a_company_plan_is_created_then_replaced(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW).id
        assert find_company_plan(session, company_id=acme) is None
        plan = PlanTerms(
            topics=("rimborso-asilo-nido",),
            platform_url="https://welfare.example.it",
            credit_cents=60_000,
            credit_expires=dt.date(2027, 1, 31),
            contact="hr@example.it",
        )
        set_company_plan(session, company_id=acme, plan=plan, now=NOW)
    with db.session() as session:
        assert find_company_plan(session, company_id=acme) == plan
        set_company_plan(session, company_id=acme, plan=PlanTerms(topics=("buoni-pasto",)), now=NOW)
    with db.session() as session:
        assert find_company_plan(session, company_id=acme) == PlanTerms(topics=("buoni-pasto",))

"""Needs analysis data: workforce data sets, interview results, company plans.

The repositories only store and fetch; validation of files and the aggregate rules live in the
`needs` package. Two guarantees are kept here because only the database can keep them:
a workforce import replaces the company's previous data set inside the caller's transaction
(all or nothing), and an interview is one row per (user, company) whatever the races
(`INSERT ... ON CONFLICT DO UPDATE`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.checks import aware_utc, json_copy, one_of, optional_text
from storage.errors import StorageError
from storage.models import (
    COMMENT_LENGTH,
    COMMUTE_BANDS,
    COMMUTE_MODES,
    LANGUAGE_LENGTH,
    NEED_AREAS,
    PLAN_CONTACT_LENGTH,
    PLAN_URL_LENGTH,
    WORKING_TIMES,
    CompanyPlan,
    InterviewResult,
    WorkforceImport,
    WorkforceRecord,
    table_of,
)
from storage.users import require_user

WORKFORCE_COLUMNS = (
    "eta",
    "genere",
    "contratto",
    "part_time",
    "figli_0_2",
    "figli_3_5",
    "figli_6_13",
    "figli_14_18",
    "caregiver",
    "minuti_tragitto",
    "turni",
    "sede",
    "anzianita_anni",
)
"""The data set's columns, in the order of the documented format (README, "Needs analysis")."""

_INSERT_BATCH = 5000


def replace_workforce(
    session: Session, *, company_id: int, rows: Sequence[Mapping[str, Any]], now: datetime
) -> int:
    """Replace the company's data set with `rows` (already validated); returns the row count.

    Runs in the caller's transaction: if anything fails, the previous data set is still there.
    Each row maps WORKFORCE_COLUMNS (plus `row`, the line of the file) to Python values.
    """
    imported_at = aware_utc(now, "now")
    session.flush()
    session.execute(delete(WorkforceRecord).where(WorkforceRecord.company_id == company_id))
    session.execute(delete(WorkforceImport).where(WorkforceImport.company_id == company_id))
    table = table_of(WorkforceRecord)
    for start in range(0, len(rows), _INSERT_BATCH):
        batch = [{**r, "company_id": company_id} for r in rows[start : start + _INSERT_BATCH]]
        session.execute(insert(table), batch)
    session.add(WorkforceImport(company_id=company_id, imported_at=imported_at, rows=len(rows)))
    session.flush()
    return len(rows)


def load_workforce(session: Session, *, company_id: int) -> list[dict[str, Any]]:
    """The company's data set as plain rows (WORKFORCE_COLUMNS), in file order."""
    table = table_of(WorkforceRecord)
    columns = [table.c[name] for name in WORKFORCE_COLUMNS]
    statement = select(*columns).where(table.c.company_id == company_id).order_by(table.c.row)
    return [dict(row) for row in session.execute(statement).mappings()]


def find_workforce_import(session: Session, *, company_id: int) -> WorkforceImport | None:
    """When the company's data set was imported and how many rows it has; None if never."""
    return session.get(WorkforceImport, company_id)


@dataclass(frozen=True)
class InterviewAnswers:
    """What the needs interview collected (input and output type of the repository).

    `need_areas` are keys of NEED_AREAS, most important first. `comment` is for the desk's
    staff only: `consented_interviews` never returns it.
    """

    consent_aggregate: bool
    children_0_2: int = 0
    children_3_5: int = 0
    children_6_13: int = 0
    children_14_18: int = 0
    dependent_relatives: bool = False
    commute_mode: str | None = None
    commute_band: str | None = None
    working_time: str | None = None
    wants_flexibility: bool = False
    wants_smart_working: bool = False
    need_areas: tuple[str, ...] = field(default_factory=tuple)
    comment: str | None = None
    language: str | None = None

    def checked(self) -> dict[str, Any]:
        """The column values, after the checks PostgreSQL and SQLite would not both make."""
        for name in ("children_0_2", "children_3_5", "children_6_13", "children_14_18"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 20:
                raise ValueError(f"{name} must be a whole number from 0 to 20, got {value!r}")
        if self.commute_mode is not None:
            one_of(self.commute_mode, COMMUTE_MODES, "commute mode")
        if self.commute_band is not None:
            one_of(self.commute_band, COMMUTE_BANDS, "commute band")
        if self.working_time is not None:
            one_of(self.working_time, WORKING_TIMES, "working time")
        for area in self.need_areas:
            one_of(area, NEED_AREAS, "need area")
        if len(set(self.need_areas)) != len(self.need_areas):
            raise ValueError(f"need areas must not repeat, got {list(self.need_areas)}")
        comment = (self.comment or "").strip() or None
        return {
            "consent_aggregate": bool(self.consent_aggregate),
            "children_0_2": self.children_0_2,
            "children_3_5": self.children_3_5,
            "children_6_13": self.children_6_13,
            "children_14_18": self.children_14_18,
            "dependent_relatives": bool(self.dependent_relatives),
            "commute_mode": self.commute_mode,
            "commute_band": self.commute_band,
            "working_time": self.working_time,
            "wants_flexibility": bool(self.wants_flexibility),
            "wants_smart_working": bool(self.wants_smart_working),
            "need_areas": json_copy(list(self.need_areas), "need areas"),
            "comment": optional_text(comment, "comment", COMMENT_LENGTH),
            "language": optional_text(self.language, "language", LANGUAGE_LENGTH),
        }


def save_interview(
    session: Session, *, user_ref: str, company_id: int, answers: InterviewAnswers, now: datetime
) -> int:
    """Store the user's interview for the company; running it again updates the same row.

    Returns the row id. The user must exist (erasing them deletes their interviews).
    """
    require_user(session, user_ref)
    at = aware_utc(now, "now")
    values = {
        **answers.checked(),
        "user_ref": user_ref,
        "company_id": company_id,
        "created_at": at,
        "updated_at": at,
    }
    session.flush()
    connection = session.connection()
    table = table_of(InterviewResult)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise StorageError(f"the {dialect} backend is not supported")
    updates = {k: statement.excluded[k] for k in values if k not in ("user_ref", "company_id")}
    del updates["created_at"]
    upsert = statement.on_conflict_do_update(
        index_elements=["user_ref", "company_id"], set_=updates
    ).returning(table.c.id)
    row_id: int = connection.execute(upsert, values).scalar_one()
    return row_id


def find_interview(session: Session, *, user_ref: str, company_id: int) -> InterviewAnswers | None:
    """The user's own answers (comment included), e.g. to resume or edit the interview."""
    row = session.scalars(
        select(InterviewResult).where(
            InterviewResult.user_ref == user_ref, InterviewResult.company_id == company_id
        )
    ).first()
    return None if row is None else _answers(row, with_comment=True)


def consented_interviews(session: Session, *, company_id: int) -> list[InterviewAnswers]:
    """The company's interviews whose authors agreed to aggregate use, without comments.

    Read with a plain column select, not as ORM objects: a report reads every row of a
    company (100,000 in bench/needs_bench.py), and the identity map would triple the time.
    """
    table = table_of(InterviewResult)
    columns = [table.c[name] for name in _AGGREGATE_FIELDS]
    statement = (
        select(*columns)
        .where(table.c.company_id == company_id, table.c.consent_aggregate)
        .order_by(table.c.id)
    )
    return [
        InterviewAnswers(**{**row, "need_areas": tuple(row["need_areas"])})
        for row in session.execute(statement).mappings()
    ]


_AGGREGATE_FIELDS = (
    "consent_aggregate",
    "children_0_2",
    "children_3_5",
    "children_6_13",
    "children_14_18",
    "dependent_relatives",
    "commute_mode",
    "commute_band",
    "working_time",
    "wants_flexibility",
    "wants_smart_working",
    "need_areas",
    "language",
)
"""Every field of InterviewAnswers but `comment`, which no report may read."""


def _answers(row: InterviewResult, *, with_comment: bool) -> InterviewAnswers:
    return InterviewAnswers(
        consent_aggregate=row.consent_aggregate,
        children_0_2=row.children_0_2,
        children_3_5=row.children_3_5,
        children_6_13=row.children_6_13,
        children_14_18=row.children_14_18,
        dependent_relatives=row.dependent_relatives,
        commute_mode=row.commute_mode,
        commute_band=row.commute_band,
        working_time=row.working_time,
        wants_flexibility=row.wants_flexibility,
        wants_smart_working=row.wants_smart_working,
        need_areas=tuple(row.need_areas),
        comment=row.comment if with_comment else None,
        language=row.language,
    )


@dataclass(frozen=True)
class PlanTerms:
    """A company plan: knowledge-base topics it offers and how workers use it."""

    topics: tuple[str, ...]
    platform_url: str | None = None
    credit_cents: int | None = None
    credit_expires: date | None = None
    contact: str | None = None


def set_company_plan(session: Session, *, company_id: int, plan: PlanTerms, now: datetime) -> None:
    """Create or replace the company's plan."""
    if plan.credit_cents is not None and plan.credit_cents < 0:
        raise ValueError(f"credit must not be negative, got {plan.credit_cents}")
    values: dict[str, Any] = {
        "topics": json_copy(list(plan.topics), "topics"),
        "platform_url": optional_text(plan.platform_url, "platform URL", PLAN_URL_LENGTH),
        "credit_cents": plan.credit_cents,
        "credit_expires": plan.credit_expires,
        "contact": optional_text(plan.contact, "contact", PLAN_CONTACT_LENGTH),
        "updated_at": aware_utc(now, "now"),
    }
    row = session.get(CompanyPlan, company_id)
    if row is None:
        session.add(CompanyPlan(company_id=company_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()


def find_company_plan(session: Session, *, company_id: int) -> PlanTerms | None:
    """The company's plan, or None when it has not been loaded."""
    row = session.get(CompanyPlan, company_id)
    if row is None:
        return None
    return PlanTerms(
        topics=tuple(row.topics),
        platform_url=row.platform_url,
        credit_cents=row.credit_cents,
        credit_expires=row.credit_expires,
        contact=row.contact,
    )

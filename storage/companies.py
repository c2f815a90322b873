"""Companies and the codes workers use to join them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.checks import aware_utc, bounded_text
from storage.models import COMPANY_NAME_LENGTH, Company
from storage.statements import insert_if_absent
from storage.users import require_user

_CODE = re.compile(r"[A-Z0-9-]{3,32}")


def normalise_code(code: str) -> str:
    """The stored form of a code: people type it in any case, with stray spaces."""
    return code.strip().upper()


def add_company(session: Session, *, code: str, name: str, now: datetime) -> Company:
    """A new company with a unique join code (stored upper-case)."""
    normal = normalise_code(code)
    if not _CODE.fullmatch(normal):
        raise ValueError(
            f"company code {code!r} must be 3-32 characters of A-Z, 0-9 and '-', e.g. ACME-2026"
        )
    name = bounded_text(name.strip(), "company name", COMPANY_NAME_LENGTH)
    values = {"code": normal, "name": name, "created_at": aware_utc(now, "now")}
    if not insert_if_absent(session, Company, values):
        raise ValueError(f"company code {normal} already exists — choose another code")
    return session.scalars(select(Company).where(Company.code == normal)).one()


def find_company(session: Session, *, code: str) -> Company | None:
    """The company with this code, whatever its case and surrounding spaces."""
    return session.scalars(select(Company).where(Company.code == normalise_code(code))).first()


def list_companies(session: Session) -> list[Company]:
    """All companies, by code."""
    return list(session.scalars(select(Company).order_by(Company.code)))


def join_company(session: Session, *, user_ref: str, code: str) -> Company | None:
    """Attach the user to the company with `code`; None (and no change) if the code is unknown."""
    user = require_user(session, user_ref)
    company = find_company(session, code=code)
    if company is None:
        return None
    user.company = company
    session.flush()
    return company


def company_codes_paused_until(
    session: Session, *, user_ref: str, now: datetime
) -> datetime | None:
    """Until when this user may not try another code (after too many wrong ones), or None."""
    paused = require_user(session, user_ref).code_paused_until
    return paused if paused is not None and paused > aware_utc(now, "now") else None


def record_code_attempt(
    session: Session,
    *,
    user_ref: str,
    joined: bool,
    now: datetime,
    max_failures: int,
    pause: timedelta,
) -> datetime | None:
    """Count a code attempt; returns the end of the pause it starts, if it starts one.

    Wrong codes in a row are counted; the `max_failures`-th starts a pause and the count
    begins again. A right code clears both, so a typo costs nothing later.
    """
    user = require_user(session, user_ref)
    if joined:
        user.code_failures, user.code_paused_until = 0, None
        session.flush()
        return None
    user.code_failures += 1
    if user.code_failures < max_failures:
        session.flush()
        return None
    user.code_failures = 0
    user.code_paused_until = aware_utc(now, "now") + pause
    session.flush()
    return user.code_paused_until

"""Welfare managers: registering them, and routing a request to one.

Routing: the available managers of the worker's company first; when it has none (or the
worker named no company), the network's managers ("welfare manager di rete"). Among them,
round robin: the one who was routed a ticket longest ago (never, first) gets this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import Company, Manager, find_company
from storage.checks import aware_utc, bounded_text
from storage.models import MANAGER_NAME_LENGTH
from storage.statements import insert_if_absent


def add_manager(
    session: Session,
    *,
    telegram_user_id: int,
    name: str,
    company_code: str | None,
    now: dt.datetime,
) -> Manager:
    """Register a manager (of `company_code`, or of the network); ValueError for a known
    Telegram account or an unknown company code."""
    if telegram_user_id <= 0:
        raise ValueError("a Telegram user id is a positive number (ask the manager for theirs)")
    company_id: int | None = None
    if company_code is not None:
        company = find_company(session, code=company_code)
        if company is None:
            raise ValueError(
                f"no company with code {company_code!r} — see `sportello companies list`"
            )
        company_id = company.id
    values = {
        "telegram_user_id": telegram_user_id,
        "name": bounded_text(name.strip(), "name", MANAGER_NAME_LENGTH),
        "company_id": company_id,
        "available": True,
        "created_at": aware_utc(now, "now"),
    }
    if not insert_if_absent(session, Manager, values):
        raise ValueError(f"Telegram user {telegram_user_id} is already a manager")
    return session.scalars(
        select(Manager).where(Manager.telegram_user_id == telegram_user_id)
    ).one()


def remove_manager(session: Session, *, telegram_user_id: int) -> bool:
    """Forget a manager; their tickets stay (with no assignee). False if unknown."""
    result = session.execute(delete(Manager).where(Manager.telegram_user_id == telegram_user_id))
    return bool(getattr(result, "rowcount", 0))


def set_available(session: Session, *, telegram_user_id: int, available: bool) -> bool:
    manager = find_manager(session, telegram_user_id=telegram_user_id)
    if manager is None:
        return False
    manager.available = available
    session.flush()
    return True


def find_manager(session: Session, *, telegram_user_id: int) -> Manager | None:
    return session.scalars(
        select(Manager).where(Manager.telegram_user_id == telegram_user_id)
    ).first()


def list_managers(session: Session) -> list[tuple[Manager, str | None]]:
    """Every manager with their company's code (None: network), network managers first."""
    rows = session.execute(
        select(Manager, Company.code)
        .outerjoin(Company, Company.id == Manager.company_id)
        .order_by(Company.code.is_not(None), Company.code, Manager.name)
    )
    return [(manager, code) for manager, code in rows.tuples()]


def may_act(manager: Manager, company_id: int | None) -> bool:
    """Network managers act on every ticket; a company's managers on their company's."""
    return manager.company_id is None or manager.company_id == company_id


def route(
    session: Session,
    *,
    company_id: int | None,
    now: dt.datetime,
    exclude: Collection[int] = (),
    network_only: bool = False,
) -> Manager | None:
    """The manager the next ticket goes to (and the round robin moves on), or None."""
    tiers: list[int | None] = [] if network_only or company_id is None else [company_id]
    tiers.append(None)
    for tier in tiers:
        condition = Manager.company_id.is_(None) if tier is None else Manager.company_id == tier
        statement = (
            select(Manager)
            .where(condition, Manager.available.is_(True))
            .order_by(Manager.last_routed_at.is_not(None), Manager.last_routed_at, Manager.id)
        )
        if exclude:
            statement = statement.where(Manager.id.not_in(list(exclude)))
        chosen = session.scalars(statement.limit(1)).first()
        if chosen is not None:
            chosen.last_routed_at = aware_utc(now, "now")
            session.flush()
            return chosen
    return None

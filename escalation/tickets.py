"""Tickets: open (or add to the open one), take, answer, resolve, close, reassign, rate.

Every function takes the caller's session and changes rows in its transaction, so what a
change sends (the outbox rows the caller enqueues) commits with it or not at all. Every
status change goes through `_move`, which checks it against escalation/statuses.py and
writes a `TicketEvent` (who, when, from what to what).

Two managers pressing "prendi" at once: `take` is one conditional UPDATE (`... WHERE status =
'open'`); on PostgreSQL the second waits for the first to commit and then matches no row, so
exactly one wins, whatever the isolation level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from escalation import statuses
from escalation.errors import NotAManager, TicketNotFound
from escalation.managers import may_act, route
from storage import Manager, Ticket, TicketEvent, TicketMessage
from storage.checks import aware_utc, bounded_text, one_of
from storage.models import TICKET_KEY_LENGTH, TICKET_PRIORITIES, TOPIC_LENGTH
from storage.statements import insert_if_absent

MAX_TEXT = 4000
"""Longest text kept per message (a Telegram message is at most 4,096 characters)."""


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    created: bool
    """False when the request went to the worker's ticket already open (or was a repeat)."""
    appended: TicketMessage | None = None
    """The worker's line added to an open ticket, if any."""


def active_ticket(session: Session, *, user_ref: str) -> Ticket | None:
    """The worker's ticket that is not closed yet (their messages go to it), if any."""
    return session.scalars(
        select(Ticket)
        .where(Ticket.user_ref == user_ref, Ticket.status.in_(statuses.ACTIVE))
        .order_by(Ticket.id.desc())
        .limit(1)
    ).first()


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise TicketNotFound(f"no ticket number {ticket_id}")
    return ticket


def open_or_append(
    session: Session,
    *,
    key: str,
    user_ref: str,
    company_id: int | None,
    topic: str | None,
    summary: str,
    transcript: str | None,
    note: str | None,
    priority: str,
    now: dt.datetime,
) -> Opened:
    """Open a ticket for the worker, or add this request to the one already open.

    `key` names the request (the flow's request id): the same request handled twice — a
    retried update, a second tap — finds its ticket instead of opening another.
    """
    now = aware_utc(now, "now")
    priority = one_of(priority, TICKET_PRIORITIES, "priority")
    key = bounded_text(key, "key", TICKET_KEY_LENGTH)
    same = session.scalars(select(Ticket).where(Ticket.open_key == key)).first()
    if same is not None:
        return Opened(same, created=False)
    current = active_ticket(session, user_ref=user_ref)
    if current is not None:
        if priority == "high":
            current.priority = "high"
        appended = add_worker_message(session, ticket=current, text=note, now=now) if note else None
        return Opened(current, created=False, appended=appended)
    manager = route(session, company_id=company_id, now=now)
    values = {
        "open_key": key,
        "user_ref": user_ref,
        "company_id": company_id,
        "topic": None if topic is None else topic[:TOPIC_LENGTH],
        "summary": summary[:MAX_TEXT],
        "transcript": None if transcript is None else transcript[:MAX_TEXT],
        "note": None if note is None else note[:MAX_TEXT],
        "priority": priority,
        "status": statuses.OPEN,
        "routed_to_id": None if manager is None else manager.id,
        "created_at": now,
        "worker_told": False,
    }
    insert_if_absent(session, Ticket, values)
    ticket = session.scalars(select(Ticket).where(Ticket.open_key == key)).one()
    session.add(TicketEvent(ticket_id=ticket.id, at=now, actor="worker", to_status=statuses.OPEN))
    session.flush()
    return Opened(ticket, created=True)


def _move(
    session: Session,
    ticket: Ticket,
    target: str,
    *,
    actor: str,
    manager: Manager | None,
    now: dt.datetime,
) -> None:
    statuses.check_move(ticket.status, target)
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=now,
            actor=actor,
            manager_id=None if manager is None else manager.id,
            from_status=ticket.status,
            to_status=target,
            assignee_id=ticket.assignee_id,
        )
    )
    ticket.status = target
    if target == statuses.RESOLVED:
        ticket.resolved_at = now
    elif target == statuses.CLOSED:
        ticket.closed_at = now
    session.flush()


def check_manager(manager: Manager | None, ticket: Ticket) -> Manager:
    """The manager, if they may act on this ticket; NotAManager otherwise."""
    if manager is None:
        raise NotAManager("only registered welfare managers can act on tickets")
    if not may_act(manager, ticket.company_id):
        raise NotAManager("this ticket belongs to another company's managers")
    return manager


def take(session: Session, *, ticket: Ticket, manager: Manager, now: dt.datetime) -> bool:
    """Assign an open ticket to `manager`; False if someone else took it first."""
    now = aware_utc(now, "now")
    check_manager(manager, ticket)
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == statuses.OPEN)
        .values(status=statuses.ASSIGNED, assignee_id=manager.id)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        session.refresh(ticket)
        return False
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=now,
            actor="manager",
            manager_id=manager.id,
            from_status=statuses.OPEN,
            to_status=statuses.ASSIGNED,
            assignee_id=manager.id,
        )
    )
    session.flush()
    session.refresh(ticket)
    return True


def resolve(session: Session, *, ticket: Ticket, manager: Manager, now: dt.datetime) -> None:
    check_manager(manager, ticket)
    _move(session, ticket, statuses.RESOLVED, actor="manager", manager=manager, now=now)


def close(session: Session, *, ticket: Ticket, manager: Manager | None, now: dt.datetime) -> None:
    """Close the ticket (manager None: the desk closes it, e.g. the worker erased their data)."""
    if manager is not None:
        check_manager(manager, ticket)
    actor = "system" if manager is None else "manager"
    _move(session, ticket, statuses.CLOSED, actor=actor, manager=manager, now=now)


def reassign(
    session: Session, *, ticket: Ticket, manager: Manager, now: dt.datetime
) -> Manager | None:
    """Hand the ticket to the next manager in the round robin (not the one asking, nor the
    current assignee); None, and nothing changed, when there is nobody else."""
    check_manager(manager, ticket)
    statuses.check_move(ticket.status, statuses.ASSIGNED)
    exclude = {manager.id} | ({ticket.assignee_id} if ticket.assignee_id else set())
    chosen = route(session, company_id=ticket.company_id, now=now, exclude=exclude)
    if chosen is None:
        return None
    ticket.assignee_id = chosen.id
    ticket.routed_to_id = chosen.id
    _move(session, ticket, statuses.ASSIGNED, actor="manager", manager=manager, now=now)
    return chosen


def escalate(session: Session, *, ticket: Ticket, now: dt.datetime) -> Manager | None:
    """The first-response target is breached: route the ticket to a network manager."""
    ticket.escalated_at = aware_utc(now, "now")
    exclude = {ticket.routed_to_id} if ticket.routed_to_id else set()
    chosen = route(session, company_id=None, now=now, exclude=exclude, network_only=True)
    if chosen is not None:
        ticket.routed_to_id = chosen.id
    session.flush()
    return chosen


def add_worker_message(
    session: Session, *, ticket: Ticket, text: str, now: dt.datetime
) -> TicketMessage:
    """The worker wrote while the ticket is active: it waits for a manager again."""
    now = aware_utc(now, "now")
    message = TicketMessage(ticket_id=ticket.id, at=now, direction="worker", text=text[:MAX_TEXT])
    session.add(message)
    if ticket.status in (statuses.WAITING, statuses.RESOLVED):
        _move(session, ticket, statuses.ASSIGNED, actor="worker", manager=None, now=now)
    session.flush()
    return message


def add_manager_message(
    session: Session,
    *,
    ticket: Ticket,
    manager: Manager,
    text: str,
    telegram_message_id: int | None,
    now: dt.datetime,
) -> TicketMessage:
    """A manager's answer for the worker: it counts as the first response, takes an open
    ticket, and leaves the ticket waiting for the worker."""
    now = aware_utc(now, "now")
    check_manager(manager, ticket)
    message = TicketMessage(
        ticket_id=ticket.id,
        at=now,
        direction="manager",
        manager_id=manager.id,
        text=text[:MAX_TEXT],
        telegram_message_id=telegram_message_id,
    )
    session.add(message)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    if ticket.assignee_id is None:
        ticket.assignee_id = manager.id
    if ticket.status != statuses.WAITING:
        _move(session, ticket, statuses.WAITING, actor="manager", manager=manager, now=now)
    session.flush()
    return message


def add_desk_message(session: Session, *, ticket: Ticket, now: dt.datetime) -> TicketMessage:
    """A row for a message the desk sends into the ticket's thread (the card, a notice), so
    its Telegram id, once known, maps replies to the ticket."""
    message = TicketMessage(ticket_id=ticket.id, at=aware_utc(now, "now"), direction="desk")
    session.add(message)
    session.flush()
    return message


def ticket_in_thread(
    session: Session, *, thread_id: int | None, reply_to: int | None
) -> Ticket | None:
    """The ticket a message in the managers' chat belongs to: by its forum topic, else by
    the message it replies to (the card or any message sent for the ticket)."""
    if thread_id is not None:
        found = session.scalars(select(Ticket).where(Ticket.thread_id == thread_id)).first()
        if found is not None:
            return found
    if reply_to is None:
        return None
    by_message = select(TicketMessage.ticket_id).where(
        TicketMessage.telegram_message_id == reply_to
    )
    return session.scalars(
        select(Ticket)
        .where(or_(Ticket.card_message_id == reply_to, Ticket.id.in_(by_message)))
        .limit(1)
    ).first()


def record_delivery(
    session: Session,
    *,
    ticket_id: int,
    message_id: int | None,
    telegram_message_id: int,
    card: bool,
) -> None:
    """Remember where a message of the ticket landed in the managers' chat."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return
    if card and ticket.card_message_id is None:
        ticket.card_message_id = telegram_message_id
    if message_id is not None:
        message = session.get(TicketMessage, message_id)
        if message is not None and message.telegram_message_id is None:
            message.telegram_message_id = telegram_message_id
    session.flush()


def set_thread(session: Session, *, ticket_id: int, thread_id: int) -> int:
    """Give the ticket its forum topic, unless it has one already; the topic it has."""
    ticket = get_ticket(session, ticket_id)
    if ticket.thread_id is None:
        ticket.thread_id = thread_id
        session.flush()
    return int(ticket.thread_id)


def rate(
    session: Session, *, ticket_id: int, user_ref: str, rating: int, now: dt.datetime
) -> Ticket | None:
    """Store the worker's 1-5 rating of their closed ticket; None if it is not theirs, not
    closed, or rated already (a second tap changes nothing)."""
    if rating not in range(1, 6):
        raise ValueError("a rating is 1 to 5")
    ticket = session.get(Ticket, ticket_id)
    if (
        ticket is None
        or ticket.user_ref != user_ref
        or ticket.status != statuses.CLOSED
        or ticket.rating is not None
    ):
        return None
    ticket.rating = rating
    session.flush()
    return ticket


def comment(session: Session, *, ticket_id: int, user_ref: str, text: str) -> bool:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.user_ref != user_ref or ticket.rating is None:
        return False
    ticket.rating_comment = text[:MAX_TEXT]
    session.flush()
    return True


def user_tickets(session: Session, *, user_ref: str, limit: int = 10) -> list[Ticket]:
    """The worker's latest tickets, newest first."""
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.user_ref == user_ref)
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
    )


def list_tickets(session: Session, *, status: str | None = None) -> list[Ticket]:
    statement = select(Ticket).order_by(Ticket.id)
    if status is not None:
        statement = statement.where(Ticket.status == one_of(status, statuses.MOVES, "status"))
    return list(session.scalars(statement))


def events_of(session: Session, *, ticket_id: int) -> list[TicketEvent]:
    return list(
        session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        )
    )


def messages_of(session: Session, *, ticket_id: int) -> list[TicketMessage]:
    return list(
        session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.id)
        )
    )


def awaiting_first_response(session: Session) -> Sequence[Ticket]:
    """Tickets nobody has answered yet, oldest first (the SLA check reads them)."""
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.first_response_at.is_(None),
            Ticket.status.in_((statuses.OPEN, statuses.ASSIGNED)),
            Ticket.escalated_at.is_(None),
        )
        .order_by(Ticket.id)
    ).all()


def manager_by_id(session: Session, manager_id: int | None) -> Manager | None:
    return None if manager_id is None else session.get(Manager, manager_id)

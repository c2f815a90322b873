"""`sportello managers …` and `sportello tickets …`: who takes requests, and what they hold.

Managers are registered by their Telegram user id (they see it with @userinfobot, or the
lead reads it from a message they forwarded), a name the workers will read (its first word
signs their answers) and the company they look after; without a company they are the
network's managers, who take everything else. Ticket listings print numbers, statuses and
times; `tickets show N` also prints the ticket's texts, which only managers should read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from escalation import (
    EscalationError,
    add_manager,
    events_of,
    get_ticket,
    list_managers,
    list_tickets,
    manager_by_id,
    messages_of,
    remove_manager,
    set_available,
    statuses,
)
from sportello.settings import Settings
from storage import Company, Ticket

EXIT_OK, EXIT_USAGE = 0, 2
Run = Callable[[argparse.Namespace, Settings], int]


def add_escalation_commands(commands: Any, now: Callable[[], dt.datetime]) -> None:
    managers = commands.add_parser("managers", help="welfare managers who take requests")
    managers_commands = managers.add_subparsers(title="managers commands")
    add = managers_commands.add_parser("add", help="register a welfare manager")
    add.add_argument("--telegram-id", type=int, required=True, help="their Telegram user id")
    add.add_argument("--name", required=True, help="as workers will read it (first name signs)")
    add.add_argument("--company", help="company code; none: a manager of the whole network")
    add.set_defaults(run=_failing(lambda args, settings: _managers_add(args, settings, now())))
    listing = managers_commands.add_parser("list", help="list managers")
    listing.set_defaults(run=_failing(_managers_list))
    available = managers_commands.add_parser(
        "available", help="take (or stop taking) new requests, e.g. during holidays"
    )
    available.add_argument("--telegram-id", type=int, required=True)
    available.add_argument("state", choices=("yes", "no"))
    available.set_defaults(run=_failing(_managers_available))
    remove = managers_commands.add_parser("remove", help="remove a manager")
    remove.add_argument("--telegram-id", type=int, required=True)
    remove.set_defaults(run=_failing(_managers_remove))

    tickets = commands.add_parser("tickets", help="requests handed to welfare managers")
    tickets_commands = tickets.add_subparsers(title="tickets commands")
    listing = tickets_commands.add_parser("list", help="list tickets")
    listing.add_argument("--status", choices=sorted(statuses.MOVES), help="only this status")
    listing.add_argument("--json", action="store_true", help="JSON lines, for scripts")
    listing.set_defaults(run=_failing(_tickets_list))
    show = tickets_commands.add_parser("show", help="one ticket: texts, history, messages")
    show.add_argument("number", type=int)
    show.set_defaults(run=_failing(_tickets_show))


def _failing(run: Run) -> Run:
    """Bad input (an unknown company, a known manager, no such ticket) is one error line."""

    def wrapped(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return run(args, settings)
        except (EscalationError, ValueError) as exc:
            print(f"errore: {exc}", file=sys.stderr)
            return EXIT_USAGE

    return wrapped


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    from sportello.desk import open_database

    database = open_database(settings)
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def _managers_add(args: argparse.Namespace, settings: Settings, now: dt.datetime) -> int:
    with _session(settings) as session:
        manager = add_manager(
            session,
            telegram_user_id=args.telegram_id,
            name=args.name,
            company_code=args.company,
            now=now,
        )
        scope = f"company {args.company.upper()}" if args.company else "the network"
        print(f"added manager {manager.name} ({manager.telegram_user_id}) for {scope}")
    return EXIT_OK


def _managers_list(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        rows = list_managers(session)
        if not rows:
            print("no managers yet: sportello managers add --telegram-id ID --name NAME")
        for manager, code in rows:
            available = "" if manager.available else " (not available)"
            print(f"{manager.telegram_user_id}\t{manager.name}\t{code or 'network'}{available}")
    return EXIT_OK


def _managers_available(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        if not set_available(
            session, telegram_user_id=args.telegram_id, available=args.state == "yes"
        ):
            print(f"errore: no manager with Telegram id {args.telegram_id}", file=sys.stderr)
            return EXIT_USAGE
    state = "takes" if args.state == "yes" else "does not take"
    print(f"manager {args.telegram_id} {state} new requests")
    return EXIT_OK


def _managers_remove(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        if not remove_manager(session, telegram_user_id=args.telegram_id):
            print(f"errore: no manager with Telegram id {args.telegram_id}", file=sys.stderr)
            return EXIT_USAGE
    print(f"removed manager {args.telegram_id}")
    return EXIT_OK


def _summary(session: Session, ticket: Ticket) -> dict[str, Any]:
    company = session.get(Company, ticket.company_id) if ticket.company_id else None
    assignee = manager_by_id(session, ticket.assignee_id)
    return {
        "number": ticket.id,
        "status": ticket.status,
        "priority": ticket.priority,
        "topic": ticket.topic,
        "company": None if company is None else company.code,
        "assignee": None if assignee is None else assignee.name,
        "created_at": ticket.created_at.isoformat(),
        "first_response_at": _iso(ticket.first_response_at),
        "closed_at": _iso(ticket.closed_at),
        "rating": ticket.rating,
        "anonymised": ticket.user_ref is None,
    }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _tickets_list(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        rows = [_summary(session, t) for t in list_tickets(session, status=args.status)]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("no tickets" + (f" with status {args.status}" if args.status else ""))
    for row in rows:
        print(
            f"n. {row['number']}\t{row['status']}\t{row['priority']}\t{row['topic'] or '-'}"
            f"\t{row['company'] or 'network'}\t{row['assignee'] or '-'}\t{row['created_at']}"
        )
    return EXIT_OK


def _tickets_show(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        ticket = get_ticket(session, args.number)
        row = _summary(session, ticket)
        for key, value in row.items():
            print(f"{key}: {value if value is not None else '-'}")
        for label, text in (
            ("summary", ticket.summary),
            ("note", ticket.note),
            ("shared conversation", ticket.transcript),
            ("rating comment", ticket.rating_comment),
        ):
            if text:
                print(f"{label}:\n  " + text.replace("\n", "\n  "))
        print("history:")
        for event in events_of(session, ticket_id=ticket.id):
            who = manager_by_id(session, event.manager_id)
            actor = who.name if who is not None else event.actor
            print(
                f"  {event.at.isoformat()}  {event.from_status or '-'} → {event.to_status}  {actor}"
            )
        print("messages:")
        for message in messages_of(session, ticket_id=ticket.id):
            if message.direction == "desk":
                continue
            text = message.text if message.text is not None else "(cancellato)"
            print(f"  {message.at.isoformat()}  {message.direction}: {text}")
    return EXIT_OK

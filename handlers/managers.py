"""The managers' chat: card buttons, commands in a ticket's thread, answers for workers.

A turn from the managers' chat (`escalation.managers_chat_id`) comes here instead of the
"write to me privately" of other groups. Who may act is decided by the managers table: a
button pressed by anyone else gets a short refusal (a toast), a message or command from
anyone else is ignored, and so is chatter that belongs to no ticket. A manager's message in a
ticket's forum topic, or in reply to any message of the ticket, is relayed to the worker
signed with the manager's first name; what the worker reads is in their language
(handlers/ticket_messages.py, `worker_translator`), what the managers read in Italian. Every
message this sends goes into the outbox in the turn's transaction: the status change and its
notices commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator

from sqlalchemy.orm import Session

from escalation import (
    EscalationError,
    EscalationSettings,
    NotAManager,
    Targets,
    TransitionError,
    add_manager_message,
    awaiting_first_response,
    check_manager,
    close,
    escalate,
    find_manager,
    manager_by_id,
    reassign,
    resolve,
    statuses,
    take,
    ticket_in_thread,
)
from handlers import callbacks, texts
from handlers.flows.handoff import rating_buttons
from handlers.i18n import Translations
from handlers.ticket_messages import (
    ACTIONS,
    CARD,
    TICKET_FLOW,
    post_to_thread,
    worker_translator,
    write_to_worker,
)
from handlers.turns import Reply, Turn
from storage import Manager, Ticket, chat_id_for

COMMANDS = {"prendi": "take", "risolto": "resolve", "chiudi": "close", "riassegna": "reassign"}
"""Commands a manager writes in a ticket's thread, and the action each one is."""


def first_name(manager: Manager) -> str:
    return manager.name.split()[0] if manager.name.split() else manager.name


def handle(
    session: Session,
    turn: Turn,
    settings: EscalationSettings,
    update_key: str | None,
    translations: Translations | None = None,
) -> list[Reply]:
    """The replies to a turn in the managers' chat (outbox rows for the rest are queued).

    `translations` word what reaches the worker (Italian without them)."""
    keys = _keys(update_key)
    translations = translations or Translations.italian_only()
    manager = find_manager(session, telegram_user_id=turn.user_id)
    if turn.button is not None:
        return _on_button(session, turn, settings, manager, keys, translations)
    if manager is None:
        return []  # not a manager: a message in the group is none of the desk's business
    ticket = ticket_in_thread(session, thread_id=turn.thread_id, reply_to=turn.reply_to)
    if turn.command is not None:
        action = COMMANDS.get(turn.command)
        if action is None:
            return []
        if ticket is None:
            return [Reply(texts.THREAD_WHERE)]
        return _act(session, turn, settings, manager, ticket, action, keys, translations)
    if ticket is None or not (turn.text or "").strip():
        return []
    return _answer(session, turn, settings, manager, ticket, keys, translations)


def _keys(update_key: str | None) -> Iterator[str]:
    """Outbox keys for what one turn sends: unique per update (a retry queues nothing new)."""
    prefix = update_key or uuid.uuid4().hex
    return (f"m{prefix}:{n}" for n in itertools.count())


def _on_button(
    session: Session,
    turn: Turn,
    settings: EscalationSettings,
    manager: Manager | None,
    keys: Iterator[str],
    translations: Translations,
) -> list[Reply]:
    press = callbacks.parse(turn.button or "")
    if (
        press is None
        or press.flow != TICKET_FLOW
        or press.step != CARD
        or press.value not in ACTIONS
        or press.ref is None
    ):
        return [Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON)]
    if manager is None:
        return [Reply(texts.NOT_A_MANAGER, notice=texts.NOT_A_MANAGER)]
    ticket = session.get(Ticket, press.ref)
    if ticket is None:
        return [Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON)]
    replies = _act(session, turn, settings, manager, ticket, press.value, keys, translations)
    # a press is answered with a toast; the notices went into the ticket's thread
    return [Reply(r.text, notice=r.text[:190]) for r in replies]


def _act(
    session: Session,
    turn: Turn,
    settings: EscalationSettings,
    manager: Manager,
    ticket: Ticket,
    action: str,
    keys: Iterator[str],
    translations: Translations,
) -> list[Reply]:
    name = first_name(manager)
    number = ticket.id
    now = turn.at
    tr = worker_translator(session, ticket, translations)
    try:
        check_manager(manager, ticket)
        if action == "take":
            if not take(session, ticket=ticket, manager=manager, now=now):
                holder = manager_by_id(session, ticket.assignee_id)
                label = first_name(holder) if holder else statuses.LABELS[ticket.status]
                return [Reply(texts.THREAD_ALREADY_TAKEN.format(number=number, name=label))]
            notice = texts.THREAD_TAKEN.format(name=name, number=number)
            worker = tr(texts.TICKET_TAKEN_WORKER).format(name=name, number=number)
            write_to_worker(session, ticket, worker, key=next(keys), now=now)
        elif action == "resolve":
            resolve(session, ticket=ticket, manager=manager, now=now)
            notice = texts.THREAD_RESOLVED.format(name=name, number=number)
            worker = tr(texts.TICKET_RESOLVED_WORKER).format(name=name, number=number)
            write_to_worker(session, ticket, worker, key=next(keys), now=now)
        elif action == "close":
            close(session, ticket=ticket, manager=manager, now=now)
            notice = texts.THREAD_CLOSED.format(name=name, number=number)
            worker = tr(texts.TICKET_CLOSED_WORKER).format(number=number)
            write_to_worker(
                session, ticket, worker, key=next(keys), now=now, buttons=rating_buttons(number)
            )
        else:
            chosen = reassign(session, ticket=ticket, manager=manager, now=now)
            if chosen is None:
                return [Reply(texts.THREAD_NOBODY_ELSE.format(number=number))]
            notice = texts.THREAD_REASSIGNED.format(
                name=name, number=number, other=first_name(chosen)
            )
    except NotAManager:
        return [Reply(texts.NOT_YOUR_COMPANY)]
    except TransitionError:
        status = statuses.LABELS.get(ticket.status, ticket.status)
        return [Reply(texts.THREAD_CANNOT.format(number=number, status=status))]
    if turn.button is not None:  # the card's chat may not be the thread: say it there
        post_to_thread(session, settings, ticket, notice, key=next(keys), now=now)
    return [Reply(notice)]


def _answer(
    session: Session,
    turn: Turn,
    settings: EscalationSettings,
    manager: Manager,
    ticket: Ticket,
    keys: Iterator[str],
    translations: Translations,
) -> list[Reply]:
    """A manager's message for the worker: relayed, signed with their first name."""
    text = (turn.text or "").strip()
    if ticket.status == statuses.CLOSED:
        return [Reply(texts.THREAD_IS_CLOSED.format(number=ticket.id))]
    if ticket.user_ref is None or chat_id_for(session, user_ref=ticket.user_ref) is None:
        return [Reply(texts.THREAD_ERASED.format(number=ticket.id))]
    try:
        add_manager_message(
            session,
            ticket=ticket,
            manager=manager,
            text=text,
            telegram_message_id=turn.message_id,
            now=turn.at,
        )
    except NotAManager:
        return [Reply(texts.NOT_YOUR_COMPANY)]
    except EscalationError:
        status = statuses.LABELS.get(ticket.status, ticket.status)
        return [Reply(texts.THREAD_CANNOT.format(number=ticket.id, status=status))]
    signature = worker_translator(session, ticket, translations)(texts.TICKET_FROM_MANAGER)
    signed = signature.format(name=first_name(manager), number=ticket.id, text=text)
    if not write_to_worker(session, ticket, signed, key=next(keys), now=turn.at):
        return [Reply(texts.THREAD_ERASED.format(number=ticket.id))]
    return []


def check_targets(
    session: Session, settings: EscalationSettings, now: dt.datetime
) -> dict[str, int]:
    """The SLA sweep (housekeeping): remind the manager of a ticket nearing its
    first-response target, and route a breached one to the network's manager."""
    targets = Targets.from_settings(settings)
    hours = f"{settings.first_response_hours:g}"
    done = {"reminded": 0, "escalated": 0}
    for ticket in awaiting_first_response(session):
        if now >= targets.due_at(ticket.created_at):
            chosen = escalate(session, ticket=ticket, now=now)
            if chosen is None:
                text = texts.THREAD_ESCALATED_NOBODY.format(number=ticket.id, hours=hours)
            else:
                text = texts.THREAD_ESCALATED.format(
                    number=ticket.id, hours=hours, name=first_name(chosen)
                )
            post_to_thread(session, settings, ticket, text, key="escalated", now=now)
            done["escalated"] += 1
        elif ticket.reminded_at is None and now >= targets.reminder_at(ticket.created_at):
            ticket.reminded_at = now
            who = manager_by_id(session, ticket.assignee_id or ticket.routed_to_id)
            name = first_name(who) if who is not None else texts.CARD_NETWORK
            text = texts.THREAD_REMINDER.format(name=name, number=ticket.id, hours=hours)
            post_to_thread(session, settings, ticket, text, key="reminder", now=now)
            done["reminded"] += 1
    session.flush()
    return done

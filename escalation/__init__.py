"""Escalation: tickets that hand a worker's request to a human welfare manager.

Create (idempotent, or add to the worker's open ticket), route (company managers first, the
network's otherwise, round robin), take (atomically), answer, resolve, close, reassign, rate;
the SLA arithmetic in working hours with Italian public holidays. It knows storage only: the
dialogue (handlers/) decides what to tell people and queues it in the same transaction.
"""

from __future__ import annotations

from escalation import statuses
from escalation.errors import EscalationError, NotAManager, TicketNotFound, TransitionError
from escalation.managers import (
    add_manager,
    find_manager,
    list_managers,
    may_act,
    remove_manager,
    route,
    set_available,
)
from escalation.settings import EscalationSettings
from escalation.sla import Targets, WorkingCalendar
from escalation.tickets import (
    Opened,
    active_ticket,
    add_desk_message,
    add_manager_message,
    add_worker_message,
    awaiting_first_response,
    check_manager,
    close,
    comment,
    escalate,
    events_of,
    get_ticket,
    list_tickets,
    manager_by_id,
    messages_of,
    open_or_append,
    rate,
    reassign,
    record_delivery,
    resolve,
    set_thread,
    take,
    ticket_in_thread,
    user_tickets,
)

__all__ = [
    "EscalationError",
    "EscalationSettings",
    "NotAManager",
    "Opened",
    "Targets",
    "TicketNotFound",
    "TransitionError",
    "WorkingCalendar",
    "active_ticket",
    "add_desk_message",
    "add_manager",
    "add_manager_message",
    "add_worker_message",
    "awaiting_first_response",
    "check_manager",
    "close",
    "comment",
    "escalate",
    "events_of",
    "find_manager",
    "get_ticket",
    "list_managers",
    "list_tickets",
    "manager_by_id",
    "may_act",
    "messages_of",
    "open_or_append",
    "rate",
    "reassign",
    "record_delivery",
    "remove_manager",
    "resolve",
    "route",
    "set_available",
    "set_thread",
    "statuses",
    "take",
    "ticket_in_thread",
    "user_tickets",
]

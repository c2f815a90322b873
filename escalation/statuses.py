"""A ticket's statuses and the moves between them, in one table.

    open ──take──▶ assigned ──manager answers──▶ waiting ──worker answers──▶ assigned
      │               │  ▲                          │
      └───────────────┴──┴──────resolve─────────────┴──▶ resolved ──close──▶ closed
                         └────── the worker writes again ───┘

Any status but `closed` may be closed directly (a manager's /chiudi, or the worker erasing
their data). `closed` is final: a later message from the worker opens a new ticket.
"""

from __future__ import annotations

from collections.abc import Mapping

from escalation.errors import TransitionError

OPEN = "open"
ASSIGNED = "assigned"
WAITING = "waiting"
RESOLVED = "resolved"
CLOSED = "closed"

ACTIVE = frozenset({OPEN, ASSIGNED, WAITING, RESOLVED})
"""Statuses in which the worker's messages go to the ticket."""

MOVES: Mapping[str, frozenset[str]] = {
    OPEN: frozenset({ASSIGNED, WAITING, RESOLVED, CLOSED}),
    ASSIGNED: frozenset({ASSIGNED, WAITING, RESOLVED, CLOSED}),
    WAITING: frozenset({ASSIGNED, WAITING, RESOLVED, CLOSED}),
    RESOLVED: frozenset({ASSIGNED, CLOSED}),
    CLOSED: frozenset(),
}
"""Allowed moves. `assigned → assigned` is a reassignment; `open → waiting` is a manager
answering without pressing "prendi" first (answering takes the ticket)."""

LABELS: Mapping[str, str] = {
    OPEN: "aperta, in attesa di un welfare manager",
    ASSIGNED: "presa in carico",
    WAITING: "in attesa di una tua risposta",
    RESOLVED: "risolta",
    CLOSED: "chiusa",
}
"""How a status reads to a person (Italian, as the interface texts)."""


def check_move(current: str, target: str) -> None:
    """Raise TransitionError unless `current → target` is allowed."""
    if target not in MOVES.get(current, frozenset()):
        raise TransitionError(f"a ticket cannot go from {current} to {target}")

"""What escalation refuses, in words a manager (or the CLI's user) can act on.

SportelloError
 └── EscalationError         escalation refuses a request
      ├── NotAManager        the Telegram account is not a registered manager (or not
      │                      of the ticket's company)
      ├── TicketNotFound     no ticket with that number
      └── TransitionError    the status change is not allowed from the current status
"""

from __future__ import annotations

from sportello.errors import SportelloError


class EscalationError(SportelloError):
    """An escalation request that cannot be carried out; the message says why."""


class NotAManager(EscalationError, PermissionError):
    """Only registered managers (of the ticket's company, or of the network) may act."""


class TicketNotFound(EscalationError, LookupError):
    """No ticket with that number."""


class TransitionError(EscalationError, ValueError):
    """The ticket cannot move to that status from the one it is in."""

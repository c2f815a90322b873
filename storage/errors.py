"""The storage exception tree, so callers can tell an outage from a bug from bad input.

    SportelloError (sportello/errors.py)
     ├── StorageError      the database cannot be reached, opened or migrated: an operator
     │                     fixes the URL or the server (the message says how); fatal at start-up
     └── NotFoundError     (also a LookupError) a repository call named a user or interaction
                           that does not exist: a bug in the caller (it should have called
                           `ensure_user` first)
    ValueError             input the schema would refuse: unknown role, malformed company
                           code, naive datetime, non-JSON flow data; raised before any SQL

Errors raised by the database during a session (a lost connection, a lock timeout) stay
SQLAlchemy's own: the session rolls back and the caller's error handler decides.
"""

from __future__ import annotations

from sportello.errors import SportelloError

__all__ = ["NotFoundError", "StorageError"]


class StorageError(SportelloError):
    """The database cannot be used; the message names its URL (password masked) and the fix."""


class NotFoundError(SportelloError, LookupError):
    """A row the caller relies on is missing; the message names what was looked up."""

"""Logging set-up, shared by the CLI and the engine worker processes it starts.

The desk's own modules never log a user's text, a Telegram id, a user reference or an entry
id (the entry can be a health topic). The libraries under it are less careful, so whatever
level the operator picks, the one handler installed here holds them back:

- python-telegram-bot logs whole updates and API payloads at DEBUG; aiohttp and tornado log
  addresses and request lines; they pass from INFO up;
- httpx logs every request URL at INFO, and Telegram's URLs carry the bot token; SQLAlchemy
  logs statements at INFO and result rows at DEBUG; they pass from WARNING up (and the
  database engine hides bound parameters even in error messages: storage.database);
- every line, tracebacks included, is scrubbed of anything shaped like a bot token, of the
  configured secrets themselves, and of PostgreSQL's `DETAIL:` lines (which quote the
  values of a violated constraint).

These floors sit in a filter on the handler, not only on the loggers, so a library that
sets its own logger to DEBUG still cannot get a payload into the output.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"

FLOORS: dict[str, int] = {
    "telegram": logging.INFO,
    "aiohttp": logging.INFO,
    "tornado": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "asyncio": logging.INFO,
    "multipart": logging.INFO,
}
"""Lowest level at which each library's records are let through, whatever the setting."""

BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
PG_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
REDACTED = "[redacted]"


class HoldBack(logging.Filter):
    """Drops library records below the library's floor (see FLOORS)."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        for prefix, floor in FLOORS.items():
            if name == prefix or name.startswith(prefix + "."):
                return record.levelno >= floor
        return True


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes tokens and secrets from the whole text."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        # Longest first, so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = BOT_TOKEN.sub(REDACTED, text)
        return PG_DETAIL.sub(r"\1 " + REDACTED, text)


class _DeskHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so configuring again replaces it."""


def configure_logging(
    level: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Log lines carry the process name, so a worker's lines can be told from the bot's.

    `secrets` are the configured secret values (bot token, webhook secret, pseudonymisation
    key), removed from every line. Returns the installed handler.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _DeskHandler)]:
        root.removeHandler(old)
        old.close()
    handler = _DeskHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, secrets))
    handler.addFilter(HoldBack())
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in FLOORS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(floor, logging.getLevelName(level)))
    return handler

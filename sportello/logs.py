"""Logging set-up, shared by the CLI and the engine worker processes it starts."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Log lines carry the process name, so a worker's lines can be told from the bot's."""
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)

"""Telegram adapter: builds the PTB Application, maps updates to turns and replies back.

Settings load eagerly; the Application code (which imports python-telegram-bot and the whole
dialogue stack) loads on first use, so reading the configuration stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from bot.settings import BotConfigurationError, TelegramSettings

if TYPE_CHECKING:
    from bot.application import DeskBot
    from bot.runner import run_bot

__all__ = ["BotConfigurationError", "DeskBot", "TelegramSettings", "run_bot"]

_LAZY = {
    "DeskBot": "bot.application",
    "run_bot": "bot.runner",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bot' has no attribute {name!r}")

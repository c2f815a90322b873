"""The conversation, independent of any chat channel: onboarding, answers, the needs interview,
privacy commands.

Types and settings load eagerly; the engine (which pulls in storage, retrieval and NLU) loads
on first use, so reading the configuration stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from handlers.settings import DialogueSettings
from handlers.texts import COMMAND_DESCRIPTIONS
from handlers.turns import (
    Attachment,
    Button,
    Channel,
    Document,
    Incoming,
    OutboxEntry,
    Outcome,
    Reply,
    Turn,
)

if TYPE_CHECKING:
    from handlers.choices import key_of, typed_choice
    from handlers.dispatch import TurnDispatcher
    from handlers.engine import DialogueEngine
    from handlers.faq import IntentParser
    from handlers.pseudonym import Pseudonymizer

__all__ = [
    "COMMAND_DESCRIPTIONS",
    "Attachment",
    "Button",
    "Channel",
    "DialogueEngine",
    "DialogueSettings",
    "Document",
    "Incoming",
    "IntentParser",
    "OutboxEntry",
    "Outcome",
    "Pseudonymizer",
    "Reply",
    "Turn",
    "TurnDispatcher",
    "key_of",
    "typed_choice",
]

_LAZY = {
    "DialogueEngine": "handlers.engine",
    "TurnDispatcher": "handlers.dispatch",
    "IntentParser": "handlers.faq",
    "Pseudonymizer": "handlers.pseudonym",
    "key_of": "handlers.choices",
    "typed_choice": "handlers.choices",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'handlers' has no attribute {name!r}")

"""The channel-neutral language of the dialogue: a `Turn` in, `Reply` objects out.

Telegram, the terminal chat and the tests all translate to and from these types, so the
conversation logic never depends on a channel. Replies carry a tiny markup — `**bold**` — that
each channel renders its own way (HTML for Telegram, plain text for the terminal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Channel = Literal["telegram", "terminal", "test"]
ChatType = Literal["private", "group"]
Attachment = Literal[
    "sticker", "photo", "voice", "video", "document", "location", "contact", "other"
]


@dataclass(frozen=True)
class Turn:
    """One thing a user did: wrote text, sent a command, pressed a button, or sent a file."""

    channel: Channel
    user_id: int
    """The channel's stable id of the person (Telegram user id; a fixed id in the terminal)."""
    chat_id: int
    at: dt.datetime
    text: str | None = None
    command: str | None = None
    """Command name without the slash and bot suffix, lower case ("start", "miei_dati")."""
    args: tuple[str, ...] = ()
    button: str | None = None
    """Callback data of a pressed button."""
    attachment: Attachment | None = None
    language: str | None = None
    """The client's language code (Telegram's `language_code`), a hint only."""
    chat_type: ChatType = "private"
    """Where it was written: the desk talks only in private chats (see DialogueEngine)."""
    bot_username: str | None = None
    """The bot's own username, for the link that invites a group member to a private chat."""


@dataclass(frozen=True)
class Incoming:
    """A turn as a channel delivers it: with the channel's id of the delivery, if it has one.

    `update_id` (Telegram's) makes a redelivered update a no-op.
    """

    turn: Turn
    update_id: int | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    """Rows of inline buttons under the message."""
    document: Document | None = None
    notice: str | None = None
    """Short text for the button-press acknowledgement (a toast in Telegram), if any."""


@dataclass
class Outcome:
    """What handling a turn produced, for the channel and for the interaction log."""

    replies: list[Reply] = field(default_factory=list)
    interaction_id: int | None = None
    ignored: bool = False
    """True for a duplicate or a turn that needs no answer (e.g. from a blocked user)."""
    decision: str | None = None
    """What the desk did with a question: answer, referral, clarify or fallback (None: no
    question in this turn). Channels ignore it; evaluation and monitoring read it."""
    served: tuple[str, ...] = ()
    """The entries behind the reply: the one answered or referred to, or those offered."""

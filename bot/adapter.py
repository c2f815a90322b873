"""Telegram `Update` → channel-neutral `Turn`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from telegram import Message, Update

from handlers import Attachment, Turn


def to_turn(update: Update, now: dt.datetime) -> Turn | None:
    """The turn behind an update, or None for updates the desk does not act on."""
    query = update.callback_query
    if query is not None:
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        return Turn(
            channel="telegram",
            user_id=query.from_user.id,
            chat_id=chat_id,
            at=now,
            button=query.data or "",
            language=query.from_user.language_code,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    private = message.chat.type == "private"
    base = Turn(
        channel="telegram",
        user_id=message.from_user.id,
        chat_id=message.chat.id,
        at=now,
        language=message.from_user.language_code,
        chat_type="private" if private else "group",
        bot_username=None if private else message.get_bot().username,
    )
    text = message.text
    if text is not None and text.startswith("/") and len(text) > 1 and not text[1].isspace():
        head, *args = text[1:].split()
        return replace(base, command=head.split("@", 1)[0].lower(), args=tuple(args))
    if not private:
        return None  # in a group only commands get an answer ("scrivimi in privato")
    if text is not None:
        return replace(base, text=text)
    return replace(base, attachment=_attachment(message), text=message.caption)


def delivery_of(update: Update) -> str | None:
    """What the update carries, for the engine's dedupe key: the message's id in its chat or
    the callback query's id (see handlers.turns.Incoming)."""
    if update.callback_query is not None:
        return f"c{update.callback_query.id}"
    if update.effective_message is not None:
        return f"m{update.effective_message.message_id}"
    return None


def _attachment(message: Message) -> Attachment:
    if message.sticker is not None:
        return "sticker"
    if message.photo:
        return "photo"
    if message.voice is not None or message.audio is not None:
        return "voice"
    if message.video is not None or message.video_note is not None:
        return "video"
    if message.document is not None:
        return "document"
    if message.location is not None:
        return "location"
    if message.contact is not None:
        return "contact"
    return "other"

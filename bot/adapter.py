"""Telegram `Update` → channel-neutral `Turn`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from telegram import Message, Update

from handlers import Attachment, Turn


def to_turn(update: Update, now: dt.datetime, managers_chat: int | None = None) -> Turn | None:
    """The turn behind an update, or None for updates the desk does not act on.

    In the managers' chat every message counts (a manager answering a ticket), with the
    forum topic it was written in and the message it replies to; in other groups only
    commands do.
    """
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        in_group = chat is not None and chat.type != "private"
        return Turn(
            channel="telegram",
            user_id=query.from_user.id,
            chat_id=chat.id if chat is not None else query.from_user.id,
            at=now,
            button=query.data or "",
            language=query.from_user.language_code,
            chat_type="group" if in_group else "private",
            thread_id=_thread_of(query.message) if isinstance(query.message, Message) else None,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    private = message.chat.type == "private"
    managers = managers_chat is not None and message.chat.id == managers_chat
    replied = message.reply_to_message
    base = Turn(
        channel="telegram",
        user_id=message.from_user.id,
        chat_id=message.chat.id,
        at=now,
        language=message.from_user.language_code,
        chat_type="private" if private else "group",
        bot_username=None if private else message.get_bot().username,
        thread_id=_thread_of(message) if managers else None,
        reply_to=replied.message_id if managers and replied is not None else None,
        message_id=message.message_id,
    )
    text = message.text
    if text is not None and text.startswith("/") and len(text) > 1 and not text[1].isspace():
        head, *args = text[1:].split()
        return replace(base, command=head.split("@", 1)[0].lower(), args=tuple(args))
    if not private and not managers:
        return None  # in a group only commands get an answer ("scrivimi in privato")
    if text is not None:
        return replace(base, text=text)
    return replace(base, attachment=_attachment(message), text=message.caption)


def _thread_of(message: Message) -> int | None:
    """The forum topic a message belongs to (None outside forum topics)."""
    return message.message_thread_id if message.is_topic_message else None


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

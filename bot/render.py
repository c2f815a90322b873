"""Replies to Telegram messages: HTML-escaped text with `**bold**` made <b>, inline keyboards.

Everything that comes from content or users is escaped first, so a `<b>` typed by a user or a
stray `&` in an answer can never break the message or inject markup.
"""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import Reply

MAX_MESSAGE = 4096
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def to_html(text: str) -> str:
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split plain text at paragraph or line breaks so each rendered part fits Telegram's limit."""
    if len(to_html(text)) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(to_html(candidate)) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(to_html(line)) > limit:
            parts.append(line[: limit // 2])
            line = line[limit // 2 :]
        current = line
    if current:
        parts.append(current)
    return parts


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )

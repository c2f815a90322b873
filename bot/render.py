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


def rendered_length(text: str) -> int:
    """What a part costs against the limit: its HTML, in UTF-16 code units as Telegram counts
    (an emoji is two), escapes included (`&` is five characters once it is `&amp;`)."""
    return len(to_html(text).encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split plain text so each part, once rendered, fits Telegram's limit.

    Parts break at line breaks when they can, else at a space, else anywhere; they are cut
    from the plain text and escaped one by one, so no part can end inside an entity.
    """
    if rendered_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if rendered_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while rendered_length(line) > limit:
            head = _longest_prefix(line, limit)
            parts.append(head)
            line = line[len(head) :].lstrip(" ")
        current = line
    if current:
        parts.append(current)
    return parts


def _longest_prefix(line: str, limit: int) -> str:
    """The longest start of `line` that renders within `limit`, ending at a space if one is
    in its second half (binary search: rendering is monotonic in the prefix length)."""
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if rendered_length(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    head = line[:low]
    space = head.rfind(" ")
    return head[: space + 1] if space > low // 2 else head


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )

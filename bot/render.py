"""Replies to Telegram messages: HTML-escaped text with `**bold**` made <b>, inline keyboards.

Everything that comes from content or users is escaped first, so a `<b>` typed by a user or a
stray `&` in an answer can never break the message or inject markup.

Right-to-left text (Arabic): Telegram sends no direction with a message; each client lays a
paragraph out in the direction of its first strong character (the Unicode bidi algorithm's
default, UAX #9 P2–P3; tdesktop issues #3845 and #1717 describe it and its failures). An Arabic
line that opens with a command, a figure or the Italian name of a measure ("/aiuto", "5.000 €",
"Bonus nido") would be laid out left to right, and the neutral characters around a Latin run
("(", "/", "€") would take the wrong side. So every line that contains Arabic starts with a
RIGHT-TO-LEFT MARK, and every left-to-right run inside it — Latin words, numbers with their
"€" or "%", commands, links — opens with a LEFT-TO-RIGHT MARK (and closes with one when it
ends in "€" or "%"), which keeps its inner order and its own signs; brackets around a run stay
outside it and pair up right to left. Marks rather than isolates (U+2066–2069): every Telegram
client has supported the marks for years, some older ones draw isolates as boxes. Lines
without Arabic (an Italian answer quoted in an Arabic reply) are left as they are.
"""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import Reply

MAX_MESSAGE = 4096
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)

RLM = "\u200f"
"""RIGHT-TO-LEFT MARK: a strong right-to-left character that is not drawn."""
LRM = "\u200e"
"""LEFT-TO-RIGHT MARK: its left-to-right twin."""
_RTL_LETTERS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
"""Hebrew, Arabic, Syriac, Thaana, N'Ko… and the Arabic presentation forms."""
_RTL = re.compile(f"[{_RTL_LETTERS}]")
_LATIN = "A-Za-z0-9\u00c0-\u024f"
_LTR_RUN = re.compile(rf"(?:https?://|[/@+#])?[{_LATIN}](?:[^\n*{_RTL_LETTERS}]*[{_LATIN}€%])?")
"""A left-to-right run: from a Latin letter or digit (with the "/" of a command, the "+" of a
phone number, a link's scheme) to the last Latin letter, digit or closing sign before Arabic."""


def bidi(text: str) -> str:
    """`text` with the direction marks Telegram clients need for its right-to-left lines."""
    if _RTL.search(text) is None:
        return text
    return "\n".join(_bidi_line(line) for line in text.split("\n"))


def _bidi_line(line: str) -> str:
    if _RTL.search(line) is None:
        return line
    fenced = _LTR_RUN.sub(_fence, line)
    return fenced if fenced.startswith(RLM) else RLM + fenced


def _fence(run: re.Match[str]) -> str:
    """A mark before the run, and after it only when it ends in a sign ("€", "%"):
    a run ending in a letter or digit needs none, and a link stays free of anything that a
    client could read as part of it."""
    text = run.group(0)
    return f"{LRM}{text}{'' if text[-1].isalnum() else LRM}"


def to_html(text: str) -> str:
    return _BOLD.sub(r"<b>\1</b>", html.escape(bidi(text), quote=False))


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
            [InlineKeyboardButton(bidi(b.label), callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )

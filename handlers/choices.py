"""A typed answer that names a button: "1" for the first one, or the button's own words.

People type what they see. The terminal chat numbers the buttons ([1], [2] …) and some people
on Telegram write "non ce l'ho" instead of pressing «Non ce l'ho»; either way they meant the
button, and treating the words as a new question would lose the answer. The engine asks the
current step for its question (the flow's `reprompt`) and, when the text picks one of its
buttons, handles it as that press. The terminal chat numbers buttons with `key_of`, so a
number shown there and the same number typed on Telegram mean the same button.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from handlers.turns import Button
from knowledge.text import fold

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> str:
    """Folded words only: accents, emoji, punctuation and "✓" marks do not count."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def typed_choice(text: str, rows: Sequence[Sequence[Button]]) -> Button | None:
    """The button `text` names: its label's words first, else its number (1 = the first).

    Labels come first so that "1" on a keyboard of counts (0, 1, 2, 3 o più) means one, not
    the first button, and "3" means «3 o più»; a number is a position only when no label
    starts with it.
    """
    buttons = [button for row in rows for button in row]
    typed = _words(text)
    if not typed or not buttons:
        return None
    for button in buttons:
        if _words(button.label) == typed:
            return button
    number = text.strip().rstrip(".)")
    if not number.isdigit():
        return None
    for button in buttons:  # "3" for «3 o più»
        if _words(button.label).split()[:1] == [number]:
            return button
    return buttons[int(number) - 1] if 1 <= int(number) <= len(buttons) else None


def key_of(button: Button, position: int) -> str:
    """What to type for `button`, the `position`-th (from 1): the number its label starts
    with («2», «3 o più», «15-30 minuti»), else its position — `typed_choice` reads it back."""
    first = _words(button.label).split()[:1]
    return first[0] if first and first[0].isdigit() else str(position)

"""`sportello chat`: the same dialogue engine in a terminal, no Telegram token needed.

Buttons are shown as numbered choices; typing the number presses the button. A button whose
label is a number is shown with that number («[2] 2» among the children's counts), as the engine
reads a typed number the same way on every channel (handlers.choices). Commands are typed as in
Telegram (/menu, /privacy, /miei_dati …); /esci or an empty line at EOF ends.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from handlers import Button, DialogueEngine, Reply, Turn, key_of, typed_choice
from sportello.files import private_dir, private_file

TERMINAL_USER = 1
QUIT = {"/esci", "/exit", "/quit"}
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def render(reply: Reply, bold: bool) -> str:
    text = _BOLD.sub("\033[1m\\1\033[0m" if bold else "\\1", reply.text)
    if reply.document is not None:
        text += f"\n[file: {reply.document.filename}, {len(reply.document.content)} byte]"
    return text


def run_chat(
    engine: DialogueEngine,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    export_dir: Path | None = None,
) -> None:
    bold = stdout.isatty()
    buttons: list[Button] = []

    def show(replies: list[Reply]) -> None:
        nonlocal buttons
        for reply in replies:
            print(render(reply, bold), file=stdout)
            if reply.document is not None and export_dir is not None:
                target = private_file(
                    private_dir(export_dir) / reply.document.filename, reply.document.content
                )
                print(f"(salvato in {target})", file=stdout)
            if reply.buttons:
                buttons = [b for row in reply.buttons for b in row]
                for number, button in enumerate(buttons, start=1):
                    print(f"  [{key_of(button, number)}] {button.label}", file=stdout)
            print(file=stdout)

    base = Turn(channel="terminal", user_id=TERMINAL_USER, chat_id=TERMINAL_USER, at=clock())
    show(engine.handle(replace(base, at=clock(), command="start")).replies)
    for line in stdin:
        text = line.strip()
        if text.lower() in QUIT:
            break
        pressed = typed_choice(text, (buttons,)) if text.isdigit() else None
        if pressed is not None:
            buttons = []
            outcome = engine.handle(replace(base, at=clock(), button=pressed.data))
        elif text.startswith("/") and len(text) > 1:
            head, *args = text[1:].split()
            outcome = engine.handle(
                replace(base, at=clock(), command=head.lower(), args=tuple(args))
            )
        else:
            outcome = engine.handle(replace(base, at=clock(), text=text))
        show(outcome.replies)
        print("> ", end="", file=stdout, flush=True)

"""/menu and /aiuto: what the desk does, the commands, and buttons for the usual next steps.

The menu has no state: its buttons work whenever they are pressed, each leading to the flow
it names (a question, a person, the needs interview, privacy, the profile) or to the help text.
"""

from __future__ import annotations

from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows import handoff, interview, privacy, profile
from handlers.flows.base import Desk, Flow, Step
from handlers.turns import Button, Reply

FLOW = "menu"
MAIN = "main"
"""Not a state: the step named by the menu's buttons."""


def show(desk: Desk, ctx: Context) -> Step:
    def button(label: str, value: str) -> Button:
        return Button(label, callbacks.make(FLOW, MAIN, value))

    return Step.done(
        Reply(
            texts.MENU,
            buttons=(
                (button(texts.MENU_ASK, "ask"),),
                (button(texts.MENU_HUMAN, "human"),),
                (button(texts.MENU_NEEDS, "needs"),),
                (button(texts.MENU_PRIVACY, "privacy"), button(texts.MENU_PROFILE, "profile")),
                (button(texts.MENU_HELP, "help"),),
            ),
        )
    )


def help_text(desk: Desk, ctx: Context) -> Step:
    commands = "\n".join(f"- /{name} — {summary}" for name, summary in texts.COMMAND_DESCRIPTIONS)
    return Step.done(Reply(texts.HELP.format(commands=commands)))


def _on_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if press.value == "ask":
        return Step.done(Reply(texts.MENU_ASK_REPLY))
    if press.value == "human":
        return handoff.request(desk, ctx)
    if press.value == "privacy":
        return privacy.notice(desk, ctx)
    if press.value == "profile":
        return profile.start(desk, ctx)
    if press.value == "needs":
        return interview.start(desk, ctx)
    if press.value == "help":
        return help_text(desk, ctx)
    return None


MENU = Flow(name=FLOW, buttons={MAIN: _on_button})

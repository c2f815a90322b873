"""/lingua: the language the desk writes in, chosen by the user. See language.mmd.

Seven buttons, each language in its own name, and «Automatica» to go back to detection (the
language of the user's messages). The choice is stored on the profile and overrides detection
from the next reply on: the confirmation is already in the new language. It works before
consent too — someone who cannot read the privacy notice must be able to ask for another
language first — and an interrupted flow (onboarding, /profilo) resumes in the new language.
A language name typed instead of pressed ("english", "română", "العربية") counts too.
"""

from __future__ import annotations

from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.turns import Button, Reply
from knowledge.text import fold
from nlu.language import LANGUAGES
from storage import set_chosen_language

FLOW = "language"
CHOOSE = "choose"
MENU = "menu"
"""Not a state: the step named by the buttons that open the choice, valid at any time."""
AUTOMATIC = "auto"

_TYPED = {fold(name): code for code, name in texts.LANGUAGE_NAMES.items()} | {
    "italian": "it",
    "inglese": "en",
    "english": "en",
    "romana": "ro",
    "romeno": "ro",
    "rumeno": "ro",
    "albanese": "sq",
    "arabo": "ar",
    "arabic": "ar",
    "spagnolo": "es",
    "francese": "fr",
    "francais": "fr",
}
"""Language names as people type them: in their own language, in Italian, in English."""


def show(desk: Desk, ctx: Context) -> Step:
    """The choice, with the language in force now."""
    current = (
        texts.LANGUAGE_NAMES[ctx.chosen_language]
        if ctx.chosen_language
        else ctx.tr(texts.LANGUAGE_AUTOMATIC_NOW)
    )
    names = [
        Button(texts.LANGUAGE_NAMES[code], callbacks.make(FLOW, CHOOSE, code)) for code in LANGUAGES
    ]
    rows = tuple(tuple(names[i : i + 2]) for i in range(0, len(names), 2))
    automatic = Button(ctx.tr(texts.LANGUAGE_AUTOMATIC), callbacks.make(FLOW, CHOOSE, AUTOMATIC))
    return Step.to(
        FLOW,
        CHOOSE,
        Reply(ctx.tr(texts.LANGUAGE_ASK).format(current=current), buttons=(*rows, (automatic,))),
    )


def choose(ctx: Context, choice: str) -> Step:
    """Store the choice (AUTOMATIC: none, detection decides) and confirm it in its language."""
    chosen = None if choice == AUTOMATIC else choice
    set_chosen_language(ctx.session, user_ref=ctx.user_ref, language=chosen)
    ctx.chosen_language = chosen
    ctx.record.kind = "other"
    done = texts.LANGUAGE_AUTOMATIC_CHOSEN if chosen is None else texts.LANGUAGE_CHOSEN
    return Step.done(Reply(ctx.tr(done)))


def typed_choice(text: str) -> str | None:
    """The language (or AUTOMATIC) a typed word names: "english", "Română", "automatica"."""
    word = fold(text).strip(" .!")
    if word in ("auto", "automatica", "automatic", "automatique", "automatico", "automata"):
        return AUTOMATIC
    return _TYPED.get(word)


def on_choose(desk: Desk, ctx: Context, event: Event) -> Step | None:
    choice = typed_choice(event.text or "")
    return None if choice is None else choose(ctx, choice)


def _on_choose_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    """A language button works whenever it is pressed: the choice is never out of date."""
    if press.value != AUTOMATIC and press.value not in LANGUAGES:
        return None
    return choose(ctx, press.value)


def _on_menu_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    return show(desk, ctx) if press.value == "show" else None


LANGUAGE = Flow(
    name=FLOW,
    steps={CHOOSE: on_choose},
    buttons={CHOOSE: _on_choose_button, MENU: _on_menu_button},
)

"""Hand-off: a person when the user wants one, and a human word first when they are struggling.

Reached from any state: by the /operatore command, by a request for a person in any wording,
by distress or anger at the desk (the engine's global intents), by the "Sì, con una persona"
button. See handoff.mmd. The flow has no states of its own yet: `request` is the one place a
hand-off happens, and the one place where opening a ticket (priority for distress) goes when
tickets exist; until then the user gets the desk's contacts and the conversation returns to
where it was.
"""

from __future__ import annotations

import re
from typing import Literal

from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows.base import Desk, Flow, Step
from handlers.settings import DialogueSettings
from handlers.turns import Reply
from knowledge.text import fold

FLOW = "handoff"
START = "start"
"""Not a state: the step named by the buttons that ask for a person, valid at any time."""

HANDOFF_BUTTON = callbacks.make(FLOW, START, "go")

Reason = Literal["asked", "distress", "anger"]

_PERSON = re.compile(
    r"\b((voglio|vorrei|chiedo|passami) un operatore|un umano"
    r"|(con|voglio|vorrei|serve|passami) una persona (vera|reale|fisica)|in carne e ossa"
    r"|parlare con (una persona|qualcuno|un operatore|un consulente|un umano|voi)"
    r"|mettimi in contatto|mettetemi in contatto|mi mett[ai] in contatto"
    r"|passami (qualcuno|un collega|una persona)|voglio (una persona|qualcuno))\b"
)
_DISTRESS = re.compile(
    r"\b(non ce la faccio piu|non ne posso piu|non reggo piu|sono (disperat|esaust|distrutt)"
    r"|sono allo stremo|sono al limite|mi sento (solo|sola|perso|persa|schiacciat|crollare)"
    r"|sto crollando)"
)
"""Word sequences (accents folded) that say "I am struggling" whatever the classifier says."""
_ANGER = re.compile(
    r"\b(sei (proprio |davvero |un )?(inutile|stupid\w*|idiota|scem\w*)|non capisci (niente|nulla)"
    r"|che schifo|vergogna(tevi)?|mi (state|stai) prendendo in giro|servizio (pessimo|inutile))\b"
)
"""Anger at the desk: heard as a wish for a person, with an apology first."""


def asks_for_person(text: str) -> bool:
    """A request for a person the classifier may miss in a long or angry message."""
    return _PERSON.search(fold(text)) is not None


def sounds_distressed(text: str) -> bool:
    return _DISTRESS.search(fold(text)) is not None


def sounds_angry(text: str) -> bool:
    return _ANGER.search(fold(text)) is not None


def request(desk: Desk, ctx: Context, reason: Reason = "asked") -> Step:
    """Hand the user to a person: today the desk's contacts, a human word first for distress."""
    ctx.record.kind = "other"
    ctx.record.intent = "distress" if reason == "distress" else "talk_to_human"
    replies = [human_contact(ctx, desk.settings)]
    if reason == "distress":
        replies.insert(0, Reply(ctx.tr(texts.DISTRESS)))
    elif reason == "anger":
        replies.insert(0, Reply(ctx.tr(texts.ANGER)))
    return Step.done(*replies)


def human_contact(ctx: Context, settings: DialogueSettings) -> Reply:
    """How to reach a person. Until tickets exist, the desk's own contacts from settings."""
    lines = []
    if settings.desk_email:
        lines.append(ctx.tr(texts.HUMAN_CONTACT_EMAIL).format(email=settings.desk_email))
    if settings.desk_phone:
        lines.append(ctx.tr(texts.HUMAN_CONTACT_PHONE).format(phone=settings.desk_phone))
    if settings.desk_hours and lines:
        lines.append(ctx.tr(texts.HUMAN_CONTACT_HOURS).format(hours=settings.desk_hours))
    if not lines:
        return Reply(ctx.tr(texts.HUMAN_CONTACT_UNSET))
    return Reply(ctx.tr(texts.HUMAN_CONTACT).format(contacts="\n".join(lines)))


def _on_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    return request(desk, ctx) if press.value == "go" else None


HANDOFF = Flow(name=FLOW, buttons={START: _on_button})

"""The registry: every flow the engine knows, and the commands that open them.

Adding a flow is adding its module (states, steps, a `Flow` record, a `.mmd` diagram beside it)
and one line in `FLOWS`; a command that opens it is one line in `COMMANDS`. The engine
(handlers/engine.py) never names a flow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from handlers.context import Context
from handlers.flows import (
    handoff,
    interview,
    language,
    menu,
    onboarding,
    privacy,
    profile,
    questions,
)
from handlers.flows.base import Desk, Flow, Step

FLOWS: Mapping[str, Flow] = {
    flow.name: flow
    for flow in (
        onboarding.ONBOARDING,
        questions.QUESTIONS,
        privacy.PRIVACY,
        handoff.HANDOFF,
        profile.PROFILE,
        menu.MENU,
        interview.INTERVIEW,
        language.LANGUAGE,
    )
}

Command = Callable[[Desk, Context, tuple[str, ...]], Step]

COMMANDS: Mapping[str, Command] = {
    "menu": lambda desk, ctx, args: menu.show(desk, ctx),
    "aiuto": lambda desk, ctx, args: menu.help_text(desk, ctx),
    "operatore": lambda desk, ctx, args: handoff.request(desk, ctx),
    "privacy": lambda desk, ctx, args: privacy.notice(desk, ctx),
    "miei_dati": lambda desk, ctx, args: privacy.export(desk, ctx),
    "cancella": lambda desk, ctx, args: privacy.ask_erase(desk, ctx),
    "profilo": lambda desk, ctx, args: profile.start(desk, ctx),
    "bisogni": lambda desk, ctx, args: interview.start(desk, ctx),
    "lingua": lambda desk, ctx, args: language.show(desk, ctx),
    "richieste": lambda desk, ctx, args: handoff.my_requests(desk, ctx),
}
"""Commands that interrupt whatever flow is active; /start is the engine's own (it restarts)."""

CONSENT_FREE = frozenset(
    {"menu", "aiuto", "operatore", "privacy", "miei_dati", "cancella", "lingua"}
)
"""Commands that work before consent; the others first lead through onboarding."""
CONSENT_FREE_FLOWS = frozenset({onboarding.FLOW, privacy.FLOW, handoff.FLOW, language.FLOW})
"""Flows whose steps and buttons work before consent: one's own data, a person and the
language (to read the privacy notice in), always."""

ENTRY = onboarding.FLOW
"""The flow that owns a conversation until consent is given."""
DEFAULT = questions.FLOW
"""The flow that reads text when no flow is active: questions."""

"""What every flow is made of: the event a step reads, the step it returns, the flow record.

A flow is a module with its states at the top and one function per step. A step function takes
the desk's services, the turn's context (whose `data` is the flow's stored data) and the event,
and returns a `Step`: the flow and state to be in next and the replies to send. It returns None
when the event is not an answer to the question that step asked, so the engine can offer the
event to the global intents (a person, distress, privacy) and then to the flow's `other_text`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from escalation.settings import EscalationSettings
from handlers.callbacks import Press
from handlers.context import Context
from handlers.settings import DialogueSettings
from handlers.turns import Reply

if TYPE_CHECKING:
    from handlers.faq import Analysis, Answerer


@dataclass(frozen=True)
class Event:
    """What the user did this turn, as the flows read it."""

    text: str | None = None
    """Typed text, stripped (None for a button press)."""
    analysis: Analysis | None = None
    reply: str | None = None
    """The intent of a short message the classifier is sure about ("sì" → affirm), else None."""
    urgent: str | None = None
    """A global intent the message carries: talk_to_human, distress, anger, privacy_request."""
    press: Press | None = None


@dataclass(frozen=True)
class Step:
    """Where a step leads: `flow`/`state` next (None/None: no flow), its data, the replies."""

    flow: str | None
    state: str | None
    replies: tuple[Reply, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def to(cls, flow: str, state: str, *replies: Reply, **data: Any) -> Step:
        return cls(flow, state, replies, data)

    @classmethod
    def done(cls, *replies: Reply) -> Step:
        """The flow is over: the conversation returns to where an interruption left it."""
        return cls(None, None, replies)

    def after(self, *replies: Reply) -> Step:
        """The same step with `replies` sent before its own."""
        return replace(self, replies=(*replies, *self.replies))

    @property
    def finished(self) -> bool:
        return self.flow is None


@dataclass(frozen=True)
class Desk:
    """The services steps use: settings, the question answerer (search, NLU), and the
    escalation settings (None: no managers' chat, so no tickets)."""

    settings: DialogueSettings
    answerer: Answerer
    escalation: EscalationSettings | None = None


StepFn = Callable[[Desk, Context, Event], "Step | None"]
ButtonFn = Callable[[Desk, Context, Press], "Step | None"]
PromptFn = Callable[[Desk, Context], "Reply | None"]


@dataclass(frozen=True)
class Flow:
    """One flow's entry in the registry (handlers/flows/__init__.py).

    `steps` maps a state to the function that reads typed answers to it; `buttons` maps the
    step named in a payload to the function that handles the press (None from it: the button
    is stale). `resumable` flows are taken up again after an interruption (a command, a request
    for a person) with `reprompt`, the question of the current state asked again; the others
    are left, so a later "sì" is not read as an answer to a question asked before.
    """

    name: str
    steps: Mapping[str, StepFn] = field(default_factory=dict)
    buttons: Mapping[str, ButtonFn] = field(default_factory=dict)
    other_text: StepFn | None = None
    """Text that answers no step: e.g. a question written during onboarding is kept."""
    resumable: bool = False
    reprompt: PromptFn | None = None

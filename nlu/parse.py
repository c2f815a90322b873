"""What understanding one message yields, and the one interface every NLU engine implements.

The dialogue only ever sees a `Parse`, so it does not depend on how the intent is found. The
desk ships one engine, the builtin classifier on the shared encoder (nlu/builtin.py); another
engine would be a new `IntentClassifier` implementation and its wiring, not a setting. The
training data is kept in Rasa's YAML format only so that it stays readable by common tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "ask_question",
    "report_need",
    "talk_to_human",
    "distress",
    "privacy_request",
    "bot_challenge",
    "out_of_scope",
)
"""The intents the desk's dialogue acts on; the bundled training data covers exactly these."""


@dataclass(frozen=True)
class Entity:
    """A span of the message with a meaning the dialogue can use without re-reading the text.

    `start`/`end` index the original text (`text[start:end]` is what the user wrote); `value`
    is normalised, e.g. "2.000 €" has the value "2000".
    """

    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Parse:
    """The intent of one message, how sure the engine is, and what it found in the text.

    `confidence` is a calibrated probability, so a threshold means the same across engines and
    retrainings; `ranking` lists every intent with its probability, best first, which is what a
    clarifying question ("did you mean…?") needs.
    """

    intent: str
    confidence: float
    entities: tuple[Entity, ...] = ()
    ranking: tuple[tuple[str, float], ...] = ()


class IntentClassifier(Protocol):
    def parse(self, text: str) -> Parse:
        """Intent, confidence and entities of one user message."""
        ...

"""Dialogue evaluation: each labelled message played as a new user's first question.

Retrieval recall says whether the right entry ranks first; people meet the decision on top of
it — answer, clarify, refer elsewhere, or fall back — so this plays every message through the
real engine, the same path as Telegram, after a real onboarding. What counts is what a person
would read: a welfare answer on the right topic, a wrong welfare answer (the costly mistake), a
clarifying question, or a decline (a referral, the fallback, a small-talk reply).

Labels are topic keys, or `-` (`NO_TOPIC`) for messages that must not get a welfare answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from handlers import callbacks
from handlers.engine import DialogueEngine
from handlers.flows import privacy
from handlers.turns import Outcome, Turn
from knowledge.entries import NO_TOPIC
from knowledge.evaluation import LabelledQuery

Verdict = Literal["answered_right", "answered_wrong", "clarified", "declined"]
Role = Literal["worker", "company"]
FIRST_USER_ID = 7_000_000_000
"""Far above real Telegram ids of the test world, so evaluation users never meet real ones."""


@dataclass(frozen=True)
class DialogueMiss:
    line: int
    query: str
    expected: str
    verdict: Verdict
    decision: str | None
    got: tuple[str, ...]
    """Topics of the entries served (answered, referred to, or offered)."""


@dataclass(frozen=True)
class DialogueReport:
    n: int
    in_scope: int
    out_of_scope: int
    answered_right: int
    answered_wrong: int
    clarified: int
    declined: int
    misses: list[DialogueMiss] = field(default_factory=list)

    @property
    def wrong_answer_rate(self) -> float:
        """Welfare answers on the wrong topic, or to a message that must not get one, over n."""
        return self.answered_wrong / self.n if self.n else 0.0

    @property
    def in_scope_answered_right_rate(self) -> float:
        return self.answered_right / self.in_scope if self.in_scope else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "answered_right": self.answered_right,
            "answered_wrong": self.answered_wrong,
            "clarified": self.clarified,
            "declined": self.declined,
            "wrong_answer_rate": round(self.wrong_answer_rate, 4),
            "in_scope_answered_right_rate": round(self.in_scope_answered_right_rate, 4),
            "misses": [
                {
                    "line": m.line,
                    "query": m.query,
                    "expected": m.expected,
                    "verdict": m.verdict,
                    "decision": m.decision,
                    "got": list(m.got),
                }
                for m in self.misses
            ],
        }


PRIVACY_TOPIC = "privacy-dati"
"""The topic the privacy notice answers (handlers/flows/privacy.py): how the desk treats a
person's data, who sees it, how long it is kept, how to export or erase it."""


def judge(label: str, outcome: Outcome, topic_of: Mapping[str, str]) -> Verdict:
    """What a reader of `outcome` got, measured against the message's label.

    A privacy question is answered by the privacy notice, not by an entry: that notice is the
    right answer to a `privacy-dati` message, a wrong one to a message on another welfare
    topic, and no welfare answer at all (a decline) to a message that must not get one.
    """
    if outcome.notice == privacy.NOTICE and not outcome.served:
        if label == PRIVACY_TOPIC:
            return "answered_right"
        return "declined" if label == NO_TOPIC else "answered_wrong"
    if outcome.decision == "answer" and outcome.served:
        right = label != NO_TOPIC and topic_of.get(outcome.served[0]) == label
        return "answered_right" if right else "answered_wrong"
    if outcome.decision == "clarify":
        return "clarified"
    return "declined"


def evaluate_dialogue(
    engine: DialogueEngine,
    cases: Sequence[LabelledQuery],
    topic_of: Mapping[str, str],
    *,
    role: Role = "worker",
    clock: Callable[[], dt.datetime],
) -> DialogueReport:
    """Play each case as the first question of a fresh, onboarded user with `role`."""
    counts: dict[Verdict, int] = {
        "answered_right": 0,
        "answered_wrong": 0,
        "clarified": 0,
        "declined": 0,
    }
    misses: list[DialogueMiss] = []
    for user_id, case in zip(_user_ids(), cases, strict=False):
        outcome = _first_question(engine, user_id, case.text, role, clock)
        verdict = judge(case.label, outcome, topic_of)
        counts[verdict] += 1
        if verdict != "answered_right" and not (case.label == NO_TOPIC and verdict == "declined"):
            got = tuple(topic_of.get(entry_id, NO_TOPIC) for entry_id in outcome.served)
            misses.append(
                DialogueMiss(case.line, case.text, case.label, verdict, outcome.decision, got)
            )
    out_of_scope = sum(1 for case in cases if case.label == NO_TOPIC)
    return DialogueReport(
        n=len(cases),
        in_scope=len(cases) - out_of_scope,
        out_of_scope=out_of_scope,
        misses=misses,
        **counts,
    )


def _user_ids() -> Iterator[int]:
    user_id = FIRST_USER_ID
    while True:
        yield user_id
        user_id += 1


def _first_question(
    engine: DialogueEngine,
    user_id: int,
    text: str,
    role: Role,
    clock: Callable[[], dt.datetime],
) -> Outcome:
    """Onboard a new user as a Telegram user would (consent, role, no company code), then ask."""

    def turn(
        *, command: str | None = None, button: str | None = None, text: str | None = None
    ) -> Turn:
        return Turn(
            channel="test",
            user_id=user_id,
            chat_id=user_id,
            at=clock(),
            command=command,
            button=button,
            text=text,
        )

    engine.handle(turn(command="start"))
    engine.handle(turn(button=callbacks.CONSENT_YES))
    engine.handle(
        turn(button=callbacks.ROLE_WORKER if role == "worker" else callbacks.ROLE_COMPANY)
    )
    engine.handle(turn(button=callbacks.COMPANY_NONE))
    return engine.handle(turn(text=text))

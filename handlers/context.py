"""What a step of the conversation works with: the turn, the user, the flow state, the log."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from handlers.i18n import Translations
from handlers.settings import RetentionSettings
from handlers.turns import Reply, Turn
from nlu.language import DEFAULT_LANGUAGE
from storage import FlowState, log_interaction

DRAFTS = "drafts"
"""Key, in the flow data, of the answers flows keep across moves: {flow name: answers}."""


@dataclass
class InteractionRecord:
    """The fields of the interaction log a step fills in while it handles the turn."""

    kind: str = "other"
    intent: str | None = None
    confidence: float | None = None
    decision: str | None = None
    entry_ids: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    question_text: str | None = None


@dataclass
class Context:
    session: Session
    turn: Turn
    user_ref: str
    now: dt.datetime
    started: float
    flow: str | None
    step: str | None
    data: dict[str, Any]
    consented: bool
    role: str | None
    retention: dt.timedelta
    record: InteractionRecord = field(default_factory=InteractionRecord)
    replies: list[Reply] = field(default_factory=list)
    interaction_id: int | None = None
    erased: bool = False
    served: tuple[str, ...] = ()
    """Entries put before the user this turn: the answer or referral, or the options offered."""
    notice: str | None = None
    """A standing text that answered this turn instead of an entry: `privacy` for the privacy
    notice (handlers/flows/privacy.py)."""
    topics: Mapping[str, str] = field(default_factory=dict)
    """Entry id → knowledge topic, for the topic the log keeps of an answer."""
    rules: RetentionSettings = field(default_factory=RetentionSettings)
    """How long what is stored is kept, for the texts that say so."""
    detected_language: str = DEFAULT_LANGUAGE
    """The conversation's language as detected (see DialogueEngine._detected_language)."""
    chosen_language: str | None = None
    """The language the user chose with /lingua: it overrides detection."""
    translations: Translations = field(default_factory=Translations.italian_only)
    company_id: int | None = None
    """The user's company (joined with a code), read with the turn's state: answers and the
    interview invite look at it on most turns, so it must not cost a query of its own. A step
    that joins a company sets it."""

    @property
    def language(self) -> str:
        """The language the desk writes in this turn: the chosen one, else the detected one."""
        return self.chosen_language or self.detected_language

    def tr(self, source: str) -> str:
        """`source`, an Italian text of handlers/texts.py, in the user's language."""
        return self.translations.text(self.language, source)

    @classmethod
    def start(
        cls,
        *,
        session: Session,
        turn: Turn,
        user_ref: str,
        state: FlowState,
        consented: bool,
        role: str | None,
        retention: dt.timedelta,
        started: float,
        topics: Mapping[str, str] | None = None,
        rules: RetentionSettings | None = None,
        detected_language: str = DEFAULT_LANGUAGE,
        chosen_language: str | None = None,
        translations: Translations | None = None,
        company_id: int | None = None,
    ) -> Context:
        """`started` is when the turn arrived (time.perf_counter), for the logged latency."""
        return cls(
            session=session,
            turn=turn,
            user_ref=user_ref,
            now=turn.at,
            started=started,
            flow=state.flow,
            step=state.step,
            data=dict(state.data),
            consented=consented,
            role=role,
            retention=retention,
            topics=topics or {},
            rules=rules or RetentionSettings(),
            detected_language=detected_language,
            chosen_language=chosen_language,
            translations=translations or Translations.italian_only(),
            company_id=company_id,
        )

    def say(self, reply: Reply) -> None:
        self.replies.append(reply)

    def goto(self, flow: str | None, step: str | None = None, **data: Any) -> None:
        """Move the conversation to `flow`/`step`, replacing the step's data.

        The drafts (`DRAFTS`) travel along unless `data` names them: a flow left half-way
        (the needs interview) keeps its answers while the person does something else. An
        empty value clears them.
        """
        drafts = data[DRAFTS] if DRAFTS in data else self.data.get(DRAFTS)
        self.flow, self.step, self.data = flow, step, dict(data)
        self.data.pop(DRAFTS, None)
        if drafts:
            self.data[DRAFTS] = drafts

    def draft(self, flow: str) -> dict[str, Any] | None:
        """The answers `flow` left in the drafts, or None."""
        drafts = self.data.get(DRAFTS)
        found = drafts.get(flow) if isinstance(drafts, dict) else None
        return dict(found) if isinstance(found, dict) else None

    def drafts_with(self, flow: str, draft: dict[str, Any] | None) -> dict[str, Any]:
        """The drafts with `flow`'s replaced by `draft` (None: removed), for a step's data."""
        drafts = dict(self.data.get(DRAFTS) or {})
        drafts.pop(flow, None)
        if draft is not None:
            drafts[flow] = draft
        return drafts

    def log_now(self) -> int:
        """Write the interaction log row now, so its id can go into reply buttons.

        The question's text is kept only when the desk could not answer it (so welfare
        managers can improve the knowledge base), and only for the retention period. The
        topic is that of the answer or of the best candidate; a fallback has none.
        """
        if self.interaction_id is None:
            keep_text = self.record.decision == "fallback" and self.consented
            topic = None
            if self.record.decision in ("answer", "clarify") and self.record.entry_ids:
                topic = self.topics.get(self.record.entry_ids[0])
            self.interaction_id = log_interaction(
                self.session,
                user_ref=self.user_ref if self.consented else None,
                at=self.now,
                channel=self.turn.channel,
                kind=self.record.kind,
                intent=self.record.intent,
                confidence=self.record.confidence,
                decision=self.record.decision,
                entry_ids=self.record.entry_ids,
                scores=self.record.scores,
                latency_ms=(time.perf_counter() - self.started) * 1000,
                question_text=self.record.question_text if keep_text else None,
                retain_until=self.now + self.retention if keep_text else None,
                topic=topic,
            )
        return self.interaction_id

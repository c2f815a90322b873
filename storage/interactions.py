"""The per-turn interaction log: what was asked (as an intent), what the desk decided.

The log is pseudonymous and meant for aggregates. The words a person typed are kept only
for turns the desk could not answer, so that welfare managers can fill the gap in the
knowledge base, and only until `retain_until`; `purge_expired_texts` enforces the deadline.

A row lives in this detailed form only while it may still matter to its person (feedback,
their export) — until they are erased, or for `privacy.log_user_ref_days`. Then
`fold_interactions` adds it to the daily counts and deletes it: what stays is how many turns
of which kind, intent, decision and topic a day had, and nothing that could put one
person's turns back in a row (ids, times, scores, feedback, entry ids).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.orm import Session

from storage.checks import aware_utc, finite, one_of, optional_text
from storage.models import (
    CHANNELS,
    DECISIONS,
    INTENT_LENGTH,
    KINDS,
    TOPIC_LENGTH,
    USER_REF_LENGTH,
    Interaction,
    InteractionCount,
    table_of,
)

_interactions = table_of(Interaction)
_INSERT = insert(_interactions).returning(_interactions.c.id)
"""A Core statement: every turn writes one row, and an ORM object per row (identity map,
unit of work, flush) would cost several times the INSERT for a row nobody reads back."""


def log_interaction(
    session: Session,
    *,
    user_ref: str | None,
    at: datetime,
    channel: str,
    kind: str,
    intent: str | None,
    confidence: float | None,
    decision: str | None,
    entry_ids: Sequence[str],
    scores: Sequence[float],
    latency_ms: float,
    question_text: str | None = None,
    retain_until: datetime | None = None,
    topic: str | None = None,
) -> int:
    """Append one turn; returns its id (feedback buttons carry it).

    A `question_text` is refused when the turn was answered, and needs a `retain_until`:
    the log must never hold a person's words without a reason and a deadline.
    Scores may be numpy numbers; they are stored as plain floats.
    """
    if question_text is not None:
        if decision == "answer":
            raise ValueError("question_text is kept only for turns the desk could not answer")
        if retain_until is None:
            raise ValueError("question_text needs retain_until: the date it must be deleted")
    row = {
        "at": aware_utc(at, "at"),
        "user_ref": optional_text(user_ref, "user_ref", USER_REF_LENGTH),
        "channel": one_of(channel, CHANNELS, "channel"),
        "kind": one_of(kind, KINDS, "kind"),
        "intent": optional_text(intent, "intent", INTENT_LENGTH),
        "confidence": None if confidence is None else finite(confidence, "confidence"),
        "decision": None if decision is None else one_of(decision, DECISIONS, "decision"),
        "topic": optional_text(topic, "topic", TOPIC_LENGTH),
        "entry_ids": [str(entry_id) for entry_id in entry_ids],
        "scores": [finite(score, "score") for score in scores],
        "latency_ms": finite(latency_ms, "latency_ms"),
        "feedback": None,
        "question_text": question_text,
        "retain_until": None if retain_until is None else aware_utc(retain_until, "retain_until"),
    }
    interaction_id: int = session.connection().execute(_INSERT, row).scalar_one()
    return interaction_id


def set_feedback(session: Session, *, interaction_id: int, user_ref: str, helpful: bool) -> bool:
    """Record the user's verdict on an answer; False if the turn is not theirs (or unknown).

    The owner check matters because the interaction id travels in a button's callback
    data, which a client can forge. A later verdict replaces an earlier one.
    """
    row = session.get(Interaction, interaction_id)
    if row is None or row.user_ref is None or row.user_ref != user_ref:
        return False
    row.feedback = "helpful" if helpful else "not_helpful"
    session.flush()
    return True


def purge_expired_texts(session: Session, *, now: datetime) -> int:
    """Delete the question texts whose retention ended before `now`; returns how many."""
    result = session.execute(
        update(Interaction)
        .where(
            Interaction.question_text.is_not(None),
            Interaction.retain_until < aware_utc(now, "now"),
        )
        .values(question_text=None)
        .returning(Interaction.id)
        .execution_options(synchronize_session="fetch")
    )
    return len(result.all())


Dimensions = tuple[date, str, str, str | None, str | None, str | None]
"""(day, channel, kind, intent, decision, topic): what a folded turn is remembered by."""
_CHUNK = 500


def fold_interactions(session: Session, *conditions: ColumnElement[bool]) -> int:
    """Turn the log rows matching `conditions` into daily counts and delete them.

    Returns how many rows were folded. The counts are added to existing rows of the same
    day and dimensions, so erasing one person never creates a row that is theirs alone
    unless they were the only one that day with those dimensions.
    """
    rows = session.execute(
        select(
            Interaction.id,
            Interaction.at,
            Interaction.channel,
            Interaction.kind,
            Interaction.intent,
            Interaction.decision,
            Interaction.topic,
        ).where(*conditions)
    ).all()
    if not rows:
        return 0
    tally: Counter[Dimensions] = Counter(
        (r.at.date(), r.channel, r.kind, r.intent, r.decision, r.topic) for r in rows
    )
    for dimensions, count in sorted(tally.items(), key=_sort_key):
        _add_count(session, dimensions, count)
    ids = [r.id for r in rows]
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            delete(Interaction)
            .where(Interaction.id.in_(ids[start : start + _CHUNK]))
            .execution_options(synchronize_session="fetch")
        )
    return len(rows)


def _sort_key(item: tuple[Dimensions, int]) -> tuple[Any, ...]:
    """A stable order (None first) so concurrent folds take row locks in the same order."""
    return tuple((value is not None, value or "") for value in item[0])


def _add_count(session: Session, dimensions: Dimensions, count: int) -> None:
    day, channel, kind, intent, decision, topic = dimensions
    c = InteractionCount
    existing = session.scalar(
        select(c.id)
        .where(
            c.day == day,
            c.channel == channel,
            c.kind == kind,
            c.intent.is_not_distinct_from(intent),
            c.decision.is_not_distinct_from(decision),
            c.topic.is_not_distinct_from(topic),
        )
        .limit(1)
    )
    if existing is not None:
        session.execute(update(c).where(c.id == existing).values(count=c.count + count))
        return
    session.execute(
        insert(c).values(
            day=day,
            channel=channel,
            kind=kind,
            intent=intent,
            decision=decision,
            topic=topic,
            count=count,
        )
    )

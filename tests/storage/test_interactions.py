"""The interaction log: turns, latency, feedback, and the retention of question texts."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from storage import (
    Database,
    Interaction,
    log_interaction,
    purge_expired_texts,
    set_feedback,
)
from tests.storage.builders import NOW, add_user, log_turn

QUESTION = "Mio marito è in malattia da un mese: posso chiedere il rimborso delle visite?"
BARE_TURN: dict[str, object] = {
    "user_ref": "ref-anna",
    "at": NOW,
    "channel": "telegram",
    "kind": "question",
    "intent": None,
    "confidence": None,
    "decision": None,
    "entry_ids": [],
    "scores": [],
    "latency_ms": 1.0,
}
"""Every argument of `log_interaction` once, with nothing answered: tests change a few."""


def test_a_turn_is_logged_with_every_field(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-anna")
        interaction_id = log_interaction(
            session,
            user_ref="ref-anna",
            at=NOW,
            channel="telegram",
            kind="question",
            intent="faq.rimborso-asilo-nido",
            # numpy scalars, as retrieval produces them: stored as plain floats
            confidence=np.float32(0.5),  # type: ignore[arg-type]
            decision="fallback",
            entry_ids=["asilo-nido-rimborso", "asilo-nido-limiti"],
            scores=np.array([0.5, 0.25], dtype=np.float32),  # type: ignore[arg-type]
            latency_ms=87.5,
            question_text=QUESTION,
            retain_until=NOW + timedelta(days=30),
        )
    with db.session() as session:
        row = session.get(Interaction, interaction_id)
        assert row is not None
        assert (row.at, row.user_ref, row.channel, row.kind) == (
            NOW,
            "ref-anna",
            "telegram",
            "question",
        )
        assert (row.intent, row.confidence, row.decision) == (
            "faq.rimborso-asilo-nido",
            0.5,
            "fallback",
        )
        assert row.entry_ids == ["asilo-nido-rimborso", "asilo-nido-limiti"]
        assert row.scores == [0.5, 0.25]
        assert all(type(score) is float for score in row.scores)
        assert (row.latency_ms, row.feedback) == (87.5, None)
        assert (row.question_text, row.retain_until) == (QUESTION, NOW + timedelta(days=30))


def test_turns_without_a_user_or_an_answer(db: Database) -> None:
    with db.session() as session:
        bare = {**BARE_TURN, "user_ref": None, "channel": "terminal", "kind": "command"}
        first = log_interaction(session, **bare)  # type: ignore[arg-type]
        second = log_turn(session, None)
    assert second > first
    with db.session() as session:
        row = session.get(Interaction, first)
        assert row is not None
        assert (row.user_ref, row.intent, row.confidence, row.entry_ids, row.scores) == (
            None,
            None,
            None,
            [],
            [],
        )


def test_feedback_only_from_the_user_who_asked(db: Database) -> None:
    with db.session() as session:
        anna = log_turn(session, "ref-anna")
        anonymous = log_turn(session, None)
    with db.session() as session:
        assert (
            set_feedback(session, interaction_id=anna, user_ref="ref-bruno", helpful=True) is False
        )
        assert (
            set_feedback(session, interaction_id=anna + 999, user_ref="ref-anna", helpful=True)
            is False
        )
        assert (
            set_feedback(session, interaction_id=anonymous, user_ref="ref-anna", helpful=True)
            is False
        )
    with db.session() as session:
        row = session.get(Interaction, anna)
        assert row is not None and row.feedback is None
        assert set_feedback(session, interaction_id=anna, user_ref="ref-anna", helpful=True) is True
    with db.session() as session:
        row = session.get(Interaction, anna)
        assert row is not None and row.feedback == "helpful"
        assert set_feedback(session, interaction_id=anna, user_ref="ref-anna", helpful=False)
    with db.session() as session:
        row = session.get(Interaction, anna)
        assert row is not None and row.feedback == "not_helpful"


def test_expired_question_texts_are_purged_and_the_rest_kept(db: Database) -> None:
    with db.session() as session:
        expired, due_now, kept = (
            log_turn(
                session, "ref-anna", decision=decision, question_text=text, retain_for=retention
            )
            for decision, text, retention in (
                ("fallback", "vecchia", timedelta(days=1)),
                ("fallback", "scade ora", timedelta(days=10)),
                ("clarify", "recente", timedelta(days=30)),
            )
        )
        answered = log_turn(session, "ref-anna", decision="answer")
    purge_at = NOW + timedelta(days=10)  # due_now's deadline: not yet past
    with db.session() as session:
        assert purge_expired_texts(session, now=purge_at) == 1
    with db.session() as session:
        rows = session.execute(select(Interaction.id, Interaction.question_text)).all()
        texts = {interaction_id: text for interaction_id, text in rows}
        assert texts == {expired: None, due_now: "scade ora", kept: "recente", answered: None}
        # the turn itself stays, for the aggregates
        assert session.get(Interaction, expired) is not None
        assert purge_expired_texts(session, now=purge_at) == 0
        assert purge_expired_texts(session, now=purge_at + timedelta(seconds=1)) == 1
        assert purge_expired_texts(session, now=NOW + timedelta(days=365)) == 1


def test_the_purge_clears_rows_loaded_earlier_in_the_session(db: Database) -> None:
    with db.session() as session:
        interaction_id = log_turn(
            session,
            "ref-anna",
            decision="fallback",
            question_text="testo",
            retain_for=timedelta(days=1),
        )
        row = session.get(Interaction, interaction_id)
        assert row is not None and row.question_text == "testo"
        assert purge_expired_texts(session, now=NOW + timedelta(days=2)) == 1
        assert row.question_text is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "answer", "question_text": "x", "retain_until": NOW}, "could not answer"),
        ({"decision": "fallback", "question_text": "x"}, "needs retain_until"),
        ({"channel": "whatsapp"}, "unknown channel 'whatsapp'"),
        ({"kind": "voice"}, "unknown kind 'voice'"),
        ({"decision": "maybe"}, "unknown decision 'maybe'"),
        ({"at": datetime(2026, 3, 2, 9, 30)}, "at must be timezone-aware"),
        ({"scores": [0.5, float("nan")]}, "score must be a finite number"),
        ({"confidence": float("inf")}, "confidence must be a finite number"),
        ({"intent": "i" * 129}, "intent must be 1-128 characters"),
    ],
)
def test_turns_the_log_must_not_hold_are_refused(
    db: Database, changes: dict[str, object], message: str
) -> None:
    with db.session() as session:
        with pytest.raises(ValueError, match=message):
            log_interaction(session, **{**BARE_TURN, **changes})  # type: ignore[arg-type]
        assert session.scalars(select(Interaction)).all() == []


def test_the_schema_itself_refuses_a_text_without_deadline(db: Database) -> None:
    with pytest.raises(IntegrityError, match=r"text_has_deadline|CHECK"), db.session() as session:
        session.execute(
            insert(Interaction).values(
                at=NOW,
                channel="telegram",
                kind="question",
                entry_ids=[],
                scores=[],
                latency_ms=1.0,
                question_text="scritto a mano",
            )
        )

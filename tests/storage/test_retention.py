"""Retention rules with a fixed clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from storage import (
    ChatLink,
    Database,
    Interaction,
    InteractionCount,
    User,
    drop_stale_flow_value,
    erase_inactive_users,
    fold_interactions,
    fold_old_interactions,
    load_flow,
    save_flow,
)
from tests.storage.builders import NOW, add_user, log_turn


def test_people_silent_too_long_are_erased_with_their_chat_link(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-gone", telegram_user_id=11, now=NOW - timedelta(days=400))
        add_user(session, "ref-back", telegram_user_id=12, now=NOW - timedelta(days=400))
        add_user(session, "ref-here", telegram_user_id=13, now=NOW - timedelta(days=10))
        log_turn(session, "ref-gone", at=NOW - timedelta(days=400))
    with db.session() as session:  # ref-back writes again today: its day last seen moves
        add_user(session, "ref-back", telegram_user_id=12, now=NOW)
    with db.session() as session:
        erased = erase_inactive_users(session, last_seen_before=NOW - timedelta(days=365))
    assert erased == 1
    with db.session() as session:
        assert set(session.scalars(select(User.user_ref))) == {"ref-back", "ref-here"}
        assert set(session.scalars(select(ChatLink.telegram_user_id))) == {12, 13}
        assert session.scalars(select(Interaction)).all() == []
        assert session.scalars(select(InteractionCount.count)).all() == [1]
        back = session.get(User, "ref-back")
        assert back is not None and back.last_seen_at == NOW.replace(hour=0, minute=0)


def test_old_log_rows_become_daily_counts_and_recent_ones_stay(db: Database) -> None:
    day = NOW - timedelta(days=100)
    with db.session() as session:
        add_user(session, "ref-a")
        for minutes, decision in ((0, "answer"), (3, "answer"), (7, "fallback")):
            log_turn(session, "ref-a", at=day + timedelta(minutes=minutes), decision=decision)
        log_turn(session, "ref-b", at=day + timedelta(hours=2), decision="answer")
        recent = log_turn(session, "ref-a", at=NOW - timedelta(days=10))
    with db.session() as session:
        assert fold_old_interactions(session, before=NOW - timedelta(days=90)) == 4
    with db.session() as session:
        assert session.scalars(select(Interaction.id)).all() == [recent]
        counts = {
            (c.day, c.intent, c.decision, c.topic): c.count
            for c in session.scalars(select(InteractionCount))
        }
    assert counts == {
        (day.date(), "faq.buoni-pasto", "answer", None): 3,
        (day.date(), "faq.buoni-pasto", "fallback", None): 1,
    }


def test_folding_adds_to_the_counts_of_the_same_day(db: Database) -> None:
    with db.session() as session:
        log_turn(session, "ref-a", decision="fallback", intent=None)
        log_turn(session, "ref-b", decision="fallback", intent=None)
        log_turn(session, "ref-b", at=NOW + timedelta(days=1), decision="fallback", intent=None)
    with db.session() as session:
        assert fold_interactions(session, Interaction.user_ref == "ref-a") == 1
    with db.session() as session:
        assert fold_interactions(session, Interaction.user_ref == "ref-b") == 2
    with db.session() as session:
        rows = sorted((c.day, c.count) for c in session.scalars(select(InteractionCount)))
    assert rows == [(NOW.date(), 2), (date(2026, 3, 3), 1)]  # NULL intents matched too


def test_a_stale_pending_question_is_dropped_and_the_rest_of_the_flow_kept(
    db: Database,
) -> None:
    with db.session() as session:
        for user_ref, at in (("ref-stale", NOW - timedelta(hours=30)), ("ref-fresh", NOW)):
            add_user(session, user_ref, now=at)
            save_flow(
                session,
                user_ref=user_ref,
                flow="onboarding",
                step="role",
                data={"pending": "mia madre è malata, ho diritto a permessi?", "code": None},
                now=at,
            )
    with db.session() as session:
        dropped = drop_stale_flow_value(
            session,
            flow="onboarding",
            key="pending",
            updated_before=NOW - timedelta(hours=24),
            now=NOW,
        )
    assert dropped == 1
    with db.session() as session:
        stale = load_flow(session, user_ref="ref-stale")
        assert (stale.flow, stale.step, stale.data) == ("onboarding", "role", {"code": None})
        assert "pending" in load_flow(session, user_ref="ref-fresh").data

"""Users: first contact, the Telegram link, consent, role, language, blocking."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import (
    ChatLink,
    Database,
    NotFoundError,
    User,
    chat_id_for,
    ensure_user,
    find_user,
    find_user_ref_by_telegram_id,
    set_blocked,
    set_consent,
    set_language,
    set_role,
)
from tests.storage.builders import NOW, race

LATER = NOW + timedelta(hours=3)


# A message reaching the desk: by default Anna writes from her Telegram chat, in Italian.
contact = functools.partial(
    ensure_user, user_ref="ref-anna", telegram_user_id=111, chat_id=222, language="it", now=NOW
)


def test_first_contact_creates_profile_and_chat_link(db: Database) -> None:
    with db.session() as session:
        created = contact(session)
        assert created.user_ref == "ref-anna"
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
        assert user is not None
        assert (user.role, user.company_id, user.language) == (None, None, "it")
        assert (user.consent_version, user.consent_at, user.blocked) == (None, None, False)
        assert user.created_at == user.updated_at == NOW
        assert find_user_ref_by_telegram_id(session, telegram_user_id=111) == "ref-anna"
        assert chat_id_for(session, user_ref="ref-anna") == 222
        assert find_user(session, user_ref="ref-nobody") is None
        assert find_user_ref_by_telegram_id(session, telegram_user_id=999) is None
        assert chat_id_for(session, user_ref="ref-nobody") is None


def test_later_contact_updates_what_is_given_and_keeps_the_rest(db: Database) -> None:
    with db.session() as session:
        contact(session)
    with db.session() as session:
        updated = contact(session, chat_id=333, language=None, now=LATER)
        assert (updated.language, updated.created_at, updated.updated_at) == ("it", NOW, LATER)
    with db.session() as session:
        assert chat_id_for(session, user_ref="ref-anna") == 333
        contact(session, telegram_user_id=None, chat_id=None, language="en", now=LATER)
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
        assert user is not None and user.language == "en"
        assert chat_id_for(session, user_ref="ref-anna") == 333  # no ids given: link kept
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_unchanged_contact_does_not_touch_updated_at(db: Database) -> None:
    with db.session() as session:
        contact(session)
    with db.session() as session:
        user = contact(session, now=LATER)
        assert user.updated_at == NOW


def test_a_user_without_telegram_has_no_chat_link(db: Database) -> None:
    with db.session() as session:
        contact(session, user_ref="terminal", telegram_user_id=None, chat_id=None, language=None)
    with db.session() as session:
        assert find_user(session, user_ref="terminal") is not None
        assert chat_id_for(session, user_ref="terminal") is None
        assert session.scalar(select(func.count()).select_from(ChatLink)) == 0


@pytest.mark.unit
@pytest.mark.parametrize(("telegram_user_id", "chat_id"), [(111, None), (None, 222)])
def test_telegram_ids_come_in_pairs(telegram_user_id: int | None, chat_id: int | None) -> None:
    with Session() as session, pytest.raises(ValueError, match="go together"):  # no SQL is sent
        contact(session, telegram_user_id=telegram_user_id, chat_id=chat_id)


def test_a_rotated_pseudonym_takes_over_the_chat_link(db: Database) -> None:
    with db.session() as session:
        contact(session, user_ref="ref-old")
    with db.session() as session:
        contact(session, user_ref="ref-new", now=LATER)
    with db.session() as session:
        assert find_user_ref_by_telegram_id(session, telegram_user_id=111) == "ref-new"
        assert chat_id_for(session, user_ref="ref-old") is None
        assert chat_id_for(session, user_ref="ref-new") == 222


def test_telegram_ids_beyond_32_bits(db: Database) -> None:
    big_user, big_chat = 7_123_456_789, -1_001_234_567_890
    with db.session() as session:
        contact(session, telegram_user_id=big_user, chat_id=big_chat)
    with db.session() as session:
        assert find_user_ref_by_telegram_id(session, telegram_user_id=big_user) == "ref-anna"
        assert chat_id_for(session, user_ref="ref-anna") == big_chat


def test_consent_is_recorded_with_version_and_time(db: Database) -> None:
    with db.session() as session:
        contact(session)
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
        assert user is not None and user.consent_at is None
        set_consent(session, user_ref="ref-anna", version="privacy-2026-01", now=LATER)
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
        assert user is not None
        assert (user.consent_version, user.consent_at, user.updated_at) == (
            "privacy-2026-01",
            LATER,
            LATER,
        )


def test_role_language_and_blocked(db: Database) -> None:
    with db.session() as session:
        contact(session)
    before = datetime.now(UTC)
    with db.session() as session:
        set_role(session, user_ref="ref-anna", role="company")
        set_language(session, user_ref="ref-anna", language="en")
        set_blocked(session, user_ref="ref-anna", blocked=True)
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
        assert user is not None
        assert (user.role, user.language, user.blocked) == ("company", "en", True)
        assert user.updated_at >= before  # stamped on every change by the model


def test_unknown_role_is_refused_and_nothing_changes(db: Database) -> None:
    with db.session() as session:
        contact(session)
        set_role(session, user_ref="ref-anna", role="worker")
    with pytest.raises(ValueError, match="unknown role 'admin'"), db.session() as session:
        set_role(session, user_ref="ref-anna", role="admin")
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
        assert user is not None and user.role == "worker"


def test_writing_to_the_bot_again_clears_blocked(db: Database) -> None:
    with db.session() as session:
        contact(session)
        set_blocked(session, user_ref="ref-anna", blocked=True)
    with db.session() as session:  # no Telegram ids: not a message from the user
        user = contact(session, telegram_user_id=None, chat_id=None, language=None)
        assert user.blocked is True
    with db.session() as session:
        user = contact(session, language=None, now=LATER)
        assert (user.blocked, user.updated_at) == (False, LATER)


def test_changing_an_unknown_user_is_a_bug_reported_as_such(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(NotFoundError, match="no such user"):
            set_role(session, user_ref="ref-ghost", role="worker")
        with pytest.raises(NotFoundError):
            set_consent(session, user_ref="ref-ghost", version="v1", now=NOW)
        with pytest.raises(NotFoundError):
            set_language(session, user_ref="ref-ghost", language="it")
        with pytest.raises(NotFoundError):
            set_blocked(session, user_ref="ref-ghost", blocked=True)


def test_naive_times_and_oversized_values_are_refused(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(ValueError, match="timezone-aware"):
            contact(session, telegram_user_id=None, chat_id=None, now=datetime(2026, 3, 2, 9, 30))
        with pytest.raises(ValueError, match="user_ref"):
            contact(session, user_ref="x" * 129, telegram_user_id=None, chat_id=None, language=None)
        with pytest.raises(ValueError, match="user_ref"):
            find_user(session, user_ref="")
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_simultaneous_first_contacts_make_one_user(db: Database) -> None:
    """Two updates of a new user handled at once (a double tap on /start)."""
    race(
        db,
        4,
        lambda session, _: contact(session),
    )
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert session.scalar(select(func.count()).select_from(ChatLink)) == 1
        assert chat_id_for(session, user_ref="ref-anna") == 222

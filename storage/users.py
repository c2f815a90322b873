"""Users: the pseudonymous profile, its Telegram link, consent, role, language, blocking.

`user_ref` is computed by the caller (a keyed HMAC of the Telegram id); this module never
derives it and stores the Telegram ids only in `chat_links`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.checks import aware_utc, bounded_text, day_start, one_of, optional_text
from storage.errors import NotFoundError
from storage.models import (
    CONSENT_VERSION_LENGTH,
    LANGUAGE_LENGTH,
    ROLES,
    USER_REF_LENGTH,
    ChatLink,
    User,
)
from storage.statements import insert_if_absent

logger = logging.getLogger(__name__)


def check_user_ref(user_ref: str) -> str:
    return bounded_text(user_ref, "user_ref", USER_REF_LENGTH)


def require_user(session: Session, user_ref: str) -> User:
    user = session.get(User, check_user_ref(user_ref))
    if user is None:
        raise NotFoundError("no such user — call ensure_user() for it first")
    return user


def ensure_user(
    session: Session,
    *,
    user_ref: str,
    telegram_user_id: int | None,
    chat_id: int | None,
    language: str | None,
    now: datetime,
) -> User:
    """The user's row, created on first contact; chat link, language and the day last seen
    brought up to date.

    Safe when two updates of a new user arrive at once: the row is inserted by whichever
    transaction gets there first and read by the other. A `language` of None keeps the
    stored one. Passing Telegram ids means the user has just written to us, so `blocked`
    is cleared: they have evidently unblocked the bot.
    """
    check_user_ref(user_ref)
    now = aware_utc(now, "now")
    language = optional_text(language, "language", LANGUAGE_LENGTH)
    if (telegram_user_id is None) != (chat_id is None):
        raise ValueError("telegram_user_id and chat_id go together: pass both or neither")
    user = session.get(User, user_ref)
    created = False
    if user is None:  # first contact: the only turn that pays for the insert
        created = insert_if_absent(
            session,
            User,
            {
                "user_ref": user_ref,
                "language": language,
                "blocked": False,
                "created_at": now,
                "updated_at": now,
                "last_seen_at": day_start(now),
                "code_failures": 0,
            },
        )
        user = require_user(session, user_ref)
    changed = False
    if not created and language is not None and user.language != language:
        user.language = language
        changed = True
    if user.last_seen_at != day_start(now):
        user.last_seen_at = day_start(now)  # not a change of the profile: updated_at stays
    if telegram_user_id is not None and chat_id is not None:
        changed |= _link_chat(session, user_ref, telegram_user_id, chat_id)
        if user.blocked:
            user.blocked = False
            changed = True
    if changed:
        user.updated_at = now
    session.flush()
    return user


def _link_chat(session: Session, user_ref: str, telegram_user_id: int, chat_id: int) -> bool:
    """Point the user's chat link at these ids; True if anything changed."""
    current = session.get(ChatLink, user_ref)
    if current is not None and (current.telegram_user_id, current.chat_id) == (
        telegram_user_id,
        chat_id,
    ):
        return False  # the common case, one primary-key read
    other = session.scalar(
        select(ChatLink.user_ref).where(
            ChatLink.telegram_user_id == telegram_user_id, ChatLink.user_ref != user_ref
        )
    )
    if other is not None:
        # The same Telegram account under another pseudonym: the pseudonymisation key was
        # rotated. The account belongs to the new pseudonym from now on.
        logger.info("a chat link moved to a new pseudonym (the key was rotated)")
        session.execute(delete(ChatLink).where(ChatLink.user_ref == other))
    link = session.get(ChatLink, user_ref)
    if link is None:
        values = {"user_ref": user_ref, "telegram_user_id": telegram_user_id, "chat_id": chat_id}
        if insert_if_absent(session, ChatLink, values):
            return True
        link = session.get(ChatLink, user_ref, populate_existing=True)
        if link is None:  # another transaction erased the user meanwhile
            raise NotFoundError("the user was erased while being linked")
    if (link.telegram_user_id, link.chat_id) == (telegram_user_id, chat_id):
        return False
    link.telegram_user_id = telegram_user_id
    link.chat_id = chat_id
    return True


def find_user(session: Session, *, user_ref: str) -> User | None:
    return session.get(User, check_user_ref(user_ref))


def find_user_ref_by_telegram_id(session: Session, *, telegram_user_id: int) -> str | None:
    return session.scalar(
        select(ChatLink.user_ref).where(ChatLink.telegram_user_id == telegram_user_id)
    )


def chat_id_for(session: Session, *, user_ref: str) -> int | None:
    """Where to write to the user; None once they erased their data (or never linked).

    A blocked user still has a chat id: check `User.blocked` before sending.
    """
    return session.scalar(
        select(ChatLink.chat_id).where(ChatLink.user_ref == check_user_ref(user_ref))
    )


def set_consent(session: Session, *, user_ref: str, version: str, now: datetime) -> None:
    """Record consent to privacy notice `version`, given at `now`."""
    user = require_user(session, user_ref)
    now = aware_utc(now, "now")
    user.consent_version = bounded_text(version, "consent version", CONSENT_VERSION_LENGTH)
    user.consent_at = now
    user.updated_at = now
    session.flush()


def set_role(session: Session, *, user_ref: str, role: str) -> None:
    user = require_user(session, user_ref)
    user.role = one_of(role, ROLES, "role")
    session.flush()


def set_language(session: Session, *, user_ref: str, language: str) -> None:
    user = require_user(session, user_ref)
    user.language = bounded_text(language, "language", LANGUAGE_LENGTH)
    session.flush()


def set_chosen_language(session: Session, *, user_ref: str, language: str | None) -> None:
    """The language chosen with /lingua; None goes back to detection."""
    user = require_user(session, user_ref)
    user.chosen_language = optional_text(language, "language", LANGUAGE_LENGTH)
    session.flush()


def set_chat_language(session: Session, *, user_ref: str, language: str) -> None:
    """The language the conversation is in now (detected), for turns without text.

    One UPDATE, no load first: a turn that detects a new language writes it on the hot path
    (every first message). A `User` already loaded in the session is updated too.
    """
    result = session.execute(
        update(User)
        .where(User.user_ref == check_user_ref(user_ref))
        .values(chat_language=bounded_text(language, "language", LANGUAGE_LENGTH))
        .execution_options(synchronize_session="evaluate")
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFoundError("no such user — call ensure_user() for it first")


def set_blocked(session: Session, *, user_ref: str, blocked: bool) -> None:
    """Whether the user blocked the bot (Telegram answers 403): stop writing to them."""
    user = require_user(session, user_ref)
    user.blocked = blocked
    session.flush()

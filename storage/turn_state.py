"""What every turn reads: the user's profile, chat link and conversation, in one statement.

A message costs one primary-key read here instead of three ORM loads (user, chat link,
conversation), which is most of the database time of a turn. It is a Core statement on
purpose: the ORM's identity map and change tracking buy nothing for a read-only snapshot
that the engine copies into its own context, and they cost more than the query itself.
Writes stay with the repositories (`ensure_user` when the snapshot is out of date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from storage.checks import day_start
from storage.flows import FlowState
from storage.models import ChatLink, Conversation, User, table_of
from storage.users import check_user_ref

_users = table_of(User)
_links = table_of(ChatLink)
_conversations = table_of(Conversation)

_LOAD = (
    select(
        _users.c.role,
        _users.c.language,
        _users.c.chosen_language,
        _users.c.chat_language,
        _users.c.consent_version,
        _users.c.consent_at,
        _users.c.blocked,
        _users.c.last_seen_at,
        _users.c.company_id,
        _links.c.telegram_user_id,
        _links.c.chat_id,
        _conversations.c.flow,
        _conversations.c.step,
        _conversations.c.data,
        _conversations.c.version,
    )
    .select_from(
        _users.outerjoin(_links, _links.c.user_ref == _users.c.user_ref).outerjoin(
            _conversations, _conversations.c.user_ref == _users.c.user_ref
        )
    )
    .where(_users.c.user_ref == bindparam("user_ref"))
)


@dataclass(frozen=True)
class TurnState:
    """A snapshot of one user as a turn starts: profile, Telegram link and flow state."""

    role: str | None
    language: str | None
    consent_version: str | None
    consent_at: datetime | None
    blocked: bool
    telegram_user_id: int | None
    chat_id: int | None
    flow: FlowState
    last_seen_at: datetime | None = None
    chosen_language: str | None = None
    chat_language: str | None = None
    company_id: int | None = None
    """The company the user joined with a code: flows read it instead of loading the user."""

    def is_current(
        self,
        *,
        telegram_user_id: int | None,
        chat_id: int | None,
        language: str | None,
        now: datetime | None = None,
    ) -> bool:
        """True when `ensure_user` would change nothing for a turn with these ids at `now`.

        Writing to us from Telegram unblocks the bot and may move the chat link; a new
        language is remembered; the first turn of a day moves the day last seen. Anything
        else needs no write at all.
        """
        if language is not None and language != self.language:
            return False
        if now is not None and self.last_seen_at != day_start(now):
            return False
        if telegram_user_id is None:
            return True
        return not self.blocked and (self.telegram_user_id, self.chat_id) == (
            telegram_user_id,
            chat_id,
        )


def load_turn_state(session: Session, *, user_ref: str) -> TurnState | None:
    """The user's snapshot, or None when `user_ref` has no profile (first contact, erased)."""
    row = session.connection().execute(_LOAD, {"user_ref": check_user_ref(user_ref)}).one_or_none()
    if row is None:
        return None
    flow = (
        FlowState(None, None, {}, 0)
        if row.version is None
        else FlowState(row.flow, row.step, dict(row.data), row.version)
    )
    return TurnState(
        role=row.role,
        language=row.language,
        consent_version=row.consent_version,
        consent_at=row.consent_at,
        blocked=bool(row.blocked),
        telegram_user_id=row.telegram_user_id,
        chat_id=row.chat_id,
        flow=flow,
        last_seen_at=row.last_seen_at,
        chosen_language=row.chosen_language,
        chat_language=row.chat_language,
        company_id=row.company_id,
    )

"""Dialogue state: which flow a user is in, at which step, with which answers so far.

Stored per user so that a restart (or another worker process) resumes every conversation.
`version` grows by one on every save; a caller that wants to detect a concurrent save can
compare the version it loaded with the one `save_flow` returns (it is then exactly one more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage.checks import aware_utc, json_copy, optional_text
from storage.errors import NotFoundError
from storage.models import FLOW_NAME_LENGTH, Conversation, table_of
from storage.statements import insert_if_absent
from storage.users import check_user_ref, require_user

_conversations = table_of(Conversation)
_BUMP = (
    update(_conversations)
    .where(_conversations.c.user_ref == bindparam("ref"))
    .values(
        version=_conversations.c.version + 1,
        flow=bindparam("flow"),
        step=bindparam("step"),
        data=bindparam("data"),
        updated_at=bindparam("updated_at"),
    )
    .returning(_conversations.c.version)
)
"""A Core statement: a save runs on every turn that moves a conversation, and the ORM's
bulk-update machinery costs more than the UPDATE itself. No ORM object of this table is
kept in a session between turns, so there is nothing to synchronise."""


@dataclass(frozen=True)
class FlowState:
    """A snapshot of a conversation; `version` 0 means nothing was ever saved."""

    flow: str | None
    step: str | None
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0


def load_flow(session: Session, *, user_ref: str) -> FlowState:
    row = session.execute(
        select(Conversation.flow, Conversation.step, Conversation.data, Conversation.version).where(
            Conversation.user_ref == check_user_ref(user_ref)
        )
    ).one_or_none()
    if row is None:
        return FlowState(None, None, {}, 0)
    return FlowState(row.flow, row.step, dict(row.data), row.version)


def save_flow(
    session: Session,
    *,
    user_ref: str,
    flow: str | None,
    step: str | None,
    data: dict[str, Any],
    now: datetime,
) -> FlowState:
    """Replace the user's conversation state; returns it with its new version.

    The version is incremented by the database (`version = version + 1`), so two
    concurrent saves yield two different versions instead of both writing the same one.
    `data` must be JSON: it is stored and returned exactly as it will read back.
    """
    check_user_ref(user_ref)
    if not isinstance(data, dict):
        raise ValueError(f"flow data must be a dict, got {type(data).__name__}")
    payload: dict[str, Any] = json_copy(data, "flow data")
    flow = optional_text(flow, "flow", FLOW_NAME_LENGTH)
    step = optional_text(step, "step", FLOW_NAME_LENGTH)
    values = {"flow": flow, "step": step, "data": payload, "updated_at": aware_utc(now, "now")}
    version = _bump(session, user_ref, values)
    if version is None:
        require_user(session, user_ref)  # the first save: refuse an unknown user clearly
        if insert_if_absent(session, Conversation, {"user_ref": user_ref, "version": 1, **values}):
            version = 1
        else:  # a concurrent first save won the insert: save over it
            version = _bump(session, user_ref, values)
    if version is None:  # the user was erased by another transaction meanwhile
        raise NotFoundError("the user was erased while its conversation was saved")
    return FlowState(flow, step, json_copy(payload, "flow data"), version)


def _bump(session: Session, user_ref: str, values: dict[str, Any]) -> int | None:
    result = session.connection().execute(_BUMP, {"ref": user_ref, **values})
    return result.scalar_one_or_none()

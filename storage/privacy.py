"""The data subject's rights: a copy of everything stored about them, and erasure.

Erasure deletes the profile, chat link and conversation, and folds the person's log rows
into the daily counts (storage.interactions.fold_interactions): the statistics keep their
day, intent, decision and topic, nothing else. Afterwards nothing in the database leads back
to the Telegram account, nor lets anyone put that person's turns back in order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Update, delete, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.interactions import fold_interactions
from storage.models import (
    ChatLink,
    Company,
    Conversation,
    Interaction,
    InterviewResult,
    Ticket,
    TicketMessage,
    User,
)
from storage.users import check_user_ref


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def export_user_data(session: Session, *, user_ref: str) -> dict[str, Any]:
    """Everything stored under `user_ref`, JSON-serialisable (dates in ISO 8601, UTC).

    Sections are None when there is nothing to show (e.g. `profile` for a user_ref seen
    only in the log); the question texts appear as long as they are still kept.
    """
    check_user_ref(user_ref)
    user = session.get(User, user_ref)
    link = session.get(ChatLink, user_ref)
    conversation = session.get(Conversation, user_ref, populate_existing=True)
    interactions = session.scalars(
        select(Interaction)
        .where(Interaction.user_ref == user_ref)
        .order_by(Interaction.at, Interaction.id)
        .execution_options(populate_existing=True)
    )
    tickets = session.scalars(
        select(Ticket).where(Ticket.user_ref == user_ref).order_by(Ticket.id)
    ).all()
    interviews = session.execute(
        select(InterviewResult, Company.code)
        .join(Company, Company.id == InterviewResult.company_id)
        .where(InterviewResult.user_ref == user_ref)
        .order_by(InterviewResult.id)
    )
    return {
        "user_ref": user_ref,
        "profile": None
        if user is None
        else {
            "role": user.role,
            "language": user.language,
            "chosen_language": user.chosen_language,
            "chat_language": user.chat_language,
            "blocked": user.blocked,
            "created_at": _iso(user.created_at),
            "updated_at": _iso(user.updated_at),
            "last_seen_on": user.last_seen_at.date().isoformat(),
            "wrong_company_codes": user.code_failures,
            "company_codes_paused_until": _iso(user.code_paused_until),
        },
        "company": None
        if user is None or user.company is None
        else {"code": user.company.code, "name": user.company.name},
        "consent": None
        if user is None or user.consent_version is None
        else {"version": user.consent_version, "given_at": _iso(user.consent_at)},
        "chat_link": None
        if link is None
        else {"telegram_user_id": link.telegram_user_id, "chat_id": link.chat_id},
        "conversation": None
        if conversation is None
        else {
            "flow": conversation.flow,
            "step": conversation.step,
            "data": conversation.data,
            "version": conversation.version,
            "updated_at": _iso(conversation.updated_at),
        },
        "interactions": [
            {
                "id": row.id,
                "at": _iso(row.at),
                "channel": row.channel,
                "kind": row.kind,
                "intent": row.intent,
                "confidence": row.confidence,
                "decision": row.decision,
                "topic": row.topic,
                "entry_ids": list(row.entry_ids),
                "scores": list(row.scores),
                "latency_ms": row.latency_ms,
                "feedback": row.feedback,
                "question_text": row.question_text,
                "retain_until": _iso(row.retain_until),
            }
            for row in interactions
        ],
        "needs_interviews": [
            {
                "company": code,
                "consent_aggregate": row.consent_aggregate,
                "children_0_2": row.children_0_2,
                "children_3_5": row.children_3_5,
                "children_6_13": row.children_6_13,
                "children_14_18": row.children_14_18,
                "dependent_relatives": row.dependent_relatives,
                "commute_mode": row.commute_mode,
                "commute_band": row.commute_band,
                "working_time": row.working_time,
                "wants_flexibility": row.wants_flexibility,
                "wants_smart_working": row.wants_smart_working,
                "need_areas": list(row.need_areas),
                "comment": row.comment,
                "language": row.language,
                "created_at": _iso(row.created_at),
                "updated_at": _iso(row.updated_at),
            }
            for row, code in interviews
        ],
        "tickets": [_ticket_export(session, ticket) for ticket in tickets],
    }


def _ticket_export(session: Session, ticket: Ticket) -> dict[str, Any]:
    messages = session.scalars(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id, TicketMessage.direction != "desk")
        .order_by(TicketMessage.id)
    )
    return {
        "number": ticket.id,
        "status": ticket.status,
        "priority": ticket.priority,
        "topic": ticket.topic,
        "summary": ticket.summary,
        "note": ticket.note,
        "shared_conversation": ticket.transcript,
        "created_at": _iso(ticket.created_at),
        "first_response_at": _iso(ticket.first_response_at),
        "closed_at": _iso(ticket.closed_at),
        "rating": ticket.rating,
        "rating_comment": ticket.rating_comment,
        "messages": [{"at": _iso(m.at), "from": m.direction, "text": m.text} for m in messages],
    }


def erase_user(session: Session, *, user_ref: str) -> dict[str, int]:
    """Erase the person behind `user_ref`; returns the rows touched per table.

    Keys: `chat_links`, `conversations`, `interview_results`, `users` (rows deleted) and
    `interactions` (rows folded into the daily counts). Erasing an unknown user_ref is not an
    error: all counts are then 0. The caller checkpoints the database once the transaction has
    committed (`Database.checkpoint`), so the erased rows leave SQLite's WAL too.
    """
    check_user_ref(user_ref)
    counts = {
        "chat_links": _count(
            session, delete(ChatLink).where(ChatLink.user_ref == user_ref), ChatLink.user_ref
        ),
        "conversations": _count(
            session,
            delete(Conversation).where(Conversation.user_ref == user_ref),
            Conversation.user_ref,
        ),
        "interview_results": _count(
            session,
            delete(InterviewResult).where(InterviewResult.user_ref == user_ref),
            InterviewResult.id,
        ),
        "users": _count(session, delete(User).where(User.user_ref == user_ref), User.user_ref),
        "interactions": fold_interactions(session, Interaction.user_ref == user_ref),
        "tickets": _anonymise_tickets(session, user_ref),
    }
    return counts


def _anonymise_tickets(session: Session, user_ref: str) -> int:
    """The person's tickets lose every text and the link to them; the rows stay (number,
    times, statuses, rating) for the statistics, and their threads keep working."""
    owned = select(Ticket.id).where(Ticket.user_ref == user_ref).scalar_subquery()
    session.execute(
        update(TicketMessage)
        .where(TicketMessage.ticket_id.in_(owned))
        .values(text=None)
        .execution_options(synchronize_session="fetch")
    )
    return _count(
        session,
        update(Ticket)
        .where(Ticket.user_ref == user_ref)
        .values(user_ref=None, summary=None, transcript=None, note=None, rating_comment=None),
        Ticket.id,
    )


def erase_unconsented_users(session: Session, *, created_before: datetime) -> int:
    """Erase people who started a conversation but never consented, once it is stale.

    Their row exists only so onboarding can resume (and a first question can wait for the
    consent); past `created_before` nobody is coming back for it. Returns how many.
    """
    stale = session.scalars(
        select(User.user_ref).where(User.consent_at.is_(None), User.created_at < created_before)
    ).all()
    for user_ref in stale:
        erase_user(session, user_ref=user_ref)
    return len(stale)


def _count(session: Session, statement: Delete | Update, key: InstrumentedAttribute[Any]) -> int:
    result = session.execute(
        statement.returning(key).execution_options(synchronize_session="fetch")
    )
    return len(result.all())

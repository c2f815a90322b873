"""What the desk sends about a ticket outside a turn's replies: into the managers' chat (the
card, the worker's messages, notices) and to the worker (a manager's answer, a status), in
the worker's language (`worker_translator`); the managers' chat is in Italian.

Everything goes through the outbox in the caller's transaction, keyed so that the same cause
handled twice queues one message. Messages for the managers' chat carry a `TicketPlace`: the
deliverer puts them in the ticket's forum topic (creating it with the card) or under its card.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from escalation import EscalationSettings, add_desk_message, manager_by_id
from handlers import callbacks, texts
from handlers.i18n import Translate, Translations
from handlers.turns import Button
from nlu.language import DEFAULT_LANGUAGE, normalise_hint
from storage import (
    Company,
    Outgoing,
    Ticket,
    TicketPlace,
    chat_id_for,
    enqueue,
    find_user,
)

TICKET_FLOW = "ticket"
"""Payload flow of the card's buttons (read by handlers/managers.py, never by the registry)."""
CARD = "card"
ACTIONS = ("take", "resolve", "close", "reassign")


def topic_label(ticket: Ticket) -> str:
    return ticket.topic or texts.TICKET_TOPIC_NONE


def card_text(session: Session, ticket: Ticket) -> str:
    company = session.get(Company, ticket.company_id) if ticket.company_id else None
    routed = manager_by_id(session, ticket.routed_to_id)
    text = texts.CARD.format(
        number=ticket.id,
        topic=topic_label(ticket),
        priority=texts.CARD_PRIORITY if ticket.priority == "high" else "",
        company=company.name if company is not None else texts.CARD_NETWORK,
        routed=routed.name if routed is not None else texts.CARD_NOBODY,
        summary=ticket.summary or "",
    )
    if ticket.note:
        text += texts.CARD_NOTE.format(note=ticket.note)
    if ticket.transcript:
        text += texts.CARD_TRANSCRIPT.format(transcript=ticket.transcript)
    else:
        text += texts.CARD_NO_TRANSCRIPT
    return text


def card_buttons(ticket: Ticket) -> tuple[tuple[tuple[str, str], ...], ...]:
    def button(label: str, action: str) -> tuple[str, str]:
        return (label, callbacks.make(TICKET_FLOW, CARD, action, ticket.id))

    return (
        (button(texts.CARD_TAKE, "take"), button(texts.CARD_REASSIGN, "reassign")),
        (button(texts.CARD_RESOLVE, "resolve"), button(texts.CARD_CLOSE, "close")),
    )


def post_card(
    session: Session, settings: EscalationSettings, ticket: Ticket, now: dt.datetime
) -> None:
    """The new ticket's card in the managers' chat (its forum topic is created with it)."""
    if settings.managers_chat_id is None:
        return
    topic = texts.TOPIC_NAME.format(number=ticket.id, topic=topic_label(ticket))
    enqueue(
        session,
        chat_id=settings.managers_chat_id,
        message=Outgoing(
            card_text(session, ticket),
            buttons=card_buttons(ticket),
            place=TicketPlace(ticket.id, card=True, topic=topic[:128]),
        ),
        key=f"ticket:{ticket.id}:card",
        now=now,
    )


def post_to_thread(
    session: Session,
    settings: EscalationSettings,
    ticket: Ticket,
    text: str,
    *,
    key: str,
    now: dt.datetime,
    message_id: int | None = None,
) -> None:
    """A message in the ticket's thread of the managers' chat. Without `message_id` (a
    notice of the desk) a row is added so replies to the notice find the ticket too."""
    if settings.managers_chat_id is None:
        return
    if message_id is None:
        message_id = add_desk_message(session, ticket=ticket, now=now).id
    enqueue(
        session,
        chat_id=settings.managers_chat_id,
        message=Outgoing(text, place=TicketPlace(ticket.id, message=message_id)),
        key=f"ticket:{ticket.id}:{key}",
        now=now,
    )


def write_to_worker(
    session: Session,
    ticket: Ticket,
    text: str,
    *,
    key: str,
    now: dt.datetime,
    buttons: Sequence[Sequence[Button]] = (),
) -> bool:
    """A message to the ticket's worker; False when they can no longer be reached (erased)."""
    if ticket.user_ref is None:
        return False
    chat_id = chat_id_for(session, user_ref=ticket.user_ref)
    if chat_id is None:
        return False
    enqueue(
        session,
        chat_id=chat_id,
        message=Outgoing(
            text, buttons=tuple(tuple((b.label, b.data) for b in row) for row in buttons)
        ),
        key=f"ticket:{ticket.id}:{key}",
        now=now,
    )
    return True


def worker_translator(session: Session, ticket: Ticket, translations: Translations) -> Translate:
    """The wording of the ticket's worker, for what a manager's action sends them: the
    language they chose, else the one they last wrote in, else their client's, else Italian
    (handlers/context.py decides the same way during a turn)."""
    user = find_user(session, user_ref=ticket.user_ref) if ticket.user_ref else None
    if user is None:
        return translations.translator(DEFAULT_LANGUAGE)
    language = (
        normalise_hint(user.chosen_language)
        or normalise_hint(user.chat_language)
        or normalise_hint(user.language)
        or DEFAULT_LANGUAGE
    )
    return translations.translator(language)

"""Hand-off: a welfare manager when the user wants one, a human word first when they struggle.

Reached from any state: by the /operatore command, by a request for a person in any wording,
by distress or anger at the desk (the engine's global intents), by the "Sì, con una persona"
button. See handoff.mmd. `request` is the one place a hand-off starts: the worker confirms,
chooses whether the manager may see their recent questions, may add a line, and is told the
ticket's number (escalation/ holds the tickets; handlers/ticket_messages.py posts the card).
Distress gets a human word first and a high-priority ticket. While a ticket is active the
worker's messages go to it (`relay`, called by the engine); when it is closed they are asked
for a 1-5 rating and a comment. Without a managers' chat (`escalation.managers_chat_id`), or
before consent, the user gets the desk's contacts instead.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Literal

from sqlalchemy import select

from escalation import (
    active_ticket,
    add_worker_message,
    close,
    comment,
    open_or_append,
    rate,
    statuses,
    user_tickets,
)
from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.settings import DialogueSettings
from handlers.ticket_messages import post_card, post_to_thread
from handlers.turns import Button, Reply
from knowledge.text import fold
from storage import Interaction, Ticket, find_user

FLOW = "handoff"
START = "start"
"""Not a state: the step named by the buttons that ask for a person, valid at any time."""

CONFIRM = "confirm"
SHARE = "share"
NOTE = "note"
COMMENT = "comment"
RATE = "rate"
"""Not a state: the step named by the rating buttons, valid whenever pressed."""

HANDOFF_BUTTON = callbacks.make(FLOW, START, "go")

Reason = Literal["asked", "distress", "anger"]

_PERSON = re.compile(
    r"\b((voglio|vorrei|chiedo|passami) un operatore|un umano"
    r"|(con|voglio|vorrei|serve|passami) una persona (vera|reale|fisica)|in carne e ossa"
    r"|parlare con (una persona|qualcuno|un operatore|un consulente|un umano|voi)"
    r"|mettimi in contatto|mettetemi in contatto|mi mett[ai] in contatto"
    r"|passami (qualcuno|un collega|una persona)|voglio (una persona|qualcuno))\b"
)
_DISTRESS = re.compile(
    r"\b(non ce la faccio piu|non ne posso piu|non reggo piu|sono (disperat|esaust|distrutt)"
    r"|sono allo stremo|sono al limite|mi sento (solo|sola|perso|persa|schiacciat|crollare)"
    r"|sto crollando)"
)
"""Word sequences (accents folded) that say "I am struggling" whatever the classifier says."""
_ANGER = re.compile(
    r"\b(sei (proprio |davvero |un )?(inutile|stupid\w*|idiota|scem\w*)|non capisci (niente|nulla)"
    r"|che schifo|vergogna(tevi)?|mi (state|stai) prendendo in giro|servizio (pessimo|inutile))\b"
)
"""Anger at the desk: heard as a wish for a person, with an apology first."""


def asks_for_person(text: str) -> bool:
    """A request for a person the classifier may miss in a long or angry message."""
    return _PERSON.search(fold(text)) is not None


def sounds_distressed(text: str) -> bool:
    return _DISTRESS.search(fold(text)) is not None


def sounds_angry(text: str) -> bool:
    return _ANGER.search(fold(text)) is not None


def request(desk: Desk, ctx: Context, reason: Reason = "asked") -> Step:
    """Hand the user to a person: a ticket for a welfare manager when the desk has a managers'
    chat and the user has consented, else the desk's contacts; a human word first for
    distress (whose ticket gets priority) and an apology for anger."""
    ctx.record.kind = "other"
    ctx.record.intent = "distress" if reason == "distress" else "talk_to_human"
    first = _first_word(ctx, reason)
    escalation = desk.escalation
    if escalation is None or not escalation.enabled:
        return Step.done(*first, human_contact(ctx, desk.settings))
    if not ctx.consented:
        return Step.done(
            *first, Reply(ctx.tr(texts.TICKET_NEEDS_CONSENT)), human_contact(ctx, desk.settings)
        )
    current = active_ticket(ctx.session, user_ref=ctx.user_ref)
    if current is not None:
        if reason == "distress":
            _raise_priority(desk, ctx, current)
        return Step.done(*first, _already_open(ctx, current))
    buttons = (
        (
            Button(ctx.tr(texts.TICKET_CONFIRM_YES), callbacks.make(FLOW, CONFIRM, "yes")),
            Button(ctx.tr(texts.TICKET_CONFIRM_NO), callbacks.make(FLOW, CONFIRM, "no")),
        ),
    )
    return Step.to(
        FLOW,
        CONFIRM,
        *first,
        Reply(ctx.tr(texts.TICKET_CONFIRM), buttons=buttons),
        reason=reason,
        request=uuid.uuid4().hex,
    )


def _first_word(ctx: Context, reason: Reason) -> list[Reply]:
    if reason == "distress":
        return [Reply(ctx.tr(texts.DISTRESS))]
    if reason == "anger":
        return [Reply(ctx.tr(texts.ANGER))]
    return []


def _already_open(ctx: Context, ticket: Ticket) -> Reply:
    return Reply(
        ctx.tr(texts.TICKET_ALREADY_OPEN).format(number=ticket.id, status=_status(ctx, ticket))
    )


def _status(ctx: Context, ticket: Ticket) -> str:
    """How the ticket's status reads to the worker, in their language."""
    return ctx.tr(statuses.LABELS.get(ticket.status, ticket.status))


def _raise_priority(desk: Desk, ctx: Context, ticket: Ticket) -> None:
    if ticket.priority == "high" or desk.escalation is None:
        return
    ticket.priority = "high"
    text = texts.THREAD_PRIORITY.format(number=ticket.id)
    post_to_thread(ctx.session, desk.escalation, ticket, text, key="priority", now=ctx.now)


# -- the steps: confirm → share the conversation? → a line of one's own → opened -------------


def _on_confirm(desk: Desk, ctx: Context, yes: bool) -> Step:
    if not yes:
        return Step.done(Reply(ctx.tr(texts.TICKET_NOT_OPENED)))
    data: dict[str, Any] = {k: ctx.data[k] for k in ("reason", "request") if k in ctx.data}
    if not _recent_turns(desk, ctx):
        return _ask_note(ctx, data, share=False)
    buttons = (
        (
            Button(ctx.tr(texts.TICKET_SHARE_YES), callbacks.make(FLOW, SHARE, "yes")),
            Button(ctx.tr(texts.TICKET_SHARE_NO), callbacks.make(FLOW, SHARE, "no")),
        ),
    )
    return Step.to(FLOW, SHARE, Reply(ctx.tr(texts.TICKET_SHARE), buttons=buttons), **data)


def _ask_note(ctx: Context, data: dict[str, Any], *, share: bool) -> Step:
    skip = ((Button(ctx.tr(texts.TICKET_NOTE_SKIP), callbacks.make(FLOW, NOTE, "skip")),),)
    note = Reply(ctx.tr(texts.TICKET_NOTE), buttons=skip)
    return Step.to(FLOW, NOTE, note, **data, share=share)


def _on_share(desk: Desk, ctx: Context, yes: bool) -> Step:
    data: dict[str, Any] = {k: ctx.data[k] for k in ("reason", "request") if k in ctx.data}
    return _ask_note(ctx, data, share=yes)


def _open(desk: Desk, ctx: Context, note: str | None) -> Step:
    """Open the ticket (or add to the one open meanwhile) and tell the worker its number."""
    escalation = desk.escalation
    if escalation is None:
        return Step.done(human_contact(ctx, desk.settings))
    reason = str(ctx.data.get("reason", "asked"))
    turns = _recent_turns(desk, ctx)
    user = find_user(ctx.session, user_ref=ctx.user_ref)
    topic = next((turn.topic for turn in turns if turn.topic), None)
    summary = texts.TICKET_SUMMARY.get(reason, texts.TICKET_SUMMARY["asked"])
    opened = open_or_append(
        ctx.session,
        key=f"handoff:{ctx.data.get('request') or uuid.uuid4().hex}",
        user_ref=ctx.user_ref,
        company_id=None if user is None else user.company_id,
        topic=topic,
        summary=summary,
        transcript=_transcript(turns) if ctx.data.get("share") and turns else None,
        note=note,
        priority="high" if reason == "distress" else "normal",
        now=ctx.now,
    )
    ticket = opened.ticket
    if not opened.created:
        if opened.appended is not None:
            text = texts.THREAD_WORKER.format(number=ticket.id, text=note)
            key = f"worker:{opened.appended.id}"
            post_to_thread(
                ctx.session,
                escalation,
                ticket,
                text,
                key=key,
                now=ctx.now,
                message_id=opened.appended.id,
            )
        return Step.done(_already_open(ctx, ticket))
    ticket.worker_told = True
    post_card(ctx.session, escalation, ticket, ctx.now)
    hours = f"{escalation.first_response_hours:g}"
    return Step.done(Reply(ctx.tr(texts.TICKET_OPENED).format(number=ticket.id, hours=hours)))


def _recent_turns(desk: Desk, ctx: Context) -> list[Interaction]:
    """The worker's recent questions, newest first (what a shared transcript shows)."""
    if desk.escalation is None:
        return []
    since = ctx.now - dt.timedelta(hours=desk.escalation.transcript_hours)
    return list(
        ctx.session.scalars(
            select(Interaction)
            .where(
                Interaction.user_ref == ctx.user_ref,
                Interaction.kind == "question",
                Interaction.at >= since,
            )
            .order_by(Interaction.id.desc())
            .limit(desk.escalation.transcript_turns)
        )
    )


def _transcript(turns: list[Interaction]) -> str:
    """One line per recent question, oldest first: the topic and what the desk did; the
    words themselves only where the desk kept them (a question it could not answer)."""
    lines = []
    for turn in reversed(turns):
        template = texts.TICKET_TRANSCRIPT_DECISION.get(turn.decision or "", "{topic}")
        what = template.format(topic=turn.topic or texts.TICKET_TOPIC_NONE)
        if turn.question_text:
            what += f": «{turn.question_text}»"
        lines.append(texts.TICKET_TRANSCRIPT_LINE.format(at=f"{turn.at:%d/%m %H:%M}", what=what))
    return "\n".join(lines)


# -- while a ticket is open -------------------------------------------------------------------


def relay(desk: Desk, ctx: Context, event: Event) -> Step | None:
    """A worker with an active ticket: their message goes to it (they are told once).

    None when there is no such ticket, or the message asks about privacy (the desk answers
    that itself)."""
    escalation = desk.escalation
    if (
        escalation is None
        or not escalation.enabled
        or not ctx.consented
        or event.text is None
        or event.urgent == "privacy_request"
    ):
        return None
    ticket = active_ticket(ctx.session, user_ref=ctx.user_ref)
    if ticket is None:
        return None
    ctx.record.kind = "other"
    ctx.record.intent = "ticket_message"
    message = add_worker_message(ctx.session, ticket=ticket, text=event.text, now=ctx.now)
    text = texts.THREAD_WORKER.format(number=ticket.id, text=event.text)
    post_to_thread(
        ctx.session,
        escalation,
        ticket,
        text,
        key=f"worker:{message.id}",
        now=ctx.now,
        message_id=message.id,
    )
    replies: list[Reply] = []
    if event.urgent == "distress":
        replies.append(Reply(ctx.tr(texts.DISTRESS)))
        _raise_priority(desk, ctx, ticket)
    if not ticket.worker_told:
        ticket.worker_told = True
        replies.append(Reply(ctx.tr(texts.TICKET_RELAYED).format(number=ticket.id)))
    return Step.done(*replies)


def my_requests(desk: Desk, ctx: Context) -> Step:
    """/richieste: the worker's tickets and where each stands."""
    tickets = user_tickets(ctx.session, user_ref=ctx.user_ref)
    if not tickets:
        return Step.done(Reply(ctx.tr(texts.TICKET_LIST_EMPTY)))
    lines = [ctx.tr(texts.TICKET_LIST_HEAD)]
    for ticket in tickets:
        lines.append(
            ctx.tr(texts.TICKET_LIST_LINE).format(
                number=ticket.id,
                topic=ctx.tr(texts.TOPIC_NAMES.get(ticket.topic or "", texts.TICKET_TOPIC_NONE)),
                status=_status(ctx, ticket),
            )
        )
    return Step.done(Reply("\n".join(lines)))


def rating_buttons(ticket_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        tuple(
            Button(str(score), callbacks.make(FLOW, RATE, str(score), ticket_id))
            for score in range(1, 6)
        ),
    )


def before_erasure(desk: Desk, ctx: Context) -> None:
    """The worker erases their data: their active ticket is closed and its thread told.
    (storage's erase_user then clears the texts of all their tickets.)"""
    escalation = desk.escalation
    ticket = active_ticket(ctx.session, user_ref=ctx.user_ref)
    if ticket is None or escalation is None:
        return
    close(ctx.session, ticket=ticket, manager=None, now=ctx.now)
    text = texts.THREAD_ERASED.format(number=ticket.id)
    post_to_thread(ctx.session, escalation, ticket, text, key="erased", now=ctx.now)


def human_contact(ctx: Context, settings: DialogueSettings) -> Reply:
    """How to reach a person without a ticket (no managers' chat, or no consent yet): the
    desk's own contacts from settings, in the user's language."""
    lines = []
    if settings.desk_email:
        lines.append(ctx.tr(texts.HUMAN_CONTACT_EMAIL).format(email=settings.desk_email))
    if settings.desk_phone:
        lines.append(ctx.tr(texts.HUMAN_CONTACT_PHONE).format(phone=settings.desk_phone))
    if settings.desk_hours and lines:
        lines.append(ctx.tr(texts.HUMAN_CONTACT_HOURS).format(hours=settings.desk_hours))
    if not lines:
        return Reply(ctx.tr(texts.HUMAN_CONTACT_UNSET))
    return Reply(ctx.tr(texts.HUMAN_CONTACT).format(contacts="\n".join(lines)))


def _on_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    return request(desk, ctx) if press.value == "go" else None


def _on_confirm_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if ctx.flow != FLOW or ctx.step != CONFIRM:
        return None
    return _on_confirm(desk, ctx, press.value == "yes")


def _on_share_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if ctx.flow != FLOW or ctx.step != SHARE:
        return None
    return _on_share(desk, ctx, press.value == "yes")


def _on_note_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if ctx.flow != FLOW or ctx.step != NOTE:
        return None
    return _open(desk, ctx, None)


def _on_rate_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    """A 1-5 button under "com'è andata?": valid whenever pressed, once per ticket."""
    if press.ref is None or not press.value.isdigit():
        return None
    rated = rate(
        ctx.session,
        ticket_id=press.ref,
        user_ref=ctx.user_ref,
        rating=int(press.value),
        now=ctx.now,
    )
    if rated is None:
        stale = ctx.tr(texts.TICKET_RATE_STALE)
        return Step.done(Reply(stale, notice=stale))
    skip = ((Button(ctx.tr(texts.TICKET_COMMENT_SKIP), callbacks.make(FLOW, COMMENT, "skip")),),)
    rated_reply = Reply(ctx.tr(texts.TICKET_RATED), buttons=skip)
    return Step.to(FLOW, COMMENT, rated_reply, ticket=rated.id)


def _on_comment_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if ctx.flow != FLOW or ctx.step != COMMENT:
        return None
    return Step.done(Reply(ctx.tr(texts.TICKET_COMMENT_THANKS)))


def _yes_no(event: Event) -> bool | None:
    if event.reply in ("affirm", "deny"):
        return event.reply == "affirm"
    return None


def _confirm_text(desk: Desk, ctx: Context, event: Event) -> Step | None:
    answer = _yes_no(event)
    return None if answer is None else _on_confirm(desk, ctx, answer)


def _share_text(desk: Desk, ctx: Context, event: Event) -> Step | None:
    answer = _yes_no(event)
    return None if answer is None else _on_share(desk, ctx, answer)


def _note_text(desk: Desk, ctx: Context, event: Event) -> Step | None:
    return _open(desk, ctx, event.text) if event.text else None


def _comment_text(desk: Desk, ctx: Context, event: Event) -> Step | None:
    ticket = ctx.data.get("ticket")
    if not event.text or not isinstance(ticket, int):
        return None
    comment(ctx.session, ticket_id=ticket, user_ref=ctx.user_ref, text=event.text)
    return Step.done(Reply(ctx.tr(texts.TICKET_COMMENT_THANKS)))


HANDOFF = Flow(
    name=FLOW,
    steps={CONFIRM: _confirm_text, SHARE: _share_text, NOTE: _note_text, COMMENT: _comment_text},
    buttons={
        START: _on_button,
        CONFIRM: _on_confirm_button,
        SHARE: _on_share_button,
        NOTE: _on_note_button,
        RATE: _on_rate_button,
        COMMENT: _on_comment_button,
    },
)

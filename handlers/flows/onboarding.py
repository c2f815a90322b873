"""Onboarding: privacy notice and consent, role, company code. See onboarding.mmd.

Typed answers count like the buttons, in any of the desk's languages: "sì", "da", "po", "oui",
"نعم" and "no", "nu", "jo" to the privacy question, a role in words ("sono una lavoratrice",
"sunt muncitor", "ufficio personale"), "no"/"nessuno"/"non ho un codice" for the code
(nlu.replies); a button's number or words ("1", "non ce l'ho") are that button
(handlers/choices.py). A question written before consent is not lost: it waits in the flow
data ("pending", for a day at most, handlers/housekeeping.py) and is answered as soon as
onboarding ends. Declining consent erases everything stored so far.

Company codes can be guessed, and a code says which employer a person works for: after
`MAX_CODE_FAILURES` wrong codes in a row, trying another one is paused for `CODE_PAUSE`.
"""

from __future__ import annotations

import datetime as dt
import re

from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows import questions
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.flows.privacy import privacy_facts
from handlers.turns import Button, Reply
from knowledge.text import fold
from nlu.replies import role_from_text as typed_role
from storage import (
    company_codes_paused_until,
    erase_user,
    join_company,
    record_code_attempt,
    set_consent,
    set_role,
)

FLOW = "onboarding"
CONSENT, ROLE, COMPANY = "consent", "role", "company"
PENDING_HOURS = 24
"""How long what onboarding needs is kept without consent: the person's row, chat link and a
question written before consenting. Long enough to come back to the notice the same day."""
MAX_CODE_FAILURES = 5
CODE_PAUSE = dt.timedelta(minutes=15)

COMPANY_CODE = re.compile(r"^[A-Za-z0-9-]{3,32}$")
SMALLTALK = frozenset({"greet", "thanks", "goodbye", "bot_challenge", "affirm", "deny"})
"""Intents of messages not worth keeping as the question to answer after onboarding."""


def start(desk: Desk, ctx: Context, company_code: str | None = None) -> Step:
    """/start: show the privacy notice (again), remembering a deep-link company code."""
    pending = ctx.data.get("pending") if ctx.flow == FLOW else None
    return Step.to(
        FLOW,
        CONSENT,
        consent_request(ctx, desk.settings.retention_days),
        code=company_code,
        pending=pending,
        notice_language=ctx.language,
    )


def consent_request(ctx: Context, retention_days: int) -> Reply:
    facts = privacy_facts(ctx, retention_days, PENDING_HOURS)
    return Reply(ctx.tr(texts.PRIVACY_NOTICE).format(**facts), buttons=_consent_buttons(ctx))


def _consent_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """Yes and no, and the way to another language for whoever cannot read this one."""
    return (
        (
            Button(ctx.tr(texts.CONSENT_YES), callbacks.CONSENT_YES),
            Button(ctx.tr(texts.CONSENT_NO), callbacks.CONSENT_NO),
        ),
        (Button(texts.LANGUAGE_BUTTON, callbacks.LANGUAGE_MENU),),
    )


def role_request(ctx: Context) -> Reply:
    return Reply(
        ctx.tr(texts.ASK_ROLE),
        buttons=(
            (Button(ctx.tr(texts.ROLE_WORKER), callbacks.ROLE_WORKER),),
            (Button(ctx.tr(texts.ROLE_COMPANY), callbacks.ROLE_COMPANY),),
        ),
    )


def company_request(ctx: Context) -> Reply:
    return Reply(ctx.tr(texts.ASK_COMPANY_CODE), buttons=_no_code_button(ctx))


def _no_code_button(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx.tr(texts.NO_COMPANY_CODE), callbacks.COMPANY_NONE),),)


# -- steps -------------------------------------------------------------------------------


def on_consent(desk: Desk, ctx: Context, event: Event) -> Step | None:
    if event.reply not in ("affirm", "deny"):
        return None
    return _consent(desk, ctx, event.reply == "affirm")


def _consent(desk: Desk, ctx: Context, accepted: bool) -> Step:
    if not accepted:
        erase_user(ctx.session, user_ref=ctx.user_ref)
        ctx.erased = True
        return Step.done(Reply(ctx.tr(texts.CONSENT_DECLINED)))
    set_consent(
        ctx.session, user_ref=ctx.user_ref, version=desk.settings.consent_version, now=ctx.now
    )
    ctx.consented = True
    return Step(FLOW, ROLE, (role_request(ctx),), dict(ctx.data))


def on_role(desk: Desk, ctx: Context, event: Event) -> Step | None:
    role = role_from_text(event.text or "") if ctx.consented else None
    return None if role is None else _role(desk, ctx, role)


def _role(desk: Desk, ctx: Context, role: str) -> Step:
    """Record the role; onboarding is over when a deep-link code was valid."""
    set_role(ctx.session, user_ref=ctx.user_ref, role=role)
    ctx.role = role
    code = ctx.data.get("code")
    joined = join(ctx, str(code)) if code else None
    if joined is not None:
        return finish(desk, ctx, joined)
    return Step(FLOW, COMPANY, (company_request(ctx),), dict(ctx.data))


def on_company(desk: Desk, ctx: Context, event: Event) -> Step | None:
    """ "no"/"non ce l'ho" skips, a code-like word is tried; anything else is not an answer."""
    text = event.text or ""
    if not ctx.consented or event.urgent is not None:
        return None
    if event.reply == "deny" or says_no_code(text):
        return finish(desk, ctx)
    if not COMPANY_CODE.match(text):
        return None
    joined = join(ctx, text)
    if joined is not None:
        return finish(desk, ctx, joined)
    return Step(FLOW, COMPANY, (code_refused(ctx, text, _no_code_button(ctx)),), dict(ctx.data))


_NEGATION = re.compile(r"\b(non|nessun\w*|senza|niente)\b")


def says_no_code(text: str) -> bool:
    """ "non ho un codice", "nessun codice", "sono senza codice": the «Non ce l'ho» button."""
    folded = fold(text)
    short = len(folded.split()) <= 6  # a longer message may well be a question too
    return short and "codic" in folded and _NEGATION.search(folded) is not None


def code_refused(
    ctx: Context,
    code: str,
    buttons: tuple[tuple[Button, ...], ...] = (),
    unknown: str = texts.COMPANY_UNKNOWN,
) -> Reply:
    """Why a typed code did not join: `unknown` (with the code), or trying is paused after
    too many misses."""
    paused = company_codes_paused_until(ctx.session, user_ref=ctx.user_ref, now=ctx.now)
    if paused is not None:
        minutes = max(1, -(-int((paused - ctx.now).total_seconds()) // 60))
        return Reply(ctx.tr(texts.COMPANY_CODES_PAUSED).format(minutes=minutes), buttons=buttons)
    return Reply(ctx.tr(unknown).format(code=code.strip()[:40]), buttons=buttons)


def other_text(desk: Desk, ctx: Context, event: Event) -> Step:
    """Text that answers no onboarding question: a question is kept and answered afterwards.

    At the company step onboarding ends at once and the question is answered; earlier, the
    step's question is asked again. A greeting is not kept.
    """
    text = event.text or ""
    if ctx.flow == FLOW and ctx.step == COMPANY and ctx.consented:
        ctx.data["pending"] = text
        return finish(desk, ctx)
    keep = None if desk.answerer.reply_intent(event.analysis) in SMALLTALK else text
    if ctx.flow != FLOW:
        return Step.to(
            FLOW,
            CONSENT,
            consent_request(ctx, desk.settings.retention_days),
            code=None,
            pending=keep,
            notice_language=ctx.language,
        )
    data = dict(ctx.data)
    if keep is not None:
        data["pending"] = keep
    if ctx.step == CONSENT:
        return Step(FLOW, CONSENT, (Reply(ctx.tr(texts.CONSENT_NEEDED)),), data)
    prompt = reprompt(desk, ctx)
    return Step(FLOW, ctx.step or CONSENT, (prompt,) if prompt else (), data)


def reprompt(desk: Desk, ctx: Context) -> Reply | None:
    """The current step's question again, after an interruption or an unclear answer.

    The privacy notice is shown whole again when the language changed since it was shown
    (/lingua in the middle of onboarding): the one above is in a language the user left.
    """
    if ctx.step == CONSENT:
        if ctx.data.get("notice_language", ctx.language) != ctx.language:
            ctx.data["notice_language"] = ctx.language
            return consent_request(ctx, desk.settings.retention_days)
        return Reply(ctx.tr(texts.CONSENT_AGAIN), buttons=_consent_buttons(ctx))
    if ctx.step == ROLE:
        return role_request(ctx)
    if ctx.step == COMPANY:
        return company_request(ctx)
    return None


def finish(desk: Desk, ctx: Context, *before: Reply) -> Step:
    """Close onboarding and answer the question that was waiting, if any."""
    pending = ctx.data.get("pending")
    done = (*before, Reply(ctx.tr(texts.ONBOARDING_DONE)))
    ctx.data.pop("pending", None)
    if not pending:
        return Step.done(*done)
    analysis = desk.answerer.analyse(str(pending))
    ctx.goto(None)  # the question is read on its own, not as a follow-up of anything
    return questions.ask(desk, ctx, Event(text=str(pending), analysis=analysis)).after(
        *done, Reply(ctx.tr(texts.PENDING_QUESTION))
    )


def role_from_text(text: str) -> str | None:
    """ "sono una lavoratrice" → worker, "ufficio personale" → company, in any of the desk's
    languages (nlu.replies); None when unclear."""
    return typed_role(text)


def join(ctx: Context, code: str) -> Reply | None:
    """Attach the user to the company with `code`: the confirmation, or None if unknown.

    Unless trying is paused; every try counts towards the pause.
    """
    if company_codes_paused_until(ctx.session, user_ref=ctx.user_ref, now=ctx.now) is not None:
        return None
    company = join_company(ctx.session, user_ref=ctx.user_ref, code=code)
    record_code_attempt(
        ctx.session,
        user_ref=ctx.user_ref,
        joined=company is not None,
        now=ctx.now,
        max_failures=MAX_CODE_FAILURES,
        pause=CODE_PAUSE,
    )
    if company is None:
        return None
    ctx.company_id = company.id
    return Reply(ctx.tr(texts.COMPANY_JOINED).format(name=company.name))


# -- buttons -----------------------------------------------------------------------------


def _at(ctx: Context, step: str) -> bool:
    return ctx.flow == FLOW and ctx.step == step


def _on_consent_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if not _at(ctx, CONSENT) or press.value not in ("yes", "no"):
        return None
    return _consent(desk, ctx, press.value == "yes")


def _on_role_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if not _at(ctx, ROLE) or not ctx.consented or press.value not in ("worker", "company"):
        return None
    return _role(desk, ctx, press.value)


def _on_company_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if not _at(ctx, COMPANY) or press.value != "none":
        return None
    return finish(desk, ctx)


ONBOARDING = Flow(
    name=FLOW,
    steps={CONSENT: on_consent, ROLE: on_role, COMPANY: on_company},
    buttons={CONSENT: _on_consent_button, ROLE: _on_role_button, COMPANY: _on_company_button},
    other_text=other_text,
    resumable=True,
    reprompt=reprompt,
)

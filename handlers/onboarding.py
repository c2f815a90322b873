"""Onboarding: privacy notice and consent, role, company code. See flows.mmd.

A question written before consent is not lost: it waits in the flow data (for a day at most,
handlers/housekeeping.py) and is answered as soon as onboarding ends. Declining consent erases
everything stored so far.

Company codes can be guessed, and a code says which employer a person works for: after
`MAX_CODE_FAILURES` wrong codes in a row, trying another one is paused for `CODE_PAUSE`.
"""

from __future__ import annotations

import datetime as dt

from handlers import callbacks, texts
from handlers.context import Context
from handlers.privacy import privacy_facts
from handlers.turns import Button, Reply
from knowledge.text import fold
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


def start(ctx: Context, retention_days: int, company_code: str | None = None) -> None:
    """/start: show the privacy notice (again), remembering a deep-link company code."""
    pending = ctx.data.get("pending") if ctx.flow == FLOW else None
    ctx.goto(FLOW, CONSENT, code=company_code, pending=pending)
    ctx.say(consent_request(ctx, retention_days))


def consent_request(ctx: Context, retention_days: int) -> Reply:
    return Reply(
        texts.PRIVACY_NOTICE.format(**privacy_facts(ctx, retention_days, PENDING_HOURS)),
        buttons=(
            (
                Button(texts.CONSENT_YES, callbacks.CONSENT_YES),
                Button(texts.CONSENT_NO, callbacks.CONSENT_NO),
            ),
        ),
    )


def hold_question(ctx: Context, text: str | None, retention_days: int) -> None:
    """Someone wrote before onboarding was done: keep the question for later (None: nothing
    worth keeping, such as a greeting) and ask for the missing step."""
    if ctx.flow != FLOW:
        ctx.goto(FLOW, CONSENT, code=None, pending=text)
        ctx.say(consent_request(ctx, retention_days))
        return
    if text is not None:
        ctx.data["pending"] = text
    if ctx.step == CONSENT:
        ctx.say(Reply(texts.CONSENT_NEEDED))
    else:
        ask_current_step(ctx)


def on_consent(ctx: Context, accepted: bool, version: str) -> None:
    if not accepted:
        erase_user(ctx.session, user_ref=ctx.user_ref)
        ctx.erased = True
        ctx.say(Reply(texts.CONSENT_DECLINED))
        return
    set_consent(ctx.session, user_ref=ctx.user_ref, version=version, now=ctx.now)
    ctx.consented = True
    ctx.step = ROLE
    ctx.say(role_request())


def role_request() -> Reply:
    return Reply(
        texts.ASK_ROLE,
        buttons=(
            (Button(texts.ROLE_WORKER, callbacks.ROLE_WORKER),),
            (Button(texts.ROLE_COMPANY, callbacks.ROLE_COMPANY),),
        ),
    )


def company_request() -> Reply:
    return Reply(
        texts.ASK_COMPANY_CODE,
        buttons=((Button(texts.NO_COMPANY_CODE, callbacks.COMPANY_NONE),),),
    )


def ask_current_step(ctx: Context) -> None:
    if ctx.step == ROLE:
        ctx.say(role_request())
    elif ctx.step == COMPANY:
        ctx.say(company_request())


WORKER_WORDS = ("lavorat", "dipendent", "operai", "impiegat", "socio", "worker", "employee")
COMPANY_WORDS = ("aziend", "impres", "datore", "titolar", "hr", "risorse umane", "personale")
"""Word starts (accents folded) that name a role when someone types it instead of pressing."""


def role_from_text(text: str) -> str | None:
    """ "sono una lavoratrice" → worker, "ufficio personale" → company; None when unclear."""
    words = fold(text).replace("'", " ").split()
    joined = " ".join(words)

    def names(starts: tuple[str, ...]) -> bool:
        return any(
            (" " in s and s in joined) or any(w.startswith(s) for w in words) for s in starts
        )

    worker, company = names(WORKER_WORDS), names(COMPANY_WORDS)
    if worker == company:
        return None
    return "worker" if worker else "company"


def on_role(ctx: Context, role: str) -> bool:
    """Record the role; True when onboarding is complete (a deep-link code was valid)."""
    set_role(ctx.session, user_ref=ctx.user_ref, role=role)
    ctx.role = role
    code = ctx.data.get("code")
    if code and _join(ctx, str(code)):
        return True
    ctx.step = COMPANY
    ctx.say(company_request())
    return False


def on_company_code(ctx: Context, code: str) -> bool:
    """A typed company code; True when onboarding is complete."""
    if _join(ctx, code):
        return True
    skip = ((Button(texts.NO_COMPANY_CODE, callbacks.COMPANY_NONE),),)
    paused = company_codes_paused_until(ctx.session, user_ref=ctx.user_ref, now=ctx.now)
    if paused is not None:
        minutes = max(1, -(-int((paused - ctx.now).total_seconds()) // 60))
        ctx.say(Reply(texts.COMPANY_CODES_PAUSED.format(minutes=minutes), buttons=skip))
        return False
    ctx.say(Reply(texts.COMPANY_UNKNOWN.format(code=code.strip()[:40]), buttons=skip))
    return False


def _join(ctx: Context, code: str) -> bool:
    """Try a code, unless trying is paused; every try counts towards the pause."""
    if company_codes_paused_until(ctx.session, user_ref=ctx.user_ref, now=ctx.now) is not None:
        return False
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
        return False
    ctx.say(Reply(texts.COMPANY_JOINED.format(name=company.name)))
    return True


def finish(ctx: Context) -> str | None:
    """Close onboarding; returns the question that was waiting, if any."""
    pending = ctx.data.get("pending")
    ctx.goto(None)
    ctx.say(Reply(texts.ONBOARDING_DONE))
    return str(pending) if pending else None

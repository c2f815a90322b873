"""/profilo: change role, company or language later, without erasing anything. See profile.mmd.

Two steps, each skippable with "Lascia com'è" (or a typed "no"): the role, then the company
code. Nothing is deleted: an unknown code leaves the current company as it is. The role step
also offers the language (/lingua), which returns here once chosen.
"""

from __future__ import annotations

from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows import onboarding
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.turns import Button, Reply
from storage import set_role

FLOW = "profile"
ROLE, COMPANY = "role", "company"


def start(desk: Desk, ctx: Context) -> Step:
    return Step.to(FLOW, ROLE, _role_request(ctx))


def _role_request(ctx: Context) -> Reply:
    current = ctx.tr(texts.ROLE_NAMES.get(ctx.role or "", texts.ROLE_UNSET))
    return Reply(
        ctx.tr(texts.PROFILE_ASK_ROLE).format(current=current),
        buttons=(
            (Button(ctx.tr(texts.ROLE_WORKER), callbacks.make(FLOW, ROLE, "worker")),),
            (Button(ctx.tr(texts.ROLE_COMPANY), callbacks.make(FLOW, ROLE, "company")),),
            (Button(ctx.tr(texts.PROFILE_LANGUAGE), callbacks.LANGUAGE_MENU),),
            (Button(ctx.tr(texts.PROFILE_KEEP), callbacks.make(FLOW, ROLE, "keep")),),
        ),
    )


def _company_request(ctx: Context, text: str | None = None) -> Reply:
    keep = Button(ctx.tr(texts.PROFILE_KEEP), callbacks.make(FLOW, COMPANY, "keep"))
    return Reply(text or ctx.tr(texts.PROFILE_ASK_COMPANY), buttons=((keep,),))


def on_role(desk: Desk, ctx: Context, event: Event) -> Step | None:
    if event.reply == "deny":
        return _role(ctx, None)
    role = onboarding.role_from_text(event.text or "")
    return None if role is None else _role(ctx, role)


def _role(ctx: Context, role: str | None) -> Step:
    if role is not None:
        set_role(ctx.session, user_ref=ctx.user_ref, role=role)
        ctx.role = role
    return Step.to(FLOW, COMPANY, _company_request(ctx))


def on_company(desk: Desk, ctx: Context, event: Event) -> Step | None:
    text = event.text or ""
    if event.urgent is not None:
        return None
    if event.reply == "deny":
        return Step.done(Reply(ctx.tr(texts.PROFILE_DONE)))
    if not onboarding.COMPANY_CODE.match(text):
        return None
    joined = onboarding.join(ctx, text)
    if joined is None:
        refused = onboarding.code_refused(ctx, text, unknown=texts.PROFILE_COMPANY_UNKNOWN)
        return Step.to(FLOW, COMPANY, _company_request(ctx, refused.text))
    return Step.done(joined, Reply(ctx.tr(texts.PROFILE_DONE)))


def reprompt(desk: Desk, ctx: Context) -> Reply | None:
    if ctx.step == ROLE:
        return _role_request(ctx)
    if ctx.step == COMPANY:
        return _company_request(ctx)
    return None


def _on_role_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if (ctx.flow, ctx.step) != (FLOW, ROLE) or press.value not in ("worker", "company", "keep"):
        return None
    return _role(ctx, None if press.value == "keep" else press.value)


def _on_company_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if (ctx.flow, ctx.step) != (FLOW, COMPANY) or press.value != "keep":
        return None
    return Step.done(Reply(ctx.tr(texts.PROFILE_DONE)))


PROFILE = Flow(
    name=FLOW,
    steps={ROLE: on_role, COMPANY: on_company},
    buttons={ROLE: _on_role_button, COMPANY: _on_company_button},
    resumable=True,
    reprompt=reprompt,
)

"""The user's own data: the notice, a full export, and erasure after confirmation.

See privacy.mmd. Reached from any state (/privacy, /miei_dati, /cancella, a privacy question)
and left for where the conversation was. Erasing needs a confirmation given in the
CONFIRM_ERASE state: the button of this very question or a typed "sì" / "sì, cancella"; a
confirmation button from an older message is stale.
"""

from __future__ import annotations

import json
import re

from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows import handoff
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.turns import Button, Document, Reply
from knowledge.text import fold
from storage import erase_user, export_user_data, find_user

FLOW = "privacy"
CONFIRM_ERASE = "confirm_erase"
MENU = "menu"
"""Not a state: the step named by the notice's buttons, valid at any time."""

_YES = re.compile(
    r"^(si|ok|okay|certo|confermo|conferma|procedi|cancella|cancellali|elimina|va bene)\b"
)
_NO = re.compile(r"\b(no|non|annulla|lascia|fermo|aspetta)\b")


def privacy_facts(ctx: Context, retention_days: int, pending_hours: int = 24) -> dict[str, int]:
    """The numbers the privacy texts state, from the settings in force: they never drift."""
    return {
        "retention_days": retention_days,
        "log_days": ctx.rules.log_user_ref_days,
        "inactive_days": ctx.rules.inactive_user_days,
        "pending_hours": pending_hours,
    }


NOTICE = "privacy"
"""`Context.notice` of a turn answered with the privacy notice."""


def notice(desk: Desk, ctx: Context) -> Step:
    ctx.record.intent = ctx.record.intent or "privacy_request"
    ctx.notice = NOTICE
    return Step.done(
        Reply(
            ctx.tr(texts.PRIVACY_MENU).format(**privacy_facts(ctx, desk.settings.retention_days)),
            buttons=(
                (Button(ctx.tr(texts.PRIVACY_EXPORT), callbacks.make(FLOW, MENU, "export")),),
                (Button(ctx.tr(texts.PRIVACY_ERASE), callbacks.make(FLOW, MENU, "erase")),),
            ),
        )
    )


def export(desk: Desk, ctx: Context) -> Step:
    if find_user(ctx.session, user_ref=ctx.user_ref) is None:
        return Step.done(Reply(ctx.tr(texts.NO_DATA)))
    data = export_user_data(ctx.session, user_ref=ctx.user_ref)
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    filename = f"sportello-welfare-dati-{ctx.now:%Y%m%d}.json"
    return Step.done(Reply(ctx.tr(texts.EXPORT_CAPTION), document=Document(filename, content)))


def ask_erase(desk: Desk, ctx: Context) -> Step:
    if find_user(ctx.session, user_ref=ctx.user_ref) is None:
        return Step.done(Reply(ctx.tr(texts.NO_DATA)))
    return Step.to(FLOW, CONFIRM_ERASE, _confirm_request(ctx, texts.ERASE_CONFIRM))


def _confirm_request(ctx: Context, text: str) -> Reply:
    return Reply(
        ctx.tr(text),
        buttons=(
            (
                Button(ctx.tr(texts.ERASE_YES), callbacks.make(FLOW, CONFIRM_ERASE, "yes")),
                Button(ctx.tr(texts.ERASE_NO), callbacks.make(FLOW, CONFIRM_ERASE, "no")),
            ),
        ),
    )


def typed_confirmation(text: str) -> bool | None:
    """ "sì", "sì, cancella", "confermo" → True; "no", "lascia stare" → False; else None."""
    folded = re.sub(r"[^\w\s]", " ", fold(text)).strip()
    if _NO.search(folded):
        return False
    if _YES.match(folded):
        return True
    return None


def on_confirm_erase(desk: Desk, ctx: Context, event: Event) -> Step | None:
    """The typed answer to "vuoi davvero cancellare?": anything else asks again."""
    confirmed = typed_confirmation(event.text or "")
    if confirmed is None and event.reply in ("affirm", "deny"):
        confirmed = event.reply == "affirm"
    if confirmed is None:
        if event.urgent is not None:
            return None  # a person, distress: heard first, then this question again
        return Step(
            FLOW, CONFIRM_ERASE, (_confirm_request(ctx, texts.ERASE_ASK_AGAIN),), dict(ctx.data)
        )
    ctx.record.kind = "other"
    return _erase(desk, ctx, confirmed)


def _erase(desk: Desk, ctx: Context, confirmed: bool) -> Step:
    if not confirmed:
        return Step.done(Reply(ctx.tr(texts.ERASE_KEPT), notice=ctx.tr(texts.ERASE_KEPT)))
    if find_user(ctx.session, user_ref=ctx.user_ref) is None:
        return Step.done(Reply(ctx.tr(texts.NO_DATA)))
    handoff.before_erasure(desk, ctx)
    erase_user(ctx.session, user_ref=ctx.user_ref)
    ctx.erased = True
    return Step.done(Reply(ctx.tr(texts.ERASE_DONE)))


def reprompt(desk: Desk, ctx: Context) -> Reply | None:
    return _confirm_request(ctx, texts.ERASE_ASK_AGAIN) if ctx.step == CONFIRM_ERASE else None


def _on_menu_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if press.value == "export":
        return export(desk, ctx)
    if press.value == "erase":
        return ask_erase(desk, ctx)
    return None


def _on_confirm_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if (ctx.flow, ctx.step) != (FLOW, CONFIRM_ERASE) or press.value not in ("yes", "no"):
        return None
    return _erase(desk, ctx, press.value == "yes")


PRIVACY = Flow(
    name=FLOW,
    steps={CONFIRM_ERASE: on_confirm_erase},
    buttons={MENU: _on_menu_button, CONFIRM_ERASE: _on_confirm_button},
    resumable=True,
    reprompt=reprompt,
)

"""The user's own data: the notice, a full export, and erasure after confirmation."""

from __future__ import annotations

import json

from handlers import callbacks, texts
from handlers.context import Context
from handlers.turns import Button, Document, Reply
from storage import erase_user, export_user_data, find_user


def privacy_facts(ctx: Context, retention_days: int, pending_hours: int = 24) -> dict[str, int]:
    """The numbers the privacy texts state, from the settings in force: they never drift."""
    return {
        "retention_days": retention_days,
        "log_days": ctx.rules.log_user_ref_days,
        "inactive_days": ctx.rules.inactive_user_days,
        "pending_hours": pending_hours,
    }


def notice(ctx: Context, retention_days: int) -> None:
    ctx.say(
        Reply(
            texts.PRIVACY_MENU.format(**privacy_facts(ctx, retention_days)),
            buttons=(
                (Button(texts.PRIVACY_EXPORT, callbacks.PRIVACY_EXPORT),),
                (Button(texts.PRIVACY_ERASE, callbacks.PRIVACY_ERASE),),
            ),
        )
    )


def export(ctx: Context) -> None:
    if find_user(ctx.session, user_ref=ctx.user_ref) is None:
        ctx.say(Reply(texts.NO_DATA))
        return
    data = export_user_data(ctx.session, user_ref=ctx.user_ref)
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    filename = f"sportello-welfare-dati-{ctx.now:%Y%m%d}.json"
    ctx.say(Reply(texts.EXPORT_CAPTION, document=Document(filename, content)))


def ask_erase(ctx: Context) -> None:
    if find_user(ctx.session, user_ref=ctx.user_ref) is None:
        ctx.say(Reply(texts.NO_DATA))
        return
    ctx.say(
        Reply(
            texts.ERASE_CONFIRM,
            buttons=(
                (
                    Button(texts.ERASE_YES, callbacks.ERASE_YES),
                    Button(texts.ERASE_NO, callbacks.ERASE_NO),
                ),
            ),
        )
    )


def on_erase(ctx: Context, confirmed: bool) -> None:
    if not confirmed:
        ctx.say(Reply(texts.ERASE_KEPT, notice=texts.ERASE_KEPT))
        return
    if find_user(ctx.session, user_ref=ctx.user_ref) is None:
        ctx.say(Reply(texts.NO_DATA))
        return
    erase_user(ctx.session, user_ref=ctx.user_ref)
    ctx.erased = True
    ctx.say(Reply(texts.ERASE_DONE))

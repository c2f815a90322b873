"""What the desk believes about an update: only what Telegram itself vouches for.

Telegram signs nothing inside an update; what it guarantees is the channel (long polling with
the bot token, or a webhook request carrying the secret token set with `setWebhook`). Even
then an update is only as good as its consistency: in a private chat the chat *is* the
person, so Telegram always gives the chat the sender's id. An update whose private chat is
not the sender's is not one Telegram would send; acting on it would let whoever forged it
receive another person's data (their `/miei_dati` export) or move their chat link. Such
updates are dropped before they reach the engine, and logged without any id.

The webhook secret is the only thing between the internet and the engine in webhook mode,
so it must be one nobody can guess: at least `MIN_WEBHOOK_SECRET` characters of the alphabet
Telegram allows, and not a placeholder.
"""

from __future__ import annotations

import re

from telegram import Chat, Update, User

from bot.settings import BotConfigurationError, secret_weakness

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)
"""The update types the desk handles; Telegram is asked for these and no others."""

MIN_WEBHOOK_SECRET = 32
_SECRET_ALPHABET = re.compile(rf"[A-Za-z0-9_-]{{{MIN_WEBHOOK_SECRET},256}}")
WEBHOOK_SECRET_HINT = (
    "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
)


def check_webhook_secret(value: str | None) -> str:
    """The webhook secret, refused (BotConfigurationError) unless it is strong."""
    name = "SPORTELLO__TELEGRAM__WEBHOOK_SECRET"
    if value is None or not value.strip():
        raise BotConfigurationError(
            f"webhook mode needs a secret token: set {name} ({WEBHOOK_SECRET_HINT})"
        )
    if not _SECRET_ALPHABET.fullmatch(value):
        raise BotConfigurationError(
            f"{name} must be {MIN_WEBHOOK_SECRET}-256 characters of A-Z a-z 0-9 _ -"
            f" (got {len(value)} characters) — {WEBHOOK_SECRET_HINT}"
        )
    weakness = secret_weakness(value)
    if weakness is not None:
        raise BotConfigurationError(f"{name} {weakness} — {WEBHOOK_SECRET_HINT}")
    return value


def vouched(update: Update, managers_chat: int | None = None) -> bool:
    """False for an update whose private chat is not its sender's own: Telegram never sends
    one, so it was forged (or mangled) and must change nothing.

    Updates without a chat (an inline-message button) are the sender's by construction;
    group and channel updates are left to the handlers, which ignore them. A button in a
    group counts only in the managers' chat (a ticket's card), where the engine checks the
    presser against the managers table.
    """
    query = update.callback_query
    if query is not None:
        if query.message is None:
            return True
        if managers_chat is not None and query.message.chat.id == managers_chat:
            return True
        return _own_chat(query.message.chat, query.from_user, private_only=True)
    if update.message is not None:
        return _own_chat(update.message.chat, update.message.from_user, private_only=False)
    if update.my_chat_member is not None:
        change = update.my_chat_member
        return _own_chat(change.chat, change.from_user, private_only=False)
    return True


def _own_chat(chat: Chat, sender: User | None, *, private_only: bool) -> bool:
    if chat.type != Chat.PRIVATE:
        # A button under a message in a group would otherwise answer into the group.
        return not private_only
    return sender is not None and chat.id == sender.id

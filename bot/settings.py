"""Telegram settings. Every endpoint is a setting so the bot can point at any Bot API server."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr

from sportello.errors import SportelloError


class BotConfigurationError(SportelloError, ValueError):
    """The Telegram settings cannot start a bot; the message says which setting to fix."""


class TelegramSettings(BaseModel):
    token: SecretStr | None = Field(
        default=None, description="from the environment only: SPORTELLO__TELEGRAM__TOKEN"
    )
    token_file: Path | None = Field(
        default=None, description="or a file holding the token, readable by this user only"
    )
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    webhook_url: str | None = Field(
        default=None, description="public HTTPS URL Telegram posts to (webhook mode)"
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="secret_token Telegram sends back in a header: from the environment only,"
        " at least 32 characters of A-Z a-z 0-9 _ -",
    )
    webhook_secret_file: Path | None = Field(
        default=None, description="or a file holding the secret, readable by this user only"
    )
    webhook_max_body: int = Field(
        default=1024 * 1024,
        ge=64 * 1024,
        description="bytes a webhook request body may have; larger ones are refused unread"
        " (an update with two 4,096-character texts and their entities is ~100 KB at worst)",
    )
    webhook_max_connections: int = Field(
        default=40, ge=1, le=100, description="connections Telegram opens to the webhook at once"
    )
    concurrent_updates: int = Field(
        default=128,
        ge=1,
        description="updates in progress at once; they wait on the engine's batches, so more"
        " in progress means larger batches under load (16 gave 190/s, 128 gave 230-280/s)",
    )
    overall_max_rate: float | None = Field(
        default=None,
        ge=0,
        description="messages/s for the whole bot; None: Telegram's 30/s against"
        " api.telegram.org and no cap against other servers; 0: never limit",
    )
    group_max_rate: float = Field(default=20.0, gt=0, description="messages/min per group")
    max_retries: int = Field(
        default=5, ge=0, description="retries on 429 RetryAfter; 0 would drop replies"
    )
    poll_timeout: int = Field(default=30, ge=0, description="long-polling timeout, seconds")
    housekeeping_minutes: int = Field(
        default=60, ge=1, description="how often retention is enforced while the bot runs"
    )
    http_client: Literal["aiohttp", "httpx"] = Field(
        default="aiohttp",
        description="HTTP library under PTB: aiohttp (7x less CPU per request, measured) or"
        " PTB's default httpx",
    )
    connection_pool_size: int = Field(default=256, ge=1)
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=10.0, gt=0)

    def effective_overall_max_rate(self) -> float:
        """The proactive cap the rate limiter applies (0 = none).

        Telegram publishes about 30 messages a second per bot, so against its servers the
        bot stays under that by itself. Another Bot API server (a test stand-in, a proxy)
        has its own limits, which the bot cannot know; there it relies on the server's 429
        answers, which the limiter always obeys (it waits and retries, `max_retries`).
        """
        if self.overall_max_rate is not None:
            return self.overall_max_rate
        return TELEGRAM_MESSAGES_PER_SECOND if _is_telegram(self.base_url) else 0.0


TELEGRAM_MESSAGES_PER_SECOND = 30.0

PLACEHOLDERS = ("change", "secret", "example", "placeholder", "password", "token")
"""Words of a made-up secret. None can occur in a hex key; a random 32-character urlsafe
secret holds one about once in a million draws (then the desk asks for another)."""
MIN_DISTINCT_CHARACTERS = 10
"""A random 32-character secret has ~24 distinct characters; 'aaaa…' or 'abab…' has 1 or 2."""


def secret_weakness(value: str) -> str | None:
    """Why `value` is not a usable secret (a placeholder, too uniform), or None if it is."""
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDERS):
        return "looks like a placeholder"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return "is too uniform to be random"
    return None


def _is_telegram(url: str) -> bool:
    return urlsplit(url).hostname == "api.telegram.org"

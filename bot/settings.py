"""Telegram settings. Every endpoint is a setting so the bot can point at any Bot API server."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class BotConfigurationError(ValueError):
    """The Telegram settings cannot start a bot; the message says which setting to fix."""


class TelegramSettings(BaseModel):
    token: SecretStr | None = Field(
        default=None, description="from the environment only: SPORTELLO__TELEGRAM__TOKEN"
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
        default=None, description="secret_token Telegram sends back in a header; from env"
    )
    concurrent_updates: int = Field(default=16, ge=1)
    overall_max_rate: float = Field(
        default=30.0, gt=0, description="messages/s for the whole bot (Telegram allows ~30)"
    )
    group_max_rate: float = Field(default=20.0, gt=0, description="messages/min per group")
    max_retries: int = Field(
        default=5, ge=0, description="retries on 429 RetryAfter; 0 would drop replies"
    )
    poll_timeout: int = Field(default=30, ge=0, description="long-polling timeout, seconds")
    housekeeping_minutes: int = Field(
        default=60, ge=1, description="how often retention is enforced while the bot runs"
    )
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=10.0, gt=0)

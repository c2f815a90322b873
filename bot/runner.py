"""Running the bot in polling or webhook mode until SIGINT/SIGTERM, then shutting down cleanly."""

from __future__ import annotations

import logging

from bot.application import DeskBot
from bot.settings import BotConfigurationError, TelegramSettings
from bot.trust import ALLOWED_UPDATES, check_webhook_secret
from bot.webhook import run_webhook

logger = logging.getLogger(__name__)


def check_mode(settings: TelegramSettings) -> None:
    """Refuse, before anything starts, a webhook mode without a URL or a strong secret."""
    if settings.mode != "webhook":
        return
    if not settings.webhook_url:
        raise BotConfigurationError(
            "webhook mode needs a public URL: set SPORTELLO__TELEGRAM__WEBHOOK_URL"
        )
    check_webhook_secret(
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )


def run_bot(desk: DeskBot, settings: TelegramSettings) -> None:
    """Blocks until stopped; the updates in flight are finished first."""
    check_mode(settings)
    application = desk.build()
    if settings.mode == "polling":
        logger.info("starting in polling mode")
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES, timeout=settings.poll_timeout, bootstrap_retries=-1
        )
        return
    run_webhook(application, settings)

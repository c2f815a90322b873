"""Running the bot in polling or webhook mode until SIGINT/SIGTERM, then shutting down cleanly."""

from __future__ import annotations

import logging

from telegram import Update

from bot.application import DeskBot
from bot.settings import BotConfigurationError, TelegramSettings

logger = logging.getLogger(__name__)


def run_bot(desk: DeskBot, settings: TelegramSettings) -> None:
    """Blocks until stopped. PTB handles the signals and finishes the updates in flight."""
    application = desk.build()
    if settings.mode == "polling":
        logger.info("starting in polling mode against %s", settings.base_url)
        application.run_polling(
            allowed_updates=Update.ALL_TYPES, timeout=settings.poll_timeout, bootstrap_retries=-1
        )
        return
    if not settings.webhook_url:
        raise BotConfigurationError(
            "webhook mode needs a public URL: set SPORTELLO__TELEGRAM__WEBHOOK_URL"
        )
    if settings.webhook_secret is None:
        raise BotConfigurationError(
            "webhook mode needs a secret token: set SPORTELLO__TELEGRAM__WEBHOOK_SECRET"
            " (1-256 characters A-Z a-z 0-9 _ -)"
        )
    logger.info("starting webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=settings.webhook_path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
        bootstrap_retries=-1,
    )

"""A bare python-telegram-bot echo bot: the yardstick the desk's bot is compared with.

    python bench/echo_bot.py BASE_URL TOKEN

Same library, same polling loop, same concurrency as the desk's bot, and nothing else: the
difference in throughput is what the desk's own work costs.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def main() -> None:
    base_url, token = sys.argv[1], sys.argv[2]
    app = Application.builder().token(token).base_url(base_url).concurrent_updates(16).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(timeout=1, poll_interval=0)


if __name__ == "__main__":
    main()

"""A bare python-telegram-bot echo bot: the yardstick the desk's bot is compared with.

    python bench/echo_bot.py BASE_URL TOKEN [--aiohttp]

Same library, same polling loop, and nothing else: the difference in throughput is what the
desk's own work costs. By default it is PTB exactly as shipped (httpx underneath, 16
updates at once); `--aiohttp` puts the desk's HTTP client (bot/transport.py) under it, to
show how much of the difference the client alone makes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def main() -> None:
    base_url, token = sys.argv[1], sys.argv[2]
    builder = Application.builder().token(token).base_url(base_url).concurrent_updates(16)
    if "--aiohttp" in sys.argv[3:]:
        from bot.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(timeout=1, poll_interval=0)


if __name__ == "__main__":
    main()

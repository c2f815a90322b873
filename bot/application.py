"""The python-telegram-bot `Application` around the dialogue engine.

The engine is synchronous (retrieval is CPU work, storage is a database transaction), so the
bot never calls it directly: each update's turn goes to a `TurnDispatcher`, which runs the
engine in batches in a worker process (or a thread) while the event loop keeps receiving and
sending. Replies are sent afterwards, through PTB's `AIORateLimiter`, which waits and retries
on Telegram's 429 instead of dropping.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Sequence

from telegram import BotCommand, InputFile, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapter import to_turn
from bot.render import keyboard, split_message, to_html
from bot.settings import BotConfigurationError, TelegramSettings
from bot.transport import AiohttpRequest
from bot.trust import vouched
from handlers import COMMAND_DESCRIPTIONS, Incoming, Reply, TurnDispatcher, texts

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DeskBot:
    """Connects Telegram updates to the engine and the engine's replies back to Telegram."""

    def __init__(
        self,
        dispatcher: TurnDispatcher,
        settings: TelegramSettings,
        clock: Clock = utc_now,
        on_shutdown: Callable[[], None] | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._settings = settings
        self._clock = clock
        self._on_shutdown = on_shutdown
        self._housekeeping: asyncio.Task[None] | None = None
        self._chats = ChatSequencer()

    def build(self) -> Application:  # type: ignore[type-arg]
        s = self._settings
        if s.token is None or not s.token.get_secret_value().strip():
            raise BotConfigurationError(
                "no Telegram bot token: set SPORTELLO__TELEGRAM__TOKEN (from @BotFather)"
            )
        builder = ApplicationBuilder().token(s.token.get_secret_value())
        builder = builder.base_url(s.base_url).base_file_url(s.base_file_url)
        if s.http_client == "aiohttp":
            timeouts = {
                "connect_timeout": s.connect_timeout,
                "read_timeout": s.read_timeout,
                "pool_timeout": s.read_timeout,
            }
            builder = builder.request(
                AiohttpRequest(connection_pool_size=s.connection_pool_size, **timeouts)
            ).get_updates_request(AiohttpRequest(connection_pool_size=1, **timeouts))
        else:
            builder = (
                builder.connection_pool_size(s.connection_pool_size)
                .connect_timeout(s.connect_timeout)
                .read_timeout(s.read_timeout)
                .get_updates_read_timeout(s.read_timeout)  # PTB adds the poll time itself
            )
        application = (
            builder.rate_limiter(
                AIORateLimiter(
                    overall_max_rate=s.effective_overall_max_rate(),
                    group_max_rate=s.group_max_rate,
                    max_retries=s.max_retries,
                )
            )
            .concurrent_updates(s.concurrent_updates)
            .post_init(self._post_init)
            .post_shutdown(self._post_shutdown)
            .build()
        )
        application.add_handler(CallbackQueryHandler(self.on_update))
        application.add_handler(MessageHandler(filters.ALL, self.on_update))
        application.add_handler(
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_error_handler(self.on_error)
        return application

    async def _post_init(self, application: Application) -> None:  # type: ignore[type-arg]
        await application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in COMMAND_DESCRIPTIONS]
        )
        await self._dispatcher.start()
        self._housekeeping = asyncio.create_task(self._run_housekeeping())

    async def _post_shutdown(self, application: Application) -> None:  # type: ignore[type-arg]
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        await self._dispatcher.stop()
        if self._on_shutdown is not None:
            self._on_shutdown()

    async def _run_housekeeping(self) -> None:
        """Retention runs inside the bot, so a desk without cron still forgets on time."""
        period = self._settings.housekeeping_minutes * 60
        while True:
            try:
                await self._dispatcher.housekeeping(self._clock())
            except Exception:
                logger.exception("housekeeping failed; retrying at the next period")
            await asyncio.sleep(period)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not vouched(update):
            logger.warning(
                "update %s dropped: its private chat is not the sender's", update.update_id
            )
            return
        turn = to_turn(update, self._clock())
        if turn is None:
            logger.info("update %s ignored: nothing the desk acts on", update.update_id)
            return
        async with self._chats.turn(turn.chat_id):
            outcome = await self._dispatcher.handle(Incoming(turn, update.update_id))
            query = update.callback_query
            if query is not None:
                notice = next((r.notice for r in outcome.replies if r.notice), None)
                await query.answer(text=notice)
            replies = [r for r in outcome.replies if not (query is not None and r.notice == r.text)]
            await self.deliver(context, turn.chat_id, turn.user_id, replies)

    async def deliver(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        user_id: int,
        replies: Sequence[Reply],
    ) -> None:
        bot = context.bot
        try:
            for reply in replies:
                if reply.document is not None:
                    await bot.send_document(
                        chat_id,
                        document=InputFile(
                            reply.document.content, filename=reply.document.filename
                        ),
                        caption=reply.text,
                    )
                    continue
                parts = split_message(reply.text)
                for number, part in enumerate(parts, start=1):
                    await bot.send_message(
                        chat_id,
                        to_html(part),
                        parse_mode=ParseMode.HTML,
                        reply_markup=keyboard(reply) if number == len(parts) else None,
                    )
        except Forbidden:
            logger.info("a user blocked the bot: marked, replies dropped")
            await self._dispatcher.set_blocked("telegram", user_id, True)

    async def on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type != "private":
            return
        if not vouched(update):
            logger.warning(
                "update %s dropped: its private chat is not the sender's", update.update_id
            )
            return
        blocked = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
        await self._dispatcher.set_blocked("telegram", change.from_user.id, blocked)
        logger.info("user %s the bot", "blocked" if blocked else "unblocked")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("error while handling an update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, texts.ERROR)
            except TelegramError:
                logger.warning("could not tell the user about the error")


class ChatSequencer:
    """One update at a time per chat, in the order they came: replies never overtake.

    Updates are handled concurrently, and two messages a person sends in quick succession
    would otherwise race through the engine and out again, so the answer to the second could
    arrive first. Different chats never wait for each other; a chat's lock disappears when
    nobody holds or waits for it, so the table stays as small as the traffic in flight.
    """

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)

"""The python-telegram-bot `Application` around the dialogue engine.

The engine is synchronous (retrieval is CPU work, storage is a database transaction), so the
bot never calls it directly: each update's turn goes to a `TurnDispatcher`, which runs the
engine in batches on a thread of its own (handlers/dispatch.py) while the event loop keeps
receiving and sending. The engine writes the replies to the outbox in the turn's transaction;
the bot then hands them to its `Deliverer` (bot/delivery.py), which sends them at once and
retries what fails (5xx, timeouts, dropped connections, 429s) until Telegram accepts or
refuses it for good.

Updates are taken only once the engine has answered a readiness check and the outbox left by
the previous run is back in hand (`_post_init` runs before polling or the webhook starts),
and acknowledged to Telegram only once their turn is committed (bot/intake.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.adapter import delivery_of, to_turn
from bot.delivery import Deliverer, TelegramSender, answer_callback
from bot.intake import DONE_GROUP, AckQueue, GatedBot, UpdateGate
from bot.settings import BotConfigurationError, TelegramSettings
from bot.tickets import TicketThreads, check_managers_chat
from bot.transport import AiohttpRequest
from bot.trust import vouched
from escalation import EscalationSettings
from handlers import COMMAND_DESCRIPTIONS, Incoming, TurnDispatcher, texts
from handlers.i18n import Translations
from nlu.language import DEFAULT_LANGUAGE, LANGUAGES, normalise_hint
from storage import Database

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
        *,
        outbox: Database,
        translations: Translations | None = None,
        escalation: EscalationSettings | None = None,
    ) -> None:
        """`outbox`: the desk's database, where the engine queues replies and this process
        records their delivery (its own connection when the engine runs in a worker).
        `translations`: the interface catalogs, for the command list in each language.
        `escalation`: its managers' chat is checked at start and its updates reach the
        engine (other groups get only "write to me privately")."""
        self._managers_chat = None if escalation is None else escalation.managers_chat_id
        self._dispatcher = dispatcher
        self._translations = translations or Translations.load()
        self._settings = settings
        self._clock = clock
        self._on_shutdown = on_shutdown
        self._housekeeping: asyncio.Task[None] | None = None
        self._outbox = outbox
        self._deliverer: Deliverer | None = None
        self._background: set[asyncio.Task[None]] = set()

    def build(self) -> Application:  # type: ignore[type-arg]
        s = self._settings
        if s.token is None or not s.token.get_secret_value().strip():
            raise BotConfigurationError(
                "no Telegram bot token: set SPORTELLO__TELEGRAM__TOKEN (from @BotFather)"
            )
        builder = ApplicationBuilder().token(s.token.get_secret_value())
        builder = builder.base_url(s.base_url).base_file_url(s.base_file_url)
        polls: BaseRequest
        if s.http_client == "aiohttp":
            timeouts = {
                "connect_timeout": s.connect_timeout,
                "read_timeout": s.read_timeout,
                "pool_timeout": s.read_timeout,
            }
            polls = AiohttpRequest(connection_pool_size=1, **timeouts)
            builder = builder.request(
                AiohttpRequest(connection_pool_size=s.connection_pool_size, **timeouts)
            )
        else:
            polls = HTTPXRequest(  # the poll time is added to the read timeout per poll
                connection_pool_size=1,
                connect_timeout=s.connect_timeout,
                read_timeout=s.read_timeout,
            )
            builder = (
                builder.connection_pool_size(s.connection_pool_size)
                .connect_timeout(s.connect_timeout)
                .read_timeout(s.read_timeout)
            )
        builder = builder.get_updates_request(polls)
        gate = UpdateGate()
        if s.mode == "webhook":
            builder = builder.update_queue(AckQueue(gate))
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
        # updates are acknowledged to Telegram only once handled (bot/intake.py)
        application.add_handler(TypeHandler(Update, gate.on_done), group=DONE_GROUP)
        if s.mode == "polling" and application.updater is not None:
            application.updater.bot = GatedBot(application.bot, gate, polls)  # type: ignore[assignment]
        return application

    async def _post_init(self, application: Application) -> None:  # type: ignore[type-arg]
        await application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in COMMAND_DESCRIPTIONS]
        )
        for language in LANGUAGES:  # clients set to these languages show their own list
            if language != DEFAULT_LANGUAGE:
                commands = self._translations.commands(language)
                await application.bot.set_my_commands(
                    [BotCommand(name, description) for name, description in commands],
                    language_code=language,
                )
        threads = None
        if self._managers_chat is not None:  # a chat the bot is not in stops the start here
            forum = await check_managers_chat(application.bot, self._managers_chat)
            threads = TicketThreads(application.bot, self._outbox, self._managers_chat, forum)
        await self._dispatcher.warm_up()  # before any update is taken
        self._deliverer = Deliverer(
            self._outbox,
            TelegramSender(application.bot, threads).send,
            self._on_refused,
            self._clock,
        )
        await self._deliverer.start()
        self._housekeeping = asyncio.create_task(self._run_housekeeping())

    @property
    def deliverer(self) -> Deliverer:
        if self._deliverer is None:
            raise RuntimeError("the bot has not started: no deliverer yet")
        return self._deliverer

    async def _post_shutdown(self, application: Application) -> None:  # type: ignore[type-arg]
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        if self._deliverer is not None:
            await self._deliverer.stop()
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
        if not vouched(update, self._managers_chat):
            logger.warning(
                "update %s dropped: its private chat is not the sender's", update.update_id
            )
            return
        turn = to_turn(update, self._clock(), self._managers_chat)
        if turn is None:
            logger.info("update %s ignored: nothing the desk acts on", update.update_id)
            return
        # The dispatcher returns outcomes in the order the updates came, and the deliverer
        # sends each chat's messages in the order they are submitted: replies never overtake.
        outcome = await self._dispatcher.handle(
            Incoming(turn, update.update_id, delivery_of(update))
        )
        query = update.callback_query
        if query is not None:
            notice = next((r.notice for r in outcome.replies if r.notice), None)
            self._in_background(answer_callback(query, notice))
        self.deliverer.submit((e.id, e.chat_id, e.message, 0) for e in outcome.outbox)

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _on_refused(self, chat_id: int, reason: str) -> None:
        """Telegram refused a message for good because the person blocked the bot: remember
        it, as a `my_chat_member` update would. The desk talks only in private chats, where
        the chat id is the person's id."""
        if reason == "Forbidden":
            await self._dispatcher.set_blocked("telegram", chat_id, True)

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
                user = update.effective_user
                language = normalise_hint(user.language_code if user else None)
                sorry = self._translations.text(language or DEFAULT_LANGUAGE, texts.ERROR)
                await context.bot.send_message(update.effective_chat.id, sorry)
            except TelegramError:
                logger.warning("could not tell the user about the error")

"""Webhook mode: a small HTTP server that checks a request before it reads the body.

python-telegram-bot 22.8's own webhook server (`telegram.ext._utils.webhookhandler`) is a
tornado `HTTPServer` with tornado's default body limit (100 MB), reads the whole body before
its handler runs, compares the secret token with `!=` (time depends on how much matches) and,
at DEBUG, logs the body and a wrong secret. Its classes are built inside
`Updater._start_webhook`, a private method, so there is no supported hook to change that.
This module is the same few lines done the careful way, on the same tornado:

- the server refuses a declared `Content-Length` above `max_body` before reading a byte of
  it, and counts the bytes of a chunked body as they come (tornado's `max_body_size`);
- the handler streams the body (`stream_request_body`), so `prepare()` checks the method,
  the content type and the secret (`hmac.compare_digest`) from the headers alone and answers
  403 without reading the body of a request that fails;
- the body is parsed only after that, and nothing of it is ever logged.

`serve_webhook` runs the PTB `Application` around it the way `Application.run_webhook`
does (initialize, post_init, setWebhook, start; on stop the reverse), so the rest of the
bot cannot tell the difference. In production put a reverse proxy in front (README).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.error import NetworkError
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApplication
from tornado.web import HTTPError, RequestHandler, stream_request_body

from bot.settings import BotConfigurationError, TelegramSettings
from bot.trust import ALLOWED_UPDATES, check_webhook_secret

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_HEADER_BYTES = 16 * 1024
BODY_TIMEOUT_SECONDS = 10.0
T = TypeVar("T")


@stream_request_body
class UpdateHandler(RequestHandler):
    """One POST from Telegram: headers checked first, then the body read, parsed, queued."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(
        self, bot: Bot, queue: asyncio.Queue[object], secret: bytes, max_body: int
    ) -> None:
        self._bot = bot
        self._queue = queue
        self._secret = secret
        self._max_body = max_body
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        content_type = self.request.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type != "application/json":
            raise HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            raise HTTPError(HTTPStatus.FORBIDDEN)

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._max_body:  # the server's limit already closes the connection
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self._chunks.append(chunk)

    async def post(self) -> None:
        try:
            data = json.loads(b"".join(self._chunks))
            update = Update.de_json(data, self._bot) if isinstance(data, dict) else None
        except Exception:  # what the body says stays out of the logs
            logger.warning("webhook: a request body was not a valid update: refused")
            raise HTTPError(HTTPStatus.BAD_REQUEST) from None
        if update is None:
            raise HTTPError(HTTPStatus.BAD_REQUEST)
        if isinstance(self._bot, ExtBot):
            self._bot.insert_callback_data(update)
        await self._queue.put(update)  # the desk's queue returns once the turn is committed
        self.set_status(HTTPStatus.OK)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish()  # the status says it all; no page, no traceback

    def log_exception(self, *args: Any) -> None:
        """Refused requests are expected (scanners, wrong secrets); nothing to log."""


class WebhookApp(TornadoApplication):
    def log_request(self, handler: RequestHandler) -> None:
        """No access log: the desk's own logs say what happened, without addresses."""


def webhook_server(
    application: Application,  # type: ignore[type-arg]
    settings: TelegramSettings,
    secret: str,
) -> HTTPServer:
    """The HTTP server for `application` (not yet listening), for a checked `secret`."""
    path = "/" + settings.webhook_path.strip("/")
    app = WebhookApp(
        [
            (
                rf"{path}/?",
                UpdateHandler,
                {
                    "bot": application.bot,
                    "queue": application.update_queue,
                    "secret": secret.encode(),
                    "max_body": settings.webhook_max_body,
                },
            )
        ]
    )
    return HTTPServer(
        app,
        max_body_size=settings.webhook_max_body,
        max_header_size=MAX_HEADER_BYTES,
        body_timeout=BODY_TIMEOUT_SECONDS,
        idle_connection_timeout=60,
    )


async def serve_webhook(
    application: Application,  # type: ignore[type-arg]
    settings: TelegramSettings,
    stop: asyncio.Event,
    retries: int = -1,
) -> None:
    """Run `application` on the webhook until `stop` is set, then shut it down cleanly."""
    if not settings.webhook_url:
        raise BotConfigurationError(
            "webhook mode needs a public URL: set SPORTELLO__TELEGRAM__WEBHOOK_URL"
        )
    secret = check_webhook_secret(
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )
    server = webhook_server(application, settings, secret)
    await _retrying(application.initialize, retries)
    try:
        if application.post_init is not None:
            await application.post_init(application)
        url = settings.webhook_url

        async def register() -> bool:
            done: bool = await application.bot.set_webhook(
                url,
                allowed_updates=ALLOWED_UPDATES,
                secret_token=secret,
                max_connections=settings.webhook_max_connections,
            )
            return done

        await _retrying(register, retries)
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        logger.info("webhook listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        await application.start()
        try:
            await stop.wait()
        finally:
            server.stop()
            await server.close_all_connections()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run_webhook(
    application: Application,  # type: ignore[type-arg]
    settings: TelegramSettings,
) -> None:
    """Blocks until SIGINT or SIGTERM, like PTB's `run_webhook`."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve_webhook(application, settings, stop)

    asyncio.run(main())


async def _retrying(action: Callable[[], Awaitable[T]], retries: int) -> T:
    """`action`, retried on network errors (Telegram unreachable at start): -1 = for ever."""
    attempt, delay = 0, 1.0
    while True:
        try:
            return await action()
        except NetworkError as exc:
            attempt += 1
            if 0 <= retries < attempt:
                raise
            logger.warning("Telegram not reachable (%s): retrying in %.0f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

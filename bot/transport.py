"""The HTTP client under python-telegram-bot: aiohttp, through PTB's `BaseRequest` interface.

PTB sends every Bot API call through a `BaseRequest`; its default one is built on httpx. On
these 2 cores httpx costs about 3 ms of CPU per request (connection-pool bookkeeping through
anyio on every call) and aiohttp about 0.4 ms, measured side by side against the same local
server (bench/results/telegram_bench.md). A desk sends at least one request per message it
answers, so that difference decides how many messages one bot process can carry: the httpx
client alone would cap it near 200 a second. PTB documents `BaseRequest` for exactly this
(`ApplicationBuilder.request` / `get_updates_request`); everything above it — `Bot`, the
rate limiter, the updater — is PTB's own. `telegram.http_client: httpx` switches back.

Timeouts follow PTB's meaning: `connect` for opening a connection, `read` for each read of
the answer (PTB lengthens it by the long-polling time for getUpdates), `pool` for waiting for
a free connection. aiohttp has no write timeout; a request also has no overall deadline, so a
long poll is never cut short.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one `aiohttp.ClientSession`, opened in `initialize`.

    The session is created inside the running event loop (aiohttp binds it there), so the
    same object can be initialised again after a shutdown, as PTB does on restarts.
    """

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        connect_timeout: float = 10.0,
        read_timeout: float = 10.0,
        pool_timeout: float = 10.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                timeout=aiohttp.ClientTimeout(total=None),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("the Telegram HTTP client is not initialised")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool_timeout, self._pool_timeout),
            sock_connect=_seconds(connect_timeout, self._connect_timeout),
            sock_read=_seconds(read_timeout, self._read_timeout),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"Bot API request timed out ({type(exc).__name__})") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _seconds(value: float | object | None, default: float) -> float | None:
    """PTB passes DEFAULT_NONE for "use the client's default", None for "no limit"."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return default  # DEFAULT_NONE


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """A form for plain calls (what the Bot API accepts), multipart when files go along."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    # quote_fields=False: file names go out as written (UTF-8), as httpx sends them; Telegram's
    # server does not percent-decode them, so "Zoë.json" would otherwise arrive as "Zo%C3%AB.json".
    form = aiohttp.FormData(fields, quote_fields=False)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form

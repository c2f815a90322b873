"""The `rasa` NLU engine: a Rasa server over HTTP, with the builtin classifier behind it.

`RasaIntentClassifier` asks `rasa run --enable-api` for `/model/parse` and turns the answer into
the desk's `Parse`. It raises `RasaUnavailable` on anything short of a usable answer: refused
connection, timeout, an HTTP error, a body that is not a parse, an intent the desk does not
know. It is what `sportello eval nlu --backend rasa` measures, so the figures are Rasa's alone.

`RasaWithFallback` is what the desk runs on. A user must get an answer whether or not the Rasa
server is up, so every failure is answered by the builtin classifier, and the outage is logged
once when it starts and once when it ends (a log line per message would bury everything else
under a down server). During an outage Rasa is asked again only every `retry_after` seconds:
a slow server would otherwise add its whole timeout to every message.

Timeouts are small on purpose: a parse takes about 10 ms on loopback and a whole turn about
15 ms, so a Rasa that needs more than a few hundred milliseconds is treated as down. A refused
or reset connection is retried at once (`retries` times: a restarted server or a stale
keep-alive connection), a timeout is not (it would double the wait). The HTTP client is
synchronous and thread-safe: the engine parses from worker threads and processes, each of
which builds its own desk and so its own client.

Entities come from `nlu.entities` as with the builtin engine, so the dialogue sees the same
entities whichever engine classified the intent. The user's text goes to the Rasa server only;
it is never logged.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Collection
from typing import Any, Protocol

import httpx
import numpy as np
from numpy.typing import NDArray

from nlu.entities import extract_entities
from nlu.parse import Parse
from sportello.errors import SportelloError

logger = logging.getLogger(__name__)

MAX_CHARS = 1000
"""As the builtin classifier: only the start of a long message is classified."""


class RasaUnavailable(SportelloError, RuntimeError):
    """The Rasa server gave no usable parse; the message says why, never what the user wrote."""


class VectorParser(Protocol):
    def parse(self, text: str) -> Parse: ...

    def parse_with_vector(self, text: str, vector: NDArray[np.floating]) -> Parse: ...


class RasaIntentClassifier:
    """Parses through a Rasa server's HTTP API; every failure is a `RasaUnavailable`."""

    def __init__(
        self,
        url: str,
        known_intents: Collection[str],
        *,
        timeout: float = 0.5,
        retries: int = 1,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url.rstrip("/")
        self._known = frozenset(known_intents)
        self._retries = retries
        self._client = httpx.Client(
            base_url=self._url,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            limits=httpx.Limits(max_keepalive_connections=8, max_connections=32),
        )

    @property
    def url(self) -> str:
        return self._url

    def close(self) -> None:
        self._client.close()

    def parse(self, text: str) -> Parse:
        if not text.strip():
            return Parse("out_of_scope", 0.0)
        body = self._post(text[:MAX_CHARS])
        return self._to_parse(body, text)

    def parse_with_vector(self, text: str, vector: NDArray[np.floating]) -> Parse:
        """The same as `parse`: Rasa has its own features and needs no sentence vector."""
        return self.parse(text)

    def _post(self, text: str) -> Any:
        attempts = self._retries + 1
        for attempt in range(attempts):
            try:
                response = self._client.post("/model/parse", json={"text": text})
            except httpx.TimeoutException as exc:
                reason = f"no answer within the timeout ({type(exc).__name__})"
                raise RasaUnavailable(reason) from exc
            except httpx.TransportError as exc:
                if attempt + 1 < attempts:
                    continue
                raise RasaUnavailable(f"cannot connect ({type(exc).__name__})") from exc
            if response.status_code >= 500 and attempt + 1 < attempts:
                continue
            if response.status_code != 200:
                raise RasaUnavailable(f"HTTP {response.status_code} from /model/parse")
            try:
                return response.json()
            except ValueError as exc:
                raise RasaUnavailable("the answer is not JSON") from exc
        raise AssertionError("unreachable: every attempt returns or raises")

    def _to_parse(self, body: Any, text: str) -> Parse:
        try:
            intent = body["intent"]
            name = intent["name"]
            confidence = float(intent["confidence"])
            ranking_items = body.get("intent_ranking") or [intent]
            ranking = tuple(
                (str(item["name"]), float(item["confidence"])) for item in ranking_items
            )
        except (TypeError, KeyError, ValueError) as exc:
            raise RasaUnavailable("the answer is not a parse (no intent)") from exc
        if not isinstance(name, str) or name not in self._known:
            raise RasaUnavailable(
                f"intent {name!r} is unknown to the desk — retrain the Rasa model on the"
                " desk's data (`sportello nlu train --backend rasa`)"
            )
        if not math.isfinite(confidence):
            raise RasaUnavailable("the confidence is not a number")
        known_ranking = tuple(item for item in ranking if item[0] in self._known)
        return Parse(
            intent=name,
            confidence=min(max(confidence, 0.0), 1.0),
            entities=extract_entities(text[:MAX_CHARS]),
            ranking=known_ranking or ((name, confidence),),
        )


class RasaWithFallback:
    """Rasa first; the builtin classifier whenever Rasa cannot answer, and one log line per outage.

    `clock` is injectable (monotonic seconds) so the retry pause is tested without waiting.
    """

    def __init__(
        self,
        rasa: RasaIntentClassifier,
        fallback: VectorParser,
        *,
        retry_after: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rasa = rasa
        self._fallback = fallback
        self._retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_try = 0.0
        self._fallbacks = 0

    @property
    def available(self) -> bool:
        """False during an outage (between the failure and the next successful parse)."""
        return self._down_since is None

    @property
    def fallbacks(self) -> int:
        """Messages answered by the builtin classifier because Rasa could not."""
        return self._fallbacks

    def close(self) -> None:
        self._rasa.close()

    def parse(self, text: str) -> Parse:
        return self._parse(text, lambda: self._fallback.parse(text))

    def parse_with_vector(self, text: str, vector: NDArray[np.floating]) -> Parse:
        return self._parse(text, lambda: self._fallback.parse_with_vector(text, vector))

    def _parse(self, text: str, fallback: Callable[[], Parse]) -> Parse:
        if not self._should_try():
            return self._count(fallback)
        try:
            parse = self._rasa.parse(text)
        except RasaUnavailable as exc:
            self._failed(str(exc))
            return self._count(fallback)
        self._succeeded()
        return parse

    def _count(self, fallback: Callable[[], Parse]) -> Parse:
        with self._lock:
            self._fallbacks += 1
        return fallback()

    def _should_try(self) -> bool:
        with self._lock:
            return self._down_since is None or self._clock() >= self._next_try

    def _failed(self, reason: str) -> None:
        with self._lock:
            now = self._clock()
            self._next_try = now + self._retry_after
            if self._down_since is not None:
                return
            self._down_since = now
        logger.warning(
            "Rasa NLU at %s unavailable: %s — answering with the builtin engine, trying again"
            " every %.0f s",
            self._rasa.url,
            reason,
            self._retry_after,
        )

    def _succeeded(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            seconds = self._clock() - self._down_since
            self._down_since = None
        logger.warning(
            "Rasa NLU at %s is back after %.0f s: answering with Rasa again",
            self._rasa.url,
            seconds,
        )

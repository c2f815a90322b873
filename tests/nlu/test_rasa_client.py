"""The rasa engine against a fake Rasa server on loopback: every way it fails, the builtin answers.

The fake speaks Rasa's `/model/parse` over real HTTP and can be told to answer, to answer late,
with a 500, with an intent the desk does not know, or with something that is not a parse; a
closed port stands for a server that is not running. The retry pause runs on an injected clock,
so nothing here waits for it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlu import INTENTS, Parse
from nlu.rasa import RasaIntentClassifier, RasaUnavailable, RasaWithFallback

pytestmark = pytest.mark.unit

SLOW_SECONDS = 2.0
TIMEOUT = 0.2


class FakeRasa:
    """A loopback HTTP server that answers `/model/parse` the way `mode` says."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.intent = "greet"
        self.requests = 0
        self.failures_left = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                text = json.loads(self.rfile.read(length))["text"]
                fake.requests += 1
                mode = fake.mode
                if fake.failures_left:
                    fake.failures_left -= 1
                    mode = "error"
                if mode == "slow":
                    time.sleep(SLOW_SECONDS)
                if mode == "error":
                    self._send(500, b'{"status": "failure"}')
                    return
                if mode == "garbage":
                    self._send(200, b"<html>not a parse</html>")
                    return
                intent = "order_pizza" if mode == "unknown" else fake.intent
                body = {
                    "text": text,
                    "intent": {"name": intent, "confidence": 0.91},
                    "entities": [],
                    "intent_ranking": [
                        {"name": intent, "confidence": 0.91},
                        {"name": "nlu_fallback", "confidence": 0.05},
                        {"name": "goodbye", "confidence": 0.04},
                    ],
                }
                self._send(200, json.dumps(body).encode())

            def _send(self, status: int, body: bytes) -> None:
                # the client has gone when it timed out: nothing to write to then
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Builtin:
    """Stands in for the builtin classifier; its confidence marks who answered."""

    CONFIDENCE = 0.123

    def __init__(self) -> None:
        self.calls = 0

    def parse(self, text: str) -> Parse:
        self.calls += 1
        return Parse("ask_question", self.CONFIDENCE)

    def parse_with_vector(self, text: str, vector: object) -> Parse:
        return self.parse(text)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeRasa]:
    server = FakeRasa()
    yield server
    server.close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


_opened: list[RasaIntentClassifier] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _opened:
        _opened.pop().close()


def client(url: str, **options: Any) -> RasaIntentClassifier:
    opened = RasaIntentClassifier(url, INTENTS, **options)
    _opened.append(opened)
    return opened


def engine(url: str, retry_after: float = 10.0) -> tuple[RasaWithFallback, Builtin, Clock]:
    builtin, clock = Builtin(), Clock()
    rasa = client(url, timeout=TIMEOUT, retries=1)
    return RasaWithFallback(rasa, builtin, retry_after=retry_after, clock=clock), builtin, clock


VECTOR = np.zeros(4)


def test_a_rasa_answer_becomes_the_desks_parse_with_its_entities(fake: FakeRasa) -> None:
    nlu, builtin, _ = engine(fake.url)
    parse = nlu.parse_with_vector("ciao, ho 2 figli e 1.500 € di credito", VECTOR)
    assert (parse.intent, parse.confidence) == ("greet", 0.91)
    # Rasa's own "nlu_fallback" is not an intent of the desk: it leaves the ranking
    assert parse.ranking == (("greet", 0.91), ("goodbye", 0.04))
    assert any(e.entity == "amount" for e in parse.entities)
    assert builtin.calls == 0 and nlu.available


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("slow", "timeout"),
        ("error", "HTTP 500"),
        ("unknown", "'order_pizza' is unknown"),
        ("garbage", "not JSON"),
    ],
)
def test_every_failure_is_answered_by_the_builtin(fake: FakeRasa, mode: str, reason: str) -> None:
    fake.mode = mode
    nlu, builtin, _ = engine(fake.url)
    parse = nlu.parse_with_vector("buongiorno", VECTOR)
    assert parse.confidence == Builtin.CONFIDENCE
    assert builtin.calls == 1 and not nlu.available
    with pytest.raises(RasaUnavailable, match=reason):
        client(fake.url, timeout=TIMEOUT, retries=0).parse("buongiorno")


def test_connection_refused_falls_back_after_one_retry() -> None:
    nlu, builtin, _ = engine(closed_port_url())
    assert nlu.parse("ciao").confidence == Builtin.CONFIDENCE
    assert nlu.fallbacks == builtin.calls == 1
    with pytest.raises(RasaUnavailable, match="cannot connect"):
        client(closed_port_url(), retries=0).parse("ciao")


def test_one_500_is_retried_and_rasa_answers(fake: FakeRasa) -> None:
    fake.failures_left = 1
    nlu, builtin, _ = engine(fake.url)
    assert nlu.parse("ciao").intent == "greet"
    assert fake.requests == 2 and builtin.calls == 0


def test_a_slow_answer_is_not_retried(fake: FakeRasa) -> None:
    fake.mode = "slow"
    nlu, _, _ = engine(fake.url)
    nlu.parse("ciao")
    assert fake.requests == 1


def test_during_an_outage_rasa_is_asked_again_only_after_the_pause(fake: FakeRasa) -> None:
    fake.mode = "error"
    nlu, builtin, clock = engine(fake.url, retry_after=10.0)
    nlu.parse("ciao")
    asked = fake.requests
    clock.now += 9.0
    for _ in range(5):
        assert nlu.parse("ciao").confidence == Builtin.CONFIDENCE
    assert fake.requests == asked, "a down server must not be asked on every message"
    fake.mode = "ok"
    clock.now += 1.0
    assert nlu.parse("ciao").intent == "greet"
    assert nlu.available and builtin.calls == 6


def test_an_outage_is_logged_once_and_so_is_the_recovery(
    fake: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    nlu, _, clock = engine(fake.url, retry_after=0.0)
    secret = "mio figlio ha la febbre, codice fiscale RSSMRA80A01H501U"
    with caplog.at_level(logging.INFO, logger="nlu.rasa.client"):
        fake.mode = "error"
        for _ in range(4):
            nlu.parse(secret)
            clock.now += 1
        fake.mode = "unknown"  # still down, for another reason: no new line
        nlu.parse(secret)
        fake.mode = "ok"
        for _ in range(3):
            nlu.parse(secret)
        fake.mode = "slow"
        nlu.parse(secret)
        nlu.parse(secret)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3, messages
    assert "unavailable: HTTP 500" in messages[0] and "builtin" in messages[0]
    assert "is back" in messages[1]
    assert "unavailable: no answer within the timeout" in messages[2]
    assert all("febbre" not in m and "RSSMRA" not in m for m in messages)


def test_blank_text_never_reaches_the_server(fake: FakeRasa) -> None:
    rasa = client(fake.url)
    assert rasa.parse("   ") == Parse("out_of_scope", 0.0)
    assert fake.requests == 0


def test_the_desk_on_the_rasa_engine_answers_with_the_builtin_while_no_server_runs(
    tmp_path: Path,
) -> None:
    from sportello.desk import build_intent_classifier
    from sportello.settings import load_settings
    from tests.support import HashingEncoder

    settings = load_settings(data_dir=tmp_path)
    settings = settings.model_copy(
        update={
            "nlu": settings.nlu.model_copy(update={"engine": "rasa", "rasa_url": closed_port_url()})
        }
    )
    encoder = HashingEncoder()
    nlu = build_intent_classifier(settings, encoder)
    try:
        assert isinstance(nlu, RasaWithFallback)
        vector = encoder.encode_queries(["grazie mille"])[0]
        parse = nlu.parse_with_vector("grazie mille", vector)
        assert parse.intent in INTENTS and parse.ranking
        assert not nlu.available and nlu.fallbacks == 1
    finally:
        nlu.close()

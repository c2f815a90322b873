"""The dialogue engine in a process of its own, called exactly like the engine itself.

Why a process at all: the bot's event loop (python-telegram-bot, aiohttp) and the engine's
Python (intent features, retrieval fusion, SQLAlchemy) both need the GIL, so in one process
they take turns on one core however many cores there are. With the engine in a worker process
the bot process only receives and sends. Whether that is worth a second process on this path
is measured in bench/telegram_bench.py (`desk-thread` against `desk-worker`); the setting
`workers.processes` picks (1, the default: this; 0: a thread of the bot process).

`EngineProcess` has the engine's four methods (handlers.dispatch.Engine) and forwards each call
through a pipe by the method's own name; the worker answers one call at a time. Batching is the
dispatcher's: a call here is one engine call, so nothing is merged, pipelined or reordered on the
way. A worker that dies fails the call under way (the dispatcher gives its turns an error
reply) and is started again by the next call. It ends when the parent closes the pipe or goes
away, so none is ever left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import threading
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, Final

from handlers import Incoming, Outcome
from sportello.errors import SportelloError
from sportello.logs import configure_logging
from sportello.settings import Settings

if TYPE_CHECKING:  # the bot process never loads the engine itself
    from handlers import DialogueEngine

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 300.0
"""A worker loads the model, checks the index and trains the intent classifier: seconds
normally, minutes when the index must be rebuilt for a large knowledge base."""
STOP_TIMEOUT_SECONDS = 20.0
CALLS: Final = frozenset({"handle_many", "set_blocked", "housekeeping", "warm_up"})
"""The engine methods a worker answers: those of handlers.dispatch.Engine."""

_spawn = multiprocessing.get_context("spawn")
"""Spawned, not forked: the bot process has threads (the event loop's executor, BLAS), and a
fork copies their locks in whatever state they were in."""


class WorkerError(SportelloError, RuntimeError):
    """The worker could not start, or died; the message says why."""


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError with its text.

    Surviving means keeping its message too: an exception whose `__init__` takes other
    arguments than its message (KnowledgeBaseError takes the problems) unpickles garbled.
    """
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception:
        copy = None
    if copy is None or str(copy) != str(exc):
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def serve(connection: multiprocessing.connection.Connection, settings: Settings) -> None:
    """The worker's main function: build the desk, then answer calls until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the
    # parent decides when its worker stops, after the updates in flight are answered
    configure_logging(settings.log_level, settings.secret_values())
    from sportello.desk import build_desk

    try:
        desk = build_desk(settings)
    except Exception as exc:
        connection.send(("error", _portable(exc)))
        return
    connection.send(("ok", None))
    try:
        while True:
            try:
                request = connection.recv()
            except EOFError:
                return  # the parent is gone
            if request is None:
                return
            connection.send(_answer(desk.engine, *request))
    finally:
        desk.close()


def _answer(engine: DialogueEngine, name: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        if name not in CALLS:
            raise WorkerError(f"the engine has no call {name!r}")
        value = getattr(engine, name)(*args)
    except Exception as exc:
        logger.exception("engine call %s failed", name)
        return "error", _portable(exc)
    if name == "handle_many":  # one result per turn, some of them exceptions
        value = [_portable(r) if isinstance(r, Exception) else r for r in value]
    return "ok", value


class EngineProcess:
    """The engine in a worker process; its methods block until the worker has answered.

    One call at a time: a lock holds the next call, and `close`, until the worker has
    answered the one under way.
    """

    def __init__(self, settings: Settings, name: str = "engine") -> None:
        self._settings = settings
        self._name = name
        self._process: BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the worker and wait until it has built the desk; its failure is raised here."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        parent, child = _spawn.Pipe()
        process = _spawn.Process(target=serve, args=(child, self._settings), name=self._name)
        process.daemon = True  # never outlives the bot, even when the bot is killed
        process.start()
        child.close()
        self._process, self._connection = process, parent
        try:
            if not parent.poll(START_TIMEOUT_SECONDS):
                raise WorkerError(
                    f"{self._name} did not start within {START_TIMEOUT_SECONDS:.0f} s"
                )
            self._receive()
        except BaseException:
            self._stop()
            raise
        logger.info("%s ready (pid %s)", self._name, process.pid)

    def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        results: list[Outcome | Exception] = self._call("handle_many", list(batch))
        return results

    def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        self._call("set_blocked", channel, user_id, blocked)

    def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        done: dict[str, int] = self._call("housekeeping", now)
        return done

    def warm_up(self) -> None:
        self._call("warm_up")

    def close(self) -> None:
        """Let the worker finish the call under way, then stop it."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):  # already gone
                self._connection.send(None)
            self._connection.close()
        if self._process is not None:
            self._process.join(STOP_TIMEOUT_SECONDS)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(STOP_TIMEOUT_SECONDS)
        self._process, self._connection = None, None

    def _call(self, name: str, *args: Any) -> Any:
        with self._lock:
            if self._process is None or not self._process.is_alive():
                if self._process is not None:
                    logger.error(
                        "%s is gone (exit code %s): starting it again",
                        self._name,
                        self._process.exitcode,
                    )
                self._stop()
                self._start()
            try:
                self._running()[0].send((name, args))
            except OSError:
                raise WorkerError(f"{self._name} died before {name} was sent") from None
            return self._receive()

    def _receive(self) -> Any:
        connection, process = self._running()
        try:
            status, value = connection.recv()
        except (EOFError, OSError):
            process.join(STOP_TIMEOUT_SECONDS)
            raise WorkerError(
                f"{self._name} died (exit code {process.exitcode}) — see its log lines above"
            ) from None
        if status == "error":
            raise value
        return value

    def _running(self) -> tuple[multiprocessing.connection.Connection, BaseProcess]:
        if self._connection is None or self._process is None:
            raise WorkerError(f"{self._name} is not running")
        return self._connection, self._process

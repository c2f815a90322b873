"""Engine worker processes: the dialogue engine in a process of its own, fed by the bot.

Why a process and not a thread: the bot's event loop (python-telegram-bot, httpx) and the
engine's Python (intent features, retrieval fusion, SQLAlchemy) both need the GIL, so in one
process they take turns on one core however many cores there are. With the engine in a worker
the bot process only receives and sends, and each side gets a core; measured on 2 cores in
bench/telegram_bench.py.

Each worker builds its own desk from the same settings (model, index, database connection) and
then serves requests from its pipe, one at a time, in order: `handle_many` (a batch of turns),
`set_blocked` and `housekeeping`. The parent talks to it through a `WorkerLane`, which the
`TurnDispatcher` uses like any other lane. A worker that dies is started again on the next
request; the turns of the batch it died in get an error reply (the user can send them again).
A worker ends when the parent closes the pipe or goes away, so none is ever left behind.
"""

from __future__ import annotations

import asyncio
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
from typing import Any

from handlers import Incoming, Outcome
from sportello.logs import configure_logging
from sportello.settings import Settings

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 300.0
"""A worker loads the model, checks the index and trains the intent classifier: seconds
normally, minutes when the index must be rebuilt for a large knowledge base."""
STOP_TIMEOUT_SECONDS = 20.0

_spawn = multiprocessing.get_context("spawn")
"""Spawned, not forked: the bot process has threads (the event loop's executor, BLAS), and a
fork copies their locks in whatever state they were in."""


class WorkerError(RuntimeError):
    """A worker could not start, or died; the message says why."""


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def serve(connection: multiprocessing.connection.Connection, settings: Settings) -> None:
    """The worker's main function: build the desk, then answer requests until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the
    # parent decides when its workers stop, after the updates in flight are answered
    configure_logging(settings.log_level)
    from sportello.desk import build_desk

    try:
        desk = build_desk(settings)
    except Exception as exc:
        connection.send(("error", _portable(exc)))
        return
    connection.send(("ready", None))
    engine = desk.engine
    try:
        while True:
            try:
                request = connection.recv()
            except EOFError:
                break  # the parent is gone
            if request is None:
                break
            operation, argument = request
            try:
                if operation == "handle_many":
                    value: Any = [
                        _portable(r) if isinstance(r, Exception) else r
                        for r in engine.handle_many(argument)
                    ]
                elif operation == "set_blocked":
                    engine.set_blocked(*argument)
                    value = None
                elif operation == "housekeeping":
                    value = engine.housekeeping(argument)
                else:
                    raise WorkerError(f"unknown request {operation!r}")
                reply: tuple[str, Any] = ("ok", value)
            except Exception as exc:
                logger.exception("worker request %s failed", operation)
                reply = ("error", _portable(exc))
            connection.send(reply)
    finally:
        desk.close()


class WorkerLane:
    """One engine worker process, seen from the bot: an `EngineLane` over a pipe."""

    def __init__(self, settings: Settings, name: str) -> None:
        self._settings = settings
        self._name = name
        self._process: BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None
        self._lock = asyncio.Lock()
        self._pipe_lock = threading.Lock()

    def spawn(self) -> None:
        """Start the process; `wait_ready` then blocks until it can take requests."""
        parent, child = _spawn.Pipe()
        process = _spawn.Process(target=serve, args=(child, self._settings), name=self._name)
        process.daemon = True  # never outlives the bot, even when the bot is killed
        process.start()
        child.close()
        self._process, self._connection = process, parent

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        connection = self._require_connection()
        try:
            if not connection.poll(timeout):
                raise WorkerError(f"{self._name} did not start within {timeout:.0f} s")
            status, value = connection.recv()
        except (EOFError, OSError):
            raise WorkerError(
                f"{self._name} exited while starting (exit code {self._exit_code()})"
                " — see its log lines above"
            ) from None
        if status == "error":
            self._reap()
            raise value
        logger.info("%s ready (pid %s)", self._name, self._process and self._process.pid)

    async def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        results: list[Outcome | Exception] = await self._call("handle_many", list(batch))
        return results

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        await self._call("set_blocked", (channel, user_id, blocked))

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        done: dict[str, int] = await self._call("housekeeping", now)
        return done

    async def close(self) -> None:
        async with self._lock:
            await asyncio.to_thread(self._stop)

    async def _call(self, operation: str, argument: Any) -> Any:
        async with self._lock:
            return await asyncio.to_thread(self._round_trip, operation, argument)

    def _round_trip(self, operation: str, argument: Any) -> Any:
        with self._pipe_lock:
            if self._process is None or not self._process.is_alive():
                if self._process is not None:
                    logger.error(
                        "%s died (exit code %s): starting it again", self._name, self._exit_code()
                    )
                    self._reap()
                self.spawn()
                self.wait_ready()
            connection = self._require_connection()
            try:
                connection.send((operation, argument))
                status, value = connection.recv()
            except (EOFError, OSError):
                self._reap()
                raise WorkerError(f"{self._name} died while handling {operation}") from None
        if status == "error":
            raise value
        return value

    def _stop(self) -> None:
        with self._pipe_lock:
            if self._connection is not None and self._process is not None:
                with contextlib.suppress(OSError):  # already gone
                    self._connection.send(None)
                self._process.join(STOP_TIMEOUT_SECONDS)
            self._reap()

    def terminate(self) -> None:
        """Stop the process at once (start-up failed elsewhere; no request is running)."""
        with self._pipe_lock:
            self._reap()

    def _reap(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join(STOP_TIMEOUT_SECONDS)
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection = None, None

    def _exit_code(self) -> int | None:
        return None if self._process is None else self._process.exitcode

    def _require_connection(self) -> multiprocessing.connection.Connection:
        if self._connection is None:
            raise WorkerError(f"{self._name} is not running")
        return self._connection


def start_workers(settings: Settings, count: int) -> list[WorkerLane]:
    """`count` running workers; the first starts alone, so that it alone builds the index."""
    lanes = [WorkerLane(settings, f"engine-{number}") for number in range(count)]
    started: list[WorkerLane] = []
    try:
        for group in (lanes[:1], lanes[1:]):
            for lane in group:
                lane.spawn()
                started.append(lane)
            for lane in group:
                lane.wait_ready()
    except BaseException:
        for lane in started:
            lane.terminate()
        raise
    return lanes

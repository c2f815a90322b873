"""Engine worker processes: the dialogue engine in a process of its own, fed by the bot.

Why a process and not a thread: the bot's event loop (python-telegram-bot, httpx) and the
engine's Python (intent features, retrieval fusion, SQLAlchemy) both need the GIL, so in one
process they take turns on one core however many cores there are. With the engine in a worker
the bot process only receives and sends, and each side gets a core; measured on 2 cores in
bench/telegram_bench.py.

Each worker builds its own desk from the same settings (model, index, database connection) and
then serves requests from its pipe, one at a time, in order: `handle_many` (a batch of turns),
`set_blocked`, `housekeeping` and `warm_up` (the readiness check). The parent talks to it
through a `WorkerLane`, which the `TurnDispatcher` uses like any other lane. A worker that
dies is started again on the next request; the turns of the batch it died in get an error
reply (the user can send them again).
A worker ends when the parent closes the pipe or goes away, so none is ever left behind.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

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

_spawn = multiprocessing.get_context("spawn")
"""Spawned, not forked: the bot process has threads (the event loop's executor, BLAS), and a
fork copies their locks in whatever state they were in."""


class WorkerError(SportelloError, RuntimeError):
    """A worker could not start, or died; the message says why."""


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
    """The worker's main function: build the desk, then answer requests until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the
    # parent decides when its workers stop, after the updates in flight are answered
    configure_logging(settings.log_level, settings.secret_values())
    from sportello.desk import build_desk

    try:
        desk = build_desk(settings)
    except Exception as exc:
        connection.send(("error", _portable(exc)))
        return
    connection.send(("ready", None))
    try:
        _answer_requests(connection, desk.engine, settings.workers.max_batch)
    finally:
        desk.close()


def _answer_requests(
    connection: multiprocessing.connection.Connection, engine: DialogueEngine, max_batch: int
) -> None:
    """Answer requests in order until the parent says stop (None) or goes away.

    Batches of turns that are already waiting in the pipe when the engine gets to them are
    handled together, as one engine call (up to `max_batch` turns), and answered one by one:
    the bot sends a batch as soon as it has one, and the worker takes everything that came
    while it was busy, so its batches are as large as the load makes them.
    """
    held: Any = None
    while True:
        if held is not None:
            request, held = held, None
        else:
            try:
                request = connection.recv()
            except EOFError:
                return  # the parent is gone
        if request is None:
            return
        operation, argument = request
        if operation != "handle_many":
            connection.send(_answer(engine, operation, argument))
            continue
        batches: list[list[Incoming]] = [argument]
        stop = False
        while sum(map(len, batches)) < max_batch and connection.poll(0):
            following = connection.recv()
            if following is None:
                stop = True  # after answering what came before it
                break
            if following[0] != "handle_many":
                held = following
                break
            batches.append(following[1])
        status, value = _answer(engine, operation, [i for batch in batches for i in batch])
        start = 0
        for batch in batches:
            part = value[start : start + len(batch)] if status == "ok" else value
            connection.send((status, part))
            start += len(batch)
        if stop:
            return


def _answer(engine: DialogueEngine, operation: str, argument: Any) -> tuple[str, Any]:
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
        elif operation == "warm_up":
            engine.warm_up()
            value = None
        else:
            raise WorkerError(f"unknown request {operation!r}")
    except Exception as exc:
        logger.exception("worker request %s failed", operation)
        return "error", _portable(exc)
    return "ok", value


class WorkerLane:
    """One engine worker process, seen from the bot: an `EngineLane` over a pipe.

    Requests are pipelined: new batches go into the pipe while the worker handles the
    current one, so it never waits for the bot between batches and merges what waited into
    its next engine call. The worker answers in order, so a reader thread matches each answer
    to the oldest open request.
    """

    max_in_flight = 16
    """Batches sent ahead: the worker merges those waiting into one engine call."""

    def __init__(self, settings: Settings, name: str) -> None:
        self._settings = settings
        self._name = name
        self._process: BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None
        self._reader: threading.Thread | None = None
        self._pending: collections.deque[_Pending] = collections.deque()
        self._lock = threading.Lock()  # guards _pending, _broken and the pipe's sending end
        self._broken = False
        self._gate = asyncio.Lock()  # requests enter the pipe in the order they were made

    def spawn(self) -> None:
        """Start the process; `wait_ready` then blocks until it can take requests."""
        parent, child = _spawn.Pipe()
        process = _spawn.Process(target=serve, args=(child, self._settings), name=self._name)
        process.daemon = True  # never outlives the bot, even when the bot is killed
        process.start()
        child.close()
        self._process, self._connection = process, parent
        self._pending, self._broken = collections.deque(), False  # a new generation

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
            self.terminate()
            raise value
        self._reader = threading.Thread(
            target=self._read,
            args=(connection, self._pending),
            name=f"{self._name}-reader",
            daemon=True,
        )
        self._reader.start()
        logger.info("%s ready (pid %s)", self._name, self._process and self._process.pid)

    async def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        results: list[Outcome | Exception] = await self._call("handle_many", list(batch))
        return results

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        await self._call("set_blocked", (channel, user_id, blocked))

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        done: dict[str, int] = await self._call("housekeeping", now)
        return done

    async def warm_up(self) -> None:
        await self._call("warm_up", None)

    async def close(self) -> None:
        """Let the worker finish what it was sent, then stop it."""
        async with self._gate:
            await asyncio.to_thread(self._stop)

    def terminate(self) -> None:
        """Stop the process at once (start-up failed elsewhere; nothing is in flight)."""
        with self._lock:
            self._reap()

    async def _call(self, operation: str, argument: Any) -> Any:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[Any] = loop.create_future()
        async with self._gate:
            if self._broken or self._process is None or not self._process.is_alive():
                await asyncio.to_thread(self._restart)
            with self._lock:
                if self._broken:
                    raise WorkerError(f"{self._name} died before {operation} was sent")
                self._pending.append(_Pending(loop, result))
                try:
                    self._require_connection().send((operation, argument))
                except OSError:
                    self._pending.pop()
                    raise WorkerError(f"{self._name} died before {operation} was sent") from None
        return await result

    def _read(
        self,
        connection: multiprocessing.connection.Connection,
        pending_requests: collections.deque[_Pending],
    ) -> None:
        """The reader thread: hand each answer to the oldest open request, in order.

        It serves one process (one generation of `_pending`): when that process ends, the
        requests still open fail, and the next request starts a new process.
        """
        while True:
            try:
                status, value = connection.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                pending = pending_requests.popleft()
            pending.settle(status, value)
        with self._lock:
            if self._pending is pending_requests:
                self._broken = True
            orphans = list(pending_requests)
            pending_requests.clear()
        for pending in orphans:
            pending.settle("error", WorkerError(f"{self._name} died while handling a request"))

    def _restart(self) -> None:
        with self._lock:
            if self._process is not None:
                logger.error(
                    "%s is gone (exit code %s): starting it again", self._name, self._exit_code()
                )
            self._reap()
        self.spawn()
        self.wait_ready()

    def _stop(self) -> None:
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(OSError):  # already gone
                    self._connection.send(None)
        if self._process is not None:
            self._process.join(STOP_TIMEOUT_SECONDS)
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT_SECONDS)
        with self._lock:
            self._reap()

    def _reap(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join(STOP_TIMEOUT_SECONDS)
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection, self._reader = None, None, None

    def _exit_code(self) -> int | None:
        return None if self._process is None else self._process.exitcode

    def _require_connection(self) -> multiprocessing.connection.Connection:
        if self._connection is None:
            raise WorkerError(f"{self._name} is not running")
        return self._connection


@dataclass(frozen=True)
class _Pending:
    """A request sent to a worker, waiting for its answer in the event loop that sent it."""

    loop: asyncio.AbstractEventLoop
    result: asyncio.Future[Any]

    def settle(self, status: str, value: Any) -> None:
        self.loop.call_soon_threadsafe(self._settle, status, value)

    def _settle(self, status: str, value: Any) -> None:
        if self.result.done():  # the caller gave up (cancelled)
            return
        if status == "ok":
            self.result.set_result(value)
        else:
            self.result.set_exception(value)


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

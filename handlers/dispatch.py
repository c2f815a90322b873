"""Feeding turns to the engine from an event loop: one engine thread, turns in batches.

A channel (the Telegram bot) receives updates concurrently, but the engine is synchronous and
CPU-bound. The dispatcher puts every turn in one queue, and the engine takes everything that
queued up while its previous call ran as its next batch. An idle desk therefore handles each
message at once (a batch of one, no waiting window), and a busy one pays once per batch for
the encoder call and the commit instead of once per message. This is the desk's only batching.

Every engine call — a batch of turns, a blocked flag, housekeeping, the readiness check — runs
on one thread of its own, one call at a time, so the engine never runs concurrently with
itself. Turns are applied in the order they were queued and their callers resume in that
order, so a person's replies reach the outbox and the deliverer (which sends each chat's
messages in queue order) in the order the person wrote: no per-chat lock is needed on top.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

from handlers.turns import Incoming, Outcome

logger = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 64
"""Turns per engine call at most: large enough that a flood is absorbed in a few calls,
small enough that one call stays in the tens of milliseconds."""

T = TypeVar("T")


class Engine(Protocol):
    """What the dispatcher calls: `handlers.engine.DialogueEngine`, or a stand-in in tests."""

    def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]: ...

    def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None: ...

    def housekeeping(self, now: dt.datetime) -> dict[str, int]: ...

    def warm_up(self) -> None: ...


@dataclass
class _Queued:
    incoming: Incoming
    result: asyncio.Future[Outcome]


class TurnDispatcher:
    """Queues turns for the engine and runs it, in batches, on a thread of its own.

    Call it from one event loop; `stop()` lets the queued turns finish first. The engine is
    the caller's to close.
    """

    def __init__(self, engine: Engine, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        self._engine = engine
        self._max_batch = max_batch
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine")
        self._queue: asyncio.Queue[_Queued] | None = None
        self._consumer: asyncio.Task[None] | None = None

    async def handle(self, incoming: Incoming) -> Outcome:
        """The outcome of one turn; raises what the engine raised for it."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._consumer = asyncio.create_task(self._consume(self._queue), name="engine")
        result: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Queued(incoming, result))
        return await result

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        await self._call(self._engine.set_blocked, channel, user_id, blocked)

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        return await self._call(self._engine.housekeeping, now)

    async def warm_up(self) -> None:
        """The engine has answered a readiness check (models run, database reached): the
        channel starts taking updates only after this."""
        await self._call(self._engine.warm_up)

    async def stop(self) -> None:
        if self._queue is not None and self._consumer is not None:
            await self._queue.join()
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._queue, self._consumer = None, None
        await asyncio.to_thread(self._thread.shutdown)

    async def _call(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, function, *args)

    async def _consume(self, queue: asyncio.Queue[_Queued]) -> None:
        while True:
            batch = [await queue.get()]  # what came while the last batch ran joins this one
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                results = await self._call(
                    self._engine.handle_many, [queued.incoming for queued in batch]
                )
            except Exception as exc:  # the engine itself failed (its worker process died)
                logger.exception("the engine failed a batch of %d turns", len(batch))
                results = [exc] * len(batch)
            for queued, result in zip(batch, results, strict=True):
                if not queued.result.done():  # its handler may have been cancelled
                    if isinstance(result, Exception):
                        queued.result.set_exception(result)
                    else:
                        queued.result.set_result(result)
                queue.task_done()

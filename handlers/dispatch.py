"""Feeding turns to the engine from an event loop: in batches, per lane, in arrival order.

A channel (the Telegram bot) receives updates concurrently but the engine is synchronous and
CPU-bound. The dispatcher queues each turn on a *lane* — an engine running in a thread of this
process, or in a worker process of its own — and a lane takes everything that queued up while
its previous batch ran as its next batch. An idle desk therefore handles each message at once
(a batch of one, no waiting window), and a busy one pays once per batch for the encoder call
and the commit instead of once per message.

A user always maps to the same lane, so their turns are applied in the order they came.
Several lanes are for several worker processes on a machine with cores to spare: the model
work runs side by side, the writes take turns on SQLite and overlap on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from handlers.turns import Incoming, Outcome

if TYPE_CHECKING:  # a bot whose engine runs in worker processes never loads it here
    from handlers.engine import DialogueEngine

logger = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 64
"""Turns per engine call at most: large enough that a flood is absorbed in a few calls,
small enough that one call stays in the tens of milliseconds."""


class EngineLane(Protocol):
    """Somewhere an engine runs: each call is async so the event loop keeps serving."""

    @property
    def max_in_flight(self) -> int:
        """Batches the lane takes before the first is done; more than 1 only for a lane that
        handles its batches strictly in order (a worker process reading a pipe)."""
        ...

    async def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]: ...

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None: ...

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]: ...

    async def warm_up(self) -> None: ...

    async def close(self) -> None: ...


class ThreadLane:
    """The engine in this process, called from a worker thread.

    The model and the database release the GIL for much of a turn, but the engine's Python
    still competes with the event loop for it; worker processes do not (see sportello.workers).
    """

    max_in_flight = 1
    """Two batches in two threads could commit out of order: one at a time."""

    def __init__(self, engine: DialogueEngine) -> None:
        self._engine = engine

    async def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        return await asyncio.to_thread(self._engine.handle_many, batch)

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        await asyncio.to_thread(self._engine.set_blocked, channel, user_id, blocked)

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        return await asyncio.to_thread(self._engine.housekeeping, now)

    async def warm_up(self) -> None:
        await asyncio.to_thread(self._engine.warm_up)

    async def close(self) -> None:
        return None


@dataclass
class _Queued:
    incoming: Incoming
    result: asyncio.Future[Outcome]


class TurnDispatcher:
    """Routes turns to lanes by user and hands each lane its queue in batches.

    `start()` must run inside the event loop that will call `handle`; `stop()` lets the
    queued turns finish, then closes the lanes.
    """

    def __init__(self, lanes: Sequence[EngineLane], max_batch: int = DEFAULT_MAX_BATCH) -> None:
        if not lanes:
            raise ValueError("a dispatcher needs at least one lane")
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        self._lanes = list(lanes)
        self._max_batch = max_batch
        self._queues: list[asyncio.Queue[_Queued]] = []
        self._consumers: list[asyncio.Task[None]] = []

    @classmethod
    def in_process(
        cls, engine: DialogueEngine, max_batch: int = DEFAULT_MAX_BATCH
    ) -> TurnDispatcher:
        """One lane, the engine in a thread of this process (tests, small desks)."""
        return cls([ThreadLane(engine)], max_batch)

    async def start(self) -> None:
        if self._consumers:
            return
        self._queues = [asyncio.Queue() for _ in self._lanes]
        self._consumers = [
            asyncio.create_task(self._consume(lane, queue), name=f"engine-lane-{number}")
            for number, (lane, queue) in enumerate(zip(self._lanes, self._queues, strict=True))
        ]

    async def stop(self) -> None:
        for queue in self._queues:
            await queue.join()
        for consumer in self._consumers:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
        self._consumers = []
        for lane in self._lanes:
            await lane.close()

    async def handle(self, incoming: Incoming) -> Outcome:
        """The outcome of one turn; raises what the engine raised for it."""
        if not self._consumers:
            await self.start()
        result: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queues[self._lane_of(incoming.turn.user_id)].put_nowait(_Queued(incoming, result))
        return await result

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        await self._lanes[self._lane_of(user_id)].set_blocked(channel, user_id, blocked)

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        """Retention is database-wide: any one lane does it for all."""
        return await self._lanes[0].housekeeping(now)

    async def warm_up(self) -> None:
        """Every lane has answered a readiness check (models run, database reached): the
        channel starts taking updates only after this."""
        if not self._consumers:
            await self.start()
        await asyncio.gather(*(lane.warm_up() for lane in self._lanes))

    def _lane_of(self, user_id: int) -> int:
        return user_id % len(self._lanes)

    async def _consume(self, lane: EngineLane, queue: asyncio.Queue[_Queued]) -> None:
        slots = asyncio.Semaphore(lane.max_in_flight)
        running: set[asyncio.Task[None]] = set()
        while True:
            batch = [await queue.get()]
            await slots.acquire()  # while waiting here, more turns join the batch
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            task = asyncio.create_task(self._run(lane, batch, queue, slots))
            running.add(task)
            task.add_done_callback(running.discard)

    async def _run(
        self,
        lane: EngineLane,
        batch: list[_Queued],
        queue: asyncio.Queue[_Queued],
        slots: asyncio.Semaphore,
    ) -> None:
        try:
            results = await lane.handle_many([queued.incoming for queued in batch])
        except Exception as exc:  # the lane itself failed (a worker process died)
            logger.exception("an engine lane failed a batch of %d turns", len(batch))
            results = [exc] * len(batch)
        finally:
            slots.release()
        for queued, result in zip(batch, results, strict=True):
            if not queued.result.done():  # its handler may have been cancelled
                if isinstance(result, Exception):
                    queued.result.set_exception(result)
                else:
                    queued.result.set_result(result)
            queue.task_done()

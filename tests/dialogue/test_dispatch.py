"""`TurnDispatcher`: turns queued per lane, taken in batches, results back to their callers.

The batching policy is checked against `GatedLane`, a lane written here whose batches finish
only when the test opens their gate; the real engine runs behind `ThreadLane`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence

import pytest

from handlers import (
    DialogueEngine,
    EngineLane,
    Incoming,
    Outcome,
    ThreadLane,
    Turn,
    TurnDispatcher,
    callbacks,
)
from storage import Database, Interaction, User
from tests.dialogue.conftest import Chat

CLOCK = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
WAIT_SECONDS = 10.0
"""A bound on every wait, so a broken dispatcher fails the test instead of hanging it."""


def incoming(update_id: int, user_id: int = 1, **fields: object) -> Incoming:
    turn = Turn(
        channel="test",
        user_id=user_id,
        chat_id=user_id,
        at=CLOCK + dt.timedelta(seconds=update_id),
        **fields,  # type: ignore[arg-type]
    )
    return Incoming(turn, update_id)


class LaneDown(RuntimeError):
    """What `GatedLane.handle_many` raises for a batch told to fail as a whole."""


class TurnRefused(ValueError):
    """What `GatedLane` returns for a single turn told to fail."""


class GatedLane:
    """An `EngineLane` that records its batches and finishes each when its gate opens.

    Each turn's outcome carries its update id as `interaction_id`, so a caller can tell that
    it got its own result. `fail_turns` (by update id) get an exception as their result;
    the batches numbered in `fail_batches` make `handle_many` itself raise.
    """

    def __init__(self, max_in_flight: int = 1, *, held: bool = True) -> None:
        self.max_in_flight = max_in_flight
        self.held = held
        self.batches: list[list[Incoming]] = []
        self.finished: list[int] = []
        self.gates: list[asyncio.Event] = []
        self.fail_turns: dict[int, Exception] = {}
        self.fail_batches: set[int] = set()
        self.blocked: list[tuple[str, int, bool]] = []
        self.housekept: list[dt.datetime] = []
        self.warmed_up = 0
        self.closed = False
        self.closed_after: list[int] = []
        self._changed = asyncio.Condition()

    @property
    def sizes(self) -> list[int]:
        return [len(batch) for batch in self.batches]

    def users(self) -> set[int]:
        return {incoming.turn.user_id for batch in self.batches for incoming in batch}

    def release(self, number: int | None = None) -> None:
        """Let batch `number` finish; None: every batch, now and from now on."""
        if number is None:
            self.held = False
            for gate in self.gates:
                gate.set()
        else:
            self.gates[number].set()

    async def wait_for_batches(self, count: int) -> None:
        async with asyncio.timeout(WAIT_SECONDS), self._changed:
            await self._changed.wait_for(lambda: len(self.batches) >= count)

    async def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        number = len(self.batches)
        self.batches.append(list(batch))
        gate = asyncio.Event()
        if not self.held:
            gate.set()
        self.gates.append(gate)
        async with self._changed:
            self._changed.notify_all()
        await gate.wait()
        self.finished.append(number)
        if number in self.fail_batches:
            raise LaneDown(f"batch {number} lost")
        return [
            self.fail_turns.get(i.update_id or 0) or Outcome(interaction_id=i.update_id)
            for i in batch
        ]

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        self.blocked.append((channel, user_id, blocked))

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        self.housekept.append(now)
        return {"texts_purged": 0, "updates_pruned": 0, "unconsented_erased": 0}

    async def warm_up(self) -> None:
        self.warmed_up += 1

    async def close(self) -> None:
        self.closed = True
        self.closed_after = list(self.finished)


def lanes_of(*lanes: GatedLane) -> list[EngineLane]:
    return list(lanes)


async def settle() -> None:
    """Let every runnable task run until it waits for something.

    A task created by the test enqueues its turn at its first step, in the next turn of the
    event loop; a few turns are enough for the dispatcher to take whatever it can take. What
    the tests then assert is what the dispatcher must *not* do however long it waited (start
    a batch while its lane is busy), so this is not a timing guess.
    """
    for _ in range(10):
        await asyncio.sleep(0)


def submit(dispatcher: TurnDispatcher, *turns: Incoming) -> list[asyncio.Task[Outcome]]:
    return [asyncio.create_task(dispatcher.handle(turn)) for turn in turns]


async def results_of(tasks: Sequence[asyncio.Task[Outcome]]) -> list[Outcome | BaseException]:
    async with asyncio.timeout(WAIT_SECONDS):
        return await asyncio.gather(*tasks, return_exceptions=True)


def interaction_ids(results: Sequence[Outcome | BaseException]) -> list[int | None]:
    ids: list[int | None] = []
    for result in results:
        assert isinstance(result, Outcome), f"expected an outcome, got {result!r}"
        ids.append(result.interaction_id)
    return ids


@pytest.mark.unit
async def test_turns_that_arrive_while_the_lane_is_busy_form_the_next_batch() -> None:
    lane = GatedLane()
    dispatcher = TurnDispatcher([lane])
    first = submit(dispatcher, incoming(1))
    await lane.wait_for_batches(1)
    waiting = submit(dispatcher, incoming(2), incoming(3, user_id=2), incoming(4))
    await settle()
    assert lane.sizes == [1]  # one batch at a time: the others wait for it
    lane.release()
    results = await results_of(first + waiting)
    assert lane.sizes == [1, 3]
    assert [i.update_id for i in lane.batches[1]] == [2, 3, 4]  # in arrival order
    assert interaction_ids(results) == [1, 2, 3, 4]
    await dispatcher.stop()


@pytest.mark.unit
async def test_an_idle_lane_takes_a_single_turn_at_once() -> None:
    lane = GatedLane(held=False)
    dispatcher = TurnDispatcher([lane])
    for update_id in (1, 2, 3):
        async with asyncio.timeout(WAIT_SECONDS):
            outcome = await dispatcher.handle(incoming(update_id))
        assert outcome.interaction_id == update_id
    assert lane.sizes == [1, 1, 1]
    await dispatcher.stop()


@pytest.mark.unit
async def test_max_batch_caps_a_batch() -> None:
    lane = GatedLane()
    dispatcher = TurnDispatcher([lane], max_batch=2)
    first = submit(dispatcher, incoming(1))
    await lane.wait_for_batches(1)
    waiting = submit(dispatcher, *(incoming(n) for n in range(2, 7)))
    await settle()
    lane.release()
    results = await results_of(first + waiting)
    assert lane.sizes == [1, 2, 2, 1]
    assert [i.update_id for batch in lane.batches for i in batch] == [1, 2, 3, 4, 5, 6]
    assert interaction_ids(results) == [1, 2, 3, 4, 5, 6]
    await dispatcher.stop()


@pytest.mark.unit
async def test_a_user_always_goes_to_the_same_lane() -> None:
    lanes = [GatedLane(held=False) for _ in range(3)]
    dispatcher = TurnDispatcher(lanes_of(*lanes))
    user_ids = [0, 1, 2, 3, 4, 5, 7, 10, 11, 3, 4, 5]
    tasks = submit(dispatcher, *(incoming(n, user_id=u) for n, u in enumerate(user_ids, 1)))
    assert interaction_ids(await results_of(tasks)) == list(range(1, len(user_ids) + 1))
    for number, lane in enumerate(lanes):
        assert lane.users() == {u for u in user_ids if u % 3 == number}
    # a user's turns kept their order within its lane
    lane_of_3 = [i.update_id for batch in lanes[0].batches for i in batch if i.turn.user_id == 3]
    assert lane_of_3 == [4, 10]
    await dispatcher.set_blocked("telegram", 5, True)
    await dispatcher.set_blocked("telegram", 9, False)
    assert [lane.blocked for lane in lanes] == [
        [("telegram", 9, False)],
        [],
        [("telegram", 5, True)],
    ]
    done = await dispatcher.housekeeping(CLOCK)
    assert done["unconsented_erased"] == 0
    assert [lane.housekept for lane in lanes] == [[CLOCK], [], []]  # database-wide: one lane
    await dispatcher.stop()


@pytest.mark.unit
async def test_an_exception_for_one_turn_is_raised_by_that_turn_only() -> None:
    lane = GatedLane()
    refused = TurnRefused("language too long")
    lane.fail_turns[3] = refused
    dispatcher = TurnDispatcher([lane])
    first = submit(dispatcher, incoming(1))
    await lane.wait_for_batches(1)
    rest = submit(dispatcher, incoming(2), incoming(3, user_id=2), incoming(4, user_id=3))
    await settle()
    lane.release()
    one, two, three, four = await results_of(first + rest)
    assert lane.sizes == [1, 3]  # the failing turn shared its batch with two good ones
    assert three is refused
    assert interaction_ids([one, two, four]) == [1, 2, 4]
    await dispatcher.stop()


@pytest.mark.unit
async def test_a_lane_that_fails_a_batch_fails_its_turns_and_serves_the_next() -> None:
    lane = GatedLane()
    lane.fail_batches.add(1)
    dispatcher = TurnDispatcher([lane])
    first = submit(dispatcher, incoming(1))
    await lane.wait_for_batches(1)
    doomed = submit(dispatcher, incoming(2), incoming(3, user_id=2))
    await settle()
    lane.release()
    results = await results_of(first + doomed)
    assert interaction_ids(results[:1]) == [1]
    assert all(isinstance(r, LaneDown) for r in results[1:]), results
    assert lane.sizes == [1, 2]
    async with asyncio.timeout(WAIT_SECONDS):
        after = await dispatcher.handle(incoming(4))
    assert after.interaction_id == 4 and lane.sizes == [1, 2, 1]
    await dispatcher.stop()


@pytest.mark.unit
async def test_stop_lets_queued_turns_finish_then_closes_every_lane() -> None:
    busy, idle = GatedLane(), GatedLane()
    dispatcher = TurnDispatcher(lanes_of(busy, idle))
    first = submit(dispatcher, incoming(1, user_id=2))
    await busy.wait_for_batches(1)
    queued = submit(dispatcher, incoming(2, user_id=4), incoming(3, user_id=6))
    await settle()
    stopping = asyncio.create_task(dispatcher.stop())
    await settle()
    assert not stopping.done() and not busy.closed and not idle.closed
    busy.release()
    async with asyncio.timeout(WAIT_SECONDS):
        await stopping
    assert all(task.done() for task in first + queued)
    assert interaction_ids(await results_of(first + queued)) == [1, 2, 3]
    assert busy.closed and idle.closed
    assert busy.closed_after == [0, 1]  # closed only once both batches were done
    assert busy.sizes == [1, 2] and idle.sizes == []


@pytest.mark.unit
async def test_a_lane_with_room_for_two_batches_starts_the_next_before_the_first_ends() -> None:
    lane = GatedLane(max_in_flight=2)
    dispatcher = TurnDispatcher([lane])
    first = submit(dispatcher, incoming(1), incoming(2, user_id=2))
    await lane.wait_for_batches(1)
    second = submit(dispatcher, incoming(3, user_id=3), incoming(4, user_id=4))
    await lane.wait_for_batches(2)  # batch 0 has not finished: its gate is still shut
    assert lane.sizes == [2, 2] and lane.finished == []
    third = submit(dispatcher, incoming(5, user_id=5))
    await settle()
    assert lane.sizes == [2, 2]  # two in flight: the third batch waits for a slot

    lane.release(1)  # the later batch finishes first: its callers get their own results
    assert interaction_ids(await results_of(second)) == [3, 4]
    assert not any(task.done() for task in first)
    await lane.wait_for_batches(3)  # batch 1 freed a slot
    assert lane.sizes == [2, 2, 1]
    lane.release()
    assert interaction_ids(await results_of(first + third)) == [1, 2, 5]
    assert lane.finished == [1, 0, 2]
    await dispatcher.stop()


@pytest.mark.unit
async def test_warm_up_asks_every_lane_before_any_turn() -> None:
    lanes = [GatedLane(held=False), GatedLane(held=False)]
    dispatcher = TurnDispatcher(lanes_of(*lanes))
    await dispatcher.warm_up()
    assert [lane.warmed_up for lane in lanes] == [1, 1]
    assert [lane.batches for lane in lanes] == [[], []]
    await dispatcher.stop()


def test_a_dispatcher_needs_a_lane_and_a_positive_batch() -> None:
    with pytest.raises(ValueError, match="at least one lane"):
        TurnDispatcher([])
    with pytest.raises(ValueError, match="max_batch"):
        TurnDispatcher([GatedLane()], max_batch=0)


# -- the real engine behind ThreadLane --------------------------------------------------------


class RecordingLane:
    """Passes everything to the real lane and notes the size of each batch it was given."""

    def __init__(self, lane: EngineLane) -> None:
        self._lane = lane
        self.sizes: list[int] = []
        self.closed = False

    @property
    def max_in_flight(self) -> int:
        return self._lane.max_in_flight

    async def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        self.sizes.append(len(batch))
        return await self._lane.handle_many(batch)

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        await self._lane.set_blocked(channel, user_id, blocked)

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        return await self._lane.housekeeping(now)

    async def warm_up(self) -> None:
        await self._lane.warm_up()

    async def close(self) -> None:
        self.closed = True
        await self._lane.close()


ONBOARDING: list[dict[str, object]] = [
    {"command": "start"},
    {"button": callbacks.CONSENT_YES},
    {"button": callbacks.ROLE_WORKER},
    {"button": callbacks.COMPANY_NONE},
    {"text": "fino a quanto sono esenti i buoni pasto elettronici?"},
]


def texts_of(outcome: Outcome) -> list[str]:
    return [reply.text for reply in outcome.replies]


@pytest.mark.integration
async def test_many_users_through_the_real_engine_get_the_replies_of_a_direct_chat(
    engine: DialogueEngine, database: Database
) -> None:
    lane = RecordingLane(ThreadLane(engine))
    dispatcher = TurnDispatcher([lane], max_batch=8)
    users = range(100, 120)

    async def converse(user_id: int) -> list[Outcome]:
        got = []
        for step, fields in enumerate(ONBOARDING):
            turn = incoming(10**6 + user_id * 10 + step, user_id=user_id, **fields)
            async with asyncio.timeout(60):
                got.append(await dispatcher.handle(turn))
        return got

    conversations = await asyncio.gather(*(converse(u) for u in users))
    await dispatcher.stop()

    assert lane.closed
    assert sum(lane.sizes) == len(users) * len(ONBOARDING)
    assert max(lane.sizes) > 1 and max(lane.sizes) <= 8  # users' turns shared batches
    expected = direct_replies(engine)
    for outcomes in conversations:
        assert [texts_of(o) for o in outcomes] == expected
    with database.session() as session:
        onboarded = session.query(User).filter(User.role == "worker").count()
        logged = session.query(Interaction).count()
    assert onboarded == len(users) + 1  # and the direct chat's user
    assert logged == (len(users) + 1) * (len(ONBOARDING) - 1)  # /start came before consent


def direct_replies(engine: DialogueEngine) -> list[list[str]]:
    """The same script played by `Chat`, straight into the engine (user 1, unused above)."""
    chat = Chat(engine, user_id=1)
    played: list[Callable[[], object]] = [
        lambda: chat.send("/start"),
        lambda: chat.press("Sì, va bene"),
        lambda: chat.press("Lavoratore"),
        lambda: chat.press("Non ce l'ho"),
        lambda: chat.send(str(ONBOARDING[-1]["text"])),
    ]
    replies = []
    for step in played:
        step()
        replies.append([reply.text for reply in chat.last])
    return replies

"""`TurnDispatcher`: one queue, turns taken in batches on the engine's own thread, results back
to their callers in order.

The batching policy is checked against `GatedEngine`, an engine written here whose batches
finish only when the test opens their gate; then the real engine behind the dispatcher.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Sequence

import pytest

from handlers import DialogueEngine, Incoming, Outcome, Turn, TurnDispatcher, callbacks
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


class EngineDown(RuntimeError):
    """What `GatedEngine.handle_many` raises for a batch told to fail as a whole."""


class TurnRefused(ValueError):
    """What `GatedEngine` returns for a single turn told to fail."""


class GatedEngine:
    """An engine that records its calls and finishes each batch when its gate opens.

    Each turn's outcome carries its update id as `interaction_id`, so a caller can tell that
    it got its own result. `fail_turns` (by update id) get an exception as their result; the
    batches numbered in `fail_batches` make `handle_many` itself raise. `calls` lists every
    call in the order it ran, with the thread it ran on; `overlaps` counts calls that began
    while another was still running.
    """

    def __init__(self, *, held: bool = True) -> None:
        self.held = held
        self.batches: list[list[Incoming]] = []
        self.gates: list[threading.Event] = []
        self.fail_turns: dict[int, Exception] = {}
        self.fail_batches: set[int] = set()
        self.calls: list[tuple[str, str]] = []
        self.overlaps = 0
        self._running = 0
        self._changed = threading.Condition()

    @property
    def sizes(self) -> list[int]:
        return [len(batch) for batch in self.batches]

    def release(self, number: int | None = None) -> None:
        """Let batch `number` finish; None: every batch, now and from now on."""
        with self._changed:
            if number is None:
                self.held = False
                for gate in self.gates:
                    gate.set()
            else:
                self.gates[number].set()

    async def wait_for_batches(self, count: int) -> None:
        def enough() -> bool:
            with self._changed:
                return self._changed.wait_for(lambda: len(self.batches) >= count, WAIT_SECONDS)

        assert await asyncio.to_thread(enough), f"fewer than {count} batches came"

    def _enter(self, name: str) -> None:
        with self._changed:
            self.overlaps += self._running
            self._running += 1
            self.calls.append((name, threading.current_thread().name))

    def _leave(self) -> None:
        with self._changed:
            self._running -= 1

    def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        self._enter("handle_many")
        try:
            with self._changed:
                number = len(self.batches)
                self.batches.append(list(batch))
                gate = threading.Event()
                if not self.held:
                    gate.set()
                self.gates.append(gate)
                self._changed.notify_all()
            assert gate.wait(WAIT_SECONDS), "the test never opened the gate"
            if number in self.fail_batches:
                raise EngineDown(f"batch {number} lost")
            return [
                self.fail_turns.get(i.update_id or 0) or Outcome(interaction_id=i.update_id)
                for i in batch
            ]
        finally:
            self._leave()

    def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        self._enter("set_blocked")
        self._leave()

    def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        self._enter("housekeeping")
        self._leave()
        return {"texts_purged": 0, "updates_pruned": 0, "unconsented_erased": 0}

    def warm_up(self) -> None:
        self._enter("warm_up")
        self._leave()


async def settle() -> None:
    """Let every runnable task run until it waits for something.

    A task created by the test enqueues its turn at its first step, in the next turn of the
    event loop; a few turns are enough for the dispatcher to take whatever it can take. What
    the tests then assert is what the dispatcher must *not* do however long it waited (start
    a batch while the engine is busy), so this is not a timing guess.
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
async def test_turns_that_arrive_while_the_engine_is_busy_form_the_next_batch() -> None:
    engine = GatedEngine()
    dispatcher = TurnDispatcher(engine)
    first = submit(dispatcher, incoming(1))
    await engine.wait_for_batches(1)
    waiting = submit(dispatcher, incoming(2), incoming(3, user_id=2), incoming(4))
    await settle()
    assert engine.sizes == [1]  # one batch at a time: the others wait for it
    engine.release()
    results = await results_of(first + waiting)
    assert engine.sizes == [1, 3]
    assert [i.update_id for i in engine.batches[1]] == [2, 3, 4]  # in arrival order
    assert interaction_ids(results) == [1, 2, 3, 4]
    await dispatcher.stop()


@pytest.mark.unit
async def test_callers_resume_in_the_order_their_turns_came() -> None:
    """The bot hands each outcome's replies to the deliverer as its caller resumes: that
    order is the order in which a chat's replies go out."""
    engine = GatedEngine()
    dispatcher = TurnDispatcher(engine)
    resumed: list[int] = []

    async def caller(update_id: int) -> None:
        outcome = await dispatcher.handle(incoming(update_id))
        resumed.append(outcome.interaction_id or 0)

    tasks = [asyncio.create_task(caller(1))]
    await engine.wait_for_batches(1)
    tasks += [asyncio.create_task(caller(n)) for n in range(2, 9)]
    await settle()
    engine.release()
    async with asyncio.timeout(WAIT_SECONDS):
        await asyncio.gather(*tasks)
    assert engine.sizes == [1, 7]
    assert resumed == list(range(1, 9))
    await dispatcher.stop()


@pytest.mark.unit
async def test_an_idle_engine_takes_a_single_turn_at_once() -> None:
    engine = GatedEngine(held=False)
    dispatcher = TurnDispatcher(engine)
    for update_id in (1, 2, 3):
        async with asyncio.timeout(WAIT_SECONDS):
            outcome = await dispatcher.handle(incoming(update_id))
        assert outcome.interaction_id == update_id
    assert engine.sizes == [1, 1, 1]
    await dispatcher.stop()


@pytest.mark.unit
async def test_max_batch_caps_a_batch() -> None:
    engine = GatedEngine()
    dispatcher = TurnDispatcher(engine, max_batch=2)
    first = submit(dispatcher, incoming(1))
    await engine.wait_for_batches(1)
    waiting = submit(dispatcher, *(incoming(n) for n in range(2, 7)))
    await settle()
    engine.release()
    results = await results_of(first + waiting)
    assert engine.sizes == [1, 2, 2, 1]
    assert [i.update_id for batch in engine.batches for i in batch] == [1, 2, 3, 4, 5, 6]
    assert interaction_ids(results) == [1, 2, 3, 4, 5, 6]
    await dispatcher.stop()


@pytest.mark.unit
async def test_every_engine_call_runs_on_one_thread_one_at_a_time() -> None:
    engine = GatedEngine()
    dispatcher = TurnDispatcher(engine)
    await dispatcher.warm_up()
    first = submit(dispatcher, incoming(1))
    await engine.wait_for_batches(1)
    others = [
        asyncio.create_task(dispatcher.set_blocked("telegram", 5, True)),
        asyncio.create_task(dispatcher.housekeeping(CLOCK)),
    ]
    await settle()
    assert [name for name, _ in engine.calls] == ["warm_up", "handle_many"]  # they wait
    engine.release()
    async with asyncio.timeout(WAIT_SECONDS):
        _, done = await asyncio.gather(*others)
    await results_of(first)
    assert done["unconsented_erased"] == 0
    assert [name for name, _ in engine.calls] == [
        "warm_up",
        "handle_many",
        "set_blocked",
        "housekeeping",
    ]
    assert len({thread for _, thread in engine.calls}) == 1
    assert threading.current_thread().name not in {thread for _, thread in engine.calls}
    assert engine.overlaps == 0
    await dispatcher.stop()


@pytest.mark.unit
async def test_an_exception_for_one_turn_is_raised_by_that_turn_only() -> None:
    engine = GatedEngine()
    refused = TurnRefused("language too long")
    engine.fail_turns[3] = refused
    dispatcher = TurnDispatcher(engine)
    first = submit(dispatcher, incoming(1))
    await engine.wait_for_batches(1)
    rest = submit(dispatcher, incoming(2), incoming(3, user_id=2), incoming(4, user_id=3))
    await settle()
    engine.release()
    one, two, three, four = await results_of(first + rest)
    assert engine.sizes == [1, 3]  # the failing turn shared its batch with two good ones
    assert three is refused
    assert interaction_ids([one, two, four]) == [1, 2, 4]
    await dispatcher.stop()


@pytest.mark.unit
async def test_an_engine_that_fails_a_batch_fails_its_turns_and_serves_the_next() -> None:
    engine = GatedEngine()
    engine.fail_batches.add(1)
    dispatcher = TurnDispatcher(engine)
    first = submit(dispatcher, incoming(1))
    await engine.wait_for_batches(1)
    doomed = submit(dispatcher, incoming(2), incoming(3, user_id=2))
    await settle()
    engine.release()
    results = await results_of(first + doomed)
    assert interaction_ids(results[:1]) == [1]
    assert all(isinstance(r, EngineDown) for r in results[1:]), results
    assert engine.sizes == [1, 2]
    async with asyncio.timeout(WAIT_SECONDS):
        after = await dispatcher.handle(incoming(4))
    assert after.interaction_id == 4 and engine.sizes == [1, 2, 1]
    await dispatcher.stop()


@pytest.mark.unit
async def test_stop_lets_queued_turns_finish() -> None:
    engine = GatedEngine()
    dispatcher = TurnDispatcher(engine)
    first = submit(dispatcher, incoming(1, user_id=2))
    await engine.wait_for_batches(1)
    queued = submit(dispatcher, incoming(2, user_id=4), incoming(3, user_id=6))
    await settle()
    stopping = asyncio.create_task(dispatcher.stop())
    await settle()
    assert not stopping.done()
    engine.release()
    async with asyncio.timeout(WAIT_SECONDS):
        await stopping
    assert all(task.done() for task in first + queued)
    assert interaction_ids(await results_of(first + queued)) == [1, 2, 3]
    assert engine.sizes == [1, 2]


def test_a_batch_holds_at_least_one_turn() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        TurnDispatcher(GatedEngine(), max_batch=0)


# -- the real engine behind the dispatcher ----------------------------------------------------


class RecordingEngine:
    """Passes every batch to the real engine and notes its size."""

    def __init__(self, engine: DialogueEngine) -> None:
        self._engine = engine
        self.sizes: list[int] = []

    def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        self.sizes.append(len(batch))
        return self._engine.handle_many(batch)

    def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        self._engine.set_blocked(channel, user_id, blocked)

    def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        return self._engine.housekeeping(now)

    def warm_up(self) -> None:
        self._engine.warm_up()


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
    recording = RecordingEngine(engine)
    dispatcher = TurnDispatcher(recording, max_batch=8)
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

    assert sum(recording.sizes) == len(users) * len(ONBOARDING)
    assert max(recording.sizes) > 1 and max(recording.sizes) <= 8  # users' turns shared batches
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

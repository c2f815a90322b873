"""Engine worker processes: real processes built from `Settings`, fed through `WorkerLane`s.

Starting a worker costs seconds (model, index, intent classifier), so the file shares two
workers on one SQLite file (`start_workers(settings, 2)`) and one event loop; tests that need
a worker of their own (a broken one) or that kill one pay for it where they must.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import multiprocessing
import os
import secrets
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import SecretStr
from sqlalchemy import select

from handlers import (
    DialogueEngine,
    EngineLane,
    Incoming,
    Outcome,
    Pseudonymizer,
    Turn,
    TurnDispatcher,
    callbacks,
)
from sportello.desk import database_url
from sportello.settings import KnowledgeSettings, PrivacySettings, Settings, load_settings
from sportello.workers import WorkerError, WorkerLane, start_workers
from storage import Database, Interaction, ProcessedUpdate, User

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

REQUEST_SECONDS = 120.0
"""A bound on each wait for a worker: generous (a restart loads the model), never infinite."""
QUESTIONS = (
    "fino a quanto sono esenti i buoni pasto elettronici?",
    "posso farmi rimborsare la retta dell'asilo nido?",
    "come funziona il congedo parentale?",
)

_update_ids = itertools.count(1)
"""The workers' database is shared by the whole file: update ids are never reused."""


def incoming(user_id: int, at: dt.datetime, **fields: object) -> Incoming:
    turn = Turn(
        channel="test",
        user_id=user_id,
        chat_id=user_id,
        at=at,
        **fields,  # type: ignore[arg-type]
    )
    return Incoming(turn, next(_update_ids))


def script(question: str) -> list[dict[str, object]]:
    """Onboarding as a worker without a company code, then a question."""
    return [
        {"command": "start"},
        {"button": callbacks.CONSENT_YES},
        {"button": callbacks.ROLE_WORKER},
        {"button": callbacks.COMPANY_NONE},
        {"text": question},
    ]


class Borrowed:
    """A worker lane lent to a dispatcher: `stop()` must not close the file's shared workers."""

    def __init__(self, lane: WorkerLane) -> None:
        self._lane = lane

    @property
    def max_in_flight(self) -> int:
        return self._lane.max_in_flight

    async def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        return await self._lane.handle_many(batch)

    async def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        await self._lane.set_blocked(channel, user_id, blocked)

    async def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        return await self._lane.housekeeping(now)

    async def warm_up(self) -> None:
        await self._lane.warm_up()

    async def close(self) -> None:
        return None


def dispatcher_over(lanes: Sequence[WorkerLane]) -> TurnDispatcher:
    borrowed: list[EngineLane] = [Borrowed(lane) for lane in lanes]
    return TurnDispatcher(borrowed)


def settings_for(data_dir: Path) -> Settings:
    return load_settings(
        data_dir=data_dir,
        log_level="ERROR",
        privacy=PrivacySettings(pseudonym_key=SecretStr(secrets.token_hex(32))),
    )


@pytest.fixture(scope="module")
def worker_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(tmp_path_factory.mktemp("workers"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def workers(worker_settings: Settings) -> AsyncIterator[list[WorkerLane]]:
    """Two workers on one SQLite file; the first builds the index."""
    lanes = await asyncio.to_thread(start_workers, worker_settings, 2)
    yield lanes
    for lane in lanes:
        await lane.close()


@pytest.fixture(scope="module")
def worker_database(worker_settings: Settings) -> Database:
    return Database.from_url(database_url(worker_settings))


def user_ref(settings: Settings, user_id: int) -> str:
    key = settings.privacy.pseudonym_key
    assert key is not None
    return Pseudonymizer(key.get_secret_value().encode()).user_ref("test", user_id)


def texts_and_labels(outcome: Outcome) -> list[tuple[str, list[str], str | None]]:
    """What a user sees of the replies (button payloads carry ids of each database)."""
    return [
        (reply.text, [button.label for row in reply.buttons for button in row], reply.notice)
        for reply in outcome.replies
    ]


async def converse(
    send: Callable[[Incoming], Awaitable[Outcome]],
    user_id: int,
    question: str,
    start: dt.datetime,
) -> list[Outcome]:
    """Play `script(question)` and press 👍 under the answer, waiting for each reply."""
    outcomes = []
    for step, fields in enumerate(script(question)):
        outcomes.append(await send(incoming(user_id, start + dt.timedelta(seconds=step), **fields)))
    (feedback,) = [
        button.data
        for reply in outcomes[-1].replies
        for row in reply.buttons
        for button in row
        if button.label.startswith("👍")
    ]
    at = start + dt.timedelta(seconds=len(outcomes))
    outcomes.append(await send(incoming(user_id, at, button=feedback)))
    return outcomes


async def test_workers_answer_onboarding_and_a_question_as_the_engine_in_process(
    workers: list[WorkerLane], engine: DialogueEngine
) -> None:
    dispatcher = dispatcher_over(workers)
    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

    async def through_workers(turn: Incoming) -> Outcome:
        async with asyncio.timeout(REQUEST_SECONDS):
            return await dispatcher.handle(turn)

    async def in_process(turn: Incoming) -> Outcome:
        return engine.handle(turn.turn, turn.update_id)

    try:
        # users 10 and 11 land on different workers (user_id % 2)
        remote = await asyncio.gather(
            converse(through_workers, 10, QUESTIONS[0], start),
            converse(through_workers, 11, QUESTIONS[1], start),
        )
    finally:
        await dispatcher.stop()
    local = [
        await converse(in_process, 10, QUESTIONS[0], start),
        await converse(in_process, 11, QUESTIONS[1], start),
    ]
    for worker_outcomes, local_outcomes in zip(remote, local, strict=True):
        assert [texts_and_labels(o) for o in worker_outcomes] == [
            texts_and_labels(o) for o in local_outcomes
        ]
        answer = "\n".join(reply.text for reply in worker_outcomes[-2].replies)
        assert "Fonte:" in answer
        assert worker_outcomes[-1].replies[0].notice == "Grazie del riscontro!"


async def test_set_blocked_housekeeping_and_warm_up_go_through_the_lane(
    workers: list[WorkerLane], worker_settings: Settings, worker_database: Database
) -> None:
    lane = workers[0]
    async with asyncio.timeout(REQUEST_SECONDS):
        await lane.warm_up()  # the readiness check the bot runs before taking updates
    # turns dated years before any other of this file, so housekeeping's counts are exact
    long_ago = dt.datetime(2020, 1, 1, 9, 0, tzinfo=dt.UTC)
    onboarded = await converse(lane_sender(lane), 20, QUESTIONS[0], long_ago)
    (waiting,) = outcomes_of(await lane.handle_many([incoming(22, long_ago, text=QUESTIONS[1])]))
    assert "privacy" in waiting.replies[0].text  # held until consent, which never comes

    async with asyncio.timeout(REQUEST_SECONDS):
        await lane.set_blocked("test", 20, True)
    assert blocked(worker_database, user_ref(worker_settings, 20)) is True
    async with asyncio.timeout(REQUEST_SECONDS):
        await lane.set_blocked("test", 20, False)
    assert blocked(worker_database, user_ref(worker_settings, 20)) is False

    async with asyncio.timeout(REQUEST_SECONDS):
        done = await lane.housekeeping(long_ago + dt.timedelta(days=8))
    assert done == {
        "texts_purged": 0,
        "updates_pruned": len(onboarded) + 1,
        "unconsented_erased": 1,
        "pending_dropped": 0,
        "inactive_erased": 0,
        "log_rows_folded": 0,
        "outbox_pruned": 0,  # test turns are not queued: the terminal and tests print replies
    }
    assert blocked(worker_database, user_ref(worker_settings, 22)) is None  # erased
    assert blocked(worker_database, user_ref(worker_settings, 20)) is False  # consented: kept


def lane_sender(lane: WorkerLane) -> Callable[[Incoming], Awaitable[Outcome]]:
    async def send(turn: Incoming) -> Outcome:
        async with asyncio.timeout(REQUEST_SECONDS):
            (outcome,) = outcomes_of(await lane.handle_many([turn]))
        return outcome

    return send


async def until_sent(lane: WorkerLane, count: int) -> None:
    """Wait until `count` requests are in the worker's pipe, waiting for their answers.

    A request is sent as soon as its task first runs; this yields to the event loop until
    the lane has registered them (its private list of open requests).
    """
    async with asyncio.timeout(REQUEST_SECONDS):
        while len(lane._pending) < count:
            await asyncio.sleep(0)


def outcomes_of(results: Sequence[Outcome | Exception]) -> list[Outcome]:
    for result in results:
        if isinstance(result, Exception):
            raise AssertionError(f"a turn failed in the worker: {result!r}") from result
    return [result for result in results if isinstance(result, Outcome)]


def blocked(database: Database, ref: str) -> bool | None:
    """The user's `blocked` flag, or None when the user does not exist."""
    with database.session() as session:
        user = session.get(User, ref)
        return None if user is None else user.blocked


async def test_two_workers_on_one_sqlite_file_answer_many_users_and_log_each_turn_once(
    workers: list[WorkerLane], worker_settings: Settings, worker_database: Database
) -> None:
    dispatcher = dispatcher_over(workers)
    start = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
    users = range(1000, 1030)
    sent: list[Incoming] = []

    async def send(turn: Incoming) -> Outcome:
        sent.append(turn)
        async with asyncio.timeout(REQUEST_SECONDS):
            return await dispatcher.handle(turn)

    try:
        conversations = await asyncio.gather(
            *(
                # every user on a clock of their own: each turn has a unique timestamp
                converse(send, u, QUESTIONS[u % 3], start + dt.timedelta(minutes=u - 1000))
                for u in users
            )
        )
    finally:
        await dispatcher.stop()

    for outcomes in conversations:
        assert not any(o.ignored for o in outcomes)
        assert "Fatto!" in "\n".join(r.text for r in outcomes[3].replies)
        assert "Fonte:" in "\n".join(r.text for r in outcomes[4].replies)
    refs = {user_ref(worker_settings, u) for u in users}
    times = sorted(turn.turn.at for turn in sent)
    assert len(set(times)) == len(sent) == len(users) * 6
    with worker_database.session() as session:
        logged = sorted(
            session.scalars(
                select(Interaction.at).where(Interaction.at >= start, Interaction.at <= times[-1])
            )
        )
        wanted = {t.update_id for t in sent}
        processed = {
            update_id
            for key in session.scalars(select(ProcessedUpdate.key))
            if (update_id := int(key.split(":")[0])) in wanted
        }
        onboarded = session.scalars(
            select(User.user_ref).where(User.user_ref.in_(refs), User.role == "worker")
        ).all()
        rated = session.scalars(
            select(Interaction.feedback).where(
                Interaction.user_ref.in_(refs), Interaction.feedback.is_not(None)
            )
        ).all()
    # every turn after consent logged, none twice (/start comes before consent: not logged)
    assert logged == sorted(t.turn.at for t in sent if t.turn.command != "start")
    assert len(logged) == len(users) * 5
    assert processed == {t.update_id for t in sent}
    assert set(onboarded) == refs
    assert rated == ["helpful"] * len(users)


async def test_a_worker_that_cannot_build_the_desk_fails_the_start_with_its_reason(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "no-entries"
    empty.mkdir()
    settings = settings_for(tmp_path / "data")
    broken = settings.model_copy(
        update={
            "knowledge": KnowledgeSettings(
                base_dir=empty, topics_file=settings.knowledge.topics_file
            )
        }
    )
    children = {child.pid for child in multiprocessing.active_children()}
    with pytest.raises(Exception) as raised:  # of whatever type: the message is what matters
        await asyncio.wait_for(asyncio.to_thread(start_workers, broken, 2), REQUEST_SECONDS)
    message = str(raised.value)
    assert "no entry files" in message and str(empty) in message, message
    # the worker that failed is gone, and the second one was never started
    assert {child.pid for child in multiprocessing.active_children()} == children


async def test_a_killed_worker_fails_its_requests_in_flight_and_the_next_request_restarts_it(
    workers: list[WorkerLane],
) -> None:
    lane = workers[0]
    at = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)
    await lane_sender(lane)(incoming(30, at, command="aiuto"))  # running, whatever came before
    process = lane._process
    assert process is not None and process.pid is not None and process.is_alive()
    os.kill(process.pid, signal.SIGSTOP)  # it cannot answer what it is sent from now on
    try:
        in_flight = [
            asyncio.create_task(lane.handle_many([incoming(30, at, command="menu")])),
            asyncio.create_task(lane.handle_many([incoming(32, at, text=QUESTIONS[0])])),
        ]
        await until_sent(lane, len(in_flight))
    finally:
        os.kill(process.pid, signal.SIGKILL)
    async with asyncio.timeout(REQUEST_SECONDS):
        failed = await asyncio.gather(*in_flight, return_exceptions=True)
    assert all(isinstance(f, WorkerError) for f in failed), failed
    assert "died" in str(failed[0])

    after = await lane_sender(lane)(incoming(30, at, command="aiuto"))
    assert after.replies and not after.ignored
    assert lane._process is not None and lane._process.pid != process.pid
    assert not process.is_alive() and process.exitcode == -signal.SIGKILL


async def test_close_lets_the_worker_finish_and_stops_its_process(
    workers: list[WorkerLane],
) -> None:
    lane = workers[1]
    at = dt.datetime(2027, 7, 1, 9, 0, tzinfo=dt.UTC)
    await lane_sender(lane)(incoming(41, at, command="aiuto"))  # running, whatever came before
    process = lane._process
    assert process is not None and process.is_alive()
    last = asyncio.create_task(lane.handle_many([incoming(43, at, command="menu")]))
    await until_sent(lane, 1)  # the request enters the pipe before close() does
    async with asyncio.timeout(REQUEST_SECONDS):
        await lane.close()
        (outcome,) = outcomes_of(await last)
    assert outcome.replies  # answered before the worker stopped
    assert not process.is_alive() and process.exitcode == 0  # it ended on its own

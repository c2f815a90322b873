"""The engine in a worker process: a real process built from `Settings`, called through
`EngineProcess` as the engine itself is, alone or behind a `TurnDispatcher`.

Starting a worker costs seconds (model, index, intent classifier), so the file shares one
worker and one event loop; tests that need a worker of their own (a broken one) pay for it.
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
from typing import TypeVar

import pytest
import pytest_asyncio
from pydantic import SecretStr
from sqlalchemy import select

from handlers import (
    DialogueEngine,
    Incoming,
    Outcome,
    Pseudonymizer,
    Turn,
    TurnDispatcher,
    callbacks,
)
from sportello.desk import database_url
from sportello.settings import KnowledgeSettings, PrivacySettings, Settings, load_settings
from sportello.workers import EngineProcess, WorkerError
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
async def worker(worker_settings: Settings) -> AsyncIterator[EngineProcess]:
    started = EngineProcess(worker_settings)
    await asyncio.to_thread(started.start)
    yield started
    await asyncio.to_thread(started.close)


T = TypeVar("T")


async def call(function: Callable[..., T], *args: object) -> T:
    """A blocking worker call, made from the event loop as the dispatcher makes it, bounded."""
    async with asyncio.timeout(REQUEST_SECONDS):
        return await asyncio.to_thread(function, *args)


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


def worker_sender(worker: EngineProcess) -> Callable[[Incoming], Awaitable[Outcome]]:
    async def send(turn: Incoming) -> Outcome:
        (outcome,) = outcomes_of(await call(worker.handle_many, [turn]))
        return outcome

    return send


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


async def test_the_worker_answers_onboarding_and_a_question_as_the_engine_in_process(
    worker: EngineProcess, engine: DialogueEngine
) -> None:
    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

    async def in_process(turn: Incoming) -> Outcome:
        return engine.handle(turn.turn, turn.update_id)

    remote = [
        await converse(worker_sender(worker), 10, QUESTIONS[0], start),
        await converse(worker_sender(worker), 11, QUESTIONS[1], start),
    ]
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


async def test_set_blocked_housekeeping_and_warm_up_reach_the_worker(
    worker: EngineProcess, worker_settings: Settings, worker_database: Database
) -> None:
    await call(worker.warm_up)  # the readiness check the bot runs before taking updates
    # turns dated years before any other of this file, so housekeeping's counts are exact
    long_ago = dt.datetime(2020, 1, 1, 9, 0, tzinfo=dt.UTC)
    onboarded = await converse(worker_sender(worker), 20, QUESTIONS[0], long_ago)
    (waiting,) = outcomes_of(
        await call(worker.handle_many, [incoming(22, long_ago, text=QUESTIONS[1])])
    )
    assert "privacy" in waiting.replies[0].text  # held until consent, which never comes
    await call(worker.set_blocked, "test", 20, True)
    assert blocked(worker_database, user_ref(worker_settings, 20)) is True
    await call(worker.set_blocked, "test", 20, False)
    assert blocked(worker_database, user_ref(worker_settings, 20)) is False
    done = await call(worker.housekeeping, long_ago + dt.timedelta(days=8))
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


async def test_many_users_through_a_dispatcher_and_the_worker_log_each_turn_once(
    worker: EngineProcess, worker_settings: Settings, worker_database: Database
) -> None:
    dispatcher = TurnDispatcher(worker)
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
        await call(EngineProcess(broken).start)
    message = str(raised.value)
    assert "no entry files" in message and str(empty) in message, message
    assert {child.pid for child in multiprocessing.active_children()} == children  # gone


async def test_a_killed_worker_fails_the_call_under_way_and_the_next_call_restarts_it(
    worker: EngineProcess,
) -> None:
    at = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)
    await worker_sender(worker)(incoming(30, at, command="aiuto"))  # running
    process = worker._process
    assert process is not None and process.pid is not None and process.is_alive()
    os.kill(process.pid, signal.SIGSTOP)  # it cannot answer what it is sent from now on
    try:
        in_flight = asyncio.create_task(
            call(worker.handle_many, [incoming(32, at, text=QUESTIONS[0])])
        )
        await asyncio.sleep(0.5)  # the call is in the pipe, waiting for its answer
        assert not in_flight.done()
    finally:
        os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(WorkerError, match="died"):
        await in_flight
    after = await worker_sender(worker)(incoming(30, at, command="aiuto"))
    assert after.replies and not after.ignored
    assert worker._process is not None and worker._process.pid != process.pid
    assert not process.is_alive() and process.exitcode == -signal.SIGKILL


async def test_close_lets_the_worker_finish_its_call_and_stops_its_process(
    worker_settings: Settings,
) -> None:
    own = EngineProcess(worker_settings, name="engine-closing")
    await call(own.start)
    process = own._process
    assert process is not None and process.is_alive()
    at = dt.datetime(2027, 7, 1, 9, 0, tzinfo=dt.UTC)
    last = asyncio.create_task(call(own.handle_many, [incoming(43, at, command="menu")]))
    await asyncio.sleep(0.2)  # the call enters the pipe before close() does
    await call(own.close)
    (outcome,) = outcomes_of(await last)
    assert outcome.replies  # answered before the worker stopped
    assert not process.is_alive() and process.exitcode == 0  # it ended on its own

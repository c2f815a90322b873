"""`sportello run` as deployed: its own process, polling the loopback Bot API stand-in, with
the engine in a worker process of its own (the default) and in a thread of the bot; then
SIGTERM, as a service manager stops it. Its log, at DEBUG, holds neither the token nor what
the user wrote nor who they are. Then kill -9 of every process of the desk in the middle of an
outage."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.render import to_html
from handlers import callbacks, texts
from storage import Database, outbox_status
from tests.botapi_standin import (
    TOKEN,
    BotApiStandIn,
    callback_update,
    free_port,
    message_update,
)

ROOT = Path(__file__).resolve().parents[2]
USER = 7350412968  # a Telegram id that no timestamp or pid in the log spells by chance
QUESTION = "posso farmi rimborsare la retta dell'asilo nido?"

HELP = texts.HELP.format(
    commands="\n".join(f"- /{name} — {summary}" for name, summary in texts.COMMAND_DESCRIPTIONS)
)
"""What /aiuto answers (handlers/flows/menu.py)."""
pytestmark = pytest.mark.integration

START_SECONDS = 300
"""A bound on the desk's start: seconds alone, minutes on a machine other jobs keep busy."""
PLACEMENTS = pytest.mark.parametrize("processes", ["0", "1"], ids=["thread", "worker"])
"""`workers.processes`: the engine in a thread of the bot, or in a worker process."""


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
            found += [int(child) for child in handle.read().split()]
    return found


def alive(pid: int) -> bool:
    """True for a running process (a zombie awaiting its parent counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@PLACEMENTS
async def test_sportello_run_serves_a_conversation_and_stops_cleanly(
    cli_env: dict[str, str], tmp_path: Path, processes: str
) -> None:
    standin = BotApiStandIn(free_port())
    await standin.start()
    env = {
        **os.environ,
        **cli_env,
        "SPORTELLO__TELEGRAM__TOKEN": TOKEN,
        "SPORTELLO__TELEGRAM__BASE_URL": standin.base_url,
        "SPORTELLO__TELEGRAM__BASE_FILE_URL": standin.base_file_url,
        "SPORTELLO__TELEGRAM__POLL_TIMEOUT": "1",
        "SPORTELLO__DATABASE__URL": f"sqlite:///{Path(cli_env['SPORTELLO__DATA_DIR'])}/run.db",
        "SPORTELLO__LOG_LEVEL": "DEBUG",
        "SPORTELLO__WORKERS__PROCESSES": processes,
    }
    log = (tmp_path / "stderr.log").open("w+", encoding="utf-8")
    bot = subprocess.Popen(
        [sys.executable, "-m", "sportello.cli", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    try:
        async with asyncio.timeout(START_SECONDS):  # model, index, classifier load first
            while standin.polls == 0:
                assert bot.poll() is None, (tmp_path / "stderr.log").read_text("utf-8")
                await asyncio.sleep(0.1)
        workers = children_of(bot.pid)
        assert bool(workers) == (processes == "1"), workers

        standin.queue_update(message_update(USER, "/start"))
        for count, data in (
            (1, callbacks.CONSENT_YES),
            (2, callbacks.ROLE_WORKER),
            (3, callbacks.COMPANY_NONE),
        ):
            await standin.wait_messages(USER, count)
            standin.queue_update(callback_update(USER, data))
        await standin.wait_messages(USER, 4)
        question = standin.queue_update(message_update(USER, QUESTION))
        standin.queue_update(question)  # delivered twice, as Telegram does after a timeout
        answer = (await standin.wait_messages(USER, 5))[-1]
        assert "Fonte:" in answer.params["text"] and "nido" in answer.params["text"].lower()
        await asyncio.sleep(1.0)  # a second answer to the repeated update would arrive now
        assert len(standin.messages_for(USER)) == 5

        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(asyncio.to_thread(bot.wait), timeout=30)
        assert bot.returncode == 0
        async with asyncio.timeout(10):  # multiprocessing's helpers notice the exit at once
            while any(alive(worker) for worker in workers):
                await asyncio.sleep(0.05)
        output = (tmp_path / "stderr.log").read_text("utf-8")
        assert "turn handled" in output  # the engine's DEBUG/INFO lines are there
        for trace in (TOKEN, TOKEN.split(":", 1)[1], str(USER), QUESTION, "retta"):
            assert trace not in output, trace
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        log.close()
        await standin.stop()


def start_desk(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sportello.cli", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


async def wait_for_polling(standin: BotApiStandIn, bot: subprocess.Popen[str]) -> None:
    polls = standin.polls
    async with asyncio.timeout(START_SECONDS):  # model, index, classifier load first
        while standin.polls == polls:
            assert bot.poll() is None, "the desk exited while starting"
            await asyncio.sleep(0.1)


def pending_rows(url: str) -> int:
    database = Database.from_url(url)
    try:
        with database.session() as session:
            return outbox_status(session)["pending"]
    finally:
        database.dispose()


@PLACEMENTS
async def test_kill_9_of_every_desk_process_loses_and_duplicates_no_reply(
    cli_env: dict[str, str], tmp_path: Path, processes: str
) -> None:
    """Telegram is down while people write; every process of the desk is killed with replies
    committed but not sent and updates in flight; after a restart each person gets each reply
    once, in order."""
    standin = BotApiStandIn(free_port())
    await standin.start()
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    env = {
        **os.environ,
        **cli_env,
        "SPORTELLO__TELEGRAM__TOKEN": TOKEN,
        "SPORTELLO__TELEGRAM__BASE_URL": standin.base_url,
        "SPORTELLO__TELEGRAM__BASE_FILE_URL": standin.base_file_url,
        "SPORTELLO__TELEGRAM__POLL_TIMEOUT": "1",
        "SPORTELLO__DATABASE__URL": url,
        "SPORTELLO__WORKERS__PROCESSES": processes,
    }
    people = [6100 + n for n in range(20)]
    bot = start_desk(env)
    try:
        await wait_for_polling(standin, bot)

        async def onboard(person: int) -> None:
            standin.queue_update(message_update(person, "/start"))
            for count, data in (
                (1, callbacks.CONSENT_YES),
                (2, callbacks.ROLE_WORKER),
                (3, callbacks.COMPANY_NONE),
            ):
                await standin.wait_messages(person, count)
                standin.queue_update(callback_update(person, data))
            await standin.wait_messages(person, 4)

        await asyncio.gather(*(onboard(person) for person in people))
        async with asyncio.timeout(30):  # every onboarding message recorded as sent
            while await asyncio.to_thread(pending_rows, url) > 0:
                await asyncio.sleep(0.1)
        standin.fail_for(600, 502)  # Telegram is down from now on
        for person in people:
            standin.queue_update(message_update(person, "/menu"))
            standin.queue_update(message_update(person, "/aiuto"))
        async with asyncio.timeout(60):
            while await asyncio.to_thread(pending_rows, url) < 2 * len(people):
                await asyncio.sleep(0.1)
        desk_processes = [bot.pid, *children_of(bot.pid)]
        assert (len(desk_processes) > 1) == (processes == "1"), desk_processes
        for person in people:  # updates in flight at the kill: fetched, perhaps handled
            standin.queue_update(message_update(person, "/menu"))
        await asyncio.sleep(0.05)
        for pid in desk_processes:
            os.kill(pid, signal.SIGKILL)
        await asyncio.to_thread(bot.wait)
        await asyncio.sleep(0.5)  # requests the dead process had already sent meet the outage
        standin.heal()
        for person in people:  # written while the desk was down
            standin.queue_update(message_update(person, "/privacy"))

        bot = start_desk(env)
        await wait_for_polling(standin, bot)
        for person in people:
            await standin.wait_messages(person, 8)
        await asyncio.sleep(1.5)  # a reply sent twice would arrive now
        menu, helps = to_html(texts.MENU), to_html(HELP)
        for person in people:
            received = [call.params["text"] for call in standin.messages_for(person)[4:]]
            assert received[:3] == [menu, helps, menu]
            assert len(received) == 4 and "dati" in received[3]  # the privacy notice
        assert pending_rows(url) == 0
    finally:
        if bot.poll() is None:
            bot.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.to_thread(bot.wait), timeout=30)
            except TimeoutError:
                bot.kill()
                bot.wait()
        await standin.stop()

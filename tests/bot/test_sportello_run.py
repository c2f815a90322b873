"""`sportello run` as deployed: its own process, default settings (one engine worker process),
polling the loopback Bot API stand-in; then SIGTERM, as a service manager stops it. Its log,
at DEBUG, holds neither the token nor what the user wrote nor who they are."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from handlers import callbacks
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

pytestmark = pytest.mark.integration


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


async def test_sportello_run_serves_a_conversation_and_stops_cleanly(
    cli_env: dict[str, str], tmp_path: Path
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
        async with asyncio.timeout(120):  # model, index and classifier load in the worker
            while standin.polls == 0:
                assert bot.poll() is None, (tmp_path / "stderr.log").read_text("utf-8")
                await asyncio.sleep(0.1)
        workers = children_of(bot.pid)
        assert workers, "the engine runs in a worker process of its own"

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
        assert "turn handled" in output  # the engine worker's DEBUG/INFO lines are there
        for trace in (TOKEN, TOKEN.split(":", 1)[1], str(USER), QUESTION, "retta"):
            assert trace not in output, trace
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        log.close()
        await standin.stop()

"""Escalation latency: a worker's request to the card in the managers' chat, and a manager's
answer to the worker, through the desk as deployed.

    .venv/bin/python bench/escalation_bench.py [--users 5] [--rounds 4] [--replies 5] [--plain]
                                               [--out bench/results/escalation_bench.md]

This process runs the loopback Bot API stand-in (with a forum supergroup for the managers,
or a plain one with --plain) and plays the people; the desk runs in a separate process
(`sportello run`, polling, SQLite, default settings plus `escalation.managers_chat_id`), with
one network manager registered through `sportello managers add`. Light load, as the Telegram
benchmark's: `--users` workers at once, `--rounds` times. Each worker onboards, asks for a
person and confirms; timed from the last confirmation (the "Salta" that opens the ticket) to
the card accepted by the stand-in in the managers' chat (topic creation included). Then the
manager answers `--replies` times in the ticket's topic (or in reply to its card); timed from
the manager's message queued to the answer accepted in the worker's chat.

The bot keeps to Telegram's 20 messages a minute per group (`telegram.group_max_rate`), so 20
tickets in a minute queue behind that cap; `--group-max-rate 1000` shows the desk's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from handlers import callbacks  # noqa: E402
from handlers.flows import handoff  # noqa: E402
from knowledge.evaluation import percentile  # noqa: E402
from tests.botapi_standin import (  # noqa: E402
    TOKEN,
    BotApiStandIn,
    Call,
    callback_update,
    free_port,
    message_update,
)

GROUP = -1009001
CHAT = {"id": GROUP, "type": "supergroup", "title": "Welfare manager"}
MANAGER = 900
FIRST_USER = 800_000
_NUMBER = re.compile(r"n\. (\d+)")


def desk_env(port: int, data: Path, group_max_rate: float | None) -> dict[str, str]:
    extra = (
        {}
        if group_max_rate is None
        else {"SPORTELLO__TELEGRAM__GROUP_MAX_RATE": str(group_max_rate)}
    )
    return {
        **extra,
        **os.environ,
        "SPORTELLO__LOG_LEVEL": "WARNING",
        "SPORTELLO__DATA_DIR": str(data),
        "SPORTELLO__TELEGRAM__TOKEN": TOKEN,
        "SPORTELLO__TELEGRAM__BASE_URL": f"http://127.0.0.1:{port}/bot",
        "SPORTELLO__TELEGRAM__BASE_FILE_URL": f"http://127.0.0.1:{port}/file/bot",
        "SPORTELLO__TELEGRAM__POLL_TIMEOUT": "1",
        "SPORTELLO__ESCALATION__MANAGERS_CHAT_ID": str(GROUP),
    }


class People:
    def __init__(self, standin: BotApiStandIn, forum: bool) -> None:
        self.standin = standin
        self.forum = forum
        self.to_card: list[float] = []
        self.to_worker: list[float] = []

    async def card_for(self, number: int) -> Call:
        needle = f"Richiesta n. {number}**"
        plain = f"Richiesta n. {number}</b>"

        def card(calls: list[Call]) -> Call | None:
            for call in self.standin.messages_for(GROUP):
                text = str(call.params.get("text", ""))
                if needle in text or plain in text:
                    return call
            return None

        await self.standin.wait_for(lambda calls: card(calls) is not None, timeout=60)
        found = card([])
        assert found is not None
        return found

    async def worker(self, chat_id: int, replies: int) -> None:
        standin = self.standin
        standin.queue_update(message_update(chat_id, "/start"))
        for count, data in (
            (1, callbacks.CONSENT_YES),
            (2, callbacks.ROLE_WORKER),
            (3, callbacks.COMPANY_NONE),
        ):
            await standin.wait_messages(chat_id, count, timeout=120)
            standin.queue_update(callback_update(chat_id, data))
        await standin.wait_messages(chat_id, 4, timeout=120)
        standin.queue_update(message_update(chat_id, "/operatore"))
        await standin.wait_messages(chat_id, 5, timeout=120)
        standin.queue_update(callback_update(chat_id, callbacks.make("handoff", "confirm", "yes")))
        await standin.wait_messages(chat_id, 6, timeout=120)
        queued = time.perf_counter()
        standin.queue_update(callback_update(chat_id, callbacks.make(handoff.FLOW, "note", "skip")))
        opened = (await standin.wait_messages(chat_id, 7, timeout=120))[6]
        match = _NUMBER.search(str(opened.params["text"]))
        assert match is not None, opened.params["text"]
        card = await self.card_for(int(match.group(1)))
        self.to_card.append((card.at - queued) * 1000)
        where: dict[str, Any] = {"chat": CHAT}
        if self.forum:
            where.update(message_thread_id=card.params["message_thread_id"], is_topic_message=True)
        else:
            where["reply_to_message"] = {
                "message_id": card.result["message_id"],
                "date": 0,
                "chat": CHAT,
                "text": "…",
            }
        received = 7
        for n in range(replies):
            queued = time.perf_counter()
            standin.queue_update(message_update(MANAGER, f"risposta {n} per {chat_id}", **where))
            received += 1
            calls = await standin.wait_messages(chat_id, received, timeout=120)
            self.to_worker.append((calls[received - 1].at - queued) * 1000)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    standin = BotApiStandIn(port)
    standin.add_group(GROUP, forum=not args.plain)
    await standin.start()
    with tempfile.TemporaryDirectory(prefix="escalation-bench-") as scratch:
        env = desk_env(port, Path(scratch), args.group_max_rate)
        subprocess.run(
            [sys.executable, "-m", "sportello.cli", "managers", "add", "--telegram-id",
             str(MANAGER), "--name", "Anna Rossi"],
            env=env, cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-m", "sportello.cli", "run"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while standin.polls == 0:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read() if process.stderr else ""
                    raise RuntimeError(f"the desk did not start: {error}")
                await asyncio.sleep(0.1)
            people = People(standin, forum=not args.plain)
            started = time.perf_counter()
            for round_ in range(args.rounds):
                first = FIRST_USER + round_ * args.users
                chats = range(first, first + args.users)
                await asyncio.gather(*(people.worker(c, args.replies) for c in chats))
            elapsed = time.perf_counter() - started
            await asyncio.sleep(1.0)
            workers = range(FIRST_USER, FIRST_USER + args.rounds * args.users)
            duplicates = sum(
                _times_received(standin, chat, f"risposta {n} per {chat}") - 1
                for chat in workers
                for n in range(args.replies)
            )
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            if process.poll() is None:
                process.kill()
            await standin.stop()
    to_card, to_worker = sorted(people.to_card), sorted(people.to_worker)
    return {
        "tickets": len(to_card),
        "relays": len(to_worker),
        "seconds": elapsed,
        "card_p50": percentile(to_card, 50),
        "card_p95": percentile(to_card, 95),
        "worker_p50": percentile(to_worker, 50),
        "worker_p95": percentile(to_worker, 95),
        "duplicates": duplicates,
    }


def _times_received(standin: BotApiStandIn, chat: int, text: str) -> int:
    return sum(text in str(m.params.get("text")) for m in standin.messages_for(chat))


def report(args: argparse.Namespace, figures: dict[str, Any]) -> str:
    load = os.getloadavg()
    kind = (
        "plain supergroup (replies to the card)"
        if args.plain
        else "forum supergroup (a topic per ticket)"
    )
    rate = (
        "the desk's default, 20 messages/min per group (Telegram's limit)"
        if args.group_max_rate is None
        else f"{args.group_max_rate:g} messages/min per group"
    )
    card = f"{figures['card_p50']:.0f} ms | {figures['card_p95']:.0f} ms"
    worker = f"{figures['worker_p50']:.0f} ms | {figures['worker_p95']:.0f} ms"
    return "\n".join(
        [
            "# Escalation latency (bench/escalation_bench.py)",
            "",
            f"`sportello run` (polling, SQLite, 1 engine worker) against the loopback stand-in;"
            f" managers' chat: {kind}. {args.users} workers at once, {args.rounds} rounds:"
            f" {figures['tickets']} tickets, {figures['relays']} manager answers."
            f" Group send cap: {rate}.",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other work"
            f" (load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end).",
            "",
            "| path | p50 | p95 |",
            "|---|---|---|",
            f"| worker's last confirmation → card in the managers' chat | {card} |",
            f"| manager's message → answer in the worker's chat | {worker} |",
            "",
            f"Answers delivered twice: {figures['duplicates']}."
            f" Whole run: {figures['seconds']:.1f} s.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--replies", type=int, default=5)
    parser.add_argument("--plain", action="store_true", help="a supergroup without topics")
    parser.add_argument(
        "--group-max-rate",
        type=float,
        default=None,
        help="messages/min the bot sends to one group (default: the desk's 20, Telegram's limit)",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    text = report(args, figures)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

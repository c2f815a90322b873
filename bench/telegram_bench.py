"""Telegram path benchmark: the desk's bot and a bare PTB echo bot, same load, same run.

    .venv/bin/python bench/telegram_bench.py [--runs N] [--out FILE] [--bots a,b] [--faults-only]

This process runs the loopback Bot API stand-in and plays the users; the bot under test runs
in a separate process (`sportello run`, polling, SQLite, default settings), exactly as
deployed. Each user sends questions one after another, waiting for the answer, as people do;
many users at once make the load (three levels: 1, 5 and 100 users at once). Reported:
sustained updates/s, latency from update queued to first reply received (p50/p95), and
whether every update got exactly the replies it should — the expected replies come from a
dry run of the same engine in this process before the timed phase.

Bots compared in the same run: a bare PTB echo bot as shipped (httpx underneath), the same
echo bot on the desk's aiohttp client, the desk as configured, the desk without its
query-vector cache (every message goes through the encoder), and, under heavy load only,
the desk with the engine in a thread of the bot process and the desk on PTB's httpx client,
to show what each design choice is worth. Heavy load is repeated `--runs` times (the machine
is shared and figures move by ±20 %): the table gives the median and the range.

The stand-in imposes no flood limits; against it the bot applies none of its own either
(`overall_max_rate` caps only traffic to api.telegram.org).

Fault run (the desk only): 50 onboarded users each send a question while the Bot API answers
502 to every send for 3 seconds, then again while it drops every send's connection without an
answer for 3 seconds. Printed: replies lost and replies duplicated (both must be 0) and how
long after the window opened the last reply arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from handlers import callbacks  # noqa: E402
from knowledge import read_labelled_queries  # noqa: E402
from knowledge.evaluation import percentile  # noqa: E402
from tests.botapi_standin import (  # noqa: E402
    TOKEN,
    BotApiStandIn,
    callback_update,
    free_port,
    message_update,
)

QUESTIONS = ROOT / "bench/data/heldout_queries.tsv"
FIRST_USER = 700_000


def expected_replies(questions: list[str], data_dir: Path) -> list[int]:
    """How many messages the engine answers each question with, for an onboarded worker."""
    from handlers import Turn
    from sportello.desk import build_desk
    from sportello.settings import load_settings

    settings = load_settings(data_dir=data_dir)
    desk = build_desk(settings)
    base = Turn(channel="test", user_id=1, chat_id=1, at=dt.datetime.now(dt.UTC))
    desk.engine.handle(replace(base, command="start"))
    for button in (callbacks.CONSENT_YES, callbacks.ROLE_WORKER, callbacks.COMPANY_NONE):
        desk.engine.handle(replace(base, button=button))
    counts = []
    for question in questions:
        outcome = desk.engine.handle(replace(base, text=question))
        counts.append(len([r for r in outcome.replies if not r.notice]))
    desk.close()
    return counts


class Load:
    def __init__(self, standin: BotApiStandIn, questions: list[str], expected: list[int]) -> None:
        self.standin = standin
        self.questions = questions
        self.expected = expected
        self.latencies: list[float] = []

    async def onboard(self, chat_id: int) -> None:
        self.standin.queue_update(message_update(chat_id, "/start"))
        for count, data in (
            (1, callbacks.CONSENT_YES),
            (2, callbacks.ROLE_WORKER),
            (3, callbacks.COMPANY_NONE),
        ):
            await self.standin.wait_messages(chat_id, count)
            self.standin.queue_update(callback_update(chat_id, data))
        await self.standin.wait_messages(chat_id, 4)

    async def user(self, chat_id: int, picks: list[int], echo: bool) -> None:
        received = len(self.standin.messages_for(chat_id))
        for index in picks:
            queued = time.perf_counter()
            self.standin.queue_update(message_update(chat_id, self.questions[index]))
            received += 1 if echo else self.expected[index]
            calls = await self.standin.wait_messages(chat_id, received, timeout=120)
            first_new = calls[received - (1 if echo else self.expected[index])]
            self.latencies.append((first_new.at - queued) * 1000)


BOTS: dict[str, dict[str, str]] = {
    "echo": {},
    "echo-aiohttp": {},
    "desk": {},
    "desk-nocache": {"SPORTELLO__RETRIEVAL__EMBEDDING_CACHE_SIZE": "0"},
    "desk-thread": {"SPORTELLO__WORKERS__PROCESSES": "0"},
    "desk-httpx": {"SPORTELLO__TELEGRAM__HTTP_CLIENT": "httpx"},
}
"""Each bot under test and the settings it differs by from the desk's defaults."""


def bot_command(name: str, port: int, scratch: Path) -> tuple[list[str], dict[str, str]]:
    base_url = f"http://127.0.0.1:{port}/bot"
    env = {**os.environ, "SPORTELLO__LOG_LEVEL": "WARNING"}
    if name.startswith("echo"):
        command = [sys.executable, str(ROOT / "bench/echo_bot.py"), base_url, TOKEN]
        return command + (["--aiohttp"] if name == "echo-aiohttp" else []), env
    return [sys.executable, "-m", "sportello.cli", "run"], {
        **env,
        **BOTS[name],
        "SPORTELLO__DATA_DIR": str(scratch / "desk"),
        "SPORTELLO__TELEGRAM__TOKEN": TOKEN,
        "SPORTELLO__TELEGRAM__BASE_URL": base_url,
        "SPORTELLO__TELEGRAM__BASE_FILE_URL": f"http://127.0.0.1:{port}/file/bot",
        "SPORTELLO__TELEGRAM__POLL_TIMEOUT": "1",
    }


async def run_phase(
    name: str,
    scratch: Path,
    users: int,
    per_user: int,
    questions: list[str],
    expected: list[int],
) -> dict[str, float]:
    port = free_port()
    standin = BotApiStandIn(port)
    await standin.start()
    command, env = bot_command(name, port, scratch)
    echo = name.startswith("echo")
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 180
        while standin.polls == 0:
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read() if process.stderr else ""
                raise RuntimeError(f"{name} bot did not start: {error}")
            await asyncio.sleep(0.1)
        load = Load(standin, questions, expected)
        chats = [FIRST_USER + n for n in range(users)]
        if not echo:
            await asyncio.gather(*(load.onboard(c) for c in chats))
        picks = [
            [(u * per_user + m) % len(questions) for m in range(per_user)] for u in range(users)
        ]
        before = {c: len(standin.messages_for(c)) for c in chats}
        started = time.perf_counter()
        await asyncio.gather(*(load.user(c, p, echo) for c, p in zip(chats, picks, strict=True)))
        elapsed = time.perf_counter() - started
        await asyncio.sleep(1.0)  # anything sent twice would arrive now
        extra = sum(
            len(standin.messages_for(c)) - before[c] - sum(1 if echo else expected[i] for i in p)
            for c, p in zip(chats, picks, strict=True)
        )
        load.latencies.sort()
        return {
            "updates": users * per_user,
            "seconds": elapsed,
            "rate": users * per_user / elapsed,
            "p50": percentile(load.latencies, 50),
            "p95": percentile(load.latencies, 95),
            "extra_messages": extra,
        }
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            process.kill()
        await standin.stop()


FAULT_USERS = 50
FAULT_SECONDS = 3.0
FAULTS = ("502", "drop")


async def fault_phase(
    kind: str, scratch: Path, questions: list[str], expected: list[int]
) -> dict[str, float]:
    """One outage window while `FAULT_USERS` questions are being answered."""
    port = free_port()
    standin = BotApiStandIn(port)
    await standin.start()
    command, env = bot_command("desk", port, scratch)
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 180
        while standin.polls == 0:
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read() if process.stderr else ""
                raise RuntimeError(f"desk did not start: {error}")
            await asyncio.sleep(0.1)
        load = Load(standin, questions, expected)
        chats = [FIRST_USER + n for n in range(FAULT_USERS)]
        await asyncio.gather(*(load.onboard(c) for c in chats))
        before = {c: len(standin.messages_for(c)) for c in chats}
        picks = {c: n % len(questions) for n, c in enumerate(chats)}
        if kind == "drop":
            standin.drop_for(FAULT_SECONDS)
        else:
            standin.fail_for(FAULT_SECONDS, int(kind))
        started = time.perf_counter()
        for chat in chats:
            standin.queue_update(message_update(chat, questions[picks[chat]]))
        wanted = {c: before[c] + expected[picks[c]] for c in chats}
        with contextlib.suppress(TimeoutError):
            await asyncio.gather(*(standin.wait_messages(c, wanted[c], timeout=60) for c in chats))
        recovered = time.perf_counter() - started
        await asyncio.sleep(2.0)  # anything sent twice would arrive now
        got = {c: len(standin.messages_for(c)) for c in chats}
        return {
            "users": FAULT_USERS,
            "faults": standin.faults,
            "lost": sum(max(0, wanted[c] - got[c]) for c in chats),
            "duplicated": sum(max(0, got[c] - wanted[c]) for c in chats),
            "seconds": recovered,
        }
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            process.kill()
        await standin.stop()


LEVELS = {"light": (1, 170), "busy": (5, 40), "heavy": (100, 20)}
"""Load levels: (users at once, questions each). One user gives the handling latency of a
quiet desk (each of the 170 questions once, so none is cached); heavy load (2,000 messages)
gives the sustained throughput."""

EVERY_LEVEL = ("echo", "echo-aiohttp", "desk", "desk-nocache")
HEAVY_ONLY = ("desk-thread", "desk-httpx")

Result = dict[str, float]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the heavy level")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/telegram_bench.md")
    parser.add_argument(
        "--bots", help="comma-separated bots to compare (default: all); echo and desk are needed"
    )
    parser.add_argument("--faults-only", action="store_true", help="only the fault run")
    parser.add_argument("--no-faults", action="store_true", help="skip the fault run")
    parser.add_argument("--levels", help="comma-separated load levels (default: all)")
    args = parser.parse_args()
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)  # the fault run's 502s
    chosen = set(args.bots.split(",")) if args.bots else set(BOTS)
    questions = [q.text for q in read_labelled_queries(QUESTIONS)]
    scratch = Path(tempfile.mkdtemp(prefix="sportello-bench-"))
    try:
        expected = expected_replies(questions, scratch / "dry")
        faults: dict[str, Result] = {}
        for kind in () if args.no_faults else FAULTS:
            f = asyncio.run(fault_phase(kind, scratch, questions, expected))
            faults[kind] = f
            print(
                f"fault {kind} for {FAULT_SECONDS:.0f} s, {f['users']:.0f} users waiting:"
                f" replies lost {f['lost']:.0f}, duplicated {f['duplicated']:.0f},"
                f" sends refused by the fault {f['faults']:.0f}, last reply after"
                f" {f['seconds']:.1f} s",
                flush=True,
            )
            shutil.rmtree(scratch / "desk", ignore_errors=True)
        if args.faults_only:
            return
        results: dict[tuple[str, str], list[Result]] = {}
        levels = args.levels.split(",") if args.levels else list(LEVELS)
        for level, (users, per_user) in LEVELS.items():
            if level not in levels:
                continue
            bots = EVERY_LEVEL + HEAVY_ONLY if level == "heavy" else EVERY_LEVEL
            for run in range(args.runs if level == "heavy" else 1):
                for name in (b for b in bots if b in chosen):
                    r = asyncio.run(run_phase(name, scratch, users, per_user, questions, expected))
                    results.setdefault((level, name), []).append(r)
                    print(
                        f"{level} {name} (run {run + 1}): {r['updates']:.0f} updates in"
                        f" {r['seconds']:.1f} s = {r['rate']:.0f}/s, latency p50 {r['p50']:.1f}"
                        f" ms p95 {r['p95']:.1f} ms, extra messages {r['extra_messages']:.0f}",
                        flush=True,
                    )
                    shutil.rmtree(scratch / "desk", ignore_errors=True)
        ratios = [
            desk["rate"] / echo["rate"]
            for desk, echo in zip(
                results.get(("heavy", "desk"), []), results.get(("heavy", "echo"), []), strict=True
            )
        ]
        if ratios:
            print(f"desk / echo throughput ratio under heavy load: {statistics.median(ratios):.2f}")
        write_report(args.out, results, ratios, faults)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_report(
    out: Path,
    results: dict[tuple[str, str], list[Result]],
    ratios: list[float],
    faults: dict[str, Result],
) -> None:
    lines = [
        f"# Telegram path benchmark ({dt.date.today()}, {os.cpu_count()} cores)",
        "",
        "Each user waits for the answer before the next question; the bot runs in its own",
        "process (the desk: `sportello run`, default settings, SQLite), polling a loopback Bot",
        "API stand-in that also plays the users — all on the same 2 cores.",
        "",
        "| load | bot | users | updates | updates/s | latency p50 ms | latency p95 ms"
        " | extra messages |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (level, name), runs in results.items():
        users = LEVELS[level][0]
        rates = [r["rate"] for r in runs]
        rate = f"{statistics.median(rates):.0f}"
        if len(runs) > 1:
            rate += f" ({min(rates):.0f}–{max(rates):.0f})"
        median = sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]
        lines.append(
            f"| {level} | {name} | {users} | {median['updates']:.0f} | {rate} |"
            f" {median['p50']:.1f} | {median['p95']:.1f} |"
            f" {sum(r['extra_messages'] for r in runs):.0f} |"
        )
    lines += [
        "",
        f"desk / echo throughput ratio under heavy load: **{statistics.median(ratios):.2f}**"
        f" (per run: {', '.join(f'{r:.2f}' for r in ratios)})"
        if ratios
        else "(heavy load not run)",
        "",
        "Bots: `echo` is a bare python-telegram-bot echo bot as shipped (httpx underneath);",
        "`echo-aiohttp` the same on the desk's aiohttp client; `desk` the desk as configured",
        "(engine in one worker process, aiohttp client, query-vector cache); `desk-nocache`",
        "without the cache, so every message goes through the encoder; `desk-thread` with the",
        "engine in a thread of the bot process (`workers.processes: 0`); `desk-httpx` on PTB's",
        "default httpx client. Heavy load ran the given number of times: median (range).",
        "",
        "The questions come from a pool of 170 held-out questions, so each recurs every 170",
        "messages, as popular questions do on a desk.",
        "",
        "Latency runs from the update being queued at the stand-in to the first reply it",
        "receives, so it includes the polling round trip. Extra messages counts replies beyond",
        "those the same engine gives in a dry run (0 = every update answered exactly once).",
        "",
        "## Fault run",
        "",
        f"{FAULT_USERS} onboarded users each send a question while every send fails for"
        f" {FAULT_SECONDS:.0f} s: answered 502, or its connection dropped without an answer.",
        "",
        "| fault | users | sends refused by the fault | replies lost | duplicated |"
        " last reply after s |",
        "|---|---|---|---|---|---|",
        *(
            f"| {kind} | {f['users']:.0f} | {f['faults']:.0f} | {f['lost']:.0f} |"
            f" {f['duplicated']:.0f} | {f['seconds']:.1f} |"
            for kind, f in faults.items()
        ),
        "",
        "Produced by `.venv/bin/python bench/telegram_bench.py`.",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()

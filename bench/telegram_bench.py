"""Telegram path benchmark: the desk's bot and a bare PTB echo bot, same load, same run.

    .venv/bin/python bench/telegram_bench.py --bots echo,desk,desk-thread,desk-worker --runs 3

That one command prints every figure the desk is held to: the lines of the execution machinery
(now and at `--baseline`), for each load level the updates/s and latency p50/p95 of each bot,
the desk / echo throughput ratio, light-load desk p95 against echo p95 + 15 ms, the worker
process against the thread (`desk-worker` / `desk-thread`), the fault run (replies lost and
duplicated, both must be 0) and the load average while it ran. It appends them as a dated
section to `--out` (default bench/results/telegram_bench.md; `--out -` prints only).
Other options: `--no-faults`, `--faults-only`, `--levels light,busy`.

This process runs the loopback Bot API stand-in and plays the users; the bot under test runs
in a separate process (`sportello run`, polling, SQLite), exactly as deployed. Each user sends
questions one after another, waiting for the answer, as people do; many users at once make the
load (three levels: 1, 5 and 100 users at once). Reported: sustained updates/s, latency from
update queued to first reply received (p50/p95), and whether every update got exactly the
replies it should — the expected replies come from a dry run of the same engine in this
process before the timed phase.

Bots: a bare PTB echo bot as shipped (httpx underneath), the same echo bot on the desk's aiohttp
client, the desk as configured, the desk with its engine in a thread of the bot process and in
a worker process (whichever is not the default is what the default is measured against), the
desk without its query-vector cache, and on PTB's httpx client. Every level runs `--runs`
times, the bots taking turns within each run, because the machine is shared: only figures
taken side by side in the same minutes compare; the tables give the median and the range.

The stand-in imposes no flood limits; against it the bot applies none of its own either
(`overall_max_rate` caps only traffic to api.telegram.org).

Fault run (the desk only): 50 onboarded users each send a question while the Bot API answers
502 to every send for 3 seconds, then again while it drops every send's connection without an
answer for 3 seconds. Printed: replies lost and replies duplicated (both must be 0) and how
long after the window opened the last reply arrived.
"""

from __future__ import annotations

import argparse
import ast
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
import threading
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
START_SECONDS = 600
"""How long a bot may take to start polling: minutes on a machine other jobs keep busy."""
FIRST_USER = 700_000


def expected_replies(questions: list[str], data_dir: Path, fresh_users: bool = False) -> list[int]:
    """How many messages the engine answers each question with, for an onboarded worker who
    asked the questions before it in turn, or (`fresh_users`) who asks it first of all: what
    came before can change the answer (a follow-up read in the context of the last answer)."""
    from handlers import Turn
    from sportello.desk import build_desk
    from sportello.settings import load_settings

    settings = load_settings(data_dir=data_dir)
    desk = build_desk(settings)
    counts = []
    for number, question in enumerate(questions):
        user = number + 1 if fresh_users else 1
        base = Turn(channel="test", user_id=user, chat_id=user, at=dt.datetime.now(dt.UTC))
        if fresh_users or number == 0:
            desk.engine.handle(replace(base, command="start"))
            for button in (callbacks.CONSENT_YES, callbacks.ROLE_WORKER, callbacks.COMPANY_NONE):
                desk.engine.handle(replace(base, button=button))
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
    "desk-worker": {"SPORTELLO__WORKERS__PROCESSES": "1"},
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


def tree_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by a process ("bot") and its children (the
    engine "worker"; multiprocessing's resource tracker included, it uses next to nothing),
    read from /proc: {} where there is none. Throughput on shared cores is bounded by the CPU
    every process spends per update, so this says which process an update costs most in."""
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"bot": 0.0, "worker": 0.0}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        own, parent = int(entry.name), int(fields[1])
        if pid in (own, parent):
            totals["bot" if own == pid else "worker"] += (int(fields[11]) + int(fields[12])) / tick
    return totals


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
        deadline = time.monotonic() + START_SECONDS
        while standin.polls == 0:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()  # if still starting: its stderr ends only when it does
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
        cpu_before, own_before = tree_cpu_seconds(process.pid), time.process_time()
        polls_before, calls_before = standin.polls, len(standin.calls)
        started = time.perf_counter()
        await asyncio.gather(*(load.user(c, p, echo) for c, p in zip(chats, picks, strict=True)))
        elapsed = time.perf_counter() - started
        cpu_after, own_after = tree_cpu_seconds(process.pid), time.process_time()
        updates = users * per_user
        cpu = {part: (cpu_after[part] - cpu_before[part]) * 1000 / updates for part in cpu_after}
        polls = (standin.polls - polls_before) / updates
        calls = (len(standin.calls) - calls_before) / updates
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
            "cpu_bot": cpu.get("bot", float("nan")),
            "cpu_worker": cpu.get("worker", float("nan")),
            "cpu_standin": (own_after - own_before) * 1000 / updates,
            "polls": polls,
            "calls": calls,
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
        deadline = time.monotonic() + START_SECONDS
        while standin.polls == 0:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()  # if still starting: its stderr ends only when it does
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

LATENCY_ALLOWANCE_MS = 15.0
"""Light load: the desk's p95 may exceed the echo bot's by this much (the engine's work)."""

EXECUTION_MACHINERY: dict[str, tuple[str, ...]] = {
    "handlers/dispatch.py": (),
    "sportello/workers.py": (),
    "bot/intake.py": (),
    "bot/application.py": ("ChatSequencer",),
    "sportello/cli.py": ("_run",),
}
"""What carries an update from PTB to the engine and back: whole files, or only the named
top-level definitions of a file (the rest of it is about other things)."""

Result = dict[str, float]


class LoadSampler:
    """The 1-minute load average every few seconds, tagged with the phase under way."""

    def __init__(self, every_seconds: float = 5.0) -> None:
        self.samples: list[tuple[str, float]] = []
        self.phase = "start"
        self._stop = threading.Event()
        self._every = every_seconds
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.samples.append((self.phase, os.getloadavg()[0]))
            if self._stop.wait(self._every):
                return

    def summary(self, phase: str | None = None) -> str:
        values = sorted(v for p, v in self.samples if phase is None or p.startswith(phase))
        if not values:
            return "n/a"
        return f"{values[0]:.1f}–{values[-1]:.1f} (median {statistics.median(values):.1f})"


def lines_of(source: str, names: tuple[str, ...]) -> int:
    if not names:
        return len(source.splitlines())
    tree = ast.parse(source)
    return sum(
        (node.end_lineno or node.lineno) - node.lineno + 1
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.name in names
    )


def machinery_lines(revision: str | None) -> dict[str, int]:
    """Lines of each part of the execution machinery, in the work tree or at `revision`."""
    counted = {}
    for path, names in EXECUTION_MACHINERY.items():
        if revision is None:
            file = ROOT / path
            source = file.read_text(encoding="utf-8") if file.exists() else ""
        else:
            shown = subprocess.run(
                ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True
            )
            source = shown.stdout if shown.returncode == 0 else ""
        label = path + (f" ({', '.join(names)})" if names else "")
        counted[label] = lines_of(source, names) if source else 0
    return counted


def default_bot(default_engine: str) -> str:
    """The variant that runs the desk as configured, when `desk` itself was not run."""
    return "desk-worker" if default_engine == "worker process" else "desk-thread"


def median_run(runs: list[Result]) -> Result:
    return sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]


def ratios(results: dict[tuple[str, str], list[Result]], level: str, a: str, b: str) -> list[float]:
    """Throughput of bot `a` over bot `b`, run by run (each pair measured side by side)."""
    pairs = zip(results.get((level, a), []), results.get((level, b), []), strict=False)
    return [x["rate"] / y["rate"] for x, y in pairs]


def figures(
    results: dict[tuple[str, str], list[Result]],
    faults: dict[str, Result],
    lines: tuple[dict[str, int], dict[str, int] | None, str],
    load: LoadSampler,
    default_engine: str,
) -> list[str]:
    """The report: every figure the desk is held to, as markdown."""
    now, before, baseline = lines
    out = [
        f"Machine: {os.cpu_count()} cores shared with other jobs; 1-minute load average during"
        f" the run {load.summary()}; per level: "
        + ", ".join(f"{level} {load.summary(level)}" for level in LEVELS)
        + (f", fault run {load.summary('fault')}" if faults else "")
        + f". The desk's default engine placement: {default_engine}.",
        "",
        "Execution machinery (update → engine → outbox hand-off), lines:",
        "",
        f"| part | now | at {baseline} |" if before else "| part | now |",
        "|---|---|---|" if before else "|---|---|",
    ]
    for label, count in now.items():
        out.append(
            f"| {label} | {count} | {before[label]} |" if before else f"| {label} | {count} |"
        )
    total = sum(now.values())
    out.append(
        f"| **total** | **{total}** | **{sum(before.values())}** |"
        if before
        else f"| **total** | **{total}** |"
    )
    out += (
        [
            "",
            "| load | bot | users | updates | updates/s | latency p50 ms | latency p95 ms"
            " | extra messages | CPU ms/update: bot, engine worker, stand-in + users"
            " | Bot API calls/update (getUpdates) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        if results
        else []
    )
    for (level, name), runs in results.items():
        rates = [r["rate"] for r in runs]
        rate = f"{statistics.median(rates):.0f}"
        if len(runs) > 1:
            rate += f" ({min(rates):.0f}–{max(rates):.0f})"
        median = median_run(runs)
        out.append(
            f"| {level} | {name} | {LEVELS[level][0]} | {median['updates']:.0f} | {rate} |"
            f" {median['p50']:.1f} | {median['p95']:.1f} |"
            f" {sum(r['extra_messages'] for r in runs):.0f} |"
            f" {median['cpu_bot']:.2f}, {median['cpu_worker']:.2f}, {median['cpu_standin']:.2f} |"
            f" {median['calls']:.2f} ({median['polls']:.2f}) |"
        )
    out.append("")
    desk = "desk" if any(name == "desk" for _, name in results) else default_bot(default_engine)
    heavy = ratios(results, "heavy", desk, "echo")
    if heavy:
        out.append(
            f"- desk ({desk}) / echo throughput under heavy load:"
            f" **{statistics.median(heavy):.2f}**"
            f" (per run {', '.join(f'{r:.2f}' for r in heavy)}; target ≥ 1)"
        )
    light = list(
        zip(results.get(("light", desk), []), results.get(("light", "echo"), []), strict=False)
    )
    if light:
        met = sum(d["p95"] <= e["p95"] + LATENCY_ALLOWANCE_MS for d, e in light)
        out.append(
            "- light load, desk p50 / p95 against echo p50 / p95 (ms), run by run: "
            + "; ".join(
                f"{d['p50']:.1f} / {d['p95']:.1f} vs {e['p50']:.1f} / {e['p95']:.1f}"
                for d, e in light
            )
            + f"; desk p95 ≤ echo p95 + {LATENCY_ALLOWANCE_MS:.0f} ms in **{met} of"
            f" {len(light)}** runs"
        )
    for level in LEVELS:
        worker = ratios(results, level, "desk-worker", "desk-thread")
        if worker:
            out.append(
                f"- {level}: engine in a worker process / in a thread, updates/s:"
                f" **{statistics.median(worker):.2f}** (per run"
                f" {', '.join(f'{r:.2f}' for r in worker)})"
            )
    if faults:
        out += [
            "",
            f"Fault run: {FAULT_USERS} onboarded users each send a question while every send"
            f" fails for {FAULT_SECONDS:.0f} s (answered 502, or its connection dropped"
            " without an answer).",
            "",
            "| fault | users | sends refused by the fault | replies lost | duplicated |"
            " last reply after s |",
            "|---|---|---|---|---|---|",
            *(
                f"| {kind} | {f['users']:.0f} | {f['faults']:.0f} | **{f['lost']:.0f}** |"
                f" **{f['duplicated']:.0f}** | {f['seconds']:.1f} |"
                for kind, f in faults.items()
            ),
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="repetitions of every level")
    parser.add_argument(
        "--out",
        default=str(ROOT / "bench/results/telegram_bench.md"),
        help="file the dated section is appended to; - prints only",
    )
    parser.add_argument("--title", default="Telegram path benchmark", help="the section's title")
    parser.add_argument(
        "--baseline", default="481478c", help="git revision whose machinery lines to compare"
    )
    parser.add_argument("--bots", help="comma-separated bots to compare (default: all)")
    parser.add_argument("--faults-only", action="store_true", help="only the fault run")
    parser.add_argument("--no-faults", action="store_true", help="skip the fault run")
    parser.add_argument("--levels", help="comma-separated load levels (default: all)")
    args = parser.parse_args()
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)  # the fault run's 502s
    from sportello.settings import WorkerSettings

    default_engine = "worker process" if WorkerSettings().processes else "thread of the bot"
    chosen = [b for b in (args.bots.split(",") if args.bots else BOTS) if b in BOTS]
    levels = args.levels.split(",") if args.levels else list(LEVELS)
    questions = [q.text for q in read_labelled_queries(QUESTIONS)]
    scratch = Path(tempfile.mkdtemp(prefix="sportello-bench-"))
    results: dict[tuple[str, str], list[Result]] = {}
    faults: dict[str, Result] = {}
    try:
        with LoadSampler() as load:
            expected = expected_replies(questions, scratch / "dry")
            first = [] if args.no_faults else questions[:FAULT_USERS]
            expected_first = (
                expected_replies(first, scratch / "dry-first", fresh_users=True) if first else []
            )
            for kind in () if args.no_faults else FAULTS:
                load.phase = f"fault {kind}"
                f = asyncio.run(fault_phase(kind, scratch, first, expected_first))
                faults[kind] = f
                print(
                    f"fault {kind} for {FAULT_SECONDS:.0f} s, {f['users']:.0f} users waiting:"
                    f" replies lost {f['lost']:.0f}, duplicated {f['duplicated']:.0f},"
                    f" sends refused by the fault {f['faults']:.0f}, last reply after"
                    f" {f['seconds']:.1f} s",
                    flush=True,
                )
                shutil.rmtree(scratch / "desk", ignore_errors=True)
            for level, (users, per_user) in LEVELS.items():
                if args.faults_only or level not in levels:
                    continue
                load.phase = level
                for run in range(args.runs):
                    for name in chosen:
                        r = asyncio.run(
                            run_phase(name, scratch, users, per_user, questions, expected)
                        )
                        results.setdefault((level, name), []).append(r)
                        print(
                            f"{level} {name} (run {run + 1}): {r['updates']:.0f} updates in"
                            f" {r['seconds']:.1f} s = {r['rate']:.0f}/s, latency p50"
                            f" {r['p50']:.1f} ms p95 {r['p95']:.1f} ms, extra messages"
                            f" {r['extra_messages']:.0f}, CPU ms per update bot"
                            f" {r['cpu_bot']:.2f} worker {r['cpu_worker']:.2f} stand-in"
                            f" {r['cpu_standin']:.2f}, Bot API calls per update {r['calls']:.2f}"
                            f" (getUpdates {r['polls']:.2f}), load {os.getloadavg()[0]:.1f}",
                            flush=True,
                        )
                        shutil.rmtree(scratch / "desk", ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    lines = (machinery_lines(None), machinery_lines(args.baseline), args.baseline)
    report = [
        f"## {dt.date.today()}: {args.title}",
        "",
        *figures(results, faults, lines, load, default_engine),
        "",
        f"Produced by `.venv/bin/python bench/telegram_bench.py {' '.join(sys.argv[1:])}`.",
    ]
    print("\n".join(report))
    if args.out != "-":
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(report) + "\n")
        print(f"appended to {out}")


if __name__ == "__main__":
    main()

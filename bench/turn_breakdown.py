"""Where one turn's time goes, in process (the engine only, no Telegram, no worker hop).

    .venv/bin/python bench/turn_breakdown.py [--batch 1] [--wall]

An onboarded worker per slot asks the 170 held-out questions (each once, so no vector is
cached), `--batch` at a time through `DialogueEngine.handle_many` as the dispatcher would give
them. The parts of a turn are timed by wrapping them for this run only; the figures are the
CPU time of the engine's thread per turn (`--wall`: wall-clock time), which other jobs on the
machine disturb less. Parts nest (a search is inside the questions flow), so they do not add
up; "calls/turn" says how often each ran.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import inspect
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import handlers.context  # noqa: E402
import handlers.engine  # noqa: E402
import handlers.faq  # noqa: E402
import handlers.flows.handoff  # noqa: E402
import handlers.followup  # noqa: E402
import knowledge.dense  # noqa: E402
import knowledge.retriever  # noqa: E402
import nlu.builtin  # noqa: E402
import nlu.language  # noqa: E402
from handlers import Incoming, Turn, callbacks  # noqa: E402
from knowledge import read_labelled_queries  # noqa: E402

PARTS: list[tuple[object, str]] = [
    (handlers.engine.DialogueEngine, "handle_many"),
    (handlers.engine.DialogueEngine, "_analyse"),
    (knowledge.retriever.Retriever, "embed_many"),
    (nlu.language.LanguageDetector, "detect"),
    (nlu.builtin.BuiltinIntentClassifier, "parse_with_vector"),
    (knowledge.retriever.Retriever, "dense_scores"),
    (handlers.engine.DialogueEngine, "_handle_in"),
    (handlers.engine, "mark_update_processed"),
    (handlers.engine, "load_turn_state"),
    (handlers.engine, "ensure_user"),
    (handlers.engine.DialogueEngine, "_detected_language"),
    (handlers.engine, "set_chat_language"),
    (handlers.engine.DialogueEngine, "_dispatch"),
    (handlers.engine.DialogueEngine, "_typed_press"),
    (handlers.flows.handoff, "relay"),
    (handlers.faq.Answerer, "search"),
    (knowledge.dense.DenseIndex, "entry_scores"),
    (handlers.followup, "search_in_context"),
    (handlers.faq.Answerer, "serve"),
    (handlers.faq, "own_plan_line"),
    (handlers.context.Context, "log_now"),
    (handlers.engine, "save_flow"),
    (handlers.engine, "queue_replies"),
]


def instrument(clock: Callable[[], float]) -> tuple[dict[str, float], collections.Counter[str]]:
    spent: dict[str, float] = collections.defaultdict(float)
    calls: collections.Counter[str] = collections.Counter()
    for owner, name in PARTS:
        static = isinstance(inspect.getattr_static(owner, name), staticmethod)
        original = getattr(owner, name)
        label = f"{getattr(owner, '__name__', owner)}.{name}"

        def timed(*args: Any, _f: Any = original, _label: str = label, **kwargs: Any) -> Any:
            started = clock()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_label] += clock() - started
                calls[_label] += 1

        wrapped = functools.wraps(original)(timed)
        setattr(owner, name, staticmethod(wrapped) if static else wrapped)
    return spent, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=1, help="turns per engine call")
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # as the desk runs: no INFO lines to format
    from sportello.desk import build_desk
    from sportello.settings import load_settings

    questions = [q.text for q in read_labelled_queries(ROOT / "bench/data/heldout_queries.tsv")]
    desk = build_desk(load_settings(data_dir=Path(tempfile.mkdtemp(prefix="breakdown-"))))
    engine = desk.engine
    engine.warm_up()
    ids = iter(range(1, 1_000_000))

    def incoming(user: int, **what: Any) -> Incoming:
        n = next(ids)
        at = dt.datetime.now(dt.UTC)
        return Incoming(Turn(channel="telegram", user_id=user, chat_id=user, at=at, **what), n)

    users = list(range(1000, 1000 + args.batch))
    for user in users:
        engine.handle_many([incoming(user, command="start")])
        for button in (callbacks.CONSENT_YES, callbacks.ROLE_WORKER, callbacks.COMPANY_NONE):
            engine.handle_many([incoming(user, button=button)])
    clock = time.perf_counter if args.wall else time.thread_time
    spent, calls = instrument(clock)
    for start in range(0, len(questions), args.batch):
        chunk = questions[start : start + args.batch]
        engine.handle_many([incoming(users[i], text=q) for i, q in enumerate(chunk)])
    turns = len(questions)
    kind = "wall-clock" if args.wall else "CPU"
    print(f"{turns} turns, {args.batch} per engine call; {kind} ms per turn")
    print("| part | ms/turn | calls/turn |")
    print("|---|---|---|")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"| {label} | {seconds / turns * 1000:.2f} | {calls[label] / turns:.2f} |")
    desk.close()


if __name__ == "__main__":
    main()

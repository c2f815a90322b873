"""The two NLU engines side by side on the same held-out file, in one run.

For each engine: accuracy, macro-F1, parse latency p50/p95 (builtin: in process, encoder
included; Rasa: one HTTP request to `/model/parse` on loopback, as the desk makes it), memory
(builtin: resident memory of this process after the encoder and classifier are built, and how
much building them added; Rasa: resident memory of the server process and its children), and
the time to be ready (builtin: training at start-up; Rasa: the recorded training time and the
server start).

Prerequisites for Rasa: `sportello nlu rasa-setup` and `sportello nlu train --backend rasa`
(same settings, e.g. SPORTELLO__NLU__RASA_VENV). The benchmark starts its own server on a free
loopback port and stops it at the end; `--url` measures a server already running instead.

    .venv/bin/python bench/nlu_bench.py [--file nlu/data/heldout.tsv] [--url http://…]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import build_encoder  # noqa: E402
from nlu import (  # noqa: E402
    BUNDLED_HELDOUT,
    BUNDLED_NLU_DATA,
    BuiltinIntentClassifier,
    NluReport,
    evaluate_nlu,
    load_training_data,
    read_labelled_examples,
)
from nlu.rasa import RasaIntentClassifier, RasaServer, recorded_model  # noqa: E402
from nlu.rasa.server import process_tree_rss  # noqa: E402
from sportello.nlu_commands import rasa_paths  # noqa: E402
from sportello.settings import load_settings  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "nlu_bench.md"
WARM_UP = 10
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def warm(classifier: BuiltinIntentClassifier | RasaIntentClassifier, texts: list[str]) -> None:
    for text in texts[:WARM_UP]:
        classifier.parse(text)


def row(name: str, report: NluReport, memory: str, ready: str) -> str:
    return (
        f"| {name} | {report.accuracy:.3f} | {report.macro_f1:.3f} | {report.latency_ms_p50:.1f}"
        f" / {report.latency_ms_p95:.1f} ms | {memory} | {ready} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=BUNDLED_HELDOUT)
    parser.add_argument("--url", help="a Rasa server already running (default: start one)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    settings = load_settings()
    examples = read_labelled_examples(args.file)
    texts = [e.text for e in examples]
    training = load_training_data(settings.nlu.data_file or BUNDLED_NLU_DATA)

    rss_before = process_tree_rss(os.getpid())
    started = time.perf_counter()
    builtin = BuiltinIntentClassifier(training, build_encoder(settings.encoder))
    builtin_ready = time.perf_counter() - started
    warm(builtin, texts)
    builtin_report = evaluate_nlu(examples, builtin)
    builtin_rss = process_tree_rss(os.getpid())
    print(
        f"builtin: accuracy {builtin_report.accuracy:.3f}, macro-F1 {builtin_report.macro_f1:.3f}",
        flush=True,
    )

    paths = rasa_paths(settings)
    model = recorded_model(paths.project)
    server: RasaServer | None = None
    start_seconds = 0.0
    if args.url:
        url = args.url
    else:
        if model is None:
            print(
                "no trained Rasa model: run `sportello nlu rasa-setup` and"
                " `sportello nlu train --backend rasa` first",
                file=sys.stderr,
            )
            return 2
        url = f"http://127.0.0.1:{free_port()}"
        server = RasaServer(paths, model.path, url, log_file=paths.root / "bench-server.log")
        started = time.perf_counter()
        print(f"starting the Rasa server on {url}...", flush=True)
        server.start()
        start_seconds = time.perf_counter() - started
    try:
        rasa = RasaIntentClassifier(url, builtin.intents, timeout=30.0, retries=0)
        warm(rasa, texts)
        rasa_report = evaluate_nlu(examples, rasa)
        rasa_rss = server.rss_bytes() if server else 0
    finally:
        if server is not None:
            server.stop()

    train_text = f"train {model.seconds:.0f} s" if model else "train ?"
    start_text = f", server start {start_seconds:.0f} s" if server else ""
    shown = args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file
    lines = [
        f"# NLU engines side by side ({dt.date.today().isoformat()})",
        "",
        f"`bench/nlu_bench.py` on `{shown}`"
        f" ({len(examples)} messages), {os.cpu_count()} cores shared with other work"
        f" (load average {os.getloadavg()[0]:.1f} at the end: times and latencies move with it).",
        "Latency: builtin in process (encoder included); Rasa one HTTP request on loopback.",
        "",
        "| engine | accuracy | macro-F1 | parse p50 / p95 | memory (RSS) | ready |",
        "|---|---|---|---|---|---|",
        row(
            "builtin (USE + char n-grams, logistic regression)",
            builtin_report,
            f"{builtin_rss / MB:.0f} MB process ({(builtin_rss - rss_before) / MB:.0f} MB added"
            " by encoder + classifier)",
            f"trains at start-up in {builtin_ready:.1f} s",
        ),
        row(
            "Rasa 3.6.21 DIET over HTTP",
            rasa_report,
            f"{rasa_rss / MB:.0f} MB server" if server else "(external server)",
            train_text + start_text,
        ),
        "",
        "Rasa's confusions:",
        "",
        *[f"- {c.expected} → {c.predicted}: {c.text}" for c in rasa_report.confusions],
        "",
        "Builtin's confusions:",
        "",
        *[f"- {c.expected} → {c.predicted}: {c.text}" for c in builtin_report.confusions],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

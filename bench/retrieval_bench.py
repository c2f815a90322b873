"""Retrieval benchmark: latency, cold start, index build, scale to 10,000 entries, memory.

    make bench            # or: .venv/bin/python bench/retrieval_bench.py [--entries 10000]

Prints one line per figure and writes bench/results/retrieval_bench.md. Targets (issue 2):
warm p95 <= 15 ms, cold start <= 5 s, peak RSS <= 600 MB, 10,000 entries: query p95 <= 30 ms.
Every figure comes from the configured encoder and fusion (config.yml), on this machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import Retriever, build_encoder, read_labelled_queries  # noqa: E402
from knowledge.dense import IndexShape, load_or_build_dense_index  # noqa: E402
from knowledge.entries import Entry  # noqa: E402
from knowledge.evaluation import percentile  # noqa: E402
from sportello.settings import load_settings  # noqa: E402
from sportello.wiring import open_knowledge_base  # noqa: E402

QUERY_FILES = [ROOT / "bench/data/heldout_queries.tsv", ROOT.parent / "shared/dev_queries.tsv"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000, help="synthetic base size")
    parser.add_argument("--questions", type=int, default=4, help="questions per synthetic entry")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/retrieval_bench.md")
    args = parser.parse_args()

    settings = load_settings()
    kb = open_knowledge_base(settings)
    queries = [q.text for f in QUERY_FILES if f.exists() for q in read_labelled_queries(f)]
    lines = [
        f"# Retrieval benchmark ({dt.date.today()}, {os.cpu_count()} cores)",
        "",
        f"encoder: {settings.encoder.backend}, fusion: {settings.retrieval.fusion}; "
        f"{len(kb.entries)} entries; {len(queries)} distinct queries (held-out + dev sets).",
        "",
    ]

    def report(name: str, value: str) -> None:
        print(f"{name}: {value}", flush=True)
        lines.append(f"- **{name}**: {value}")

    encoder = build_encoder(settings.encoder)
    faiss.omp_set_num_threads(settings.retrieval.faiss_threads)  # as build_retriever does
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        dense, _ = load_or_build_dense_index(
            kb.entries, kb.content_hash, encoder, Path(scratch), progress=False
        )
        report(
            "index build, real base",
            f"{time.perf_counter() - started:.2f} s ({dense.unit_count} phrasings)",
        )
        retriever = Retriever(kb.entries, encoder, dense, settings.retrieval)
        warm = measure(retriever, queries)
        report("warm query latency", f"p50 {warm[0]:.1f} ms, p95 {warm[1]:.1f} ms")

        cold, rss = cold_start(Path(scratch))
        report("cold start (process start → first answer, index on disk)", f"{cold:.2f} s")
        report("peak RSS of that process", f"{rss / 1024:.0f} MB")

        synthetic = synthetic_entries(kb.entries, args.entries, args.questions)
        started = time.perf_counter()
        big_dense, _ = load_or_build_dense_index(
            synthetic,
            f"synthetic-{args.entries}",
            encoder,
            Path(scratch) / "big",
            progress=False,
            shape=IndexShape(
                settings.retrieval.dense_index,
                settings.retrieval.hnsw_above,
                settings.retrieval.hnsw_m,
                settings.retrieval.hnsw_ef_search,
            ),
        )
        build_seconds = time.perf_counter() - started
        report(
            f"index build, synthetic {args.entries:,} entries",
            f"{build_seconds:.1f} s ({big_dense.unit_count:,} phrasings)",
        )
        started = time.perf_counter()
        big = Retriever(synthetic, encoder, big_dense, settings.retrieval)
        report("lexical index build at that size", f"{time.perf_counter() - started:.1f} s")
        scaled = measure(big, queries)
        report(
            f"query latency at {args.entries:,} entries",
            f"p50 {scaled[0]:.1f} ms, p95 {scaled[1]:.1f} ms",
        )
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report(
            "peak RSS of this benchmark process (with the large index)", f"{own_rss / 1024:.0f} MB"
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines += ["", "Produced by `make bench`."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.out}")


def measure(retriever: Retriever, queries: list[str]) -> tuple[float, float]:
    """p50 and p95 of single-query search time, after a warm-up pass."""
    for query in queries[:20]:
        retriever.search(query)
    timings = []
    for query in queries:
        started = time.perf_counter()
        retriever.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return percentile(timings, 50), percentile(timings, 95)


def cold_start(data_dir: Path) -> tuple[float, int]:
    """Wall time and peak RSS (KB) of `sportello ask` in a fresh process."""
    env = {**os.environ, "SPORTELLO__DATA_DIR": str(data_dir), "SPORTELLO__LOG_LEVEL": "ERROR"}
    command = [sys.executable, "-m", "sportello.cli", "ask", "posso pagare la badante col welfare?"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def synthetic_entries(real: tuple[Entry, ...], count: int, questions: int) -> tuple[Entry, ...]:
    """`count` entries made from the real ones, each with reshuffled, mutated phrasings.

    The point is scale, not meaning: realistic text lengths and vocabulary, so that index size,
    posting-list lengths and FAISS search time are those of a large base.
    """
    rng = random.Random(7)
    vocabulary = sorted({w for e in real for q in e.questions for w in q.split()})
    made = []
    for number in range(count):
        template = real[number % len(real)]
        picked = rng.sample(list(template.questions), k=min(questions, len(template.questions)))
        mutated = tuple(f"{q} {rng.choice(vocabulary)} {rng.choice(vocabulary)}" for q in picked)
        made.append(
            dataclasses.replace(
                template,
                id=f"{template.id}-{number}",
                title=f"{template.title} {rng.choice(vocabulary)}",
                questions=mutated,
            )
        )
    return tuple(made)


if __name__ == "__main__":
    main()

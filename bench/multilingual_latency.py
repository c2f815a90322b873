"""Latency of the language-aware path against today's Italian path, interleaved, same process.

    .venv/bin/python bench/multilingual_latency.py [--rounds 3]

For every question of the Italian held-out set and of heldout_multilingual.tsv (and the blind
heldout_multilingual2.tsv), each round times
(a) today's path — `search(text)`, everything Italian — and (b) the desk's path now — detect the
language, then `search(text, language=...)` — one right after the other, so machine noise hits
both alike. The embedding cache is off, so every search pays for the encoder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import (  # noqa: E402
    EncoderSettings,
    RetrievalSettings,
    build_encoder,
    build_retriever,
    load_knowledge_base,
    read_labelled_queries,
)
from knowledge.evaluation import percentile  # noqa: E402
from nlu.language import LanguageDetector  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var")
    args = parser.parse_args()
    kb = load_knowledge_base()
    topics = list(kb.topics)
    sets = {
        "Italian held-out": read_labelled_queries(
            ROOT / "bench/data/heldout_queries.tsv", known_labels=topics
        ),
        "6 languages": read_labelled_queries(
            ROOT / "bench/data/heldout_multilingual.tsv", known_labels=topics
        ),
        "6 languages, blind set": read_labelled_queries(
            ROOT / "bench/data/heldout_multilingual2.tsv", known_labels=topics
        ),
    }
    retriever = build_retriever(
        kb,
        build_encoder(EncoderSettings(backend="use")),
        RetrievalSettings(embedding_cache_size=0),
        args.data_dir,
        progress=False,
    )
    detector = LanguageDetector()
    print("| set | path | n | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    for name, queries in sets.items():
        today: list[float] = []
        now: list[float] = []
        detect_only: list[float] = []
        for _ in range(args.rounds):
            for query in queries:
                started = time.perf_counter()
                retriever.search(query.text)
                today.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                language = detector.detect(query.text).code
                detected = time.perf_counter()
                retriever.search(query.text, language=language)
                now.append((time.perf_counter() - started) * 1000)
                detect_only.append((detected - started) * 1000)
        for path, values in (
            ("today (all Italian)", today),
            ("detect + language path", now),
            ("detection alone", detect_only),
        ):
            ordered = sorted(values)
            print(
                f"| {name} | {path} | {len(values)} | {percentile(ordered, 50):.2f}"
                f" | {percentile(ordered, 95):.2f} |"
            )


if __name__ == "__main__":
    main()

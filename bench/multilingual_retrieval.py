"""Retrieval across languages: each option, per language, next to Italian; writes Markdown.

    .venv/bin/python bench/multilingual_retrieval.py [--encoders use e5] [--out FILE]
        [--multilingual bench/data/heldout_multilingual2.tsv] [--only "+ translations"]

Every question is first given to the language detector (no hint: the worst case), then searched
on the path the detected language picks — exactly what the desk does. Options:

- today: every message on the Italian path (language ignored);
- routed: non-Italian messages searched with BM25 at weight w (0.8 = Italian's, 0 = dense only),
  without phrasings;
- routed + phrasings: the same, with the other-language phrasings of knowledge/phrasings in the
  dense index and the BM25 index used for non-Italian messages;
- routed + phrasings + translations: also each fresh translation's title and answer opening
  (knowledge/translations) as phrasings of its language — what the desk does.

Besides recall, the decision with the default thresholds: how many of the six languages'
questions get the right answer or are offered the right topic in a clarifying question, and how
many get a wrong answer.

Sets: bench/data/heldout_multilingual.tsv (per language; `--multilingual` picks another, e.g.
the blind heldout_multilingual2.tsv), Italian dev (../shared/dev_queries.tsv)
and held-out (bench/data/heldout_queries.tsv). Latency is detection + search, warm, one query at
a time, on a machine shared with other work: compare rows with each other.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import (  # noqa: E402
    EncoderSettings,
    KnowledgeBase,
    RetrievalSettings,
    Retriever,
    SearchResult,
    build_encoder,
    build_retriever,
    evaluate_retrieval,
    load_knowledge_base,
    read_labelled_queries,
)
from knowledge.evaluation import LabelledQuery, by_language, percentile  # noqa: E402
from nlu.language import LanguageDetector  # noqa: E402

ENCODERS = {
    "use": EncoderSettings(backend="use"),
    "e5": EncoderSettings(backend="e5", e5_documents_as="query"),
}
LANGS = ("en", "ro", "sq", "ar", "es", "fr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoders", nargs="*", default=["use"], choices=list(ENCODERS))
    parser.add_argument("--weights", nargs="*", type=float, default=[0.8, 0.4, 0.0])
    parser.add_argument(
        "--out", type=Path, help="write the table as Markdown here too ('-': print only)"
    )
    parser.add_argument(
        "--multilingual", type=Path, default=ROOT / "bench/data/heldout_multilingual.tsv"
    )
    parser.add_argument(
        "--only", default="", help="measure only the options whose name contains this text"
    )
    args = parser.parse_args()
    kb = load_knowledge_base()
    topics = list(kb.topics)
    multilingual = read_labelled_queries(args.multilingual, known_labels=topics)
    italian = {
        "it dev": read_labelled_queries(
            ROOT.parent / "shared" / "dev_queries.tsv", known_labels=topics
        ),
        "it held-out": read_labelled_queries(
            ROOT / "bench/data/heldout_queries.tsv", known_labels=topics
        ),
    }
    detector = LanguageDetector()
    lines = [
        f"Set: {args.multilingual.name}. Knowledge base: {len(kb.entries)} entries; phrasings: "
        + ", ".join(
            f"{lang} {sum(map(len, kb.phrasings.get(lang, {}).values()))}" for lang in LANGS
        )
        + "; translated entries: "
        + ", ".join(f"{lang} {sum(lang in e.translations for e in kb.entries)}" for lang in LANGS),
        "",
        "| encoder | option | "
        + " | ".join(LANGS)
        + " | all 6 | it dev | it held-out | 6 langs: right answer or right topic offered, wrong"
        " answers | p50 / p95 ms (6 langs) | p50 / p95 ms (it held-out) |",
        "|---|---|" + "---|" * (len(LANGS) + 6),
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.encoders:
            encoder = build_encoder(ENCODERS[name])
            untranslated = tuple(dataclasses.replace(e, translations={}) for e in kb.entries)
            bare = dataclasses.replace(kb, entries=untranslated, phrasings={})
            phrased = dataclasses.replace(kb, entries=untranslated)
            variants: list[tuple[str, KnowledgeBase, RetrievalSettings, bool]] = [
                ("today", bare, RetrievalSettings(), False)
            ]
            for weight in args.weights:
                settings = RetrievalSettings(foreign_lexical_weight=weight)
                variants.append((f"routed, BM25 w={weight}", bare, settings, True))
            if kb.phrasings:
                for weight in args.weights:
                    settings = RetrievalSettings(foreign_lexical_weight=weight)
                    variants.append(
                        (f"routed + phrasings, BM25 w={weight}", phrased, settings, True)
                    )
            if any(entry.translations for entry in kb.entries):
                for weight in args.weights:
                    settings = RetrievalSettings(foreign_lexical_weight=weight)
                    option = f"routed + phrasings + translations, BM25 w={weight}"
                    variants.append((option, kb, settings, True))
            built: dict[int, Retriever] = {}
            for option, base, settings, routed in variants:
                if args.only not in option:
                    continue
                key = id(base)
                if key not in built:
                    folder = Path(scratch) / name / str(len(built))  # same content hash
                    built[key] = build_retriever(
                        base, encoder, RetrievalSettings(), folder, progress=False
                    )
                retriever = built[key].with_settings(settings)
                row = run(retriever, detector, routed, multilingual, italian)
                line = f"| {name} | {option} | {row} |"
                lines.append(line)
                print(line, flush=True)
    if args.out and str(args.out) != "-":  # the rows are printed above either way
        header = [
            f"# Retrieval across languages ({dt.date.today().isoformat()})",
            "",
            "Produced by `.venv/bin/python bench/multilingual_retrieval.py"
            f" --encoders {' '.join(args.encoders)}`. Cells: recall@1 / recall@3.",
            "",
        ]
        args.out.write_text("\n".join(header + lines) + "\n", encoding="utf-8")


def run(
    retriever: Retriever,
    detector: LanguageDetector,
    routed: bool,
    multilingual: Sequence[LabelledQuery],
    italian: dict[str, list[LabelledQuery]],
) -> str:
    latencies: dict[str, list[float]] = {"foreign": [], "it": [], "scratch": []}

    def search_for(bucket: str) -> Callable[[str], SearchResult]:
        def search(text: str) -> SearchResult:
            started = time.perf_counter()
            language = detector.detect(text).code if routed else None
            result = retriever.search(text, language=language)
            latencies[bucket].append((time.perf_counter() - started) * 1000)
            return result

        return search

    cells: list[str] = []
    groups = by_language(multilingual)
    for lang in LANGS:
        report = evaluate_retrieval(groups.get(lang, []), search_for("foreign"))
        cells.append(f"{report.recall_at_1:.2f} / {report.recall_at_3:.2f}")
    overall = evaluate_retrieval(multilingual, search_for("scratch"))
    cells.append(f"{overall.recall_at_1:.3f} / {overall.recall_at_3:.3f}")
    for name, queries in italian.items():
        bucket = "it" if name == "it held-out" else "scratch"
        report = evaluate_retrieval(queries, search_for(bucket))
        cells.append(f"{report.recall_at_1:.3f} / {report.recall_at_3:.3f}")
    search = search_for("scratch")
    served = wrong = 0
    for query in multilingual:
        result = search(query.text)
        offered = [hit.entry.topic for hit in result.candidates]
        served += query.label in offered
        wrong += result.decision == "answer" and query.label not in offered
    cells.append(f"{served}/{len(multilingual)}, {wrong} wrong")
    for bucket in ("foreign", "it"):
        ordered = sorted(latencies[bucket])
        cells.append(f"{percentile(ordered, 50):.1f} / {percentile(ordered, 95):.1f}")
    return " | ".join(cells)


if __name__ == "__main__":
    main()

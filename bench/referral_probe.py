"""Referral probe: do neighbouring questions reach a referral, and do welfare ones stay welfare?

    .venv/bin/python bench/referral_probe.py bench/data/referral_probe.tsv [more.tsv ...]

Each file is `topic<TAB>query`: `-` for a payroll, HR or public-benefit question that must get a
referral entry ("not mine, ask them") or nothing, a topics.yml key for a welfare question that
must not. Retrieval only (the configured encoder and fusion, as `sportello ask`): the dialogue
engine's own figures come from `sportello eval dialogue`. Prints the counts and every row that
went wrong, so a content change can be judged by what it fixes and what it steals.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import read_labelled_queries  # noqa: E402
from knowledge.entries import NO_TOPIC  # noqa: E402
from sportello.settings import load_settings  # noqa: E402
from sportello.wiring import build_search, open_knowledge_base  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", type=Path, nargs="+", help="TSV files: topic<TAB>query")
    args = parser.parse_args()

    settings = load_settings()
    kb = open_knowledge_base(settings)
    retriever = build_search(settings, kb=kb, progress=False)
    labels = [*kb.topics, NO_TOPIC]
    for path in args.files:
        queries = read_labelled_queries(path, known_labels=labels)
        counts: Counter[str] = Counter()
        wrong: list[str] = []
        for query in queries:
            result = retriever.search(query.text)
            top = result.hits[0]
            referral = top.entry.is_referral
            where = f"{top.entry.id} ({result.decision}, sim {top.similarity:.3f})"
            if query.label == NO_TOPIC:
                counts["neighbouring"] += 1
                if referral:
                    counts["neighbouring_referral_top1"] += 1
                    counts[f"neighbouring_referral_{result.decision}"] += 1
                else:
                    counts[f"neighbouring_welfare_{result.decision}"] += 1
                    wrong.append(f"  [- → {where}] {query.text}")
            else:
                counts["welfare"] += 1
                if referral:
                    counts["welfare_referral_top1"] += 1
                    wrong.append(f"  [{query.label} → {where}] {query.text}")
                elif top.entry.topic == query.label:
                    counts["welfare_right_topic_top1"] += 1
                else:
                    wrong.append(f"  [{query.label} → {where}] {query.text}")
        print(f"file: {path}")
        print("  " + "  ".join(f"{key}={counts[key]}" for key in sorted(counts)))
        print("\n".join(wrong) if wrong else "  nothing went wrong")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

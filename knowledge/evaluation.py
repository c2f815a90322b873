"""Retrieval evaluation on a labelled TSV (`topic<TAB>query`, with a header, optionally a third
column `lang` naming the language each question is written in, for figures per language).

A hit is correct when its entry's topic equals the label: the taxonomy is what the desk promises
to cover, while which of a topic's entries answers best is the clarify step's business.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.retriever import SearchResult
from sportello.errors import SportelloError

RANK_DEPTH = 10
"""Ranks beyond this count as not found for MRR."""


class LabelledFileError(SportelloError, ValueError):
    """The evaluation file is malformed; the message names file, line and fix."""


@dataclass(frozen=True)
class LabelledQuery:
    label: str
    text: str
    line: int
    language: str | None = None
    """The `lang` column when the file has one (ISO 639-1 code)."""


@dataclass(frozen=True)
class Miss:
    query: str
    expected: str
    got: str
    rank: int | None
    """1-based rank of the first correct hit within the top 10, None if absent."""


@dataclass(frozen=True)
class RetrievalReport:
    n: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    misses: list[Miss] = field(default_factory=list)
    latency_ms_p50: float = 0.0
    latency_ms_p95: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "recall_at_1": round(self.recall_at_1, 4),
            "recall_at_3": round(self.recall_at_3, 4),
            "mrr": round(self.mrr, 4),
            "misses": [
                {"query": m.query, "expected": m.expected, "got": m.got, "rank": m.rank}
                for m in self.misses
            ],
        }


def read_labelled_queries(
    path: Path,
    label_column: str = "topic",
    text_column: str = "query",
    known_labels: Sequence[str] | None = None,
    label_hint: str = "use a key of topics.yml",
) -> list[LabelledQuery]:
    """Rows of a TSV with a header naming `label_column` and `text_column`."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise LabelledFileError(f"{path}: cannot read ({exc.strerror}) — check the path") from exc
    with handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise LabelledFileError(f"{path}:1: the file is empty — add a header line")
        header = [h.strip().lower() for h in header]
        if label_column not in header or text_column not in header:
            raise LabelledFileError(
                f"{path}:1: header {header} lacks '{label_column}' and '{text_column}'"
                f" — start the file with '{label_column}<TAB>{text_column}'"
            )
        label_at, text_at = header.index(label_column), header.index(text_column)
        lang_at = header.index("lang") if "lang" in header else None
        rows: list[LabelledQuery] = []
        for line, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) <= max(label_at, text_at):
                raise LabelledFileError(
                    f"{path}:{line}: expected {len(header)} tab-separated columns, got {len(row)}"
                    " — separate label and text with one TAB"
                )
            label, text = row[label_at].strip(), row[text_at].strip()
            if not text:
                raise LabelledFileError(f"{path}:{line}: empty {text_column} — write the text")
            if known_labels is not None and label not in known_labels:
                raise LabelledFileError(
                    f"{path}:{line}: unknown {label_column} '{label}' — {label_hint}"
                )
            language = (
                row[lang_at].strip().lower() if lang_at is not None and lang_at < len(row) else None
            )
            rows.append(LabelledQuery(label, text, line, language or None))
    if not rows:
        raise LabelledFileError(f"{path}: no rows after the header — add labelled lines")
    return rows


def evaluate_retrieval(
    queries: Sequence[LabelledQuery],
    search: Callable[[str], SearchResult],
) -> RetrievalReport:
    """Recall@1, recall@3 and MRR of topic labels over the top ten hits."""
    hits_at_1 = hits_at_3 = 0
    reciprocal = 0.0
    misses: list[Miss] = []
    latencies: list[float] = []
    for query in queries:
        started = time.perf_counter()
        result = search(query.text)
        latencies.append((time.perf_counter() - started) * 1000)
        topics = [hit.entry.topic for hit in result.hits[:RANK_DEPTH]]
        rank = topics.index(query.label) + 1 if query.label in topics else None
        if rank == 1:
            hits_at_1 += 1
        else:
            misses.append(Miss(query.text, query.label, topics[0] if topics else "", rank))
        if rank is not None and rank <= 3:
            hits_at_3 += 1
        if rank is not None:
            reciprocal += 1 / rank
    n = len(queries)
    ordered = sorted(latencies)
    return RetrievalReport(
        n=n,
        recall_at_1=hits_at_1 / n if n else 0.0,
        recall_at_3=hits_at_3 / n if n else 0.0,
        mrr=reciprocal / n if n else 0.0,
        misses=misses,
        latency_ms_p50=percentile(ordered, 50),
        latency_ms_p95=percentile(ordered, 95),
    )


def by_language(queries: Sequence[LabelledQuery]) -> dict[str, list[LabelledQuery]]:
    """The queries grouped by their `lang` column, in first-seen order (none: "-")."""
    groups: dict[str, list[LabelledQuery]] = {}
    for query in queries:
        groups.setdefault(query.language or "-", []).append(query)
    return groups


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))
    return float(ordered[int(rank) - 1])

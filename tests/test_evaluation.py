from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from knowledge.entries import Entry
from knowledge.evaluation import (
    LabelledFileError,
    LabelledQuery,
    by_language,
    evaluate_retrieval,
    percentile,
    read_labelled_queries,
)
from knowledge.retriever import Hit, SearchResult
from tests.support import write_small_base, written

pytestmark = pytest.mark.unit


def fake_search(tmp_path: Path) -> Callable[[str], SearchResult]:
    """A search that returns fixed rankings, so the metrics can be checked by hand."""
    base, topics = write_small_base(tmp_path)
    kb = load_knowledge_base(base, topics)
    pasto, nido, piano = (
        kb.by_id(i) for i in ("buoni-pasto-limiti", "nido-retta", "piano-attivazione")
    )

    def result(*entries: Entry) -> SearchResult:
        hits = tuple(Hit(e, 1.0, 0.9, 1.0) for e in entries)
        return SearchResult("q", False, "answer", hits, 1.0, hits[:1])

    answers = {
        "first": result(pasto, nido, piano),  # right at rank 1
        "second": result(nido, pasto, piano),  # right at rank 2
        "third": result(nido, piano, pasto),  # right at rank 3
        "absent": result(nido, piano),  # not found
    }
    return answers.__getitem__


def test_metrics_arithmetic(tmp_path: Path) -> None:
    search = fake_search(tmp_path)
    queries = [
        LabelledQuery("buoni-pasto", q, i)
        for i, q in enumerate(["first", "second", "third", "absent"])
    ]
    report = evaluate_retrieval(queries, search)
    assert report.n == 4
    assert report.recall_at_1 == pytest.approx(1 / 4)
    assert report.recall_at_3 == pytest.approx(3 / 4)
    assert report.mrr == pytest.approx((1 + 1 / 2 + 1 / 3 + 0) / 4)
    assert [(m.query, m.rank, m.got) for m in report.misses] == [
        ("second", 2, "rimborso-asilo-nido"),
        ("third", 3, "rimborso-asilo-nido"),
        ("absent", None, "rimborso-asilo-nido"),
    ]
    assert set(report.as_dict()) == {"n", "recall_at_1", "recall_at_3", "mrr", "misses"}


def test_percentile_nearest_rank() -> None:
    assert percentile([], 95) == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0


def test_reading_labelled_files(tmp_path: Path) -> None:
    good = written(
        tmp_path / "good.tsv", "topic\tquery\nbuoni-pasto\ti buoni pasto\n\nnido\tretta nido\n"
    )
    rows = read_labelled_queries(good)
    assert [(r.label, r.text, r.line) for r in rows] == [
        ("buoni-pasto", "i buoni pasto", 2),
        ("nido", "retta nido", 4),
    ]
    with pytest.raises(LabelledFileError, match=r"good.tsv:4: unknown topic 'nido'"):
        read_labelled_queries(good, known_labels=["buoni-pasto"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", r":1: the file is empty"),
        ("label\ttext\n", r":1: header .* lacks 'topic' and 'query'"),
        ("topic\tquery\nsolo-una-colonna\n", r":2: expected 2 tab-separated columns, got 1"),
        ("topic\tquery\nbuoni-pasto\t  \n", r":2: empty query"),
        ("topic\tquery\n", r"no rows after the header"),
    ],
)
def test_malformed_labelled_files(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(LabelledFileError, match=message):
        read_labelled_queries(written(tmp_path / "bad.tsv", content))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LabelledFileError, match="cannot read"):
        read_labelled_queries(tmp_path / "nope.tsv")


def test_a_lang_column_is_read_and_groups_the_queries(tmp_path: Path) -> None:
    path = written(
        tmp_path / "multi.tsv",
        "topic\tquery\tlang\nbuoni-pasto\tmeal vouchers\ten\n"
        "buoni-pasto\ttichete de masa\tRO\nbuoni-pasto\tbuoni pasto\t\n",
    )
    rows = read_labelled_queries(path)
    assert [r.language for r in rows] == ["en", "ro", None]
    groups = by_language(rows)
    assert list(groups) == ["en", "ro", "-"]
    assert [q.text for q in groups["ro"]] == ["tichete de masa"]


def test_without_a_lang_column_every_query_is_in_one_group(tmp_path: Path) -> None:
    path = written(tmp_path / "it.tsv", "topic\tquery\nbuoni-pasto\tbuoni pasto\n")
    assert list(by_language(read_labelled_queries(path))) == ["-"]

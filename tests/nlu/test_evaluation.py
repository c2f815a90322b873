"""Evaluation arithmetic on a hand-made confusion, and reading labelled TSV files."""

from pathlib import Path

import pytest

from nlu import Example, NluDataError, Parse, evaluate_nlu, read_labelled_examples
from nlu.evaluation import Confusion
from tests.support import written

pytestmark = pytest.mark.unit


class LookupClassifier:
    """Answers from a fixed table, so every metric can be worked out by hand."""

    def __init__(self, answers: dict[str, str]) -> None:
        self._answers = answers

    def parse(self, text: str) -> Parse:
        return Parse(self._answers[text], 1.0)


# expected -> predicted, one row per message:
#   greet:        g1 greet, g2 greet, g3 goodbye
#   goodbye:      b1 goodbye
#   ask_question: q1 ask_question, q2 out_of_scope
# No message is out_of_scope, yet one is predicted so.
EXAMPLES = [
    Example("g1", "greet"),
    Example("g2", "greet"),
    Example("g3", "greet"),
    Example("b1", "goodbye"),
    Example("q1", "ask_question"),
    Example("q2", "ask_question"),
]
ANSWERS = {
    "g1": "greet",
    "g2": "greet",
    "g3": "goodbye",
    "b1": "goodbye",
    "q1": "ask_question",
    "q2": "out_of_scope",
}


def test_metrics_arithmetic() -> None:
    report = evaluate_nlu(EXAMPLES, LookupClassifier(ANSWERS))
    assert report.n == 6
    assert report.accuracy == pytest.approx(4 / 6)
    scores = report.per_intent
    assert list(scores) == ["greet", "goodbye", "ask_question", "out_of_scope"]
    # greet: 2 of 2 predictions right, 2 of 3 found
    assert scores["greet"].precision == 1.0
    assert scores["greet"].recall == pytest.approx(2 / 3)
    assert scores["greet"].f1 == pytest.approx(0.8)
    # goodbye: 1 of 2 predictions right, 1 of 1 found
    assert (scores["goodbye"].precision, scores["goodbye"].recall) == (0.5, 1.0)
    assert scores["goodbye"].f1 == pytest.approx(2 / 3)
    # ask_question: 1 of 1 prediction right, 1 of 2 found
    assert scores["ask_question"].f1 == pytest.approx(2 / 3)
    # out_of_scope: predicted once, never expected
    assert scores["out_of_scope"] == type(scores["out_of_scope"])(0.0, 0.0, 0.0, 0)
    assert [s.support for s in scores.values()] == [3, 1, 2, 0]
    assert report.macro_f1 == pytest.approx((0.8 + 2 / 3 + 2 / 3 + 0.0) / 4)
    assert report.confusions == [
        Confusion("greet", "goodbye", "g3"),
        Confusion("ask_question", "out_of_scope", "q2"),
    ]


def test_report_as_dict_is_json_ready() -> None:
    data = evaluate_nlu(EXAMPLES, LookupClassifier(ANSWERS)).as_dict()
    assert set(data) == {"n", "accuracy", "macro_f1", "per_intent", "confusions"}
    assert data["accuracy"] == 0.6667
    assert data["per_intent"]["goodbye"] == {  # type: ignore[index]
        "precision": 0.5,
        "recall": 1.0,
        "f1": 0.6667,
        "support": 1,
    }
    assert data["confusions"][0] == {  # type: ignore[index]
        "expected": "greet",
        "predicted": "goodbye",
        "text": "g3",
    }


def test_perfect_and_empty_runs() -> None:
    perfect = evaluate_nlu(EXAMPLES[:2], LookupClassifier(ANSWERS))
    assert (perfect.accuracy, perfect.macro_f1, perfect.confusions) == (1.0, 1.0, [])
    empty = evaluate_nlu([], LookupClassifier({}))
    assert (empty.n, empty.accuracy, empty.macro_f1, empty.per_intent) == (0, 0.0, 0.0, {})


def test_reading_labelled_examples(tmp_path: Path) -> None:
    path = written(tmp_path / "nlu.tsv", "intent\ttext\ngreet\tciao\n\nthanks\tgrazie mille\n")
    assert read_labelled_examples(path) == [
        Example("ciao", "greet"),
        Example("grazie mille", "thanks"),
    ]
    path.write_text("text\tintent\nciao\tgreet\n", "utf-8")
    assert read_labelled_examples(path) == [Example("ciao", "greet")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "intent\ttext\ngreet\tciao\ngret\tsalve\n",
            r"nlu.tsv:3: unknown intent 'gret' — use one of",
        ),
        ("topic\tquery\ngreet\tciao\n", r"nlu.tsv:1: header .* lacks 'intent' and 'text'"),
        ("intent\ttext\ngreet\n", r"nlu.tsv:2: expected 2 tab-separated columns"),
        ("", r"nlu.tsv:1: the file is empty"),
    ],
)
def test_malformed_labelled_files(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(NluDataError, match=message):
        read_labelled_examples(written(tmp_path / "nlu.tsv", content))


def test_missing_labelled_file(tmp_path: Path) -> None:
    with pytest.raises(NluDataError, match="cannot read"):
        read_labelled_examples(tmp_path / "absent.tsv")

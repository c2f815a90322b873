"""Intent evaluation on labelled messages: accuracy, macro-F1, per-intent scores, confusions.

Macro-F1 is the headline next to accuracy because the intents are unbalanced on purpose
(questions outnumber greetings), and a classifier that never recognises `privacy_request` must
not hide behind a good accuracy. The confusions keep the text, since a list of
"expected report_need, got ask_question" is what tells a maintainer which examples to add.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from knowledge.evaluation import LabelledFileError, percentile, read_labelled_queries
from nlu.parse import INTENTS, IntentClassifier
from nlu.training_data import Example, NluDataError


class Confusion(NamedTuple):
    expected: str
    predicted: str
    text: str


@dataclass(frozen=True)
class IntentScores:
    precision: float
    recall: float
    f1: float
    support: int
    """How many evaluated messages carry this intent."""


@dataclass(frozen=True)
class NluReport:
    n: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, IntentScores] = field(default_factory=dict)
    confusions: list[Confusion] = field(default_factory=list)
    latency_ms_p50: float = 0.0
    latency_ms_p95: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_intent": {
                intent: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for intent, s in self.per_intent.items()
            },
            "confusions": [c._asdict() for c in self.confusions],
        }


def read_labelled_examples(path: Path, known_intents: Collection[str] = INTENTS) -> list[Example]:
    """Messages of a TSV whose header names `intent` and `text` (other columns are ignored)."""
    try:
        rows = read_labelled_queries(path, label_column="intent", text_column="text")
    except LabelledFileError as exc:
        raise NluDataError(str(exc)) from exc
    for row in rows:
        if row.label not in known_intents:
            raise NluDataError(
                f"{path}:{row.line}: unknown intent '{row.label}'"
                f" — use one of: {', '.join(sorted(known_intents))}"
            )
    return [Example(row.text, row.label) for row in rows]


def evaluate_nlu(examples: Sequence[Example], classifier: IntentClassifier) -> NluReport:
    """Parse every example and score the intents against the labels.

    Per-intent scores cover every intent that is expected or predicted at least once; an
    undefined precision or recall (nothing predicted, nothing expected) counts as 0, and
    macro-F1 is the plain mean of those intents' F1, as scikit-learn computes it.
    """
    predicted: list[str] = []
    latencies: list[float] = []
    for example in examples:
        started = time.perf_counter()
        predicted.append(classifier.parse(example.text).intent)
        latencies.append((time.perf_counter() - started) * 1000)
    expected = [example.intent for example in examples]
    pairs = list(zip(expected, predicted, strict=True))
    correct = Counter(e for e, p in pairs if e == p)
    support = Counter(expected)
    guessed = Counter(predicted)
    labels = [i for i in INTENTS if i in support or i in guessed]
    labels += sorted((set(support) | set(guessed)) - set(INTENTS))
    per_intent = {
        label: _scores(correct[label], guessed[label], support[label]) for label in labels
    }
    n = len(pairs)
    ordered = sorted(latencies)
    return NluReport(
        n=n,
        accuracy=sum(correct.values()) / n if n else 0.0,
        macro_f1=sum(s.f1 for s in per_intent.values()) / len(per_intent) if per_intent else 0.0,
        per_intent=per_intent,
        confusions=[
            Confusion(e, p, example.text)
            for (e, p), example in zip(pairs, examples, strict=True)
            if e != p
        ],
        latency_ms_p50=percentile(ordered, 50),
        latency_ms_p95=percentile(ordered, 95),
    )


def _scores(true_positives: int, predicted: int, support: int) -> IntentScores:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return IntentScores(precision, recall, f1, support)

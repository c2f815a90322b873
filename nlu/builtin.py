"""The builtin intent classifier: sentence embeddings and character n-grams into one linear model.

Two views of a message, because each fixes the other's blind spot:
- the shared encoder's embedding carries meaning across paraphrase and language ("mi servirebbe
  una mano con mio padre" near "I need help with my father");
- TF-IDF over character n-grams of the accent-folded text carries form: short replies, typos and
  spellings the encoder has rarely seen ("grz", "okk", "rimborzo").
Both blocks are unit length, weighted and concatenated; a multinomial logistic regression reads
them. On the desk's 700 examples that trains at start-up in about two seconds (one to encode
the examples with USE, 1.2 to fit and calibrate), so there is no model file to version; and
the embedding is the same vector retrieval computes, which `parse_with_vector` reuses to keep
one encoder call per message.

Probabilities are calibrated by temperature scaling: one temperature, fitted on out-of-fold
logits (the n-gram vocabulary refitted inside each fold), divides the logits before the softmax.
It never changes which intent wins, only how sure the classifier says it is, so a threshold such
as "confidence ≥ 0.6" means roughly "right six times in ten" (on the held-out set the expected
calibration error is under 0.01). The parse path is plain numpy on the fitted weights: a few
tenths of a millisecond beyond the encoder.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse  # type: ignore[import-untyped]
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from knowledge.encoders import Encoder
from knowledge.text import fold
from nlu.entities import extract_entities
from nlu.parse import Parse
from nlu.training_data import Example, NluDataError

logger = logging.getLogger(__name__)

Floats = NDArray[np.float64]

MAX_CHARS = 1000
"""Only the start of a longer message is read: intent shows early, and latency stays flat."""
FALLBACK_INTENT = "out_of_scope"
"""What a blank message parses to, with confidence 0: there is nothing to classify."""
ENCODE_BATCH = 256
TEMPERATURE_RANGE = (0.05, 20.0)


@dataclass(frozen=True)
class _LinearModel:
    """The fitted weights, split by feature block so a parse never builds the joint matrix."""

    vectorizer: TfidfVectorizer
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    embedding_coef: Floats  # (intents, encoder dim)
    char_coef: Floats  # (intents, n-gram vocabulary)
    intercept: Floats  # (intents,)

    def char_logits(self, text: str) -> Floats:
        """`char_coef @ tfidf(text)` for one text, without scikit-learn's per-call checks.

        It repeats TfidfVectorizer's arithmetic (sublinear tf, idf, l2 norm) on the handful of
        n-grams in a message, which takes microseconds where `transform` takes milliseconds;
        a unit test holds the two to the same result.
        """
        vocabulary = self.vocabulary
        counts = Counter(g for g in self.analyzer(text) if g in vocabulary)
        if not counts:
            return np.zeros(self.char_coef.shape[0])
        columns = np.fromiter((vocabulary[g] for g in counts), dtype=np.int64, count=len(counts))
        weights = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        weights *= self.vectorizer.idf_[columns]
        weights /= np.linalg.norm(weights)
        return np.asarray(self.char_coef[:, columns] @ weights, dtype=np.float64)


class BuiltinIntentClassifier:
    """Trained on construction from labelled examples; `parse` is then thread-safe and cheap.

    `embedding_weight` and `char_weight` scale the two feature blocks (their ratio decides how
    much form counts against meaning), `regularisation` is the inverse strength C of the
    logistic regression, and n-grams seen in fewer than `min_ngram_count` examples are dropped
    (they are mostly noise, and fewer weights train faster). The defaults were chosen by
    cross-validation on the bundled training examples, never on the held-out set. `folds` is
    the number of cross-validation folds that calibrate the confidence.
    """

    def __init__(
        self,
        examples: Sequence[Example],
        encoder: Encoder,
        *,
        regularisation: float = 30.0,
        embedding_weight: float = 1.0,
        char_weight: float = 1.0,
        ngram_range: tuple[int, int] = (2, 4),
        min_ngram_count: int = 2,
        folds: int = 3,
        random_state: int = 0,
    ) -> None:
        started = time.perf_counter()
        counts = Counter(example.intent for example in examples)
        if len(counts) < 2:
            raise NluDataError(
                f"training needs examples of at least two intents, got {sorted(counts)}"
                " — add examples to the training data"
            )
        self._encoder = encoder
        self._c = regularisation
        self._embedding_weight = embedding_weight
        self._char_weight = char_weight
        self._ngram_range = ngram_range
        self._min_ngram_count = min_ngram_count
        self._random_state = random_state
        self._intents: tuple[str, ...] = tuple(sorted(counts))
        labels = np.array([self._intents.index(e.intent) for e in examples], dtype=np.int64)
        vectors = _encode(encoder, [_for_encoder(e.text) for e in examples])
        texts = [_for_ngrams(e.text) for e in examples]
        self._dim = int(vectors.shape[1])
        # OpenBLAS threads inside scipy's L-BFGS-B make it some 30 times slower on these tens
        # of thousands of weights (scipy issue 26137). One BLAS thread, for the few seconds of
        # start-up training only, is what keeps training near one second.
        with threadpool_limits(limits=1, user_api="blas"):
            self._temperature = self._fit_temperature(
                texts, vectors, labels, min(folds, min(counts.values()))
            )
            self._model = self._fit(texts, vectors, labels)
        logger.info(
            "intent classifier trained: examples=%d intents=%d features=%d temperature=%.3f"
            " seconds=%.2f",
            len(examples),
            len(self._intents),
            self._dim + self._model.char_coef.shape[1],
            self._temperature,
            time.perf_counter() - started,
        )

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents this classifier can return, in a fixed (alphabetical) order."""
        return self._intents

    @property
    def temperature(self) -> float:
        """The calibration temperature (1.0 when there were too few examples to fit one)."""
        return self._temperature

    def parse(self, text: str) -> Parse:
        """Intent, calibrated confidence, ranking and entities of one message."""
        if not text.strip():
            return Parse(FALLBACK_INTENT, 0.0)
        vector = self._encoder.encode_queries([_for_encoder(text)])[0]
        return self.parse_with_vector(text, vector)

    def parse_with_vector(self, text: str, vector: NDArray[np.floating]) -> Parse:
        """Like `parse`, reusing the query vector retrieval already computed with this encoder.

        The vector must come from the same encoder's `encode_queries` (one row, or a 1-D array);
        a vector of another size is refused rather than silently misread.
        """
        if not text.strip():
            return Parse(FALLBACK_INTENT, 0.0)
        row = np.asarray(vector, dtype=np.float64).reshape(-1)
        if row.shape[0] != self._dim:
            raise ValueError(
                f"query vector has {row.shape[0]} dimensions, the classifier was trained on"
                f" {self._dim}: pass a vector from the same encoder"
            )
        model = self._model
        logits = (
            self._embedding_weight * (model.embedding_coef @ row)
            + self._char_weight * model.char_logits(_for_ngrams(text))
            + model.intercept
        )
        probabilities = _softmax(logits[None, :] / self._temperature)[0]
        order = np.argsort(-probabilities, kind="stable")
        ranking = tuple((self._intents[i], float(probabilities[i])) for i in order)
        return Parse(
            intent=ranking[0][0],
            confidence=ranking[0][1],
            entities=extract_entities(text[:MAX_CHARS]),
            ranking=ranking,
        )

    def _fit(
        self, texts: Sequence[str], vectors: Floats, labels: NDArray[np.int64]
    ) -> _LinearModel:
        vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self._ngram_range,
            min_df=self._min_ngram_count,
            sublinear_tf=True,
            lowercase=False,
        )
        grams = vectorizer.fit_transform(texts)
        features = scipy.sparse.hstack(
            [scipy.sparse.csr_matrix(vectors * self._embedding_weight), grams * self._char_weight],
            format="csr",
        )
        model = LogisticRegression(C=self._c, max_iter=2000, random_state=self._random_state)
        model.fit(features, labels)
        coef = np.asarray(model.coef_, dtype=np.float64)
        intercept = np.asarray(model.intercept_, dtype=np.float64)
        present = np.asarray(model.classes_, dtype=np.int64)
        if coef.shape[0] == 1:
            # Two classes: scikit-learn keeps one weight row w (logit of the second class).
            # Rows -w/2 and w/2 give the same probabilities through a softmax.
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.concatenate([-intercept / 2, intercept / 2])
        # A fold may lack a rare intent; it gets a logit far below every other one.
        full_coef = np.zeros((len(self._intents), coef.shape[1]))
        full_intercept = np.full(len(self._intents), -1e3)
        full_coef[present] = coef
        full_intercept[present] = intercept
        return _LinearModel(
            vectorizer=vectorizer,
            analyzer=vectorizer.build_analyzer(),
            vocabulary=dict(vectorizer.vocabulary_),
            embedding_coef=full_coef[:, : self._dim],
            char_coef=full_coef[:, self._dim :],
            intercept=full_intercept,
        )

    def _logits(self, model: _LinearModel, texts: Sequence[str], vectors: Floats) -> Floats:
        grams = model.vectorizer.transform(texts)
        char_part = np.asarray(grams @ model.char_coef.T, dtype=np.float64)
        dense_part = vectors @ model.embedding_coef.T
        return self._embedding_weight * dense_part + self._char_weight * char_part + model.intercept

    def _fit_temperature(
        self, texts: Sequence[str], vectors: Floats, labels: NDArray[np.int64], folds: int
    ) -> float:
        """The temperature that minimises the log loss of out-of-fold predictions."""
        if folds < 2:
            logger.warning("too few examples per intent to calibrate confidence; using T=1")
            return 1.0
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self._random_state)
        logits = np.zeros((len(texts), len(self._intents)))
        for train, test in splitter.split(np.zeros(len(texts)), labels):
            model = self._fit([texts[i] for i in train], vectors[train], labels[train])
            logits[test] = self._logits(model, [texts[i] for i in test], vectors[test])
        return _best_temperature(logits, labels)


def _best_temperature(logits: Floats, labels: NDArray[np.int64]) -> float:
    """Golden-section search of the log loss over the inverse temperature (convex in it)."""

    def loss(inverse: float) -> float:
        scaled = logits * inverse
        top = scaled.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(scaled - top).sum(axis=1))
        return float(np.mean(log_norm - scaled[np.arange(len(labels)), labels]))

    low, high = 1 / TEMPERATURE_RANGE[1], 1 / TEMPERATURE_RANGE[0]
    ratio = (math.sqrt(5) - 1) / 2
    a, b = low + (1 - ratio) * (high - low), low + ratio * (high - low)
    loss_a, loss_b = loss(a), loss(b)
    for _ in range(60):
        if loss_a <= loss_b:
            high, b, loss_b = b, a, loss_a
            a = low + (1 - ratio) * (high - low)
            loss_a = loss(a)
        else:
            low, a, loss_a = a, b, loss_b
            b = low + ratio * (high - low)
            loss_b = loss(b)
    return 1 / ((low + high) / 2)


def _softmax(logits: Floats) -> Floats:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float64)


def _encode(encoder: Encoder, texts: Sequence[str]) -> Floats:
    batches = [
        encoder.encode_queries(texts[i : i + ENCODE_BATCH])
        for i in range(0, len(texts), ENCODE_BATCH)
    ]
    return np.vstack(batches).astype(np.float64)


def _for_encoder(text: str) -> str:
    """The text as retrieval embeds it (white space collapsed), so a shared vector matches."""
    return " ".join(text[:MAX_CHARS].split())


def _for_ngrams(text: str) -> str:
    """Accent-folded with spaces collapsed, so "Sì!" and "si" share their n-grams."""
    return " ".join(fold(text[:MAX_CHARS]).split())

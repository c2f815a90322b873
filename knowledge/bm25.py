"""Okapi BM25 over stemmed, accent-folded Italian, with typo correction of the query.

Each entry is one document made of weighted fields (title, questions, answer): repeating a field's
terms by its weight is the simple form of BM25F, and it lets the people's questions count more
than the answer's prose. Term weights are precomputed per posting at build time, so a query costs
one vector addition per query term.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from knowledge.text import TypoCorrector, content_words, stem


@dataclass(frozen=True)
class QueryTerms:
    terms: list[str]
    """Stemmed terms, after typo correction, that the index knows."""
    words: int
    """Content words in the query, known or not: the denominator of `coverage`."""
    truncations: int = 0
    """Query words known only as the cut-off start of longer words of the base ("test" of
    "testo", "testi"): the stem matches, the word does not (see `BM25Index.query_terms`)."""

    @property
    def coverage(self) -> float:
        """Share of the query's content words the knowledge base uses at all."""
        return len(self.terms) / self.words if self.words else 0.0


class BM25Index:
    def __init__(
        self,
        documents: Sequence[Sequence[tuple[str, float]]],
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        """`documents[i]` is a list of (text, weight) fields of document i."""
        self.size = len(documents)
        surface: Counter[str] = Counter()
        doc_terms: list[dict[str, float]] = []
        for fields in documents:
            counts: dict[str, float] = {}  # weighted term frequencies
            for text, weight in fields:
                for word in content_words(text):
                    surface[word] += 1
                    term = stem(word)
                    counts[term] = counts.get(term, 0.0) + weight
            doc_terms.append(counts)
        self._corrector = TypoCorrector(surface.elements())
        # the shortest spelling of each stem in the base: a query word shorter than every
        # spelling of its stem is a truncation, not an inflection ("test" / "testo")
        self._shortest: dict[str, int] = {}
        for word in surface:
            term = stem(word)
            self._shortest[term] = min(len(word), self._shortest.get(term, len(word)))
        lengths = np.array([sum(c.values()) for c in doc_terms], dtype=np.float64)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for doc, counts in enumerate(doc_terms):
            norm = k1 * (1 - b + b * lengths[doc] / average)
            for term, tf in counts.items():
                ids, weights = postings.setdefault(term, ([], []))
                ids.append(doc)
                weights.append(tf * (k1 + 1) / (tf + norm))
        self._postings: dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]] = {}
        for term, (ids, weights) in postings.items():
            idf = math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            self._postings[term] = (
                np.asarray(ids, dtype=np.int64),
                np.asarray(weights, dtype=np.float64) * idf,
            )

    def query_terms(self, query: str) -> QueryTerms:
        """The query's terms as the index spells them, misspellings corrected where possible."""
        words = content_words(query)
        terms: list[str] = []
        truncations = 0
        for word in dict.fromkeys(words):
            term = stem(word)
            if term not in self._postings:
                corrected = self._corrector.correct(word)
                term = stem(corrected) if corrected else term
            elif word not in self._corrector and len(word) < self._shortest[term]:
                # an inflection ("rimborsi", "rimborsare" of "rimborso") is as long as a known
                # spelling or longer; a word shorter than all of them only shares a start
                truncations += 1
            if term in self._postings and term not in terms:
                terms.append(term)
        return QueryTerms(terms, len(set(words)), truncations)

    def matched(self, terms: QueryTerms) -> NDArray[np.int64]:
        """How many of the query's terms each document contains: one rare word ("Torino")
        can give a high score, several words agreeing are stronger evidence."""
        counts = np.zeros(self.size, dtype=np.int64)
        for term in terms.terms:
            counts[self._postings[term][0]] += 1
        return counts

    def scores(self, terms: QueryTerms) -> NDArray[np.float64]:
        """BM25 score of every document (zeros where no term matches)."""
        scores = np.zeros(self.size, dtype=np.float64)
        for term in terms.terms:
            ids, weights = self._postings[term]
            scores[ids] += weights
        return scores

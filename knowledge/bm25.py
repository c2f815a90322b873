"""Okapi BM25 over stemmed, accent-folded text, with typo correction of the query.

Each entry is one document made of weighted fields (title, questions, answer): repeating a field's
terms by its weight is the simple form of BM25F, and it lets the people's questions count more
than the answer's prose. Term weights are precomputed per posting at build time, so a query costs
one vector addition per query term.

A field is Italian unless it names its language (`(text, weight, "ro")`): then it is reduced as
that language's words are (`knowledge.analysis`), and so is a query given the same language, so
a Romanian question meets a Romanian phrasing in another inflection. Italian fields and queries
without a language go through `knowledge.text` exactly as before.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from knowledge import analysis
from knowledge.text import TypoCorrector, content_words, stem

Field = tuple[str, float] | tuple[str, float, str]
"""(text, weight) of an Italian field, or (text, weight, language code)."""


def _words(text: str, language: str | None) -> list[str]:
    if analysis.is_analysed(language):
        return analysis.content_words(text, language)
    return content_words(text)


def _stem(word: str, language: str | None) -> str:
    return analysis.stem(word, language) if analysis.is_analysed(language) else stem(word)


@dataclass(frozen=True)
class QueryTerms:
    terms: list[str]
    """Stemmed terms, after typo correction, that the index knows."""
    words: int
    """Content words in the query, known or not: the denominator of `coverage`."""
    known: int | None = None
    """Content words that found a term (None: one term per word, `len(terms)`); a word of
    another language can find two, its own stem and the Italian one."""
    truncations: int = 0
    """Query words known only as the cut-off start of longer words of the base ("test" of
    "testo", "testi"): the stem matches, the word does not (see `BM25Index.query_terms`)."""
    groups: tuple[tuple[str, ...], ...] | None = None
    """`terms` split by the query word that found them (None: one term per word). A word
    found by two terms (its own stem and the Italian one) counts once in `BM25Index.scores`."""

    @property
    def coverage(self) -> float:
        """Share of the query's content words the knowledge base uses at all."""
        known = len(self.terms) if self.known is None else self.known
        return known / self.words if self.words else 0.0


class BM25Index:
    def __init__(
        self,
        documents: Sequence[Sequence[Field]],
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        """`documents[i]` is a list of (text, weight[, language]) fields of document i."""
        self.size = len(documents)
        surface: Counter[str] = Counter()
        # the shortest spelling of each stem in the base: a query word shorter than every
        # spelling of its stem is a truncation, not an inflection ("test" / "testo")
        self._shortest: dict[str, int] = {}
        doc_terms: list[dict[str, float]] = []
        for fields in documents:
            counts: dict[str, float] = {}  # weighted term frequencies
            for field in fields:
                text, weight = field[0], field[1]
                language = field[2] if len(field) == 3 else None
                for word in _words(text, language):
                    surface[word] += 1
                    term = _stem(word, language)
                    counts[term] = counts.get(term, 0.0) + weight
                    self._shortest[term] = min(len(word), self._shortest.get(term, len(word)))
            doc_terms.append(counts)
        self._corrector = TypoCorrector(surface.elements())
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

    def query_terms(self, query: str, language: str | None = None) -> QueryTerms:
        """The query's terms as the index spells them, misspellings corrected where possible.

        A query in an analysed language other than Italian (`knowledge.analysis`) is reduced
        as that language's fields were, and by the Italian stemmer too: workers write Italian
        words into their own language ("ente bilaterale", "asilo nido", "busta paga"), and a
        short Italian message can be taken for another language ("provider welfare costi").
        """
        words = _words(query, language)
        terms: list[str] = []
        groups: list[tuple[str, ...]] = []
        found = truncations = 0
        for word in dict.fromkeys(words):
            known = self._known_stems(word, language)
            noun = analysis.feminine_noun(word, language)
            if noun is not None:
                known += [t for t in self._known_stems(noun, language) if t not in known]
            for standard in analysis.dialect_equivalents(word, language):
                known += [t for t in self._known_stems(standard, language) if t not in known]
            for variant in [] if known else analysis.clitic_variants(word, language):
                known = self._known_stems(variant, language)
                if known:
                    break
            if not known:
                corrected = self._corrector.correct(word)
                known = self._known_stems(corrected, language) if corrected else []
            elif word not in self._corrector and len(word) < min(
                self._shortest[term] for term in known
            ):
                # an inflection ("rimborsi", "rimborsare" of "rimborso") is as long as a known
                # spelling or longer; a word shorter than all of them only shares a start
                truncations += 1
            new = [term for term in known if term not in terms]
            found += bool(new)
            terms.extend(new)
            if new:
                groups.append(tuple(new))
        return QueryTerms(terms, len(set(words)), found, truncations, tuple(groups))

    def _known_stems(self, word: str, language: str | None) -> list[str]:
        """The word's stems the index holds: its language's and, when different, Italian's."""
        stems = dict.fromkeys((_stem(word, language), stem(word)))
        return [term for term in stems if term in self._postings]

    def matched(self, terms: QueryTerms) -> NDArray[np.int64]:
        """How many of the query's terms each document contains: one rare word ("Torino")
        can give a high score, several words agreeing are stronger evidence."""
        counts = np.zeros(self.size, dtype=np.int64)
        for group in _groups(terms):
            if len(group) == 1:
                counts[self._postings[group[0]][0]] += 1
            else:
                hit = np.zeros(self.size, dtype=bool)
                for term in group:
                    hit[self._postings[term][0]] = True
                counts += hit
        return counts

    def scores(self, terms: QueryTerms) -> NDArray[np.float64]:
        """BM25 score of every document (zeros where no term matches).

        A query word found by several terms ("creditul": Romanian "cred", Italian
        "creditul") adds its best one per document, not their sum: otherwise the
        everyday words a language shares with Italian would count twice and outweigh the
        word that names the topic ("grădiniță").
        """
        scores = np.zeros(self.size, dtype=np.float64)
        for group in _groups(terms):
            if len(group) == 1:
                ids, weights = self._postings[group[0]]
                scores[ids] += weights
                continue
            best = np.zeros(self.size, dtype=np.float64)
            for term in group:
                ids, weights = self._postings[term]
                best[ids] = np.maximum(best[ids], weights)
            scores += best
        return scores


def _groups(terms: QueryTerms) -> tuple[tuple[str, ...], ...]:
    return terms.groups if terms.groups is not None else tuple((t,) for t in terms.terms)

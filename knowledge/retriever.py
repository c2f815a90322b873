"""Hybrid search over the knowledge base and the answer / clarify / fallback decision.

Lexical and dense retrieval fail differently: BM25 nails rare exact words ("104", "RSA",
"nido") and misses paraphrase and other languages; the encoder gets paraphrase and misses the
precise word. Each list is standardised (z-score over all entries) and the two are added, so a
strong signal from either side lifts an entry without one side's scale drowning the other.

The decision needs an absolute judgement too, which z-scores cannot give: how close the best
phrasing of the top entry is to the question (cosine), and how much of the question the base's
vocabulary covers. Thresholds are settings, chosen on the evaluation set (see bench/results).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from knowledge.arabizi import is_arabizi, latin_words, to_arabic
from knowledge.bm25 import BM25Index
from knowledge.condense import condense
from knowledge.dense import DenseIndex
from knowledge.encoders import Encoder, Vectors
from knowledge.entries import Audience, Entry
from knowledge.memo import Memo
from knowledge.phrasings import Phrasings
from sportello.errors import SportelloError

logger = logging.getLogger(__name__)

PREPARED_CACHE_SIZE = 4096
"""Recent messages whose prepared text is remembered (a few hundred kB at most)."""

Decision = Literal["answer", "clarify", "fallback"]
Fusion = Literal["zscore", "rrf", "lexical", "dense"]


class RetrievalSettings(BaseModel):
    fusion: Fusion = "zscore"
    dense_weight: float = Field(default=1.0, ge=0)
    lexical_weight: float = Field(default=0.8, ge=0)
    rrf_k: int = Field(default=60, ge=1)
    title_weight: float = Field(default=2.0, ge=0)
    question_weight: float = Field(default=1.0, ge=0)
    answer_weight: float = Field(default=0.3, ge=0)
    bm25_k1: float = Field(default=1.2, gt=0)
    bm25_b: float = Field(default=0.75, ge=0, le=1)
    dense_depth: int = Field(default=256, ge=1)
    dense_index: Literal["auto", "flat", "hnsw"] = Field(
        default="auto", description="flat (exact) or HNSW; auto: HNSW above hnsw_above phrasings"
    )
    hnsw_above: int = Field(default=20_000, ge=0)
    hnsw_m: int = Field(default=32, ge=4)
    hnsw_ef_search: int = Field(default=256, ge=1)
    embedding_cache_size: int = Field(
        default=4096,
        ge=0,
        description="recent messages whose vector, reading and ranking are kept in memory"
        " (0: none)",
    )
    faiss_threads: int = Field(
        default=1, ge=1, description="OpenMP threads per search; one query at a time needs one"
    )
    audience_penalty: float = Field(
        default=1.0, ge=0, description="fused-score points taken from entries for the other role"
    )
    max_query_chars: int = Field(default=500, ge=20)
    min_similarity: float = Field(
        default=0.47, description="below this cosine of the best phrasing nothing fits"
    )
    confident_similarity: float = Field(
        default=0.565, description="from this cosine up an answer needs no lexical support"
    )
    min_coverage: float = Field(
        default=0.67, description="share of the query's words the base must know to answer"
    )
    clarify_margin: float = Field(
        default=1.0, ge=0, description="fused-score gap under which two entries are too close"
    )
    dominant_margin: float = Field(
        default=1.8,
        ge=0,
        description="a welfare entry this far ahead of every other topic needs less cosine...",
    )
    dominant_min_similarity: float = Field(
        default=0.40, description="...only this much, when the gap is made of several words:"
    )
    dominant_min_terms: int = Field(
        default=3, ge=1, description="...this many of the message's terms found in the entry"
    )
    clear_similarity: float = Field(
        default=0.8,
        description="from this cosine up, a near tie with another welfare topic is still answered",
    )
    clear_lead: float = Field(
        default=0.02,
        ge=0,
        description="...and the rival's best phrasing is at least this much further (cosine)",
    )
    agreement_margin: float = Field(
        default=0.3,
        ge=0,
        description="a near tie is answered from this fused gap when both sides prefer the best",
    )
    agreement_lexical_lead: float = Field(
        default=1.05,
        ge=1,
        description="...its BM25 score this many times every close rival's, its cosine higher",
    )
    referral_min_similarity: float = Field(
        default=0.40,
        description="a referral may be given from this cosine: saying 'ask them' costs little",
    )
    referral_closer_similarity: float = Field(
        default=0.1,
        ge=0,
        description="a welfare answer is asked about when a referral reads this much closer",
    )
    referral_rival_margin: float = Field(
        default=1.25,
        ge=0,
        description="a welfare answer with a referral this close behind is asked about instead",
    )
    short_query_words: int = Field(
        default=2, ge=0, description="a query of this many content words or fewer is a keyword"
    )
    short_query_margin: float = Field(
        default=1.5,
        ge=0,
        description="a keyword query is answered only if no other topic comes this close",
    )
    short_query_min_similarity: float = Field(
        default=0.25, description="below this cosine even a known keyword gets the fallback"
    )
    foreign_lexical_weight: float = Field(
        default=0.8,
        ge=0,
        description="BM25's weight for a message in another language than Italian",
    )


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    """Fused score: comparable within one query only."""
    similarity: float
    """Cosine between the query and the entry's closest phrasing."""
    lexical: float
    """BM25 score of the entry."""
    matched: int = 0
    """How many distinct terms of the query the entry's text contains."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    truncated: bool
    decision: Decision
    hits: tuple[Hit, ...]
    coverage: float
    candidates: tuple[Hit, ...]
    """What to offer: the answer's entry, or for `clarify` the two or three close entries."""
    keyword: bool = False
    """The query was one or two known words, decided on the fused ranking (`is_keyword_query`)."""

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class QueryError(SportelloError, ValueError):
    """The query cannot be searched (empty or only whitespace)."""


class Retriever:
    def __init__(
        self,
        entries: Sequence[Entry],
        encoder: Encoder,
        dense: DenseIndex,
        settings: RetrievalSettings,
        phrasings: Phrasings | None = None,
    ) -> None:
        self.entries = tuple(entries)
        self.settings = settings
        self._encoder = encoder
        self._dense = dense
        self._phrasings = phrasings or {}
        italian = [
            [
                (entry.title, settings.title_weight),
                *((q, settings.question_weight) for q in entry.questions),
                (entry.answer, settings.answer_weight),
            ]
            for entry in self.entries
        ]
        self._lexical = BM25Index(italian, k1=settings.bm25_k1, b=settings.bm25_b)
        # Messages in other languages get a second BM25 whose documents also hold the entries'
        # phrasings in every language: same-language words ("tichete de masa") then match,
        # which the encoder alone does poorly for languages it was not trained on (Romanian,
        # Albanian). Each phrasing is reduced as its language's words are, and so is the
        # question (`knowledge.analysis`). The Italian index above never sees a phrasing.
        self._lexical_foreign = (
            BM25Index(
                [
                    [
                        *fields,
                        *(
                            (text, settings.question_weight, language)
                            for language in sorted(self._phrasings)
                            for text in self._phrasings[language].get(entry.id, ())
                        ),
                    ]
                    for entry, fields in zip(self.entries, italian, strict=True)
                ],
                k1=settings.bm25_k1,
                b=settings.bm25_b,
            )
            if self._phrasings
            else self._lexical
        )
        # Arabizi keeps the knowledge base's own Latin words ("welfare", "badante", "crèche")
        # in Latin letters when it is rewritten in Arabic script (`prepare`).
        self._latin_words = latin_words(
            [
                *(text for fields in italian for text, _ in fields),
                *(
                    text
                    for texts in self._phrasings.values()
                    for entry_texts in texts.values()
                    for text in entry_texts
                ),
            ]
        )
        self._prepared = functools.lru_cache(maxsize=PREPARED_CACHE_SIZE)(self._prepare)
        self._vectors: Memo[str, Vectors] = Memo(settings.embedding_cache_size)
        self._results: Memo[tuple[str, str | None, int, str], SearchResult] = Memo(
            settings.embedding_cache_size
        )
        self._audience_mask = {
            audience: np.array([not e.serves(audience) for e in self.entries], dtype=bool)
            for audience in ("worker", "company")
        }

    @property
    def encoder(self) -> Encoder:
        """The encoder behind the dense index; other components may share it."""
        return self._encoder

    def with_settings(self, settings: RetrievalSettings) -> Retriever:
        """The same indexes under other thresholds or weights (calibration, tests)."""
        return Retriever(self.entries, self._encoder, self._dense, settings, self._phrasings)

    def search(
        self,
        query: str,
        audience: Audience | None = None,
        k: int = 5,
        query_vector: Vectors | None = None,
        language: str | None = None,
        similarity: NDArray[np.float64] | None = None,
    ) -> SearchResult:
        """Rank entries for `query`, best first, and decide what the desk should do.

        `query_vector` lets a caller that already embedded the prepared query (the intent
        classifier shares the encoder) skip a second encoder call. `language` is the message's
        detected language (nlu.language): anything but Italian is also matched against the
        entries' phrasings in that and the other languages (knowledge/phrasings), with BM25
        weighted by `foreign_lexical_weight`; None or "it" is the Italian path. `similarity`
        is the dense side already computed for this query on this path (`dense_scores`).

        The ranking depends only on the prepared text, the audience and the path (the base
        and the models do not change while the desk runs), so recent results are kept.
        """
        text, truncated = self.prepare(query)
        key = (text, audience, k, language if language is not None else "it")
        remembered = self._results.get(key)
        if remembered is not None:
            return (
                remembered
                if remembered.truncated == truncated
                else replace(remembered, truncated=truncated)
            )
        result = self._search(text, truncated, audience, k, query_vector, language, similarity)
        self._results.put(key, result)
        return result

    def _search(
        self,
        text: str,
        truncated: bool,
        audience: Audience | None,
        k: int,
        query_vector: Vectors | None,
        language: str | None,
        similarity: NDArray[np.float64] | None,
    ) -> SearchResult:
        foreign = language is not None and language != "it"
        bm25 = self._lexical_foreign if foreign else self._lexical
        terms = bm25.query_terms(text, language if foreign else None)
        lexical = bm25.scores(terms)
        matched = bm25.matched(terms)
        if similarity is None:
            vector = query_vector if query_vector is not None else self.embed(text)
            similarity = self._dense.entry_scores(
                vector, self.settings.dense_depth, multilingual=foreign
            )
        fused = self._fuse(
            lexical,
            similarity,
            self.settings.foreign_lexical_weight if foreign else self.settings.lexical_weight,
        )
        if audience in self._audience_mask and audience != "both":
            fused = fused - self.settings.audience_penalty * self._audience_mask[audience]
        top = _top_k(fused, k)
        hits = tuple(
            Hit(
                self.entries[i],
                float(fused[i]),
                float(similarity[i]),
                float(lexical[i]),
                int(matched[i]),
            )
            for i in top
        )
        keyword = is_keyword_query(
            terms.words, terms.coverage, self.settings, truncations=terms.truncations
        )
        decision = decide(hits, terms.coverage, self.settings, keyword=keyword)
        logger.info(  # no entry id: it can name a health topic
            "search decision=%s sim=%.3f coverage=%.2f",
            decision,
            hits[0].similarity if hits else 0.0,
            terms.coverage,
        )
        return SearchResult(
            text,
            truncated,
            decision,
            hits,
            terms.coverage,
            self._candidates(decision, hits, keyword=keyword),
            keyword,
        )

    def dense_scores(
        self, vectors: Sequence[Vectors], languages: Sequence[str | None]
    ) -> list[NDArray[np.float64]]:
        """The dense side of `search` for several queries, in one index pass per path
        (Italian, other languages): what a batch of turns would otherwise do query by query."""
        scores: list[NDArray[np.float64] | None] = [None] * len(vectors)
        for foreign in (False, True):
            rows = [
                i
                for i, language in enumerate(languages)
                if (language is not None and language != "it") == foreign
            ]
            if rows:
                matrix = np.stack([vectors[i] for i in rows])
                found = self._dense.entry_scores_many(
                    matrix, self.settings.dense_depth, multilingual=foreign
                )
                for i, row in zip(rows, found, strict=True):
                    scores[i] = row
        return [row for row in scores if row is not None]

    def embed(self, prepared_query: str) -> Vectors:
        """The encoder's unit vector for an already prepared query (see `embed_many`)."""
        return self.embed_many([prepared_query])[0]

    def embed_many(self, prepared_queries: Sequence[str]) -> list[Vectors]:
        """The encoder's unit vectors for already prepared queries, in order.

        The encoder is most of the cost of a turn, so two things keep it down. People send
        the same short messages over and over ("ciao", "grazie", "buoni pasto"), so recent
        vectors are kept (LRU). And the queries not in the cache go to the encoder in one
        call: a busy desk embeds the messages that arrived together as one batch, which costs
        a third of encoding them one by one. The returned arrays are shared: callers must
        not modify them.
        """
        return self._vectors.recall_many(prepared_queries, self._encode)

    def _encode(self, prepared_queries: list[str]) -> list[Vectors]:
        vectors = []
        for row in self._encoder.encode_queries(prepared_queries):
            vector = np.ascontiguousarray(row, dtype=np.float32)
            vector.setflags(write=False)
            vectors.append(vector)
        return vectors

    def prepare(self, query: str) -> tuple[str, bool]:
        """The question in the message: courtesies, signature and repetitions removed
        (`knowledge.condense`), white space collapsed, an over-long rest cut at a word boundary.
        Arabic written in Latin letters (knowledge.arabizi) is rewritten in Arabic script, so the
        Arabic analysis and phrasings read it, the knowledge base's Latin words kept as written.

        A turn prepares its text more than once (analysis, then search, which accepts raw
        text too), so recent results are remembered.
        """
        return self._prepared(query)

    def _prepare(self, query: str) -> tuple[str, bool]:
        if is_arabizi(query):
            query = to_arabic(query, keep=self._latin_words)
        text = " ".join(condense(query).split())
        if not text:
            raise QueryError("la domanda è vuota: scrivi che cosa vuoi sapere")
        limit = self.settings.max_query_chars
        if len(text) <= limit:
            return text, False
        cut = text[:limit]
        return (cut.rsplit(" ", 1)[0] if " " in cut else cut), True

    def _candidates(
        self, decision: Decision, hits: tuple[Hit, ...], *, keyword: bool = False
    ) -> tuple[Hit, ...]:
        if decision == "fallback":
            return ()
        if decision == "answer":
            return hits[:1]
        # One option per topic ("rimborso" → nursery, school, documents): two entries of the
        # same topic would ask the reader to choose between things they cannot tell apart.
        margin = self.settings.short_query_margin if keyword else 2 * self.settings.clarify_margin
        by_topic: dict[str, Hit] = {}
        for hit in hits:
            if hits[0].score - hit.score < margin:
                by_topic.setdefault(hit.entry.topic, hit)
        options = tuple(by_topic.values())[:3]
        referral = None if keyword else closer_referral(hits, self.settings)
        if referral is not None and referral not in options:
            # the reason to ask is offered even when its fused score is far behind
            options = (*options[:2], referral)
        return options

    def _fuse(
        self,
        lexical: NDArray[np.float64],
        similarity: NDArray[np.float64],
        lexical_weight: float,
    ) -> NDArray[np.float64]:
        s = self.settings
        if s.fusion == "lexical":
            return lexical + 1e-3 * similarity  # dense only breaks ties among lexical equals
        if s.fusion == "dense":
            return similarity
        if s.fusion == "rrf":
            return lexical_weight / (s.rrf_k + _ranks(lexical)) + s.dense_weight / (
                s.rrf_k + _ranks(similarity)
            )
        return s.dense_weight * _zscore(similarity) + lexical_weight * _zscore(lexical)


def is_keyword_query(
    words: int, coverage: float, settings: RetrievalSettings, *, truncations: int = 0
) -> bool:
    """One or two words the knowledge base knows ("rimborso", "buoni pasto", "104").

    The encoder reads such a query poorly (its cosine is low even for the right entry) while
    the words themselves are strong evidence, so keywords are decided on the fused ranking:
    answered when one topic stands out, asked about when several do. Only real words count:
    a word that merely shares its stem with longer words of the base ("test" with "testo")
    is no evidence, so such a message is judged like any other, on how close it reads.
    """
    return 0 < words <= settings.short_query_words and coverage >= 1.0 and truncations == 0


def decide(
    hits: Sequence[Hit], coverage: float, settings: RetrievalSettings, *, keyword: bool = False
) -> Decision:
    """Answer when one entry clearly fits, ask when two topics are close, else offer a human.

    The rival is the best entry of another topic (a second entry of the same topic is no
    reason to ask: both say the same). A referral entry as the rival is a stronger reason to
    ask than a welfare one, so it counts from a wider gap (`referral_rival_margin`).
    """
    if not hits:
        return "fallback"
    best = hits[0]
    if keyword and best.lexical > 0:
        if best.similarity < settings.short_query_min_similarity:
            return "fallback"
        rivals = [h for h in hits[1:] if best.score - h.score < settings.short_query_margin]
        return "clarify" if any(h.entry.topic != best.entry.topic for h in rivals) else "answer"
    rival = next((h for h in hits[1:] if h.entry.topic != best.entry.topic), None)
    gap = best.score - rival.score if rival is not None else 0.0
    fits = (
        best.similarity >= settings.confident_similarity
        or (best.similarity >= settings.min_similarity and coverage >= settings.min_coverage)
        or (best.entry.is_referral and best.similarity >= settings.referral_min_similarity)
        # a long or foreign message reads far from any one phrasing, yet several of its words
        # can single out one entry by a wide margin ("ente bilaterale", "cooperative",
        # "occhiali"): that is evidence too. One rare word ("Torino") is not.
        or (
            rival is not None
            and gap >= settings.dominant_margin
            and best.similarity >= settings.dominant_min_similarity
            and best.matched >= settings.dominant_min_terms
        )
    )
    if not fits:
        return "fallback"
    if closer_referral(hits, settings) is not None:
        return "clarify"
    if rival is None:
        return "answer"
    if rival.entry.is_referral and not best.entry.is_referral:
        # "Not mine" close behind a welfare entry: the message sits on the border of welfare
        # (hours, pay, public benefits), where a confident welfare answer is the costly mistake.
        return "clarify" if gap < settings.referral_rival_margin else "answer"
    if gap >= settings.clarify_margin:
        return "answer"
    # A near tie in the fused ranking often comes from shared words alone ("credito",
    # "busta paga"); when a phrasing of the best entry says nearly the same as the message,
    # the encoder has settled it.
    # Not when the rival's phrasing reads about as close: then the encoder has settled nothing
    # ("sul credito welfare si pagano i contributi inps?": the tax entry and the badante's
    # INPS contributions both at 0.82).
    clear = (
        best.similarity >= settings.clear_similarity
        and best.similarity - rival.similarity >= settings.clear_lead
        and not rival.entry.is_referral
    )
    return "answer" if clear or _both_sides_agree(best, hits, settings) else "clarify"


def closer_referral(hits: Sequence[Hit], settings: RetrievalSettings) -> Hit | None:
    """A referral among the hits whose phrasing reads clearly closer than the welfare best.

    The welfare entry can lead the fused ranking on words alone ("Sundays", "extra pay" in
    the entry on holiday pay) while the encoder reads the message as a question about the
    work contract: a confident welfare answer would be the costly mistake, so the desk asks.
    """
    if not hits or hits[0].entry.is_referral:
        return None
    floor = hits[0].similarity + settings.referral_closer_similarity
    return next((h for h in hits[1:] if h.entry.is_referral and h.similarity >= floor), None)


def _both_sides_agree(best: Hit, hits: Sequence[Hit], settings: RetrievalSettings) -> bool:
    """The best entry leads on the encoder and on the words alike, over every close rival.

    A near tie in the fused sum is often one side against the other: a rival whose phrasing
    reads closer while the best entry has more of the message's words (the pension fund
    against the credit left unspent). Then asking is right. When both sides prefer the same
    entry and only the size of its lead is small ("il fondo sanitario paga il ticket del
    pronto soccorso?": the health fund ahead of the mutual aid society on both), the rival
    has no evidence of its own, and asking would make the reader choose what the desk knew.
    A referral among the close rivals keeps the question (`decide`).
    """
    close = [
        h
        for h in hits[1:]
        if h.entry.topic != best.entry.topic and best.score - h.score < settings.clarify_margin
    ]
    if not close or best.score - close[0].score < settings.agreement_margin:
        return False
    return all(
        not h.entry.is_referral
        and best.similarity > h.similarity
        and best.lexical > settings.agreement_lexical_lead * h.lexical
        for h in close
    )


def _zscore(values: NDArray[np.float64]) -> NDArray[np.float64]:
    std = float(values.std())
    if std < 1e-12:
        return np.zeros_like(values)
    return (values - float(values.mean())) / std


def _ranks(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """1-based rank of each value, highest first."""
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[np.argsort(-values, kind="stable")] = np.arange(1, values.size + 1)
    return ranks


def _top_k(scores: NDArray[np.float64], k: int) -> list[int]:
    k = min(k, scores.size)
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in part[np.argsort(-scores[part], kind="stable")]]

"""BM25, fusion, audience and the answer / clarify / fallback decision, on a small base."""

from pathlib import Path

import numpy as np
import pytest

from knowledge import QueryError, RetrievalSettings, Retriever, load_knowledge_base
from knowledge.bm25 import BM25Index
from knowledge.dense import DenseIndex, entry_units
from knowledge.entries import Entry
from knowledge.retriever import Hit, closer_referral, decide, is_keyword_query
from tests.support import HashingEncoder, referral_text, write_small_base

pytestmark = pytest.mark.unit


@pytest.fixture
def entries(tmp_path: Path) -> tuple[Entry, ...]:
    base, topics = write_small_base(tmp_path)
    return load_knowledge_base(base, topics).entries


def make_retriever(entries: tuple[Entry, ...], **settings: object) -> Retriever:
    encoder = HashingEncoder()
    texts, owners = entry_units(entries)
    dense = DenseIndex(encoder.encode_documents(texts), owners, len(entries))
    return Retriever(entries, encoder, dense, RetrievalSettings.model_validate(settings))


def test_bm25_ranks_the_document_with_the_rare_word_first() -> None:
    index = BM25Index([[("rimborso retta asilo nido", 1.0)], [("rimborso abbonamento bus", 1.0)]])
    scores = index.scores(index.query_terms("asilo nido"))
    assert scores[0] > 0 and scores[1] == 0


def test_bm25_field_weight_counts() -> None:
    index = BM25Index([[("nido", 1.0)], [("nido", 3.0)]])
    scores = index.scores(index.query_terms("nido"))
    assert scores[1] > scores[0] > 0


def test_bm25_corrects_typos_and_reports_coverage() -> None:
    index = BM25Index([[("abbonamento autobus", 1.0)], [("badante anziani", 1.0)]])
    terms = index.query_terms("abbonamneto autobus zanzibar")
    assert index.scores(terms)[0] > 0
    assert terms.coverage == pytest.approx(2 / 3)


def test_a_word_that_is_only_the_start_of_longer_words_is_a_truncation() -> None:
    """ "test" shares its stem with "testo" and "testi" but is not a word of the base; a plural
    ("rimborsi" of "rimborso") or a verb form ("rimborsare") is as long or longer, and counts."""
    index = BM25Index([[("libri di testo e testi scolastici", 1.0)], [("rimborso retta", 1.0)]])
    test = index.query_terms("test")
    assert test.coverage == 1.0 and test.truncations == 1
    assert index.query_terms("testi").truncations == 0
    assert index.query_terms("rimborsi").truncations == 0
    assert index.query_terms("rimborsare").truncations == 0


def test_a_truncation_is_not_a_keyword_query() -> None:
    settings = RetrievalSettings()
    assert is_keyword_query(1, 1.0, settings)
    assert not is_keyword_query(1, 1.0, settings, truncations=1)


@pytest.mark.parametrize("fusion", ["zscore", "rrf", "lexical", "dense"])
def test_every_fusion_finds_the_obvious_entry(entries: tuple[Entry, ...], fusion: str) -> None:
    retriever = make_retriever(entries, fusion=fusion)
    assert retriever.search("rimborso della retta del nido").hits[0].entry.id == "nido-retta"
    assert (
        retriever.search("come attivare un piano welfare").hits[0].entry.id == "piano-attivazione"
    )


def test_hits_are_sorted_and_limited(entries: tuple[Entry, ...]) -> None:
    result = make_retriever(entries).search("buoni pasto", k=2)
    assert len(result.hits) == 2
    assert result.hits[0].score >= result.hits[1].score


def test_audience_penalty_demotes_entries_for_the_other_role(entries: tuple[Entry, ...]) -> None:
    retriever = make_retriever(entries, audience_penalty=10.0)
    query = "welfare nido piano"
    worker = [h.entry.id for h in retriever.search(query, audience="worker").hits]
    company = [h.entry.id for h in retriever.search(query, audience="company").hits]
    assert worker.index("piano-attivazione") == 2  # a company entry goes below the others
    assert company.index("nido-retta") == 2


def test_empty_query_is_refused_and_long_query_truncated(entries: tuple[Entry, ...]) -> None:
    retriever = make_retriever(entries, max_query_chars=40)
    with pytest.raises(QueryError):
        retriever.search("   \n\t ")
    result = make_retriever(entries).search(
        "buoni pasto elettronici esenti " + "ticket restaurant " * 1000
    )
    assert result.truncated is False  # a repeated phrase is read once: nothing to cut
    assert result.query == "buoni pasto elettronici esenti ticket restaurant"
    long_text = " ".join(f"buoni pasto {i}" for i in range(100))
    result = retriever.search(long_text)
    assert result.truncated
    assert len(result.query) <= 40
    assert result.hits[0].entry.id == "buoni-pasto-limiti"


def hit(entry: Entry, score: float, similarity: float, matched: int = 0) -> Hit:
    return Hit(entry, score, similarity, 0.0, matched)


def test_decision_thresholds(entries: tuple[Entry, ...]) -> None:
    settings = RetrievalSettings(
        min_similarity=0.8,
        confident_similarity=0.9,
        min_coverage=0.5,
        clarify_margin=0.3,
        clear_similarity=0.95,
    )
    pasto, nido, piano = sorted(entries, key=lambda e: e.id)[0], entries[1], entries[2]
    assert pasto.topic != nido.topic
    clear = [hit(pasto, 3.0, 0.85), hit(nido, 1.0, 0.6)]
    assert decide(clear, 1.0, settings) == "answer"
    assert decide(clear, 0.2, settings) == "fallback"  # similar-ish but words unknown
    confident = [hit(pasto, 3.0, 0.95), hit(nido, 1.0, 0.6)]
    assert decide(confident, 0.0, settings) == "answer"
    assert decide([hit(pasto, 3.0, 0.7)], 1.0, settings) == "fallback"
    close = [hit(pasto, 3.0, 0.85), hit(piano, 2.8, 0.84)]
    assert decide(close, 1.0, settings) == "clarify"
    assert decide([], 1.0, settings) == "fallback"


@pytest.fixture
def with_referral(tmp_path: Path) -> tuple[Entry, ...]:
    base, topics = write_small_base(tmp_path)
    (base / "fuori-ambito-tfr.md").write_text(referral_text(), "utf-8")
    return load_knowledge_base(base, topics).entries


def by_id(entries: tuple[Entry, ...]) -> dict[str, Entry]:
    return {e.id: e for e in entries}


SETTINGS = RetrievalSettings(
    min_similarity=0.5,
    confident_similarity=0.9,
    min_coverage=0.5,
    clarify_margin=0.5,
    clear_similarity=0.8,
    referral_rival_margin=1.5,
    dominant_margin=3.0,
    dominant_min_similarity=0.4,
)


def test_the_rival_is_the_best_entry_of_another_topic(with_referral: tuple[Entry, ...]) -> None:
    e = by_id(with_referral)
    same_topic_second = [
        hit(e["nido-retta"], 3.0, 0.7),
        hit(e["nido-retta"], 2.9, 0.7),  # the same topic close behind is no reason to ask
        hit(e["piano-attivazione"], 2.7, 0.6),  # ...but another topic 0.3 behind is
    ]
    assert decide(same_topic_second, 1.0, SETTINGS) == "clarify"
    far = [hit(e["nido-retta"], 3.0, 0.7), hit(e["piano-attivazione"], 2.0, 0.6)]
    assert decide(far, 1.0, SETTINGS) == "answer"


def test_a_near_tie_is_answered_when_the_best_phrasing_is_very_close(
    with_referral: tuple[Entry, ...],
) -> None:
    e = by_id(with_referral)
    near_tie = [hit(e["nido-retta"], 3.0, 0.85), hit(e["piano-attivazione"], 2.9, 0.8)]
    assert decide(near_tie, 1.0, SETTINGS) == "answer"
    weaker = [hit(e["nido-retta"], 3.0, 0.75), hit(e["piano-attivazione"], 2.9, 0.8)]
    assert decide(weaker, 1.0, SETTINGS) == "clarify"
    # the rival's phrasing reads about as close (within clear_lead): nothing is settled
    both_close = [hit(e["nido-retta"], 3.0, 0.85), hit(e["piano-attivazione"], 2.9, 0.84)]
    assert decide(both_close, 1.0, SETTINGS) == "clarify"


def test_a_near_tie_is_answered_when_both_sides_prefer_the_best(
    with_referral: tuple[Entry, ...],
) -> None:
    """Within clarify_margin, a lead on the cosine and on BM25 alike settles it; a lead on one
    side only, a gap under agreement_margin, or a referral close behind keeps the question."""
    e = by_id(with_referral)
    nido, piano, tfr = e["nido-retta"], e["piano-attivazione"], e["fuori-ambito-tfr"]
    settings = SETTINGS.model_copy(update={"agreement_margin": 0.2, "clear_similarity": 2.0})

    def pair(lexical: float, similarity: float, gap: float = 0.3) -> list[Hit]:
        return [Hit(nido, 3.0, 0.7, 10.0, 3), Hit(piano, 3.0 - gap, similarity, lexical, 3)]

    assert decide(pair(lexical=8.0, similarity=0.6), 1.0, settings) == "answer"
    assert decide(pair(lexical=9.8, similarity=0.6), 1.0, settings) == "clarify"  # lead < 5 %
    assert decide(pair(lexical=8.0, similarity=0.75), 1.0, settings) == "clarify"
    assert decide(pair(lexical=8.0, similarity=0.6, gap=0.1), 1.0, settings) == "clarify"
    referral_behind = [*pair(lexical=8.0, similarity=0.6), Hit(tfr, 2.6, 0.5, 1.0, 1)]
    assert decide(referral_behind, 1.0, settings) == "clarify"


def test_a_referral_close_behind_a_welfare_entry_asks_from_a_wider_gap(
    with_referral: tuple[Entry, ...],
) -> None:
    e = by_id(with_referral)
    tfr = e["fuori-ambito-tfr"]
    # 1.0 behind: beyond clarify_margin, within referral_rival_margin; a very close phrasing
    # does not settle it either, since the message sits on the border of welfare
    border = [hit(e["nido-retta"], 3.0, 0.85), hit(tfr, 2.0, 0.7)]
    assert decide(border, 1.0, SETTINGS) == "clarify"
    assert decide([hit(e["nido-retta"], 3.0, 0.85), hit(tfr, 1.4, 0.7)], 1.0, SETTINGS) == (
        "answer"
    )
    # the referral on top and a welfare entry behind: the usual margin applies
    assert decide([hit(tfr, 3.0, 0.7), hit(e["nido-retta"], 2.0, 0.6)], 1.0, SETTINGS) == ("answer")


def test_a_referral_that_reads_much_closer_is_a_reason_to_ask(
    with_referral: tuple[Entry, ...],
) -> None:
    """Far behind in the fused ranking (words), yet clearly closer to the encoder: ask."""
    e = by_id(with_referral)
    nido, tfr = e["nido-retta"], e["fuori-ambito-tfr"]
    settings = SETTINGS.model_copy(update={"referral_closer_similarity": 0.1})
    assert decide([hit(nido, 3.0, 0.6), hit(tfr, 1.0, 0.75)], 1.0, settings) == "clarify"
    assert decide([hit(nido, 3.0, 0.6), hit(tfr, 1.0, 0.65)], 1.0, settings) == "answer"
    assert closer_referral([hit(tfr, 3.0, 0.6), hit(nido, 1.0, 0.9)], settings) is None
    # the referral is among the options, however far behind its fused score
    retriever = make_retriever(with_referral, referral_closer_similarity=0.1)
    hits = (hit(nido, 3.0, 0.6), hit(e["piano-attivazione"], 2.9, 0.5), hit(tfr, 0.5, 0.75))
    offered = retriever._candidates("clarify", hits)
    assert [h.entry.id for h in offered] == ["nido-retta", "piano-attivazione", "fuori-ambito-tfr"]


def test_a_dominant_entry_needs_less_cosine(with_referral: tuple[Entry, ...]) -> None:
    e = by_id(with_referral)
    nido, piano = e["nido-retta"], e["piano-attivazione"]
    assert decide([hit(nido, 6.0, 0.45, 3), hit(piano, 2.5, 0.4)], 0.3, SETTINGS) == "answer"
    not_far_enough = [hit(nido, 6.0, 0.45, 3), hit(piano, 3.5, 0.4)]
    assert decide(not_far_enough, 0.3, SETTINGS) == "fallback"
    far_from_any_phrasing = [hit(nido, 6.0, 0.3, 3), hit(piano, 1.0, 0.3)]
    assert decide(far_from_any_phrasing, 0.3, SETTINGS) == "fallback"
    one_rare_word = [hit(nido, 6.0, 0.45, 1), hit(piano, 1.0, 0.4)]  # "che tempo fa a Torino?"
    assert decide(one_rare_word, 0.3, SETTINGS) == "fallback"
    assert decide([hit(nido, 6.0, 0.45, 3)], 0.3, SETTINGS) == "fallback"  # no rival seen


def test_clarify_offers_the_close_candidates(entries: tuple[Entry, ...]) -> None:
    retriever = make_retriever(
        entries, clarify_margin=100.0, agreement_margin=100.0, min_similarity=0.0, min_coverage=0.0
    )
    result = retriever.search("buoni pasto nido")
    assert result.decision == "clarify"
    assert len(result.candidates) >= 2
    assert result.candidates[0] == result.hits[0]


def test_dense_index_scores_each_entry_by_its_best_phrasing() -> None:
    vectors = np.eye(4, dtype=np.float32)
    owners = np.array([0, 0, 1, 2])
    dense = DenseIndex(vectors, owners, entry_count=4)
    scores = dense.entry_scores(np.array([0.6, 0.8, 0, 0], dtype=np.float32), depth=2)
    assert scores[0] == pytest.approx(0.8)
    assert scores[3] == pytest.approx(scores[1])  # not reached: the floor of what was seen


def test_query_vectors_are_cached_and_read_only(entries: tuple[Entry, ...]) -> None:
    retriever = make_retriever(entries, embedding_cache_size=2)
    encoder = retriever.encoder
    assert isinstance(encoder, HashingEncoder)
    first = retriever.embed("buoni pasto")
    calls = encoder.calls
    assert retriever.embed("buoni pasto") is first and encoder.calls == calls
    assert not first.flags.writeable
    retriever.embed("nido")
    retriever.embed("piano")  # evicts the least recently used: "buoni pasto"
    retriever.embed("buoni pasto")
    assert encoder.calls == calls + 3
    uncached = make_retriever(entries, embedding_cache_size=0)
    plain = uncached.encoder
    assert isinstance(plain, HashingEncoder)
    before = plain.calls
    uncached.embed("nido")
    uncached.embed("nido")
    assert plain.calls == before + 2


def test_search_results_are_remembered_by_text_audience_and_path(
    entries: tuple[Entry, ...],
) -> None:
    retriever = make_retriever(entries, embedding_cache_size=8)
    encoder = retriever.encoder
    assert isinstance(encoder, HashingEncoder)
    first = retriever.search("rimborso della retta del nido", audience="worker")
    calls = encoder.calls
    assert retriever.search("rimborso  della retta del nido", audience="worker") is first
    assert encoder.calls == calls  # the same prepared text: nothing computed again
    other = retriever.search("rimborso della retta del nido", audience="company")
    foreign = retriever.search("rimborso della retta del nido", audience="worker", language="en")
    assert other is not first and foreign is not first
    # what is remembered is exactly what a fresh search gives
    fresh = make_retriever(entries, embedding_cache_size=0)
    again = fresh.search("rimborso della retta del nido", audience="worker")
    assert [(h.entry.id, round(h.score, 6)) for h in again.hits] == [
        (h.entry.id, round(h.score, 6)) for h in first.hits
    ]
    assert again.decision == first.decision


def test_a_remembered_result_keeps_the_callers_truncation(entries: tuple[Entry, ...]) -> None:
    retriever = make_retriever(entries, embedding_cache_size=8, max_query_chars=40)
    long = "rimborso della retta del nido " * 4
    cut = retriever.search(long)
    assert cut.truncated
    assert not retriever.search(cut.query).truncated  # the same text, already short
    assert retriever.search(long).truncated

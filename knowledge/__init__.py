"""The knowledge base and its hybrid retrieval: content, validation, encoders, search.

Public surface for the rest of the desk: load and check the base, build a `Retriever`, search.
Nothing here knows about chat channels, storage or the CLI.
"""

from __future__ import annotations

from pathlib import Path

import faiss

from knowledge.base_loader import (
    BUNDLED_BASE,
    KnowledgeBase,
    check_knowledge_base,
    load_knowledge_base,
)
from knowledge.dense import IndexShape, load_or_build_dense_index
from knowledge.encoders import Encoder, EncoderSettings, EncoderUnavailable, build_encoder
from knowledge.entries import AUDIENCES, Audience, Entry
from knowledge.evaluation import RetrievalReport, evaluate_retrieval, read_labelled_queries
from knowledge.retriever import (
    Decision,
    Hit,
    QueryError,
    RetrievalSettings,
    Retriever,
    SearchResult,
)
from knowledge.topics import BUNDLED_TOPICS, Topic, load_topics
from knowledge.validation import CheckReport, KnowledgeBaseError, Problem

__all__ = [
    "AUDIENCES",
    "BUNDLED_BASE",
    "BUNDLED_TOPICS",
    "Audience",
    "CheckReport",
    "Decision",
    "Encoder",
    "EncoderSettings",
    "EncoderUnavailable",
    "Entry",
    "Hit",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Problem",
    "QueryError",
    "RetrievalReport",
    "RetrievalSettings",
    "Retriever",
    "SearchResult",
    "Topic",
    "build_encoder",
    "build_retriever",
    "check_knowledge_base",
    "evaluate_retrieval",
    "load_knowledge_base",
    "load_topics",
    "read_labelled_queries",
]


def build_retriever(
    kb: KnowledgeBase,
    encoder: Encoder,
    settings: RetrievalSettings,
    data_dir: Path,
    progress: bool = True,
    rebuild: bool = False,
) -> Retriever:
    """A ready retriever: the dense index comes from the data directory or is built now.

    The encoder is exercised once here, so lazily loaded weights are in memory before the
    first user waits for an answer.
    """
    faiss.omp_set_num_threads(settings.faiss_threads)
    shape = IndexShape(
        settings.dense_index, settings.hnsw_above, settings.hnsw_m, settings.hnsw_ef_search
    )
    dense, _built = load_or_build_dense_index(
        kb.entries,
        kb.content_hash,
        encoder,
        data_dir,
        progress=progress,
        rebuild=rebuild,
        shape=shape,
        phrasings=kb.search_phrasings,
    )
    encoder.encode_queries(["welfare aziendale"])
    return Retriever(kb.entries, encoder, dense, settings, kb.search_phrasings)

"""Builds the retrieval services from settings (the light part of the composition root).

Kept apart from `sportello.desk` so `kb`, `ask` and `eval retrieval` start without importing
the database, NLU and Telegram stacks.
"""

from __future__ import annotations

import datetime as dt

from knowledge import (
    Encoder,
    KnowledgeBase,
    Retriever,
    build_encoder,
    build_retriever,
    load_knowledge_base,
)
from sportello.settings import Settings


def open_knowledge_base(settings: Settings, today: dt.date | None = None) -> KnowledgeBase:
    return load_knowledge_base(
        settings.knowledge.base_dir,
        settings.knowledge.topics_file,
        today,
        phrasings_dir=settings.knowledge.phrasings_dir,
    )


def build_search(
    settings: Settings,
    kb: KnowledgeBase | None = None,
    progress: bool = True,
    rebuild: bool = False,
    encoder: Encoder | None = None,
) -> Retriever:
    """Knowledge base + encoder + index: a retriever ready for its first query."""
    kb = kb or open_knowledge_base(settings)
    encoder = encoder or build_encoder(settings.encoder)
    return build_retriever(
        kb, encoder, settings.retrieval, settings.data_dir, progress=progress, rebuild=rebuild
    )

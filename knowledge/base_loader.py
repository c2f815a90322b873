"""Loading a whole knowledge base: validated entries, the taxonomy and the content hash."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from knowledge.entries import Entry, content_hash, entry_files
from knowledge.topics import BUNDLED_TOPICS, Topic, load_topics
from knowledge.validation import CheckReport, KnowledgeBaseError, Problem, check_files

logger = logging.getLogger(__name__)

BUNDLED_BASE = Path(__file__).with_name("base")


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    topics: dict[str, Topic]
    content_hash: str
    base_dir: Path

    def by_id(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def check_knowledge_base(
    base_dir: Path = BUNDLED_BASE,
    topics_path: Path = BUNDLED_TOPICS,
    today: dt.date | None = None,
    topics: dict[str, Topic] | None = None,
) -> CheckReport:
    """Every problem of the base, errors and warnings, for `sportello kb check`."""
    files = entry_files(base_dir)
    if not files:
        return CheckReport(
            (),
            (
                Problem(
                    base_dir,
                    0,
                    "no entry files (*.md) found",
                    "point knowledge.base_dir at the knowledge base",
                ),
            ),
        )
    topics = topics if topics is not None else load_topics(topics_path)
    return check_files(files, topics, topics_path, today or dt.date.today())


def load_knowledge_base(
    base_dir: Path = BUNDLED_BASE,
    topics_path: Path = BUNDLED_TOPICS,
    today: dt.date | None = None,
) -> KnowledgeBase:
    """Load the base for serving; malformed entries stop start-up with file, line and fix.

    No date ever stops the desk: an entry past valid_until is a warning, served with a caveat
    (see handlers), and `kb check --strict` shows it to the people curating the content.
    """
    topics = load_topics(topics_path)
    report = check_knowledge_base(base_dir, topics_path, today, topics)
    blocking = [p for p in report.errors if p.blocks_serving]
    if blocking:
        raise KnowledgeBaseError(blocking)
    for problem in report.problems:
        logger.warning("knowledge base: %s", problem)
    return KnowledgeBase(
        entries=report.entries,
        topics=topics,
        content_hash=content_hash(entry_files(base_dir)),
        base_dir=base_dir,
    )

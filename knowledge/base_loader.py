"""Loading a whole knowledge base: validated entries, their phrasings in other languages, the
taxonomy and the content hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.entries import Entry, content_hash, entry_files
from knowledge.phrasings import Phrasings, check_phrasings, phrasings_hash
from knowledge.topics import BUNDLED_TOPICS, Topic, load_topics
from knowledge.translations import (
    attach_translations,
    check_translations,
    merge_phrasings,
    translated_phrasings,
    translations_hash,
)
from knowledge.validation import CheckReport, KnowledgeBaseError, Problem, check_files

logger = logging.getLogger(__name__)

BUNDLED_BASE = Path(__file__).with_name("base")


def default_phrasings_dir(base_dir: Path) -> Path:
    """Where phrasings live unless configured: `phrasings/` beside the entries' folder."""
    return base_dir.parent / "phrasings"


def translations_dir(base_dir: Path) -> Path:
    """Where answers' translations live: `translations/` beside the entries' folder."""
    return base_dir.parent / "translations"


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    topics: dict[str, Topic]
    content_hash: str
    base_dir: Path
    phrasings: Phrasings = field(default_factory=dict)
    """language → entry id → ways to ask the entry's question in that language."""

    @property
    def search_phrasings(self) -> Phrasings:
        """What the search path of other languages indexes: the phrasings files and, for each
        fresh translation, its title and the opening of its answer."""
        return merge_phrasings(self.phrasings, translated_phrasings(self.entries))

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
    phrasings_dir: Path | None = None,
) -> CheckReport:
    """Every problem of the base and its phrasings, errors and warnings, for `kb check`."""
    return _check(base_dir, topics_path, today, topics, phrasings_dir)[0]


def _check(
    base_dir: Path,
    topics_path: Path,
    today: dt.date | None,
    topics: dict[str, Topic] | None,
    phrasings_dir: Path | None,
) -> tuple[CheckReport, Phrasings]:
    files = entry_files(base_dir)
    if not files:
        empty = CheckReport(
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
        return empty, {}
    topics = topics if topics is not None else load_topics(topics_path)
    report = check_files(files, topics, topics_path, today or dt.date.today())
    folder = phrasings_dir if phrasings_dir is not None else default_phrasings_dir(base_dir)
    phrasings = check_phrasings(folder, {entry.id for entry in report.entries})
    translated = check_translations(translations_dir(base_dir), report.entries)
    entries = attach_translations(report.entries, translated.translations)
    problems = report.problems + phrasings.problems + translated.problems
    return CheckReport(entries, problems), phrasings.phrasings


def load_knowledge_base(
    base_dir: Path = BUNDLED_BASE,
    topics_path: Path = BUNDLED_TOPICS,
    today: dt.date | None = None,
    phrasings_dir: Path | None = None,
) -> KnowledgeBase:
    """Load the base for serving; malformed entries stop start-up with file, line and fix.

    No date ever stops the desk: an entry past valid_until is a warning, served with a caveat
    (see handlers), and `kb check --strict` shows it to the people curating the content.
    """
    topics = load_topics(topics_path)
    folder = phrasings_dir if phrasings_dir is not None else default_phrasings_dir(base_dir)
    report, phrasings = _check(base_dir, topics_path, today, topics, folder)
    blocking = [p for p in report.errors if p.blocks_serving]
    if blocking:
        raise KnowledgeBaseError(blocking)
    for problem in report.problems:
        logger.warning("knowledge base: %s", problem)
    return KnowledgeBase(
        entries=report.entries,
        topics=topics,
        content_hash=_combined_hash(
            content_hash(entry_files(base_dir)),
            phrasings_hash(folder),
            translations_hash(translations_dir(base_dir)),
        ),
        base_dir=base_dir,
        phrasings=phrasings,
    )


def _combined_hash(entries_hash: str, *digests: str) -> str:
    """The entries' hash alone when there are no phrasings nor translations (existing caches
    stay valid); empty folders add nothing."""
    present = [digest for digest in digests if digest and digest != _EMPTY_DIGEST]
    if not present:
        return entries_hash
    return hashlib.sha256("\0".join([entries_hash, *present]).encode()).hexdigest()


_EMPTY_DIGEST = hashlib.sha256().hexdigest()

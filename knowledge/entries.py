"""Knowledge-base entries: reading Markdown files with YAML front matter.

Reading and validating are separate steps. `read_entry_file` turns a file into raw fields plus the
line of each field, and never judges them; `knowledge.validation` judges, so that `kb check` can
report every problem of every file at once with its line, instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from sportello.errors import SportelloError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from knowledge.translations import Translation

Audience = Literal["worker", "company", "both"]
Kind = Literal["faq", "case-history", "referral"]
AUDIENCES: tuple[Audience, ...] = ("worker", "company", "both")
KINDS: tuple[Kind, ...] = ("faq", "case-history", "referral")
NO_TOPIC = "-"
"""The topic of a referral entry: it answers a question that is not about welfare at all.

The same mark labels such questions in evaluation files, so a referral counts as the right kind
of reply to them."""


@dataclass(frozen=True)
class Entry:
    """One validated answer of the knowledge base."""

    id: str
    kind: Kind
    topic: str
    audience: Audience
    title: str
    questions: tuple[str, ...]
    answer: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    sources: tuple[str, ...]
    reviewed: dt.date
    path: Path
    details: dict[str, Any] = field(default_factory=dict)
    """Kind-specific fields, e.g. a case history's sector, size band, province and measures."""
    refer_to: tuple[str, ...] = ()
    """For a referral: who does handle the question (office, service, body), one per item."""
    translations: Mapping[str, Translation] = field(default_factory=dict)
    """language → this answer in that language (knowledge/translations), stale ones included."""

    def is_expired(self, today: dt.date) -> bool:
        return self.valid_until is not None and self.valid_until < today

    @property
    def is_referral(self) -> bool:
        """A referral says "not mine, ask them": it must never be taken for a welfare answer."""
        return self.kind == "referral"

    def serves(self, audience: Audience | None) -> bool:
        """Whether this entry is written for someone of `audience` (None: anyone)."""
        return audience is None or self.audience == "both" or self.audience == audience


@dataclass(frozen=True)
class RawEntry:
    """A file's front matter and body before validation, with the line of every field."""

    path: Path
    meta: dict[str, Any]
    body: str
    field_lines: dict[str, int]
    body_line: int


class EntryFormatError(SportelloError, ValueError):
    """The file is not front matter + body at all, so no field can be checked."""

    def __init__(self, path: Path, line: int, problem: str, fix: str) -> None:
        super().__init__(f"{path}:{line}: {problem} — {fix}")
        self.path = path
        self.line = line
        self.problem = problem
        self.fix = fix


def read_entry_file(path: Path) -> RawEntry:
    """Split a knowledge file into front matter fields and answer body, keeping line numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EntryFormatError(path, 1, "the file is not UTF-8", "save it as UTF-8") from exc
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise EntryFormatError(
            path, 1, "no front matter", "start the file with a line '---', the YAML fields, '---'"
        )
    try:
        closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise EntryFormatError(
            path, 1, "front matter is never closed", "add a line '---' after the fields"
        ) from None
    front = "\n".join(lines[1:closing])
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        reason = getattr(exc, "problem", None) or str(exc)
        raise EntryFormatError(
            path, line, f"front matter is not valid YAML ({reason})", "fix the YAML syntax"
        ) from exc
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        raise EntryFormatError(
            path, 2, "front matter is not a set of 'key: value' fields", "write one field a line"
        )
    field_lines = {
        str(key.value): key.start_mark.line + 2 for key, _value in node.value
    }  # +2: the opening '---' is line 1 and marks count from 0
    body = "\n".join(lines[closing + 1 :]).strip()
    return RawEntry(
        path=path,
        meta={str(k): v for k, v in meta.items()},
        body=body,
        field_lines=field_lines,
        body_line=closing + 2,
    )


def entry_files(base_dir: Path) -> list[Path]:
    """The entry files of a knowledge base, in a stable order (a README.md is documentation)."""
    return sorted(p for p in base_dir.glob("*.md") if p.name.lower() != "readme.md")


def content_hash(files: list[Path]) -> str:
    """A hash of every entry file's name and bytes: the index is rebuilt when it changes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()

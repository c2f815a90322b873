"""Validation of the knowledge base: every rule of docs/knowledge-format.md, one place.

Content is reviewed like code, so problems read like compiler errors: `file:line: problem — fix`.
All files are checked before anything is reported, so an editor fixes a batch in one pass.
Errors stop `kb check` and start-up. Warnings do not: an answer a little too long for a phone,
an entry past (or near) its `valid_until` — the desk serves it with a caveat, because a date must
never stop the desk — or an answer that seems to describe an imagined asker. `kb check --strict`
turns warnings into errors for editorial review.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from knowledge.entries import (
    AUDIENCES,
    KINDS,
    NO_TOPIC,
    Audience,
    Entry,
    EntryFormatError,
    Kind,
    RawEntry,
    read_entry_file,
)
from knowledge.text import fold
from knowledge.topics import Topic
from sportello.errors import SportelloError

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_QUESTIONS = 6
ANSWER_SOFT_LIMIT = 900
ANSWER_HARD_LIMIT = 1000
SIZE_BANDS = ("micro", "small", "medium", "large")
EXPIRY_NOTICE_DAYS = 60
"""An entry expiring within this many days is flagged, so editors review it before it lapses."""

REQUIRED_FIELDS = (
    "id",
    "kind",
    "topic",
    "audience",
    "title",
    "questions",
    "valid_from",
    "valid_until",
    "sources",
    "reviewed",
)
CASE_HISTORY_FIELDS = ("sector", "size_band", "province", "measures", "outcome", "illustrative")
REFERRAL_FIELDS = ("refer_to",)
KNOWN_FIELDS = frozenset(REQUIRED_FIELDS + CASE_HISTORY_FIELDS + REFERRAL_FIELDS)

_RELATIVE = (
    r"(?:madre|padre|mamma|pap[aà]|figli[oa]?|moglie|marito|compagn[oa]|suocer[oa]|"
    r"nonn[oa]|fratello|sorella|nipote|genitori)"
)
IMAGINED_ASKER = (
    re.compile(rf"\b(?:tu[oa]|tuoi|tue)\s+{_RELATIVE}\s+(?:di|ha|che ha)\s+\d+", re.IGNORECASE),
    re.compile(
        r"\bcon (?:un|una|il tuo|la tua) (?:isee|reddito|ral|stipendio|busta paga) "
        r"di [\d.,]+\s*(?:€|euro)?[^.;]*\b(?:rientri|sei|hai diritto|ti spetta)",
        re.IGNORECASE,
    ),
    re.compile(r"(?<!se )\b(?:hai|avete)\s+(?:\d+|due|tre|quattro)\s+figli\b", re.IGNORECASE),
    re.compile(rf"\((?:tu[oa]|tuoi|tue)\s+{_RELATIVE}[^)]*\b(?:s[iì]|no)\)", re.IGNORECASE),
)
"""Phrasings that give the reader details they never gave ("tua madre di 80 anni sì").

Answers speak to everyone: a condition is stated as a condition ("se vive con te…"), because a
reader takes a detail in the answer as the desk's claim about them."""


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    fix: str
    severity: Literal["error", "warning"] = "error"
    blocks_serving: bool = True
    """False for errors a running desk can live with for a while (an expired entry)."""

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {tag}{self.message} — {self.fix}"


@dataclass(frozen=True)
class CheckReport:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class KnowledgeBaseError(SportelloError, ValueError):
    """The knowledge base has errors; the message lists each with file, line and fix."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        listing = "\n".join(str(p) for p in self.problems)
        super().__init__(f"the knowledge base has {len(self.problems)} error(s):\n{listing}")


def check_files(
    files: Sequence[Path],
    topics: dict[str, Topic],
    topics_path: Path,
    today: dt.date,
) -> CheckReport:
    """Validate every file, then the base as a whole (unique ids, every topic covered)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    first_seen: dict[str, Path] = {}
    for path in files:
        try:
            raw = read_entry_file(path)
        except EntryFormatError as exc:
            problems.append(Problem(exc.path, exc.line, exc.problem, exc.fix))
            continue
        entry, entry_problems = _check_entry(raw, topics, today)
        problems.extend(entry_problems)
        if entry is None:
            continue
        if entry.id in first_seen:
            problems.append(
                _at(
                    raw,
                    "id",
                    f"duplicate id '{entry.id}' (also in {first_seen[entry.id]})",
                    "give each entry its own id",
                )
            )
            continue
        first_seen[entry.id] = path
        entries.append(entry)
    covered = {e.topic for e in entries}
    for key in topics:
        if key not in covered:
            problems.append(
                Problem(
                    topics_path,
                    _topic_line(topics_path, key),
                    f"topic '{key}' has no entry",
                    "write at least one entry with this topic",
                    blocks_serving=False,
                )
            )
    return CheckReport(tuple(entries), tuple(problems))


def _check_entry(
    raw: RawEntry, topics: dict[str, Topic], today: dt.date
) -> tuple[Entry | None, list[Problem]]:
    meta = raw.meta
    problems: list[Problem] = []

    def error(name: str, message: str, fix: str) -> None:
        problems.append(_at(raw, name, message, fix))

    for name in meta:
        if name not in KNOWN_FIELDS:
            guess = difflib.get_close_matches(name, KNOWN_FIELDS, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else "remove it"
            error(name, f"unknown field '{name}'", hint)
    referral = meta.get("kind") == "referral"
    for name in REQUIRED_FIELDS:
        if name not in meta and not (referral and name == "topic"):
            error(name, f"missing field '{name}'", f"add '{name}:' to the front matter")

    entry_id = meta.get("id")
    if "id" in meta:
        if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
            error(
                "id",
                f"id {entry_id!r} is not lowercase words joined by '-'",
                "use a-z, 0-9 and '-' only",
            )
        elif entry_id != raw.path.stem:
            error(
                "id",
                f"id '{entry_id}' differs from the file name '{raw.path.name}'",
                f"rename the file to {entry_id}.md or change the id",
            )
    kind = meta.get("kind")
    if "kind" in meta and kind not in KINDS:
        error("kind", f"kind {kind!r} is not one of {', '.join(KINDS)}", "pick one of them")
    topic = meta.get("topic")
    if referral:
        if "topic" in meta:
            error(
                "topic",
                "a referral entry has no topic: it answers questions that are not about welfare",
                "remove the 'topic:' line",
            )
        topic = NO_TOPIC
    elif "topic" in meta and topic not in topics:
        guess = difflib.get_close_matches(str(topic), list(topics), n=1)
        error(
            "topic",
            f"topic {topic!r} is not in topics.yml",
            f"did you mean '{guess[0]}'?" if guess else "use a key of topics.yml",
        )
    audience = meta.get("audience")
    if "audience" in meta and audience not in AUDIENCES:
        error(
            "audience",
            f"audience {audience!r} is not one of {', '.join(AUDIENCES)}",
            "pick one of them",
        )
    title = meta.get("title")
    if "title" in meta and (not isinstance(title, str) or not title.strip()):
        error("title", "title is empty", "write a short title people would recognise")

    questions = _string_list(meta.get("questions"))
    if "questions" in meta:
        if questions is None:
            error("questions", "questions is not a list of texts", "write one '- question' a line")
        else:
            if len(questions) < MIN_QUESTIONS:
                error(
                    "questions",
                    f"{len(questions)} question(s), at least {MIN_QUESTIONS} needed",
                    "add more of the ways people really ask",
                )
            folded = [fold(q).strip() for q in questions]
            if any(not q for q in folded):
                error("questions", "a question is empty", "remove the empty item")
            duplicates = sorted({q for q in folded if q and folded.count(q) > 1})
            if duplicates:
                error("questions", f"repeated question {duplicates[0]!r}", "remove the repeat")

    answer = raw.body
    if not answer:
        problems.append(
            Problem(
                raw.path,
                raw.body_line,
                "the answer is empty",
                "write the answer below the closing '---'",
            )
        )
    elif len(answer) > ANSWER_HARD_LIMIT:
        problems.append(
            Problem(
                raw.path,
                raw.body_line,
                f"answer is {len(answer)} characters, over {ANSWER_HARD_LIMIT}",
                "shorten it or split the entry in two",
            )
        )
    elif len(answer) > ANSWER_SOFT_LIMIT:
        problems.append(
            Problem(
                raw.path,
                raw.body_line,
                f"answer is {len(answer)} characters, over {ANSWER_SOFT_LIMIT}",
                "trim it so it reads on a phone",
                "warning",
            )
        )

    valid_from = _date_field(raw, "valid_from", problems, nullable=True)
    valid_until = _date_field(raw, "valid_until", problems, nullable=True)
    reviewed = _date_field(raw, "reviewed", problems, nullable=False)
    if valid_from and valid_until and valid_until < valid_from:
        error(
            "valid_until",
            f"valid_until {valid_until} is before valid_from {valid_from}",
            "swap or correct the dates",
        )
    expired = valid_until is not None and valid_until < today
    if reviewed and reviewed > today:
        error("reviewed", f"reviewed date {reviewed} is in the future", "use the real date")

    sources = _string_list(meta.get("sources"))
    if "sources" in meta and not sources:
        error(
            "sources",
            "sources is empty or not a list of texts",
            "name the law, circular or page behind each figure",
        )

    refer_to: list[str] = []
    if referral:
        refer_to = _check_referral(raw, problems)
    elif "refer_to" in meta:
        error("refer_to", "refer_to on an entry that is not a referral", "remove it")
    if answer:
        for pattern in IMAGINED_ASKER:
            match = pattern.search(answer)
            if match:
                problems.append(
                    Problem(
                        raw.path,
                        raw.body_line,
                        f"the answer seems to describe the reader ('{match.group(0)}')",
                        "state it as a condition ('se vive con te…'): never invent the asker",
                        "warning",
                    )
                )
                break

    details: dict[str, Any] = {}
    if kind == "case-history":
        details = _check_case_history(raw, problems)
    elif any(name in meta for name in CASE_HISTORY_FIELDS):
        error(
            next(n for n in CASE_HISTORY_FIELDS if n in meta),
            "case-history field on an entry that is not a case history",
            "set kind: case-history or remove the field",
        )

    if any(p.severity == "error" for p in problems):
        return None, problems
    if expired:
        problems.append(
            Problem(
                raw.path,
                raw.field_lines.get("valid_until", 2),
                f"expired on {valid_until} (still served, with a caveat)",
                "review the figures, then move valid_until forward, or null if the rule has no end",
                "warning",
            )
        )
    elif valid_until is not None and (valid_until - today).days < EXPIRY_NOTICE_DAYS:
        problems.append(
            Problem(
                raw.path,
                raw.field_lines.get("valid_until", 2),
                f"expires on {valid_until}, in {(valid_until - today).days} day(s)",
                "review it before then: move valid_until forward, or null if the rule has no end",
                "warning",
            )
        )
    entry = Entry(
        id=cast(str, entry_id),
        kind=cast(Kind, kind),
        topic=cast(str, topic),
        audience=cast(Audience, audience),
        title=cast(str, title).strip(),
        questions=tuple(q.strip() for q in questions or ()),
        answer=answer,
        valid_from=valid_from,
        valid_until=valid_until,
        sources=tuple(sources or ()),
        reviewed=cast(dt.date, reviewed),
        path=raw.path,
        details=details,
        refer_to=tuple(refer_to),
    )
    return entry, problems


def _check_referral(raw: RawEntry, problems: list[Problem]) -> list[str]:
    """A referral is only useful if it names who to turn to, and says where that comes from."""
    refer_to = _string_list(raw.meta.get("refer_to"))
    if not refer_to or not all(item.strip() for item in refer_to):
        problems.append(
            _at(
                raw,
                "refer_to" if "refer_to" in raw.meta else "kind",
                "a referral entry without a contact",
                "add 'refer_to:' with one '- who to turn to' a line (office, service, body)",
            )
        )
        return []
    return [item.strip() for item in refer_to]


def _check_case_history(raw: RawEntry, problems: list[Problem]) -> dict[str, Any]:
    meta = raw.meta
    for name in CASE_HISTORY_FIELDS:
        if name not in meta:
            problems.append(
                _at(
                    raw,
                    name,
                    f"case history without '{name}'",
                    f"add '{name}:' (see docs/knowledge-format.md)",
                )
            )
    if meta.get("topic") not in (None, "case-history"):
        problems.append(
            _at(
                raw,
                "topic",
                "a case history must have topic 'case-history'",
                "set topic: case-history",
            )
        )
    if "size_band" in meta and meta["size_band"] not in SIZE_BANDS:
        problems.append(
            _at(
                raw,
                "size_band",
                f"size_band {meta['size_band']!r} is unknown",
                f"use one of {', '.join(SIZE_BANDS)}",
            )
        )
    province = meta.get("province")
    if "province" in meta and not (
        isinstance(province, str) and re.fullmatch(r"[A-Z]{2}", province)
    ):
        problems.append(
            _at(
                raw,
                "province",
                f"province {province!r} is not a two-letter code",
                "use the plate code, e.g. TO, CN, NO",
            )
        )
    if "measures" in meta and not _string_list(meta["measures"]):
        problems.append(
            _at(
                raw,
                "measures",
                "measures is not a list of texts",
                "list the measures, one '- item' a line",
            )
        )
    if "illustrative" in meta and not isinstance(meta["illustrative"], bool):
        problems.append(
            _at(
                raw,
                "illustrative",
                "illustrative must be true or false",
                "write illustrative: true unless the case comes from a public source",
            )
        )
    return {name: meta[name] for name in CASE_HISTORY_FIELDS if name in meta}


def _date_field(
    raw: RawEntry, name: str, problems: list[Problem], *, nullable: bool
) -> dt.date | None:
    value = raw.meta.get(name)
    if value is None:
        if not nullable and name in raw.meta:
            problems.append(_at(raw, name, f"{name} is empty", "write a date as YYYY-MM-DD"))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    problems.append(
        _at(
            raw,
            name,
            f"{name} {value!r} is not a date",
            "write it as YYYY-MM-DD" + (" or null" if nullable else ""),
        )
    )
    return None


def _string_list(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return [str(v) for v in value]


def _at(raw: RawEntry, name: str, message: str, fix: str) -> Problem:
    return Problem(raw.path, raw.field_lines.get(name, 2), message, fix)


def _topic_line(path: Path, key: str) -> int:
    try:
        lines: Iterable[str] = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith(f"{key}:"):
            return number
    return 1

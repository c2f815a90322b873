"""Ways to ask each entry's question in the languages workers write besides Italian.

They live apart from the entries (`knowledge/phrasings/<lang>.yml`, one file per language keyed
by entry id) so that translators and the entries' editors never edit the same file, and so that
the Italian side of retrieval stays exactly as it was: phrasings go into the dense index used for
messages detected as another language, never into BM25, whose stemming is Italian.

Format (docs/knowledge-format.md):

    language: ro
    phrasings:
      buoni-pasto-limiti-2026:
        - cât sunt scutite de impozit tichetele de masă?

Problems read like the entries' (`file:line: problem — fix`); an unknown entry id is an error,
because a phrasing that finds nothing would hide a renamed or deleted entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.validation import Problem

PHRASING_LANGUAGES = ("en", "ro", "sq", "ar", "es", "fr")
"""Languages with phrasings; Italian is the entries' own language."""

Phrasings = Mapping[str, Mapping[str, tuple[str, ...]]]
"""language → entry id → phrasings, in file order."""


@dataclass(frozen=True)
class PhrasingsReport:
    phrasings: Phrasings
    problems: tuple[Problem, ...]


def phrasing_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(folder.glob("*.yml"))


def phrasings_hash(folder: Path | None) -> str:
    """A hash of every phrasings file, so the dense index is rebuilt when one changes."""
    digest = hashlib.sha256()
    for path in phrasing_files(folder):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def check_phrasings(folder: Path | None, entry_ids: Collection[str]) -> PhrasingsReport:
    """Read and validate every phrasings file of `folder` (none: no phrasings)."""
    phrasings: dict[str, dict[str, tuple[str, ...]]] = {}
    problems: list[Problem] = []
    for path in phrasing_files(folder):
        language = path.stem
        if language not in PHRASING_LANGUAGES:
            problems.append(
                Problem(
                    path,
                    1,
                    f"unknown language '{language}'",
                    f"name the file after one of {', '.join(PHRASING_LANGUAGES)}",
                )
            )
            continue
        found = _check_file(path, language, entry_ids, problems)
        if found:
            phrasings[language] = found
    return PhrasingsReport(phrasings, tuple(problems))


def _check_file(
    path: Path, language: str, entry_ids: Collection[str], problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    text = path.read_text(encoding="utf-8")
    try:
        data: Any = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.append(Problem(path, line, f"not valid YAML ({exc})", "fix the YAML syntax"))
        return {}
    if not isinstance(data, yaml.MappingNode):
        problems.append(
            Problem(path, 1, "expected a mapping", "write 'language:' and 'phrasings:' keys")
        )
        return {}
    fields = {key.value: value for key, value in data.value}
    declared = fields.get("language")
    if not isinstance(declared, yaml.ScalarNode) or declared.value != language:
        problems.append(
            Problem(
                path,
                _line(declared) if declared is not None else 1,
                f"'language' must be '{language}', the file's name",
                f"write 'language: {language}' or rename the file",
            )
        )
    body = fields.get("phrasings")
    if not isinstance(body, yaml.MappingNode):
        problems.append(
            Problem(
                path,
                _line(body) if body is not None else 1,
                "'phrasings' must map entry ids to lists of questions",
                "write 'phrasings:' then '  entry-id:' and '    - a question' lines",
            )
        )
        return {}
    found: dict[str, tuple[str, ...]] = {}
    seen: dict[str, int] = {}
    for key, value in body.value:
        entry_id = str(key.value)
        if entry_id not in entry_ids:
            problems.append(
                Problem(
                    path,
                    _line(key),
                    f"unknown entry id '{entry_id}'",
                    "use the id of an entry of knowledge/base (renamed? deleted?)",
                )
            )
            continue
        if entry_id in found:
            problems.append(
                Problem(path, _line(key), f"entry '{entry_id}' listed twice", "merge the lists")
            )
            continue
        texts = _texts(path, entry_id, value, problems)
        for number, text in texts:
            folded = " ".join(text.casefold().split())
            if folded in seen:
                problems.append(
                    Problem(
                        path,
                        number,
                        f"the same phrasing as line {seen[folded]}",
                        "remove one of them",
                        severity="warning",
                    )
                )
            seen.setdefault(folded, number)
        if texts:
            found[entry_id] = tuple(text for _number, text in texts)
    return found


def _texts(
    path: Path, entry_id: str, node: yaml.Node, problems: list[Problem]
) -> list[tuple[int, str]]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problems.append(
            Problem(
                path,
                _line(node),
                f"'{entry_id}' needs a list of questions",
                "write one '- question' per line under the entry id",
            )
        )
        return []
    texts: list[tuple[int, str]] = []
    for item in node.value:
        value = item.value if isinstance(item, yaml.ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Problem(path, _line(item), "empty or non-text phrasing", "write the question")
            )
            continue
        texts.append((_line(item), " ".join(value.split())))
    return texts


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1

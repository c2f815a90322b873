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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
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


def language_files(
    folder: Path | None,
    languages: Sequence[str],
    problems: list[Problem],
    blocks_serving: bool = True,
) -> list[tuple[Path, str]]:
    """The folder's files named after one of `languages`, each with its language; a file
    named otherwise is a problem."""
    found: list[tuple[Path, str]] = []
    for path in phrasing_files(folder):
        if path.stem in languages:
            found.append((path, path.stem))
            continue
        problems.append(
            Problem(
                path,
                1,
                f"unknown language '{path.stem}'",
                f"name the file after one of {', '.join(languages)}",
                blocks_serving=blocks_serving,
            )
        )
    return found


def check_phrasings(folder: Path | None, entry_ids: Collection[str]) -> PhrasingsReport:
    """Read and validate every phrasings file of `folder` (none: no phrasings)."""
    phrasings: dict[str, dict[str, tuple[str, ...]]] = {}
    problems: list[Problem] = []
    for path, language in language_files(folder, PHRASING_LANGUAGES, problems):
        found = _check_file(path, language, entry_ids, problems)
        if found:
            phrasings[language] = found
    return PhrasingsReport(phrasings, tuple(problems))


def read_language_file(
    path: Path, language: str, body_key: str, body_shape: Problem, problems: list[Problem]
) -> tuple[yaml.MappingNode | None, bool]:
    """The `body_key` mapping of a per-language file (None when it is not one, with the
    problem in `problems`; `body_shape` is that problem, its line set here), and whether
    its `language:` is the file's."""
    text = path.read_text(encoding="utf-8")
    try:
        data: Any = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.append(
            replace(
                body_shape, line=line, message=f"not valid YAML ({exc})", fix="fix the YAML syntax"
            )
        )
        return None, False
    if not isinstance(data, yaml.MappingNode):
        problems.append(
            replace(
                body_shape,
                line=1,
                message="expected a mapping",
                fix=f"write 'language:' and '{body_key}:' keys",
            )
        )
        return None, False
    fields = {key.value: value for key, value in data.value}
    declared = fields.get("language")
    same = isinstance(declared, yaml.ScalarNode) and declared.value == language
    if not same:
        problems.append(
            replace(
                body_shape,
                line=_line(declared) if declared is not None else 1,
                message=f"'language' must be '{language}', the file's name",
                fix=f"write 'language: {language}' or rename the file",
            )
        )
    body = fields.get(body_key)
    if not isinstance(body, yaml.MappingNode):
        problems.append(replace(body_shape, line=_line(body) if body is not None else 1))
        return None, same
    return body, same


def _check_file(
    path: Path, language: str, entry_ids: Collection[str], problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    shape = Problem(
        path,
        1,
        "'phrasings' must map entry ids to lists of questions",
        "write 'phrasings:' then '  entry-id:' and '    - a question' lines",
    )
    body, _same = read_language_file(path, language, "phrasings", shape, problems)
    if body is None:
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

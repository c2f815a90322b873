"""Each entry's answer in the languages workers write besides Italian, tied to its Italian text.

The Italian answer is the reviewed, legally sourced one; a translation is only trustworthy while
it says what that Italian says. So every translation records `source`, the hash of the Italian
answer it was made from (`source_hash`): when an editor changes the Italian, the hash no longer
matches, `kb check` warns, and the desk answers in Italian with a line saying so until the
translation is redone. Figures, dates and legal references must stay exactly as in the Italian:
`kb check` compares the numbers of each translation with the Italian's.

Format (`knowledge/translations/<lang>.yml`, apart from the entries so that translators and the
entries' editors never edit the same file):

    language: en
    entries:
      buoni-pasto-limiti-2026:
        source: 1a2b3c4d5e6f7a8b
        title: "Meal vouchers: how much is tax-free from 2026"
        answer: |
          From **1 January 2026** ...

A translation with an error (unknown entry, empty text, numbers that differ) is left out, so the
entry is served in Italian; it never stops the desk.

`python -m knowledge.translations hashes` prints each entry id with the hash of its Italian answer;
`python -m knowledge.translations stub LANG` prints a file skeleton for LANG with those hashes.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from knowledge.entries import Entry
from knowledge.phrasings import (
    Phrasings,
    language_files,
    phrasings_hash,
    read_language_file,
)
from knowledge.validation import Problem

TRANSLATION_LANGUAGES = ("en", "ro", "sq", "ar", "es", "fr")
"""Languages an answer is translated into; Italian is the entries' own language."""

HASH_LENGTH = 16
NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")
"""A figure as written: a digit run with its thousands/decimal separators ("5.300", "5,29")."""

OPENING_MIN_CHARS = 60
MARKUP = re.compile(r"[*_`]+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ¿¡])")
"""A sentence ends before a capital: "art. 51" and "c. 2" do not end one."""

Translations = Mapping[str, Mapping[str, "Translation"]]

translations_hash = phrasings_hash
"""A hash of every translation file (laid out like phrasings), so indexes built from
translations are rebuilt."""
"""language → entry id → translation."""


@dataclass(frozen=True)
class Translation:
    """One entry's title and answer in one language, and the Italian answer it came from."""

    language: str
    source: str
    title: str
    answer: str

    def is_fresh_for(self, italian_answer: str) -> bool:
        """Whether the Italian answer is still the one this was translated from."""
        return self.source == source_hash(italian_answer)


@dataclass(frozen=True)
class TranslationsReport:
    translations: Translations
    problems: tuple[Problem, ...]


def source_hash(answer: str) -> str:
    """The hash a translation records of the Italian answer it was translated from."""
    return hashlib.sha256(answer.strip().encode("utf-8")).hexdigest()[:HASH_LENGTH]


def number_tokens(text: str) -> Counter[str]:
    """The figures of a text, as a multiset: a translation must have exactly the Italian's."""
    return Counter(NUMBER_TOKEN.findall(text))


def translated_phrasings(entries: Iterable[Entry]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Each fresh translation's title and the opening of its answer, as ways to ask its entry.

    A question in English finds its entry more surely among English words than through the
    Italian ones; the title and first sentences say what the entry is about. A stale
    translation is left out: its words may describe an answer the entry no longer gives.
    """
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for entry in entries:
        for language, translation in entry.translations.items():
            if translation.is_fresh_for(entry.answer):
                texts = (translation.title, opening(translation.answer))
                found.setdefault(language, {})[entry.id] = texts
    return found


def merge_phrasings(first: Phrasings, second: Phrasings) -> dict[str, dict[str, tuple[str, ...]]]:
    """`first`'s phrasings followed by `second`'s, per language and entry, without repeats."""
    merged: dict[str, dict[str, tuple[str, ...]]] = {}
    for phrasings in (first, second):
        for language, by_id in phrasings.items():
            into = merged.setdefault(language, {})
            for entry_id, texts in by_id.items():
                into[entry_id] = tuple(dict.fromkeys((*into.get(entry_id, ()), *texts)))
    return merged


def opening(answer: str, min_chars: int = OPENING_MIN_CHARS) -> str:
    """The first sentences of an answer's first paragraph, plain text, at least `min_chars`
    long when the paragraph allows ("Yes." alone says nothing about the topic)."""
    paragraph = MARKUP.sub("", answer.strip().split("\n", 1)[0])
    sentences = SENTENCE_END.split(paragraph)
    text = ""
    for sentence in sentences:
        text = f"{text} {sentence}".strip()
        if len(text) >= min_chars:
            break
    return text


def attach_translations(entries: Iterable[Entry], translations: Translations) -> tuple[Entry, ...]:
    """The entries with their translations (stale ones included: serving decides)."""
    attached = []
    for entry in entries:
        mine = {
            language: by_id[entry.id]
            for language, by_id in sorted(translations.items())
            if entry.id in by_id
        }
        attached.append(replace(entry, translations=mine) if mine else entry)
    return tuple(attached)


def check_translations(folder: Path | None, entries: Sequence[Entry]) -> TranslationsReport:
    """Read and validate every translation file of `folder` (none: no translations)."""
    by_id = {entry.id: entry for entry in entries}
    translations: dict[str, dict[str, Translation]] = {}
    problems: list[Problem] = []
    for path, language in language_files(
        folder, TRANSLATION_LANGUAGES, problems, blocks_serving=False
    ):
        found = _check_file(path, language, by_id, problems)
        translations[language] = found
        missing = [entry.id for entry in entries if entry.id not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
            problems.append(
                _problem(
                    path,
                    1,
                    f"{len(missing)} entr{'y has' if len(missing) == 1 else 'ies have'} "
                    f"no '{language}' translation ({shown})",
                    "translate them; meanwhile they are answered in Italian",
                    warning=True,
                )
            )
    return TranslationsReport(translations, tuple(problems))


def _check_file(
    path: Path, language: str, by_id: Mapping[str, Entry], problems: list[Problem]
) -> dict[str, Translation]:
    shape = _problem(
        path,
        1,
        "'entries' must map entry ids to source, title and answer",
        "write 'entries:' then '  entry-id:' with 'source:', 'title:', 'answer:'",
    )
    body, same = read_language_file(path, language, "entries", shape, problems)
    if body is None or not same:
        return {}
    found: dict[str, Translation] = {}
    for key, value in body.value:
        entry_id = str(key.value)
        entry = by_id.get(entry_id)
        if entry is None:
            problems.append(
                _problem(
                    path,
                    _line(key),
                    f"unknown entry id '{entry_id}'",
                    "use the id of an entry of knowledge/base (renamed? deleted?)",
                )
            )
        elif entry_id in found:
            problems.append(
                _problem(path, _line(key), f"entry '{entry_id}' listed twice", "keep one")
            )
        else:
            translation = _check_translation(path, language, entry, key, value, problems)
            if translation is not None:
                found[entry_id] = translation
    return found


def _check_translation(
    path: Path,
    language: str,
    entry: Entry,
    key: yaml.Node,
    node: yaml.Node,
    problems: list[Problem],
) -> Translation | None:
    fields = {str(k.value): v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
    texts: dict[str, str] = {}
    for name in ("source", "title", "answer"):
        value = fields.get(name)
        text = value.value if isinstance(value, yaml.ScalarNode) else None
        if not isinstance(text, str) or not text.strip():
            problems.append(
                _problem(
                    path,
                    _line(value if value is not None else key),
                    f"'{entry.id}' ({language}) has an empty or missing '{name}'",
                    f"write the {name}" if name != "source" else _source_fix(entry),
                )
            )
            return None
        texts[name] = text.strip()
    line = _line(fields["answer"])
    if not _numbers_match(path, line, language, entry, texts, problems):
        return None
    translation = Translation(language, texts["source"], texts["title"], texts["answer"])
    if not translation.is_fresh_for(entry.answer):
        problems.append(
            _problem(
                path,
                _line(fields["source"]),
                f"'{entry.id}' ({language}) is stale: the Italian answer changed since it "
                "was translated",
                f"update the translation, then {_source_fix(entry)}; meanwhile it is answered "
                "in Italian",
                warning=True,
            )
        )
    return translation


def _numbers_match(
    path: Path,
    line: int,
    language: str,
    entry: Entry,
    texts: Mapping[str, str],
    problems: list[Problem],
) -> bool:
    italian = number_tokens(entry.answer)
    translated = number_tokens(texts["answer"])
    if italian == translated:
        return True
    missing = sorted((italian - translated).elements())
    extra = sorted((translated - italian).elements())
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"extra {', '.join(extra)}")
    problems.append(
        _problem(
            path,
            line,
            f"'{entry.id}' ({language}) has numbers that differ from the Italian: "
            + "; ".join(parts),
            "write every figure, date and reference exactly as in the Italian answer",
        )
    )
    return False


def _source_fix(entry: Entry) -> str:
    return f"write 'source: {source_hash(entry.answer)}'"


def _problem(path: Path, line: int, message: str, fix: str, warning: bool = False) -> Problem:
    """Translation problems never block serving: the entry is answered in Italian instead."""
    return Problem(
        path,
        line,
        message,
        fix,
        severity="warning" if warning else "error",
        blocks_serving=False,
    )


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _stub(entries: Sequence[Entry], language: str) -> str:
    lines = [f"language: {language}", "entries:"]
    for entry in entries:
        lines += [f"  {entry.id}:", f"    source: {source_hash(entry.answer)}"]
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    """`hashes`: each entry id and its Italian answer's hash; `stub LANG`: a file skeleton."""
    from knowledge.base_loader import check_knowledge_base  # the loader imports this module

    entries = check_knowledge_base().entries
    if argv[:1] == ["hashes"]:
        print("\n".join(f"{entry.id} {source_hash(entry.answer)}" for entry in entries))
        return 0
    if len(argv) == 2 and argv[0] == "stub" and argv[1] in TRANSLATION_LANGUAGES:
        print(_stub(entries, argv[1]))
        return 0
    languages = "|".join(TRANSLATION_LANGUAGES)
    print(f"usage: python -m knowledge.translations hashes | stub {{{languages}}}")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

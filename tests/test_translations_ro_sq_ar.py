"""The bundled Romanian, Albanian and Arabic answers, read by the desk's own loader.

A translation is served only while it says what the Italian says, so these check the shipped
files the way the desk reads them: every entry translated and fresh, no problem reported, and
the same figures, commands and Markdown shape as the Italian answer it came from.
"""

import re
from collections import Counter
from pathlib import Path

import pytest

from knowledge import check_knowledge_base
from knowledge.entries import Entry
from knowledge.translations import number_tokens

pytestmark = pytest.mark.unit

LANGUAGES = ("ro", "sq", "ar")
COMMAND = re.compile(r"(?<![\w/])/[a-z]\w*")
BULLET = re.compile(r"(?m)^- ")
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def report() -> tuple[tuple[Entry, ...], list[str]]:
    checked = check_knowledge_base()
    return checked.entries, [str(problem) for problem in checked.problems]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_file_loads_without_any_problem(
    report: tuple[tuple[Entry, ...], list[str]], language: str
) -> None:
    _, problems = report
    mine = f"{Path('translations') / language}.yml"
    assert [problem for problem in problems if mine in problem] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_has_a_fresh_translation(
    report: tuple[tuple[Entry, ...], list[str]], language: str
) -> None:
    entries, _ = report
    untranslated = [entry.id for entry in entries if language not in entry.translations]
    stale = [
        entry.id
        for entry in entries
        if language in entry.translations
        and not entry.translations[language].is_fresh_for(entry.answer)
    ]
    assert untranslated == []
    assert stale == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_figures_commands_and_shape_are_the_italians(
    report: tuple[tuple[Entry, ...], list[str]], language: str
) -> None:
    entries, _ = report
    differing = []
    for entry in entries:
        answer = entry.translations[language].answer
        italian = entry.answer.strip()
        shape = (
            number_tokens(italian),
            Counter(COMMAND.findall(italian)),
            italian.count("**"),
            len(BULLET.findall(italian)),
            italian.count("\n\n"),
        )
        translated = (
            number_tokens(answer),
            Counter(COMMAND.findall(answer)),
            answer.count("**"),
            len(BULLET.findall(answer)),
            answer.count("\n\n"),
        )
        if shape != translated:
            differing.append(entry.id)
    assert differing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_titles_and_answers_are_written_in_the_language(
    report: tuple[tuple[Entry, ...], list[str]], language: str
) -> None:
    """A copied Italian text passes the number check; it must not pass this one."""
    entries, _ = report
    copied = [
        entry.id
        for entry in entries
        if entry.translations[language].answer == entry.answer.strip()
        or entry.translations[language].title == entry.title
    ]
    assert copied == []
    if language == "ar":
        latin_only = [
            entry.id
            for entry in entries
            if not ARABIC_LETTER.search(entry.translations["ar"].title)
            or len(ARABIC_LETTER.findall(entry.translations["ar"].answer))
            < len(entry.translations["ar"].answer) / 3
        ]
        assert latin_only == []

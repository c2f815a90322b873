"""A question in another language reaches its entry through the phrasings (issue 18, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers import DialogueEngine
from storage import Database
from tests.conftest import DeskParts, engine_over_base
from tests.dialogue.conftest import Chat
from tests.support import write_small_base

pytestmark = pytest.mark.integration

ROMANIAN = """language: ro
phrasings:
  nido-retta:
    - pot primi inapoi banii pentru cresa fetitei mele
    - rambursarea taxei de cresa cu welfare
"""


def engine_for(
    tmp_path: Path, database: Database, parts: DeskParts, phrasings: bool
) -> DialogueEngine:
    base, topics = write_small_base(tmp_path / ("with" if phrasings else "without"))
    if phrasings:
        folder = base.parent / "phrasings"
        folder.mkdir()
        (folder / "ro.yml").write_text(ROMANIAN, encoding="utf-8")
    return engine_over_base(base, topics, database, parts)


def ask(chat: Chat, text: str, language: str | None) -> str:
    chat.handle(chat._turn(text=text, language=language))
    return chat.text()


def test_a_romanian_question_gets_the_italian_answer_of_its_entry(
    tmp_path: Path, database: Database, desk_parts: DeskParts
) -> None:
    chat = Chat(engine_for(tmp_path, database, desk_parts, phrasings=True))
    chat.onboard()
    text = ask(chat, "cum primesc inapoi banii pentru cresa fetitei?", "ro")
    assert "la retta del nido si può rimborsare" in text


def test_without_phrasings_the_same_question_is_not_answered_with_the_nursery_entry(
    tmp_path: Path, database: Database, desk_parts: DeskParts
) -> None:
    chat = Chat(engine_for(tmp_path, database, desk_parts, phrasings=False))
    chat.onboard()
    text = ask(chat, "cum primesc inapoi banii pentru cresa fetitei?", "ro")
    assert "la retta del nido si può rimborsare" not in text

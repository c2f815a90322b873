"""A question in English, Spanish or French is answered in that language (issue 18, item 3);
while the translation is stale the answer comes in Italian, said so, with a person offered."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers import DialogueEngine, texts
from handlers.i18n import Translations
from knowledge.translations import source_hash
from storage import Database
from tests.conftest import DeskParts, engine_over_base
from tests.dialogue.conftest import Chat
from tests.support import write_small_base

pytestmark = pytest.mark.integration

ITALIAN = "Sì, la retta del nido si può rimborsare con il welfare, con la fattura."
TRANSLATED = {
    "en": ("Refund of nursery fees", "Yes, nursery fees can be refunded with welfare."),
    "es": ("Reembolso de la guardería", "Sí, la cuota de la guardería se puede reembolsar."),
    "fr": ("Remboursement de la crèche", "Oui, les frais de crèche peuvent être remboursés."),
}
PHRASINGS = {
    "en": "can I get my daughter's nursery fees refunded with welfare",
    "es": "puedo recuperar la cuota de la guardería de mi hija con el welfare",
    "fr": "est-ce que je peux me faire rembourser la crèche de ma fille avec le welfare",
}
QUESTIONS = {
    "en": "can I get the nursery fees for my daughter refunded?",
    "es": "¿me pueden reembolsar la guardería de mi hija?",
    "fr": "est-ce qu'on peut me rembourser les frais de crèche de ma fille ?",
}


def engine_for(
    root: Path, database: Database, parts: DeskParts, source: str | None = None
) -> DialogueEngine:
    """The small base with the nursery entry translated (from `source`, default the current
    Italian) and phrased in each language."""
    base, topics = write_small_base(root)
    translations, phrasings = root / "translations", root / "phrasings"
    translations.mkdir()
    phrasings.mkdir()
    for language, (title, answer) in TRANSLATED.items():
        (translations / f"{language}.yml").write_text(
            f"language: {language}\nentries:\n  nido-retta:\n"
            f"    source: {source or source_hash(ITALIAN)}\n"
            f'    title: "{title}"\n    answer: "{answer}"\n',
            encoding="utf-8",
        )
        (phrasings / f"{language}.yml").write_text(
            f"language: {language}\nphrasings:\n  nido-retta:\n    - {PHRASINGS[language]}\n",
            encoding="utf-8",
        )
    return engine_over_base(base, topics, database, parts)


def ask(chat: Chat, text: str, language: str) -> str:
    chat.handle(chat._turn(text=text, language=language))
    return chat.text()


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_a_question_is_answered_with_the_translation_in_its_language(
    tmp_path: Path, database: Database, desk_parts: DeskParts, language: str
) -> None:
    chat = Chat(engine_for(tmp_path, database, desk_parts))
    chat.onboard()
    text = ask(chat, QUESTIONS[language], language)
    title, answer = TRANSLATED[language]
    assert f"**{title}**" in text
    assert answer in text
    assert ITALIAN not in text
    assert Translations.load().text(language, texts.ANSWER_ITALIAN_FOR_NOW) not in text


def test_an_italian_question_still_gets_the_italian_answer(
    tmp_path: Path, database: Database, desk_parts: DeskParts
) -> None:
    chat = Chat(engine_for(tmp_path, database, desk_parts))
    chat.onboard()
    text = ask(chat, "posso avere il rimborso della retta del nido di mia figlia?", "it")
    assert ITALIAN in text
    assert all(answer not in text for _title, answer in TRANSLATED.values())


def test_a_stale_translation_is_answered_in_italian_with_the_line_and_a_person(
    tmp_path: Path, database: Database, desk_parts: DeskParts
) -> None:
    chat = Chat(engine_for(tmp_path, database, desk_parts, source="0123456789abcdef"))
    chat.onboard()
    text = ask(chat, QUESTIONS["en"], "en")
    assert text.startswith(Translations.load().text("en", texts.ANSWER_ITALIAN_FOR_NOW))
    assert ITALIAN in text
    assert TRANSLATED["en"][1] not in text
    labels = [button.label for reply in chat.last for row in reply.buttons for button in row]
    assert Translations.load().text("en", texts.OFFER_HUMAN) in labels  # in English, like the line

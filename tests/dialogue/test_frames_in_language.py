"""Frames that named things in Italian for everyone: the topic of a request in /richieste and
the title of the closest answer offered beside the needs interview (issue 18 follow-up)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from escalation import EscalationSettings
from handlers import DialogueEngine, Reply, texts
from handlers.i18n import Translations
from handlers.translated_answers import title_in
from knowledge import load_knowledge_base
from storage import Database, Ticket, add_company
from tests.conftest import DeskParts, make_engine
from tests.dialogue.conftest import Chat
from tests.dialogue.test_interface_languages import SPEAKERS, Speaker, nursery_title

pytestmark = pytest.mark.integration

CATALOGS = Translations.load()
ELDERLY_WISH = {  # a need, not a question: offered the interview, an answer a tap away
    "en": "I would need help with my elderly mother",
    "fr": "j'aurais besoin d'aide pour ma mère âgée",
}


@pytest.fixture
def desk(database: Database, desk_parts: DeskParts) -> DialogueEngine:
    with database.session() as session:
        add_company(session, code="ACME", name="Acme spa", now=Chat.start_clock())
    return make_engine(
        database, desk_parts, escalation=EscalationSettings(managers_chat_id=-100777)
    )


@pytest.mark.parametrize("speaker", SPEAKERS, ids=[s.language for s in SPEAKERS])
def test_the_list_of_requests_names_the_topic_in_the_workers_language(
    desk: DialogueEngine, database: Database, speaker: Speaker
) -> None:
    lang = speaker.language
    tr = CATALOGS.translator(lang)
    chat = Chat(desk)

    def say(text: str) -> list[Reply]:
        return chat.handle(chat._turn(text=text, language=lang)).replies

    chat.handle(chat._turn(command="start", language=lang))
    say(speaker.yes)
    say(speaker.role)
    say(speaker.no)
    answer = say(speaker.question)
    if answer[-1].text == tr(texts.CLARIFY):
        chat.press(nursery_title(lang)[:12])
    assert say(speaker.person)[-1].text == tr(texts.TICKET_CONFIRM)
    chat.press(tr(texts.TICKET_CONFIRM_YES))
    if chat.text() == tr(texts.TICKET_SHARE):
        chat.press(tr(texts.TICKET_SHARE_NO))
    chat.press(tr(texts.TICKET_NOTE_SKIP))
    listing = chat.handle(chat._turn(command="richieste", language=lang)).replies[0].text
    with database.session() as session:
        (topic,) = session.scalars(select(Ticket.topic)).all()
    assert topic in ("rimborso-asilo-nido", "istruzione-figli")  # asked, or offered first
    assert tr(texts.TOPIC_NAMES[topic]) in listing
    assert topic not in listing  # never the key
    if lang != "it":
        assert texts.TOPIC_NAMES[topic] not in listing


def test_every_topic_of_the_taxonomy_has_a_name_for_workers() -> None:
    assert set(texts.TOPIC_NAMES) == set(load_knowledge_base().topics)


def press(chat: Chat, label: str, language: str) -> None:
    (data,) = [b.data for r in chat.last for row in r.buttons for b in row if b.label == label]
    chat.handle(chat._turn(button=data, language=language))


@pytest.mark.parametrize("language", sorted(ELDERLY_WISH))
def test_the_answer_offered_beside_the_interview_is_titled_in_the_users_language(
    desk: DialogueEngine, language: str
) -> None:
    tr = CATALOGS.translator(language)
    chat = Chat(desk)
    chat.handle(chat._turn(command="start", language=language))
    press(chat, tr(texts.CONSENT_YES), language)  # Telegram sends language_code with a tap too
    press(chat, tr(texts.ROLE_WORKER), language)
    chat.handle(chat._turn(text="ACME", language=language))
    replies = chat.handle(chat._turn(text=ELDERLY_WISH[language], language=language)).replies
    assert replies[-1].text == tr(texts.INTERVIEW_OFFER)
    (info,) = [
        b.label
        for row in replies[-1].buttons
        for b in row
        if b.label.startswith(tr(texts.INTERVIEW_OFFER_INFO).split("{")[0])
    ]
    titles = {
        e.title: title_in(e, language) for e in load_knowledge_base().entries if e.translations
    }
    shown = info.removeprefix(tr(texts.INTERVIEW_OFFER_INFO).split("{")[0])
    assert shown in titles.values() and shown not in titles  # translated, not the Italian

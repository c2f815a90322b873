"""The desk speaks the user's language: a whole conversation in each of the seven, /lingua,
typed answers in each language (issue 18, items 1–2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from handlers import DialogueEngine, Reply, texts
from handlers.i18n import Translations
from handlers.translated_answers import wording
from knowledge import load_knowledge_base
from storage import Database, User
from tests.conftest import DeskParts, make_engine
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

EMAIL = "sportello@example.org"
CATALOGS = Translations.load()


@dataclass(frozen=True)
class Speaker:
    language: str
    yes: str
    no: str
    role: str
    question: str
    """A question about the nursery fees, as a worker of this language writes it."""
    person: str
    """Asking for a person in words."""


SPEAKERS = (
    Speaker(
        "it",
        "sì",
        "no",
        "sono una lavoratrice",
        "posso farmi rimborsare la retta del nido?",
        "vorrei parlare con una persona",
    ),
    Speaker(
        "en",
        "yes",
        "no",
        "I am a worker",
        "can welfare pay back my daughter's nursery fees",
        "I want to talk to a person",
    ),
    Speaker(
        "ro",
        "da",
        "nu",
        "sunt muncitor",
        "pot primi inapoi banii pentru cresa fetitei?",
        "vreau să vorbesc cu cineva",
    ),
    Speaker(
        "sq",
        "po",
        "jo",
        "jam punëtore",
        "a ma rimburson welfare tarifen e cerdhes se vajzes",
        "dua të flas me një person",
    ),
    Speaker(
        "ar", "نعم", "لا", "أنا عامل", "هل يرد لي الويلفير قسط حضانة ابنتي", "أريد التحدث مع شخص"
    ),
    Speaker(
        "es",
        "sí",
        "no",
        "soy trabajadora",
        "el welfare me devuelve la cuota de la guardería?",
        "quiero hablar con una persona",
    ),
    Speaker(
        "fr",
        "oui",
        "non",
        "je suis salariée",
        "le welfare me rembourse la crèche de ma fille ?",
        "je voudrais parler à une personne",
    ),
)


NURSERY = "rimborso-asilo-nido-retta-documenti"
FIXED_DAY = dt.date(2027, 3, 1)


def nursery_title(language: str) -> str:
    """The nursery entry's title as the desk shows it in `language` (its translation)."""
    entry = next(e for e in load_knowledge_base(today=FIXED_DAY).entries if e.id == NURSERY)
    return wording(entry, language).title


def said(language: str, source: str) -> str:
    return CATALOGS.text(language, source)


@pytest.fixture
def engine(database: Database, desk_parts: DeskParts) -> DialogueEngine:
    """An engine whose desk has contacts, so a hand-off says how to reach a person."""
    return make_engine(database, desk_parts, desk_email=EMAIL)


def labels(replies: list[Reply]) -> list[str]:
    return [b.label for r in replies for row in r.buttons for b in row]


@pytest.mark.parametrize("speaker", SPEAKERS, ids=[s.language for s in SPEAKERS])
def test_a_whole_conversation_in_the_users_language(
    engine: DialogueEngine, database: Database, speaker: Speaker
) -> None:
    """/start to an answer and to a person, every step typed in the user's own language."""
    lang = speaker.language
    chat = Chat(engine)

    def say(text: str) -> list[Reply]:
        return chat.handle(chat._turn(text=text, language=lang)).replies

    notice = chat.handle(chat._turn(command="start", language=lang)).replies
    assert notice[0].text.startswith(said(lang, texts.PRIVACY_NOTICE)[:40])
    assert said(lang, texts.CONSENT_YES) in labels(notice)

    assert say(speaker.yes)[0].text == said(lang, texts.ASK_ROLE)
    assert say(speaker.role)[0].text == said(lang, texts.ASK_COMPANY_CODE)
    (done,) = say(speaker.no)
    assert done.text == said(lang, texts.ONBOARDING_DONE)
    with database.session() as session:
        (user,) = session.query(User).all()
        assert (user.role, user.consent_version is not None) == ("worker", True)

    answer = say(speaker.question)
    if answer[-1].text == said(lang, texts.CLARIFY):  # the topics offered: the nursery it is
        assert said(lang, texts.CLARIFY_NONE) in labels(answer)
        answer = chat.press(nursery_title(lang)[:12])
    text = answer[-1].text
    assert nursery_title(lang) in text  # the nursery entry, in the user's language
    assert said(lang, texts.ANSWER_FEEDBACK) in text
    assert said(lang, texts.ANSWER_SOURCES).split("{")[0] in text
    if lang != "it":
        assert texts.ANSWER_FEEDBACK not in text and "Fonte:" not in text

    sorry = chat.press(said(lang, texts.FEEDBACK_NO))
    assert sorry[0].text == said(lang, texts.FEEDBACK_SORRY)
    contact = chat.press(said(lang, texts.OFFER_HUMAN))[0].text
    assert contact.startswith(said(lang, texts.HUMAN_CONTACT).split("{")[0])
    assert EMAIL in contact
    typed = say(speaker.person)[0].text
    assert typed.startswith(said(lang, texts.HUMAN_CONTACT).split("{")[0]) and EMAIL in typed


def test_the_catalog_wording_is_used_for_every_language_but_italian() -> None:
    for speaker in SPEAKERS[1:]:
        assert said(speaker.language, texts.ASK_ROLE) != texts.ASK_ROLE


def test_a_phone_language_is_a_hint_a_message_in_italian_wins(engine: DialogueEngine) -> None:
    """A Romanian phone writing Italian gets Italian; a button pressed next stays Italian."""
    chat = Chat(engine)
    chat.onboard()
    chat.handle(chat._turn(text="posso farmi rimborsare la retta del nido?", language="ro"))
    assert texts.ANSWER_FEEDBACK in chat.text()
    assert chat.press("👎")[0].text == texts.FEEDBACK_SORRY


def test_a_button_after_an_arabic_message_answers_in_arabic(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("هل يرد لي الويلفير قسط حضانة ابنتي")
    assert said("ar", texts.ANSWER_FEEDBACK) in chat.text()
    assert chat.press("👍")[0].text == said("ar", texts.FEEDBACK_THANKS)
    assert chat.send("/menu")[0].text == said("ar", texts.MENU)


# -- /lingua ----------------------------------------------------------------------------------


def test_lingua_offers_the_seven_languages_each_in_its_own_name(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.onboard()
    (choice,) = chat.send("/lingua")
    assert "automatica" in choice.text
    assert labels([choice]) == [*texts.LANGUAGE_NAMES.values(), texts.LANGUAGE_AUTOMATIC]


def test_a_chosen_language_overrides_detection_until_automatic(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("/lingua")
    assert chat.press("English")[0].text == said("en", texts.LANGUAGE_CHOSEN)
    with database.session() as session:
        assert session.query(User).one().chosen_language == "en"
    chat.send("posso farmi rimborsare la retta del nido?")  # Italian, answered in English
    assert said("en", texts.ANSWER_FEEDBACK) in chat.text()
    assert "English" in chat.send("/lingua")[0].text
    # back to detection: the conversation's last message was Italian
    assert chat.press("Automatic")[0].text == texts.LANGUAGE_AUTOMATIC_CHOSEN
    with database.session() as session:
        assert session.query(User).one().chosen_language is None
    chat.send("posso farmi rimborsare la retta del nido?")
    assert texts.ANSWER_FEEDBACK in chat.text()


def test_a_language_name_can_be_typed(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("/lingua")
    assert chat.send("français")[0].text == said("fr", texts.LANGUAGE_CHOSEN)
    assert chat.send("/aiuto")[0].text.startswith(said("fr", texts.HELP)[:30])


def test_lingua_before_consent_shows_the_notice_again_in_the_new_language(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(engine)
    chat.send("/start")
    chat.press(texts.LANGUAGE_BUTTON)
    replies = chat.press("Română")
    assert replies[0].text == said("ro", texts.LANGUAGE_CHOSEN)
    assert replies[1].text.startswith(said("ro", texts.PRIVACY_NOTICE)[:40])
    chat.send("da")
    assert chat.text() == said("ro", texts.ASK_ROLE)
    with database.session() as session:
        assert session.query(User).one().consent_version is not None


def test_the_language_can_be_changed_from_profilo(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("/profilo")
    chat.press(texts.PROFILE_LANGUAGE)
    replies = chat.press("Español")
    assert replies[0].text == said("es", texts.LANGUAGE_CHOSEN)
    assert replies[1].text.startswith(said("es", texts.PROFILE_ASK_ROLE).split("**")[0])
    chat.press(said("es", texts.PROFILE_KEEP))
    assert chat.press(said("es", texts.PROFILE_KEEP))[0].text == said("es", texts.PROFILE_DONE)


def test_lingua_is_in_the_menu_and_in_aiuto(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.onboard()
    assert "/lingua" in chat.send("/aiuto")[0].text
    chat.send("/menu")
    assert "English" in labels(chat.press(texts.MENU_LANGUAGE))


# -- typed answers in each language -----------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "language"),
    [("da", "ro"), ("po", "sq"), ("oui", "fr"), ("نعم", "ar"), ("yes", "en"), ("sí", "es")],
)
def test_typed_yes_erases_after_the_confirmation_question(
    engine: DialogueEngine, database: Database, yes: str, language: str
) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("/cancella")
    assert chat.send(yes)[0].text == said(language, texts.ERASE_DONE)
    with database.session() as session:
        assert session.query(User).count() == 0


@pytest.mark.parametrize(("no", "language"), [("nu", "ro"), ("jo", "sq"), ("لا", "ar")])
def test_typed_no_declines_the_privacy_notice(
    engine: DialogueEngine, database: Database, no: str, language: str
) -> None:
    chat = Chat(engine)
    chat.send("/start")
    assert chat.send(no)[0].text == said(language, texts.CONSENT_DECLINED)
    with database.session() as session:
        assert session.query(User).count() == 0


def test_typed_yes_in_another_language_answers_the_offer_of_a_person(
    engine: DialogueEngine,
) -> None:
    chat = Chat(engine)
    chat.onboard()
    chat.send("posso farmi rimborsare la retta del nido?")
    chat.press("👎")
    assert EMAIL in chat.send("po")[0].text

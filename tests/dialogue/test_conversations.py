"""Whole conversations played through the real engine, with what ends up in the database."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from handlers import DialogueEngine
from knowledge import RetrievalSettings
from storage import Database, Interaction, User, add_company
from tests.conftest import DeskParts, make_engine
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

NOTHING_FITS = RetrievalSettings(
    min_similarity=1.5, confident_similarity=1.5, dominant_min_similarity=1.5
)
"""Thresholds no cosine can reach: every question falls back, whatever the base holds."""
ALWAYS_ASK = RetrievalSettings(clarify_margin=50.0, clear_similarity=2.0, agreement_margin=50.0)
"""Every other topic counts as close, and no cosine settles a near tie: the desk asks."""
UNCOVERED = "la mia cooperativa paga il corso di inglese di mia moglie?"


def interactions(database: Database) -> list[Interaction]:
    with database.session() as session:
        return list(session.query(Interaction).order_by(Interaction.id))


def users(database: Database) -> list[User]:
    with database.session() as session:
        return list(session.query(User))


def known_company(database: Database, code: str, name: str) -> None:
    """A company the desk knows, added at the chats' fixed start time (no test reads the clock)."""
    with database.session() as session:
        add_company(session, code=code, name=name, now=Chat.start_clock())


def test_onboarding_with_consent_role_and_company_code(
    engine: DialogueEngine, database: Database
) -> None:
    known_company(database, "coop-alfa", "Cooperativa Alfa")
    chat = Chat(engine)
    replies = chat.send("/start")
    assert "privacy" in replies[0].text
    assert [b.label for b in replies[0].buttons[0]] == ["Sì, va bene", "No, grazie"]
    chat.press("Sì, va bene")
    assert "tu sei" in chat.text()
    chat.press("Lavoratore")
    assert "codice sportello" in chat.text()
    chat.send("COOP-ALFA")
    assert "Cooperativa Alfa" in chat.text() and "Fatto!" in chat.text()
    (user,) = users(database)
    assert user.role == "worker" and user.consent_at is not None and user.company_id is not None


def test_deep_link_code_joins_the_company_after_the_role(
    engine: DialogueEngine, database: Database
) -> None:
    known_company(database, "BETA-01", "Beta Srl")
    chat = Chat(engine)
    chat.send("/start BETA-01")
    chat.press("Sì, va bene")
    chat.press("Azienda")
    assert "Beta Srl" in chat.text() and "Fatto!" in chat.text()


def test_unknown_company_code_can_be_retried_or_skipped(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.send("/start")
    chat.press("Sì, va bene")
    chat.press("Lavoratore")
    chat.send("NONESISTE")
    assert "Non trovo il codice «NONESISTE»" in chat.text()
    chat.press("Non ce l'ho")
    assert "Fatto!" in chat.text()


def test_declining_consent_stores_nothing(engine: DialogueEngine, database: Database) -> None:
    chat = Chat(engine)
    chat.send("/start")
    chat.press("No, grazie")
    assert "non ho salvato niente" in chat.text()
    assert users(database) == []
    assert all(i.user_ref is None for i in interactions(database))


def test_never_consented_conversations_are_erased_after_a_day(
    engine: DialogueEngine, database: Database
) -> None:
    waiting, onboarded = Chat(engine, user_id=1), Chat(engine, user_id=2)
    waiting.send("ho una domanda sul nido")  # stored only to resume onboarding
    onboarded.onboard()
    assert len(users(database)) == 2
    assert interactions(database) and all(i.user_ref for i in interactions(database))
    assert engine.housekeeping(waiting.clock + dt.timedelta(hours=23))["unconsented_erased"] == 0
    assert engine.housekeeping(waiting.clock + dt.timedelta(hours=25))["unconsented_erased"] == 1
    (kept,) = users(database)
    assert kept.consent_at is not None


def test_a_question_before_consent_is_answered_after_onboarding(engine: DialogueEngine) -> None:
    chat = Chat(engine)
    chat.send("posso farmi rimborsare la retta dell'asilo nido?")
    assert "privacy" in chat.text()
    chat.press("Sì, va bene")
    chat.press("Lavoratore")
    replies = chat.press("Non ce l'ho")
    text = "\n".join(r.text for r in replies)
    assert "Ora rispondo alla domanda" in text
    assert "nido" in text.lower()


def test_answer_with_source_and_feedback(engine: DialogueEngine, database: Database) -> None:
    chat = Chat.onboarded(engine)
    replies = chat.send("fino a quanto sono esenti i buoni pasto elettronici?")
    answer = replies[-1]
    assert "Fonte:" in answer.text and "Ti è stata utile?" in answer.text
    assert [b.label for b in answer.buttons[0]] == ["👍 Sì", "👎 No"]
    chat.press("👍")
    assert chat.last[0].notice == "Grazie del riscontro!"
    logged = [i for i in interactions(database) if i.decision == "answer"]
    assert logged[-1].feedback == "helpful"
    assert logged[-1].entry_ids[0].startswith("buoni-pasto")
    assert logged[-1].question_text is None  # answered questions keep no text


def test_negative_feedback_offers_a_person(engine: DialogueEngine) -> None:
    chat = Chat.onboarded(engine)
    chat.send("come funziona il congedo parentale?")
    chat.press("👎")
    assert "parlare con una persona" in chat.text()
    chat.press("Sì, con una persona")
    assert "Sportello Welfare" in chat.text()


def test_typed_yes_or_no_after_an_answer_is_feedback(
    engine: DialogueEngine, database: Database
) -> None:
    chat = Chat.onboarded(engine)
    chat.send("fino a quanto sono esenti i buoni pasto elettronici?")
    chat.send("sì")  # to "Ti è stata utile?"
    assert "Grazie del riscontro" in chat.text()
    chat.send("come funziona il congedo parentale?")
    chat.send("no, non mi ha aiutato")
    assert "parlare con una persona" in chat.text()
    answered = [i for i in interactions(database) if i.decision == "answer"]
    assert [i.feedback for i in answered] == ["helpful", "not_helpful"]
    chat.send("ok")  # the feedback was given: this is just an ok, not feedback again
    answered = [i for i in interactions(database) if i.decision == "answer"]
    assert [i.feedback for i in answered] == ["helpful", "not_helpful"]


def test_clarifying_question_offers_candidates(database: Database, desk_parts: DeskParts) -> None:
    engine = make_engine(database, desk_parts, ALWAYS_ASK)
    chat = Chat.onboarded(engine)
    replies = chat.send("rimborso delle spese per i figli")
    assert "Scegli quello giusto" in replies[-1].text
    labels = [row[0].label for row in replies[-1].buttons]
    assert len(labels) >= 3 and labels[-1] == "Nessuno di questi"
    chat.press(labels[0])
    assert "Fonte:" in chat.text()
    chat.press_data(replies[-1].buttons[1][0].data)  # an option of the old question
    assert chat.last[0].notice == "Questo pulsante non è più attivo. Scrivimi di nuovo la domanda."


def test_fallback_offers_a_person_and_keeps_the_text_for_review(
    database: Database, desk_parts: DeskParts
) -> None:
    engine = make_engine(database, desk_parts, NOTHING_FITS, desk_email="sportello@example.org")
    chat = Chat.onboarded(engine)
    chat.send(UNCOVERED)
    assert "Non ho trovato una risposta sicura" in chat.text()
    chat.press("Sì, con una persona")
    assert "sportello@example.org" in chat.text()
    fallback = [i for i in interactions(database) if i.decision == "fallback"][-1]
    assert fallback.question_text == UNCOVERED
    assert fallback.retain_until is not None
    engine.housekeeping(chat.clock + dt.timedelta(days=89))
    kept = next(i for i in interactions(database) if i.id == fallback.id)
    assert kept.question_text is not None
    done = engine.housekeeping(chat.clock + dt.timedelta(days=91))
    assert done["texts_purged"] == 1
    assert all(i.question_text is None for i in interactions(database))


def test_typed_answers_work_like_buttons(database: Database, desk_parts: DeskParts) -> None:
    engine = make_engine(database, desk_parts, NOTHING_FITS, desk_phone="011 000000")
    chat = Chat.onboarded(engine)
    chat.send(UNCOVERED)
    assert "Vuoi parlare con una persona" in chat.text()
    chat.send("sì")
    assert "011 000000" in chat.text()
    chat.send("il corso di yoga si può rimborsare?")
    chat.send("no")
    assert "scrivimi la domanda con altre parole" in chat.text()

    clarifying = Chat.onboarded(make_engine(database, desk_parts, ALWAYS_ASK), user_id=77)
    options = clarifying.send("rimborso delle spese per i figli")[-1]
    second = options.buttons[1][0].label
    clarifying.send("2")
    assert second in clarifying.text() and "Fonte:" in clarifying.text()


def test_small_talk_and_out_of_scope(engine: DialogueEngine) -> None:
    chat = Chat.onboarded(engine)
    assert "Ciao!" in chat.send("ciao")[0].text
    assert "Figurati" in chat.send("grazie mille")[0].text
    assert "assistente automatico" in chat.send("sei un bot?")[0].text
    assert "mi occupo solo di welfare" in " ".join(
        r.text for r in chat.send("chi vince il campionato di calcio quest'anno?")
    )


def test_export_contains_what_is_stored(engine: DialogueEngine) -> None:
    chat = Chat.onboarded(engine)
    chat.send("buoni pasto esenti")
    (reply,) = chat.send("/miei_dati")
    assert reply.document is not None
    data = json.loads(reply.document.content)
    dumped = json.dumps(data)
    assert "worker" in dumped and "consent" in dumped
    assert "answer" in dumped


def test_erase_after_confirmation(engine: DialogueEngine, database: Database) -> None:
    chat = Chat.onboarded(engine)
    chat.send("buoni pasto esenti")
    chat.send("/cancella")
    assert "non si può annullare" in chat.text()
    chat.press("No, lascia stare")
    assert users(database)
    chat.send("/cancella")
    chat.press("Sì, cancella")
    assert "ho cancellato i tuoi dati" in chat.text()
    assert users(database) == []
    assert all(i.user_ref is None for i in interactions(database))
    chat.send("buoni pasto esenti")
    assert "privacy" in chat.text()  # a new start: consent again


def test_conversation_resumes_after_a_restart(database: Database, desk_parts: DeskParts) -> None:
    chat = Chat(make_engine(database, desk_parts))
    chat.send("/start")
    chat.press("Sì, va bene")
    chat.engine = make_engine(database, desk_parts)  # a new process on the same database
    chat.press("Lavoratore")
    assert "codice sportello" in chat.text()


def test_duplicate_update_is_handled_once(engine: DialogueEngine, database: Database) -> None:
    chat = Chat.onboarded(engine)
    turn = chat._turn(text="buoni pasto esenti")
    first = chat.handle(turn, update_id=999_001)
    second = chat.handle(turn, update_id=999_001)
    assert first.replies and not first.ignored
    assert second.ignored and second.replies == []
    assert sum(1 for i in interactions(database) if i.decision == "answer") == 1


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("/comandoinventato", "Non conosco il comando /comandoinventato"),
        ("   ", "Non ho ricevuto testo"),
    ],
)
def test_bad_input_gets_a_clear_reply(engine: DialogueEngine, message: str, expected: str) -> None:
    chat = Chat.onboarded(engine)
    assert expected in chat.send(message)[0].text


def test_attachments_and_forged_buttons(engine: DialogueEngine) -> None:
    chat = Chat.onboarded(engine)
    outcome = chat.handle(chat._turn(attachment="sticker"))
    assert "leggo solo messaggi scritti" in outcome.replies[0].text
    assert (
        chat.press_data("faq:answered:yes:99999")[0].notice is not None
    )  # not this user's interaction
    assert chat.press_data("nonsense")[0].notice is not None


def test_very_long_message_with_markup_is_answered(engine: DialogueEngine) -> None:
    chat = Chat.onboarded(engine)
    story = "mia figlia va all'asilo nido comunale e pago la retta ogni mese. " * 200
    replies = chat.send("<b>Buongiorno</b> & **grazie**: " + story + "posso avere il rimborso?")
    # the repeated sentence is read once, so nothing of the question is cut
    assert "ho letto solo la prima parte" not in replies[0].text
    assert "nido" in replies[0].text.lower()


def test_long_message_is_read_up_to_the_limit_and_says_so(engine: DialogueEngine) -> None:
    chat = Chat.onboarded(engine)
    words = " ".join(f"parola{i}" for i in range(150))  # one long sentence: nothing to drop
    replies = chat.send("posso farmi rimborsare la retta dell'asilo nido " + words + "?")
    assert "ho letto solo la prima parte" in replies[0].text

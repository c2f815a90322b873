"""Answers a worker can trust: expired entries served with a caveat, an honest "not mine",
clarification of one-word questions, long messages reduced to their question."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from handlers import DialogueEngine, Outcome, texts
from handlers.i18n import Translations
from knowledge.translations import source_hash
from storage import Database, Interaction
from tests.conftest import DeskParts, engine_over_base
from tests.dialogue.conftest import Chat
from tests.support import nido_entry, referral_text, write_small_base

pytestmark = pytest.mark.integration


@pytest.fixture
def small_engine(tmp_path: Path, database: Database, desk_parts: DeskParts) -> DialogueEngine:
    """The real encoder and classifier over a small base: a nursery entry confirmed until
    30 June 2026, meal vouchers, a company topic and a referral for TFR questions."""
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(nido_entry(valid_until="2026-06-30"), "utf-8")
    (base / "fuori-ambito-tfr.md").write_text(referral_text(), "utf-8")
    return engine_over_base(base, topics, database, desk_parts)


def test_expired_entry_is_served_with_its_date_and_a_person_offered(
    small_engine: DialogueEngine,
) -> None:
    chat = Chat(small_engine)
    chat.onboard()
    replies = chat.send("posso farmi rimborsare la retta del nido di mia figlia?")
    text = replies[0].text
    assert "la retta del nido si può rimborsare" in text
    assert "confermata fino al 30/06/2026" in text and "potrebbero essere cambiate" in text
    labels = [b.label for row in replies[0].buttons for b in row]
    assert labels == ["👍 Sì", "👎 No", "Sì, con una persona"]
    replies = chat.press("Sì, con una persona")
    assert "persona" in replies[0].text


def test_the_caveat_comes_before_the_answer_it_qualifies(small_engine: DialogueEngine) -> None:
    """Read after the answer, an old figure would already have been taken as today's."""
    chat = Chat(small_engine)
    chat.clock = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)
    chat.onboard()
    text = chat.send("posso farmi rimborsare la retta del nido di mia figlia?")[0].text
    title = text.index("**Rimborso della retta del nido**")
    caveat = text.index("confermata fino al 30/06/2026")
    assert title < caveat < text.index("la retta del nido si può rimborsare")


def test_an_expired_translated_answer_has_the_caveat_in_the_users_language(
    tmp_path: Path, database: Database, desk_parts: DeskParts
) -> None:
    """An English reader on 15 January 2027 gets the English answer of an entry confirmed
    until 30 June 2026, under the English caveat, with a person offered."""
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(nido_entry(valid_until="2026-06-30"), "utf-8")
    italian = "Sì, la retta del nido si può rimborsare con il welfare, con la fattura."
    translations = tmp_path / "translations"
    translations.mkdir()
    (translations / "en.yml").write_text(
        f"language: en\nentries:\n  nido-retta:\n    source: {source_hash(italian)}\n"
        '    title: "Refund of nursery fees"\n'
        '    answer: "Yes, nursery fees can be refunded with welfare, with the invoice."\n',
        encoding="utf-8",
    )
    chat = Chat(engine_over_base(base, topics, database, desk_parts))
    chat.clock = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)
    chat.onboard()
    chat.handle(chat._turn(text="can I get my daughter's nursery fees refunded?", language="en"))
    text = chat.last[0].text
    caveat = Translations.load().text("en", texts.ANSWER_EXPIRED).format(until="30/06/2026")
    assert caveat in text and italian not in text
    assert text.index(caveat) < text.index("Yes, nursery fees can be refunded")
    assert "Yes, with a person" in [b.label for row in chat.last[0].buttons for b in row]


@pytest.mark.parametrize("day", [dt.date(2027, 1, 15), dt.date(2099, 1, 1)])
def test_the_real_base_on_a_later_day_marks_exactly_the_expired_answers(
    engine: DialogueEngine, desk_parts: DeskParts, day: dt.date
) -> None:
    """Every dated entry of the real base, asked its own first question on `day` by a new
    user: the desk answers (a date never stops it), and an answer carries the caveat, above
    its text and with a person offered, exactly when its entry ended before `day`."""
    dated = [e for e in desk_parts[0].entries if e.valid_until is not None]
    assert dated
    expired_served = 0
    for user, entry in enumerate(dated, start=1000):
        chat = Chat(engine, user_id=user)
        chat.clock = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        chat.onboard("Lavoratore" if entry.audience != "company" else "Azienda")
        outcome = chat.handle(chat._turn(text=entry.questions[0]))
        assert outcome.replies and outcome.decision in ("answer", "clarify"), entry.id
        if outcome.decision != "answer":
            continue
        served = next(e for e in desk_parts[0].entries if e.id == outcome.served[0])
        text = outcome.replies[0].text
        expired = served.is_expired(day)
        assert ("era confermata fino al" in text) == expired, served.id
        if expired:
            expired_served += 1
            assert served.valid_until is not None
            until = served.valid_until.strftime("%d/%m/%Y")
            assert text.index(f"confermata fino al {until}") < text.index(served.answer[:40])
            labels = [b.label for row in outcome.replies[0].buttons for b in row]
            assert "Sì, con una persona" in labels
    if day.year == 2099:
        assert expired_served > 0


def test_entry_within_its_dates_has_no_caveat(small_engine: DialogueEngine) -> None:
    chat = Chat(small_engine)
    chat.clock = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    chat.onboard()
    replies = chat.send("posso farmi rimborsare la retta del nido di mia figlia?")
    assert "la retta del nido si può rimborsare" in replies[0].text
    assert "confermata fino" not in replies[0].text
    assert [b.label for row in replies[0].buttons for b in row] == ["👍 Sì", "👎 No"]


@pytest.mark.parametrize("year", [2027, 2031, 2099])
def test_the_desk_answers_whatever_the_date(small_engine: DialogueEngine, year: int) -> None:
    chat = Chat(small_engine)
    chat.clock = dt.datetime(year, 1, 1, 0, 0, tzinfo=dt.UTC)
    chat.onboard()
    replies = chat.send("rimborso retta asilo nido")
    assert "la retta del nido si può rimborsare" in replies[0].text
    assert "confermata fino al 30/06/2026" in replies[0].text


def test_neighbouring_question_gets_a_referral_not_a_welfare_answer(
    small_engine: DialogueEngine, database: Database
) -> None:
    chat = Chat(small_engine)
    chat.onboard()
    outcome = chat.handle(chat._turn(text="come si calcola il tfr?"))
    text = outcome.replies[0].text
    assert outcome.decision == "referral" and outcome.served == ("fuori-ambito-tfr",)
    assert "Il TFR non è welfare aziendale" in text
    assert "**A chi rivolgerti**\n- l'ufficio personale\n- il patronato" in text
    assert outcome.replies[0].buttons == ()
    with database.session() as session:
        logged = session.query(Interaction).filter_by(decision="referral").one()
        assert logged.question_text is None  # only unanswered questions keep their text
    # the referral asks nothing back: a "sì" afterwards is not taken as feedback on it
    assert "riscontro" not in chat.send("sì")[0].text


def test_long_message_is_reduced_to_its_question(small_engine: DialogueEngine) -> None:
    chat = Chat(small_engine)
    chat.clock = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    chat.onboard()
    message = (
        "Buongiorno a tutti, scusate il disturbo. "
        + "urgente " * 60
        + "\nVolevo chiedere: posso farmi rimborsare la retta del nido di mia figlia? "
        + "Posso farmi rimborsare la retta del nido di mia figlia? " * 8
        + "\nGrazie mille, cordiali saluti.\nMaria Rossi"
    )
    assert len(message) > 776
    outcome = chat.handle(chat._turn(text=message))
    assert outcome.decision == "answer" and outcome.served == ("nido-retta",)
    assert "ho letto solo la prima parte" not in outcome.replies[0].text


@pytest.mark.parametrize("word", ["rimborso", "credito"])
def test_one_word_question_is_clarified_with_one_option_per_topic(
    engine: DialogueEngine, desk_parts: DeskParts, word: str
) -> None:
    outcome = first_question(engine, word)
    assert outcome.decision == "clarify"
    assert 2 <= len(outcome.served) <= 3
    options = [row[0].label for row in outcome.replies[0].buttons]
    assert options[-1] == "Nessuno di questi" and len(options) == len(outcome.served) + 1
    topics = {topic_of(desk_parts, entry_id) for entry_id in outcome.served}
    assert len(topics) == len(outcome.served)


def test_a_precise_keyword_is_answered(engine: DialogueEngine, desk_parts: DeskParts) -> None:
    outcome = first_question(engine, "badante")
    assert outcome.decision == "answer"
    assert topic_of(desk_parts, outcome.served[0]) == "assistenza-familiari-anziani"


def topic_of(desk_parts: DeskParts, entry_id: str) -> str:
    return next(e.topic for e in desk_parts[0].entries if e.id == entry_id)


def first_question(engine: DialogueEngine, message: str) -> Outcome:
    """A new worker's first message after onboarding, as the desk handles it."""
    chat = Chat(engine)
    chat.onboard()
    return chat.handle(chat._turn(text=message))


@pytest.mark.parametrize(
    "message",
    [
        "come si calcola il TFR?",
        "quanto mi spetta di assegno unico con due figli?",
        "devo rinnovare il permesso di soggiorno, come faccio?",
        "quando arriva il rimborso del 730?",
        "l'indennità di maternità obbligatoria la chiedo io all'INPS?",
        "come presento all'INPS la domanda del bonus asilo nido?",
    ],
)
def test_the_real_base_refers_neighbouring_questions(engine: DialogueEngine, message: str) -> None:
    outcome = first_question(engine, message)
    assert outcome.decision == "referral", outcome.replies[0].text
    assert outcome.served[0].startswith("fuori-ambito-")
    assert "**A chi rivolgerti**" in outcome.replies[0].text


def test_a_welfare_question_near_a_neighbouring_subject_stays_welfare(
    engine: DialogueEngine, desk_parts: DeskParts
) -> None:
    outcome = first_question(engine, "se converto il premio in welfare cambia il mio TFR?")
    assert outcome.decision in ("answer", "clarify")
    assert topic_of(desk_parts, outcome.served[0]) in (
        "tassazione-welfare",
        "premio-risultato-conversione",
    )


def test_the_employers_plan_next_to_a_public_bonus_stays_welfare(
    engine: DialogueEngine, desk_parts: DeskParts
) -> None:
    message = "prendo il bonus nido INPS: il resto della retta lo copre il welfare aziendale?"
    outcome = first_question(engine, message)
    assert outcome.decision == "answer"
    assert topic_of(desk_parts, outcome.served[0]) == "rimborso-asilo-nido"


@pytest.mark.parametrize(
    "message",
    [
        "buon natale a tutti!",
        "felice anno nuovo",
        "ma scusa, sei un bot o una persona vera che mi scrive?",
        "test",
    ],
)
def test_small_talk_gets_no_welfare_entry(engine: DialogueEngine, message: str) -> None:
    outcome = first_question(engine, message)
    assert outcome.served == (), outcome.replies[0].text
    assert len(outcome.replies[0].text) < 300


def test_a_need_put_as_a_question_gets_the_answer(
    engine: DialogueEngine, desk_parts: DeskParts
) -> None:
    # the classifier hears a need (report_need): still, a question answered by the base
    message = "vorrei lavorare da casa due giorni perché ho un bambino piccolo, posso chiederlo?"
    outcome = first_question(engine, message)
    assert outcome.decision == "answer", outcome.replies[0].text
    assert topic_of(desk_parts, outcome.served[0]) in (
        "smart-working-conciliazione",
        "congedo-parentale",
    )

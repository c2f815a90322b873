"""The conversation as a registry of flows: typed answers go to the step that asked, stale
buttons are refused, commands and global intents interrupt any flow and return to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from handlers import DialogueEngine, callbacks, texts
from handlers.flows import registry
from handlers.followup import WINDOW
from storage import Database, Interaction, User, add_company
from tests.conftest import DeskParts, make_engine
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

EMAIL = "sportello@example.org"
NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
ANSWER = "fino a quanto sono esenti i buoni pasto elettronici?"


@pytest.fixture
def desk(database: Database, desk_parts: DeskParts) -> DialogueEngine:
    """An engine whose desk has contacts, so a hand-off says how to reach a person."""
    return make_engine(database, desk_parts, desk_email=EMAIL)


def users(database: Database) -> list[User]:
    with database.session() as session:
        return list(session.query(User))


def feedback_given(database: Database) -> list[str]:
    with database.session() as session:
        return [i.feedback for i in session.query(Interaction) if i.feedback is not None]


# -- privacy: an erase needs a confirmation given in the current state -------------------


def test_typed_si_after_cancella_erases_and_is_not_feedback(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send(ANSWER)
    chat.send("/cancella")
    replies = chat.send("si")
    assert "ho cancellato i tuoi dati" in replies[0].text
    assert texts.FEEDBACK_THANKS not in chat.text()
    assert users(database) == []


def test_typed_si_cancella_confirms_instead_of_opening_the_privacy_menu(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send("/cancella")
    chat.send("sì, cancella")
    assert "ho cancellato i tuoi dati" in chat.text()
    assert "Come tratto i tuoi dati" not in chat.text()
    assert users(database) == []


def test_typed_no_keeps_the_data_and_a_later_si_is_not_feedback(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send(ANSWER)
    chat.send("/cancella")
    assert texts.ERASE_KEPT in chat.send("no, lascia stare")[0].text
    chat.send("si")
    assert texts.FEEDBACK_THANKS not in chat.text()
    assert feedback_given(database) == []
    assert users(database)


def test_before_consent_a_typed_no_to_the_erase_question_returns_to_onboarding(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat(desk)
    chat.send("/start")
    chat.send("/cancella")
    replies = chat.send("no")
    assert replies[0].text == texts.ERASE_KEPT
    assert "Per continuare mi serve ancora il tuo ok" in replies[-1].text
    chat.send("/cancella")
    chat.send("sì")
    assert users(database) == []


def test_old_erase_button_is_stale_once_the_question_was_answered(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    confirm = chat.send("/cancella")
    yes = next(b.data for row in confirm[0].buttons for b in row if b.label == texts.ERASE_YES)
    chat.press("No, lascia stare")
    assert chat.press_data(yes)[0].notice == texts.STALE_BUTTON
    assert users(database)


def test_something_else_during_the_erase_question_asks_it_again(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send("/cancella")
    assert "Non ho ancora cancellato niente" in chat.send("boh vediamo")[0].text
    replies = chat.send("voglio parlare con una persona vera")
    assert EMAIL in replies[0].text
    assert "Non ho ancora cancellato niente" in replies[-1].text  # back to the question
    chat.send("sì")
    assert users(database) == []


# -- a person, distress, in any state ---------------------------------------------------


@pytest.mark.parametrize(
    "wording",
    [
        "voglio parlare con una persona vera",
        "mettimi in contatto con l'ufficio welfare",
        "operatore",
        "basta, è la terza volta che scrivo e non capisci niente, voglio parlare con qualcuno!",
    ],
)
def test_a_person_on_request_in_any_wording(desk: DialogueEngine, wording: str) -> None:
    chat = Chat.onboarded(desk)
    chat.send(ANSWER)
    replies = chat.send(wording)
    assert EMAIL in replies[0].text


def test_a_person_request_during_onboarding_then_onboarding_goes_on(
    desk: DialogueEngine,
) -> None:
    chat = Chat(desk)
    chat.send("/start")
    chat.press("Sì, va bene")
    replies = chat.send("voglio parlare con una persona vera")
    assert EMAIL in replies[0].text
    assert replies[-1].text == texts.ASK_ROLE  # the role question again
    chat.send("sono un lavoratore")
    assert texts.ASK_COMPANY_CODE in chat.text()


def test_distress_gets_a_human_word_first_then_the_contacts(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    chat.send(ANSWER)
    replies = chat.send("sono stanco, non ce la faccio più tra il lavoro e mia madre malata")
    assert replies[0].text == texts.DISTRESS
    assert EMAIL in replies[1].text
    assert "Non ho trovato una risposta sicura" not in chat.text()


@pytest.mark.parametrize("insult", ["sei proprio inutile, stupido", "non capisci niente!"])
def test_anger_gets_an_apology_and_a_person(desk: DialogueEngine, insult: str) -> None:
    chat = Chat.onboarded(desk)
    replies = chat.send(insult)
    assert replies[0].text == texts.ANGER
    assert EMAIL in replies[1].text


def test_distress_before_consent_is_heard_and_nothing_is_kept(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat(desk)
    chat.send("/start")
    replies = chat.send("non ne posso più, sono disperata")
    assert replies[0].text == texts.DISTRESS
    assert "Per continuare mi serve ancora il tuo ok" in replies[-1].text
    assert [u.consent_at for u in users(database)] == [None]


# -- context: follow-ups, yes/no, two questions ------------------------------------------


@pytest.mark.parametrize(
    ("first", "follow_up", "entry"),
    [
        (
            "posso farmi rimborsare la retta del nido?",
            "e la mensa della scuola materna?",
            "istruzione-figli-scuola-universita-libri",
        ),
        (
            ANSWER,
            "e se lavoro in smart working me li devono dare lo stesso?",
            "buoni-pasto-smart-working-part-time",
        ),
        (
            "come funziona il premio di risultato?",
            "e se lavoro part time?",
            "premio-risultato-conversione-assenze-part-time-termine",
        ),
        (
            "posso farmi rimborsare la retta del nido?",
            "e il congedo parentale come funziona?",
            "congedo-parentale-mesi-indennita-80",
        ),
    ],
)
def test_a_follow_up_is_read_with_the_previous_question(
    desk: DialogueEngine, first: str, follow_up: str, entry: str
) -> None:
    chat = Chat.onboarded(desk)
    chat.send(first)
    outcome = chat.handle(chat._turn(text=follow_up))
    assert (outcome.decision, outcome.served) == ("answer", (entry,))


def test_a_follow_up_long_after_is_a_question_of_its_own(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    chat.send("posso farmi rimborsare la retta del nido?")
    chat.clock += WINDOW
    outcome = chat.handle(chat._turn(text="e per la materna?"))
    assert outcome.served != ("rimborso-asilo-nido-retta-documenti",)  # not read with the nido


def test_yes_no_follow_up_says_no_where_the_entry_settles_it(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    first = chat.send("quanto è la soglia dei fringe benefit quest'anno?")
    replies = chat.send("quindi con due figli arrivo a 4000?")
    assert replies[0].text.startswith("**No**") and "2.000 €" in replies[0].text
    assert replies[1].text == first[0].text  # then the entry itself
    assert chat.send("e quindi arrivo a 1500?")[0].text == first[0].text  # not settled: no line


def test_yes_line_only_where_the_entry_says_so(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    chat.send("dove posso spendere i buoni pasto?")
    assert chat.send("posso usarli anche al supermercato?")[0].text == texts.FOLLOW_UP_YES
    chat.send("dove posso spendere i buoni pasto?")
    replies = chat.send("posso usarli anche in farmacia?")
    assert not replies[0].text.startswith(("**Sì", "**No"))


def test_an_elliptical_follow_up_is_neither_a_yes_no_nor_a_privacy_request(
    desk: DialogueEngine,
) -> None:
    chat = Chat.onboarded(desk)
    chat.send("come funziona il congedo parentale?")
    assert not chat.send("e per i papà?")[0].text.startswith(("**Sì", "**No"))
    chat.send("posso farmi rimborsare gli abbonamenti ai mezzi pubblici?")
    outcome = chat.handle(chat._turn(text="anche per i miei figli?"))
    assert outcome.decision is not None  # searched as a question, not the privacy notice
    assert "Come tratto i tuoi dati" not in outcome.replies[0].text


def test_two_questions_in_one_message_get_two_answers(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    outcome = chat.handle(
        chat._turn(
            text="posso farmi rimborsare la retta del nido? e i buoni pasto elettronici "
            "fino a quanto sono esenti?"
        )
    )
    assert outcome.replies[0].text == texts.TWO_QUESTIONS
    assert outcome.served == (
        "rimborso-asilo-nido-retta-documenti",
        "buoni-pasto-limiti-2026",
    )


# -- commands ----------------------------------------------------------------------------


def test_aiuto_says_what_the_desk_does_and_lists_every_command(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    text = chat.send("/aiuto")[0].text
    assert "welfare aziendale" in text
    for name, _ in texts.COMMAND_DESCRIPTIONS:
        assert f"/{name}" in text


def test_menu_has_buttons_that_lead_to_their_flows(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    (menu,) = chat.send("/menu")
    labels = [b.label for row in menu.buttons for b in row]
    assert labels == [
        texts.MENU_ASK,
        texts.MENU_HUMAN,
        texts.MENU_NEEDS,
        texts.MENU_PRIVACY,
        texts.MENU_PROFILE,
        texts.MENU_LANGUAGE,
        texts.MENU_HELP,
    ]
    assert chat.press(texts.MENU_ASK)[0].text == texts.MENU_ASK_REPLY
    chat.send("/menu")
    assert EMAIL in chat.press(texts.MENU_HUMAN)[0].text
    chat.send("/menu")
    assert texts.INTERVIEW_NO_COMPANY in chat.press(texts.MENU_NEEDS)[0].text
    chat.send("/menu")
    assert "Come tratto i tuoi dati" in chat.press(texts.MENU_PRIVACY)[0].text
    chat.send("/menu")
    assert "Cambiamo il tuo profilo" in chat.press(texts.MENU_PROFILE)[0].text
    chat.send("/menu")
    asked = chat.press(texts.MENU_LANGUAGE)[0]
    assert asked.text.startswith(texts.LANGUAGE_ASK.split("{")[0])
    assert texts.LANGUAGE_NAMES["ro"] in [b.label for row in asked.buttons for b in row]
    chat.send("/menu")
    assert "/bisogni" in chat.press(texts.MENU_HELP)[0].text


def test_profilo_changes_role_and_company_and_erases_nothing(
    desk: DialogueEngine, database: Database
) -> None:
    with database.session() as session:
        add_company(session, code="COOP-ALFA", name="Cooperativa Alfa", now=NOW)
    chat = Chat.onboarded(desk)
    chat.send(ANSWER)
    chat.send("/profilo")
    assert "lavoratore o lavoratrice" in chat.text()
    chat.send("ufficio personale")  # typed, like the button
    chat.send("COOP-ALFA")
    assert "Cooperativa Alfa" in chat.text() and texts.PROFILE_DONE in chat.text()
    (user,) = users(database)
    assert user.role == "company" and user.consent_at is not None
    with database.session() as session:
        assert session.query(Interaction).count() > 1


def test_profilo_can_be_left_as_it_is_and_its_buttons_go_stale(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send("/profilo")
    role_buttons = chat.last
    chat.press("Lascia com'è")
    chat.send("no")
    assert texts.PROFILE_DONE in chat.text()
    chat.last = role_buttons
    assert chat.press("Azienda")[0].notice == texts.STALE_BUTTON
    assert [u.role for u in users(database)] == ["worker"]


def test_a_command_in_a_group_gets_a_private_link_and_nothing_is_stored(
    desk: DialogueEngine, database: Database
) -> None:
    chat = Chat(desk)
    group = {"chat_type": "group", "bot_username": "SportelloWelfareBot", "chat_id": -100}
    outcome = chat.handle(replace(chat._turn(command="aiuto"), **group))  # type: ignore[arg-type]
    assert "scrivimi in privato" in outcome.replies[0].text
    assert "https://t.me/SportelloWelfareBot?start=dal_gruppo" in outcome.replies[0].text
    ignored = chat.handle(replace(chat._turn(text="ciao a tutti"), **group))  # type: ignore[arg-type]
    assert ignored.ignored and ignored.replies == []
    assert users(database) == []


# -- the registry and its payloads -------------------------------------------------------


def test_interrupting_command_returns_to_the_onboarding_step(desk: DialogueEngine) -> None:
    chat = Chat(desk)
    chat.send("/start")
    chat.press("Sì, va bene")
    replies = chat.send("/aiuto")
    assert replies[-1].text == texts.ASK_ROLE
    chat.press("Lavoratore")
    assert texts.ASK_COMPANY_CODE in chat.text()


def test_old_onboarding_buttons_are_stale_after_onboarding(desk: DialogueEngine) -> None:
    chat = Chat.onboarded(desk)
    assert chat.press_data(callbacks.ROLE_COMPANY)[0].notice == texts.STALE_BUTTON
    assert chat.press_data("faq:clarifying:0:1")[0].notice == texts.STALE_BUTTON


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "fb:1:1",
        "faq:answered",
        "faq:answered:yes:x",
        "FAQ:answered:yes",
        "a:b:c:1:2",
        "faq:answered:" + "y" * 60,
    ],
)
def test_payloads_are_parsed_strictly(payload: str) -> None:
    assert callbacks.parse(payload) is None


def test_payloads_fit_telegram_and_refuse_what_parse_would_refuse() -> None:
    assert callbacks.parse(callbacks.make("faq", "clarifying", "none", 10**17)) is not None
    with pytest.raises(ValueError):
        callbacks.make("faq", "answered", "x" * 17)


def test_every_flow_has_its_diagram_beside_it() -> None:
    folder = Path(registry.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base", "registry"}
    assert modules == {p.stem for p in folder.glob("*.mmd")}
    assert len(registry.FLOWS) == len(modules)

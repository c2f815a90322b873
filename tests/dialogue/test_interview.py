"""The needs interview played through the real engine: buttons, typed answers, drafts, storage."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from collections.abc import Sequence

import pytest

from handlers import DialogueEngine, Reply, callbacks, texts
from handlers.i18n import Translations
from needs import aggregate_interviews
from sportello.terminal import run_chat
from storage import (
    Database,
    InterviewAnswers,
    InterviewResult,
    add_company,
    consented_interviews,
    find_company,
)
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration
NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
QUESTION = "fino a quanto sono esenti i buoni pasto elettronici?"
WISH = "vorrei segnalare che avrei bisogno di un asilo aziendale"


@pytest.fixture
def acme(database: Database) -> int:
    with database.session() as session:
        return add_company(session, code="ACME", name="Acme", now=NOW).id


def at_the_code_step(engine: DialogueEngine, user_id: int = 42, role: str = "Lavoratore") -> Chat:
    """A user who has agreed to the privacy notice and picked `role`: asked for a code next."""
    chat = Chat(engine, user_id=user_id)
    chat.send("/start")
    chat.press("Sì, va bene")
    chat.press(role)
    return chat


def worker(
    engine: DialogueEngine, user_id: int = 42, code: str | None = "ACME", role: str = "Lavoratore"
) -> Chat:
    chat = at_the_code_step(engine, user_id, role)
    if code is None:
        chat.press("Non ce l'ho")
    else:
        chat.send(code)
    return chat


def asked(engine: DialogueEngine, user_id: int = 42) -> Chat:
    """A worker of ACME who has just sent /bisogni: the consent question is on screen."""
    chat = worker(engine, user_id)
    chat.send("/bisogni")
    return chat


def begin(engine: DialogueEngine, user_id: int = 42) -> Chat:
    """A worker of ACME who has just agreed to the interview."""
    chat = asked(engine, user_id)
    chat.press("Sì, sono d'accordo")
    return chat


def complete(
    chat: Chat,
    *,
    kids: Sequence[str] | None = ("1", "0", "2", "0"),
    relatives: str = "No",
    mode: str = "Auto",
    band: str = "30-45",
    working_time: str = "Tempo pieno",
    wishes: str = "Smart working",
    areas: Sequence[str] = ("Nido", "Salute", "Casa"),
    first: Sequence[str] = ("Salute", "Nido"),
    comment: str | None = None,
) -> None:
    """Answer every question after the consent, up to the summary (not confirmed)."""
    if kids is None:
        chat.press("No")
    else:
        chat.press("Sì")
        for count in kids:
            chat.press(count)
    chat.press(relatives)
    chat.press(mode)
    chat.press(band)
    chat.press(working_time)
    chat.press(wishes)
    for area in areas:
        chat.press(area)
    chat.press("Fatto")
    for area in first:
        chat.press(area)
    if comment is None:
        chat.press("Salta")
    else:
        chat.send(comment)


def stored(database: Database) -> list[InterviewResult]:
    with database.session() as session:
        return list(session.query(InterviewResult))


def consented(database: Database, company_id: int) -> list[InterviewAnswers]:
    with database.session() as session:
        return consented_interviews(session, company_id=company_id)


def test_a_complete_interview_is_summarised_then_stored(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = asked(engine)
    assert texts.INTERVIEW_CONSENT in chat.text()
    chat.press("Sì, sono d'accordo")
    assert texts.INTERVIEW_KIDS in chat.text()
    complete(chat, comment="Un nido vicino al magazzino mi cambierebbe la vita")
    summary = chat.text()
    assert "Ecco le tue risposte" in summary
    assert "1 tra 0 e 2 anni; 2 tra 6 e 13 anni" in summary
    assert "auto, 30-45 minuti" in summary
    assert "1. Salute, 2. Nido e bambini piccoli, 3. Casa" in summary
    assert "«Un nido vicino al magazzino mi cambierebbe la vita»" in summary
    assert stored(database) == []  # nothing before the confirmation
    chat.press("Conferma")
    assert texts.INTERVIEW_SAVED in chat.text()
    (answers,) = consented(database, acme)
    assert (answers.children_0_2, answers.children_3_5, answers.children_6_13) == (1, 0, 2)
    assert answers.children_14_18 == 0 and answers.dependent_relatives is False
    assert (answers.commute_mode, answers.commute_band) == ("car", "30-45")
    assert answers.working_time == "full_time"
    assert (answers.wants_flexibility, answers.wants_smart_working) == (False, True)
    assert answers.need_areas == ("health", "childcare", "housing")
    assert stored(database)[0].comment == "Un nido vicino al magazzino mi cambierebbe la vita"


def test_typed_answers_count_like_the_buttons(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = asked(engine)
    chat.send("sì")
    chat.send("sì")  # children: yes
    for typed in ("due", "0", "nessuno", "3"):  # a word, a count, "nessuno", "3" = "3 o più"
        chat.send(typed)
    chat.send("no")
    chat.send("mezzi pubblici")  # the button's words
    chat.send("5")  # the fifth button, as the terminal numbers them: more than an hour
    chat.send("a turni")
    chat.send("tutti e due")
    chat.send("Formazione")
    chat.send("fatto")
    chat.send("Salta")
    chat.send("sì")  # the summary: confirmed
    (answers,) = consented(database, acme)
    assert (answers.children_0_2, answers.children_3_5) == (2, 0)
    assert (answers.children_6_13, answers.children_14_18) == (0, 3)
    assert (answers.commute_mode, answers.commute_band) == ("public_transport", "60+")
    assert (answers.working_time, answers.need_areas) == ("shifts", ("training",))
    assert answers.wants_flexibility and answers.wants_smart_working


def test_an_unclear_word_asks_again_and_a_question_pauses_until_bisogni(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = begin(engine)
    chat.press("No")  # no children
    chat.press("Sì")  # a relative to care for
    chat.send("boh")
    assert texts.INTERVIEW_UNCLEAR in chat.text() and texts.INTERVIEW_COMMUTE_MODE in chat.text()
    replies = chat.send(QUESTION)
    assert texts.INTERVIEW_PAUSED in replies[0].text
    assert "buoni pasto" in chat.text().lower() and "Fonte:" in chat.text()
    chat.send("/menu")  # the conversation goes on elsewhere; the answers wait
    chat.send("/bisogni")
    assert texts.INTERVIEW_RESUMED in chat.text()
    assert texts.INTERVIEW_COMMUTE_MODE in chat.text()
    chat.press("Bici")
    chat.press("Fino a 15")
    chat.press("Part-time")
    chat.press("Nessuno dei due")
    chat.press("Fatto")  # no area picked: nothing to rank
    chat.press("Salta")
    assert "Familiari da assistere: sì" in chat.text()
    chat.press("Conferma")
    (answers,) = consented(database, acme)
    assert answers.dependent_relatives and answers.commute_mode == "bike"
    assert answers.children_0_2 + answers.children_6_13 == 0 and answers.need_areas == ()


def test_the_button_of_the_question_left_for_a_question_still_answers_it(
    engine: DialogueEngine, acme: int
) -> None:
    chat = begin(engine)
    kids_question = chat.last
    chat.send(QUESTION)
    chat.last = kids_question
    chat.press("No")
    assert texts.INTERVIEW_RELATIVES in chat.text()


def test_any_section_can_be_changed_from_the_summary(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = begin(engine)
    complete(chat)
    chat.press("Tragitto")
    assert texts.INTERVIEW_COMMUTE_MODE in chat.text()
    assert any(b.label == "✓ 🚗 Auto" for row in chat.last[0].buttons for b in row)
    chat.press("Bici")
    chat.press("Fino a 15")
    assert "Ecco le tue risposte" in chat.text()  # back to the summary, work not asked again
    assert "bici, fino a 15 minuti" in chat.text()
    chat.press("Temi")
    chat.press("Casa")  # unpicked
    chat.press("Fatto")
    chat.press("Nido")
    chat.press("Commento")
    chat.send("Servirebbe anche una navetta")
    chat.press("Conferma")
    (answers,) = consented(database, acme)
    assert (answers.commute_mode, answers.commute_band) == ("bike", "0-15")
    assert answers.working_time == "full_time"  # untouched
    assert answers.need_areas == ("childcare", "health")
    assert stored(database)[0].comment == "Servirebbe anche una navetta"


def test_refusing_consent_stores_nothing(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = asked(engine)
    chat.press("No, preferisco")
    assert texts.INTERVIEW_DECLINED in chat.text()
    assert stored(database) == []
    chat.send("/bisogni")
    assert texts.INTERVIEW_CONSENT in chat.text()  # from the start, nothing was kept
    assert texts.INTERVIEW_RESUMED not in chat.text()


def test_running_it_again_starts_from_the_stored_answers_and_updates_them(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = begin(engine)
    complete(chat, comment="Più posti per le bici")
    chat.press("Conferma")
    first_id = stored(database)[0].id
    chat.send("/bisogni")
    assert texts.INTERVIEW_STORED in chat.text() and "auto, 30-45 minuti" in chat.text()
    assert texts.INTERVIEW_CONSENT not in chat.text()
    chat.press("Orario")
    chat.press("Part-time")
    chat.press("Orari più flessibili")
    chat.press("Commento")
    chat.press("Togli il commento")
    chat.press("Conferma")
    rows = stored(database)
    assert [row.id for row in rows] == [first_id]
    assert rows[0].comment is None
    assert (rows[0].working_time, rows[0].wants_flexibility) == ("part_time", True)
    assert rows[0].commute_mode == "car" and rows[0].children_6_13 == 2
    assert rows[0].updated_at > rows[0].created_at


def test_a_wish_is_recorded_through_the_interview_not_answered_with_an_entry(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = worker(engine)
    replies = chat.send(WISH)
    assert [r.text for r in replies] == [texts.INTERVIEW_OFFER]
    labels = [b.label for row in replies[0].buttons for b in row]
    assert texts.INTERVIEW_OFFER_YES in labels and texts.INTERVIEW_OFFER_NO in labels
    chat.press("Sì, facciamola")
    chat.press("Sì, sono d'accordo")
    complete(chat, kids=None, areas=(), first=())
    chat.press("Conferma")
    (answers,) = consented(database, acme)
    assert answers.need_areas == ("childcare",)  # the wish, picked already


def test_the_offer_keeps_the_information_a_tap_away(engine: DialogueEngine, acme: int) -> None:
    chat = worker(engine)
    chat.send("mi servirebbe aiuto per mia madre anziana")
    info = [b.label for row in chat.last[0].buttons for b in row if "Intanto" in b.label]
    assert info
    chat.press("Intanto")
    assert "Fonte:" in chat.text()
    chat.send(WISH)
    chat.press("No, grazie")
    assert texts.INTERVIEW_OFFER_DECLINED in chat.text()


def test_an_answer_on_a_need_offers_the_interview_with_one_button(
    engine: DialogueEngine, acme: int
) -> None:
    chat = worker(engine)
    answer = chat.send("posso farmi rimborsare la retta dell'asilo nido?")[-1]
    invites = [b for row in answer.buttons for b in row if b.label == texts.INTERVIEW_INVITE]
    assert len(invites) == 1
    chat.press(texts.INTERVIEW_INVITE)
    assert texts.INTERVIEW_CONSENT in chat.text()
    chat.press("Sì, sono d'accordo")
    complete(chat)
    chat.press("Conferma")
    again = chat.send("posso farmi rimborsare la retta dell'asilo nido?")[-1]
    assert texts.INTERVIEW_INVITE not in [b.label for row in again.buttons for b in row]


def test_without_a_company_code_the_worker_is_told_how_to_add_one(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = worker(engine, code=None)
    chat.send("/bisogni")
    assert texts.INTERVIEW_NO_COMPANY in chat.text()
    chat.press("Aggiungi il codice")
    assert "Cambiamo il tuo profilo" in chat.text()
    chat.press("Lascia com'è")
    chat.send("ACME")
    chat.send("/bisogni")
    assert texts.INTERVIEW_CONSENT in chat.text()
    answer = worker(engine, user_id=43, code=None).send(WISH)
    assert texts.INTERVIEW_OFFER in answer[0].text  # the wish is heard all the same
    assert stored(database) == []


def test_a_company_contact_is_pointed_to_the_report(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = worker(engine, role="Azienda")
    chat.send("/bisogni")
    assert texts.INTERVIEW_FOR_WORKERS in chat.text()
    assert "sportello report needs" in chat.text()
    assert texts.INTERVIEW_OFFER not in chat.send(WISH)[0].text
    assert stored(database) == []


def test_an_old_button_is_refused_once_the_interview_has_moved_on(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = asked(engine)
    refuse = callbacks.make("interview", "consent", "no")
    chat.press("Sì, sono d'accordo")
    chat.press("No")  # at the relatives' question now
    replies = chat.press_data(refuse)
    assert replies[0].text == texts.STALE_BUTTON
    chat.press_data(callbacks.make("interview", "kids", "yes"))  # the question before
    assert texts.STALE_BUTTON in chat.text()
    chat.send("/bisogni")
    assert texts.INTERVIEW_RELATIVES in chat.text()  # still there, nothing undone


def test_my_data_shows_the_answers_and_erasing_removes_them(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    chat = begin(engine)
    complete(chat, comment="Mi serve un parcheggio")
    chat.press("Conferma")
    chat.send("/bisogni")
    chat.press("Tragitto")  # a new draft, half-way
    (export,) = [r.document for r in chat.send("/miei_dati") if r.document is not None]
    data = json.loads(export.content)
    (interview,) = data["needs_interviews"]
    assert interview["company"] == "ACME" and interview["comment"] == "Mi serve un parcheggio"
    assert interview["need_areas"] == ["health", "childcare", "housing"]
    assert data["conversation"]["data"]["drafts"]["interview"]["at"] == "commute_mode"
    chat.send("/cancella")
    chat.press("Sì, cancella")
    assert stored(database) == []
    with database.session() as session:
        assert find_company(session, code="ACME") is not None  # the company stays


def test_the_company_code_step_takes_a_typed_button(engine: DialogueEngine, acme: int) -> None:
    for user_id, typed in ((50, "1"), (51, "non ho un codice"), (52, "Non ce l'ho")):
        replies = at_the_code_step(engine, user_id).send(typed)
        text = "\n".join(r.text for r in replies)
        assert texts.ONBOARDING_DONE in text, typed
        assert texts.PENDING_QUESTION not in text, typed


def test_the_needs_report_counts_interviews_and_hides_small_groups(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    k = 5
    for n in range(10):
        chat = begin(engine, user_id=100 + n)
        complete(
            chat,
            kids=("1", "0", "0", "0") if n < 5 else None,
            mode="Bici" if n == 0 else "Auto",
            band="45-60" if n < 5 else "30-45",
            areas=("Nido",) if n < 5 else ("Salute",),
            first=(),
        )
        chat.press("Conferma")
    refuser = asked(engine, user_id=200)
    refuser.press("No, preferisco")
    report = aggregate_interviews(consented(database, acme), k)
    assert report["respondents"] == 10
    indicators = report["indicators"]
    assert isinstance(indicators, dict)
    assert indicators["parents_0_2"] == {"count": 5, "share": 0.5}
    assert indicators["long_commute"] == {"count": 5, "share": 0.5}
    assert indicators["caregivers"] == {"count": 0, "share": 0.0}
    modes = report["commute_modes"]
    assert isinstance(modes, dict)
    assert modes["bike"] == {"suppressed": True}  # one person
    assert modes["car"] == {"suppressed": True}  # nine: the tenth would show through


def test_the_terminal_chat_numbers_the_counts_by_their_own_number(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    typed = [
        *("1", "1", "ACME", "/bisogni", "1"),  # onboarding with the code, then consent
        *("1", "2", "0", "3", "0", "2"),  # children: 2 aged 0-2, 3 or more aged 6-13; no relative
        *("1", "30", "1", "4"),  # car, 30-45 minutes, full time, neither wish
        *("1", "11", "1", "1"),  # Nido, Fatto, Salta, Conferma
    ]
    seconds = itertools.count()
    out = io.StringIO()
    run_chat(
        engine,
        stdin=io.StringIO("\n".join(typed) + "\n"),
        stdout=out,
        clock=lambda: NOW + dt.timedelta(seconds=next(seconds)),
    )
    assert "  [2] 2\n" in out.getvalue() and "  [3] 3 o più\n" in out.getvalue()
    assert texts.INTERVIEW_SAVED in out.getvalue()
    (answers,) = consented(database, acme)
    assert (answers.children_0_2, answers.children_6_13, answers.commute_band) == (2, 3, "30-45")
    assert (answers.need_areas, answers.wants_smart_working) == (("childcare",), False)


def test_interview_in_another_language(
    engine: DialogueEngine, database: Database, acme: int
) -> None:
    """Issue 17: a worker who writes Romanian goes through the whole interview in Romanian —
    questions, buttons, summary — answering with Romanian words as well as buttons."""
    ro = Translations.load().translator("ro")
    chat = Chat(engine, user_id=77)

    def say(text: str) -> list[Reply]:
        return chat.handle(chat._turn(text=text, language="ro")).replies

    chat.handle(chat._turn(command="start", language="ro"))
    say("da")
    say("sunt muncitoare")
    say("ACME")
    replies = chat.handle(chat._turn(command="bisogni", language="ro")).replies
    assert replies[-1].text == ro(texts.INTERVIEW_CONSENT)
    assert texts.INTERVIEW_CONSENT not in chat.text()
    assert say("da")[-1].text == ro(texts.INTERVIEW_KIDS)
    say("da")
    band = ro(texts.INTERVIEW_BANDS["children_0_2"])
    assert chat.text() == ro(texts.INTERVIEW_KIDS_BAND).format(band=band)
    assert ro(texts.INTERVIEW_MANY) in [b.label for row in chat.last[-1].buttons for b in row]
    say("unul")  # one, in words
    for count in ("0", "doi", "0"):
        say(count)
    assert chat.text() == ro(texts.INTERVIEW_RELATIVES)
    say("nu")
    assert chat.text() == ro(texts.INTERVIEW_COMMUTE_MODE)
    chat.press(ro(texts.INTERVIEW_COMMUTE_MODES["public_transport"]))
    say("30-45 de minute")  # the button's words
    chat.press(ro(texts.INTERVIEW_WORKING_TIMES["shifts"]))
    chat.press(ro(texts.INTERVIEW_WISH_CHOICES["flex"]))
    assert chat.text() == ro(texts.INTERVIEW_AREAS)
    chat.press(ro(texts.INTERVIEW_AREA_NAMES["childcare"]))
    chat.press(ro(texts.INTERVIEW_AREA_NAMES["mobility"]))
    picked = ", ".join(ro(texts.INTERVIEW_AREA_NAMES[a]) for a in ("childcare", "mobility"))
    assert ro(texts.INTERVIEW_AREAS_PICKED).format(areas=picked) in chat.text()
    chat.press(ro(texts.INTERVIEW_AREAS_DONE))
    assert chat.text() == ro(texts.INTERVIEW_RANK_FIRST)
    chat.press(ro(texts.INTERVIEW_AREA_NAMES["mobility"]))
    assert chat.text() == ro(texts.INTERVIEW_COMMENT)
    say("Un autobuz de la gară ar ajuta mult")
    summary = chat.text()
    assert summary.startswith(ro(texts.INTERVIEW_SUMMARY).split("\n")[0])
    assert "- Copii: 1 între 0 și 2 ani; 2 între 6 și 13 ani" in summary
    assert "- Drumul: cu transportul public, 30-45 de minute" in summary
    assert "1. Drumul casă-serviciu, 2. Creșă și copii mici" in summary
    labels = [b.label for row in chat.last[-1].buttons for b in row]
    assert ro(texts.INTERVIEW_CONFIRM) in labels and ro(texts.INTERVIEW_EDIT["areas"]) in labels
    for italian in ("Figli", "Tragitto", "Conferma", "Vanno bene"):
        assert italian not in summary + " ".join(labels)
    assert say("da")[-1].text == ro(texts.INTERVIEW_SAVED)
    (answers,) = consented(database, acme)
    assert (answers.children_0_2, answers.children_6_13) == (1, 2)
    assert (answers.commute_mode, answers.commute_band) == ("public_transport", "30-45")
    assert (answers.working_time, answers.need_areas) == ("shifts", ("mobility", "childcare"))
    assert answers.wants_flexibility and not answers.wants_smart_working
    assert stored(database)[0].language == "ro"

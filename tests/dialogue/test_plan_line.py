"""A worker of a company with a loaded plan gets one line about their own plan in answers."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers import DialogueEngine
from storage import Database, PlanTerms, add_company, set_company_plan
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration
NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
NURSERY = "posso farmi rimborsare la retta dell'asilo nido?"


def company_with_plan(database: Database, topics: tuple[str, ...]) -> None:
    with database.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW)
        plan = PlanTerms(
            topics=topics,
            platform_url="https://welfare.acme.example",
            credit_cents=60_000,
            credit_expires=dt.date(2027, 1, 31),
            contact="welfare@acme.example",
        )
        set_company_plan(session, company_id=acme.id, plan=plan, now=NOW)


def onboard_with_code(chat: Chat, role: str = "Lavoratore") -> None:
    chat.send("/start")
    chat.press("Sì, va bene")
    chat.press(role)
    chat.send("ACME")


def nursery_answer(
    engine: DialogueEngine, database: Database, topics: tuple[str, ...], language: str = ""
) -> str:
    """What a worker of Acme (with `topics` in its plan) is told about the nursery refund.

    With `language`, the worker first switches to that interface language.
    """
    company_with_plan(database, topics)
    chat = Chat(engine)
    onboard_with_code(chat)
    if language:
        chat.send("/lingua")
        chat.press(language)
    return chat.send(NURSERY)[-1].text


def test_a_measure_of_the_plan_gets_the_platform_and_credit(
    engine: DialogueEngine, database: Database
) -> None:
    answer = nursery_answer(engine, database, ("rimborso-asilo-nido",))
    assert (
        "Nel piano della tua azienda questa misura c'è: la trovi su"
        " https://welfare.acme.example; il tuo credito è di 600,00 € e scade il 31/01/2027."
    ) in answer
    # the plan line sits between the general answer and its sources
    assert answer.index("Nel piano della tua azienda") < answer.index("Fonte")


def test_a_measure_outside_the_plan_says_so_and_whom_to_ask(
    engine: DialogueEngine, database: Database
) -> None:
    answer = nursery_answer(engine, database, ("buoni-pasto",))
    assert (
        "Nel piano della tua azienda questa misura non è prevista: per chiedere informazioni"
        " scrivi a welfare@acme.example."
    ) in answer


def test_the_plan_line_is_in_the_users_language_with_the_same_figures(
    engine: DialogueEngine, database: Database
) -> None:
    answer = nursery_answer(engine, database, ("rimborso-asilo-nido",), language="Français")
    assert (
        "Le plan de ton entreprise prévoit cette mesure : tu la trouves sur"
        " https://welfare.acme.example; ton crédit est de 600,00 € et expire le 31/01/2027."
    ) in answer
    assert "Nel piano" not in answer


def test_no_plan_line_without_a_company_or_for_the_company_contact(
    engine: DialogueEngine, database: Database
) -> None:
    company_with_plan(database, ("rimborso-asilo-nido",))
    without = Chat(engine, user_id=7)
    without.onboard()
    assert "Nel piano della tua azienda" not in without.send(NURSERY)[-1].text
    contact = Chat(engine, user_id=8)
    onboard_with_code(contact, role="Azienda")
    assert "Nel piano della tua azienda" not in contact.send(NURSERY)[-1].text

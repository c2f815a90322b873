"""`evaluate_dialogue` counts what a reader got, message by message, through the real engine."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers import DialogueEngine, Outcome
from handlers.evaluation import evaluate_dialogue, judge
from knowledge.evaluation import LabelledQuery
from tests.conftest import DeskParts

pytestmark = pytest.mark.integration
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_each_verdict_is_counted(engine: DialogueEngine, desk_parts: DeskParts) -> None:
    cases = [
        LabelledQuery("rimborso-asilo-nido", "posso farmi rimborsare la retta del nido?", 2),
        # the right entry, judged against a wrong label: a wrong welfare answer
        LabelledQuery("buoni-pasto", "posso farmi rimborsare la retta del nido?", 3),
        LabelledQuery("documenti-rimborso", "rimborso", 4),
        LabelledQuery("-", "che tempo fa domani a Torino?", 5),
        # a welfare answer to a message that must not get one is wrong too
        LabelledQuery("-", "quanto valgono i buoni pasto elettronici esenti?", 6),
    ]
    topics = {e.id: e.topic for e in desk_parts[0].entries}
    report = evaluate_dialogue(engine, cases, topics, clock=lambda: NOW)
    assert (report.n, report.in_scope, report.out_of_scope) == (5, 3, 2)
    assert (report.answered_right, report.answered_wrong) == (1, 2)
    assert (report.clarified, report.declined) == (1, 1)
    assert report.wrong_answer_rate == pytest.approx(2 / 5)
    assert report.in_scope_answered_right_rate == pytest.approx(1 / 3)
    assert [(m.line, m.verdict) for m in report.misses] == [
        (3, "answered_wrong"),
        (4, "clarified"),
        (6, "answered_wrong"),
    ]
    assert report.misses[0].got == ("rimborso-asilo-nido",)


def test_company_users_get_company_answers(engine: DialogueEngine, desk_parts: DeskParts) -> None:
    cases = [LabelledQuery("attivazione-piano-azienda", "come attiviamo un piano welfare?", 2)]
    topics = {e.id: e.topic for e in desk_parts[0].entries}
    report = evaluate_dialogue(engine, cases, topics, role="company", clock=lambda: NOW)
    assert report.answered_right == 1


def test_a_worker_asking_for_the_company_gets_the_company_answer(
    engine: DialogueEngine, desk_parts: DeskParts
) -> None:
    """Onboarded as a worker, writing as the employer: the words decide, not the role."""
    question = "siamo una cooperativa sociale, quanto tempo serve per partire con un piano welfare?"
    cases = [LabelledQuery("attivazione-piano-azienda", question, 2)]
    topics = {e.id: e.topic for e in desk_parts[0].entries}
    report = evaluate_dialogue(engine, cases, topics, role="worker", clock=lambda: NOW)
    assert report.answered_right == 1


def test_the_privacy_notice_is_the_answer_to_a_privacy_question() -> None:
    """The notice is served by the privacy flow, not by an entry: it answers `privacy-dati`,
    is no welfare answer to a `-` message, and is the wrong reply to any other topic."""
    notice = Outcome(notice="privacy")
    assert judge("privacy-dati", notice, {}) == "answered_right"
    assert judge("-", notice, {}) == "declined"
    assert judge("buoni-pasto", notice, {}) == "answered_wrong"


def test_a_privacy_question_played_through_the_engine_counts_as_answered(
    engine: DialogueEngine, desk_parts: DeskParts
) -> None:
    cases = [LabelledQuery("privacy-dati", "voglio cancellare tutti i miei dati", 2)]
    topics = {e.id: e.topic for e in desk_parts[0].entries}
    report = evaluate_dialogue(engine, cases, topics, clock=lambda: NOW)
    assert (report.answered_right, report.declined) == (1, 0)

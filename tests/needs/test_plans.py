"""Company plan files and the line an answer adds about the worker's plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from needs import PlanFileError, plan_line, read_plan
from storage import PlanTerms
from tests.support import written

pytestmark = pytest.mark.unit
TOPICS = {"rimborso-asilo-nido", "buoni-pasto", "accesso-piano-welfare", "tassazione-welfare"}


def plan_file(tmp_path: Path, text: str) -> Path:
    return written(tmp_path / "piano.yml", text)


def test_a_complete_plan_is_read(tmp_path: Path) -> None:
    path = plan_file(
        tmp_path,
        "measures: [rimborso-asilo-nido, buoni-pasto, buoni-pasto]\n"
        "platform: https://welfare.example.it\ncredit: 450.5\ncredit_expires: 2027-01-31\n"
        "contact: Ufficio personale\n",
    )
    assert read_plan(path, TOPICS) == PlanTerms(
        topics=("rimborso-asilo-nido", "buoni-pasto"),
        platform_url="https://welfare.example.it",
        credit_cents=45_050,
        credit_expires=dt.date(2027, 1, 31),
        contact="Ufficio personale",
    )


def test_every_problem_of_a_plan_file_is_named(tmp_path: Path) -> None:
    path = plan_file(
        tmp_path,
        "measures: [nido-aziendale]\nplatform: welfare.example.it\ncredit: -3\n"
        "credit_expires: presto\nbudget: 10\n",
    )
    with pytest.raises(PlanFileError) as caught:
        read_plan(path, TOPICS)
    message = str(caught.value)
    for expected in (
        "unknown key 'budget'",
        "measures: 'nido-aziendale' is not a topic of topics.yml",
        "platform must be a web address starting with https://",
        "credit must be an amount in euro",
        "credit_expires must be a date",
    ):
        assert f"{path}: " in message and expected in message, expected


def test_a_plan_needs_measures(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="measures must be a non-empty list"):
        read_plan(plan_file(tmp_path, "platform: https://x.example\n"), TOPICS)


def test_plan_lines_by_topic() -> None:
    plan = PlanTerms(
        topics=("rimborso-asilo-nido",),
        platform_url="https://w.example",
        credit_cents=123_456,
        credit_expires=dt.date(2027, 1, 31),
        contact="hr@example.it",
    )
    assert plan_line(plan, "accesso-piano-welfare") == (
        "Nel piano della tua azienda: la trovi su https://w.example;"
        " il tuo credito è di 1.234,56 € e scade il 31/01/2027."
    )
    assert plan_line(plan, "buoni-pasto") == (
        "Nel piano della tua azienda questa misura non è prevista: per chiedere informazioni"
        " scrivi a hr@example.it."
    )
    assert plan_line(plan, "tassazione-welfare") is None  # not a measure: nothing to say
    bare = PlanTerms(topics=("rimborso-asilo-nido",))
    assert plan_line(bare, "rimborso-asilo-nido") == (
        "Nel piano della tua azienda questa misura c'è."
    )
    assert plan_line(bare, "accesso-piano-welfare") is None

"""Conversation state: saved per user, versioned, exactly as JSON reads it back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storage import Conversation, Database, FlowState, NotFoundError, load_flow, save_flow
from tests.storage.builders import NOW, add_user, race

ITALIAN = {
    "domanda": "Mia figlia ha 3 anni: l'asilo nido è rimborsabile? Sì/no — perché?",
    "figli": [{"nome": "Giulia", "età": 3}, {"nome": "Niccolò", "età": 7}],
    "importo_€": 1234.5,
    "ok": True,
    "nota": None,
    "emoji": "👶🏻",
}


def test_no_conversation_yet_is_an_empty_state(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-anna")
        assert load_flow(session, user_ref="ref-anna") == FlowState(None, None, {}, 0)
        assert load_flow(session, user_ref="ref-never-seen") == FlowState(None, None, {}, 0)


def test_every_save_bumps_the_version(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-anna")
    states = []
    for number, step in enumerate(["figli", "eta", "conferma"], start=1):
        with db.session() as session:
            states.append(
                save_flow(
                    session,
                    user_ref="ref-anna",
                    flow="needs",
                    step=step,
                    data={"answers": number},
                    now=NOW + timedelta(minutes=number),
                )
            )
    assert [s.version for s in states] == [1, 2, 3]
    assert states[-1] == FlowState("needs", "conferma", {"answers": 3}, 3)
    with db.session() as session:
        assert load_flow(session, user_ref="ref-anna") == states[-1]
        stored = session.scalars(select(Conversation)).one()
        assert stored.updated_at == NOW + timedelta(minutes=3)


def test_leaving_a_flow_is_a_save_too(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-anna")
        save_flow(session, user_ref="ref-anna", flow="needs", step="figli", data={"x": 1}, now=NOW)
        left = save_flow(session, user_ref="ref-anna", flow=None, step=None, data={}, now=NOW)
        assert left == FlowState(None, None, {}, 2)
        assert load_flow(session, user_ref="ref-anna") == left


def test_italian_text_survives_a_restart(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-anna")
        saved = save_flow(
            session, user_ref="ref-anna", flow="needs", step="figli", data=ITALIAN, now=NOW
        )
    assert saved.data == ITALIAN
    db.dispose()
    restarted = Database.from_url(db.engine.url.render_as_string(hide_password=False))
    try:
        with restarted.session() as session:
            assert load_flow(session, user_ref="ref-anna") == FlowState(
                "needs", "figli", ITALIAN, 1
            )
    finally:
        restarted.dispose()


def test_data_is_stored_as_json_reads_it_back_and_copied(db: Database) -> None:
    data: dict[str, Any] = {"scelte": ("a", "b"), "per_anno": {2026: "sì"}}
    with db.session() as session:
        add_user(session, "ref-anna")
        saved = save_flow(session, user_ref="ref-anna", flow="f", step="s", data=data, now=NOW)
        data["scelte"] = "changed afterwards"
        expected = {"scelte": ["a", "b"], "per_anno": {"2026": "sì"}}
        assert saved.data == expected
        loaded = load_flow(session, user_ref="ref-anna")
        assert loaded.data == expected
        loaded.data["scelte"].append("c")  # a caller mutating its copy changes nothing stored
        assert load_flow(session, user_ref="ref-anna").data == expected


@pytest.mark.parametrize(
    "data", [{"when": NOW}, {"ratio": float("nan")}, {"tags": {"a", "b"}}, ["not", "a", "dict"]]
)
def test_data_json_cannot_hold_is_refused(db: Database, data: Any) -> None:
    with db.session() as session:
        add_user(session, "ref-anna")
        save_flow(session, user_ref="ref-anna", flow="f", step="s", data={"ok": 1}, now=NOW)
        with pytest.raises(ValueError, match="flow data"):
            save_flow(session, user_ref="ref-anna", flow="f", step="t", data=data, now=NOW)
        assert load_flow(session, user_ref="ref-anna") == FlowState("f", "s", {"ok": 1}, 1)


def test_saving_for_an_unknown_user_is_refused(db: Database) -> None:
    with db.session() as session, pytest.raises(NotFoundError):
        save_flow(session, user_ref="ref-ghost", flow="f", step="s", data={}, now=NOW)


def test_concurrent_saves_get_distinct_versions(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-anna")
    workers = 6
    saved = race(
        db,
        workers,
        lambda session, number: save_flow(
            session, user_ref="ref-anna", flow="f", step=str(number), data={}, now=NOW
        ),
    )
    versions = [state.version for state in saved]
    assert sorted(versions) == list(range(1, workers + 1))
    with db.session() as session:
        assert load_flow(session, user_ref="ref-anna").version == workers

"""Export and erasure: everything about a person, then nothing that leads back to them."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import (
    Base,
    ChatLink,
    Database,
    Interaction,
    InteractionCount,
    User,
    add_company,
    chat_id_for,
    erase_unconsented_users,
    erase_user,
    export_user_data,
    find_company,
    find_user,
    find_user_ref_by_telegram_id,
    join_company,
    load_flow,
    save_flow,
    set_consent,
    set_feedback,
    set_role,
)
from tests.storage.builders import NOW, add_user, log_turn

ANNA_TEXT = "Mia figlia ha la febbre: posso usare i permessi per assisterla?"
BRUNO_TEXT = "Quanto vale il bonus per il mutuo della casa?"
FLOW_DATA = {"figli": [{"età": 3}], "nota": "è urgente, grazie"}
RETENTION = timedelta(days=30)


def populate(session: Session) -> dict[str, int]:
    """Anna (the data subject) and Bruno (someone else), with a little of everything."""
    add_company(session, code="ACME", name="Acme S.p.A.", now=NOW)
    for user_ref, telegram_user_id in [("ref-anna", 1001), ("ref-bruno", 1002)]:
        add_user(session, user_ref, telegram_user_id, chat_id=telegram_user_id + 5000)
        set_consent(session, user_ref=user_ref, version="privacy-2026-01", now=NOW)
        set_role(session, user_ref=user_ref, role="worker")
        join_company(session, user_ref=user_ref, code="ACME")
    save_flow(session, user_ref="ref-anna", flow="needs", step="figli", data=FLOW_DATA, now=NOW)
    answered = log_turn(session, "ref-anna", at=NOW)
    set_feedback(session, interaction_id=answered, user_ref="ref-anna", helpful=True)
    unanswered = log_turn(
        session,
        "ref-anna",
        at=NOW + timedelta(minutes=1),
        decision="fallback",
        intent=None,
        entry_ids=[],
        scores=[],
        question_text=ANNA_TEXT,
        retain_for=RETENTION,
    )
    bruno = log_turn(
        session, "ref-bruno", decision="fallback", question_text=BRUNO_TEXT, retain_for=RETENTION
    )
    return {"answered": answered, "unanswered": unanswered, "bruno": bruno}


def everything_stored(session: Session) -> str:
    """Every value of every row of every table, as one string to search in."""
    values: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            values.extend(repr(value) for value in row)
    return " ".join(values)


def test_export_holds_everything_about_the_user_and_nothing_else(db: Database) -> None:
    with db.session() as session:
        ids = populate(session)
    with db.session() as session:
        export = export_user_data(session, user_ref="ref-anna")
    text = json.dumps(export, ensure_ascii=False)  # JSON-serialisable as it is
    assert json.loads(text) == export
    assert export["user_ref"] == "ref-anna"
    assert export["profile"] == {
        "role": "worker",
        "language": "it",
        "chosen_language": None,
        "chat_language": None,
        "blocked": False,
        "created_at": "2026-03-02T09:30:00+00:00",
        "updated_at": export["profile"]["updated_at"],  # stamped by the role change
        "last_seen_on": "2026-03-02",
        "wrong_company_codes": 0,
        "company_codes_paused_until": None,
    }
    assert export["company"] == {"code": "ACME", "name": "Acme S.p.A."}
    assert export["consent"] == {
        "version": "privacy-2026-01",
        "given_at": "2026-03-02T09:30:00+00:00",
    }
    assert export["chat_link"] == {"telegram_user_id": 1001, "chat_id": 6001}
    assert export["conversation"] == {
        "flow": "needs",
        "step": "figli",
        "data": FLOW_DATA,
        "version": 1,
        "updated_at": "2026-03-02T09:30:00+00:00",
    }
    assert [turn["id"] for turn in export["interactions"]] == [ids["answered"], ids["unanswered"]]
    first, second = export["interactions"]
    assert first == {
        "id": ids["answered"],
        "at": "2026-03-02T09:30:00+00:00",
        "channel": "telegram",
        "kind": "question",
        "intent": "faq.buoni-pasto",
        "confidence": 0.9,
        "decision": "answer",
        "topic": None,
        "entry_ids": ["buoni-pasto-esenzione"],
        "scores": [0.91],
        "latency_ms": 120.0,
        "feedback": "helpful",
        "question_text": None,
        "retain_until": None,
    }
    assert (second["decision"], second["question_text"], second["retain_until"]) == (
        "fallback",
        ANNA_TEXT,
        "2026-04-01T09:31:00+00:00",
    )
    assert "ref-bruno" not in text and BRUNO_TEXT not in text and "1002" not in text


def test_export_of_someone_known_only_from_the_log(db: Database) -> None:
    with db.session() as session:
        log_turn(session, "ref-terminal")
        export = export_user_data(session, user_ref="ref-terminal")
        assert {key: export[key] for key in export if key != "interactions"} == {
            "user_ref": "ref-terminal",
            "profile": None,
            "company": None,
            "consent": None,
            "chat_link": None,
            "conversation": None,
            "needs_interviews": [],
            "tickets": [],
        }
        assert len(export["interactions"]) == 1
        assert export_user_data(session, user_ref="ref-nobody")["interactions"] == []


def test_erasure_leaves_daily_counts_but_no_link_no_text_and_no_row(db: Database) -> None:
    with db.session() as session:
        ids = populate(session)
    with db.session() as session:
        counts = erase_user(session, user_ref="ref-anna")
    assert counts == {
        "chat_links": 1,
        "conversations": 1,
        "interview_results": 0,
        "users": 1,
        "interactions": 2,
        "tickets": 0,
    }
    with db.session() as session:
        assert find_user(session, user_ref="ref-anna") is None
        assert find_user_ref_by_telegram_id(session, telegram_user_id=1001) is None
        assert chat_id_for(session, user_ref="ref-anna") is None
        assert load_flow(session, user_ref="ref-anna").version == 0
        # her turns are counted per day, with nothing that could order them again ...
        assert session.get(Interaction, ids["unanswered"]) is None
        assert session.get(Interaction, ids["answered"]) is None
        counts = Counter(
            {
                (c.day, c.kind, c.intent, c.decision, c.topic): c.count
                for c in session.scalars(select(InteractionCount))
            }
        )
        assert counts == Counter(
            {
                (NOW.date(), "question", "faq.buoni-pasto", "answer", None): 1,
                (NOW.date(), "question", None, "fallback", None): 1,
            }
        )
        # ... and nothing anywhere leads back to Anna or repeats what she wrote
        stored = everything_stored(session)
        for trace in ("ref-anna", "1001", "6001", ANNA_TEXT, "urgente"):
            assert trace not in stored
        # Bruno and the company are untouched
        assert chat_id_for(session, user_ref="ref-bruno") == 6002
        bruno = session.get(Interaction, ids["bruno"])
        assert bruno is not None and bruno.question_text == BRUNO_TEXT
        assert find_company(session, code="ACME") is not None
        export = export_user_data(session, user_ref="ref-anna")
        assert export["profile"] is None and export["interactions"] == []


def test_erasing_twice_or_an_unknown_user_changes_nothing(db: Database) -> None:
    with db.session() as session:
        populate(session)
        erase_user(session, user_ref="ref-anna")
    with db.session() as session:
        zero = {
            "chat_links": 0,
            "conversations": 0,
            "interview_results": 0,
            "users": 0,
            "interactions": 0,
            "tickets": 0,
        }
        assert erase_user(session, user_ref="ref-anna") == zero
        assert erase_user(session, user_ref="ref-nobody") == zero


def test_a_returning_user_starts_from_scratch(db: Database) -> None:
    with db.session() as session:
        populate(session)
        erase_user(session, user_ref="ref-anna")
    later = NOW + timedelta(days=2)
    with db.session() as session:
        user = add_user(session, "ref-anna", 1001, language=None, now=later, chat_id=6001)
        assert (user.role, user.company_id, user.consent_at, user.created_at) == (
            None,
            None,
            None,
            later,
        )
        assert export_user_data(session, user_ref="ref-anna")["interactions"] == []


@pytest.mark.unit
def test_erasure_reports_every_table_that_can_hold_the_user_ref() -> None:
    """A new table with a user_ref column must be handled by erase_user (and this test)."""
    holders = {table.name for table in Base.metadata.sorted_tables if "user_ref" in table.columns}
    assert holders == {
        "users",
        "chat_links",
        "conversations",
        "interactions",
        "interview_results",
        "tickets",
    }


def test_stale_conversations_without_consent_are_erased(db: Database) -> None:
    with db.session() as session:
        add_user(session, "ref-silent", telegram_user_id=11, now=NOW)
        add_user(session, "ref-recent", telegram_user_id=12, now=NOW + timedelta(days=6))
        add_user(session, "ref-agreed", telegram_user_id=13, now=NOW)
        set_consent(session, user_ref="ref-agreed", version="v1", now=NOW)
    with db.session() as session:
        erased = erase_unconsented_users(session, created_before=NOW + timedelta(days=1))
    assert erased == 1
    with db.session() as session:
        left = set(session.scalars(select(User.user_ref)))
        links = set(session.scalars(select(ChatLink.user_ref)))
    assert left == links == {"ref-recent", "ref-agreed"}

"""Tickets on both backends: opening once, routing, taking, moving, mapping, rating."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from escalation import (
    NotAManager,
    Opened,
    TransitionError,
    active_ticket,
    add_manager,
    add_manager_message,
    add_worker_message,
    close,
    events_of,
    open_or_append,
    rate,
    reassign,
    record_delivery,
    resolve,
    set_available,
    take,
    ticket_in_thread,
)
from storage import Database, Manager, Ticket, add_company, ensure_user

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _setup(session: Session, *, company: bool = True) -> int | None:
    for ref in ("ref-a", "ref-b"):
        ensure_user(
            session, user_ref=ref, telegram_user_id=None, chat_id=None, language="it", now=NOW
        )
    if not company:
        return None
    return add_company(session, code="ACME", name="Acme", now=NOW).id


def _open(session: Session, key: str, user_ref: str = "ref-a", **extra: Any) -> Opened:
    values = {
        "key": key,
        "user_ref": user_ref,
        "company_id": None,
        "topic": "buoni-pasto",
        "summary": "Chiede una persona",
        "transcript": None,
        "note": None,
        "priority": "normal",
        "now": NOW,
        **extra,
    }
    return open_or_append(session, **values)


def test_the_same_request_opens_one_ticket_and_a_new_one_adds_to_it(db: Database) -> None:
    with db.session() as session:
        _setup(session, company=False)
        first = _open(session, "req-1")
        again = _open(session, "req-1")
        more = _open(session, "req-2", note="Ho anche un'altra domanda", priority="high")
        other = _open(session, "req-3", user_ref="ref-b")
        assert first.created and not again.created and not more.created and other.created
        assert again.ticket.id == first.ticket.id == more.ticket.id != other.ticket.id
        assert more.appended is not None and more.appended.text == "Ho anche un'altra domanda"
        assert first.ticket.priority == "high"
        assert session.query(Ticket).count() == 2
        assert [e.to_status for e in events_of(session, ticket_id=first.ticket.id)] == ["open"]


def test_company_managers_first_round_robin_then_the_network(db: Database) -> None:
    with db.session() as session:
        acme = _setup(session)
        net = add_manager(session, telegram_user_id=1, name="Rete", company_code=None, now=NOW)
        anna = add_manager(session, telegram_user_id=2, name="Anna", company_code="acme", now=NOW)
        bruno = add_manager(session, telegram_user_id=3, name="Bruno", company_code="ACME", now=NOW)
        routed = []
        for n in range(3):
            ticket = _open(session, f"k{n}", user_ref=f"ref-{n}", company_id=acme).ticket
            routed.append(ticket.routed_to_id)
        assert routed == [anna.id, bruno.id, anna.id]
        set_available(session, telegram_user_id=2, available=False)
        set_available(session, telegram_user_id=3, available=False)
        ticket = _open(session, "k9", user_ref="ref-9", company_id=acme).ticket
        assert ticket.routed_to_id == net.id
        assert _open(session, "k10", user_ref="ref-10").ticket.routed_to_id == net.id
        with pytest.raises(ValueError, match="already a manager"):
            add_manager(session, telegram_user_id=2, name="Anna", company_code=None, now=NOW)
        with pytest.raises(ValueError, match="no company"):
            add_manager(session, telegram_user_id=7, name="X", company_code="NOPE", now=NOW)


def test_statuses_move_as_the_table_says_and_are_recorded(db: Database) -> None:
    with db.session() as session:
        _setup(session, company=False)
        anna = add_manager(session, telegram_user_id=2, name="Anna", company_code=None, now=NOW)
        bruno = add_manager(session, telegram_user_id=3, name="Bruno", company_code=None, now=NOW)
        ticket = _open(session, "req").ticket
        assert take(session, ticket=ticket, manager=anna, now=NOW)
        assert not take(session, ticket=ticket, manager=bruno, now=NOW)
        assert ticket.assignee_id == anna.id
        add_manager_message(
            session, ticket=ticket, manager=anna, text="Ciao", telegram_message_id=9, now=NOW
        )
        assert ticket.status == "waiting" and ticket.first_response_at == NOW
        add_worker_message(session, ticket=ticket, text="Grazie", now=NOW)
        assert ticket.status == "assigned"
        assert reassign(session, ticket=ticket, manager=anna, now=NOW) == bruno
        assert ticket.assignee_id == bruno.id
        resolve(session, ticket=ticket, manager=bruno, now=NOW)
        close(session, ticket=ticket, manager=bruno, now=NOW)
        with pytest.raises(TransitionError):
            resolve(session, ticket=ticket, manager=bruno, now=NOW)
        assert active_ticket(session, user_ref="ref-a") is None
        events = [(e.from_status, e.to_status) for e in events_of(session, ticket_id=ticket.id)]
        assert events == [
            (None, "open"),
            ("open", "assigned"),
            ("assigned", "waiting"),
            ("waiting", "assigned"),
            ("assigned", "assigned"),
            ("assigned", "resolved"),
            ("resolved", "closed"),
        ]


def test_another_companys_manager_cannot_act(db: Database) -> None:
    with db.session() as session:
        acme = _setup(session)
        add_company(session, code="BETA", name="Beta", now=NOW)
        beta = add_manager(session, telegram_user_id=4, name="Bea", company_code="BETA", now=NOW)
        ticket = _open(session, "req", company_id=acme).ticket
        with pytest.raises(NotAManager):
            take(session, ticket=ticket, manager=beta, now=NOW)
        assert ticket.status == "open"


def test_replies_and_topics_lead_back_to_their_ticket(db: Database) -> None:
    with db.session() as session:
        _setup(session, company=False)
        ticket = _open(session, "req").ticket
        worker = add_worker_message(session, ticket=ticket, text="ancora io", now=NOW)
        record_delivery(
            session, ticket_id=ticket.id, message_id=None, telegram_message_id=70, card=True
        )
        record_delivery(
            session, ticket_id=ticket.id, message_id=worker.id, telegram_message_id=71, card=False
        )
        assert ticket_in_thread(session, thread_id=None, reply_to=70) == ticket
        assert ticket_in_thread(session, thread_id=None, reply_to=71) == ticket
        assert ticket_in_thread(session, thread_id=None, reply_to=72) is None
        ticket.thread_id = 500
        assert ticket_in_thread(session, thread_id=500, reply_to=None) == ticket


def test_a_closed_ticket_is_rated_once_by_its_worker(db: Database) -> None:
    with db.session() as session:
        _setup(session, company=False)
        ticket = _open(session, "req").ticket
        assert rate(session, ticket_id=ticket.id, user_ref="ref-a", rating=5, now=NOW) is None
        close(session, ticket=ticket, manager=None, now=NOW)
        assert rate(session, ticket_id=ticket.id, user_ref="ref-b", rating=5, now=NOW) is None
        assert rate(session, ticket_id=ticket.id, user_ref="ref-a", rating=4, now=NOW) == ticket
        assert rate(session, ticket_id=ticket.id, user_ref="ref-a", rating=1, now=NOW) is None
        assert ticket.rating == 4


@pytest.mark.integration
def test_two_managers_taking_at_once_on_postgresql_one_wins(postgres_database: Database) -> None:
    from tests.storage.conftest import empty_tables

    db = postgres_database
    empty_tables(db)
    with db.session() as session:
        _setup(session, company=False)
        for telegram_id, name in ((2, "Anna"), (3, "Bruno")):
            add_manager(
                session, telegram_user_id=telegram_id, name=name, company_code=None, now=NOW
            )
        ticket_id = _open(session, "req").ticket.id
    for round_ in range(5):
        with db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            ticket.status, ticket.assignee_id = "open", None
        barrier = threading.Barrier(2)
        results: dict[int, bool] = {}

        def attempt(
            telegram_id: int,
            barrier: threading.Barrier = barrier,
            results: dict[int, bool] = results,
        ) -> None:
            with db.session() as session:
                manager = session.scalars(
                    select(Manager).where(Manager.telegram_user_id == telegram_id)
                ).one()
                ticket = session.get(Ticket, ticket_id)
                assert ticket is not None
                barrier.wait()
                results[telegram_id] = take(session, ticket=ticket, manager=manager, now=NOW)

        threads = [threading.Thread(target=attempt, args=(t,)) for t in (2, 3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results.values()) == [False, True], round_
        with db.session() as session:
            taken = [
                e
                for e in session.query(Ticket).filter(Ticket.id == ticket_id).all()
                if e.status == "assigned"
            ]
            assert len(taken) == 1

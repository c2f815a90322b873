"""The worker's side of a ticket through the real engine, and the managers' chat turns."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from escalation import EscalationSettings, add_manager, events_of
from escalation.statuses import LABELS as STATUS_LABELS
from handlers import Turn, texts
from handlers.engine import DialogueEngine as Engine
from handlers.i18n import Translations
from storage import Database, OutboxMessage, Ticket, TicketMessage, add_company
from tests.conftest import DeskParts, make_engine
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

GROUP = -100777
MANAGER = 900
STRANGER = 901


@pytest.fixture
def desk(database: Database, desk_parts: DeskParts) -> Engine:
    with database.session() as session:
        add_company(session, code="ACME", name="Acme spa", now=Chat.start_clock())
        add_manager(
            session,
            telegram_user_id=MANAGER,
            name="Anna Rossi",
            company_code=None,
            now=Chat.start_clock(),
        )
    return make_engine(database, desk_parts, escalation=EscalationSettings(managers_chat_id=GROUP))


class TelegramChat(Chat):
    """A worker on Telegram: the desk can write to them later (a manager's answer)."""

    def _turn(self, **fields: object) -> Turn:
        return replace(super()._turn(**fields), channel="telegram")


def tickets(database: Database) -> list[Ticket]:
    with database.session() as session:
        return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def group_turn(chat: Chat, user_id: int, **fields: object) -> Turn:
    chat.clock += dt.timedelta(seconds=5)
    base = Turn(
        channel="telegram", user_id=user_id, chat_id=GROUP, at=chat.clock, chat_type="group"
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_asking_for_a_person_opens_one_ticket_with_consent_to_share(
    desk: Engine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send("i buoni pasto elettronici sono esenti?")
    chat.send("vorrei parlare con una persona")
    assert "welfare manager" in chat.text()
    chat.press("Sì, passamela")
    assert "ultime domande" in chat.text()
    chat.press("Sì, mostrale")
    assert "Salta" in chat.last[0].buttons[0][0].label
    replies = chat.send("Ho un dubbio sul mio caso")
    assert "n. 1" in replies[0].text and "8 ore lavorative" in replies[0].text
    (ticket,) = tickets(database)
    assert ticket.status == "open" and ticket.priority == "normal"
    assert ticket.note == "Ho un dubbio sul mio caso"
    assert ticket.transcript is not None and "risposta data" in ticket.transcript
    assert ticket.topic is not None
    # the same request again, in any words: no second ticket, the worker is told
    chat.send("/operatore")
    assert "già aperta" in chat.text()
    # while it is open, the worker's messages go to the ticket (said once, at opening)
    assert chat.send("Aggiungo che ho due figli") == []
    assert len(tickets(database)) == 1
    with database.session() as session:
        relayed = [m.text for m in session.scalars(select(TicketMessage))]
        card = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == GROUP)).all()
    assert "Aggiungo che ho due figli" in relayed
    assert len(card) == 2  # the card and the relayed message, both for the managers' chat
    chat.send("/richieste")
    assert "n. 1" in chat.text() and "aperta" in chat.text()


def test_declining_or_not_sharing_keeps_the_conversation_private(
    desk: Engine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send("/operatore")
    chat.press("No, grazie")
    assert tickets(database) == []
    chat.send("i buoni pasto elettronici sono esenti?")
    chat.send("/operatore")
    chat.press("Sì, passamela")
    chat.press("No, preferisco")
    chat.press("Salta")
    (ticket,) = tickets(database)
    assert ticket.transcript is None and ticket.note is None


def test_distress_gets_a_human_word_first_and_priority(desk: Engine, database: Database) -> None:
    chat = Chat.onboarded(desk)
    replies = chat.send("non ce la faccio più, sono esausta")
    assert "Mi dispiace davvero" in replies[0].text
    chat.press("Sì, passamela")
    chat.press("Salta")
    (ticket,) = tickets(database)
    assert ticket.priority == "high"


def test_a_double_tap_opens_one_ticket(desk: Engine, database: Database) -> None:
    chat = Chat.onboarded(desk)
    chat.send("/operatore")
    chat.press("Sì, passamela")
    skip = chat.last[0].buttons[0][0].data
    chat.press_data(skip)
    second = chat.press_data(skip)
    assert "non è più attivo" in second[0].text
    assert len(tickets(database)) == 1


def test_before_consent_the_contacts_are_given(desk: Engine, database: Database) -> None:
    chat = Chat(desk)
    chat.send("/operatore")
    assert "consenso" in chat.text()
    assert tickets(database) == []


def test_managers_chat_buttons_commands_and_answers(desk: Engine, database: Database) -> None:
    chat = TelegramChat.onboarded(desk)
    chat.send("/operatore")
    chat.press("Sì, passamela")
    chat.press("Salta")
    (ticket,) = tickets(database)
    take = f"ticket:card:take:{ticket.id}"
    refused = desk.handle(group_turn(chat, STRANGER, button=take), 9001)
    assert refused.replies[0].notice is not None and "registrati" in refused.replies[0].notice
    assert desk.handle(group_turn(chat, STRANGER, text="ciao a tutti"), 9002).ignored
    taken = desk.handle(group_turn(chat, MANAGER, button=take), 9003)
    assert "Anna ha preso in carico" in str(taken.replies[0].notice)
    again = desk.handle(group_turn(chat, MANAGER, button=take), 9004)
    assert "già di Anna" in str(again.replies[0].notice)
    with database.session() as session:
        session.get(Ticket, ticket.id).thread_id = 77  # type: ignore[union-attr]
    answer = desk.handle(group_turn(chat, MANAGER, text="Ciao, ti aiuto io", thread_id=77), 9005)
    assert answer.replies == []
    closing = desk.handle(group_turn(chat, MANAGER, command="chiudi", thread_id=77), 9006)
    assert "ha chiuso la richiesta" in closing.replies[0].text
    assert closing.outbox[0].message.thread_id == 77  # the notice stays in the topic
    late = desk.handle(group_turn(chat, MANAGER, text="dimenticavo", thread_id=77), 9007)
    assert "è chiusa" in late.replies[0].text
    with database.session() as session:
        statuses = [(e.from_status, e.to_status) for e in events_of(session, ticket_id=ticket.id)]
    assert statuses == [
        (None, "open"),
        ("open", "assigned"),
        ("assigned", "waiting"),
        ("waiting", "closed"),
    ]
    # the rating, pressed by the worker (their chat got the buttons through the outbox)
    chat.press_data(f"handoff:rate:4:{ticket.id}")
    assert "commento" in chat.text()
    chat.send("Gentilissima")
    assert chat.press_data(f"handoff:rate:1:{ticket.id}")[0].notice is not None
    (rated,) = tickets(database)
    assert (rated.rating, rated.rating_comment) == (4, "Gentilissima")


def test_erasure_closes_and_anonymises_and_tells_the_thread(
    desk: Engine, database: Database
) -> None:
    chat = Chat.onboarded(desk)
    chat.send("/operatore")
    chat.press("Sì, passamela")
    chat.send("Mi serve aiuto per il nido")
    chat.send("/cancella")
    chat.press("Sì")
    (ticket,) = tickets(database)
    assert ticket.user_ref is None and ticket.note is None and ticket.status == "closed"
    with database.session() as session:
        assert all(m.text is None for m in session.scalars(select(TicketMessage)))
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == GROUP))
        assert any("cancellato i suoi dati" in str(n.payload) for n in notices)
    with database.session() as session:
        session.get(Ticket, ticket.id).thread_id = 88  # type: ignore[union-attr]
    reply = desk.handle(group_turn(chat, MANAGER, text="ci sei?", thread_id=88), 9100)
    assert "è chiusa" in reply.replies[0].text  # the anonymous ticket still answers
    shown = desk.handle(group_turn(chat, MANAGER, command="risolto", thread_id=88), 9101)
    assert "non si può fare" in shown.replies[0].text


def test_housekeeping_reminds_then_escalates_to_the_network(
    desk: Engine, database: Database
) -> None:
    """A ticket opened Friday 4 December 2026 at 17:00 in Rome: 8 working hours end on
    Monday at 16:00 (Rome); the reminder comes at 6 hours, Monday at 14:00."""
    with database.session() as session:
        add_manager(
            session,
            telegram_user_id=902,
            name="Bruno Bianchi",
            company_code="ACME",
            now=Chat.start_clock(),
        )
    chat = Chat.onboarded(desk)
    chat.send("/start ACME")  # joins the company: its manager Bruno gets the ticket
    chat.clock = dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)
    chat.send("/operatore")
    chat.press("Sì, passamela")
    chat.press("Salta")
    (ticket,) = tickets(database)
    assert ticket.company_id is not None and ticket.routed_to_id is not None
    assert desk.housekeeping(dt.datetime(2026, 12, 7, 12, 59, tzinfo=dt.UTC))["reminded"] == 0
    monday_two = dt.datetime(2026, 12, 7, 13, 1, tzinfo=dt.UTC)
    assert desk.housekeeping(monday_two)["reminded"] == 1
    assert desk.housekeeping(monday_two)["reminded"] == 0  # once
    assert desk.housekeeping(dt.datetime(2026, 12, 7, 14, 59, tzinfo=dt.UTC))["escalated"] == 0
    assert desk.housekeeping(dt.datetime(2026, 12, 7, 15, 1, tzinfo=dt.UTC))["escalated"] == 1
    with database.session() as session:
        notices = [
            str(row.payload)
            for row in session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == GROUP))
        ]
        escalated = session.get(Ticket, ticket.id)
        assert escalated is not None and escalated.escalated_at is not None
    assert any("Bruno, la richiesta n. 1 aspetta ancora" in n for n in notices)
    assert any("la passo a Anna" in n for n in notices)


def test_a_ticket_speaks_the_workers_language_and_the_managers_italian(
    desk: Engine, database: Database
) -> None:
    """The worker writes Arabic: the hand-off, the ticket's number and what a manager's
    action sends them are in Arabic; the card and the thread stay Italian for the staff."""
    ar = Translations.load().translator("ar")
    chat = TelegramChat.onboarded(desk)
    asked = chat.send("أريد التحدث مع شخص")
    assert asked[-1].text == ar(texts.TICKET_CONFIRM)
    chat.press(ar(texts.TICKET_CONFIRM_YES))
    assert chat.text() == ar(texts.TICKET_NOTE)
    assert chat.last[0].buttons[0][0].label == ar(texts.TICKET_NOTE_SKIP)
    opened = chat.press(ar(texts.TICKET_NOTE_SKIP))[0].text
    (ticket,) = tickets(database)
    assert opened == ar(texts.TICKET_OPENED).format(number=ticket.id, hours="8")
    chat.send("/richieste")
    status = ar(STATUS_LABELS["open"])
    assert chat.text() == "\n".join(
        (
            ar(texts.TICKET_LIST_HEAD),
            ar(texts.TICKET_LIST_LINE).format(
                number=ticket.id, topic=ar(texts.TICKET_TOPIC_NONE), status=status
            ),
        )
    )
    take = f"ticket:card:take:{ticket.id}"
    taken = desk.handle(group_turn(chat, MANAGER, button=take), 9101)
    assert "Anna ha preso in carico" in str(taken.replies[0].notice)  # the staff: Italian
    with database.session() as session:
        session.get(Ticket, ticket.id).thread_id = 78  # type: ignore[union-attr]
    desk.handle(group_turn(chat, MANAGER, text="Ciao, ti aiuto io", thread_id=78), 9102)
    with database.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        to_worker = [str((r.payload or {})["text"]) for r in rows if r.chat_id == chat.user_id]
        to_group = [str((r.payload or {})["text"]) for r in rows if r.chat_id == GROUP]
    assert ar(texts.TICKET_TAKEN_WORKER).format(name="Anna", number=ticket.id) in to_worker
    signed = ar(texts.TICKET_FROM_MANAGER).format(
        name="Anna", number=ticket.id, text="Ciao, ti aiuto io"
    )
    assert signed in to_worker
    assert to_group[0].startswith(f"🆕 **Richiesta n. {ticket.id}**")  # the card: Italian

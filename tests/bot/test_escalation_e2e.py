"""Tickets end to end: the real PTB Application over real HTTP against the stand-in, with a
forum supergroup (a topic per ticket) and a plain one (replies to the card)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot import DeskBot
from escalation import EscalationSettings, add_manager
from handlers import DialogueEngine, DialogueSettings, Pseudonymizer, TurnDispatcher
from storage import Database, Ticket
from tests.bot.test_telegram_e2e import button_data, messages_to, onboard, telegram_settings
from tests.botapi_standin import BotApiStandIn, Call, callback_update, message_update
from tests.conftest import KEY, DeskParts

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

WORKER = 4242
GROUP = -1009001
CHAT = {"id": GROUP, "type": "supergroup", "title": "Welfare manager"}
MANAGER = 900
STRANGER = 901


def escalation_engine(database: Database, desk_parts: DeskParts) -> DialogueEngine:
    retriever, classifier = desk_parts
    with database.session() as session:
        import datetime as dt

        add_manager(
            session,
            telegram_user_id=MANAGER,
            name="Anna Rossi",
            company_code=None,
            now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
        )
    return DialogueEngine(
        database=database,
        retriever=retriever,
        intents=classifier,
        pseudonymizer=Pseudonymizer(KEY),
        settings=DialogueSettings(),
        escalation=EscalationSettings(managers_chat_id=GROUP),
    )


async def started(
    standin: BotApiStandIn, engine: DialogueEngine, database: Database
) -> Application:  # type: ignore[type-arg]
    desk = DeskBot(
        TurnDispatcher(engine),
        telegram_settings(standin),
        outbox=database,
        escalation=EscalationSettings(managers_chat_id=GROUP),
    )
    app = desk.build()
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    return app


async def stopped(app: Application) -> None:  # type: ignore[type-arg]
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    await app.shutdown()


@pytest.fixture(params=["forum", "plain"])
async def desk_app(
    request: pytest.FixtureRequest,
    standin: BotApiStandIn,
    database: Database,
    desk_parts: DeskParts,
) -> AsyncIterator[str]:
    standin.add_group(GROUP, forum=request.param == "forum")
    app = await started(standin, escalation_engine(database, desk_parts), database)
    yield str(request.param)
    await stopped(app)


async def wait_text(
    standin: BotApiStandIn, chat_id: int, needle: str, timeout: float = 20.0
) -> Call:
    def found(calls: list[Call]) -> bool:
        return any(needle in str(c.params.get("text")) for c in messages_to(calls, chat_id))

    await standin.wait_for(found, timeout)
    return next(c for c in messages_to(standin.calls, chat_id) if needle in str(c.params["text"]))


def toast(standin: BotApiStandIn, needle: str) -> Callable[[list[Call]], bool]:
    return lambda calls: any(
        c.method == "answerCallbackQuery" and needle in str(c.params.get("text")) for c in calls
    )


def in_ticket(forum: bool, card: Call, thread: int | None) -> dict[str, Any]:
    """Where a manager writes to stay in the ticket: its topic, or a reply to its card."""
    if forum:
        return {"chat": CHAT, "message_thread_id": thread, "is_topic_message": True}
    reply = {"message_id": card.result["message_id"], "date": 0, "chat": CHAT, "text": "…"}
    return {"chat": CHAT, "reply_to_message": reply}


async def test_a_request_goes_to_the_managers_and_the_answers_come_back(
    standin: BotApiStandIn, desk_app: str, database: Database
) -> None:
    forum = desk_app == "forum"
    count = await onboard(standin, WORKER)
    standin.queue_update(message_update(WORKER, "i buoni pasto elettronici sono esenti?"))
    await standin.wait_for(lambda calls: len(messages_to(calls, WORKER)) > count)
    standin.queue_update(message_update(WORKER, "/operatore"))
    confirm = await wait_text(standin, WORKER, "Vuoi che lo faccia")
    standin.queue_update(callback_update(WORKER, button_data(confirm, "Sì, passamela")))
    share = await wait_text(standin, WORKER, "ultime domande")
    standin.queue_update(callback_update(WORKER, button_data(share, "Sì, mostrale")))
    await wait_text(standin, WORKER, "Salta")
    standin.queue_update(message_update(WORKER, "Ho un dubbio sul mio caso"))
    await wait_text(standin, WORKER, "n. 1")

    card = await wait_text(standin, GROUP, "Richiesta n. 1")
    assert "Ho un dubbio sul mio caso" in card.params["text"]
    assert "risposta data" in card.params["text"]  # the shared conversation
    thread = card.params.get("message_thread_id")
    if forum:
        (topic,) = [c for c in standin.calls if c.method == "createForumTopic"]
        assert topic.params["name"].startswith("n. 1 · ")
        assert thread == topic.result["message_thread_id"]
    else:
        assert thread is None and not any(c.method == "createForumTopic" for c in standin.calls)
    take = button_data(card, "Prendi")

    # someone in the group who is not a manager: refused briefly, their chatter ignored
    standin.queue_update(callback_update(STRANGER, take, chat=CHAT, thread_id=thread))
    await standin.wait_for(toast(standin, "registrati"))
    standin.queue_update(
        message_update(STRANGER, "chi se ne occupa?", **in_ticket(forum, card, thread))
    )

    standin.queue_update(callback_update(MANAGER, take, chat=CHAT, thread_id=thread))
    await wait_text(standin, WORKER, "Anna, welfare manager, ha preso in carico")
    await standin.wait_for(toast(standin, "Anna ha preso in carico"))
    notice = await wait_text(standin, GROUP, "Anna ha preso in carico")
    assert notice.params.get("message_thread_id") == thread

    standin.queue_update(
        message_update(
            MANAGER, "Ciao, ti aiuto io: manda il cedolino", **in_ticket(forum, card, thread)
        )
    )
    answer = await wait_text(standin, WORKER, "manda il cedolino")
    assert "<b>Anna</b>" in answer.params["text"]

    standin.queue_update(message_update(WORKER, "Grazie, lo mando domani"))
    relayed = await wait_text(standin, GROUP, "lo mando domani")
    if forum:
        assert relayed.params["message_thread_id"] == thread
    else:
        reply = relayed.params["reply_parameters"]
        reply = json.loads(reply) if isinstance(reply, str) else reply
        assert reply["message_id"] == card.result["message_id"]

    # a reply to the relayed message also belongs to the ticket (plain groups)
    where = in_ticket(forum, relayed, thread)
    standin.queue_update(message_update(MANAGER, "/chiudi", **where))
    closing = await wait_text(standin, WORKER, "è chiusa")
    standin.queue_update(callback_update(WORKER, button_data(closing, "5")))
    await wait_text(standin, WORKER, "commento")
    standin.queue_update(message_update(MANAGER, "dimenticavo una cosa", **where))
    await wait_text(standin, GROUP, "il messaggio non è arrivato")

    await asyncio.sleep(0.3)
    assert not any("chi se ne occupa" in str(c.params.get("text")) for c in standin.calls)
    worker_texts = [str(c.params["text"]) for c in messages_to(standin.calls, WORKER)]
    assert sum("manda il cedolino" in t for t in worker_texts) == 1
    assert not any("dimenticavo" in t for t in worker_texts)
    with database.session() as session:
        (ticket,) = session.scalars(select(Ticket)).all()
        assert (ticket.status, ticket.rating) == ("closed", 5)
        assert ticket.first_response_at is not None


async def test_the_same_update_twice_and_two_taps_open_one_ticket(
    standin: BotApiStandIn, desk_app: str, database: Database
) -> None:
    await onboard(standin, WORKER)
    standin.queue_update(message_update(WORKER, "/operatore"))
    confirm = await wait_text(standin, WORKER, "Vuoi che lo faccia")
    standin.queue_update(callback_update(WORKER, button_data(confirm, "Sì, passamela")))
    note = await wait_text(standin, WORKER, "Salta")
    skip = callback_update(WORKER, button_data(note, "Salta"))
    first = standin.queue_update(skip)
    standin.queue_update({**skip, "update_id": first["update_id"]})  # redelivered
    standin.queue_update(callback_update(WORKER, button_data(note, "Salta")))  # a second tap
    await wait_text(standin, GROUP, "Richiesta n. 1")
    await asyncio.sleep(1.0)
    with database.session() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1
    assert (
        len(
            [
                c
                for c in messages_to(standin.calls, GROUP)
                if "Richiesta n." in str(c.params["text"])
            ]
        )
        == 1
    )


async def test_a_502_window_while_relaying_delivers_every_message_once(
    standin: BotApiStandIn, desk_app: str, database: Database
) -> None:
    forum = desk_app == "forum"
    await onboard(standin, WORKER)
    standin.queue_update(message_update(WORKER, "/operatore"))
    confirm = await wait_text(standin, WORKER, "Vuoi che lo faccia")
    standin.queue_update(callback_update(WORKER, button_data(confirm, "Sì, passamela")))
    note = await wait_text(standin, WORKER, "Salta")
    standin.queue_update(callback_update(WORKER, button_data(note, "Salta")))
    card = await wait_text(standin, GROUP, "Richiesta n. 1")
    thread = card.params.get("message_thread_id")
    standin.fail_for(1.5, status=502)
    for n in range(3):
        standin.queue_update(
            message_update(MANAGER, f"risposta {n}", **in_ticket(forum, card, thread))
        )
        standin.queue_update(message_update(WORKER, f"domanda {n}"))
    for n in range(3):
        await wait_text(standin, WORKER, f"risposta {n}", timeout=30)
        await wait_text(standin, GROUP, f"domanda {n}", timeout=30)
    await asyncio.sleep(0.5)
    assert standin.faults > 0
    worker = [str(c.params["text"]) for c in standin.messages_for(WORKER)]
    group = [str(c.params["text"]) for c in standin.messages_for(GROUP)]
    for n in range(3):
        assert sum(f"risposta {n}" in t for t in worker) == 1
        assert sum(f"domanda {n}" in t for t in group) == 1


async def test_a_managers_chat_the_bot_is_not_in_stops_the_start(
    standin: BotApiStandIn, database: Database, desk_parts: DeskParts
) -> None:
    from bot import BotConfigurationError

    engine = escalation_engine(database, desk_parts)
    desk = DeskBot(
        TurnDispatcher(engine),
        telegram_settings(standin),
        outbox=database,
        escalation=EscalationSettings(managers_chat_id=GROUP),
    )
    app = desk.build()
    await app.initialize()
    try:
        assert app.post_init is not None
        with pytest.raises(BotConfigurationError, match="not in the managers' chat"):
            await app.post_init(app)
    finally:
        await app.shutdown()

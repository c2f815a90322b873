"""Tickets in the managers' chat, on the Telegram side: the start-up check and where each
ticket's messages go.

At start the bot asks Telegram about the managers' chat (`getChat`, `getChatMember` for
itself): a chat the bot is not in, or was removed from, stops the start with a message that
names the setting, instead of failing on every card later. The same answer says whether the
chat is a forum.

When the outbox sends a message that carries a `TicketPlace`, `TicketThreads` puts it where
the ticket lives: in a forum, the ticket's topic (created with the card, named with the
ticket's number and topic, and remembered on the ticket); otherwise as a reply to the card.
Once Telegram accepted it, the message's id is recorded, so a manager's reply to it finds
the ticket.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden

from bot.settings import BotConfigurationError
from escalation import record_delivery, set_thread
from storage import Database, Ticket, TicketPlace

logger = logging.getLogger(__name__)

SETTING = "escalation.managers_chat_id (SPORTELLO__ESCALATION__MANAGERS_CHAT_ID)"


async def check_managers_chat(bot: Bot, chat_id: int) -> bool:
    """Whether the managers' chat is a forum; BotConfigurationError if the bot is not in it."""
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot.id)
    except (BadRequest, Forbidden) as exc:
        raise BotConfigurationError(
            f"the bot is not in the managers' chat {chat_id} ({exc.message}): add the bot to"
            f" the managers' supergroup, or fix {SETTING}"
        ) from None
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        raise BotConfigurationError(
            f"the bot was removed from the managers' chat {chat_id}: add it again, or fix {SETTING}"
        )
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        raise BotConfigurationError(
            f"the managers' chat {chat_id} is a {chat.type}, not a group: fix {SETTING}"
        )
    return bool(chat.is_forum)


@dataclass
class TicketThreads:
    """Places tickets' messages; keeps each ticket's topic and card in memory once known.

    This process is the only writer of a ticket's topic and card ids, so what it learnt stays
    true: only a ticket it has not seen since it started costs a read. A topic is created at
    most once per ticket and process (a send that fails after the topic was created retries
    into the same topic) and written with the card's id in one transaction once the card is
    out; a process killed in between creates another topic for the card's retry.
    """

    bot: Bot
    database: Database
    chat_id: int
    forum: bool
    _known: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)

    async def where(self, chat_id: int, place: TicketPlace | None) -> dict[str, Any]:
        """The send_message arguments that put a ticket's message in its place."""
        if place is None or chat_id != self.chat_id:
            return {}
        known = self._known.get(place.ticket)
        if (
            known is None
            or (self.forum and known[0] is None)
            or (not self.forum and known[1] is None)
        ):
            known = await asyncio.to_thread(self._place_of, place.ticket)
            self._known[place.ticket] = known
        thread_id, card_id = known
        if self.forum:
            if thread_id is None and place.topic:
                topic = await self.bot.create_forum_topic(self.chat_id, place.topic)
                thread_id = topic.message_thread_id
                self._known[place.ticket] = (thread_id, card_id)
            return {} if thread_id is None else {"message_thread_id": thread_id}
        if card_id is not None and not place.card:
            return {"reply_parameters": ReplyParameters(card_id, allow_sending_without_reply=True)}
        return {}

    async def sent(self, chat_id: int, place: TicketPlace | None, message_id: int) -> None:
        if place is None or chat_id != self.chat_id:
            return
        thread_id, card_id = self._known.get(place.ticket, (None, None))
        if place.card and card_id is None:
            self._known[place.ticket] = (thread_id, message_id)
        try:
            await asyncio.to_thread(self._record, place, message_id, thread_id)
        except Exception:  # the message is out: a lost mapping must not send it again
            logger.exception("could not record where ticket %s's message landed", place.ticket)

    def _place_of(self, ticket_id: int) -> tuple[int | None, int | None]:
        with self.database.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return None, None
            return ticket.thread_id, ticket.card_message_id

    def _record(self, place: TicketPlace, message_id: int, thread_id: int | None) -> None:
        with self.database.session() as session:
            if thread_id is not None and place.card:
                set_thread(session, ticket_id=place.ticket, thread_id=thread_id)
            record_delivery(
                session,
                ticket_id=place.ticket,
                message_id=place.message,
                telegram_message_id=message_id,
                card=place.card,
            )

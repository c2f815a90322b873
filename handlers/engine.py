"""The dialogue engine: one `Turn` in, an `Outcome` out, all side effects in one transaction.

Routing order: duplicate updates are dropped; commands and global intents (a person, distress,
privacy) may interrupt any flow, which resumes afterwards; buttons go to the flow and step named
in their payload, which checks them against the current state; typed text that names a button of
the question asked ("1", "non ce l'ho": handlers/choices.py) is that press, other typed text goes
first to the step that asked. Flows and commands are listed in handlers/flows/registry.py: a new
flow adds no branch here. The state is read from and written to the database on every turn, so a
restart — or another worker process — carries on any conversation where it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence

from sqlalchemy.orm import Session

from escalation import EscalationSettings
from handlers import callbacks, managers, texts
from handlers.choices import typed_choice
from handlers.context import DRAFTS, Context
from handlers.faq import Analysis, Answerer, IntentParser
from handlers.flows import handoff, menu, onboarding, privacy, registry
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.housekeeping import enforce_retention, erased_anything
from handlers.i18n import Translations
from handlers.outbox import queue_replies, with_queued
from handlers.pseudonym import Pseudonymizer
from handlers.settings import DialogueSettings, RetentionSettings
from handlers.turns import Incoming, Outcome, Reply, Turn
from knowledge import Retriever
from nlu.language import DEFAULT_LANGUAGE, normalise_hint
from storage import (
    Database,
    NotFoundError,
    TurnState,
    ensure_user,
    find_user,
    load_turn_state,
    mark_update_processed,
    save_flow,
    set_blocked,
    set_chat_language,
    take_queued,
)

logger = logging.getLogger(__name__)

URGENT = frozenset({"talk_to_human", "distress", "privacy_request"})
"""Intents heard in any state: they interrupt the active flow, which resumes afterwards."""
RESUME = "resume"
"""Key, in an interrupting flow's data, of the place to return to when it finishes."""
GROUP_START = "dal_gruppo"
"""The /start parameter of the link sent into groups (not a company code: those have no _)."""
SURE_LANGUAGE = 0.6
"""Detection confidence from which a message sets the conversation's language: a word that
several languages share ("ok", "no") leaves it as it was."""
SWITCH_LANGUAGE = 0.8
"""Confidence needed to move a conversation to another language than the one the desk writes
in (also before any detection: the client's, else Italian): a short reply that looks like
another language ("non ce l'ho" reads French at 0.76) must not turn the desk's replies over."""


class DialogueEngine:
    def __init__(
        self,
        *,
        database: Database,
        retriever: Retriever,
        intents: IntentParser,
        pseudonymizer: Pseudonymizer,
        settings: DialogueSettings,
        retention: RetentionSettings | None = None,
        translations: Translations | None = None,
        escalation: EscalationSettings | None = None,
    ) -> None:
        """`escalation`: the managers' chat and SLA; None (or no chat id) hands people the
        desk's contacts instead of opening tickets."""
        self._db = database
        self._translations = translations or Translations.load()
        self._escalation = escalation
        self._retention_rules = retention or RetentionSettings()
        self._topics = {entry.id: entry.topic for entry in retriever.entries}
        self._erased = False
        self._pseudonymizer = pseudonymizer
        self._settings = settings
        self._answerer = Answerer(retriever, intents, settings)
        self._desk = Desk(settings, self._answerer, escalation)
        self._retention = dt.timedelta(days=settings.retention_days)

    def handle(self, turn: Turn, update_id: int | None = None) -> Outcome:
        """Handle one turn; `update_id` (Telegram's) makes a redelivered update a no-op."""
        result = self.handle_many([Incoming(turn, update_id)])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def handle_many(self, batch: Sequence[Incoming]) -> list[Outcome | Exception]:
        """Handle turns that arrived together, in order; one result per turn.

        A busy desk pays per batch, not per message, for the two dear parts of a turn: the
        encoder runs once over every new text, and the turns share one transaction (one
        commit). Turns of the same user are applied in order, each seeing the one before.
        If the shared transaction fails, nothing of it is kept and each turn is handled again
        in a transaction of its own, so one bad turn costs only itself: its result is the
        exception, the others' results are their outcomes.
        """
        started = time.perf_counter()
        analyses = self._analyse(batch)
        try:
            with self._db.session() as session:
                results: list[Outcome | Exception] = [
                    self._handle_in(session, incoming, analysis, started)
                    for incoming, analysis in zip(batch, analyses, strict=True)
                ]
        except Exception as exc:
            if len(batch) == 1:
                logger.exception("turn failed")
                return [exc]
            logger.warning("a batch of %d turns failed: handling them one by one", len(batch))
            results = []
            for incoming, analysis in zip(batch, analyses, strict=True):
                try:
                    with self._db.session() as session:
                        results.append(self._handle_in(session, incoming, analysis, started))
                except Exception as single:
                    logger.exception("turn failed")
                    results.append(single)
        self._after_erasure()
        return results

    def _after_erasure(self) -> None:
        """Once an erasure is committed, its traces leave the database's files too."""
        if self._erased:
            self._erased = False
            self._db.checkpoint()

    def _analyse(self, batch: Sequence[Incoming]) -> list[Analysis | None]:
        """Encoder and intent for the plain-text turns, in one encoder call."""
        texts = [_plain_text(incoming.turn) for incoming in batch]
        wanted = [text for text in texts if text]
        hints = [
            incoming.turn.language for incoming, text in zip(batch, texts, strict=True) if text
        ]
        analysed = iter(self._answerer.analyse_many(wanted, hints) if wanted else [])
        return [next(analysed) if text else None for text in texts]

    def _handle_in(
        self, session: Session, incoming: Incoming, analysis: Analysis | None, started: float
    ) -> Outcome:
        turn = incoming.turn
        session.expire_all()  # an earlier turn of the batch may have changed rows it loaded
        take_queued(session)  # rows of an earlier turn of the batch are in its outcome
        update_key = self._update_key(incoming)
        if update_key is not None and not mark_update_processed(
            session, key=update_key, now=turn.at
        ):
            logger.info("update %s already handled: ignored", incoming.update_id)
            return Outcome(ignored=True)
        if turn.chat_type != "private":
            return self._in_group(session, turn, update_key)
        user_ref = self._pseudonymizer.user_ref(turn.channel, turn.user_id)
        on_telegram = turn.channel == "telegram"
        telegram_user_id = turn.user_id if on_telegram else None
        chat_id = turn.chat_id if on_telegram else None
        user = load_turn_state(session, user_ref=user_ref)
        if user is None or not user.is_current(
            telegram_user_id=telegram_user_id, chat_id=chat_id, language=turn.language, now=turn.at
        ):
            ensure_user(
                session,
                user_ref=user_ref,
                telegram_user_id=telegram_user_id,
                chat_id=chat_id,
                language=turn.language,
                now=turn.at,
            )
            user = load_turn_state(session, user_ref=user_ref)
            if user is None:  # erased by another process between the two statements
                raise NotFoundError("the user was erased while the turn was handled")
        state = user.flow
        detected = self._detected_language(session, user_ref, user, turn, analysis)
        ctx = Context.start(
            session=session,
            turn=turn,
            user_ref=user_ref,
            state=state,
            consented=user.consent_at is not None
            and user.consent_version == self._settings.consent_version,
            role=user.role,
            retention=self._retention,
            started=started,
            topics=self._topics,
            rules=self._retention_rules,
            detected_language=detected,
            chosen_language=normalise_hint(user.chosen_language),
            translations=self._translations,
            company_id=user.company_id,
        )
        self._dispatch(ctx, analysis)
        if ctx.erased:
            self._erased = True
            ctx.consented = False  # the log row of this turn must not point at anyone
        elif (ctx.flow, ctx.step, ctx.data) != (state.flow, state.step, state.data):
            save_flow(
                session,
                user_ref=user_ref,
                flow=ctx.flow,
                step=ctx.step,
                data=ctx.data,
                now=ctx.now,
            )
        # Before consent (and on the turn that erases) nothing goes into the log.
        interaction_id = ctx.log_now() if ctx.consented else None
        outbox = queue_replies(
            session,
            turn=turn,
            replies=ctx.replies,
            interaction_id=interaction_id,
            update_key=update_key,
        )
        outbox = with_queued(session, turn, outbox)
        logger.info(
            "turn handled: kind=%s intent=%s decision=%s",
            ctx.record.kind,
            ctx.record.intent,
            ctx.record.decision,
        )
        return Outcome(
            replies=ctx.replies,
            interaction_id=interaction_id,
            outbox=outbox,
            decision=ctx.record.decision,
            served=ctx.served,
            notice=ctx.notice,
        )

    @staticmethod
    def _detected_language(
        session: Session, user_ref: str, user: TurnState, turn: Turn, analysis: Analysis | None
    ) -> str:
        """The conversation's language: this message's when detection is sure of it (surer
        still to leave the language the conversation is in), else the language of the latest
        message it was sure of, else the client's, else Italian.

        The language the conversation is in is the one the desk has been writing in: before
        any sure detection, that is the client's language or Italian — the notice and the
        first questions were in it, and a worker who types a button's words back ("non ce
        l'ho", which reads French) is answering in it. A sure detection is remembered, so a
        button pressed or a command sent next is answered in the same language.
        """
        current = normalise_hint(user.chat_language)
        writing = current or normalise_hint(turn.language) or DEFAULT_LANGUAGE
        if analysis is not None:
            code, confidence = analysis.language.code, analysis.language.confidence
            needed = SURE_LANGUAGE if code == writing else SWITCH_LANGUAGE
            if confidence >= needed:
                if code != user.chat_language:
                    set_chat_language(session, user_ref=user_ref, language=code)
                return code
        return writing

    def _update_key(self, incoming: Incoming) -> str | None:
        """The dedupe key of a delivery: the update id and a digest of what it carries.

        Telegram starts its update ids again from a random number after a week without
        updates, so the id alone could match an update handled earlier; the chat and the
        message (or callback query) cannot. The digest keeps Telegram ids out of the table.
        """
        if incoming.update_id is None:
            return None
        what = f"{incoming.turn.chat_id}:{incoming.delivery or ''}"
        return f"{incoming.update_id}:{self._pseudonymizer.digest(what)}"

    def warm_up(self) -> None:
        """Answer a readiness check: run the models once and reach the database.

        The channel calls it before taking updates, so the first person after a start does
        not wait for lazy loading (encoder graph, intent features, the first connection).
        """
        self._answerer.analyse_many(["ciao, come funziona lo sportello?"])
        with self._db.session() as session:
            load_turn_state(session, user_ref="0" * 32)

    def set_blocked(self, channel: str, user_id: int, blocked: bool) -> None:
        """Remember that a user blocked (or unblocked) the bot, so nothing is sent to them."""
        user_ref = self._pseudonymizer.user_ref(channel, user_id)
        with self._db.session() as session:
            if find_user(session, user_ref=user_ref) is not None:
                set_blocked(session, user_ref=user_ref, blocked=blocked)

    def housekeeping(self, now: dt.datetime) -> dict[str, int]:
        """Enforce retention (handlers/housekeeping.py), then clear the erased from the files."""
        with self._db.session() as session:
            done = enforce_retention(session, now=now, retention=self._retention_rules)
        if self._escalation is not None and self._escalation.enabled:
            with self._db.session() as session:
                done.update(managers.check_targets(session, self._escalation, now))
        if erased_anything(done):
            self._db.checkpoint()
        logger.info("housekeeping: %s", done)
        return done

    # -- routing ---------------------------------------------------------------------------

    def _in_group(self, session: Session, turn: Turn, update_key: str | None) -> Outcome:
        """A group chat: the managers' chat goes to handlers/managers.py; elsewhere a command
        gets "write to me privately", anything else is ignored.

        Nothing about the person is stored: they have not consented to anything. The reply
        goes through the outbox like any other, keyed by the update (there is no log row).
        """
        escalation = self._escalation
        if escalation is not None and turn.chat_id == escalation.managers_chat_id:
            replies = managers.handle(session, turn, escalation, update_key, self._translations)
            outbox = queue_replies(
                session, turn=turn, replies=replies, interaction_id=None, update_key=update_key
            )
            outbox = with_queued(session, turn, outbox)
            return Outcome(replies=replies, outbox=outbox, ignored=not replies and not outbox)
        if turn.command is None:
            return Outcome(ignored=True)
        tr = self._translations.translator(normalise_hint(turn.language) or DEFAULT_LANGUAGE)
        if turn.bot_username:
            link = f"https://t.me/{turn.bot_username}?start={GROUP_START}"
            replies = [Reply(tr(texts.GROUP_PRIVATE_LINK).format(link=link))]
        else:
            replies = [Reply(tr(texts.GROUP_PRIVATE))]
        outbox = queue_replies(
            session, turn=turn, replies=replies, interaction_id=None, update_key=update_key
        )
        return Outcome(replies=replies, outbox=outbox)

    def _dispatch(self, ctx: Context, analysis: Analysis | None) -> None:
        """Commands and global intents may interrupt any flow; the active flow gets the rest."""
        turn = ctx.turn
        if turn.command is not None:
            ctx.record.kind = "command"
            self._on_command(ctx, turn.command, turn.args)
        elif turn.button is not None:
            ctx.record.kind = "button"
            self._on_button(ctx, turn.button)
        elif turn.attachment is not None:
            ctx.say(Reply(ctx.tr(texts.UNSUPPORTED_ATTACHMENT)))
        elif not (turn.text or "").strip():
            ctx.say(Reply(ctx.tr(texts.EMPTY_MESSAGE)))
        else:
            self._on_text(ctx, self._event((turn.text or "").strip(), analysis))

    def _on_command(self, ctx: Context, command: str, args: tuple[str, ...]) -> None:
        run = registry.COMMANDS.get(command)
        if command == "start":
            self._restart(ctx, args)
        elif run is None:
            ctx.say(Reply(ctx.tr(texts.UNKNOWN_COMMAND).format(command=command[:32])))
        elif not ctx.consented and command not in registry.CONSENT_FREE:
            self._apply(ctx, onboarding.start(self._desk, ctx), interrupting=False)
        else:
            self._apply(ctx, run(self._desk, ctx, args), interrupting=True)

    def _restart(self, ctx: Context, args: tuple[str, ...]) -> None:
        """/start: onboarding if there is no consent yet, else the menu; any flow is left."""
        code = args[0] if args and onboarding.COMPANY_CODE.match(args[0]) else None
        if not ctx.consented:
            self._apply(ctx, onboarding.start(self._desk, ctx, code), interrupting=False)
            return
        ctx.goto(None)
        step = menu.show(self._desk, ctx)
        if code:
            joined = onboarding.join(ctx, code)
            unknown = Reply(ctx.tr(texts.COMPANY_UNKNOWN_LATER).format(code=code[:40]))
            step = step.after(joined or unknown)
        self._apply(ctx, step, interrupting=False)

    def _on_button(self, ctx: Context, data: str) -> None:
        """A press goes to the flow and step named in its payload, which checks it is live."""
        press = callbacks.parse(data)
        flow = registry.FLOWS.get(press.flow) if press is not None else None
        handler = flow.buttons.get(press.step) if flow is not None and press is not None else None
        if press is None or handler is None:
            logger.info("unknown button payload ignored")
            ctx.say(_stale_button(ctx))
            return
        if not ctx.consented and press.flow not in registry.CONSENT_FREE_FLOWS:
            self._apply(ctx, onboarding.start(self._desk, ctx), interrupting=False)
            return
        step = handler(self._desk, ctx, press)
        if step is None:
            ctx.say(_stale_button(ctx))
            return
        self._apply(ctx, step, interrupting=press.flow != ctx.flow)

    def _on_text(self, ctx: Context, event: Event) -> None:
        """Typed text: an answer to the step that asked, a global intent, or the flow's text.

        The step that asked reads the text first, so "sì" after "vuoi davvero cancellare?"
        confirms the erase and is not feedback on an earlier answer. What no step claims is
        checked for a request for a person, distress, or privacy, in any state; the rest goes
        to the active flow (onboarding keeps questions for later) or is a question.
        """
        flow = self._active(ctx)
        if flow.name == ctx.flow and self._typed_press(ctx, flow, event):
            return
        answer = flow.steps.get(ctx.step or "") if flow.name == ctx.flow else None
        if answer is not None:
            step = answer(self._desk, ctx, event)
            if step is not None:
                self._apply(ctx, step, interrupting=False)
                return
        relayed = handoff.relay(self._desk, ctx, event)
        if relayed is not None:
            self._apply(ctx, relayed, interrupting=True)
            return
        if event.urgent is not None:
            self._apply(ctx, self._urgent(ctx, event.urgent), interrupting=True)
            return
        read = flow.other_text or registry.FLOWS[registry.DEFAULT].other_text
        step = read(self._desk, ctx, event) if read is not None else None
        if step is not None:
            self._apply(ctx, step, interrupting=False)

    def _typed_press(self, ctx: Context, flow: Flow, event: Event) -> bool:
        """Text naming a button of the question asked ("1", "non ce l'ho") is that press."""
        prompt = flow.reprompt(self._desk, ctx) if flow.reprompt is not None else None
        chosen = typed_choice(event.text or "", prompt.buttons) if prompt is not None else None
        if chosen is None:
            return False
        self._on_button(ctx, chosen.data)
        return True

    def _active(self, ctx: Context) -> Flow:
        if not ctx.consented and ctx.flow not in registry.CONSENT_FREE_FLOWS:
            return registry.FLOWS[registry.ENTRY]
        return registry.FLOWS.get(ctx.flow or "", registry.FLOWS[registry.DEFAULT])

    def _event(self, text: str, analysis: Analysis | None) -> Event:
        if analysis is None or analysis.text != text:
            analysis = self._answerer.analyse(text)
        parse = analysis.parse
        urgent: str | None = None
        if handoff.sounds_distressed(text):
            urgent = "distress"
        elif parse.intent in URGENT and parse.confidence >= self._settings.smalltalk_confidence:
            urgent = parse.intent
        elif handoff.asks_for_person(text):
            urgent = "talk_to_human"
        elif handoff.sounds_angry(text):
            urgent = "anger"
        return Event(
            text=text,
            analysis=analysis,
            reply=self._answerer.reply_intent(analysis),
            urgent=urgent,
        )

    def _urgent(self, ctx: Context, intent: str) -> Step:
        ctx.record.kind = "other"
        ctx.record.intent = intent
        if intent == "privacy_request":
            return privacy.notice(self._desk, ctx)
        if intent in ("distress", "anger"):
            return handoff.request(self._desk, ctx, "distress" if intent == "distress" else "anger")
        return handoff.request(self._desk, ctx)

    def _apply(self, ctx: Context, step: Step, *, interrupting: bool) -> None:
        """Move to the step's flow and state and say its replies.

        An interruption of a resumable flow (onboarding, privacy, profile) keeps that flow's
        place: if the interruption is over at once (contacts, a notice) the conversation stays
        and the flow's question is asked again; if it opens a flow of its own, the place is
        saved in that flow's data and taken up again when it finishes.
        """
        current = registry.FLOWS.get(ctx.flow or "")
        saved = ctx.data.get(RESUME)
        if interrupting and current is not None and current.resumable and step.flow != ctx.flow:
            for reply in step.replies:
                ctx.say(reply)
            if step.finished:
                self._reprompt(ctx, current)
            else:
                here = {"flow": ctx.flow, "step": ctx.step, "data": dict(ctx.data)}
                ctx.goto(step.flow, step.state, **step.data, **{RESUME: here})
            return
        for reply in step.replies:
            ctx.say(reply)
        if ctx.erased:
            return
        if step.finished and isinstance(saved, dict) and saved.get("flow") in registry.FLOWS:
            resumed = registry.FLOWS[str(saved["flow"])]
            data = dict(saved.get("data") or {})
            # the drafts as this step leaves them, not as they were when the flow was left
            data[DRAFTS] = step.data[DRAFTS] if DRAFTS in step.data else ctx.data.get(DRAFTS)
            ctx.goto(resumed.name, saved.get("step"), **data)
            self._reprompt(ctx, resumed)
            return
        data = dict(step.data)
        if step.flow is not None and step.flow == ctx.flow and saved is not None:
            data.setdefault(RESUME, saved)
        ctx.goto(step.flow, step.state, **data)

    def _reprompt(self, ctx: Context, flow: Flow) -> None:
        prompt = flow.reprompt(self._desk, ctx) if flow.reprompt is not None else None
        if prompt is not None:
            ctx.say(prompt)


def _stale_button(ctx: Context) -> Reply:
    stale = ctx.tr(texts.STALE_BUTTON)
    return Reply(stale, notice=stale)


def _plain_text(turn: Turn) -> str:
    """The text the models should read: free text only, not commands, buttons or files."""
    if turn.command is not None or turn.button is not None or turn.attachment is not None:
        return ""
    return (turn.text or "").strip()

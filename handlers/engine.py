"""The dialogue engine: one `Turn` in, an `Outcome` out, all side effects in one transaction.

Routing order: duplicate updates are dropped; commands work in any state; buttons are checked
against the state that drew them; free text goes to the active flow (onboarding) or to the
question answerer. The flow state is read from and written to the database on every turn, so
a restart — or another worker process — carries on any conversation where it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Sequence

from sqlalchemy.orm import Session

from handlers import callbacks, faq, onboarding, privacy, texts
from handlers.context import Context
from handlers.faq import Analysis, Answerer, IntentParser, human_contact
from handlers.outbox import queue_replies
from handlers.pseudonym import Pseudonymizer
from handlers.settings import DialogueSettings
from handlers.turns import Incoming, Outcome, Reply, Turn
from knowledge import Retriever
from storage import (
    Database,
    NotFoundError,
    ensure_user,
    erase_unconsented_users,
    find_user,
    load_turn_state,
    mark_update_processed,
    prune_outbox,
    prune_processed_updates,
    purge_expired_texts,
    save_flow,
    set_blocked,
)

logger = logging.getLogger(__name__)

COMPANY_CODE = re.compile(r"^[A-Za-z0-9-]{3,32}$")
UNCONSENTED_DAYS = 7
"""Days a conversation that never got consent is kept, so onboarding can resume."""


class DialogueEngine:
    def __init__(
        self,
        *,
        database: Database,
        retriever: Retriever,
        intents: IntentParser,
        pseudonymizer: Pseudonymizer,
        settings: DialogueSettings,
    ) -> None:
        self._db = database
        self._pseudonymizer = pseudonymizer
        self._settings = settings
        self._answerer = Answerer(retriever, intents, settings)
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
        return results

    def _analyse(self, batch: Sequence[Incoming]) -> list[Analysis | None]:
        """Encoder and intent for the plain-text turns, in one encoder call."""
        texts = [_plain_text(incoming.turn) for incoming in batch]
        wanted = [text for text in texts if text]
        analysed = iter(self._answerer.analyse_many(wanted) if wanted else [])
        return [next(analysed) if text else None for text in texts]

    def _handle_in(
        self, session: Session, incoming: Incoming, analysis: Analysis | None, started: float
    ) -> Outcome:
        turn = incoming.turn
        session.expire_all()  # an earlier turn of the batch may have changed rows it loaded
        update_key = self._update_key(incoming)
        if update_key is not None and not mark_update_processed(
            session, key=update_key, now=turn.at
        ):
            logger.info("update %s already handled: ignored", incoming.update_id)
            return Outcome(ignored=True)
        user_ref = self._pseudonymizer.user_ref(turn.channel, turn.user_id)
        on_telegram = turn.channel == "telegram"
        telegram_user_id = turn.user_id if on_telegram else None
        chat_id = turn.chat_id if on_telegram else None
        user = load_turn_state(session, user_ref=user_ref)
        if user is None or not user.is_current(
            telegram_user_id=telegram_user_id, chat_id=chat_id, language=turn.language
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
                raise NotFoundError(f"user {user_ref!r} was erased while its turn was handled")
        state = user.flow
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
        )
        self._dispatch(ctx, analysis)
        if ctx.erased:
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
        interaction_id = ctx.log_now()
        outbox = queue_replies(
            session,
            turn=turn,
            replies=ctx.replies,
            interaction_id=interaction_id,
            update_key=update_key,
        )
        logger.info(
            "turn handled: interaction=%s kind=%s intent=%s decision=%s",
            interaction_id,
            ctx.record.kind,
            ctx.record.intent,
            ctx.record.decision,
        )
        return Outcome(replies=ctx.replies, interaction_id=interaction_id, outbox=outbox)

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
        """Enforce retention: expired question texts, old dedupe records, stale onboardings,
        settled outbox rows.

        Telegram redelivers an update for at most a day, so a week of update keys is plenty;
        a settled outbox row keeps only its status (its text went when it was sent).
        """
        with self._db.session() as session:
            done = {
                "texts_purged": purge_expired_texts(session, now=now),
                "updates_pruned": prune_processed_updates(
                    session, older_than=now - dt.timedelta(days=7)
                ),
                "unconsented_erased": erase_unconsented_users(
                    session, created_before=now - dt.timedelta(days=UNCONSENTED_DAYS)
                ),
                "outbox_pruned": prune_outbox(session, settled_before=now - dt.timedelta(days=7)),
            }
        logger.info("housekeeping: %s", done)
        return done

    # -- routing ---------------------------------------------------------------------------

    def _dispatch(self, ctx: Context, analysis: Analysis | None) -> None:
        turn = ctx.turn
        if turn.command is not None:
            ctx.record.kind = "command"
            self._on_command(ctx, turn.command, turn.args)
        elif turn.button is not None:
            ctx.record.kind = "button"
            self._on_button(ctx, turn.button)
        elif turn.attachment is not None:
            ctx.say(Reply(texts.UNSUPPORTED_ATTACHMENT))
        elif not (turn.text or "").strip():
            ctx.say(Reply(texts.EMPTY_MESSAGE))
        else:
            self._on_text(ctx, (turn.text or "").strip(), analysis)

    def _on_command(self, ctx: Context, command: str, args: tuple[str, ...]) -> None:
        days = self._settings.retention_days
        if command == "start":
            code = args[0] if args and COMPANY_CODE.match(args[0]) else None
            if ctx.consented:
                if code:
                    onboarding.on_company_code(ctx, code)
                ctx.goto(None)
                ctx.say(Reply(texts.MENU))
            else:
                onboarding.start(ctx, days, code)
        elif command == "menu":
            ctx.say(Reply(texts.MENU))
        elif command == "aiuto":
            ctx.say(Reply(texts.HELP))
        elif command == "privacy":
            privacy.notice(ctx, days)
        elif command == "miei_dati":
            privacy.export(ctx)
        elif command == "cancella":
            privacy.ask_erase(ctx)
        elif command == "operatore":
            ctx.say(human_contact(self._settings))
        else:
            ctx.say(Reply(texts.UNKNOWN_COMMAND.format(command=command[:32])))

    def _on_button(self, ctx: Context, data: str) -> None:
        action = callbacks.parse(data)
        in_onboarding = ctx.flow == onboarding.FLOW
        if action is None:
            logger.info("unknown button payload ignored")
            ctx.say(Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON))
        elif action.name in (callbacks.CONSENT_YES, callbacks.CONSENT_NO):
            if in_onboarding and ctx.step == onboarding.CONSENT:
                accepted = action.name == callbacks.CONSENT_YES
                onboarding.on_consent(ctx, accepted, self._settings.consent_version)
            else:
                ctx.say(Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON))
        elif action.name in (callbacks.ROLE_WORKER, callbacks.ROLE_COMPANY):
            if in_onboarding and ctx.step == onboarding.ROLE and ctx.consented:
                role = "worker" if action.name == callbacks.ROLE_WORKER else "company"
                if onboarding.on_role(ctx, role):
                    self._finish_onboarding(ctx)
            else:
                ctx.say(Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON))
        elif action.name == callbacks.COMPANY_NONE:
            if in_onboarding and ctx.step == onboarding.COMPANY:
                self._finish_onboarding(ctx)
            else:
                ctx.say(Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON))
        elif not ctx.consented:
            onboarding.start(ctx, self._settings.retention_days)
        else:
            self._on_consented_button(ctx, action)

    def _on_consented_button(self, ctx: Context, action: callbacks.Action) -> None:
        if action.name == "feedback" and action.interaction_id is not None:
            faq.on_feedback(ctx, action.interaction_id, action.value == "1")
        elif action.name == "pick" and action.interaction_id is not None:
            self._answerer.on_pick(ctx, action.interaction_id, action.value or "none")
        elif action.name == callbacks.HUMAN:
            ctx.goto(None)
            ctx.say(human_contact(self._settings))
        elif action.name == callbacks.REPHRASE:
            ctx.goto(None)
            ctx.say(Reply(texts.REPHRASE))
        elif action.name == callbacks.PRIVACY_EXPORT:
            privacy.export(ctx)
        elif action.name == callbacks.PRIVACY_ERASE:
            privacy.ask_erase(ctx)
        elif action.name in (callbacks.ERASE_YES, callbacks.ERASE_NO):
            privacy.on_erase(ctx, action.name == callbacks.ERASE_YES)

    def _on_text(self, ctx: Context, text: str, analysis: Analysis | None) -> None:
        if ctx.flow == onboarding.FLOW or not ctx.consented:
            self._on_onboarding_text(ctx, text, analysis)
            return
        self._answer(ctx, text, analysis)

    def _on_onboarding_text(self, ctx: Context, text: str, analysis: Analysis | None) -> None:
        """Typed replies to the onboarding questions count like the buttons they mean.

        "sì" to the privacy question is consent (and "no" declines), "sono un lavoratore"
        picks the role, "non ce l'ho" skips the company code. Anything else that reads as a
        question is kept and answered once onboarding is done; a greeting is not kept.
        """
        reply = self._answerer.reply_intent(analysis)
        step = ctx.step if ctx.flow == onboarding.FLOW else None
        if step == onboarding.CONSENT and reply in ("affirm", "deny"):
            onboarding.on_consent(ctx, reply == "affirm", self._settings.consent_version)
            return
        if step == onboarding.ROLE and ctx.consented:
            role = onboarding.role_from_text(text)
            if role is not None:
                if onboarding.on_role(ctx, role):
                    self._finish_onboarding(ctx)
                return
        if step == onboarding.COMPANY and ctx.consented:
            if reply == "deny":  # "no", "non ce l'ho", "nessuno"
                self._finish_onboarding(ctx)
            elif COMPANY_CODE.match(text):
                if onboarding.on_company_code(ctx, text):
                    self._finish_onboarding(ctx)
            else:
                ctx.data["pending"] = text  # a question, not a code: answer it afterwards
                self._finish_onboarding(ctx)
            return
        keep = None if reply in faq.SMALLTALK else text
        onboarding.hold_question(ctx, keep, self._settings.retention_days)

    def _finish_onboarding(self, ctx: Context) -> None:
        pending = onboarding.finish(ctx)
        if pending:
            ctx.say(Reply(texts.PENDING_QUESTION))
            self._answer(ctx, pending)

    def _answer(self, ctx: Context, text: str, analysis: Analysis | None = None) -> None:
        route = self._answerer.on_text(ctx, text, analysis)
        if route == "talk_to_human":
            ctx.say(human_contact(self._settings))
        elif route == "privacy_request":
            privacy.notice(ctx, self._settings.retention_days)


def _plain_text(turn: Turn) -> str:
    """The text the models should read: free text only, not commands, buttons or files."""
    if turn.command is not None or turn.button is not None or turn.attachment is not None:
        return ""
    return (turn.text or "").strip()

"""Questions: answer, ask which topic was meant, or offer a person; then collect feedback.

The intent classifier and retrieval look at the same prepared text and share one encoder call.
Small talk is recognised only for short messages the classifier is sure about; anything longer
goes to the knowledge base first, because "grazie, e per il nido come faccio?" is a question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from handlers import callbacks, texts
from handlers.context import Context
from handlers.settings import DialogueSettings
from handlers.turns import Button, Reply
from knowledge import Audience, Entry, Retriever, SearchResult
from knowledge.encoders import Vectors
from nlu import Parse
from nlu.language import DEFAULT_LANGUAGE, Language, LanguageDetector, default_detector
from storage import set_feedback

FLOW = "faq"
CLARIFYING = "clarifying"
OFFERED_HUMAN = "offered_human"
ANSWERED = "answered"
"""An answer was just given: a typed "sì" or "no" is the reply to "Ti è stata utile?"."""

SMALLTALK = {
    "greet": texts.GREETING,
    "thanks": texts.THANKS,
    "goodbye": texts.GOODBYE,
    "bot_challenge": texts.BOT_CHALLENGE,
    "affirm": texts.ACK,
    "deny": texts.ACK,
}


ITALIAN = Language(DEFAULT_LANGUAGE, 0.0)
"""The language of an analysis made without detection: the desk's own."""


@dataclass(frozen=True)
class Analysis:
    text: str
    prepared: str
    truncated: bool
    vector: Vectors
    parse: Parse
    language: Language = ITALIAN
    """The message's language (nlu.language): retrieval searches on that language's path."""


class IntentParser(Protocol):
    def parse_with_vector(self, text: str, vector: Vectors) -> Parse: ...


class Answerer:
    def __init__(
        self,
        retriever: Retriever,
        intents: IntentParser,
        settings: DialogueSettings,
        detector: LanguageDetector | None = None,
    ) -> None:
        self._retriever = retriever
        self._intents = intents
        self._settings = settings
        self._detector = detector or default_detector()

    def analyse(self, text: str, hint: str | None = None) -> Analysis:
        """The expensive, state-free part of understanding one message (see `analyse_many`)."""
        return self.analyse_many([text], [hint])[0]

    def analyse_many(
        self, texts: Sequence[str], hints: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        """The expensive, state-free part of understanding messages: language, encoder, intent.

        The engine calls it before opening the database transaction, for all the messages
        that arrived together, so the encoder runs once for the lot and never while the
        (SQLite) write lock is held. `hints` are the senders' language codes (Telegram's
        `language_code`), which only break ties between languages ("no", "si").
        """
        prepared = [self._retriever.prepare(text) for text in texts]
        vectors = self._retriever.embed_many([p for p, _ in prepared])
        languages = [
            self._detector.detect(text, hint)
            for text, hint in zip(texts, hints or [None] * len(texts), strict=True)
        ]
        return [
            Analysis(
                text, p, truncated, vector, self._intents.parse_with_vector(p, vector), language
            )
            for text, (p, truncated), vector, language in zip(
                texts, prepared, vectors, languages, strict=True
            )
        ]

    def reply_intent(self, analysis: Analysis | None) -> str | None:
        """The intent of a short message the classifier is sure about ("sì", "no grazie").

        Only short messages count as replies: "no, ma per il nido come faccio?" is a question,
        whatever its first word.
        """
        if analysis is None:
            return None
        short = len(analysis.prepared.split()) <= self._settings.smalltalk_max_words
        sure = analysis.parse.confidence >= self._settings.smalltalk_confidence
        return analysis.parse.intent if short and sure else None

    def on_text(self, ctx: Context, text: str, analysis: Analysis | None = None) -> str | None:
        """Handle free text; returns an intent the engine must route (human, privacy) or None."""
        if analysis is None or analysis.text != text:
            analysis = self.analyse(text)
        prepared, truncated = analysis.prepared, analysis.truncated
        vector, parse = analysis.vector, analysis.parse
        ctx.record.kind = "question"
        ctx.record.intent, ctx.record.confidence = parse.intent, parse.confidence
        sure = parse.confidence >= self._settings.smalltalk_confidence
        reply = self.reply_intent(analysis)
        if ctx.flow == FLOW and ctx.step == CLARIFYING and prepared.strip(".) ").isdigit():
            # "2" typed instead of pressing the second button
            choice = int(prepared.strip(".) ")) - 1
            self.on_pick(ctx, int(ctx.data.get("interaction", 0)), str(max(choice, 0)))
            return None
        if ctx.flow == FLOW and ctx.step == ANSWERED:
            answered = int(ctx.data.get("interaction", 0))
            ctx.goto(None)
            if reply in ("affirm", "deny"):
                on_feedback(ctx, answered, reply == "affirm")
                ctx.record.kind = "other"
                return None
        if ctx.flow == FLOW and ctx.step == OFFERED_HUMAN:
            ctx.goto(None)
            if reply == "affirm":  # "sì" to "vuoi una persona?"
                ctx.record.kind = "other"
                return "talk_to_human"
            if reply == "deny":
                ctx.record.kind = "other"
                ctx.say(Reply(texts.REPHRASE))
                return None
        if reply in SMALLTALK:
            ctx.record.kind = "other"
            ctx.say(Reply(SMALLTALK[reply]))
            return None
        if sure and parse.intent in ("talk_to_human", "privacy_request"):
            ctx.record.kind = "other"
            return parse.intent
        result = self._retriever.search(
            prepared,
            audience=_audience(ctx.role),
            k=5,
            query_vector=vector,
            language=analysis.language.code,
        )
        ctx.record.decision = result.decision
        ctx.record.entry_ids = [h.entry.id for h in result.hits]
        ctx.record.scores = [round(h.score, 4) for h in result.hits]
        ctx.record.question_text = prepared
        if result.decision == "fallback" and sure and parse.intent == "out_of_scope":
            ctx.say(Reply(texts.OUT_OF_SCOPE))
            ctx.log_now()
            return None
        if truncated:
            ctx.say(Reply(texts.TRUNCATED))
        referral = result.decision == "answer" and result.candidates[0].entry.is_referral
        if (
            parse.intent == "report_need"
            and sure
            and result.decision != "fallback"
            and not referral
        ):
            ctx.say(Reply(texts.NEED_ACKNOWLEDGED))
        self._reply_to(ctx, result)
        return None

    def _reply_to(self, ctx: Context, result: SearchResult) -> None:
        if result.decision == "answer":
            self._serve(ctx, result.candidates[0].entry)
            return
        interaction_id = ctx.log_now()
        if result.decision == "clarify":
            ctx.served = tuple(hit.entry.id for hit in result.candidates)
            ids = [hit.entry.id for hit in result.candidates]
            ctx.goto(FLOW, CLARIFYING, interaction=interaction_id, candidates=ids)
            rows = tuple(
                (Button(hit.entry.title, callbacks.pick(interaction_id, position)),)
                for position, hit in enumerate(result.candidates)
            )
            none = (Button(texts.CLARIFY_NONE, callbacks.pick(interaction_id, None)),)
            ctx.say(Reply(texts.CLARIFY, buttons=(*rows, none)))
        else:
            offer_human(ctx, texts.FALLBACK)

    def _serve(self, ctx: Context, entry: Entry) -> None:
        """Give `entry` to the user: a welfare answer, or a referral to who handles it."""
        ctx.served = (entry.id,)
        if entry.is_referral:
            ctx.record.decision = "referral"
            ctx.log_now()
            ctx.goto(None)
            ctx.say(referral_reply(entry))
            return
        ctx.record.decision = "answer"
        interaction_id = ctx.log_now()
        ctx.goto(FLOW, ANSWERED, interaction=interaction_id)
        ctx.say(self.answer_reply(entry, interaction_id, ctx.now.date()))

    def answer_reply(self, entry: Entry, interaction_id: int, today: dt.date) -> Reply:
        """The entry's answer with its sources and the feedback question.

        An entry past its `valid_until` is still the best the desk has, so it is served,
        never hidden, but the reader is told until when it was confirmed and offered a person.
        """
        sources = "; ".join(entry.sources[: self._settings.max_sources_shown])
        parts = [f"**{entry.title}**", entry.answer]
        if entry.valid_until is not None and entry.is_expired(today):
            parts.append(texts.ANSWER_EXPIRED.format(until=entry.valid_until.strftime("%d/%m/%Y")))
        parts += [texts.ANSWER_SOURCES.format(sources=sources), texts.ANSWER_FEEDBACK]
        buttons: tuple[tuple[Button, ...], ...] = (
            (
                Button(texts.FEEDBACK_YES, callbacks.feedback(interaction_id, True)),
                Button(texts.FEEDBACK_NO, callbacks.feedback(interaction_id, False)),
            ),
        )
        if entry.is_expired(today):
            buttons += ((Button(texts.OFFER_HUMAN, callbacks.HUMAN),),)
        return Reply("\n\n".join(parts), buttons=buttons)

    def on_pick(self, ctx: Context, interaction_id: int, value: str) -> None:
        """A candidate chosen from a clarifying question (only the latest one is live)."""
        ctx.record.kind = "button"
        live = ctx.flow == FLOW and ctx.step == CLARIFYING
        if not live or ctx.data.get("interaction") != interaction_id:
            ctx.say(Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON))
            return
        candidates = [str(c) for c in ctx.data.get("candidates", [])]
        ctx.goto(None)
        if value == "none" or int(value) >= len(candidates):
            ctx.record.decision = "fallback"
            offer_human(ctx, texts.CLARIFY_NONE_REPLY)
            return
        entry = self._retriever_entry(candidates[int(value)])
        if entry is None:
            ctx.say(Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON))
            return
        ctx.record.entry_ids = [entry.id]
        self._serve(ctx, entry)

    def _retriever_entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self._retriever.entries if e.id == entry_id), None)


def on_feedback(ctx: Context, interaction_id: int, helpful: bool) -> None:
    ctx.record.kind = "button"
    if ctx.flow == FLOW and ctx.step == ANSWERED:
        ctx.goto(None)  # answered: a later "sì" is no longer about this answer
    if not set_feedback(
        ctx.session, interaction_id=interaction_id, user_ref=ctx.user_ref, helpful=helpful
    ):
        ctx.say(Reply(texts.STALE_BUTTON, notice=texts.STALE_BUTTON))
        return
    if helpful:
        ctx.say(Reply(texts.FEEDBACK_THANKS, notice=texts.FEEDBACK_THANKS))
    else:
        offer_human(ctx, texts.FEEDBACK_SORRY)


def offer_human(ctx: Context, text: str) -> None:
    """Ask whether the user wants a person; a typed "sì" or "no" answers it like the buttons."""
    ctx.goto(FLOW, OFFERED_HUMAN)
    ctx.say(
        Reply(
            text,
            buttons=(
                (
                    Button(texts.OFFER_HUMAN, callbacks.HUMAN),
                    Button(texts.OFFER_REPHRASE, callbacks.REPHRASE),
                ),
            ),
        )
    )


def referral_reply(entry: Entry) -> Reply:
    """ "Not mine": the entry's short text, who does handle it, and that welfare is welcome."""
    who = "\n".join(f"- {contact}" for contact in entry.refer_to)
    return Reply(
        "\n\n".join((entry.answer, texts.REFERRAL_WHO.format(who=who), texts.REFERRAL_MORE))
    )


def human_contact(settings: DialogueSettings) -> Reply:
    """How to reach a person. Until tickets exist, the desk's own contacts from settings."""
    lines = []
    if settings.desk_email:
        lines.append(texts.HUMAN_CONTACT_EMAIL.format(email=settings.desk_email))
    if settings.desk_phone:
        lines.append(texts.HUMAN_CONTACT_PHONE.format(phone=settings.desk_phone))
    if settings.desk_hours and lines:
        lines.append(texts.HUMAN_CONTACT_HOURS.format(hours=settings.desk_hours))
    if not lines:
        return Reply(texts.HUMAN_CONTACT_UNSET)
    return Reply(texts.HUMAN_CONTACT.format(contacts="\n".join(lines)))


def _audience(role: str | None) -> Audience | None:
    """Whose entries to prefer: a manager or an unknown role sees everything."""
    if role == "worker":
        return "worker"
    if role == "company":
        return "company"
    return None

"""The answerer behind the questions flow: understand a message, search, and word the reply.

The flow's states and steps live in handlers/flows/questions.py; this module knows the
knowledge base: which entry answers, when to ask which topic was meant, when to offer a person.

The intent classifier and retrieval look at the same prepared text and share one encoder call.
Small talk is recognised only for short messages the classifier is sure about; anything longer
goes to the knowledge base first, because "grazie, e per il nido come faccio?" is a question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from handlers import callbacks, texts
from handlers.context import Context
from handlers.flows import interview
from handlers.flows.base import Step
from handlers.flows.handoff import HANDOFF_BUTTON
from handlers.flows.questions import ANSWERED, CLARIFYING, FLOW, offer_human
from handlers.i18n import Translate, italian
from handlers.settings import DialogueSettings
from handlers.translated_answers import title_in, wording
from handlers.turns import Button, Reply
from knowledge import Audience, Entry, Retriever, SearchResult
from knowledge.encoders import Vectors
from knowledge.memo import Memo
from knowledge.perspective import speaks_as_employer
from needs import plan_line
from nlu import Parse
from nlu.language import DEFAULT_LANGUAGE, Language, LanguageDetector, default_detector
from nlu.replies import yes_or_no
from storage import find_company_plan

SMALLTALK = {
    "greet": texts.GREETING,
    "thanks": texts.THANKS,
    "goodbye": texts.GOODBYE,
    "bot_challenge": texts.BOT_CHALLENGE,
    "affirm": texts.ACK,
    "deny": texts.ACK,
}


SELF_QUESTIONS = frozenset({"bot_challenge"})
"""Intents about the desk itself: recognised in longer messages than other small talk."""

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
    similarity: NDArray[np.float64] | None = None
    """The dense side of the search for `prepared` on `language`'s path, computed with the
    other messages of the batch (Retriever.dense_scores)."""


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
        self._analyses: Memo[tuple[str, str | None], Analysis] = Memo(
            retriever.settings.embedding_cache_size
        )

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

        A reading depends only on the text and the hint, and people send the same messages
        over and over (a popular question, "sì", "grazie"), so recent readings are kept
        (knowledge.memo): a repeated message costs no encoder, detector or index pass.
        """
        asked = list(zip(texts, hints or [None] * len(texts), strict=True))
        # A classifier with an outage fallback (nlu.rasa) reports whether it is up: what the
        # fallback read is not kept, so the message is read by Rasa once it is back.
        return self._analyses.recall_many(
            asked, self._analyse_new, keep=lambda: bool(getattr(self._intents, "available", True))
        )

    def _analyse_new(self, asked: Sequence[tuple[str, str | None]]) -> list[Analysis]:
        texts = [text for text, _ in asked]
        prepared = [self._retriever.prepare(text) for text in texts]
        vectors = self._retriever.embed_many([p for p, _ in prepared])
        languages = [self._detector.detect(text, hint) for text, hint in asked]
        similarities = self._retriever.dense_scores(vectors, [lang.code for lang in languages])
        for similarity in similarities:
            similarity.setflags(write=False)  # shared by every later reading of the message
        return [
            Analysis(
                text,
                p,
                truncated,
                vector,
                self._intents.parse_with_vector(p, vector),
                language,
                similarity,
            )
            for text, (p, truncated), vector, language, similarity in zip(
                texts, prepared, vectors, languages, similarities, strict=True
            )
        ]

    def reply_intent(self, analysis: Analysis | None) -> str | None:
        """The intent of a short message the classifier is sure about ("sì", "no grazie").

        Only short messages count as replies: "no, ma per il nido come faccio?" is a question,
        whatever its first word. Asking who answers is never a welfare question and people ask
        it in full sentences ("ma scusa, sei un bot o una persona vera?"), so it may be twice
        as long. A yes or no in any of the desk's languages ("da", "jo",
        "po, pranoj") counts even where the classifier hesitates (nlu.replies).
        """
        if analysis is None:
            return None
        typed = yes_or_no(analysis.text)
        if typed is not None:
            return typed
        limit = self._settings.smalltalk_max_words
        if analysis.parse.intent in SELF_QUESTIONS:
            limit *= 2
        short = len(analysis.prepared.split()) <= limit
        sure = analysis.parse.confidence >= self._settings.smalltalk_confidence
        return analysis.parse.intent if short and sure else None

    def search(
        self,
        ctx: Context,
        prepared: str,
        vector: Vectors | None,
        language: str = DEFAULT_LANGUAGE,
        similarity: NDArray[np.float64] | None = None,
    ) -> SearchResult:
        """Search the knowledge base for `prepared`, preferring the user's role's entries,
        on the path of the message's language (other languages have phrasings of their own).

        A worker whose message speaks for the company ("siamo una cooperativa, come
        partiamo?") gets no preference either way: the words decide between the sides.
        """
        audience = _audience(ctx.role)
        if audience == "worker" and speaks_as_employer(prepared):
            audience = None
        return self._retriever.search(
            prepared,
            audience=audience,
            k=5,
            query_vector=vector,
            language=language,
            similarity=similarity,
        )

    def search_analysed(self, ctx: Context, analysis: Analysis) -> SearchResult:
        """`search` for an analysed message, on its language's path, reusing the dense side
        computed with its batch."""
        language = analysis.language.code
        return self.search(ctx, analysis.prepared, analysis.vector, language, analysis.similarity)

    def prepare(self, text: str) -> str:
        return self._retriever.prepare(text)[0]

    def vectors(self, prepared: Sequence[str]) -> list[Vectors]:
        """The encoder's vectors for prepared texts, in one encoder call."""
        return self._retriever.embed_many(prepared)

    def ask(self, ctx: Context, analysis: Analysis, result: SearchResult | None = None) -> Step:
        """Answer free text: small talk, out of scope, or the knowledge base's best reply.

        `result` is a search already made for this message (with its context, see
        handlers/flows/questions.py); without it the message is searched as it is.
        """
        prepared, parse = analysis.prepared, analysis.parse
        ctx.record.kind = "question"
        ctx.record.intent, ctx.record.confidence = parse.intent, parse.confidence
        sure = parse.confidence >= self._settings.smalltalk_confidence
        reply = self.reply_intent(analysis)
        if reply in SMALLTALK and result is None:
            ctx.record.kind = "other"
            return Step.done(Reply(ctx.tr(SMALLTALK[reply])))
        if result is None:
            result = self.search_analysed(ctx, analysis)
        self._record(ctx, result, prepared)
        if parse.intent == "report_need" and sure and not _asked_and_answered(analysis, result):
            wish = self._wish(ctx, result)
            if wish is not None:
                return wish
        if result.decision == "fallback" and sure and parse.intent == "out_of_scope":
            ctx.log_now()
            return Step.done(Reply(ctx.tr(texts.OUT_OF_SCOPE)))
        before: list[Reply] = []
        if analysis.truncated:
            before.append(Reply(ctx.tr(texts.TRUNCATED)))
        referral = result.decision == "answer" and result.candidates[0].entry.is_referral
        if (
            parse.intent == "report_need"
            and sure
            and result.decision != "fallback"
            and not referral
        ):
            before.append(Reply(ctx.tr(texts.NEED_ACKNOWLEDGED)))
        return self.reply_to(ctx, result, ctx.language).after(*before)

    @staticmethod
    def _wish(ctx: Context, result: SearchResult) -> Step | None:
        """A need told by a worker: offered the needs interview, the closest answer a tap
        away. None (answered as a question) for a company, during the interview, or when
        the need belongs elsewhere (a referral)."""
        if ctx.role == "company" or ctx.flow == interview.FLOW:
            return None
        best = result.candidates[0].entry if result.decision == "answer" else None
        if best is not None and best.is_referral:
            return None
        ctx.record.decision = None  # nothing was answered
        ctx.log_now()
        closest = result.best if result.decision != "fallback" else None  # the wish's area
        topic = None if closest is None else closest.entry.topic
        if best is None:
            return interview.offer(ctx, topic, None, None)
        return interview.offer(ctx, topic, best.id, title_in(best, ctx.language))

    @staticmethod
    def _record(ctx: Context, result: SearchResult, prepared: str) -> None:
        ctx.record.decision = result.decision
        ctx.record.entry_ids = [h.entry.id for h in result.hits]
        ctx.record.scores = [round(h.score, 4) for h in result.hits]
        ctx.record.question_text = prepared

    def reply_to(
        self, ctx: Context, result: SearchResult, language: str = DEFAULT_LANGUAGE
    ) -> Step:
        """The step a search result leads to: an answer, a choice of topics, or a person.

        `language` is the question's: answers and options are worded in it where the entry
        has a fresh translation (handlers/translated_answers.py)."""
        if result.decision == "answer":
            return self.serve(ctx, result.candidates[0].entry, language=language)
        interaction_id = ctx.log_now()
        if result.decision == "clarify":
            ctx.served = tuple(hit.entry.id for hit in result.candidates)
            ids = [hit.entry.id for hit in result.candidates]
            rows = tuple(
                (
                    Button(
                        title_in(hit.entry, language),
                        callbacks.make(FLOW, CLARIFYING, str(position), interaction_id),
                    ),
                )
                for position, hit in enumerate(result.candidates)
            )
            none = (
                Button(
                    ctx.tr(texts.CLARIFY_NONE),
                    callbacks.make(FLOW, CLARIFYING, "none", interaction_id),
                ),
            )
            return Step.to(
                FLOW,
                CLARIFYING,
                Reply(ctx.tr(texts.CLARIFY), buttons=(*rows, none)),
                interaction=interaction_id,
                candidates=ids,
                language=language,
            )
        return offer_human(ctx, texts.FALLBACK)

    def serve(
        self,
        ctx: Context,
        entry: Entry,
        question: str | None = None,
        language: str | None = None,
    ) -> Step:
        """Give `entry` to the user: a welfare answer, or a referral to who handles it.

        `question` (the prepared text) is kept in the flow data for a short while, so that a
        follow-up ("e per la materna?") can be read together with it.
        """
        ctx.served = (entry.id,)
        language = language or ctx.language
        if entry.is_referral:
            ctx.record.decision = "referral"
            ctx.log_now()
            return Step.done(referral_reply(entry, language, ctx.tr))
        ctx.record.decision = "answer"
        interaction_id = ctx.log_now()
        plan = own_plan_line(ctx, entry.topic)
        reply = self.answer_reply(
            entry, interaction_id, ctx.now.date(), plan, language=language, tr=ctx.tr
        )
        invite = interview.invite_button(ctx, entry.topic)
        if invite is not None:
            reply = replace(reply, buttons=(*reply.buttons, (invite,)))
        return Step.to(
            FLOW,
            ANSWERED,
            reply,
            interaction=interaction_id,
            feedback_open=True,
            question=question if question is not None else ctx.record.question_text,
            entry=entry.id,
            at=ctx.now.isoformat(),
        )

    def answer_reply(
        self,
        entry: Entry,
        interaction_id: int,
        today: dt.date,
        plan_note: str | None = None,
        *,
        language: str = DEFAULT_LANGUAGE,
        tr: Translate = italian,
    ) -> Reply:
        """The entry's answer with its sources and the feedback question.

        An entry past its `valid_until` is still the best the desk has, so it is served,
        never hidden, but the reader is told until when it was confirmed and offered a person.
        That line comes right under the title, before the answer: read after it, "60 € al mese"
        or "il bando è aperto" would already have been taken as today's rule.
        `plan_note` is the line about the worker's own company plan ("Nel piano della tua
        azienda…"), right after the general answer it makes concrete. `tr` words the frame
        (caveat, sources, feedback) in the user's language. An answer without a fresh
        translation in `language` comes in Italian, after a line saying so, with a person
        offered.
        """
        sources = "; ".join(entry.sources[: self._settings.max_sources_shown])
        words = wording(entry, language)
        parts = [f"**{words.title}**"]
        if words.in_italian_for_now:
            parts.insert(0, tr(texts.ANSWER_ITALIAN_FOR_NOW))
        if entry.valid_until is not None and entry.is_expired(today):
            until = entry.valid_until.strftime("%d/%m/%Y")
            parts.append(tr(texts.ANSWER_EXPIRED).format(until=until))
        parts.append(words.answer)
        if plan_note:
            parts.append(plan_note)
        parts += [tr(texts.ANSWER_SOURCES).format(sources=sources), tr(texts.ANSWER_FEEDBACK)]
        buttons: tuple[tuple[Button, ...], ...] = (
            (
                Button(
                    tr(texts.FEEDBACK_YES), callbacks.make(FLOW, ANSWERED, "yes", interaction_id)
                ),
                Button(tr(texts.FEEDBACK_NO), callbacks.make(FLOW, ANSWERED, "no", interaction_id)),
            ),
        )
        if entry.is_expired(today) or words.in_italian_for_now:
            buttons += ((Button(tr(texts.OFFER_HUMAN), HANDOFF_BUTTON),),)
        return Reply("\n\n".join(parts), buttons=buttons)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self._retriever.entries if e.id == entry_id), None)


def own_plan_line(ctx: Context, topic: str) -> str | None:
    """The line about a worker's company plan for `topic`; None without a worker's plan."""
    if ctx.role != "worker" or ctx.company_id is None:
        return None
    plan = find_company_plan(ctx.session, company_id=ctx.company_id)
    if plan is None:
        return None
    return plan_line(plan, topic, ctx.translations.plan_wording(ctx.language))


def referral_reply(
    entry: Entry, language: str = DEFAULT_LANGUAGE, tr: Translate = italian
) -> Reply:
    """ "Not mine": the entry's short text, who does handle it, and that welfare is welcome."""
    who = "\n".join(f"- {contact}" for contact in entry.refer_to)
    words = wording(entry, language)
    parts = [words.answer, tr(texts.REFERRAL_WHO).format(who=who), tr(texts.REFERRAL_MORE)]
    if words.in_italian_for_now:
        parts.insert(0, tr(texts.ANSWER_ITALIAN_FOR_NOW))
    buttons = (
        ((Button(tr(texts.OFFER_HUMAN), HANDOFF_BUTTON),),) if words.in_italian_for_now else ()
    )
    return Reply("\n\n".join(parts), buttons=buttons)


def _asked_and_answered(analysis: Analysis, result: SearchResult) -> bool:
    """A need put as a question the base answers ("ho un bimbo piccolo, posso avere lo smart
    working?"): the person asked, so they get the answer (with the interview's invitation
    under it), not an offer to tell their needs first."""
    return "?" in analysis.text and result.decision == "answer"


def _audience(role: str | None) -> Audience | None:
    """Whose entries to prefer: a manager or an unknown role sees everything."""
    if role == "worker":
        return "worker"
    if role == "company":
        return "company"
    return None

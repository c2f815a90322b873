"""Questions and answers: answer, ask which topic was meant, or offer a person; then feedback.

States (see questions.mmd; stored under the flow name "faq"):
- ANSWERED: an answer was just given. While its feedback question is open, a typed "sì" or
  "no" is the reply to "Ti è stata utile?". The question stays in the flow data for a short
  while, so a follow-up ("e per la materna?") is read together with it (handlers/followup.py).
- CLARIFYING: two or more topics were offered; a button or the typed number picks one.
- OFFERED_HUMAN: "vuoi parlare con una persona?"; a typed "sì" or "no" answers it.
Any other text is a new question (`ask`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import callbacks, followup, texts
from handlers.context import Context
from handlers.flows import handoff
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.turns import Button, Reply
from nlu.language import DEFAULT_LANGUAGE
from storage import set_feedback

if TYPE_CHECKING:
    from knowledge import Entry

FLOW = "faq"
ANSWERED = "answered"
CLARIFYING = "clarifying"
OFFERED_HUMAN = "offered_human"


def ask(desk: Desk, ctx: Context, event: Event) -> Step:
    """A question (or small talk): read with the previous question when it is a follow-up."""
    analysis = event.analysis
    if analysis is None:
        analysis = desk.answerer.analyse(event.text or "")
    previous = followup.previous_question(ctx, FLOW, ANSWERED) if ctx.flow == FLOW else None
    parts = followup.split_questions(analysis.text)
    if previous is None and len(parts) > 1:
        two = _two_questions(desk, ctx, event, parts)
        if two is not None:
            return two
    result = None
    if previous is not None and followup.is_follow_up(analysis.text):
        before = str(ctx.data.get("entry", ""))
        result = followup.search_in_context(desk.answerer, ctx, analysis, previous, before)
    step = desk.answerer.ask(ctx, analysis, result)
    if previous is not None and ctx.record.decision == "answer" and ctx.served:
        entry = desk.answerer.entry(ctx.served[0])
        verdict = (
            None if entry is None else followup.yes_or_no(analysis.text, previous, entry, ctx.tr)
        )
        if verdict is not None:
            step = step.after(Reply(verdict))
    return step


def _two_questions(desk: Desk, ctx: Context, event: Event, parts: list[str]) -> Step | None:
    """Two questions in one message: both answered when each finds its own entry.

    Otherwise (one part finds nothing sure, or both find the same entry) None: the message is
    handled as one question, as before.
    """
    answerer = desk.answerer
    language = event.analysis.language.code if event.analysis is not None else DEFAULT_LANGUAGE
    prepared = [answerer.prepare(part) for part in parts[:2]]
    vectors = answerer.vectors(prepared)  # one encoder call for both parts
    results = [
        answerer.search(ctx, text, vector, language)
        for text, vector in zip(prepared, vectors, strict=True)
    ]
    if any(r.decision != "answer" for r in results):
        return None
    entries: list[Entry] = [r.candidates[0].entry for r in results]
    if entries[0].id == entries[1].id or any(e.is_referral for e in entries):
        return None
    analysis = event.analysis
    ctx.record.kind = "question"
    if analysis is not None:
        ctx.record.intent = analysis.parse.intent
        ctx.record.confidence = analysis.parse.confidence
        ctx.record.question_text = analysis.prepared
    ctx.record.decision = "answer"
    ctx.record.entry_ids = [e.id for e in entries]
    ctx.record.scores = [round(r.candidates[0].score, 4) for r in results]
    interaction_id = ctx.log_now()
    ctx.served = tuple(e.id for e in entries)
    replies = [Reply(ctx.tr(texts.TWO_QUESTIONS))]
    for entry in entries:
        replies.append(
            answerer.answer_reply(
                entry, interaction_id, ctx.now.date(), language=ctx.language, tr=ctx.tr
            )
        )
    return Step.to(
        FLOW,
        ANSWERED,
        *replies,
        interaction=interaction_id,
        feedback_open=True,
        question=prepared[1],
        entry=entries[1].id,
        at=ctx.now.isoformat(),
    )


def on_answered(desk: Desk, ctx: Context, event: Event) -> Step | None:
    """A typed "sì"/"no" right after an answer is its feedback (once); a message that opens
    like its continuation ("anche per i miei figli?") is a follow-up, even where the classifier
    hears a privacy request in it."""
    if ctx.data.get("feedback_open") and event.reply in ("affirm", "deny"):
        ctx.record.kind = "other"
        return feedback(ctx, int(ctx.data.get("interaction", 0)), event.reply == "affirm")
    fresh = followup.previous_question(ctx, FLOW, ANSWERED) is not None
    if fresh and event.urgent == "privacy_request" and followup.continues(event.text or ""):
        return ask(desk, ctx, event)
    return None


def on_clarifying(desk: Desk, ctx: Context, event: Event) -> Step | None:
    """ "2" typed instead of pressing the second option."""
    typed = (event.text or "").strip(".) ")
    if not typed.isdigit():
        return None
    return pick(desk, ctx, int(ctx.data.get("interaction", 0)), str(max(int(typed) - 1, 0)))


def on_offered_human(desk: Desk, ctx: Context, event: Event) -> Step | None:
    """ "sì" to "vuoi una persona?" hands off; "no" asks for the question in other words."""
    if event.reply == "affirm":
        return handoff.request(desk, ctx)
    if event.reply == "deny":
        ctx.record.kind = "other"
        return Step.done(Reply(ctx.tr(texts.REPHRASE)))
    return None


def feedback(ctx: Context, interaction_id: int, helpful: bool) -> Step | None:
    """Feedback on one of the user's answers (None: not theirs, the button is stale)."""
    if not set_feedback(
        ctx.session, interaction_id=interaction_id, user_ref=ctx.user_ref, helpful=helpful
    ):
        return None
    if not helpful:
        return offer_human(ctx, texts.FEEDBACK_SORRY)
    thanks = Reply(ctx.tr(texts.FEEDBACK_THANKS), notice=ctx.tr(texts.FEEDBACK_THANKS))
    if ctx.flow == FLOW and ctx.step == ANSWERED and ctx.data.get("interaction") == interaction_id:
        # answered: a later "sì" is no longer about this answer, but follow-ups still are
        return Step(FLOW, ANSWERED, (thanks,), {**ctx.data, "feedback_open": False})
    return Step.done(thanks)


def pick(desk: Desk, ctx: Context, interaction_id: int, value: str) -> Step | None:
    """A candidate chosen from the clarifying question (only the latest one is live)."""
    live = ctx.flow == FLOW and ctx.step == CLARIFYING
    if not live or ctx.data.get("interaction") != interaction_id:
        return None
    candidates = [str(c) for c in ctx.data.get("candidates", [])]
    if value == "none" or int(value) >= len(candidates):
        ctx.record.decision = "fallback"
        return offer_human(ctx, texts.CLARIFY_NONE_REPLY)
    entry = desk.answerer.entry(candidates[int(value)])
    if entry is None:
        return None
    ctx.record.entry_ids = [entry.id]
    language = str(ctx.data.get("language", DEFAULT_LANGUAGE))
    return desk.answerer.serve(ctx, entry, language=language)


def offer_human(ctx: Context, text: str) -> Step:
    """Ask whether the user wants a person; a typed "sì" or "no" answers it like the buttons.

    `text` is the Italian question (texts.py), said in the user's language.
    """
    rephrase = callbacks.make(FLOW, OFFERED_HUMAN, "rephrase")
    buttons = (
        (
            Button(ctx.tr(texts.OFFER_HUMAN), handoff.HANDOFF_BUTTON),
            Button(ctx.tr(texts.OFFER_REPHRASE), rephrase),
        ),
    )
    return Step.to(FLOW, OFFERED_HUMAN, Reply(ctx.tr(text), buttons=buttons))


def _on_feedback_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if press.ref is None or press.value not in ("yes", "no"):
        return None
    return feedback(ctx, press.ref, press.value == "yes")


def _on_pick_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if press.ref is None or not (press.value == "none" or press.value.isdigit()):
        return None
    return pick(desk, ctx, press.ref, press.value)


def _on_rephrase_button(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    return Step.done(Reply(ctx.tr(texts.REPHRASE))) if press.value == "rephrase" else None


QUESTIONS = Flow(
    name=FLOW,
    steps={ANSWERED: on_answered, CLARIFYING: on_clarifying, OFFERED_HUMAN: on_offered_human},
    buttons={
        ANSWERED: _on_feedback_button,
        CLARIFYING: _on_pick_button,
        OFFERED_HUMAN: _on_rephrase_button,
    },
    other_text=ask,
)

"""The needs interview: what a worker needs, told in a few buttons. See interview.mmd.

Started by /bisogni, by the menu, by a wish the classifier hears ("avrei bisogno di un asilo
aziendale": the offer in `offer`), or by the one button `invite_button` adds under an answer on
a topic that reveals a need. Workers of a known company only: the answers are aggregated per
company (needs/interview.py), so without a company code there is nothing to add them to, and a
company's HR contact is pointed to the needs report instead.

Steps: consent to aggregate use first (a refusal stores nothing), then household, commute,
working time and wishes, need areas (picked, then the top ones ranked), an optional comment,
and a summary where any section can be changed before `save_interview` (one row per person and
company: running it again updates the row, starting from the stored answers).

The answers given so far live in the flow data's drafts (handlers/context.py, `DRAFTS`), which
follow the conversation wherever it goes: someone who asks a question half-way, or leaves for
a day, finds the interview where it was with /bisogni. Erasure (/cancella) removes the drafts
with the conversation, and /miei_dati shows them with the stored answers.

Buttons carry the step that drew them and are refused once the conversation has moved on;
a typed "sì"/"no", a count, or a button's words count like the press (handlers/choices.py).
"""

from __future__ import annotations

from typing import Any

from handlers import callbacks, texts
from handlers.context import DRAFTS, Context
from handlers.flows import profile, questions
from handlers.flows.base import Desk, Event, Flow, Step
from handlers.i18n import Translate
from handlers.translated_answers import title_in
from handlers.turns import Button, Reply
from knowledge.text import fold
from storage import (
    COMMUTE_BANDS,
    COMMUTE_MODES,
    NEED_AREAS,
    WORKING_TIMES,
    InterviewAnswers,
    find_interview,
    find_user,
    save_interview,
)
from storage.models import COMMENT_LENGTH

FLOW = "interview"
OFFER, CONSENT, KIDS, RELATIVES = "offer", "consent", "kids", "relatives"
BAND_STEPS = {
    "kids_0_2": "children_0_2",
    "kids_3_5": "children_3_5",
    "kids_6_13": "children_6_13",
    "kids_14_18": "children_14_18",
}
"""The count steps and the answer each fills."""
COMMUTE_MODE, COMMUTE_BAND = "commute_mode", "commute_band"
WORKING_TIME, WISHES = "working_time", "wishes"
AREAS, RANK, COMMENT, SUMMARY = "areas", "rank", "comment", "summary"
START = "start"
"""Not a state: the step named by the buttons that open the interview, valid at any time."""

SECTIONS: dict[str, tuple[str, ...]] = {
    "household": (KIDS, *BAND_STEPS, RELATIVES),
    "commute": (COMMUTE_MODE, COMMUTE_BAND),
    "work": (WORKING_TIME, WISHES),
    "areas": (AREAS, RANK),
    "comment": (COMMENT,),
}
"""What the summary lets one change, each a run of steps in the order they are asked."""
ORDER = (CONSENT, *(step for steps in SECTIONS.values() for step in steps), SUMMARY)

MAX_COUNT = 3
"""The last count button is "3 o più", stored as 3."""
MAX_RANKED = 3
"""Areas ranked one by one; the others follow in the order they were picked."""
SHORT_WORDS = 3
"""Typed text this short that answers nothing is a misread button, not a question."""

WISHES_OF = {
    "flex": (True, False),
    "smart": (False, True),
    "both": (True, True),
    "none": (False, False),
}
"""(wants flexibility, wants smart working) per choice of the wishes step."""

CHOICES: dict[str, tuple[tuple[str, ...], int]] = {
    COMMUTE_MODE: (COMMUTE_MODES, 2),
    COMMUTE_BAND: (COMMUTE_BANDS, 1),
    WORKING_TIME: (WORKING_TIMES, 3),
    WISHES: (tuple(WISHES_OF), 2),
}
"""The one-choice steps: the values (buttons `v0`, `v1` …, as "45-60" cannot be a payload) and
the buttons per row. Each fills the draft key named like the step."""

AREA_OF_TOPIC = {
    "rimborso-asilo-nido": "childcare",
    "congedo-parentale": "childcare",
    "istruzione-figli": "schooling",
    "assistenza-familiari-anziani": "eldercare",
    "permessi-legge-104": "eldercare",
    "sanita-integrativa": "health",
    "trasporto-pubblico": "mobility",
    "smart-working-conciliazione": "time",
    "mutua-sussidi": "income_support",
    "ente-bilaterale-prestazioni": "income_support",
    "servizi-ricreativi-culturali": "leisure",
    "fringe-benefit-soglia": "housing",
}
"""Knowledge topics whose questions reveal a need, and the need area each points to."""

_NUMBER_WORDS = {
    **{word: 0 for word in ("zero", "nessuno", "none", "niciunul", "niciuna", "asnje", "cero")},
    **{word: 0 for word in ("ninguno", "aucun", "aucune", "صفر")},
    **{word: 1 for word in ("uno", "una", "one", "unu", "unul", "nje", "un", "une", "واحد")},
    **{word: 2 for word in ("due", "two", "doi", "doua", "dy", "dos", "deux", "اثنان")},
    **{word: 3 for word in ("tre", "three", "trei", "tres", "trois", "ثلاثة")},
}
"""Counts typed in words (accents folded), in the seven languages: none to three."""


# -- entry points ------------------------------------------------------------------------


def start(desk: Desk, ctx: Context, wish: str | None = None) -> Step:
    """/bisogni: resume the draft, or start from the stored answers, or from the consent.

    `wish` is a need area heard in a message ("un asilo aziendale" → childcare): it is
    picked already when the areas come.
    """
    if ctx.role == "company":
        return Step.done(Reply(ctx.tr(texts.INTERVIEW_FOR_WORKERS)))
    company_id = _company_of(ctx)
    if company_id is None:
        add_code = Button(ctx.tr(texts.INTERVIEW_ADD_CODE), callbacks.make(FLOW, START, "profile"))
        return Step.done(Reply(ctx.tr(texts.INTERVIEW_NO_COMPANY), buttons=((add_code,),)))
    draft = ctx.draft(FLOW)
    if draft is not None:
        _add_wish(draft, wish)
        return _to(
            ctx, str(draft.get("at") or CONSENT), draft, Reply(ctx.tr(texts.INTERVIEW_RESUMED))
        )
    stored = find_interview(ctx.session, user_ref=ctx.user_ref, company_id=company_id)
    if stored is not None and stored.consent_aggregate:
        draft = _draft_of(stored)
        _add_wish(draft, wish)
        return _to(ctx, SUMMARY, draft, Reply(ctx.tr(texts.INTERVIEW_STORED)))
    draft = _draft_of(stored) if stored is not None else {"picked": []}
    _add_wish(draft, wish)
    return _to(ctx, CONSENT, draft)


def offer(ctx: Context, topic: str | None, entry_id: str | None, title: str | None) -> Step:
    """A wish heard in a message: offer the interview, with the closest answer a tap away."""
    return Step.to(
        FLOW,
        OFFER,
        _offer_reply(ctx.tr, entry_id, title),
        wish=AREA_OF_TOPIC.get(topic or ""),
        entry=entry_id,
    )


def invite_button(ctx: Context, topic: str) -> Button | None:
    """One quiet button under an answer that reveals a need, for a worker who has a company
    and has not answered the interview yet; None otherwise."""
    if ctx.role != "worker" or topic not in AREA_OF_TOPIC or ctx.flow == FLOW:
        return None
    company_id = _company_of(ctx)
    if company_id is None:
        return None
    if find_interview(ctx.session, user_ref=ctx.user_ref, company_id=company_id) is not None:
        return None
    return Button(ctx.tr(texts.INTERVIEW_INVITE), callbacks.make(FLOW, START, "go"))


def _company_of(ctx: Context) -> int | None:
    return ctx.company_id


def _add_wish(draft: dict[str, Any], wish: str | None) -> None:
    if wish is None or wish not in NEED_AREAS:
        return
    for key in ("picked", "need_areas"):
        chosen = list(draft.get(key) or [])
        if key in draft and wish not in chosen:
            draft[key] = [*chosen, wish]


# -- the draft ---------------------------------------------------------------------------


def _draft_of(stored: InterviewAnswers) -> dict[str, Any]:
    return {
        "kids": any(getattr(stored, field) for field in BAND_STEPS.values()),
        **{field: getattr(stored, field) for field in BAND_STEPS.values()},
        "dependent_relatives": stored.dependent_relatives,
        "commute_mode": stored.commute_mode,
        "commute_band": stored.commute_band,
        "working_time": stored.working_time,
        "wishes": _wishes_key(stored.wants_flexibility, stored.wants_smart_working),
        "picked": list(stored.need_areas),
        "need_areas": list(stored.need_areas),
        "comment": stored.comment,
    }


def _wishes_key(flexibility: bool, smart_working: bool) -> str:
    return next(key for key, pair in WISHES_OF.items() if pair == (flexibility, smart_working))


def _answers(draft: dict[str, Any], language: str | None) -> InterviewAnswers:
    flexibility, smart_working = WISHES_OF.get(str(draft.get("wishes")), (False, False))
    return InterviewAnswers(
        consent_aggregate=True,
        **{field: int(draft.get(field) or 0) for field in BAND_STEPS.values()},
        dependent_relatives=bool(draft.get("dependent_relatives")),
        commute_mode=draft.get("commute_mode"),
        commute_band=draft.get("commute_band"),
        working_time=draft.get("working_time"),
        wants_flexibility=flexibility,
        wants_smart_working=smart_working,
        need_areas=tuple(draft.get("need_areas") or ()),
        comment=draft.get("comment"),
        language=language,
    )


def _to(ctx: Context, step: str, draft: dict[str, Any], *before: Reply) -> Step:
    """Ask `step`'s question, the draft remembering that this is where the interview is."""
    draft["at"] = step
    prompt = _prompt(ctx.tr, step, draft)
    return Step(FLOW, step, (*before, prompt), {DRAFTS: ctx.drafts_with(FLOW, draft)})


def _next(ctx: Context, draft: dict[str, Any], answered: str) -> Step:
    """The step after `answered`; back to the summary when one section was being changed."""
    following = ORDER[ORDER.index(answered) + 1]
    if draft.get("editing") and _section(following) != _section(answered):
        following = SUMMARY
    if following == SUMMARY:
        draft["editing"] = False
    return _to(ctx, following, draft)


def _section(step: str) -> str | None:
    return next((name for name, steps in SECTIONS.items() if step in steps), None)


def _leave(ctx: Context, *replies: Reply) -> Step:
    """End the interview and forget its draft."""
    return Step(None, None, replies, {DRAFTS: ctx.drafts_with(FLOW, None)})


# -- questions ---------------------------------------------------------------------------


def _button(step: str, value: str, label: str, chosen: bool = False) -> Button:
    """A button of `step`; `label` is already in the user's language."""
    return Button(f"✓ {label}" if chosen else label, callbacks.make(FLOW, step, value))


def _yes_no(tr: Translate, step: str, current: object) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            _button(step, "yes", tr(texts.INTERVIEW_YES), current is True),
            _button(step, "no", tr(texts.INTERVIEW_NO), current is False),
        ),
    )


def _choices(
    tr: Translate,
    step: str,
    labels: dict[str, str],
    values: tuple[str, ...],
    current: object,
    per_row: int,
) -> tuple[tuple[Button, ...], ...]:
    buttons = [
        _button(step, f"v{i}", tr(labels[value]), value == current)
        for i, value in enumerate(values)
    ]
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def _choice_texts(step: str) -> tuple[str, dict[str, str]]:
    """The question and the value labels of a one-choice step (read when asked)."""
    return {
        COMMUTE_MODE: (texts.INTERVIEW_COMMUTE_MODE, texts.INTERVIEW_COMMUTE_MODES),
        COMMUTE_BAND: (texts.INTERVIEW_COMMUTE_BAND, texts.INTERVIEW_COMMUTE_BANDS),
        WORKING_TIME: (texts.INTERVIEW_WORKING_TIME, texts.INTERVIEW_WORKING_TIMES),
        WISHES: (texts.INTERVIEW_WISHES, texts.INTERVIEW_WISH_CHOICES),
    }[step]


def _prompt(tr: Translate, step: str, draft: dict[str, Any]) -> Reply:
    """The question of `step` in the user's language, the answers already given marked ✓."""
    if step == CONSENT:
        return Reply(
            tr(texts.INTERVIEW_CONSENT),
            buttons=(
                (_button(CONSENT, "yes", tr(texts.INTERVIEW_CONSENT_YES)),),
                (_button(CONSENT, "no", tr(texts.INTERVIEW_CONSENT_NO)),),
            ),
        )
    if step == KIDS:
        return Reply(tr(texts.INTERVIEW_KIDS), buttons=_yes_no(tr, KIDS, draft.get("kids")))
    if step in BAND_STEPS:
        field = BAND_STEPS[step]
        current = draft.get(field)
        counts = tuple(
            _button(step, str(n), _count(tr, n), n == current) for n in range(MAX_COUNT + 1)
        )
        band = tr(texts.INTERVIEW_BANDS[field])
        return Reply(tr(texts.INTERVIEW_KIDS_BAND).format(band=band), buttons=(counts,))
    if step == RELATIVES:
        current = draft.get("dependent_relatives")
        return Reply(tr(texts.INTERVIEW_RELATIVES), buttons=_yes_no(tr, RELATIVES, current))
    if step in CHOICES:
        values, per_row = CHOICES[step]
        question, labels = _choice_texts(step)
        buttons = _choices(tr, step, labels, values, draft.get(step), per_row)
        return Reply(tr(question), buttons=buttons)
    if step == AREAS:
        return _areas_prompt(tr, draft)
    if step == RANK:
        return _rank_prompt(tr, draft)
    if step == COMMENT:
        row = [_button(COMMENT, "skip", tr(texts.INTERVIEW_SKIP))]
        if draft.get("comment"):  # "Salta" keeps it; this takes it away
            row.append(_button(COMMENT, "clear", tr(texts.INTERVIEW_CLEAR_COMMENT)))
        return Reply(tr(texts.INTERVIEW_COMMENT), buttons=(tuple(row),))
    return _summary(tr, draft)


def _count(tr: Translate, count: object) -> str:
    """A count of children as a button or in the summary: "3 o più" for the last one."""
    return tr(texts.INTERVIEW_MANY) if count == MAX_COUNT else str(count)


def _area_name(tr: Translate, area: str) -> str:
    return tr(texts.INTERVIEW_AREA_NAMES[area])


def _areas_prompt(tr: Translate, draft: dict[str, Any]) -> Reply:
    picked = list(draft.get("picked") or [])
    buttons = [_button(AREAS, area, _area_name(tr, area), area in picked) for area in NEED_AREAS]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((_button(AREAS, "done", tr(texts.INTERVIEW_AREAS_DONE)),))
    text = tr(texts.INTERVIEW_AREAS)
    if picked:
        names = ", ".join(_area_name(tr, a) for a in picked)
        text += "\n\n" + tr(texts.INTERVIEW_AREAS_PICKED).format(areas=names)
    return Reply(text, buttons=tuple(rows))


def _rank_prompt(tr: Translate, draft: dict[str, Any]) -> Reply:
    ranked = list(draft.get("need_areas") or [])
    remaining = [a for a in draft.get("picked") or [] if a not in ranked]
    rows = tuple((_button(RANK, a, _area_name(tr, a)),) for a in remaining)
    text = texts.INTERVIEW_RANK_NEXT if ranked else texts.INTERVIEW_RANK_FIRST
    return Reply(tr(text), buttons=rows)


def _summary(tr: Translate, draft: dict[str, Any]) -> Reply:
    bands = [
        tr(texts.INTERVIEW_CHILDREN_BAND).format(
            count=_count(tr, draft.get(field)), band=tr(texts.INTERVIEW_BANDS[field])
        )
        for field in BAND_STEPS.values()
        if draft.get(field)
    ]
    not_said = tr(texts.INTERVIEW_NOT_SAID)
    relatives = draft.get("dependent_relatives")
    mode = texts.INTERVIEW_COMMUTE_MODES.get(str(draft.get("commute_mode")))
    band = texts.INTERVIEW_COMMUTE_BANDS.get(str(draft.get("commute_band")))
    working_time = texts.INTERVIEW_WORKING_TIMES.get(str(draft.get("working_time")))
    wishes = texts.INTERVIEW_WISH_CHOICES.get(str(draft.get("wishes")))
    areas = draft.get("need_areas") or []
    facts = {
        "children": "; ".join(bands) or tr(texts.INTERVIEW_NO_CHILDREN),
        "relatives": not_said
        if relatives is None
        else tr(texts.INTERVIEW_YES if relatives else texts.INTERVIEW_NO).lower(),
        "commute": ", ".join(_plain(tr(x)) for x in (mode, band) if x) or not_said,
        "working_time": tr(working_time) if working_time else not_said,
        "wishes": tr(wishes).lower() if wishes else not_said,
        "areas": ", ".join(f"{n}. {_area_name(tr, a)}" for n, a in enumerate(areas, start=1))
        or tr(texts.INTERVIEW_NONE),
        "comment": f"«{draft['comment']}»" if draft.get("comment") else tr(texts.INTERVIEW_NONE),
    }
    lines = "\n".join(tr(line).format(**facts) for line in texts.INTERVIEW_SUMMARY_LINES.values())
    edits = [_button(SUMMARY, name, tr(label)) for name, label in texts.INTERVIEW_EDIT.items()]
    rows = (
        (_button(SUMMARY, "confirm", tr(texts.INTERVIEW_CONFIRM)),),
        tuple(edits[:3]),
        tuple(edits[3:]),
    )
    return Reply(tr(texts.INTERVIEW_SUMMARY).format(lines=lines), buttons=rows)


def _plain(label: str) -> str:
    """A button label inside a sentence: without its emoji, lower case."""
    words = [w for w in label.split() if any(ch.isalnum() for ch in w)]
    return " ".join(words).lower()


def _offer_reply(tr: Translate, entry_id: str | None, title: str | None) -> Reply:
    rows: list[tuple[Button, ...]] = [(_button(OFFER, "yes", tr(texts.INTERVIEW_OFFER_YES)),)]
    if entry_id and title:
        info = tr(texts.INTERVIEW_OFFER_INFO).format(title=title)
        rows.append((_button(OFFER, "info", info),))
    rows.append((_button(OFFER, "no", tr(texts.INTERVIEW_OFFER_NO)),))
    return Reply(tr(texts.INTERVIEW_OFFER), buttons=tuple(rows))


def reprompt(desk: Desk, ctx: Context) -> Reply | None:
    """The current question again (after an interruption, or to read a typed button)."""
    if ctx.flow != FLOW or ctx.step is None:
        return None
    if ctx.step == OFFER:
        entry_id = ctx.data.get("entry")
        entry = desk.answerer.entry(str(entry_id)) if entry_id else None
        title = None if entry is None else title_in(entry, ctx.language)
        return _offer_reply(ctx.tr, entry_id, title)
    return _prompt(ctx.tr, ctx.step, ctx.draft(FLOW) or {})


# -- answers -----------------------------------------------------------------------------


def _choose(desk: Desk, ctx: Context, step: str, value: str) -> Step | None:
    """The answer `value` to the question of `step` (the current one); None: not an answer."""
    if step == OFFER:
        return _on_offer(desk, ctx, value)
    draft = ctx.draft(FLOW)
    if draft is None:  # the draft was saved or dropped meanwhile
        return None
    if step == CONSENT and value in ("yes", "no"):
        if value == "no":
            return _leave(ctx, Reply(ctx.tr(texts.INTERVIEW_DECLINED)))
        return _next(ctx, draft, CONSENT)
    if step in (KIDS, RELATIVES) and value in ("yes", "no"):
        return _yes_no_answer(ctx, draft, step, value == "yes")
    if step in BAND_STEPS and value.isdigit() and int(value) <= MAX_COUNT:
        draft[BAND_STEPS[step]] = int(value)
        return _next(ctx, draft, step)
    if step in CHOICES and value.startswith("v") and value[1:].isdigit():
        values = CHOICES[step][0]
        if int(value[1:]) >= len(values):
            return None
        draft[step] = values[int(value[1:])]
        return _next(ctx, draft, step)
    if step == AREAS:
        return _on_area(ctx, draft, value)
    if step == RANK:
        return _on_rank(ctx, draft, value)
    if step == COMMENT and value in ("skip", "clear"):
        if value == "clear":
            draft["comment"] = None
        return _next(ctx, draft, COMMENT)
    if step == SUMMARY:
        return _on_summary(desk, ctx, draft, value)
    return None


def _yes_no_answer(ctx: Context, draft: dict[str, Any], step: str, yes: bool) -> Step:
    if step == RELATIVES:
        draft["dependent_relatives"] = yes
        return _next(ctx, draft, RELATIVES)
    draft["kids"] = yes
    if yes:
        return _next(ctx, draft, KIDS)
    for field in BAND_STEPS.values():
        draft[field] = 0
    return _next(ctx, draft, list(BAND_STEPS)[-1])


def _on_area(ctx: Context, draft: dict[str, Any], value: str) -> Step | None:
    picked = list(draft.get("picked") or [])
    if value in NEED_AREAS:
        draft["picked"] = [a for a in picked if a != value] if value in picked else [*picked, value]
        return _to(ctx, AREAS, draft)
    if value != "done":
        return None
    if len(picked) < 2:  # nothing to rank
        draft["need_areas"] = picked
        return _next(ctx, draft, RANK)
    draft["need_areas"] = []
    return _to(ctx, RANK, draft)


def _on_rank(ctx: Context, draft: dict[str, Any], value: str) -> Step | None:
    ranked = list(draft.get("need_areas") or [])
    remaining = [a for a in draft.get("picked") or [] if a not in ranked]
    if value not in remaining:
        return None
    ranked.append(value)
    remaining.remove(value)
    if len(ranked) < MAX_RANKED and len(remaining) > 1:
        draft["need_areas"] = ranked
        return _to(ctx, RANK, draft)
    draft["need_areas"] = ranked + remaining
    return _next(ctx, draft, RANK)


def _on_summary(desk: Desk, ctx: Context, draft: dict[str, Any], value: str) -> Step | None:
    if value in SECTIONS:
        draft["editing"] = True
        return _to(ctx, SECTIONS[value][0], draft)
    if value != "confirm":
        return None
    user = find_user(ctx.session, user_ref=ctx.user_ref)
    if user is None or user.company_id is None:  # the code was removed meanwhile
        return start(desk, ctx)
    save_interview(
        ctx.session,
        user_ref=ctx.user_ref,
        company_id=user.company_id,
        answers=_answers(draft, user.language),
        now=ctx.now,
    )
    return _leave(ctx, Reply(ctx.tr(texts.INTERVIEW_SAVED)))


def _on_offer(desk: Desk, ctx: Context, value: str) -> Step | None:
    if value == "yes":
        wish = ctx.data.get("wish")
        return start(desk, ctx, str(wish) if wish else None)
    if value == "no":
        return Step.done(Reply(ctx.tr(texts.INTERVIEW_OFFER_DECLINED)))
    entry = desk.answerer.entry(str(ctx.data.get("entry"))) if value == "info" else None
    if entry is None:
        return None
    ctx.record.entry_ids = [entry.id]
    return desk.answerer.serve(ctx, entry)


def on_typed(desk: Desk, ctx: Context, event: Event) -> Step | None:
    """A typed answer to the current question: "sì"/"no", a count in words, the comment."""
    step = ctx.step or ""
    if event.urgent is not None:
        return None  # a person, distress, privacy: heard first, then this question again
    if step == COMMENT:
        comment = (event.text or "").strip()[:COMMENT_LENGTH]
        draft = ctx.draft(FLOW)
        if not comment or draft is None:
            return None
        draft["comment"] = comment
        return _next(ctx, draft, COMMENT)
    if step in BAND_STEPS:
        count = _NUMBER_WORDS.get(fold(event.text or "").strip(" .!"))
        if count is None and event.reply == "deny":
            count = 0
        return None if count is None else _choose(desk, ctx, step, str(count))
    yes_no = {"affirm": "yes", "deny": "no"}.get(event.reply or "")
    if yes_no is None:
        return None
    if step in (OFFER, CONSENT, KIDS, RELATIVES):
        return _choose(desk, ctx, step, yes_no)
    if step == SUMMARY and yes_no == "yes":
        return _choose(desk, ctx, step, "confirm")
    return None


def other_text(desk: Desk, ctx: Context, event: Event) -> Step:
    """Text that answers no question: a short one asks again, anything else is a question.

    A question is answered as usual and the interview waits in the drafts for /bisogni.
    """
    text = event.text or ""
    prompt = reprompt(desk, ctx)
    if ctx.step != OFFER and len(text.split()) <= SHORT_WORDS and "?" not in text and prompt:
        return Step(
            FLOW, ctx.step, (Reply(ctx.tr(texts.INTERVIEW_UNCLEAR)), prompt), dict(ctx.data)
        )
    answer = questions.ask(desk, ctx, event)
    return answer.after(Reply(ctx.tr(texts.INTERVIEW_PAUSED))) if ctx.draft(FLOW) else answer


def _on_press(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    """A button of the interview: live only while its question is the current one, or is
    the one the interview was left at (a question asked half-way, then the button pressed)."""
    draft = ctx.draft(FLOW)
    live = (ctx.flow, ctx.step) == (FLOW, press.step)
    left_here = ctx.flow != FLOW and draft is not None and draft.get("at") == press.step
    if not (live or left_here):
        return None
    return _choose(desk, ctx, press.step, press.value)


def _on_start(desk: Desk, ctx: Context, press: callbacks.Press) -> Step | None:
    if press.value == "go":
        return start(desk, ctx)
    if press.value == "profile":
        return profile.start(desk, ctx)
    return None


INTERVIEW = Flow(
    name=FLOW,
    steps={step: on_typed for step in (OFFER, *ORDER)},
    buttons={START: _on_start, **{step: _on_press for step in (OFFER, *ORDER)}},
    other_text=other_text,
    resumable=True,
    reprompt=reprompt,
)

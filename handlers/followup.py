"""Reading a message with what came before it: follow-ups, yes/no questions, two questions.

A short or elliptical message right after an answer ("e per la materna?", "quindi…?") means
little alone; read with the question just answered it usually means what the user meant. Both
readings are searched and the better-supported one is kept, so a follow-up that is really a new
question ("e il congedo parentale?") still finds its own entry.

A yes/no follow-up gets a plain "Sì"/"No" line only when the entry itself settles it (a figure
above every figure the entry gives, a place the entry lists); otherwise the entry alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from handlers import texts
from handlers.context import Context
from handlers.i18n import Translate, italian
from knowledge.text import fold

if TYPE_CHECKING:
    from handlers.faq import Analysis, Answerer
    from knowledge import Entry, SearchResult

WINDOW = dt.timedelta(minutes=15)
"""How long an answered question is kept as the context of the next message."""
MAX_FOLLOW_UP_WORDS = 14

_OPENERS = ("e ", "ed ", "quindi", "allora", "ma ", "anche", "pero", "invece", "e'", "pure")
_WH = re.compile(
    r"\b(come|quanto|quanti|quanta|quante|quando|dove|cosa|che cosa|chi|quale|quali|perche)\b"
)
_YES_NO_OPENERS = ("quindi", "allora", "posso", "si puo", "e vero", "ma allora", "anche", "vale")
_NEGATION = re.compile(r"\b(non|no|niente|mai|esclus\w*|vietat\w*)\b")
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?:\s?(?:€|euro))?")
_SPLIT = re.compile(r"\?+|\n+| e poi ")
_STOP_WORDS = (
    "il lo la i gli le un uno una di a da in con su per tra fra e o ma se che mi ti ci si vi "
    "anche quindi allora posso puo usarli usare usarlo usarla li lo devono dare stesso pure "
    "sono ho hai ha del della dei delle al alla ai alle nel nella nei nelle io mio mia"
)
_STOP = frozenset(_STOP_WORDS.split())


def previous_question(ctx: Context, flow: str, state: str) -> str | None:
    """The question answered last, if the conversation is still right after it."""
    if (ctx.flow, ctx.step) != (flow, state):
        return None
    question, at = ctx.data.get("question"), ctx.data.get("at")
    if not isinstance(question, str) or not isinstance(at, str):
        return None
    if ctx.now - dt.datetime.fromisoformat(at) > WINDOW:
        return None
    return question


def continues(text: str) -> bool:
    """Opens like a continuation of the last answer ("e…", "anche…", "quindi…")."""
    return fold(text).strip().startswith(_OPENERS)


def is_follow_up(text: str) -> bool:
    """Short, or opening like a continuation ("e…", "quindi…", "ma…", "anche…")."""
    folded = fold(text).strip()
    words = folded.split()
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return False
    return len(words) <= 4 or folded.startswith(_OPENERS)


def search_in_context(
    answerer: Answerer, ctx: Context, analysis: Analysis, previous: str, previous_entry: str
) -> SearchResult:
    """The better-supported of "previous question + message" and the message alone.

    The combined reading leans on the previous question, so its best entry tends to be the
    one just served. Hence: a message that finds its own, different answer keeps it unless the
    combined reading scores higher; when the combined reading only finds the previous entry
    again while the message alone points at another entry that the combined reading also ranks
    near the top, that other entry is the new thing asked ("e la mensa della scuola materna?"
    after the nursery); otherwise the reading with the better decision wins.
    """
    language = analysis.language.code
    alone = answerer.search_analysed(ctx, analysis)
    combined = answerer.search(ctx, answerer.prepare(f"{previous} {analysis.text}"), None, language)
    if alone.best is None or combined.best is None:
        return combined if alone.best is None else alone
    own = alone.best.entry.id
    if alone.decision == "answer" and own != previous_entry:
        return alone if alone.best.score >= combined.best.score else combined
    near = [hit.entry.id for hit in combined.hits[:3]]
    if combined.best.entry.id == previous_entry and own != previous_entry and own in near:
        return replace(alone, decision="answer", candidates=(alone.best,))
    return combined if _rank(combined) >= _rank(alone) else alone


def _rank(result: SearchResult) -> int:
    if result.decision == "answer":
        return 1 if result.candidates[0].entry.is_referral else 3
    return 2 if result.decision == "clarify" else 0


def split_questions(text: str) -> list[str]:
    """The parts of a message that ask separate things ("…nido? e i buoni pasto?")."""
    parts = [p.strip(" ,.;") for p in _SPLIT.split(text)]
    return [p for p in parts if len(p.split()) >= 3]


def yes_or_no(text: str, previous: str, entry: Entry, tr: Translate = italian) -> str | None:
    """A "Sì"/"No" line for a yes/no follow-up, only when `entry` settles it; else None.

    `tr` words the line in the user's language."""
    folded = fold(text).strip()
    if _WH.search(folded) or not folded.startswith(_YES_NO_OPENERS):
        return None
    sentences = [fold(x) for x in re.split(r"\n+|(?<=[.;!?])\s+", entry.answer) if x.strip()]
    asked = [n for n in (_number(m) for m in _AMOUNT.finditer(folded)) if n >= 10]
    if asked:
        verdict = _amount_verdict(asked, sentences)
        return None if verdict is None else tr(texts.FOLLOW_UP_NO_AMOUNT).format(most=verdict)
    new = [
        w for w in re.findall(r"[a-z]{4,}", folded) if w not in _STOP and w not in fold(previous)
    ]
    if len(new) != 1:
        return None
    stem = new[0][:-1] if len(new[0]) > 5 else new[0]
    said = [sentence for sentence in sentences if stem in sentence]
    if said and not any(_NEGATION.search(sentence) for sentence in said):
        return tr(texts.FOLLOW_UP_YES)
    return None


def _amount_verdict(asked: list[int], sentences: list[str]) -> str | None:
    """The entry's highest figure when the answer is "no": every figure asked is above the
    figures the entry affirms, or is one it denies ("se hai letto 4.000 €, non è così"); None
    when the entry affirms that figure."""
    affirmed: list[int] = []
    denied: list[int] = []
    for sentence in sentences:
        figures = [_number(m) for m in _AMOUNT.finditer(sentence) if not _is_year(m)]
        figures = [n for n in figures if n >= 10]
        (denied if _NEGATION.search(sentence) else affirmed).extend(figures)
    if not affirmed or any(n in affirmed for n in asked):
        return None
    if all(n > max(affirmed) or n in denied for n in asked):
        return _euro(max(affirmed))
    return None


def _is_year(match: re.Match[str]) -> bool:
    """ "2026" is a year; "2.000", "2000 €" are amounts."""
    written = match.group(0)
    return written.isdigit() and 1900 <= int(written) <= 2100


def _number(match: re.Match[str]) -> int:
    return int(match.group(1).replace(".", ""))


def _euro(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " €"

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
from typing import TYPE_CHECKING

from handlers import texts
from handlers.context import Context
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


def is_follow_up(text: str) -> bool:
    """Short, or opening like a continuation ("e…", "quindi…", "ma…", "anche…")."""
    folded = fold(text).strip()
    words = folded.split()
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return False
    return len(words) <= 4 or folded.startswith(_OPENERS)


def search_in_context(
    answerer: Answerer, ctx: Context, analysis: Analysis, previous: str
) -> SearchResult:
    """The better-supported of "previous question + message" and the message alone.

    Elliptical messages lean on the previous question: its reading wins unless it decides
    worse (a fallback where the message alone finds an answer). Either way, a tie goes to
    the reading whose best entry is closer to what was written.
    """
    alone = answerer.search(ctx, analysis.prepared, analysis.vector)
    combined = answerer.search(ctx, answerer.prepare(f"{previous} {analysis.text}"), None)
    if _rank(combined) > _rank(alone):
        return combined
    if _rank(combined) < _rank(alone):
        return alone
    if fold(analysis.text).strip().startswith(_OPENERS) or len(analysis.text.split()) <= 4:
        return combined
    return combined if _similarity(combined) > _similarity(alone) else alone


def _rank(result: SearchResult) -> int:
    if result.decision == "answer":
        return 1 if result.candidates[0].entry.is_referral else 3
    return 2 if result.decision == "clarify" else 0


def _similarity(result: SearchResult) -> float:
    return result.best.similarity if result.best is not None else 0.0


def split_questions(text: str) -> list[str]:
    """The parts of a message that ask separate things ("…nido? e i buoni pasto?")."""
    parts = [p.strip(" ,.;") for p in _SPLIT.split(text)]
    return [p for p in parts if len(p.split()) >= 3]


def yes_or_no(text: str, previous: str, entry: Entry) -> str | None:
    """A "Sì"/"No" line for a yes/no follow-up, only when `entry` settles it; else None."""
    folded = fold(text).strip()
    if _WH.search(folded) or not (folded.startswith(_YES_NO_OPENERS) or folded.endswith("?")):
        return None
    answer = fold(entry.answer)
    asked = [_number(m) for m in _AMOUNT.finditer(folded)]
    asked = [n for n in asked if n >= 10]
    if asked:
        given = [_number(m) for m in _AMOUNT.finditer(answer)]
        given = [n for n in given if n >= 10 and not 1900 <= n <= 2100]
        if given and all(n > max(given) for n in asked):
            return texts.FOLLOW_UP_NO_AMOUNT.format(most=_euro(max(given)))
        return None
    new = [
        w for w in re.findall(r"[a-z]{4,}", folded) if w not in _STOP and w not in fold(previous)
    ]
    if len(new) != 1:
        return None
    stem = new[0][:-1] if len(new[0]) > 5 else new[0]
    for sentence in re.split(r"[\n.;]+", answer):
        if stem in sentence:
            if _NEGATION.search(sentence):
                return None
            return texts.FOLLOW_UP_YES
    return None


def _number(match: re.Match[str]) -> int:
    return int(match.group(1).replace(".", ""))


def _euro(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " €"

"""Reduce a long chat message to its question before it is searched.

People write to a help desk the way they write an e-mail: a greeting, who they are, the
question, thanks, a signature; an upset person repeats a word ("urgente urgente urgente") or a
sentence. None of that is about welfare, yet all of it reaches BM25 (repeated words swamp the
score) and the encoder (the vector drifts toward "greeting"), so a long message could miss an
entry a short one finds. The reduction only removes: it never rewrites what is left, and a
message that is nothing but a greeting is returned as it came, for the small-talk reply.
"""

from __future__ import annotations

import re

from knowledge.text import fold, tokenize

_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+|\n+")
_WORD_RUN = re.compile(r"\b(\w+)(?:[\s,;:.!?]+\1\b)+", re.IGNORECASE)

COURTESY_WORDS: frozenset[str] = frozenset(
    """
    ciao salve buongiorno buonasera buon giorno sera pomeriggio gentile gentili egregio spett
    spettabile cari caro cara gentilissimi gentilissima gentilissimo grazie mille anticipo
    ringrazio ringraziamo ringraziando saluti saluto cordiali cordialmente distinti un
    abbraccio a presto buona giornata serata ok scusate scusa disturbo per il la in e tanti
    tante molte infinite attendo attesa vostra risposta riscontro resto disposizione
    hello hi dear thanks thank you regards best kind
    buna ziua multumesc hola gracias bonjour merci përshëndetje faleminderit
    """.split()  # noqa: SIM905 - a word list reads better as text
)
"""Words a greeting, a thank-you or a sign-off is made of; a sentence of only these goes."""

MAX_SIGNATURE_WORDS = 4
"""A last line this short after a sign-off ("Grazie, Maria Rossi") is taken for a signature."""

MAX_REPEATS = 2
"""How often one word may count: an upset "urgente" repeated ten times is said twice here."""


def condense(text: str) -> str:
    """The message without courtesies, signature and repetitions; unchanged if that is all."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    kept: list[str] = []
    seen: set[str] = set()
    after_sign_off = False
    for position, sentence in enumerate(sentences):
        words = tokenize(sentence)
        if not words or all(w in COURTESY_WORDS for w in words):
            after_sign_off = bool(kept)
            continue
        signed = after_sign_off or words[0] in COURTESY_WORDS
        if position == len(sentences) - 1 and kept and signed and _looks_like_signature(sentence):
            continue
        cleaned = _strip_courtesy_edges(_collapse_runs(sentence))
        key = " ".join(tokenize(cleaned))
        if key in seen:
            continue
        seen.add(key)
        kept.append(cleaned)
    condensed = _limit_repeats(" ".join(s for s in kept if s))
    return condensed if tokenize(condensed) else text


def _collapse_runs(sentence: str) -> str:
    """ "urgente urgente, urgente" → "urgente"."""
    return _WORD_RUN.sub(r"\1", sentence)


def _strip_courtesy_edges(sentence: str) -> str:
    """Drop a leading "Buongiorno," or a trailing ", grazie mille" around the question."""
    parts = re.split(r"(,\s*)", sentence)
    while len(parts) > 2 and _only_courtesy(parts[0]):
        parts = parts[2:]
    while len(parts) > 2 and _only_courtesy(parts[-1]):
        parts = parts[:-2]
    return "".join(parts).strip()


def _only_courtesy(fragment: str) -> bool:
    words = tokenize(fragment)
    return bool(words) and all(w in COURTESY_WORDS for w in words)


def _looks_like_signature(sentence: str) -> bool:
    """A short trailing line of names ("Maria Rossi", "Grazie, Luca - magazzino")."""
    words = [w for w in tokenize(sentence) if w not in COURTESY_WORDS]
    raw_words = re.findall(r"[^\W\d_]+", sentence)
    capitalised = sum(1 for w in raw_words if w[:1].isupper() and fold(w) not in COURTESY_WORDS)
    return 0 < len(words) <= MAX_SIGNATURE_WORDS and "?" not in sentence and capitalised >= 1


def _limit_repeats(text: str) -> str:
    """Keep each word at most `MAX_REPEATS` times, in order of appearance."""
    counts: dict[str, int] = {}
    out: list[str] = []
    for token in text.split():
        key = fold(re.sub(r"\W", "", token))
        if key:
            counts[key] = counts.get(key, 0) + 1
            if counts[key] > MAX_REPEATS and len(key) > 2:
                continue
        out.append(token)
    return " ".join(out)

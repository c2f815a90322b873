"""Reduce a long chat message to its question before it is searched.

People write to a help desk the way they write an e-mail: a greeting, who they are, the story,
the question, thanks, a signature; an upset person repeats a word ("urgente urgente urgente")
or a phrase ("per favore per favore"). Little of that is about welfare, yet all of it reaches
BM25 (repeated words swamp the score; unknown words lower the share of the message the base
covers) and the encoder (the vector drifts toward the story), so a long message could miss the
entry its one question would find. Three steps, each only removing, never rewriting:

1. courtesies and the signature go: sentences made of greetings and thanks, and what follows
   the last of them at the end of the message;
2. repetitions go: a word or a short phrase said several times in a row is said once, and a
   sentence repeated is read once;
3. in a long message the sentences that ask something (a question mark, "volevo sapere…",
   "posso…") are the query, when there are any.

A message that is nothing but a greeting comes back as it was, for the small-talk reply.
"""

from __future__ import annotations

import re

from knowledge.text import STOP_WORDS, tokenize

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*\n+\s*")
_CLAUSE = re.compile(r"(,\s*)")
_REPEATED_PHRASE = re.compile(r"\b(\w+(?:\s+\w+){0,2})(?:[\s,;:.!]+\1\b)+", re.IGNORECASE)

COURTESY_WORDS: frozenset[str] = frozenset(
    """
    ciao salve buongiorno buonasera buon giorno sera pomeriggio gentile gentili egregio spett
    spettabile cari caro cara gentilissimi gentilissima gentilissimo tutti tutte grazie mille
    anticipo ringrazio ringraziamo ringraziando ringraziamento tantissimo tanto tante tanti
    saluti saluto salutoni cordiali cordialmente distinti abbraccio presto buona giornata
    serata ok okay scusate scusa scusi disturbo disturbare pazienza attenzione attendo attesa
    risposta riscontro resto disposizione favore cortesia gentilezza aiuto
    hello hi dear thanks thank regards best kind please
    buna ziua multumesc hola gracias saludos bonjour merci cordialement pershendetje
    faleminderit
    """.split()  # noqa: SIM905 - a word list reads better as text
)
"""Words greetings, thanks and sign-offs are made of (folded, as `tokenize` gives them)."""

ASKING = re.compile(
    r"\?|\b(?:volevo|vorrei|volevamo|vorremmo|chiedo|chiedevo|domando|domandavo|"
    r"sapere|capire|posso|possiamo|si\s+pu[oò]|[eè]\s+possibile|come\s+(?:faccio|si|posso|"
    r"funziona|devo|fare)|quanto|quanti|quando|quale|dove|spetta|spettano|rientra|rientrano|"
    r"vale|valgono)\b",
    re.IGNORECASE,
)
"""What makes a sentence a request rather than a piece of the story."""

FOCUS_ABOVE_CHARS = 240
"""Messages longer than this are searched by their asking sentences, when they have some."""

MAX_TAIL_WORDS = 8
"""After the last courtesy at the end, this many words or fewer are a signature."""

MAX_NAME_WORDS = 3
""""Grazie, Maria Rossi": a thank-you with this many words after it is a signed sign-off."""


def condense(text: str) -> str:
    """The message reduced to what it asks; unchanged if nothing would be left."""
    sentences = _sentences(text)
    sentences = _without_sign_off(sentences)
    kept: list[str] = []
    seen: set[str] = set()
    for sentence in sentences:
        if _is_courtesy(sentence):
            continue
        cleaned = _strip_courtesy_clauses(_REPEATED_PHRASE.sub(r"\1", sentence))
        key = " ".join(tokenize(cleaned))
        if not key or key in seen:
            continue
        seen.add(key)
        kept.append(cleaned)
    condensed = " ".join(kept)
    if len(condensed) > FOCUS_ABOVE_CHARS:
        asking = [s for s in kept if ASKING.search(s)]
        if asking:
            condensed = " ".join(asking)
    return condensed if tokenize(condensed) else text


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _content(fragment: str) -> list[str]:
    return [w for w in tokenize(fragment) if w not in STOP_WORDS and not w.isdigit()]


def _is_courtesy(fragment: str) -> bool:
    """Greetings, thanks, apologies for the trouble: no question and hardly a word besides."""
    if "?" in fragment:
        return False
    words = _content(fragment)
    if not words:
        return not tokenize(fragment) or all(w in STOP_WORDS for w in tokenize(fragment))
    polite = sum(1 for w in words if w in COURTESY_WORDS)
    return polite / len(words) >= 0.6


def _without_sign_off(sentences: list[str]) -> list[str]:
    """Drop the closing thanks and the short signature after it ("Grazie, Maria Rossi")."""
    for index in range(len(sentences) - 1, 0, -1):
        tail = sentences[index + 1 :]
        if sum(len(tokenize(s)) for s in tail) > MAX_TAIL_WORDS or any("?" in s for s in tail):
            break
        head, *rest = _CLAUSE.split(sentences[index])
        signed = _is_courtesy(head) and len(tokenize("".join(rest))) <= MAX_NAME_WORDS
        if _is_courtesy(sentences[index]) or signed:
            return sentences[:index]
    return sentences


def _strip_courtesy_clauses(sentence: str) -> str:
    """Drop a leading "Buongiorno a tutti," or a trailing ", grazie mille" around the question."""
    parts = _CLAUSE.split(sentence)
    while len(parts) > 2 and _is_courtesy(parts[0]):
        parts = parts[2:]
    while len(parts) > 2 and _is_courtesy(parts[-1]):
        parts = parts[:-2]
    return "".join(parts).strip()

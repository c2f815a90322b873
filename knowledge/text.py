"""Text normalisation for lexical retrieval.

People write to the desk from a phone: no accents ("perche", "e" for "è"), elisions
("dell'asilo"), thousands separators ("2.000 euro"), typos. Lexical matching only works if the
query and the knowledge base are reduced to the same forms, so both go through `analyze`:
fold accents and case, split elisions, drop stop words, and stem with the Italian Snowball
stemmer. Typo tolerance sits on top, in `TypoCorrector`, because it needs the corpus vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"[a-z0-9]+|[\u0621-\u064a]+")
"""Latin words and numbers after folding, and Arabic words (folding already dropped Arabic's
short-vowel marks and the hamza of أ/إ/آ, so spellings with and without them meet)."""
_ARABIC_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|ال|لل)(?=[\u0621-\u064a]{2})")
_DIGIT_GROUP = re.compile(r"(?<=\d)[.\s](?=\d{3}\b)")

# Function words that carry no topic: Italian, then the English, Romanian, Spanish, French,
# Albanian and Arabic ones workers mix in (without them, a Romanian "pentru" or "meu" makes
# any two Romanian texts look alike). Kept small on purpose: words like "non", "senza",
# "figli" and "anni" can decide between two entries, so they stay.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a ad al allo ai agli all alla alle c che chi ci col con cosa come cui d da dal dallo dai dagli
    dall dalla dalle de degli dei del dell della delle dello di e ed gli ha hai hanno ho i il in
    io l la le lei li lo loro lui ma me mi mia mie miei mio ne negli nei nel nell nella nelle
    nello o per piu po qua quale quali quando quanta quante quanti quanto quella quelle quelli
    quello questa queste questi questo qui s sa se si sia siamo sono su sua sue sui sul sull
    sulla sulle suo suoi t ti tra tu tua tue tuo tuoi un una uno vi vostro voi anche gia ancora
    essere stato stata sto sta stai fa fare fatto puo posso possiamo potete possono devo deve
    dobbiamo devono vorrei voglio
    the is are am do does i my me you your of to in on for and or an what how can which with at
    be it this that from
    pentru meu mea mei mele tau ta cu sa si din care este sunt nu ce cum pot poti putem
    am ai are fost lui ei
    para por los las del mis tus puedo puede que como es son
    les des est une pour mon ma mes je pas qui au aux
    te ne nje dhe per mund
    هل في من على الى ان ما لي عن هذه هذا مع او
    """.split()  # noqa: SIM905 - a word list reads better as text
)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case and strip accents, so "perché", "perche'" and "PERCHE" meet.

    A turn folds its message a dozen times (intents, hand-off cues, follow-ups), so recent
    results are kept; plain ASCII, most messages, has nothing to decompose.
    """
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Folded word tokens; "2.000" becomes "2000" so figures match however they are typed."""
    return [_ARABIC_ARTICLE.sub("", t) for t in _TOKEN.findall(_DIGIT_GROUP.sub("", fold(text)))]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("italian")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Italian Snowball stem of an already folded word (cached: the vocabulary is small)."""
    return str(_stemmer().stemWord(word))


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: stop words and one-letter leftovers of elisions removed."""
    return [t for t in tokenize(text) if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]


def analyze(text: str) -> list[str]:
    """The terms BM25 indexes: content words, stemmed."""
    return [stem(word) for word in content_words(text)]


class TypoCorrector:
    """Maps an unknown query word to the closest known word (symmetric-delete spelling).

    Only words the corpus does not contain are corrected, and only within one edit for short
    words or two for long ones, so a correct but rare word is never "fixed" into another. The
    delete index makes a look-up a handful of dict probes instead of a scan of the vocabulary.
    """

    def __init__(self, words: Iterable[str], min_length: int = 4) -> None:
        self._frequency: Counter[str] = Counter(words)
        self._min_length = min_length
        self._deletes: dict[str, list[str]] = {}
        for word in self._frequency:
            if len(word) < min_length:
                continue
            for variant in _deletes(word, self._max_distance(word)):
                self._deletes.setdefault(variant, []).append(word)

    @staticmethod
    def _max_distance(word: str) -> int:
        return 2 if len(word) >= 8 else 1

    def __contains__(self, word: str) -> bool:
        return word in self._frequency

    def correct(self, word: str) -> str | None:
        """The known word the user most likely meant, or None when nothing is close enough."""
        if word in self._frequency or len(word) < self._min_length or word.isdigit():
            return None
        limit = self._max_distance(word)
        candidates: set[str] = set()
        for variant in _deletes(word, limit) | {word}:
            candidates.update(self._deletes.get(variant, ()))
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            distance = damerau_levenshtein(word, candidate)
            if distance > min(limit, self._max_distance(candidate)):
                continue
            key = (distance, -self._frequency[candidate], candidate)
            if best is None or key < best:
                best = key
        return best[2] if best else None


def _deletes(word: str, distance: int) -> set[str]:
    """Every string reachable from `word` by removing up to `distance` characters."""
    level = {word}
    found: set[str] = set()
    for _ in range(distance):
        level = {w[:i] + w[i + 1 :] for w in level for i in range(len(w))}
        found |= level
    return found


def damerau_levenshtein(a: str, b: str) -> int:
    """Edit distance counting an adjacent swap ("rimborso" / "rimbroso") as one edit."""
    rows = len(a) + 1
    cols = len(b) + 1
    dist = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        dist[i][0] = i
    for j in range(cols):
        dist[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            dist[i][j] = min(dist[i - 1][j] + 1, dist[i][j - 1] + 1, dist[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                dist[i][j] = min(dist[i][j], dist[i - 2][j - 2] + 1)
    return dist[-1][-1]

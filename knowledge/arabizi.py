"""Arabizi: Arabic written in Latin letters, with digits for the letters Latin lacks.

Many Moroccan, Egyptian and Levantine workers write Arabic on a Latin keyboard: "wach n9der
nakhod credit welfare l crèche?", "3andi mochkil f portal". Read as Latin text such a message
looks English or French and finds nothing; rewritten in Arabic script it goes the Arabic way
(the Arabic analysis, the Arabic phrasings, the multilingual encoder) and is answered in Arabic.

Recognising it must never take an English, French, Spanish, Romanian, Albanian or Italian
message for Arabic, so only two kinds of evidence count:

* words with an Arabizi digit joined to letters ("n9der", "3andi", "ch7al"), leaving out the
  Latin uses of digits next to letters (ordinals "3rd", "2ème"; times and units "9am", "5kg";
  codes "b2b", "F24", "mp3");
* Arabic function words that no other desk language writes ("wach", "bghit", "dyal", "ezay",
  "bidi"); those that are also words elsewhere ("fin", "ana", "men", "wash") only add to other
  evidence.

A message is Arabizi with two pieces of strong evidence, or one strong and one weak. The
transliteration is a letter table, not a dictionary: good enough for the encoder and for the
Arabic analysis's light stemming, not a spelling anyone would print.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable
from typing import Final

_ARABIZI_DIGITS: Final = "235789"


def _word_set(listing: str) -> frozenset[str]:
    """The words of a blank-separated listing (kept as text: easier to read and extend)."""
    return frozenset(listing.split())


_STRONG: Final = _word_set(
    """wach wesh bghit bghiti bghina kanbghi nbghi kifach kifash kifch dyal dyali dyalek
    dyalna dyalhom diali lli illi 3la 3and 3andi ndir kandir kayn kayna kaynin makaynch
    3lach 3lah ezay ezzay izay eih 3ayez 3ayza 3awez bidi baddi biddi shu shou chno chnou chnu
    shno achno daba hna wakha 3afak 3afek bezaf bzaf chwiya ghadi ghan khasni khassni khass
    ya3ni bta3 bta3i bta3et bta3ti 3ashan 3shan ma3lesh hayda hayde hal2a halla2 ktir kteer
    lesh leish wein fein feen emta imta 9adesh 2adesh addesh 2addeh bchhal ch7al chhal ma3
    mazal mazel ma3raftch mafhemtch ma3rftch fhamt mafhamtch"""
)
"""Arabic function words written in Latin letters that no other desk language writes."""

_WEAK: Final = _word_set(
    """fin ana nta nti howa hiya mach kif ma men mn fi leh wen shi mesh msh dial wash bach ach
    kaman el al ya la li"""
)
"""Arabizi words that are also words (or names) in other languages: supporting evidence only."""

_SINGLE: Final = frozenset("flbwk")
"""One-letter Arabizi prepositions and conjunctions ("f", "l", "b", "w"): written as letters."""
_SINGLE_WEAK: Final = frozenset("fbw")
"""Those that add weak evidence: not "l", which French and Italian elision leave ("l'ora")."""

_LATIN_DIGIT_WORD: Final = re.compile(
    r"""\d+(?:st|nd|rd|th|e|er|re|ere|ème|eme|ème|o|a|°|º|h|am|pm|k|kg|km|g|gb|mb|m|cm|mm
         |x|min|ore|mesi|anni|euro|eur|fa|d)
      |[b-df-hj-np-tv-z]\d[b-df-hj-np-tv-z]|h2o|[^\W\d_]+\d+|\d+""",
    re.VERBOSE,
)
"""Latin uses of digits in words: ordinals, times, units, codes such as "b2b", "F24", "mp3",
and any word whose digits only end it ("modello730", "isee2025", "parola12": numbered names)."""

_WORD: Final = re.compile(r"[^\W_]+")
_LETTER_DIGIT: Final = re.compile(rf"[^\W\d_][{_ARABIZI_DIGITS}]|[{_ARABIZI_DIGITS}][^\W\d_]")


def _digit_word(token: str) -> bool:
    """A word written with an Arabizi digit for a letter ("n9der", "3andi", "l7a9")."""
    if not _LETTER_DIGIT.search(token) or sum(c.isalpha() for c in token) < 2:
        return False
    return _LATIN_DIGIT_WORD.fullmatch(token) is None


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def is_arabizi(text: str) -> bool:
    """Whether `text` is Arabic written in Latin letters (see the module's docstring)."""
    strong = weak = 0
    for token in _words(text):
        if _digit_word(token) or token in _STRONG:
            strong += 1
        elif token in _WEAK or token in _SINGLE_WEAK:
            weak += 1
    return strong >= 2 or (strong == 1 and weak >= 1)


_DIGRAPHS: Final = (
    ("3'", "غ"),
    ("7'", "خ"),
    ("9'", "ض"),
    ("sh", "ش"),
    ("ch", "ش"),
    ("kh", "خ"),
    ("gh", "غ"),
    ("th", "ث"),
    ("dh", "ذ"),
    ("ou", "و"),
    ("oo", "و"),
    ("ee", "ي"),
    ("aa", "ا"),
)
_CONSONANTS: Final = {
    "b": "ب",
    "p": "ب",
    "t": "ت",
    "j": "ج",
    "g": "ج",
    "d": "د",
    "r": "ر",
    "z": "ز",
    "s": "س",
    "ç": "س",
    "f": "ف",
    "v": "ف",
    "q": "ق",
    "k": "ك",
    "c": "ك",
    "l": "ل",
    "m": "م",
    "n": "ن",
    "h": "ه",
    "w": "و",
    "y": "ي",
    "x": "كس",
    "2": "ء",
    "3": "ع",
    "5": "خ",
    "6": "ط",
    "7": "ح",
    "8": "غ",
    "9": "ق",
}
_VOWELS: Final = {"a": "a", "à": "a", "â": "a", "e": "e", "é": "e", "è": "e", "ê": "e"}
_VOWELS_I: Final = frozenset("iîïy")
_VOWELS_U: Final = frozenset("ouôû")


def _units(word: str) -> list[str]:
    """The word cut into sounds: digraphs first, a doubled consonant once (no shadda)."""
    units: list[str] = []
    i = 0
    while i < len(word):
        for latin, arabic in _DIGRAPHS:
            if word.startswith(latin, i):
                units.append(arabic)
                i += len(latin)
                break
        else:
            char = word[i]
            if not (units and char in _CONSONANTS and units[-1] == _CONSONANTS[char]):
                units.append(_CONSONANTS.get(char, char))
            i += 1
    return units


def _is_vowel(unit: str) -> bool:
    return unit in _VOWELS or unit in _VOWELS_I or unit in _VOWELS_U


def _word_to_arabic(word: str) -> str:
    """One Arabizi word in Arabic script.

    Short vowels are not written in Arabic: a vowel in a closed syllable (before two consonants
    or a final consonant after "e") is dropped, "a" before one consonant is a long ا, "i" is ي,
    "o"/"u" are و. A word starts with ا when it starts with a vowel.
    """
    units = _units(word)
    out: list[str] = []
    for i, unit in enumerate(units):
        if not _is_vowel(unit):
            out.append(unit)
            continue
        if i == 0:
            out.append("ا")
            continue
        after = units[i + 1 : i + 3]
        closed = len(after) == 2 and not any(_is_vowel(u) for u in after)
        if unit in _VOWELS_I:
            out.append("ي")
        elif unit in _VOWELS_U:
            out.append("" if closed else "و")
        elif _VOWELS.get(unit) == "a":
            out.append("" if closed else "ا")
        # "e" is a short vowel: never written
    return "".join(out)


def latin_words(texts: Iterable[str]) -> frozenset[str]:
    """The words in Latin letters of `texts` (casefolded): what `to_arabic` may keep.

    Each also without its accents: on a phone keyboard "crèche" is often typed "creche".
    """
    return frozenset(
        form
        for text in texts
        for word in _words(text)
        if word.isalpha() and not any("\u0600" <= c <= "\u06ff" for c in word)
        for form in (word, _unaccented(word))
    )


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def to_arabic(text: str, keep: Container[str] = frozenset()) -> str:
    """`text` (Arabizi) in Arabic script, the words in `keep` left in Latin letters.

    `keep` holds the Latin words the desk's knowledge base uses ("welfare", "credit", "badante",
    "crèche"): workers mix them into Arabic, and the Arabic phrasings and the encoder read them
    as they are. Arabizi words and one-letter prepositions are always transliterated, even where
    they are also Latin words ("fin", "ma"); numbers ("104") stay as they are.
    """
    parts: list[str] = []
    for piece in re.split(r"([^\W_]+)", text):
        word = piece.casefold()
        if not piece or not _WORD.fullmatch(piece):
            parts.append(" " if piece in ("'", "’") else piece)
        elif word.isdigit():
            parts.append(piece)
        elif _digit_word(word) or word in _STRONG or word in _WEAK or word in _SINGLE:
            parts.append(_word_to_arabic(word))
        elif word in keep or len(word) == 1:
            parts.append(piece)
        else:
            parts.append(_word_to_arabic(word))
    return "".join(parts)

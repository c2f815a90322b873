"""Which language a message is written in, offline and in well under a millisecond.

Workers of the network write in Italian, English, Romanian, Albanian, Arabic, Spanish and French,
and many of their messages are one or two words ("da", "po", "oui", "sì", "no"). Statistical
detectors read such messages poorly (py3langid, the best small one measured, gets 83 % of short
chat messages right; see bench/results/multilingual.md), so detection works in three steps:

1. Arabic script decides Arabic by itself, and so does Arabic written in Latin letters and
   digits, "Arabizi" ("wach n9der nakhod credit welfare?", knowledge.arabizi).
2. A chat lexicon of the replies people actually send (yes, no, thanks, hello, okay, roles…)
   decides when every word of the message is in it. Some words belong to several languages
   ("no": Italian, Spanish, English; "si": Italian, Spanish; "salut": Romanian, French): then the
   hint breaks the tie — the user's stored language or Telegram's `language_code` — and without a
   hint Italian, the desk's own language, is assumed when it is among them.
3. Otherwise py3langid (a naive Bayes model over byte n-grams shipped inside its package),
   restricted to the seven languages, with the lexicon's words and the hint as extra evidence.

The hint is evidence, never the answer: a Romanian phone writing a long Italian question is
Italian.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from knowledge.arabizi import is_arabizi

LANGUAGES: Final = ("it", "en", "ro", "sq", "ar", "es", "fr")
"""The languages the desk detects; Italian first: it is the desk's own language."""

DEFAULT_LANGUAGE: Final = "it"

LEXICON_CONFIDENCE: Final = 0.9
"""Confidence of a message the lexicon alone decides for one language."""
LEXICON_FACTOR: Final = 4.0
"""How much more likely a known chat word makes its languages, in the statistical step."""
HINT_FACTOR: Final = 2.0
"""How much more likely the hint makes its language, in the statistical step."""
ARABIZI_CONFIDENCE: Final = 0.9
"""Confidence of a message recognised as Arabizi: sure enough to switch the reply language."""
ARABIC_SHARE: Final = 0.5
"""Share of letters in Arabic script from which a message is Arabic."""

_WORDS: Final[Mapping[str, str]] = {
    "it": """sì si no ok okay grazie mille ciao buongiorno buonasera salve arrivederci va bene
        certo certamente esatto perfetto accetto non accettare accetta capito ho capisco nn
        lavoratore lavoratrice dipendente azienda datore di lavoro socio socia sono un una
        d'accordo daccordo aiuto per favore prego scusa scusi voglio parlare con persona
        operatore vabbè boh niente altro dopo adesso ora subito sicuro sicuramente giusto
        benissimo bene molto tante cosa come quando dove perché che chi cooperativa welfare""",
    "en": """yes yeah yep no nope ok okay thanks thank you thx hi hello hey good morning
        afternoon evening bye goodbye see you please sure of course agree accept i i'm am
        don't do not understand worker employee employer company help want to talk a person
        human great fine right correct what now later maybe my me why how welfare""",
    "ro": """da nu ok mersi mulțumesc multumesc mulțumim multumim frumos mult bună buna ziua
        seara dimineața dimineata salut la revedere pa te rog vă va rog sigur desigur bine
        de acord accept înțeleg inteleg am înțeles inteles nu înțeleg lucrător lucrator
        muncitor muncitoare angajat angajată angajata sunt firma firmă compania ajutor vreau
        să sa vorbesc cu cineva acum mai târziu tarziu poftim ce este cum când cand unde
        exact corect perfect welfare""",
    "sq": """po jo ok faleminderit flm rrofsh përshëndetje pershendetje mirëdita miredita
        mirëmëngjes miremengjes mirëmbrëma mirembrema tungjatjeta tung ç'kemi çkemi ckemi
        mirupafshim natën naten mirë mire shumë shume në ne rregull dakord pranoj nuk e
        kuptoj kuptova punëtor punetor punëtore punetore punonjës punonjes jam kompania
        firma ndihmë ndihme të lutem te lutem dua flas me dikë dike tani më vonë me vone
        sigurisht saktë sakte çfarë cfare si kur ku pse welfare""",
    "es": """sí si no vale ok okay gracias muchas hola buenos buenas días dias tardes noches
        adiós adios hasta luego pronto por favor claro de acuerdo acepto entiendo no
        trabajador trabajadora empleado empleada soy empresa ayuda quiero hablar con una
        persona ahora después despues bueno perfecto exacto qué que cómo como cuándo cuando
        dónde donde welfare""",
    "fr": """oui ouais non ok okay merci beaucoup bonjour bonsoir salut au revoir à bientôt
        s'il vous plaît plait te stp svp bien sûr sur d'accord daccord j'accepte accepte
        je ne comprends pas compris travailleur travailleuse salarié salariée salarie
        employé employée employe entreprise société aide veux parler à quelqu'un
        maintenant plus tard parfait exactement quoi comment quand où pourquoi ça va c'est
        welfare""",
}
"""Chat words per language: replies, greetings, thanks, consent, roles. Not the test sets."""

_ALONE: Final[Mapping[str, tuple[str, ...]]] = {
    "da": ("ro",),
    "po": ("sq",),
    "non": ("fr",),
    "nu": ("ro",),
}
"""Whole-message readings that differ from the word's reading inside a sentence.

Italian has "da" and "po'" and "non", but an Italian never answers with them alone."""

_ARABIC_BLOCKS: Final = (
    ("\u0600", "\u06ff"),
    ("\u0750", "\u077f"),
    ("\ufb50", "\ufdff"),
    ("\ufe70", "\ufeff"),
)

_TOKEN: Final = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _is_arabic(char: str) -> bool:
    """Arabic, Arabic Supplement and the presentation forms some keyboards produce."""
    return any(low <= char <= high for low, high in _ARABIC_BLOCKS)


def _build_lexicon(words: Mapping[str, str]) -> dict[str, frozenset[str]]:
    languages: dict[str, set[str]] = {}
    for code, listing in words.items():
        for word in listing.split():
            languages.setdefault(word.casefold(), set()).add(code)
    return {word: frozenset(codes) for word, codes in languages.items()}


_LEXICON: Final = _build_lexicon(_WORDS)


@dataclass(frozen=True)
class Language:
    """A detected language: an ISO 639-1 code of `LANGUAGES` and how sure detection is (0-1)."""

    code: str
    confidence: float


def normalise_hint(hint: str | None) -> str | None:
    """A language code the desk knows, from Telegram's IETF tag ("en-US" → "en") or a profile."""
    if not hint:
        return None
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


class LanguageDetector:
    """Detects the language of chat messages; safe to share between threads."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier: Any = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(LANGUAGES))
        self._identifier = identifier
        # py3langid keeps no per-call state, but its numpy scratch is not documented as
        # thread-safe; a lock costs nothing next to the encoder.
        self._lock = threading.Lock()

    def detect(self, text: str, hint: str | None = None) -> Language:
        """The language of `text`; `hint` (stored or Telegram language) breaks ties."""
        known_hint = normalise_hint(hint)
        letters = [c for c in text if c.isalpha()]
        if not letters:
            return Language(known_hint or DEFAULT_LANGUAGE, 0.0)
        if sum(1 for c in letters if _is_arabic(c)) / len(letters) >= ARABIC_SHARE:
            return Language("ar", 1.0)
        if is_arabizi(text):
            return Language("ar", ARABIZI_CONFIDENCE)
        tokens = [t.replace("’", "'") for t in _TOKEN.findall(text.casefold())]
        alone = _ALONE.get(tokens[0]) if len(tokens) == 1 else None
        if alone is not None:
            return Language(alone[0], LEXICON_CONFIDENCE)
        votes = _lexicon_votes(tokens)
        if tokens and all(t in _LEXICON for t in tokens):
            return _decide_by_lexicon(votes, known_hint)
        return self._decide_by_model(text, votes, known_hint)

    def _decide_by_model(self, text: str, votes: Mapping[str, int], hint: str | None) -> Language:
        with self._lock:
            ranked: list[tuple[str, float]] = self._identifier.rank(text)
        weights = {code: max(float(p), 1e-9) for code, p in ranked}
        for code, count in votes.items():
            weights[code] *= LEXICON_FACTOR**count
        if hint is not None:
            weights[hint] *= HINT_FACTOR
        total = math.fsum(weights.values())
        code = max(weights, key=lambda c: weights[c])
        return Language(code, weights[code] / total)


def _lexicon_votes(tokens: Iterable[str]) -> dict[str, int]:
    """For each language, how many of the tokens its chat words include."""
    votes = dict.fromkeys(LANGUAGES, 0)
    for token in tokens:
        for code in _LEXICON.get(token, ()):
            votes[code] += 1
    return votes


def _decide_by_lexicon(votes: Mapping[str, int], hint: str | None) -> Language:
    best = max(votes.values())
    leaders = [code for code in LANGUAGES if votes[code] == best]
    if len(leaders) == 1:
        return Language(leaders[0], LEXICON_CONFIDENCE)
    share = 1 / len(leaders)
    if hint in leaders:
        return Language(hint, share)
    if DEFAULT_LANGUAGE in leaders:
        return Language(DEFAULT_LANGUAGE, share)
    return Language(leaders[0], share)


_default: LanguageDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> LanguageDetector:
    """The process-wide detector, loaded on first use (about a second, 5 MB model)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = LanguageDetector()
        return _default


def detect(text: str, hint: str | None = None) -> Language:
    """The language of one message with the shared detector (see `LanguageDetector.detect`)."""
    return default_detector().detect(text, hint)

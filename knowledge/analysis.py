"""Lexical analysis in the language a text is written in, for the non-Italian search path.

`knowledge.text` reduces everything with the Italian stemmer, which is right for the Italian
knowledge base and nearly blind for other languages: "copilului" / "copii", "fëmijës" /
"fëmijët", "الحضانة" / "حضانه" stay different words, so a Romanian question matches a
Romanian phrasing only where both happen to use the same inflected form. Here each language
gets its own reduction, applied alike to the phrasings of that language and to a question
detected in it:

- Snowball stemmers (PyStemmer, already a dependency) for English, Romanian, Spanish, French
  and Arabic; Albanian has none, so `albanian_stem` strips its case and article endings;
- folding as in `knowledge.text` (accents, Romanian ş/ș and ţ/ț, Albanian ë/ç), plus for Arabic
  the spellings phones mix: ة/ه, ى/ي, the tatweel, Arabic-Indic digits;
- the function words of each language, which would otherwise make any two texts of one
  language look alike ("pentru", "cfarë", "est-ce que").

Italian text, and a language without an entry here, goes through `knowledge.text` unchanged,
so the Italian search path is not touched by this module.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

from knowledge.text import STOP_WORDS, fold, tokenize
from knowledge.text import stem as italian_stem

ITALIAN = "it"

_SNOWBALL: dict[str, str] = {
    "en": "english",
    "ro": "romanian",
    "es": "spanish",
    "fr": "french",
    "ar": "arabic",
}

# Folded (accent-free) function words per language. Only words that say nothing about a
# topic: question words such as "how much" / "sa" / "cât" and negations stay out of the list
# when they could separate two entries ("not used" credit), the rest is grammar. Arabic also
# lists the spoken forms Moroccan, Egyptian and Levantine workers type ("واش", "ديال",
# "عايز"): without them every darija phrasing would look like every other.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(words.split())
    for language, words in {
        "en": """
            a an the is are am was were be been being do does did i my me mine you your we our
            us they their them he she his her it its of to in on at for from with by and or but
            what how which who when where why this that these those there here will would
            should could can may might if about as so just also any some get got have has had
            don hi hello please thanks thank
        """,
        "ro": """
            a al ai ale am ar are as asa asta aceasta acest acesta aceste acestea aici ca care
            ce cei cel cea cu cum da daca de din dupa e ea el ei eu fi fie imi iti ii in intr
            intr-un la le lor lui ma mai meu mea mei mele ne nu o pe pentru pt pot poate poti
            prin sa sau se si sunt ta tau te tu un una unui unei vreau va vor buna ziua salut
            multumesc va rog ul ului urile trebuie trebui face fac facut facem
            dat dau dea iau mi ti il iti au ati avem aveti este era fost nici dar doar tot toata
            toate toti ceva cineva acum deja inca foarte niste despre catre bine ok mersi
            merci salutare seara dimineata noi voi nostru noastra vostru voastra primi primesc
            primeste primim primiti primit primita
        """,
        "sq": """
            a ai ajo apo asaj ate atij cdo cfare dhe do duhet e eshte jam jane ju kam ka kete ky
            keto kjo me mua ne nese nje per qe se si te tim tij ime im une ti po nga mund por
            i u ma mi ia jo disa pershendetje faleminderit lutem
        """,
        "ar": """
            هل في من على الى ان ما لي عن هذه هذا مع او كيف ماذا متى هو هي انا انت نحن هم التي
            الذي كان يكون نعم عند بعد قبل كل اي ذلك تلك ثم لم لن قد به بها له لها يا السلام
            عليكم مرحبا شكرا لدي لديه لديها لدينا لديك لديهم عليه عليها عليك يمكن يمكنني
            يمكنك ممكن واش شنو كيفاش فين وين ازاي ايش شو عايز عاوز بدي بغيت ديال ديالي ديالك
            نقدر تقدر يقدر ينفع
            ديالو ديالها ديالنا ديالهم بتاع بتاعي بتاعك بتاعت بتاعتي بتاعه بتاعها بتاعنا تبع تبعي
            تبعك تبعه تبعها تبعنا نتاع نتاعي ايه عشان علشان اللي يلي لو الا اذا لما بس كمان برضو
            يعني مش مو ماشي هاد هادا هادي هاذ هذي دابا هلق هلا هيك كده كدا ليش ليه علاش فاش باش
            منين امتى وقتاش مين شكون اش شنهو راه راني بزاف برشا اوي كتير شويه ايوه اه حتى غير
            فيني فيي بقدر اقدر نقدر بغا نبغي حاب حابب عايزه عاوزه بدنا بدك ابغي ابي اعرف نعرف
            بعرف عندي عندك عندنا زي الحين
        """,
        "es": """
            a al con de del el en es la las le les lo los mi mis me se si su sus tu tus te que
            como cual cuando donde para por un una uno unos unas y o pero yo tengo puedo puede
            hay muy esta este esto eso estoy soy hola buenas buenos dias gracias
        """,
        "fr": """
            a au aux avec ce ces cet cette dans de des du elle en est et il ils je la le les
            leur ma mes mon ne nous on ou par pas pour qu que qui sa se ses son sur ta te tes
            ton tu un une vous y ca c d j l m n s t est-ce suis ai bonjour merci
        """,
    }.items()
}

_ARABIC_SPELLINGS = str.maketrans(
    {"ة": "ه", "ى": "ي", "ـ": None, **{chr(0x0660 + d): str(d) for d in range(10)}}
)
_ARABIC_EXTENDED_DIGITS = str.maketrans({chr(0x06F0 + d): str(d) for d in range(10)})

# Endings stripped by the light stemmers, longest first, folded (Albanian ë is e, Romanian ă/â
# are a). Albanian: definite and plural forms of nouns ("fëmijës", "fëmijët", "fëmijëve"), the
# ablative plural ("dokumentesh"). Romanian: the enclitic article and plural ("copilului",
# "tichetele", "creșei", "facturilor"); Snowball's Romanian stemmer reads ă and â, which workers
# rarely type, so on folded text it splits "cresa" / "cresei" and is not used.
_LIGHT_ENDINGS: dict[str, tuple[str, ...]] = {
    "sq": (
        "eve", "ave", "ive", "uve", "esh", "ash", "ise", "ese", "ete", "ja", "je", "ve", "se",
        "te", "et", "it", "ut", "at", "in", "un", "en", "an", "es", "is", "us", "ne", "ra",
    ),
    "ro": (
        "urilor", "iilor", "ului", "ilor", "elor", "iile", "iii", "iei", "ele", "ile", "lor",
        "ul", "le", "ei", "ii", "ia", "ea",
    ),
}  # fmt: skip
_SOFT_END = {"sq": "aeiuyj", "ro": "aeiu"}
# Romanian verbs and the nouns made from them, once the article and soft end are gone:
# "rambursare / rambursarea / rambursează / rambursat" all reach "ramburs", "impozit /
# impozitat / impozitează" "impoz". Stripped repeatedly while the root stays four letters
# long, so a participle of a participle ends where the bare verb does.
_DERIVATIONAL_ENDINGS: dict[str, tuple[str, ...]] = {
    "ro": ("easc", "eaz", "esc", "est", "ar", "ir", "at", "it", "ez"),
}
# Stems of irregular plurals the endings cannot bring together: Romanian "copil" (child)
# has the plural "copii" / "copiii" / "copiilor", the word workers use most in this domain.
_IRREGULAR_STEMS: dict[str, dict[str, str]] = {"ro": {"copil": "cop", "copi": "cop"}}
_MIN_STEM = 3
_MIN_ROOT = 4

# Arabic writes conjunctions (و "and", ف "so"), prepositions (ب "with", ل "for", ك "like")
# and possessives (ي "my", ك "your", ه / ها "his / her", نا "our", هم / كم "their / your")
# inside the word: "لزوجتي" is "for my wife", "وأولادي" "and my children". Snowball strips
# some of them, not all, and a noun's ة becomes ت before a possessive ("زوجة" / "زوجتي").
_ARABIC_CONJUNCTIONS = "وف"
_ARABIC_PREPOSITIONS = "بلك"
_ARABIC_POSSESSIVES = ("كما", "هما", "كم", "كن", "هم", "هن", "ها", "نا", "ي", "ك", "ه")
_ARABIC_MIN_WORD = 3


def is_analysed(language: str | None) -> bool:
    """Whether `language` has an analysis of its own (otherwise: the Italian one)."""
    return language in _SNOWBALL or language in _LIGHT_ENDINGS


def normalize(text: str, language: str | None) -> str:
    """Folded text; Arabic also gets one spelling for the letters phones write two ways."""
    folded = fold(text)
    if language == "ar":
        folded = folded.translate(_ARABIC_SPELLINGS).translate(_ARABIC_EXTENDED_DIGITS)
    return folded


def content_words(text: str, language: str | None) -> list[str]:
    """Folded tokens of `text` that carry meaning in `language`: its function words, the
    Italian ones (workers mix them in) and one-letter leftovers removed."""
    function_words = _FUNCTION_WORDS.get(language or ITALIAN, frozenset())
    return [
        token
        for token in tokenize(normalize(text, language))
        if token not in STOP_WORDS
        and token not in function_words
        and (len(token) > 1 or token.isdigit())
    ]


def stem(word: str, language: str | None) -> str:
    """The stem of an already folded word in `language` (Italian's when it has none)."""
    if language in _LIGHT_ENDINGS:
        return light_stem(word, language)
    algorithm = _SNOWBALL.get(language or ITALIAN)
    if algorithm is None:
        return italian_stem(word)
    return _snowball(algorithm, word)


@lru_cache(maxsize=65536)
def _snowball(algorithm: str, word: str) -> str:
    return str(_stemmer(algorithm).stemWord(word))


@lru_cache(maxsize=8)
def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(algorithm)


@lru_cache(maxsize=65536)
def light_stem(word: str, language: str) -> str:
    """Light stemming for Albanian and Romanian: one case/article/plural ending, then the soft
    end of the stem.

    Both languages mark definiteness, case and number with endings on the noun ("shkolla",
    "shkollës", "shkollat", "shkollave"; "creșa", "creșei", "creșele"); stripping them brings
    those forms to one stem. Lone consonant endings (-n, -t, -s) are stripped only after a
    vowel, as part of a two-letter ending, so a bare stem such as "pension" is left whole and
    meets "pensioni" / "pensionin" at "pension". Final vowels (and Albanian j) then go while the
    root stays long enough, so "fëmija", "fëmijë" and "fëmijës" all become "femi". Digits and
    short words are left alone.
    """
    if word.isdigit() or len(word) <= _MIN_ROOT:
        return word
    for ending in _LIGHT_ENDINGS[language]:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            word = word[: -len(ending)]
            break
    word = _strip_soft_end(word, language)
    derivational = _DERIVATIONAL_ENDINGS.get(language, ())
    stripped = True
    while stripped:
        stripped = False
        for ending in derivational:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_ROOT:
                word = _strip_soft_end(word[: -len(ending)], language)
                stripped = True
                break
    return _IRREGULAR_STEMS.get(language, {}).get(word, word)


def _strip_soft_end(word: str, language: str) -> str:
    soft = _SOFT_END[language]
    while len(word) > _MIN_ROOT and word[-1] in soft:
        word = word[:-1]
    return word


def feminine_noun(word: str, language: str | None) -> str | None:
    """The bare form of an Arabic feminine noun written with a possessive, else None.

    A noun's ة becomes ت before a possessive ("زوجة" wife, "زوجتي" my wife; "شركة" /
    "شركتي"), which Snowball does not undo: its stems differ ("زوج" / "زوجت"). So the search
    also reads such a word as the noun itself, with a leading conjunction or preposition
    taken off too ("لزوجتي", for my wife): ت and a possessive at the end are evidence enough
    that the word carries clitics. Plurals in -ات ("بياناتي", my data) keep their ت.
    """
    if language != "ar":
        return None
    for suffix in _ARABIC_POSSESSIVES:
        noun = word[: -len(suffix)]
        if word.endswith(suffix) and len(noun) >= _ARABIC_MIN_WORD:
            if noun.endswith("ت") and not noun.endswith("ات"):
                return _without_prefixes(noun[:-1] + "ه")[-1]
            return None
    return None


# Everyday words of spoken Arabic (Moroccan, Egyptian, Levantine) that the phrasings and
# translations, written mostly in Standard Arabic, say with another word: the search reads each
# also as its standard counterpart ("الفلوس" money → "مال", "مراتي" my wife → "زوجة",
# "الكريدي" the credit → "رصيد"). Keys and values normalised as `normalize` leaves them, keys
# without the article or a possessive (both are taken off before the look-up).
_ARABIC_DIALECT_FORMS: dict[str, tuple[str, ...]] = {
    "فلوس": ("مال", "مبلغ"),
    "ورق": ("وثايق", "مستندات"),
    "اوراق": ("وثايق", "مستندات"),
    "وراق": ("وثايق", "مستندات"),
    "مرات": ("زوجه",),
    "مرت": ("زوجه",),
    "مرا": ("زوجه",),
    "عيال": ("اطفال", "اولاد"),
    "دراري": ("اطفال", "اولاد"),
    "ولاد": ("اولاد", "اطفال"),
    "ولد": ("ابن", "طفل"),
    "شغل": ("عمل",),
    "خدمه": ("عمل",),
    "شغال": ("اعمل",),
    "خدام": ("اعمل",),
    "كريدي": ("رصيد",),
    "دجنبر": ("ديسمبر",),
    "دجمبر": ("ديسمبر",),
    "اتوبيس": ("حافله",),
    "طوبيس": ("حافله",),
    "باص": ("حافله",),
    "ابونمان": ("اشتراك",),
    "تران": ("قطار",),
    "قطر": ("قطار",),
    "جيم": ("رياضه", "نادي"),
    "كريش": ("حضانه",),
    "روض": ("حضانه",),
    "بريم": ("مكافاه",),
    "خلصه": ("راتب",),
    "مرتب": ("راتب",),
    "عيان": ("مريض",),
    "دار": ("بيت", "منزل"),
    "دكتور": ("طبيب",),
    "دوا": ("دواء", "ادويه"),
}
_ARABIC_NEGATION_SUFFIX = "ش"


# Everyday Romanian that the phrasings and translations, written in the words of the entries,
# say otherwise: keyed by the word's stem (`light_stem`), read also as the listed words.
# "bani înapoi" (money back) is how workers say "rambursare" / "decont", the word of every
# reimbursement entry; without it "înapoi" and "bani" alone lean on whatever entry mentions
# money, such as the credit left at the end of the year. "leafă" is the pay slip's "salariu";
# "dădacă" the "bonă" (baby-sitter); "stomatolog" the "dentist". Son and daughter words are
# not read as "copil": measured, they pulled nursery and flexible-hours questions towards the
# school entries, whose phrasings say "copii" most.
_ROMANIAN_EVERYDAY_FORMS: dict[str, tuple[str, ...]] = {
    "inapo": ("rambursare", "decont"),
    "return": ("rambursare",),
    "leaf": ("salariu",),
    "dadac": ("bona",),
    "stomatolog": ("dentist",),
}


def dialect_equivalents(word: str, language: str | None) -> list[str]:
    """The words of the entries an everyday word stands for: Standard Arabic for spoken
    Arabic (`_ARABIC_DIALECT_FORMS`), the entries' Romanian for everyday Romanian
    (`_ROMANIAN_EVERYDAY_FORMS`); empty for other languages and unlisted words.

    An Arabic word is looked up as written and with its clitics off: a leading conjunction,
    preposition or article ("بالكريدي", with the credit) and a trailing possessive
    ("مراتي", my wife). A Romanian word is looked up by its stem, so every inflection
    ("băiatul", "băiatului", "băieții") finds its entry.
    """
    if language == "ro":
        return list(_ROMANIAN_EVERYDAY_FORMS.get(light_stem(word, language), ()))
    if language != "ar":
        return []
    found: list[str] = []
    for form in _without_prefixes(word):
        readings = [form]
        for suffix in _ARABIC_POSSESSIVES:
            if form.endswith(suffix) and len(form) - len(suffix) >= 2:
                readings.append(form[: -len(suffix)])
        for reading in readings:
            found.extend(_ARABIC_DIALECT_FORMS.get(reading, ()))
    return list(dict.fromkeys(found))


def _without_prefixes(word: str) -> list[str]:
    """`word`, then each shorter form with a leading conjunction, preposition, article off."""
    forms = [word]
    for letters in (_ARABIC_CONJUNCTIONS, _ARABIC_PREPOSITIONS):
        rest = forms[-1]
        if rest[:1] and rest[0] in letters and len(rest) > _ARABIC_MIN_WORD:
            forms.append(rest[1:])
    rest = forms[-1]
    if rest.startswith("ال") and len(rest) - 2 >= _ARABIC_MIN_WORD:
        forms.append(rest[2:])
    return forms


def clitic_variants(word: str, language: str | None) -> list[str]:
    """Other readings of an already normalised word with its clitics taken off, most
    likely first; empty for languages that do not attach them (all but Arabic).

    The search tries these only for a query word whose own stem the index does not know
    (`BM25Index.query_terms`): "لابني" ("for my son") then meets "ابن", "ولأولادي" ("and
    for my children") "اولاد", while a word the index knows as it is, such as "بطاقة"
    ("card", not ب + "طاقة") or "والدين" ("parents", not و + "دين"), is never cut.
    """
    if language != "ar":
        return []
    bases = _without_prefixes(word)
    # Spoken Arabic negates a verb with ش at its end ("ما صرفتش", I did not spend; "ماعرفتش"):
    # the verb is the word without it (and without a ما written on to it).
    if word.endswith(_ARABIC_NEGATION_SUFFIX) and len(word) > _ARABIC_MIN_WORD + 1:
        verb = word[:-1]
        if verb.startswith("ما") and len(verb) - 2 >= _ARABIC_MIN_WORD:
            verb = verb[2:]
        bases = [*bases, *_without_prefixes(verb)]
    variants: list[str] = []
    for base in bases[1:]:
        noun = feminine_noun(base, language)
        if noun is not None:
            variants.append(noun)
        variants.append(base)
    return [variant for variant in dict.fromkeys(variants) if variant != word]

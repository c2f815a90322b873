"""Typed answers to the desk's questions, in the seven languages: yes, no, and a role.

The intent classifier hears "sì", "oui" or "نعم" well but not every short reply a worker
sends in their own language ("da", "jo", "po, pranoj", "nu, mulțumesc"), and a refused "da" at
the consent step loses the person. These lists are read first: a message made only of yes
words (and thanks, please) is a yes, only of no words a no; a message that mixes them, or says
anything else, is left to the classifier.

Words are compared folded (lower case, no accents: knowledge.text.fold), whole words only.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from knowledge.text import fold

Reply = Literal["affirm", "deny"]
MAX_WORDS = 6
"""The longest yes or no the lists hold ("je n'accepte pas, merci"); longer is something else."""

_YES: Final = """
    si sì certo certamente esatto accetto va bene d'accordo daccordo ok okay
    yes yeah yep yup sure of course i agree agree i accept accept alright all right
    da sigur desigur bineinteles de acord sunt de acord accept bine
    po sigurisht dakord jam dakord pranoj mire ne rregull
    sí claro vale acepto de acuerdo estoy de acuerdo por supuesto
    oui ouais bien sur d'accord je suis d'accord j'accepte
    نعم أجل اجل أكيد اكيد موافق موافقة أوافق اوافق حسنا طيب
"""
_NO: Final = """
    no non nessuno niente non accetto non ce l'ho no grazie
    no nope no thanks i don't agree i do not agree not now
    nu nu accept nu sunt de acord nu multumesc
    jo nuk pranoj jo faleminderit
    no no acepto no gracias
    non non merci je n'accepte pas je refuse
    لا لا أوافق لا اوافق لا شكرا
"""
_COURTESY: Final = """
    grazie per favore please thanks thank you thx
    multumesc mersi te rog va rog
    faleminderit flm te lutem
    gracias por favor
    merci s'il vous plait stp svp
    شكرا من فضلك
"""


def _phrases(listing: str) -> list[str]:
    """The phrases of a listing: one a line, or one a word on lines of single words."""
    phrases: list[str] = []
    for line in listing.strip().splitlines():
        phrases += _split_line(_normal(line))
    return phrases


def _split_line(line: str) -> list[str]:
    """Known multi-word phrases stay whole (the longest first: "nu sunt de acord" is not also
    "de acord"); the other words of the line stand alone."""
    multi: list[str] = []
    for phrase in _MULTI_WORD:
        pattern = rf"(?<!\w){re.escape(phrase)}(?!\w)"
        if re.search(pattern, line):
            multi.append(phrase)
            line = re.sub(pattern, " ", line)
    return multi + line.split()


def _normal(text: str) -> str:
    """Folded, with apostrophes as spaces and any other punctuation gone."""
    folded = fold(text).replace("'", " ").replace("’", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


_MULTI_WORD: Final = tuple(
    sorted(
        {
            _normal(p)
            for p in (
                "va bene",
                "d'accordo",
                "of course",
                "i agree",
                "i accept",
                "all right",
                "de acord",
                "sunt de acord",
                "ne rregull",
                "jam dakord",
                "de acuerdo",
                "estoy de acuerdo",
                "por supuesto",
                "bien sur",
                "je suis d'accord",
                "j'accepte",
                "non accetto",
                "non ce l'ho",
                "no grazie",
                "no thanks",
                "i don't agree",
                "i do not agree",
                "not now",
                "nu accept",
                "nu sunt de acord",
                "nu multumesc",
                "nuk pranoj",
                "jo faleminderit",
                "no acepto",
                "no gracias",
                "non merci",
                "je n'accepte pas",
                "je refuse",
                "لا أوافق",
                "لا اوافق",
                "لا شكرا",
                "per favore",
                "thank you",
                "te rog",
                "va rog",
                "te lutem",
                "por favor",
                "s'il vous plait",
                "من فضلك",
            )
        },
        key=lambda p: (-len(p), p),
    )
)
_KINDS: Final = (("deny", _NO), ("affirm", _YES), ("courtesy", _COURTESY))


def _lexicon() -> list[tuple[str, str]]:
    """(phrase, kind), longest phrases first, so "no grazie" is read before "no"."""
    seen: dict[str, str] = {}
    for kind, listing in _KINDS:
        for phrase in _phrases(listing):
            seen.setdefault(phrase, kind)
    return sorted(seen.items(), key=lambda item: (-len(item[0]), item[0]))


_LEXICON: Final = _lexicon()
_PATTERN: Final = re.compile(
    "|".join(rf"(?<!\w){re.escape(phrase)}(?!\w)" for phrase, _ in _LEXICON)
)
_KIND_OF: Final = dict(_LEXICON)


def yes_or_no(text: str) -> Reply | None:
    """ "da", "po, pranoj", "oui merci", "نعم" → affirm; "jo", "nu, mulțumesc", "لا" → deny.

    None when the message says anything else, or both yes and no.
    """
    normal = _normal(text)
    if not normal or len(normal.split()) > MAX_WORDS:
        return None
    kinds = {_KIND_OF[match.group(0)] for match in _PATTERN.finditer(normal)}
    if _PATTERN.sub(" ", normal).strip():
        return None
    kinds.discard("courtesy")
    if kinds == {"affirm"}:
        return "affirm"
    if kinds == {"deny"}:
        return "deny"
    return None


Role = Literal["worker", "company"]

_WORKER: Final = re.compile(
    r"(?<!\w)("
    r"lavorat|dipendent|operai|impiegat|socio"  # it
    r"|worker|employee|staff member"  # en
    r"|lucrato(r|are)|muncito(r|are)|angajat(a|ul|e|i)?(?!\w)|salariat"  # ro: m. and f.
    r"|punetor|punonjes"  # sq
    r"|trabajador|emplead[oa]s?(?!\w)|obrer[oa]"  # es
    r"|travailleu|salarie|employe(e|s|es)?(?!\w)|ouvri"  # fr
    r"|(ال)?عامل|(ال)?موظف"  # ar
    r")"
)
_COMPANY: Final = re.compile(
    r"(?<!\w)("
    r"aziend|impres|datore|titolar|hr|risorse umane|personale"  # it
    r"|company|employer|human resources|business owner"  # en
    r"|firm|compani|angajator|patron|resurse umane"  # ro
    r"|kompani|punedhen|burime njerezore"  # sq
    r"|empresa|empleador|recursos humanos"  # es
    r"|entreprise|employeur|societe|ressources humaines"  # fr
    r"|(ال)?شرك|صاحب (ال)?عمل|الموارد البشرية|(ال)?موسس"  # ar
    r")"
)
"""Word starts, folded as messages are (Arabic loses its hamza: مؤسسة is read موسسة), that
name a role when someone types it instead of pressing a button."""


def role_from_text(text: str) -> Role | None:
    """ "sono una lavoratrice", "sunt muncitor", "أنا عامل" → worker; "ufficio personale",
    "je suis l'employeur", "الموارد البشرية" → company; None when unclear or both."""
    normal = _normal(text)
    worker = _WORKER.search(normal) is not None
    company = _COMPANY.search(normal) is not None
    if worker == company:
        return None
    return "worker" if worker else "company"

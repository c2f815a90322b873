"""Whose question is it: a message written from the employer's side.

The role chosen at onboarding is a prior, not a fact about every message: the HR contact of a
small cooperative often onboards as a worker (they are one), then asks how to start a plan. Such a
message says so in its own words ("siamo una cooperativa", "i nostri dipendenti", "come datore
di lavoro", "possiamo dedurre…"), and then the worker's preference would push the right,
company-side entry down. Only clear cues count; a worker's "siamo a novembre" or "non siamo
sposati" is not one. Italian only: the phrasings of other languages carry no audience.
"""

from __future__ import annotations

import re

_COMPANY = r"(?:azienda|ditta|impresa|cooperativa|coop|societ[aà]|associazione|rete|srl|spa)"
_STAFF = r"(?:dipendenti|lavoratori|lavoratrici|collaboratori|soci|personale|clienti)"

EMPLOYER_VOICE = re.compile(
    r"\b(?:"
    rf"siamo\s+(?:una?|l'|un')\s*(?:piccola\s+|grande\s+|media\s+)?(?:{_COMPANY}|ufficio)"
    rf"|(?:la\s+)?nostra\s+{_COMPANY}|(?:i\s+)?(?:nostri|miei)\s+{_STAFF}"
    rf"|(?:ai|per\s+i|tra\s+i)\s+(?:nostri\s+)?{_STAFF}"
    r"|come\s+(?:azienda|datore|datori|ditta|impresa|cooperativa|ufficio\s+personale|hr)"
    r"|(?:obblighi|adempimenti)\s+(?:del|dell'|per\s+il|per\s+l')\s*(?:datore|azienda)"
    r"|sono\s+(?:il|la)\s+(?:titolare|responsabile|consulente|datore|datrice)"
    r"|sono\s+(?:titolare|consulente|datore|datrice)"
    r"|possiamo|dobbiamo|vorremmo|volevamo|offriamo|diamo|paghiamo|applichiamo|facciamo"
    r")\b",
    re.IGNORECASE,
)
"""Cues that the writer speaks for the company: "siamo una cooperativa", "i nostri
dipendenti", "come datore di lavoro", "sono la titolare", and the first person plural of what
an employer does ("possiamo dedurre", "diamo 500 euro", "applichiamo il CCNL")."""


def speaks_as_employer(text: str) -> bool:
    """True when the message reads as the employer's question, whatever role its writer chose."""
    return EMPLOYER_VOICE.search(text) is not None

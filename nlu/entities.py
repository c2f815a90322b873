"""A few entities found by rules: amounts, years, ages and company codes.

These are the facts a welfare question turns on ("2.000 euro di fringe benefit nel 2026", "figlio
di 8 anni") or that onboarding needs ("codice ACME24"). They have rigid shapes, so regular
expressions find them in microseconds and never need training data; a trained extractor would
add latency and annotation work for no gain on these four.

Spans index the original text. When two rules claim the same characters the more specific one
wins (a company code over an amount, an amount over a year), so "2025 €" is one amount, not a
year as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from nlu.parse import Entity

MAX_AGE = 120

_NUMBER = r"\d{1,3}(?:[.,']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY = r"(?:€|(?i:euro?|euri|eur)\b)"
_AMOUNT = re.compile(
    rf"(?<![\w.,'])(?P<num>{_NUMBER})\s*{_CURRENCY}"
    rf"|{_CURRENCY}\s*(?P<num2>{_NUMBER})(?!\w)(?![.,]\d)"
)
_YEAR = re.compile(r"(?<![\w.,'€])20(?:2\d|3[0-5])(?![\w]|[.,]\d)")

_AGES = r"\d{1,3}(?:\s*(?:,|\be\b|\bed\b|\band\b|\bsi\b|\bși\b|\bdhe\b|\by\b)\s*\d{1,3})*"
_YEARS_WORD = r"(?:ann[io]|years?(?:[\s-]*old)?|ani|años|vjeç)"
_PERSON = (
    r"(?:figli[oae]?|bimb[oaie]|bambin[oaie]|ragazz[oaie]|nipot[ei]|mamma|madre|padre|pap[aà]"
    r"|babbo|nonn[oaie]|suocer[oaie]|zi[oaie]|fratell[oi]|sorell[ae]|marito|moglie|compagn[oa]"
    r"|genitor[ei]|anzian[oaie]|familiar[ei]|person[ae]|son|daughter|child|kids?|children"
    r"|copil(?:ul)?|fiul|fiica|hij[oa]s?|djal[ie]?|vajz[ae])"
)
# Words that turn "N anni" into a duration ("lavoro da 3 anni"), never skipped over.
_DURATION_WORDS = r"(?:da|per|tra|fra|dopo|fa|negli|ultimi|prossimi|entro|since|for)"
_AGE_PATTERNS = (
    # "figlio di 8 anni", "mia figlia piccola di 3 anni", "figli di 3 e 5 anni"
    re.compile(
        rf"(?i:\b{_PERSON}\b(?:\s+(?!{_DURATION_WORDS}\b)[\w']+){{0,3}}?\s+(?:(?:di|de|of)\s+)?)"
        rf"(?P<nums>{_AGES})\s*(?i:{_YEARS_WORD})\b"
    ),
    # "ha 8 anni", "compie 14 anni" (but not "ho 3 anni di contributi")
    re.compile(
        r"(?i:\b(?:ha|ho|hanno|abbiamo|avete|compie|compiuto|compiuti|compira|compirà|is|are"
        r"|tiene|tengo|ka|kam)\s+)"
        rf"(?P<nums>{_AGES})\s*(?i:{_YEARS_WORD})\b(?!\s+(?i:di|de|of|che)\b)"
    ),
    # "età 8 anni", "eta: 45"
    re.compile(rf"(?i:\bet[aà]\s*(?:di\s*|:\s*)?)(?P<nums>{_AGES})"),
    # "8enne", "un 45-enne"
    re.compile(r"(?<!\w)(?P<nums>\d{1,3})\s*-?\s*(?i:enne)\b"),
)

_CODE_SKIP = r"(?:fiscale|iban|postale|pin|otp|sconto|ateco|ccnl|tributo)"
_COMPANY_CODE = re.compile(
    r"(?i:\b(?:codice|codul|code|c[oó]digo|kodi))"
    rf"(?!\s+(?i:{_CODE_SKIP})\b)"
    r"(?:\s+(?i:aziendale|azienda|dell'azienda|della\s+mia\s+azienda|della\s+ditta|cliente"
    r"|di\s+attivazione|attivazione|welfare|portale|accesso|di\s+accesso|company|firma))?"
    r"\s*(?:[:=]|(?i:è|e|is)\b)?\s*"
    r"(?P<code>[A-Z0-9][A-Z0-9_-]{2,19})(?![\w-])"
)


def extract_entities(text: str) -> tuple[Entity, ...]:
    """Amounts, years, ages and company codes in `text`, ordered by position, never overlapping."""
    taken: list[Entity] = []
    for candidate in _candidates(text):
        if all(candidate.end <= e.start or candidate.start >= e.end for e in taken):
            taken.append(candidate)
    return tuple(sorted(taken, key=lambda e: e.start))


def _candidates(text: str) -> Iterator[Entity]:
    """Every rule's matches, most specific rule first (that order settles overlaps)."""
    for match in _COMPANY_CODE.finditer(text):
        code = match.group("code")
        if re.search(r"[A-Z]", code) and not code.strip("-_").isdigit():
            yield Entity("company_code", code, match.start("code"), match.end("code"))
    for match in _AMOUNT.finditer(text):
        group = "num" if match.group("num") is not None else "num2"
        value = normalise_amount(match.group(group))
        if value is not None:
            yield Entity("amount", value, match.start(), match.end())
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(text):
            offset = match.start("nums")
            for number in re.finditer(r"\d{1,3}", match.group("nums")):
                if int(number.group()) <= MAX_AGE:
                    start = offset + number.start()
                    yield Entity("age", str(int(number.group())), start, offset + number.end())
    for match in _YEAR.finditer(text):
        yield Entity("year", match.group(), match.start(), match.end())


def normalise_amount(number: str) -> str | None:
    """A figure as a plain decimal: "2.000" → "2000", "1.234,50" → "1234.5", "10,5" → "10.5".

    A separator followed by exactly three digits groups thousands, whatever the character, as
    people type both "2.000" and "2,000"; one or two digits after the last separator are cents.
    """
    parts = re.split(r"[.,']", number)
    if len(parts) > 1 and len(parts[-1]) in (1, 2):
        digits = "".join(parts[:-1]) + "." + parts[-1]
    else:
        digits = "".join(parts)
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None
    return format(value.normalize(), "f")

"""The rule-based entities: what each rule finds, what it must leave alone, and overlaps."""

import pytest

from nlu import Entity, extract_entities
from nlu.entities import normalise_amount

pytestmark = pytest.mark.unit


def found(text: str) -> list[tuple[str, str, str]]:
    """(entity, value, the text it covers) for each entity, so spans are checked too."""
    return [(e.entity, e.value, text[e.start : e.end]) for e in extract_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ho 2.000 euro di welfare", [("amount", "2000", "2.000 euro")]),
        ("500€ per il nido", [("amount", "500", "500€")]),
        ("costa € 1.234,50", [("amount", "1234.5", "€ 1.234,50")]),
        ("EUR 300 al mese", [("amount", "300", "EUR 300")]),
        ("sono 10,50 Euro", [("amount", "10.5", "10,50 Euro")]),
        ("1,000 euro in english style", [("amount", "1000", "1,000 euro")]),
        ("258,23 eur di soglia", [("amount", "258.23", "258,23 eur")]),
        ("l'europa e gli europei", []),
        ("3 figli e 2 gatti", []),
    ],
)
def test_amounts(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buoni pasto esenti 2026", [("year", "2026", "2026")]),
        ("dal 2020 al 2035", [("year", "2020", "2020"), ("year", "2035", "2035")]),
        ("nel 2019 e nel 2036", []),
        ("protocollo 120254 e codice 20261", []),
        ("2025 €", [("amount", "2025", "2025 €")]),
        ("fringe benefit 2025/2026", [("year", "2025", "2025"), ("year", "2026", "2026")]),
    ],
)
def test_years(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("figlio di 8 anni", ["8"]),
        ("la mia bimba piccola di 2 anni", ["2"]),
        ("ho due figli di 3 e 5 anni", ["3", "5"]),
        ("mio figlio ha 14 anni", ["14"]),
        ("mia madre ha 82 anni e io lavoro qui da 10 anni", ["82"]),
        ("un 45enne con la madre", ["45"]),
        ("età: 67", ["67"]),
        ("my son is 8 years old", ["8"]),
        ("lavoro qui da 3 anni", []),
        ("ho 3 anni di contributi", []),
        ("negli ultimi 2 anni", []),
        ("figlio di 200 anni", []),
    ],
)
def test_ages(text: str, ages: list[str]) -> None:
    assert [value for entity, value, _ in found(text) if entity == "age"] == ages


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("il codice ACME24 per il portale", ["ACME24"]),
        ("codice azienda: WLF-123", ["WLF-123"]),
        ("il mio codice aziendale è COOP7", ["COOP7"]),
        ("Codice di attivazione = AB12CD", ["AB12CD"]),
        ("codice: abc123", []),
        ("il codice è 12345", []),
        ("codice fiscale RSSMRA80A01H501U", []),
        ("codice IBAN IT60X0542811101000000123456", []),
        ("ho un codice", []),
    ],
)
def test_company_codes(text: str, codes: list[str]) -> None:
    assert [value for entity, value, _ in found(text) if entity == "company_code"] == codes


def test_entities_are_ordered_and_never_overlap() -> None:
    text = "Codice ACME2026: figlio di 8 anni, 1.500 € nel 2026"
    assert extract_entities(text) == (
        Entity("company_code", "ACME2026", 7, 15),
        Entity("age", "8", 27, 28),
        Entity("amount", "1500", 35, 42),
        Entity("year", "2026", 47, 51),
    )


@pytest.mark.parametrize(
    ("number", "value"),
    [("2.000", "2000"), ("1.234,50", "1234.5"), ("10,5", "10.5"), ("1'000", "1000"), ("7", "7")],
)
def test_normalise_amount(number: str, value: str) -> None:
    assert normalise_amount(number) == value

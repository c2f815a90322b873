"""Arabizi (Arabic in Latin letters and digits) is recognised and rewritten in Arabic script.

The recogniser must never take another desk language for Arabic: each language below has
sentences with the traps it meets (ordinals, times, tax-form codes, "fin", "la", "ma", "men").
"""

from __future__ import annotations

import pytest

from knowledge.arabizi import is_arabizi, latin_words, to_arabic
from nlu.language import LanguageDetector

ARABIZI = [
    "wach n9der nakhod credit welfare l crèche?",  # Moroccan
    "3andi mochkil f portal",
    "bghit nkhles l'abonnement dyal tobis",
    "ezay a3raf el credit bta3i?",  # Egyptian
    "shu lazem a3mel la ystarje3o el masari?",  # Levantine
]

NOT_ARABIZI = [
    "I need the 3rd payslip and the 2nd form by 9am, is that fine?",  # English
    "Can my employer pay the bus pass for my kids? Men at work say yes",
    "Je voudrais savoir si le crédit welfare expire à la fin de l'année, c'est la 2ème fois",
    "¿Puedo usar el welfare para la guardería de mi hija? Ya lo pedí",  # Spanish
    "Pot folosi creditul welfare pentru gradinita la 3 ani? Ma intereseaza",  # Romanian
    "A mund ta përdor kreditin welfare për çerdhen? Kam 2 fëmijë",  # Albanian
    "Ma il modulo F24 per il b2b va pagato entro il 16? Ho 5kg di carte",  # Italian
    "quanto mi rimborsano per la legge 104 fin dal 2025?",
    # numbered names: the digits only end the word
    "ho compilato il modello730 e la isee2025, servono per parola2 e parola3 del bando?",
]


@pytest.mark.parametrize("text", ARABIZI)
def test_arabizi_is_recognised_and_detected_as_arabic(text: str) -> None:
    assert is_arabizi(text)
    language = LanguageDetector().detect(text)
    assert language.code == "ar"
    assert language.confidence >= 0.8  # enough to switch the reply language (handlers.engine)


@pytest.mark.parametrize("text", NOT_ARABIZI)
def test_other_languages_are_not_taken_for_arabizi(text: str) -> None:
    assert not is_arabizi(text)


def test_the_letters_and_digits_become_arabic_letters() -> None:
    assert to_arabic("3andi") == "عندي"
    assert to_arabic("kifach") == "كيفاش"
    assert to_arabic("ch7al") == "شحال"
    assert to_arabic("n9der") == "نقدر"
    assert to_arabic("bghit") == "بغيت"


def test_the_knowledge_bases_latin_words_and_numbers_stay_as_written() -> None:
    keep = latin_words(["Il credito welfare per la crèche", "حساب"])
    assert "حساب" not in keep
    out = to_arabic("wach credit welfare l crèche f 104?", keep={*keep, "credit"})
    assert out == "واش credit welfare ل crèche ف 104?"


def test_arabizi_words_are_transliterated_even_when_they_are_latin_words() -> None:
    assert to_arabic("ana fin", keep={"ana", "fin"}) == "انا فين"


def test_a_knowledge_base_word_typed_without_its_accent_stays_latin() -> None:
    keep = latin_words(["la crèche aziendale"])
    assert to_arabic("wach creche", keep=keep) == "واش creche"

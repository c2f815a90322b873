"""Lexical analysis of other languages (knowledge.analysis) and its use by BM25."""

import pytest

from knowledge import analysis
from knowledge.bm25 import BM25Index
from knowledge.text import fold

pytestmark = pytest.mark.unit


def stems(text: str, language: str) -> list[str]:
    return [analysis.stem(word, language) for word in analysis.content_words(text, language)]


@pytest.mark.parametrize(
    ("forms", "language"),
    [
        ("fëmijë fëmija fëmijës fëmijët fëmijëve", "sq"),
        ("shkolla shkollës shkollat shkollave", "sq"),
        ("pensioni pensionin", "sq"),
        ("creșa creşei cresa creșele creselor", "ro"),
        ("tichete tichetele", "ro"),
        ("facturi facturile", "ro"),
        ("الحضانة حضانه", "ar"),
        ("vouchers voucher", "en"),
        ("remboursement rembourser", "fr"),
        ("guardería guarderias", "es"),
    ],
)
def test_inflected_forms_of_one_word_share_a_stem(forms: str, language: str) -> None:
    assert len(set(stems(forms, language))) == 1


def test_albanian_leaves_bare_stems_and_figures_whole() -> None:
    assert analysis.light_stem("pension", "sq") == "pension"
    assert analysis.light_stem("2000", "sq") == "2000"
    assert analysis.light_stem("vit", "sq") == "vit"


def test_romanian_comma_and_cedilla_letters_fold_alike() -> None:
    assert stems("ştampilă", "ro") == stems("ștampilă", "ro") == stems("stampila", "ro")
    assert fold("ș") == fold("ş") == "s" and fold("ț") == fold("ţ") == "t"


def test_arabic_spellings_phones_mix_are_one() -> None:
    assert analysis.normalize("مدرسة ـ على ١٠٤", "ar") == "مدرسه  علي 104"
    assert stems("قانون ١٠٤", "ar") == stems("قانون 104", "ar")


def test_function_words_of_the_language_carry_nothing() -> None:
    assert analysis.content_words("care este plafonul pentru tichete", "ro") == [
        "plafonul",
        "tichete",
    ]
    assert analysis.content_words("cfarë është kjo për fëmijët", "sq") == ["femijet"]
    assert analysis.content_words("est-ce que je peux", "fr") == ["peux"]


def test_italian_and_unknown_languages_are_not_analysed() -> None:
    assert not analysis.is_analysed("it")
    assert not analysis.is_analysed(None)
    assert not analysis.is_analysed("de")
    assert all(analysis.is_analysed(code) for code in ("en", "ro", "sq", "ar", "es", "fr"))


def test_bm25_meets_a_phrasing_in_another_inflection_of_its_language() -> None:
    index = BM25Index(
        [
            [("rimborso retta asilo nido", 1.0), ("welfare-ul imi ramburseaza cresa", 1.0, "ro")],
            [("libri scolastici", 1.0), ("manuale pentru copii", 1.0, "ro")],
        ]
    )
    romanian = index.query_terms("taxa creșei", "ro")
    assert index.scores(romanian)[0] > 0 and index.scores(romanian)[1] == 0
    # the same inflected word read as Italian does not meet it: the analysis is what matches
    assert index.scores(index.query_terms("taxa creșei"))[0] == 0


def test_bm25_finds_italian_words_in_a_foreign_message_and_counts_each_word_once() -> None:
    index = BM25Index(
        [
            [("ente bilaterale prestazioni", 1.0), ("ajutoare de la ente bilaterale", 1.0, "ro")],
            [("buoni pasto", 1.0)],
        ]
    )
    terms = index.query_terms("ce ajutoare da ente bilaterale", "ro")
    assert index.scores(terms)[0] > 0
    assert terms.coverage == pytest.approx(1.0)


def test_an_italian_query_is_read_as_before() -> None:
    index = BM25Index([[("abbonamento autobus", 1.0)], [("badante anziani", 1.0)]])
    terms = index.query_terms("abbonamneto autobus zanzibar")
    assert terms == index.query_terms("abbonamneto autobus zanzibar", None)
    assert terms.coverage == pytest.approx(2 / 3)

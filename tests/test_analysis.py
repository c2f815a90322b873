"""Lexical analysis of other languages (knowledge.analysis) and its use by BM25."""

import pytest

from knowledge import analysis
from knowledge.bm25 import BM25Index, QueryTerms
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
        ("rambursare rambursarea rambursează ramburseaza rambursat", "ro"),
        ("impozit impozitul impozitat impozitează", "ro"),
        ("grădiniță gradinita grădiniței gradinite", "ro"),
        ("plătesc plătit plata plăti plătește", "ro"),
        ("copil copilul copilului copii copiii copiilor", "ro"),
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
    assert analysis.content_words("ce acte trebuie pentru decont", "ro") == ["acte", "decont"]


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


def test_romanian_verb_endings_stop_at_a_four_letter_root() -> None:
    assert analysis.light_stem("lucrez", "ro") == "lucr"
    assert analysis.light_stem("stat", "ro") == "stat"


def test_an_arabic_feminine_noun_with_a_possessive_is_read_as_the_noun() -> None:
    assert analysis.feminine_noun("زوجتي", "ar") == "زوجه"
    assert analysis.feminine_noun("حضانتنا", "ar") == "حضانه"
    # "for my wife": the possessive after ت shows the word carries clitics, the ل goes too
    assert analysis.feminine_noun("لزوجتي", "ar") == "زوجه"
    # a plural in -ات keeps its ت, a word with no possessive is left alone
    assert analysis.feminine_noun("بياناتي", "ar") is None
    assert analysis.feminine_noun("زوجه", "ar") is None
    assert analysis.feminine_noun("shkolla", "sq") is None


def test_arabic_clitics_come_off_only_for_words_the_index_does_not_know() -> None:
    assert "ابني" in analysis.clitic_variants("لابني", "ar")
    assert "زوجه" in analysis.clitic_variants("لزوجتي", "ar")
    assert "امل" in analysis.clitic_variants("كامل", "ar")
    assert analysis.clitic_variants("cresa", "ro") == []
    index = BM25Index(
        [
            [("asilo nido", 1.0), ("حضانة الأطفال", 1.0, "ar"), ("مبلغ كامل", 1.0, "ar")],
            [("bollette", 1.0), ("فواتير", 1.0, "ar"), ("أمل", 1.0, "ar")],
        ]
    )
    # "for my children", "my nursery": both meet the nursery entry's plain nouns
    terms = index.query_terms("لأطفالي حضانتي", "ar")
    assert terms.coverage == pytest.approx(1.0)
    assert index.scores(terms)[0] > 0 and index.scores(terms)[1] == 0
    # "complete" is a word the index knows: it is not read as ك + "hope"
    complete = index.query_terms("كامل", "ar")
    assert index.scores(complete)[1] == 0 and index.scores(complete)[0] > 0


def test_a_word_found_by_two_stems_counts_once() -> None:
    # Romanian examples inside an entry's Italian questions are reduced as Italian
    # ("creditul"), its Romanian phrasings as Romanian ("cred"): a query word meeting both
    # must not count twice against the word that names the topic
    index = BM25Index(
        [
            [("decontare creditul", 1.0), ("creditul welfare", 1.0, "ro")],
            [("asilo", 1.0), ("gradinita copilului", 1.0, "ro")],
            [("bus", 1.0), ("abonament autobuz", 1.0, "ro")],
        ]
    )
    terms = index.query_terms("creditul gradinita", "ro")
    assert terms.groups is not None and len(terms.groups[0]) == 2
    alone = [index.scores(QueryTerms([term], 1))[0] for term in terms.groups[0]]
    assert index.scores(terms)[0] == pytest.approx(max(alone))
    assert index.matched(terms)[0] == 1


def test_spoken_arabic_words_are_also_read_as_their_standard_counterparts() -> None:
    # Moroccan "the credit", Egyptian "my wife", "the money" with its article and a clitic
    assert analysis.dialect_equivalents("الكريدي", "ar") == ["رصيد"]
    assert analysis.dialect_equivalents("مراتي", "ar") == ["زوجه"]
    assert "مال" in analysis.dialect_equivalents("بالفلوس", "ar")
    assert analysis.dialect_equivalents("رصيد", "ar") == []
    assert analysis.dialect_equivalents("kredit", "sq") == []
    index = BM25Index(
        [
            [("credito welfare", 1.0), ("رصيد الويلفير في ديسمبر", 1.0, "ar")],
            [("abbonamento bus", 1.0), ("اشتراك الحافلة", 1.0, "ar")],
        ]
    )
    terms = index.query_terms("الكريدي ديال الويلفير قبل دجنبر", "ar")
    assert terms.coverage == pytest.approx(1.0)
    assert index.scores(terms)[0] > 0 and index.scores(terms)[1] == 0
    bus = index.query_terms("الاتوبيس", "ar")
    assert index.scores(bus)[1] > 0 and index.scores(bus)[0] == 0


def test_spoken_arabic_negation_and_function_words_carry_nothing_of_their_own() -> None:
    # "ما صرفتش" (I did not spend): the verb without the negation's ش, tried when unknown
    assert "صرفت" in analysis.clitic_variants("صرفتش", "ar")
    assert "صرفت" in analysis.clitic_variants("ماصرفتش", "ar")
    # Egyptian "what" / "so that", Levantine "of" / "can I": grammar, not topic
    assert analysis.content_words("عشان ايه تبع فيني الويلفير", "ar") == ["ويلفير"]


def test_everyday_romanian_words_are_also_read_as_the_entries_words() -> None:
    # "banii înapoi" (money back) is a reimbursement, in every inflection of the word
    assert analysis.dialect_equivalents("inapoi", "ro") == ["rambursare", "decont"]
    assert analysis.dialect_equivalents("dadaca", "ro") == ["bona"]
    assert analysis.dialect_equivalents("rambursare", "ro") == []
    assert analysis.dialect_equivalents("inapoi", "sq") == []
    index = BM25Index(
        [
            [("rimborso nido", 1.0), ("rambursarea taxei de la cresa", 1.0, "ro")],
            [("credito residuo", 1.0), ("banii ramasi pe welfare", 1.0, "ro")],
        ]
    )
    terms = index.query_terms("cum iau banii inapoi pentru cresa", "ro")
    scores = index.scores(terms)
    assert scores[0] > scores[1]


def test_romanian_verbs_of_giving_and_taking_are_function_words() -> None:
    # "am dat" (I gave) once met the Italian stem of "dati" (data) and the privacy entries
    assert analysis.content_words("am dat bani, cum ii iau inapoi", "ro") == ["bani", "inapoi"]

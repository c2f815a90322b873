import pytest

from knowledge.text import TypoCorrector, analyze, damerau_levenshtein, fold, stem, tokenize

pytestmark = pytest.mark.unit


def test_fold_strips_accents_and_case() -> None:
    assert fold("PERCHÉ è così") == "perche e cosi"


def test_tokenize_splits_elisions_and_joins_thousands() -> None:
    assert tokenize("Dell'asilo: 2.000 euro, 3 615 €") == ["dell", "asilo", "2000", "euro", "3615"]


def test_analyze_drops_stop_words_and_stems_plurals_alike() -> None:
    assert analyze("i buoni pasto") == analyze("il buono pasto")
    assert "il" not in analyze("il buono pasto")


def test_accented_and_plain_spellings_analyze_the_same() -> None:
    assert analyze("perché la retta è esente?") == analyze("perche la retta e esente")


def test_stem_is_italian() -> None:
    assert stem("rimborsi") == stem("rimborso")


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("rimborso", "rimborso", 0), ("rimborso", "rimbroso", 1), ("nido", "nodi", 2), ("", "ab", 2)],
)
def test_damerau_levenshtein(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance


def test_typo_corrector_fixes_unknown_words_only() -> None:
    corrector = TypoCorrector(["rimborso", "rimborso", "badante", "abbonamento", "nido"])
    assert corrector.correct("rimbroso") == "rimborso"
    assert corrector.correct("abbonamneto") == "abbonamento"
    assert corrector.correct("badante") is None  # known words are never changed
    assert corrector.correct("nid") is None  # too short to guess safely
    assert corrector.correct("zanzara") is None  # nothing close


def test_typo_corrector_prefers_the_more_frequent_of_equal_candidates() -> None:
    corrector = TypoCorrector(["casa", "cassa", "cassa", "cassa"])
    assert corrector.correct("cas") is None
    assert corrector.correct("cbssa") == "cassa"

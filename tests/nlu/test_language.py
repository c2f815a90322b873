"""Language detection on chat messages: one-word replies, ties broken by the hint, questions."""

import pytest

from nlu.language import LANGUAGES, Language, LanguageDetector, normalise_hint

pytestmark = pytest.mark.integration  # loads py3langid's bundled model (about a second)


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("da", "ro"),
        ("Da!", "ro"),
        ("nu", "ro"),
        ("po", "sq"),
        ("jo", "sq"),
        ("oui", "fr"),
        ("non", "fr"),
        ("sì", "it"),
        ("yes", "en"),
        ("sí", "es"),
        ("mulțumesc", "ro"),
        ("faleminderit", "sq"),
        ("merci beaucoup", "fr"),
        ("gracias", "es"),
        ("grazie mille", "it"),
        ("نعم", "ar"),
    ],
)
def test_one_word_replies(detector: LanguageDetector, text: str, expected: str) -> None:
    assert detector.detect(text).code == expected


@pytest.mark.parametrize(
    ("hint", "expected"), [(None, "it"), ("es", "es"), ("en-US", "en"), ("it", "it"), ("ro", "it")]
)
def test_an_ambiguous_no_follows_the_hint_else_italian(
    detector: LanguageDetector, hint: str | None, expected: str
) -> None:
    """The word no is Italian, Spanish and English; a Romanian hint is not among them."""
    found = detector.detect("no", hint)
    assert found.code == expected
    assert found.confidence < 0.9


def test_si_without_accent_is_italian_or_spanish_by_hint(detector: LanguageDetector) -> None:
    assert detector.detect("si").code == "it"
    assert detector.detect("si", "es").code == "es"


def test_a_hint_does_not_override_a_clear_question(detector: LanguageDetector) -> None:
    question = "quanto valgono i buoni pasto elettronici senza pagare le tasse quest'anno?"
    assert detector.detect(question, "ro").code == "it"
    romanian = "pot sa folosesc creditul pentru abonamentul de autobuz al fiicei mele?"
    assert detector.detect(romanian, "it").code == "ro"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can my employer pay for my children's summer camp?", "en"),
        ("a mund ta perdor kreditin per syzet e femijes?", "sq"),
        ("¿la empresa me puede pagar el abono del tren?", "es"),
        ("est-ce que l'entreprise peut payer mon abonnement de train ?", "fr"),
        ("هل تدفع الشركة اشتراك القطار؟", "ar"),
        ("mi rimborsano l'abbonamento del treno con il welfare?", "it"),
    ],
)
def test_questions(detector: LanguageDetector, text: str, expected: str) -> None:
    found = detector.detect(text)
    assert found.code == expected
    assert 0.5 < found.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "👍", "123", "?!"])
def test_no_letters_means_the_hint_or_italian_with_no_confidence(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text) == Language("it", 0.0)
    assert detector.detect(text, "fr") == Language("fr", 0.0)


def test_every_answer_is_one_of_the_languages(detector: LanguageDetector) -> None:
    for text in ("ok", "welfare", "hola ciao salut", "Guten Tag", "привет", "你好"):
        assert detector.detect(text).code in LANGUAGES


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("en-US", "en"), ("pt-br", None), ("RO", "ro"), ("sq_AL", "sq"), ("", None), (None, None)],
)
def test_normalise_hint(raw: str | None, expected: str | None) -> None:
    assert normalise_hint(raw) == expected

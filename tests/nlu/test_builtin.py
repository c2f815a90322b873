"""The builtin classifier's logic on a tiny dataset, with a deterministic stand-in encoder."""

import logging

import numpy as np
import pytest

from nlu import BuiltinIntentClassifier, Entity, Example, IntentClassifier, NluDataError, Parse
from nlu.builtin import _best_temperature, _for_ngrams, _softmax
from tests.support import HashingEncoder

pytestmark = pytest.mark.unit


TINY = {
    "greet": ["ciao", "buongiorno", "salve a tutti", "ciao sportello", "buonasera", "ehi ciao"],
    "ask_question": [
        "rimborso asilo nido",
        "buoni pasto esenti",
        "il welfare è tassato?",
        "come uso il credito welfare",
        "soglia fringe benefit",
        "posso rimborsare la retta del nido",
    ],
    "talk_to_human": [
        "voglio un operatore",
        "passami un operatore umano",
        "parlare con una persona",
        "mi chiamate per favore",
        "voglio una persona vera",
        "operatore per favore",
    ],
}


def examples(data: dict[str, list[str]] = TINY) -> list[Example]:
    return [Example(text, intent) for intent, texts in data.items() for text in texts]


@pytest.fixture(scope="module")
def classifier() -> BuiltinIntentClassifier:
    return BuiltinIntentClassifier(examples(), HashingEncoder(dim=64))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ciao!", "greet"),
        ("Buongiorno", "greet"),
        ("rimborso del nido", "ask_question"),
        ("i buoni pasto sono esenti?", "ask_question"),
        ("vorrei un operatore", "talk_to_human"),
    ],
)
def test_recognises_paraphrases(
    classifier: BuiltinIntentClassifier, text: str, intent: str
) -> None:
    assert classifier.parse(text).intent == intent


def test_parse_is_a_ranked_probability_distribution(classifier: BuiltinIntentClassifier) -> None:
    text = "rimborso asilo nido per mio figlio di 3 anni nel 2026"
    parse = classifier.parse(text)
    assert parse.ranking[0][0] == parse.intent
    assert {name for name, _ in parse.ranking} == {"greet", "ask_question", "talk_to_human"}
    probabilities = [p for _, p in parse.ranking]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0)
    assert parse.confidence == probabilities[0]
    assert 0.0 < parse.confidence <= 1.0
    age, year = text.index("3"), text.index("2026")
    assert parse.entities == (
        Entity("age", "3", age, age + 1),
        Entity("year", "2026", year, year + 4),
    )
    assert classifier.intents == ("ask_question", "greet", "talk_to_human")


def test_parse_with_vector_reuses_the_vector() -> None:
    encoder = HashingEncoder(dim=64)
    classifier = BuiltinIntentClassifier(examples(), encoder)
    text = "posso rimborsare il nido?"
    vector = encoder.encode_queries([text])
    calls = encoder.calls
    from_row = classifier.parse_with_vector(text, vector)
    from_1d = classifier.parse_with_vector(text, vector[0])
    assert encoder.calls == calls
    assert from_row == from_1d == classifier.parse(text)
    assert encoder.calls == calls + 1


def test_parse_with_vector_refuses_another_encoders_vector(
    classifier: BuiltinIntentClassifier,
) -> None:
    with pytest.raises(ValueError, match="has 32 dimensions, the classifier was trained on 64"):
        classifier.parse_with_vector("ciao", np.ones(32, dtype=np.float32))


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_messages_are_not_classified(text: str) -> None:
    encoder = HashingEncoder(dim=64)
    classifier = BuiltinIntentClassifier(examples(), encoder)
    calls = encoder.calls
    assert classifier.parse(text) == Parse("out_of_scope", 0.0)
    assert classifier.parse_with_vector(text, np.zeros(64)) == Parse("out_of_scope", 0.0)
    assert encoder.calls == calls


def test_training_is_deterministic() -> None:
    first = BuiltinIntentClassifier(examples(), HashingEncoder(dim=64))
    second = BuiltinIntentClassifier(examples(), HashingEncoder(dim=64))
    texts = ["ciao", "un operatore", "nido", "boh", "welfare tassato"]
    assert [first.parse(t) for t in texts] == [second.parse(t) for t in texts]
    assert first.temperature == second.temperature


def test_single_text_features_match_scikit_learn(classifier: BuiltinIntentClassifier) -> None:
    # The parse path re-implements TfidfVectorizer.transform for speed: hold it to the original.
    model = classifier._model
    texts = [_for_ngrams(t) for t in ["Rimborso asilo NIDO!!", "operatore", "zzz", "ciao ciao"]]
    batch = np.asarray(model.vectorizer.transform(texts) @ model.char_coef.T)
    for row, text in zip(batch, texts, strict=True):
        np.testing.assert_allclose(model.char_logits(text), row, atol=1e-12)


def test_two_intents_train_a_binary_model() -> None:
    data = {intent: TINY[intent] for intent in ("greet", "talk_to_human")}
    classifier = BuiltinIntentClassifier(examples(data), HashingEncoder(dim=64))
    parse = classifier.parse("voglio parlare con un operatore")
    assert parse.intent == "talk_to_human"
    assert sum(p for _, p in parse.ranking) == pytest.approx(1.0)


def test_too_few_examples_to_calibrate_fall_back_to_temperature_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = {"greet": ["ciao", "buongiorno"], "deny": ["no"]}
    with caplog.at_level(logging.WARNING, logger="nlu.builtin"):
        classifier = BuiltinIntentClassifier(examples(data), HashingEncoder(dim=64))
    assert classifier.temperature == 1.0
    assert "too few examples per intent" in caplog.text


def test_one_intent_is_not_a_classifier() -> None:
    with pytest.raises(NluDataError, match="at least two intents, got \\['greet'\\]"):
        BuiltinIntentClassifier(examples({"greet": ["ciao", "salve"]}), HashingEncoder(dim=64))


def test_temperature_search_recovers_a_known_temperature() -> None:
    # Labels drawn from softmax(z / 2): the log loss is lowest at T = 2.
    rng = np.random.default_rng(7)
    logits = rng.normal(scale=4.0, size=(20_000, 5))
    probabilities = _softmax(logits / 2.0)
    labels = np.array([rng.choice(5, p=p) for p in probabilities], dtype=np.int64)
    assert _best_temperature(logits, labels) == pytest.approx(2.0, rel=0.05)


def test_satisfies_the_protocol(classifier: BuiltinIntentClassifier) -> None:
    engine: IntentClassifier = classifier
    assert isinstance(engine.parse("ciao"), Parse)

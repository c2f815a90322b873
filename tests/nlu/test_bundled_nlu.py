"""The bundled training and held-out data, and the classifier trained on them with USE.

Training takes a few seconds, so it happens once per module; the accuracy bar is set below
what the held-out set measures (0.92) to leave room for encoder or data changes, not for
regressions worth missing.
"""

from collections import Counter

import numpy as np
import pytest

from knowledge.encoders import EncoderSettings, build_encoder
from knowledge.text import fold
from nlu import (
    BUNDLED_HELDOUT,
    BUNDLED_NLU_DATA,
    INTENTS,
    BuiltinIntentClassifier,
    Example,
    evaluate_nlu,
    load_training_data,
    read_labelled_examples,
)

pytestmark = pytest.mark.integration

HELDOUT_PER_INTENT = 15


@pytest.fixture(scope="module")
def training() -> list[Example]:
    return load_training_data(BUNDLED_NLU_DATA, known_intents=INTENTS)


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return read_labelled_examples(BUNDLED_HELDOUT)


@pytest.fixture(scope="module")
def classifier(training: list[Example]) -> BuiltinIntentClassifier:
    return BuiltinIntentClassifier(training, build_encoder(EncoderSettings(backend="use")))


def test_training_data_covers_every_intent(training: list[Example]) -> None:
    counts = Counter(example.intent for example in training)
    assert set(counts) == set(INTENTS)
    for intent in INTENTS:
        assert counts[intent] >= (80 if intent in ("ask_question", "out_of_scope") else 40), intent


def test_heldout_is_balanced_and_shares_no_text_with_training(
    training: list[Example], heldout: list[Example]
) -> None:
    assert Counter(e.intent for e in heldout) == {i: HELDOUT_PER_INTENT for i in INTENTS}
    seen = {" ".join(fold(e.text).split()) for e in training}
    copied = [e.text for e in heldout if " ".join(fold(e.text).split()) in seen]
    assert copied == []


def test_heldout_accuracy(classifier: BuiltinIntentClassifier, heldout: list[Example]) -> None:
    report = evaluate_nlu(heldout, classifier)
    assert report.accuracy >= 0.85, report.confusions
    assert report.macro_f1 >= 0.85


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Buongiorno!", "greet"),
        ("grazie, gentilissima", "thanks"),
        ("posso farmi rimborsare la retta del nido con il welfare?", "ask_question"),
        ("quanto sono esenti i buoni pasto elettronici nel 2026?", "ask_question"),
        ("non riesco a conciliare il lavoro con la cura di mio padre", "report_need"),
        ("vorrei parlare con un operatore", "talk_to_human"),
        ("cancellate tutti i miei dati", "privacy_request"),
        ("ma sei un bot?", "bot_challenge"),
        ("chi vince lo scudetto quest'anno?", "out_of_scope"),
    ],
)
def test_clear_messages(classifier: BuiltinIntentClassifier, text: str, intent: str) -> None:
    parse = classifier.parse(text)
    assert parse.intent == intent, parse.ranking[:3]


def test_a_vector_from_retrieval_gives_the_same_parse(classifier: BuiltinIntentClassifier) -> None:
    encoder = build_encoder(EncoderSettings(backend="use"))
    text = "ho 2.000 euro di fringe benefit e un figlio di 8 anni"
    vector = encoder.encode_queries([text])[0]
    parse = classifier.parse_with_vector(text, vector)
    assert parse == classifier.parse(text)
    assert [(e.entity, e.value) for e in parse.entities] == [("amount", "2000"), ("age", "8")]
    assert np.isclose(sum(p for _, p in parse.ranking), 1.0)

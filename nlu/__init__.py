"""Natural-language understanding: what a message wants (intent) and the facts in it (entities).

Public surface for the dialogue and the CLI: the `Parse` every engine returns, the
`IntentClassifier` protocol engines implement, the builtin classifier trained at start-up on the
shared text encoder, the Rasa-format training data bundled with the desk, and the evaluation
behind `sportello eval nlu`. Importing this package loads no model and reads no file.
"""

from __future__ import annotations

from nlu.builtin import BuiltinIntentClassifier
from nlu.entities import extract_entities
from nlu.evaluation import (
    Confusion,
    IntentScores,
    NluReport,
    evaluate_nlu,
    read_labelled_examples,
)
from nlu.parse import INTENTS, Entity, IntentClassifier, Parse
from nlu.training_data import (
    BUNDLED_HELDOUT,
    BUNDLED_NLU_DATA,
    Example,
    NluDataError,
    load_training_data,
)

__all__ = [
    "BUNDLED_HELDOUT",
    "BUNDLED_NLU_DATA",
    "INTENTS",
    "BuiltinIntentClassifier",
    "Confusion",
    "Entity",
    "Example",
    "IntentClassifier",
    "IntentScores",
    "NluDataError",
    "NluReport",
    "Parse",
    "evaluate_nlu",
    "extract_entities",
    "load_training_data",
    "read_labelled_examples",
]

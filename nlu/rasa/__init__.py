"""Rasa as an NLU engine next to the builtin one: its environment, project, server and client.

Rasa itself never runs in the desk's Python: `environment` builds a Python 3.10 venv of its
own, `project` writes and trains a Rasa project from the desk's training data, `server` starts
`rasa run --enable-api`, and `client` is the engine the desk calls, over HTTP, with the builtin
classifier taking over whenever the server cannot answer. Importing this package loads nothing
of Rasa.
"""

from __future__ import annotations

from nlu.rasa.client import RasaIntentClassifier, RasaUnavailable, RasaWithFallback
from nlu.rasa.environment import (
    REQUIREMENTS,
    RasaEnvironmentError,
    RasaPaths,
    find_python310,
    is_installed,
    setup_environment,
)
from nlu.rasa.project import TrainedModel, recorded_model, train
from nlu.rasa.server import RasaServer

__all__ = [
    "REQUIREMENTS",
    "RasaEnvironmentError",
    "RasaIntentClassifier",
    "RasaPaths",
    "RasaServer",
    "RasaUnavailable",
    "RasaWithFallback",
    "TrainedModel",
    "find_python310",
    "is_installed",
    "recorded_model",
    "setup_environment",
    "train",
]

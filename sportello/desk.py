"""Builds the whole desk from settings: the one place that knows how the parts fit together.

Order matters for start-up time and for honest errors: configuration and content are checked
first (cheap, and the most likely to be wrong), then the database is migrated, then the model
is loaded once and shared by retrieval and intent classification.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from handlers import DialogueEngine, Pseudonymizer
from knowledge import Encoder, Retriever, build_encoder
from nlu import BUNDLED_NLU_DATA, BuiltinIntentClassifier, load_training_data
from nlu.rasa.client import RasaIntentClassifier, RasaWithFallback
from sportello.files import private_dir
from sportello.secrets_store import pseudonym_key
from sportello.settings import Settings
from sportello.wiring import build_search, open_knowledge_base
from storage import Database

logger = logging.getLogger(__name__)


def database_url(settings: Settings) -> str:
    if settings.database.url:
        return settings.database.url
    return f"sqlite:///{settings.data_dir / 'sportello.db'}"


def open_database(settings: Settings) -> Database:
    """The configured database, migrated to the current schema."""
    private_dir(settings.data_dir)
    database = Database.from_url(database_url(settings))
    database.upgrade()
    return database


def build_intent_classifier(
    settings: Settings, encoder: Encoder
) -> BuiltinIntentClassifier | RasaWithFallback:
    """The NLU engine of `nlu.engine`; the builtin classifier is always built.

    With `rasa` the builtin classifier stands behind the Rasa server and answers whenever the
    server cannot (down, slow, an unknown intent), so the choice of engine never decides
    whether the desk answers.
    """
    examples = load_training_data(settings.nlu.data_file or BUNDLED_NLU_DATA)
    builtin = BuiltinIntentClassifier(examples, encoder)
    if settings.nlu.engine == "builtin":
        return builtin
    nlu = settings.nlu
    rasa = RasaIntentClassifier(
        nlu.rasa_url, builtin.intents, timeout=nlu.rasa_timeout, retries=nlu.rasa_retries
    )
    logger.info("NLU engine: Rasa at %s, builtin when it cannot answer", nlu.rasa_url)
    return RasaWithFallback(rasa, builtin, retry_after=nlu.rasa_retry_after)


@dataclass(frozen=True)
class Desk:
    """Everything a channel needs to serve users, built once at start-up."""

    engine: DialogueEngine
    database: Database
    retriever: Retriever

    def close(self) -> None:
        self.database.dispose()


def build_desk(settings: Settings, progress: bool = False) -> Desk:
    key = pseudonym_key(settings)  # a bad key file is a message at once, not after the model
    kb = open_knowledge_base(settings)
    database = open_database(settings)
    encoder = build_encoder(settings.encoder)
    retriever = build_search(settings, kb=kb, progress=progress, encoder=encoder)
    intents = build_intent_classifier(settings, encoder)
    engine = DialogueEngine(
        database=database,
        retriever=retriever,
        intents=intents,
        pseudonymizer=Pseudonymizer(key),
        settings=settings.dialogue,
        retention=settings.privacy,
        escalation=settings.escalation,
    )
    logger.info("desk ready: %d entries, database %s", len(kb.entries), database.url)
    return Desk(engine=engine, database=database, retriever=retriever)


def prepare_shared_state(settings: Settings) -> None:
    """What the engine's worker process must find ready, done by the parent before it starts.

    The content is checked here so that a broken entry stops the start with its file and
    line, in the parent's own words; the schema is migrated and the pseudonymisation key
    created once, by the process that also records deliveries.
    """
    pseudonym_key(settings)
    open_knowledge_base(settings)
    open_database(settings).dispose()

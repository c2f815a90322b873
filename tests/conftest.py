"""Shared fixtures. Integration tests share one built index (building it takes seconds)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from escalation import EscalationSettings
from handlers import DialogueEngine, DialogueSettings, Pseudonymizer
from knowledge import RetrievalSettings, Retriever, build_retriever, load_knowledge_base
from nlu import BuiltinIntentClassifier
from sportello.desk import build_intent_classifier
from sportello.settings import load_settings
from sportello.wiring import build_search
from storage import Database

ROOT = Path(__file__).resolve().parents[1]
# python-telegram-bot 22 warns about time values unless opted in to timedelta (as `run` does).
os.environ.setdefault("PTB_TIMEDELTA", "1")


def run_cli(
    *args: str, env: dict[str, str] | None = None, check: bool = False, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `sportello` as a user would, in a separate process (typing `input`, if given)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sportello.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        check=check,
        timeout=300,
    )


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment for CLI runs: a private data dir with the real base's index already built."""
    data = tmp_path_factory.mktemp("data")
    env = {"SPORTELLO__DATA_DIR": str(data), "SPORTELLO__LOG_LEVEL": "ERROR"}
    run_cli("kb", "build", env=env, check=True)
    yield env


KEY = b"k" * 32
DeskParts = tuple[Retriever, BuiltinIntentClassifier]


@pytest.fixture(scope="session")
def desk_parts(tmp_path_factory: pytest.TempPathFactory) -> DeskParts:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("data"))
    retriever = build_search(settings, progress=False)
    classifier = build_intent_classifier(settings, retriever.encoder)
    return retriever, classifier


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'desk.db'}")
    db.upgrade()
    yield db
    db.dispose()


def make_engine(
    database: Database,
    desk_parts: DeskParts,
    retrieval: RetrievalSettings | None = None,
    escalation: EscalationSettings | None = None,
    **dialogue: object,
) -> DialogueEngine:
    retriever, classifier = desk_parts
    if retrieval is not None:
        retriever = retriever.with_settings(retrieval)
    return DialogueEngine(
        database=database,
        retriever=retriever,
        intents=classifier,
        pseudonymizer=Pseudonymizer(KEY),
        settings=DialogueSettings.model_validate(dialogue),
        escalation=escalation,
    )


def engine_over_base(
    base: Path, topics: Path, database: Database, desk_parts: DeskParts
) -> DialogueEngine:
    """The real encoder and intent classifier over a small knowledge base written by a test."""
    kb = load_knowledge_base(base, topics, dt.date(2026, 11, 25))
    retriever, classifier = desk_parts
    small = build_retriever(
        kb, retriever.encoder, RetrievalSettings(), base.parent / "data", progress=False
    )
    return DialogueEngine(
        database=database,
        retriever=small,
        intents=classifier,
        pseudonymizer=Pseudonymizer(KEY),
        settings=DialogueSettings(),
    )


@pytest.fixture
def engine(database: Database, desk_parts: DeskParts) -> DialogueEngine:
    return make_engine(database, desk_parts)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the tests marked `starts_first` to the front, keeping every other test's order.

    `make test` spreads files over the cores (pytest-xdist, one file per worker at a time, in
    collection order: `--no-loadscope-reorder`, or xdist would sort files by their number of
    tests): the Rasa integration test, which builds Rasa's environment and trains it on a fresh
    machine (about 6 minutes), then runs beside the rest of the suite instead of after it.
    """
    items.sort(key=lambda item: item.get_closest_marker("starts_first") is None)

"""Drift checks: copies and docs that must follow their source."""

from pathlib import Path

import pytest

from knowledge import BUNDLED_TOPICS, load_knowledge_base, load_topics
from tests.conftest import ROOT

pytestmark = pytest.mark.unit
SHARED_TOPICS = ROOT.parent / "shared" / "topics.yml"


@pytest.mark.skipif(not SHARED_TOPICS.exists(), reason="no shared/ folder beside the checkout")
def test_bundled_topics_match_the_network_taxonomy() -> None:
    assert load_topics(BUNDLED_TOPICS) == load_topics(SHARED_TOPICS)


def test_real_base_is_big_enough_and_covers_every_topic() -> None:
    kb = load_knowledge_base()
    assert len(kb.entries) >= 60
    assert {e.topic for e in kb.entries if not e.is_referral} == set(kb.topics)
    referrals = [e for e in kb.entries if e.is_referral]
    assert len(referrals) >= 10 and all(e.refer_to and e.sources for e in referrals)


def test_readme_documents_every_cli_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for command in (
        "kb check",
        "kb build",
        "sportello ask",
        "eval retrieval",
        "eval dialogue",
        "kb check [--today YYYY-MM-DD] [--strict]",
        "make run",
        "make test",
        "nlu rasa-setup",
        "nlu train --backend rasa",
        "nlu serve-rasa",
        "eval nlu --backend rasa",
    ):
        assert command in readme


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in Path(ROOT / ".ci" / "run").read_text("utf-8")

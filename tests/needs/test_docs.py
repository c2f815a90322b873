"""Drift: the README's "Needs analysis" section documents what the code does."""

from __future__ import annotations

import re

import pytest

from needs import INDICATOR_KEYS, INTERVIEW_INDICATORS, MIN_GROUP_SIZE, RULES
from sportello.settings import PrivacySettings
from storage import WORKFORCE_COLUMNS
from tests.conftest import ROOT

pytestmark = pytest.mark.unit
README = (ROOT / "README.md").read_text("utf-8")
SECTION = README[README.index("## Needs analysis") : README.index("## Layout")]


def test_every_column_and_indicator_is_documented() -> None:
    for column in WORKFORCE_COLUMNS:
        assert f"`{column}`" in SECTION, column
    for key in (*INDICATOR_KEYS, *(i.key for i in INTERVIEW_INDICATORS)):
        assert f"`{key}`" in SECTION or key.startswith("parents_"), key
    assert "`parents_0_2`, `parents_3_5`, `parents_6_13`, `parents_14_18`" in SECTION


def test_the_rule_table_matches_the_code() -> None:
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| (\w+) \| [^|]+ \| (\d+) % \| ([^|]+) \|$", SECTION, re.M
    )
    documented = {
        rule: (source, int(share), topics.strip()) for rule, source, share, topics in rows
    }
    assert documented == {
        rule.id: (rule.source, round(rule.threshold * 100), ", ".join(rule.topics))
        for rule in RULES
    }


def test_the_default_k_is_the_floor() -> None:
    assert PrivacySettings().min_group_size == MIN_GROUP_SIZE == 5

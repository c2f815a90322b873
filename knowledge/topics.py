"""The topic taxonomy (`topics.yml`): the keys entries and evaluation labels must use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.entries import AUDIENCES, Audience
from sportello.errors import SportelloError

BUNDLED_TOPICS = Path(__file__).with_name("topics.yml")


@dataclass(frozen=True)
class Topic:
    key: str
    audience: Audience
    italian: str
    english: str


class TopicsError(SportelloError, ValueError):
    """topics.yml is missing or malformed; the message names the file and the fix."""


def load_topics(path: Path = BUNDLED_TOPICS) -> dict[str, Topic]:
    """Read the taxonomy, in file order."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TopicsError(f"{path}: file not found — point knowledge.topics_file at it") from None
    except yaml.YAMLError as exc:
        raise TopicsError(f"{path}: not valid YAML ({exc}) — fix the syntax") from exc
    raw = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(raw, dict) or not raw:
        raise TopicsError(f"{path}:1: no 'topics:' mapping — list the topics under 'topics:'")
    topics: dict[str, Topic] = {}
    for key, spec in raw.items():
        audience = spec.get("audience") if isinstance(spec, dict) else None
        if audience not in AUDIENCES or not isinstance(spec.get("it"), str):
            raise TopicsError(
                f"{path}: topic '{key}' needs audience ({'|'.join(AUDIENCES)}) and 'it'"
                " — complete its line"
            )
        topics[str(key)] = Topic(str(key), audience, spec["it"], str(spec.get("en", "")))
    return topics

"""Which Italian text each interface translation was made from, so a changed Italian shows.

A catalog (handlers/locales/<lang>.yml) says how a text of handlers/texts.py reads in one
language. When someone rewrites the Italian — a retention period, a new step in the privacy
notice — the translation keeps saying the old thing, and nothing in the catalog shows it. So,
as knowledge/translations does for answers, each translated text records the hash of the
Italian it was translated from, in `handlers/locales/sources/<lang>.yml` (`KEY: hash`, kept
apart so the catalogs stay plain `KEY: text` for translators). A translation whose record is
missing or differs from today's Italian is stale: the desk says that text in Italian until the
translation is checked, and `sportello i18n check` (and tests/test_i18n.py) name it.

After updating a wording — or checking that it still says what the new Italian says — record
it: `sportello i18n stamp LANG KEY...` (`--all` for every translated key of LANG).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import yaml

from knowledge.translations import source_hash

SOURCES: Final = Path(__file__).with_name("locales") / "sources"
"""One `<lang>.yml` per catalog: each translated key with the hash of its Italian source."""

_HEADER = (
    "# The hash of the Italian text (handlers/texts.py) each translation of ../{language}.yml\n"
    "# was made from. Written by `sportello i18n stamp {language} KEY...` after a translation is\n"
    "# updated or checked; a key whose hash differs from today's Italian is said in Italian.\n"
)


def italian_hash(text: str) -> str:
    """The hash a translation records of its Italian source (the answers' hash)."""
    return source_hash(text)


def read_sources(language: str, directory: Path = SOURCES) -> dict[str, str] | None:
    """The recorded hashes of `language`, or None when it has no record file at all."""
    path = directory / f"{language}.yml"
    if not path.exists():
        return None
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of text names to hashes")
    return {str(key): str(value) for key, value in loaded.items()}


def write_sources(language: str, hashes: Mapping[str, str], directory: Path = SOURCES) -> Path:
    """Write `language`'s record file, keys sorted so that diffs stay small."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{language}.yml"
    lines = [f"{key}: {hashes[key]}" for key in sorted(hashes)]
    path.write_text(_HEADER.format(language=language) + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def stale_keys(
    catalog: Iterable[str], sources: Mapping[str, str], recorded: Mapping[str, str] | None
) -> list[str]:
    """The catalog's keys whose record is missing or no longer the Italian's hash.

    `sources` maps each key to today's Italian text; `recorded` is the record file (None: the
    language keeps no record, as in tests that build catalogs in memory, and nothing is stale).
    """
    if recorded is None:
        return []
    return [
        key for key in catalog if key in sources and recorded.get(key) != italian_hash(sources[key])
    ]


def stamped(
    recorded: Mapping[str, str] | None,
    sources: Mapping[str, str],
    keys: Iterable[str],
) -> dict[str, str]:
    """`recorded` with `keys` now recorded as made from today's Italian."""
    hashes = dict(recorded or {})
    for key in keys:
        hashes[key] = italian_hash(sources[key])
    return hashes

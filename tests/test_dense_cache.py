"""The dense index is derived data: cached by content and encoder, rebuilt when either changes."""

from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from knowledge.dense import load_or_build_dense_index
from tests.support import HashingEncoder, entry_text, write_small_base

pytestmark = pytest.mark.unit


def build(base: Path, topics: Path, data: Path, encoder: HashingEncoder) -> bool:
    kb = load_knowledge_base(base, topics)
    _index, built = load_or_build_dense_index(
        kb.entries, kb.content_hash, encoder, data, progress=False
    )
    return built


def test_cache_is_reused_until_the_content_changes(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    data = tmp_path / "data"
    encoder = HashingEncoder()
    assert build(base, topics, data, encoder) is True
    calls = encoder.calls
    assert build(base, topics, data, encoder) is False
    assert encoder.calls == calls  # nothing re-encoded
    (base / "nuovo.md").write_text(entry_text("nuovo"), "utf-8")
    assert build(base, topics, data, encoder) is True
    assert len(list((data / "index").iterdir())) == 1  # the stale cache was removed


def test_other_encoder_gets_its_own_cache(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    data = tmp_path / "data"
    assert build(base, topics, data, HashingEncoder(name="a")) is True
    assert build(base, topics, data, HashingEncoder(name="b")) is True
    assert build(base, topics, data, HashingEncoder(name="a")) is False


def test_corrupt_cache_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    data = tmp_path / "data"
    encoder = HashingEncoder()
    build(base, topics, data, encoder)
    (vectors,) = (data / "index").glob("*/vectors.npy")
    vectors.write_bytes(b"not a numpy file")
    assert build(base, topics, data, encoder) is True
    assert build(base, topics, data, encoder) is False

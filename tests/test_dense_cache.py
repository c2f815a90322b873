"""The dense index is derived data: cached by content and encoder, rebuilt when either changes."""

from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from knowledge.dense import IndexShape, load_or_build_dense_index
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


def test_hnsw_index_is_stored_and_agrees_with_flat(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    kb = load_knowledge_base(base, topics)
    encoder = HashingEncoder()
    data = tmp_path / "data"
    graph = IndexShape(kind="hnsw", hnsw_m=8)
    hnsw, built = load_or_build_dense_index(
        kb.entries, kb.content_hash, encoder, data, progress=False, shape=graph
    )
    assert built and list((data / "index").glob("*/index.faiss"))
    again, built_again = load_or_build_dense_index(
        kb.entries, kb.content_hash, encoder, data, progress=False, shape=graph
    )
    assert not built_again
    flat, _ = load_or_build_dense_index(
        kb.entries, kb.content_hash, encoder, data, progress=False, shape=IndexShape(kind="flat")
    )
    query = encoder.encode_queries(["rimborso retta asilo nido"])[0]
    for index in (hnsw, again):
        assert index.entry_scores(query) == pytest.approx(flat.entry_scores(query))


def test_auto_picks_hnsw_only_for_large_bases() -> None:
    shape = IndexShape(kind="auto", hnsw_above=100)
    assert shape.resolve(100) == "flat"
    assert shape.resolve(101) == "hnsw"

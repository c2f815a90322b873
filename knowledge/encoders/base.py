"""The one small interface every text encoder implements.

Retrieval only needs unit vectors for queries and for documents; everything model-specific
(prefixes, threads, where the weights live) stays inside an encoder. `id` names the model and
its settings, so a persisted index built with another encoder is never reused by mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sportello.errors import SportelloError

Vectors = NDArray[np.float32]


class EncoderUnavailable(SportelloError, RuntimeError):
    """The encoder's package or model is missing; the message names what to install."""


class Encoder(Protocol):
    @property
    def id(self) -> str:
        """Stable name of model + settings, part of the index cache key."""
        ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Unit-length rows, one per text."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        """Unit-length rows, one per text (questions and titles of entries)."""
        ...


def normalise_rows(matrix: NDArray[np.floating]) -> Vectors:
    """L2-normalise rows so inner product is cosine similarity (zero rows stay zero)."""
    vectors = np.ascontiguousarray(matrix, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)

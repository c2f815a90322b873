"""The dense half of retrieval: a FAISS inner-product index over every question and title.

An entry is represented by many short texts (its title and each way people ask), not by one
averaged vector: a user's question is closest to one particular phrasing, and the entry scores
as its best-matching phrasing. Vectors are unit length, so inner product is cosine similarity.

Phrasings in other languages (knowledge/phrasings) are embedded after the Italian texts and form
a second index, searched only for messages detected as another language: an Italian message is
ranked on exactly the Italian texts, as before.

The vectors are derived data: they are persisted in the data directory under a key made of the
knowledge base's content hash and the encoder's id, and rebuilt when either changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import faiss
import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm

from knowledge.encoders import Encoder, Vectors
from knowledge.entries import Entry
from knowledge.phrasings import Phrasings

logger = logging.getLogger(__name__)

FORMAT_VERSION = "units-v1"
"""Bump when what goes into the vectors changes (which texts, in which order)."""

BATCH_SIZE = 64


def entry_units(entries: Sequence[Entry]) -> tuple[list[str], NDArray[np.int64]]:
    """The texts embedded for each entry and, for each text, the index of its entry."""
    texts: list[str] = []
    owners: list[int] = []
    for position, entry in enumerate(entries):
        for text in (entry.title, *entry.questions):
            texts.append(text)
            owners.append(position)
    return texts, np.asarray(owners, dtype=np.int64)


def phrasing_units(
    entries: Sequence[Entry], phrasings: Phrasings | None
) -> tuple[list[str], NDArray[np.int64]]:
    """The other-language phrasings of each entry and, for each, the index of its entry."""
    position = {entry.id: i for i, entry in enumerate(entries)}
    texts: list[str] = []
    owners: list[int] = []
    for language in sorted(phrasings or {}):
        for entry_id, questions in (phrasings or {})[language].items():
            if entry_id not in position:
                continue
            for text in questions:
                texts.append(text)
                owners.append(position[entry_id])
    return texts, np.asarray(owners, dtype=np.int64)


IndexKind = Literal["flat", "hnsw"]


@dataclass(frozen=True)
class IndexShape:
    """How the FAISS index is built: exact (flat) or graph-based (HNSW) for large bases.

    A flat index scans every vector — exact, and under a millisecond for the desk's real base,
    but tens of milliseconds at 50,000 phrasings; HNSW answers in a few milliseconds at that
    size with recall close to exact. `auto` picks HNSW above `hnsw_above` phrasings.
    """

    kind: Literal["auto", "flat", "hnsw"] = "auto"
    hnsw_above: int = 20_000
    hnsw_m: int = 32
    hnsw_ef_search: int = 256

    def resolve(self, units: int) -> IndexKind:
        if self.kind == "auto":
            return "hnsw" if units > self.hnsw_above else "flat"
        return self.kind


def make_faiss_index(vectors: Vectors, kind: IndexKind, shape: IndexShape) -> faiss.Index:
    if kind == "flat":
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(vectors)
        return flat
    graph = faiss.IndexHNSWFlat(vectors.shape[1], shape.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = 2 * shape.hnsw_m
    graph.add(vectors)
    graph.hnsw.efSearch = shape.hnsw_ef_search
    return graph


class DenseIndex:
    def __init__(
        self,
        vectors: Vectors,
        owners: NDArray[np.int64],
        entry_count: int,
        index: faiss.Index | None = None,
        foreign: tuple[Vectors, NDArray[np.int64], faiss.Index] | None = None,
    ) -> None:
        """`vectors`/`owners`: the Italian texts; `foreign`: every text (Italian first, then
        the other languages' phrasings), their owners and their index, when there are any."""
        self._index = (
            index if index is not None else make_faiss_index(vectors, "flat", IndexShape())
        )
        self._owners = owners
        self._entry_count = entry_count
        self.unit_count = int(vectors.shape[0])
        self._foreign = foreign
        self.phrasing_count = int(foreign[0].shape[0]) - self.unit_count if foreign else 0

    def entry_scores(
        self, query_vector: Vectors, depth: int = 256, multilingual: bool = False
    ) -> NDArray[np.float64]:
        """Cosine of each entry's best phrasing to the query.

        `multilingual` searches the other languages' phrasings too (a message detected as not
        Italian). Only the `depth` nearest phrasings are looked up; entries with none among
        them get the lowest similarity seen, an upper bound that keeps them below every entry
        that was found.
        """
        return self.entry_scores_many(query_vector.reshape(1, -1), depth, multilingual)[0]

    def entry_scores_many(
        self, query_vectors: Vectors, depth: int = 256, multilingual: bool = False
    ) -> list[NDArray[np.float64]]:
        """`entry_scores` for several queries (rows) at once.

        The index is read from memory once for all of them instead of once per query: with
        the other languages' phrasings it is tens of megabytes, and streaming it is most of
        the cost of a search, so a batch of turns shares that cost.
        """
        index, owner_of, count = self._index, self._owners, self.unit_count
        if multilingual and self._foreign is not None:
            index, owner_of = self._foreign[2], self._foreign[1]
            count = int(self._foreign[0].shape[0])
        k = min(depth, count)
        similarities, units = index.search(np.ascontiguousarray(query_vectors), k)
        return [
            self._per_entry(row_similarities, row_units, owner_of)
            for row_similarities, row_units in zip(similarities, units, strict=True)
        ]

    def _per_entry(
        self,
        similarities: NDArray[np.float32],
        units: NDArray[np.int64],
        owner_of: NDArray[np.int64],
    ) -> NDArray[np.float64]:
        found = units >= 0
        sims = similarities[found].astype(np.float64)
        owners = owner_of[units[found]]
        scores = np.full(self._entry_count, sims.min() if sims.size else 0.0, dtype=np.float64)
        # Visit from least to most similar so the best phrasing of each entry is written last.
        order = np.argsort(sims)
        scores[owners[order]] = sims[order]
        return scores


def index_key(content_hash: str, encoder_id: str, kind: IndexKind = "flat") -> str:
    material = f"{FORMAT_VERSION}\0{content_hash}\0{encoder_id}\0{kind}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def load_or_build_dense_index(
    entries: Sequence[Entry],
    content_hash: str,
    encoder: Encoder,
    data_dir: Path,
    progress: bool = True,
    rebuild: bool = False,
    shape: IndexShape | None = None,
    phrasings: Phrasings | None = None,
) -> tuple[DenseIndex, bool]:
    """The dense index for this content and encoder, from disk when possible.

    Returns the index and whether it was built now. A corrupt or stale cache is rebuilt, never
    trusted; the new one is written to a temporary folder and renamed into place, so a crash
    mid-build leaves no half-written index behind.
    """
    shape = shape or IndexShape()
    texts, owners = entry_units(entries)
    extra_texts, extra_owners = phrasing_units(entries, phrasings)
    kind = shape.resolve(len(texts))
    root = data_dir / "index"
    folder = root / index_key(content_hash, encoder.id, kind)
    total = len(texts) + len(extra_texts)
    every_owner = np.concatenate([owners, extra_owners])
    if not rebuild:
        cached = _read_cached(folder, encoder.id, content_hash, total)
        if cached is not None:
            italian = np.ascontiguousarray(cached[: len(texts)])
            index = _read_faiss(folder, kind, shape, italian)
            foreign = _foreign(cached, every_owner, len(texts), kind, shape)
            return DenseIndex(italian, owners, len(entries), index, foreign), False
    vectors = encode_with_progress(encoder, [*texts, *extra_texts], progress)
    italian = np.ascontiguousarray(vectors[: len(texts)])
    index = make_faiss_index(italian, kind, shape)
    _write_cache(root, folder, vectors, encoder.id, content_hash, index if kind == "hnsw" else None)
    foreign = _foreign(vectors, every_owner, len(texts), kind, shape)
    return DenseIndex(italian, owners, len(entries), index, foreign), True


def _foreign(
    vectors: Vectors,
    owners: NDArray[np.int64],
    italian_units: int,
    kind: IndexKind,
    shape: IndexShape,
) -> tuple[Vectors, NDArray[np.int64], faiss.Index] | None:
    """The index over every text, Italian and phrasings, or None without phrasings."""
    if vectors.shape[0] == italian_units:
        return None
    return vectors, owners, make_faiss_index(vectors, kind, shape)


def _read_faiss(folder: Path, kind: IndexKind, shape: IndexShape, vectors: Vectors) -> faiss.Index:
    """A stored HNSW graph (slow to rebuild); a flat index is rebuilt from the vectors."""
    stored = folder / "index.faiss"
    if kind == "hnsw" and stored.exists():
        try:
            index = faiss.downcast_index(faiss.read_index(str(stored)))
            if isinstance(index, faiss.IndexHNSWFlat) and index.ntotal == vectors.shape[0]:
                index.hnsw.efSearch = shape.hnsw_ef_search
                return index
        except RuntimeError as exc:
            logger.warning("stored FAISS index %s unreadable (%s): rebuilding", stored, exc)
    return make_faiss_index(vectors, kind, shape)


def encode_with_progress(encoder: Encoder, texts: Sequence[str], progress: bool) -> Vectors:
    batches = [texts[i : i + BATCH_SIZE] for i in range(0, len(texts), BATCH_SIZE)]
    parts: list[Vectors] = []
    with tqdm(total=len(texts), desc="Indicizzazione", unit="frasi", disable=not progress) as bar:
        for batch in batches:
            parts.append(encoder.encode_documents(batch))
            bar.update(len(batch))
    if not parts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def _read_cached(folder: Path, encoder_id: str, content_hash: str, units: int) -> Vectors | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if (
            manifest.get("encoder") != encoder_id
            or manifest.get("content_hash") != content_hash
            or manifest.get("format") != FORMAT_VERSION
        ):
            return None
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        if folder.exists():
            logger.warning("dense index cache %s unreadable (%s): rebuilding", folder, exc)
        return None
    if vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape[0] != units:
        logger.warning("dense index cache %s does not match the knowledge base: rebuilding", folder)
        return None
    return np.ascontiguousarray(vectors)


def _write_cache(
    root: Path,
    folder: Path,
    vectors: Vectors,
    encoder_id: str,
    content_hash: str,
    index: faiss.Index | None,
) -> None:
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        np.save(staging / "vectors.npy", vectors, allow_pickle=False)
        if index is not None:
            faiss.write_index(index, str(staging / "index.faiss"))
        manifest = {"encoder": encoder_id, "content_hash": content_hash, "format": FORMAT_VERSION}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    # Drop what this encoder built for older content; other encoders' caches stay usable.
    for stale in root.iterdir():
        if stale == folder or not stale.is_dir() or stale.name.startswith(".building-"):
            continue
        try:
            old = json.loads((stale / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {"encoder": encoder_id}
        if old.get("encoder") == encoder_id:
            shutil.rmtree(stale, ignore_errors=True)

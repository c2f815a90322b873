"""The bounded memory of recent results (knowledge.memo)."""

import threading

import pytest

from knowledge.memo import Memo

pytestmark = pytest.mark.unit


def test_the_least_recently_used_goes_first() -> None:
    memo: Memo[str, int] = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recent
    memo.put("c", 3)
    assert memo.get("b") is None
    assert (memo.get("a"), memo.get("c"), len(memo)) == (1, 3, 2)


def test_size_zero_remembers_nothing_and_negative_is_refused() -> None:
    memo: Memo[str, int] = Memo(0)
    memo.put("a", 1)
    assert memo.get("a") is None and len(memo) == 0
    with pytest.raises(ValueError, match="negative"):
        Memo(-1)


def test_threads_never_grow_it_past_its_size() -> None:
    memo: Memo[int, int] = Memo(50)

    def fill(start: int) -> None:
        for n in range(start, start + 2000):
            memo.put(n, n)
            memo.get(n - 7)

    threads = [threading.Thread(target=fill, args=(k * 10_000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(memo) == 50


def test_recall_many_computes_each_missing_key_once_in_one_call() -> None:
    memo: Memo[str, int] = Memo(10)
    memo.put("a", 1)
    calls: list[list[str]] = []

    def length(keys: list[str]) -> list[int]:
        calls.append(keys)
        return [len(k) for k in keys]

    assert memo.recall_many(["a", "bb", "bb", "ccc"], length) == [1, 2, 2, 3]
    assert calls == [["bb", "ccc"]]
    assert memo.recall_many(["ccc", "bb"], length) == [3, 2] and len(calls) == 1
    assert memo.recall_many(["dddd"], length, keep=lambda: False) == [4]
    assert memo.get("dddd") is None

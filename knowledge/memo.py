"""A bounded, thread-safe memory of recent results, least recently used out first.

People send the same messages over and over ("ciao", "sì", "buoni pasto", the week's popular
question), and what the desk computes from a message's text alone — its vector, its reading
(language, intent, the dense side of the search), the ranking of the knowledge base — does not
change while the desk runs: the models and the base are loaded once. Remembering recent
results turns a repeated message into dictionary lookups. Values are shared between callers,
so they must be immutable (frozen dataclasses, read-only arrays).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most `size` results (0: remembers nothing)."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"a memo's size cannot be negative, got {size}")
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        if not self._size:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def recall_many(
        self,
        keys: Sequence[K],
        compute: Callable[[list[K]], Sequence[V]],
        keep: Callable[[], bool] = lambda: True,
    ) -> list[V]:
        """The value of every key, in order: remembered ones looked up, the others computed
        in one `compute` call (each distinct key once) and kept unless `keep()` says no."""
        known: dict[K, V] = {}
        for key in dict.fromkeys(keys):
            remembered = self.get(key)
            if remembered is not None:
                known[key] = remembered
        missing = [key for key in dict.fromkeys(keys) if key not in known]
        if missing:
            values = compute(missing)
            kept = keep()
            for key, value in zip(missing, values, strict=True):
                known[key] = value
                if kept:
                    self.put(key, value)
        return [known[key] for key in keys]

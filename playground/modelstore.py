"""One server-wide store of loaded pretrained models, bounded by their total size.

Counting models is not enough on a 2.7 GB server: ViT-B/16 or BERT-base weigh 330-440 MB, SSDlite
13 MB. The store keeps models in least-recently-used order and, after each load, evicts the
oldest until the weights of those kept fit the budget (the newest is always kept). A model in use
by a session when it is evicted stays alive for that session; its memory is returned once nobody
holds it. Loading is done once per key even when several sessions ask at the same moment.
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Callable, Hashable

DEFAULT_BUDGET_MB = 1000   # weights kept in memory; measured with benchmarks/memory.py
COLLECT_TRIES = 5          # collections tried for an evicted model that is still alive


class ModelStore:
    def __init__(self, budget_bytes: int):
        self.budget = int(budget_bytes)
        self._evicted: list[list] = []   # [weak reference, collections tried]
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, load: Callable[[], object], size_of: Callable[[object], int]):
        """The model for ``key``: from the store, else ``load()`` (its exceptions propagate and
        nothing is stored)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:   # one load per key; others wait for it
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key][0]
            obj = load()
            size = int(size_of(obj))
            with self._lock:
                self._items[key] = (obj, size)
                self._evict()
                self._loading.pop(key, None)
        return obj

    def _evict(self):
        while len(self._items) > 1 and self.total_bytes() > self.budget:
            old, _ = self._items.popitem(last=False)[1]
            try:
                self._evicted.append([weakref.ref(old), 0])
            except TypeError:   # not weak-referenceable: nothing to follow
                pass

    def collect(self, release: Callable[[], None]) -> bool:
        """Free evicted models: call between script runs (``release`` = a garbage collection).

        A pipeline and its model form reference cycles, and the app runs without Streamlit's
        collection after every script run, so an evicted model would otherwise keep its memory.
        Only runs ``release`` while an evicted model is still alive (at most a few times each:
        one still in use by a session is freed when that session lets go of it)."""
        with self._lock:
            self._evicted = [e for e in self._evicted if e[0]() is not None]
            if not self._evicted:
                return False
            for e in self._evicted:
                e[1] += 1
            self._evicted = [e for e in self._evicted if e[1] <= COLLECT_TRIES]
            if not self._evicted:
                return False
        release()
        return True

    def total_bytes(self) -> int:
        return sum(size for _, size in self._items.values())

    def keys(self) -> list:
        with self._lock:
            return list(self._items)

    def drop(self, key: Hashable):
        with self._lock:
            self._items.pop(key, None)

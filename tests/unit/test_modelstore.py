"""The server-wide model store: LRU within a byte budget, one load per key."""
import threading
import time

import pytest

from playground.modelstore import ModelStore


def test_evicts_least_recently_used_until_within_budget():
    store = ModelStore(budget_bytes=100)
    loads = []

    def loader(name):
        def load():
            loads.append(name)
            return name
        return load

    size = {"a": 40, "b": 40, "c": 40, "huge": 500}.get
    assert store.get("a", loader("a"), size) == "a"
    store.get("b", loader("b"), size)
    store.get("a", loader("a"), size)          # a is now the most recent
    store.get("c", loader("c"), size)          # 120 > 100: evict b (least recent)
    assert store.keys() == ["a", "c"] and store.total_bytes() == 80
    assert loads == ["a", "b", "c"]            # the second "a" came from the store
    store.get("huge", loader("huge"), size)    # alone over budget: still kept, the rest go
    assert store.keys() == ["huge"]


def test_failed_load_stores_nothing():
    store = ModelStore(budget_bytes=100)

    def boom():
        raise ValueError("bad weights")
    with pytest.raises(ValueError):
        store.get("x", boom, len)
    assert store.keys() == []
    assert store.get("x", lambda: "ok", len) == "ok"


def test_concurrent_requests_load_once():
    store = ModelStore(budget_bytes=10**9)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return object()
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get("m", slow, lambda o: 1)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1


def test_evicted_models_in_reference_cycles_are_collected():
    import gc

    class Model:
        pass
    store = ModelStore(budget_bytes=50)
    a = Model()
    a.self = a                      # a cycle: only a garbage collection frees it
    store.get("a", lambda: a, lambda o: 40)
    calls = []
    assert store.collect(lambda: calls.append(1)) is False    # nothing evicted yet
    store.get("b", lambda: Model(), lambda o: 40)             # evicts a
    del a
    gc.disable()
    try:
        assert store.collect(lambda: (calls.append(1), gc.collect())) is True
        assert store.collect(lambda: calls.append(1)) is False  # a is gone: no more collections
    finally:
        gc.enable()
    assert calls == [1]


def test_a_model_still_in_use_is_retried_a_bounded_number_of_times():
    class Model:
        pass
    store = ModelStore(budget_bytes=50)
    held = store.get("a", Model, lambda o: 40)
    store.get("b", Model, lambda o: 40)
    calls = []
    while store.collect(lambda: calls.append(1)):
        pass
    assert len(calls) == 5 and held is not None

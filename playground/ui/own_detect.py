"""The app's own digit detector, trained once per server (per seed) in a thread of its own and
shared read-only: the first visitor starts it, everyone watches the same progress bar."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

import streamlit as st

from ..detect import train as T
from ..threads import few_threads

KEEP = 2      # trained detectors kept in memory (seeds)


@st.cache_resource(show_spinner=False)
def _store() -> dict:
    return {"lock": threading.Lock(), "models": OrderedDict(), "jobs": {}}


def _train(store: dict, key: tuple):
    job = store["jobs"][key]
    try:
        with few_threads():
            det = T.train_detector(key[0], key[1],
                                   progress=lambda s, n, loss: job.update(step=s, steps=n, loss=loss))
        with store["lock"]:
            store["models"][key] = det
            while len(store["models"]) > KEEP:
                store["models"].popitem(last=False)
    except Exception as exc:  # noqa: BLE001 - shown to the student, never a traceback
        job["error"] = f"Training the app's own detector failed ({type(exc).__name__}: {exc})."[:200]
    finally:
        job["done"] = True


def own_detector(seed: int = 0, where=st) -> T.OwnDetector:
    """The trained detector for ``seed`` (training it first, with a progress bar)."""
    store, key = _store(), (int(seed), T.default_steps())
    models = store["models"]
    if key in models:
        models.move_to_end(key)
        return models[key]
    with store["lock"]:
        job = store["jobs"].get(key)
        if key not in models and (job is None or job["done"]):
            job = store["jobs"][key] = {"step": 0, "steps": key[1], "loss": None, "done": False}
            threading.Thread(target=_train, args=(store, key), daemon=True,
                             name=f"own-detector-{seed}").start()
    bar = where.progress(0.0, text="Training the app's own digit detector (once per server)…")
    while job is not None and not job["done"]:
        loss = "" if job["loss"] is None else f", loss {job['loss']:.2f}"
        bar.progress(job["step"] / max(job["steps"], 1),
                     text=f"Training the app's own digit detector: mini-batch {job['step']} of "
                          f"{job['steps']}{loss} (once per server, for every visitor; about half "
                          "a minute)")
        time.sleep(0.4)
    bar.empty()
    if key not in models:
        where.error((job or {}).get("error") or "The app's own detector is not available.")
        st.stop()
    return models[key]

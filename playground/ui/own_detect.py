"""The app's own digit detector, trained once per server (per seed) in a thread of its own and
shared read-only: the first visitor starts it, everyone watches the same progress bar."""
from __future__ import annotations

import threading
from collections import OrderedDict

import streamlit as st

from ..detect import train as T
from ..threads import few_threads
from .background import trained_once

KEEP = 2      # trained detectors kept in memory (seeds)


@st.cache_resource(show_spinner=False)
def _store() -> dict:
    return {"lock": threading.Lock(), "models": OrderedDict(), "jobs": {}}


def _train(seed: int, steps: int, progress) -> T.OwnDetector:
    with few_threads():
        return T.train_detector(seed, steps, progress=lambda s, n, loss: progress(
            step=s, steps=n, loss=loss))


def own_detector(seed: int = 0, where=st) -> T.OwnDetector:
    """The trained detector for ``seed`` (training it first, with a progress bar)."""
    def text(job):
        loss = "" if job.get("loss") is None else f", loss {job['loss']:.2f}"
        return (f"Training the app's own digit detector: mini-batch {job['step']} of "
                f"{job['steps']}{loss} (once per server, for every visitor; about half a minute)")

    key = (int(seed), T.default_steps())
    return trained_once(_store(), _store()["models"], key,
                        lambda progress: _train(key[0], key[1], progress), KEEP, where,
                        "the app's own detector", "Training the app's own digit detector (once "
                        "per server)…", text, poll=0.4)

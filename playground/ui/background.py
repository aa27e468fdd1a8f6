"""A model trained once per server in a thread of its own, which every waiting visitor watches.

A student who leaves the page (Streamlit stops that script run) does not cancel the training
everyone else is waiting for; at most ``keep`` trained models per kind stay in memory.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable

import streamlit as st


def _job(store: dict, models: OrderedDict, key, train: Callable, keep: int, what: str):
    job = store["jobs"][key]
    try:
        model = train(lambda **progress: job.update(progress))
        with store["lock"]:
            models[key] = model
            while len(models) > keep:
                models.popitem(last=False)
    except Exception as exc:  # noqa: BLE001 - shown to the student, never a traceback
        job["error"] = f"Training {what} failed ({type(exc).__name__})."
    finally:
        job["done"] = True


def trained_once(store: dict, models: OrderedDict, key, train: Callable, keep: int, where,
                 what: str, first_text: str, text: Callable[[dict], str], poll: float = 0.5):
    """``models[key]``, trained first by ``train(progress)`` (``progress(step=, steps=, ...)``
    updates the shared job) with a progress bar captioned ``text(job)``.

    ``store`` holds ``lock`` and ``jobs``; a failure is shown and stops the script run."""
    if key in models:
        models.move_to_end(key)
        return models[key]
    with store["lock"]:
        job = store["jobs"].get(key)
        if key not in models and (job is None or job["done"]):
            job = store["jobs"][key] = {"step": 0, "steps": 1, "done": False}
            threading.Thread(target=_job, args=(store, models, key, train, keep, what),
                             daemon=True, name=f"train-{what}-{key}"[:60]).start()
    bar = where.progress(0.0, text=first_text)
    while job is not None and not job["done"]:
        bar.progress(min(job["step"] / max(job["steps"], 1), 1.0), text=text(job))
        time.sleep(poll)
    bar.empty()
    if key not in models:
        where.error((job or {}).get("error") or f"{what[0].upper()}{what[1:]} is not available.")
        st.stop()
    return models[key]

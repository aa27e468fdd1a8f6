"""The app's own small models, trained once per server and shared read-only by every session.

The first visitor who needs one trains it (with a progress bar); everyone else waits for that
one run and then reuses it. A student can retrain with another seed: a new entry, at most
:data:`KEEP` per kind stay in memory.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import streamlit as st

from ..cnn.own import OwnCNN, train_digits_cnn
from ..transformer import chargpt as _gpt
from ..transformer.vit_digits import OwnViT, train_digit_vit
from .background import trained_once

KEEP = 2


@st.cache_resource(max_entries=2, show_spinner="Training the app's own digits CNN (once per server)…")
def own_digits_cnn(seed: int = 0, version: int = 0) -> OwnCNN:
    """The trained digits CNN; ``version`` > 0 retrains (a student pressed Retrain)."""
    return train_digits_cnn(seed)


@st.cache_resource(max_entries=2, show_spinner="Training the app's own small ViT on digits (once per server)…")
def own_digit_vit(seed: int = 0, version: int = 0) -> OwnViT:
    """The small ViT trained on the 8×8 digits; ``version`` > 0 retrains."""
    return train_digit_vit(seed)


@st.cache_resource(show_spinner=False)
def _store() -> dict:
    return {"lock": threading.Lock(), "gpt": OrderedDict(), "jobs": {}}


def own_gpt_ready(seed: int = 0) -> bool:
    return seed in _store()["gpt"]


def own_gpt(seed: int = 0, where=st) -> _gpt.OwnGPT:
    """The app's own character GPT for ``seed``, trained on first use (progress bar); every
    visitor waiting for it watches the same training."""
    def text(job):
        val = "" if job.get("val") is None else f", validation loss {job['val']:.2f}"
        return (f"Training the app's own tiny GPT: step {job['step']} of {job['steps']}{val} "
                "(once per server, for every visitor)")

    return trained_once(_store(), _store()["gpt"], seed, lambda progress: _gpt.train_gpt(
        seed, progress=lambda s, n, v: progress(step=s, steps=n, val=v)), KEEP, where,
        "the app's own GPT", "Training the app's own tiny GPT on the Book of Genesis (once per "
        "server)…", text)


def own_gpt_panel(prefix: str, where=st) -> _gpt.OwnGPT:
    """The own GPT of this session's seed, with what it is and a Retrain with another seed."""
    key = f"{prefix}__own_seed"
    seed = int(st.session_state.get(key, 0))
    gpt = own_gpt(seed, where)
    with where.expander("About the app's own tiny GPT · retrain", expanded=False):
        st.markdown(f"A character-level GPT-2 ({gpt.lm.model.config.n_layer} layers × "
                    f"{gpt.lm.model.config.n_head} heads, {gpt.lm.model.config.n_embd} dimensions, "
                    f"reads {_gpt.BLOCK} characters) — {gpt.summary}. Text: the Book of Genesis, "
                    "King James Version (1611, public domain), 90 % for training, the last 10 % "
                    "to measure the validation loss.")
        st.markdown("**A sample** (temperature 0.8, after “And God said”):")
        st.code("And God said" + gpt.sample, language=None, wrap_lines=True)
        new = st.number_input("Seed", 0, 9999, seed, key=f"{prefix}_own_seed_in",
                              help="Another seed: other initial weights and mini-batches. The "
                                   "trained model is shared with every visitor using that seed.")
        if st.button("Train with this seed", key=f"{prefix}_own_retrain",
                     icon=":material/model_training:", disabled=int(new) == seed):
            st.session_state[key] = int(new)
            st.rerun()
    return gpt


def hub_usable(key: str) -> bool:
    """Whether a hub language model is on this server or can be downloaded now (no output)."""
    from ..language import hub as _hub
    from .hf import hf_locate

    return hf_locate(key)[0] is not None or _hub.offline_reason() is None


def lm_choice(prefix: str, keys: list[str], label: str = "Model", where=st):
    """A model radio with the app's own GPT first: (key, LoadedLM or None, spec).

    A hub model that cannot be had here says so plainly and offers the own GPT instead (no
    disabled buttons, no promise of anything else on the page)."""
    from ..language.models import REGISTRY
    from .core import kept_or, remember, stored

    specs = {"own": _gpt.SPEC, **{k: REGISTRY[k] for k in keys}}
    if stored(prefix).get("model") not in specs:   # a hub model when it is there, else the own GPT
        stored(prefix)["model"] = next((k for k in keys if hub_usable(k)), "own")
    key = kept_or(prefix, "model", stored(prefix)["model"], where.radio, label, list(specs),
                  horizontal=True, format_func=lambda k: specs[k].label)
    if key == "own":
        return key, own_gpt_panel(prefix, where).lm, specs[key]
    from .hf import hf_model, hf_model_box

    if not hf_model_box(key, where):
        where.info(f"{specs[key].label} is not on this server and cannot be downloaded now, so "
                   "this page cannot show it. The app's own tiny GPT was trained here and works "
                   "without internet: every view of this page runs on it.",
                   icon=":material/cloud_off:")
        where.button("Use the app's own tiny GPT", key=f"{prefix}_use_own", type="primary",
                     icon=":material/swap_horiz:", on_click=remember, args=(prefix, "model", "own"))
        st.stop()
    return key, None, specs[key]


def lm_other(prefix: str, key: str, keys: list[str], where=st):
    """A "side by side with" choice of a second model that is here now (the own GPT always; a
    hub model only when it is on this server or can be downloaded): (key, LoadedLM) or None."""
    from ..language.models import REGISTRY
    from .hf import hf_model

    specs = {"own": _gpt.SPEC, **{k: REGISTRY[k] for k in keys}}
    others = [k for k in specs if k != key and (k == "own" or hub_usable(k))]
    if not others:
        return None
    other = where.selectbox("Side by side with", [""] + others, key=f"{prefix}_other",
                            format_func=lambda k: "no second model" if not k else specs[k].label)
    if not other:
        return None
    lm = own_gpt(int(st.session_state.get(f"{prefix}__own_seed", 0)), where).lm \
        if other == "own" else hf_model(other, where)
    return (other, lm) if lm is not None else None

"""Streamlit glue of the language and speech pages: Hugging Face models from a local folder, the
server's cache or the hub (progress bar; a clear message within ~2 s when offline), cached once
per server and bounded."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from .. import cost as _cost
from .. import serverpaths as _paths
from ..bundle import paths as _bundle_paths
from ..language import hub as _hub
from ..language import models as _lm
from .core import model_store
from .guard import guarded
from .costs import cost_panel, known_cost, measure_cost
from .vision import _bundle_hint

def _load_hf(key: str, path: str, stamp: float, _source: str = "") -> "_lm.LoadedLM":
    """One read-only copy per server of a model folder (``stamp``: its weights' mtime), in the
    shared size-bounded store. Reloading an evicted model takes a second or two: transformers ≥ 5
    maps safetensors weights from disk instead of copying them."""
    return model_store().get(("hf", key, path, stamp), lambda: _lm.load(_lm.REGISTRY[key], path, _source),
                             lambda lm: _cost.size_bytes(lm.model))


def _weights_stamp(path) -> float:
    files = [Path(path) / w for w in _hub.WEIGHTS if (Path(path) / w).is_file()]
    return max((f.stat().st_mtime for f in files), default=0.0)


def hf_locate(key: str):
    """(folder, where it came from) of a model already on this server, or (None, "")."""
    spec = _lm.REGISTRY[key]
    mine = st.session_state.get(f"lang__folder__{key}")
    if mine:
        try:
            return _hub.check_folder(mine), "your folder"
        except _hub.ModelError:
            st.session_state.pop(f"lang__folder__{key}", None)
    for find, source in ((_hub.teacher_folder, "the teacher's model folder"),
                         (_hub.cached_folder, "the Hugging Face cache on this server")):
        path = find(spec.hub_id)
        if path is not None:
            bundled = _bundle_paths.hf_dir()
            if bundled is not None and path.is_relative_to(bundled.resolve()):
                source = "the classroom bundle"
            return path, source
    return None, ""


def hf_status(key: str) -> str:
    spec = _lm.REGISTRY[key]
    path, source = hf_locate(key)
    head = f"**{spec.label}** · `{spec.hub_id}` · {spec.license}"
    if path is not None:
        return f"{head} · from {source} (“{path.name}”)"
    return f"{head} · {spec.params / 1e6:.0f} M parameters, a {spec.size_mb:.0f} MB download on first use"


@guarded("the local model folder")
def hf_folder_form(key: str, where=st):
    """Let a user (or teacher) point at a pre-downloaded model folder on this server: only when
    the operator switched server paths on, and only inside the operator's folders."""
    spec = _lm.REGISTRY[key]
    mine = st.session_state.get(f"lang__folder__{key}")
    if not _paths.enabled():
        return
    with where.expander(f"Use a local model folder for {spec.label}", expanded=False):
        if mine:
            st.caption(f"Using your folder “{Path(mine).name}”.")
            if st.button("Forget my folder", key=f"lang_forget_{key}"):
                st.session_state.pop(f"lang__folder__{key}", None)
                st.rerun()
        with st.form(key=f"lang_folder_form_{key}"):
            path = st.text_input("Model folder on this server", key=f"lang_folder_{key}",
                                 max_chars=_paths.MAX_PATH_CHARS,
                                 placeholder=f"/data/models/{spec.hub_id.replace('/', '--')}")
            if st.form_submit_button("Use this folder", key=f"lang_folder_go_{key}"):
                try:
                    folder = _hub.user_folder(path)
                    _load_hf(key, str(folder), _weights_stamp(folder), "your folder")  # validates
                    st.session_state[f"lang__folder__{key}"] = str(folder)
                    st.rerun()
                except _hub.ModelError as exc:
                    st.error(str(exc))
        st.caption("The folder must hold config.json, model.safetensors and the tokenizer files, as "
                   "written by `save_pretrained()` or downloaded from the hub, and lie inside the "
                   "model folders this server's operator set up. Only safetensors weights are read "
                   "and no code from the folder is run.")


def _hf_offline_help(spec: "_lm.HFModel", where, reason: str):
    folder = spec.hub_id.replace("/", "--")
    where.warning(
        f"**{spec.label}** needs a one-time download of `{spec.hub_id}` ({spec.size_mb:.0f} MB) "
        f"from the Hugging Face hub, and that is not possible right now: {reason}.\n\n"
        "To use it without internet, download the model folder on a computer that is online "
        f"(`hf download {spec.hub_id} --local-dir {folder}`) and copy that local model folder to this "
        "server: teachers "
        f"put such folders in one directory and start the app with `{_hub.MODELS_DIR_ENV}=<that "
        "directory>`"
        + (", or enter the folder's path under “Use a local model folder”" if _paths.enabled() else "")
        + f". Weights: `model.safetensors`, about {spec.size_mb:.0f} MB, from "
        f"https://huggingface.co/{spec.hub_id}. {_bundle_hint()}", icon=":material/download:")


@guarded("the model's status")
def hf_model_box(key: str, where=st) -> bool:
    """A model's status line and local-folder option; when the model is not on this server and
    the hub is unreachable (decided within ~2 s, remembered for a minute), the message why.
    True when the model can be used or downloaded."""
    where.caption(hf_status(key))
    path, _ = hf_locate(key)
    reason = None if path is not None else _hub.offline_reason()
    if reason:
        _hf_offline_help(_lm.REGISTRY[key], where, reason)
    hf_folder_form(key, where)
    return reason is None


@guarded("loading the model")
def hf_model(key: str, where=st) -> "_lm.LoadedLM | None":
    """The shared, read-only model ``key`` (see playground.language.models.REGISTRY), loaded on
    first use: from a local folder or the Hugging Face cache, else downloaded with a progress
    bar, else (offline, decided within ~2 s) a clear message. None when unavailable."""
    spec = _lm.REGISTRY[key]
    path, source = hf_locate(key)
    if path is None:
        reason = _hub.offline_reason()
        if reason:
            _hf_offline_help(spec, where, reason)
            return None
        bar = where.progress(0.0, text=f"Downloading {spec.label} ({spec.size_mb:.0f} MB, once "
                                       "per server)…")
        seen = [0.0]

        def on_bytes(done: int, total: int):
            frac = min(done / max(total, 1), 1.0)
            if frac - seen[0] >= 0.01 or frac >= 1.0:
                seen[0] = frac
                bar.progress(frac, text=f"Downloading {spec.label}: {done / 1e6:.0f} of "
                                        f"{total / 1e6:.0f} MB (once per server)")
        try:
            path, source = _hub.download(spec.hub_id, on_bytes), "the Hugging Face hub"
        except _hub.ModelError as exc:
            bar.empty()
            _hf_offline_help(spec, where, str(exc))
            return None
        bar.empty()
    try:
        with where.spinner(f"Loading {spec.label} into memory (once per server)…"):
            return _load_hf(key, str(path), _weights_stamp(path), source)
    except _hub.ModelError as exc:
        if source == "your folder":
            st.session_state.pop(f"lang__folder__{key}", None)
        where.error(str(exc))
        return None




@guarded("the model's cost")
def hf_cost(prefix: str, lm: "_lm.LoadedLM", where=st):
    """“What this model costs” for a loaded language/speech model, measured on request."""
    ident = f"loaded:{lm.ident}"
    with where.expander(f"What {lm.spec.label} costs", expanded=known_cost(ident) is not None):
        c = known_cost(ident)
        if c is None:
            st.caption("Parameters, size, multiply-accumulates, latency, peak memory and energy for "
                       "one standard input, measured on this server (a few seconds, once per server).")
            if st.button("Measure on this server", key=f"{prefix}_cost_{lm.spec.key}"):
                def run():
                    fn, desc = _lm.probe(lm.spec, lm.model)
                    with lm.lock:
                        return _cost.measure(lm.spec.label, lm.model, fn, desc,
                                             notes=[lm.spec.cost_note] if lm.spec.cost_note else [])
                with st.spinner("Measuring…"):
                    measure_cost(ident, run)
                st.rerun()
        if c is not None:
            cost_panel(c, st)

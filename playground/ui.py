"""The one module of Streamlit glue: settings widgets bound to the URL, persistent widget state.

Pages stay thin: they lay out widgets from here and call the pure modules for everything else.
"""
from __future__ import annotations

import sys

import streamlit as st

from . import settings as S
from .activations import ACTIVATIONS
from .datasets import GENERATORS
from .features import FEATURES
from .network import INITS, LOSS_LABELS, OPTIMIZER_LABELS

LABELS = {
    "dataset": lambda k: GENERATORS[k][0],
    "features": lambda k: FEATURES[k][0],
    "loss": lambda k: LOSS_LABELS[k],
    "init": lambda k: INITS[k],
    "optimizer": lambda k: OPTIMIZER_LABELS[k],
    "b_optimizer": lambda k: OPTIMIZER_LABELS[k],
    "reg": {"none": "None", "l1": "L1", "l2": "L2"}.get,
    "b_act": lambda k: ACTIVATIONS[k].label,
    "acts": lambda k: ACTIVATIONS[k].label,
}


def _store(prefix: str) -> dict:
    """Values that outlive the widgets (Streamlit drops a widget's state on a page switch)."""
    return st.session_state.setdefault(f"{prefix}__values", {})


def init_settings(prefix: str) -> list[str]:
    """Once per session: take the settings from the URL. Returns warnings about bad values."""
    flag = f"{prefix}__url_loaded"
    if flag in st.session_state:
        return []
    values, warnings = S.from_query(st.query_params.to_dict())
    _store(prefix).update(values)
    st.session_state[f"{prefix}__hidden"] = S.hidden_groups(st.query_params.to_dict())
    st.session_state[flag] = True
    return warnings


def hidden(prefix: str) -> set:
    return st.session_state.get(f"{prefix}__hidden", set())


def wkey(prefix: str, name: str) -> str:
    """The widget key for a setting; seeded from the stored value when the widget is new."""
    key = f"{prefix}_{name}"
    store = _store(prefix)
    if key not in st.session_state and name in store:
        st.session_state[key] = store[name]
    return key


def remember(prefix: str, name: str, value):
    _store(prefix)[name] = value
    st.session_state[f"{prefix}_{name}"] = value


def setting_widget(prefix: str, key: str, where=st, options=None):
    """Draw the widget for one setting of the table and return its value.

    ``options`` narrows a choice setting's options (e.g. the data sets of one problem type)."""
    s = S.BY_KEY[key]
    k = wkey(prefix, key)
    fmt = LABELS.get(key)
    if s.kind == "choice":
        opts = list(options or s.options)
        if st.session_state.get(k) not in opts:
            st.session_state[k] = opts[0]
        v = where.selectbox(s.label, opts, key=k, format_func=fmt or str, help=s.help or None)
    elif s.kind == "int":
        v = where.slider(s.label, s.lo, s.hi, key=k, help=s.help or None) if s.hi <= 100 else \
            where.number_input(s.label, s.lo, s.hi, step=1, key=k, help=s.help or None)
    elif s.kind == "bool":
        v = where.toggle(s.label, key=k, help=s.help or None)
    elif s.kind == "float_choice":
        v = where.select_slider(s.label, s.options, key=k, help=s.help or None)
    elif s.kind == "multi":
        v = where.pills(s.label, s.options, selection_mode="multi", key=k, format_func=fmt,
                        help=s.help or None) or []
    else:
        raise ValueError(f"no widget for {s.kind}")
    _store(prefix)[key] = list(v) if isinstance(v, (list, tuple)) else v
    return v


def layers_widget(prefix: str, where=st):
    """Hidden layers: how many, then neurons and activation for each."""
    store = _store(prefix)
    layers, acts = list(store.get("layers", [4, 2])), list(store.get("acts", ["tanh", "tanh"]))
    st.session_state.setdefault(f"{prefix}_nlayers", len(layers))
    n = where.number_input("Hidden layers", 0, S.MAX_LAYERS, step=1, key=wkey(prefix, "nlayers"))
    store["nlayers"] = n
    new_layers, new_acts = [], []
    for i in range(n):
        c1, c2 = where.columns([1, 1.4])
        nk, ak = f"{prefix}_neurons_{i}", f"{prefix}_act_{i}"
        if nk not in st.session_state:
            st.session_state[nk] = layers[i] if i < len(layers) else (layers[-1] if layers else 4)
        if ak not in st.session_state:
            st.session_state[ak] = acts[i] if i < len(acts) else (acts[-1] if acts else "tanh")
        new_layers.append(int(c1.number_input(f"Layer {i + 1} neurons", 1, S.MAX_NEURONS, step=1, key=nk)))
        new_acts.append(c2.selectbox(f"Layer {i + 1} activation", list(ACTIVATIONS), key=ak,
                                     format_func=LABELS["acts"]))
    store["layers"], store["acts"] = new_layers, new_acts
    return new_layers, new_acts


def current(prefix: str) -> dict:
    return S.normalize({**S.defaults(), **{k: v for k, v in _store(prefix).items() if k in S.BY_KEY}})


def sync_url(prefix: str, values: dict):
    """Write the non-default settings (and any hide flags) to the address bar."""
    q = S.to_query(values)
    if hidden(prefix):
        q["hide"] = ",".join(sorted(hidden(prefix)))
    if q != st.query_params.to_dict():
        st.query_params.from_dict(q)


def plotly(where, fig: dict, **kwargs):
    """st.plotly_chart for a figure dict built by playground.figures, skipping plotly's slow
    re-validation (the builders are tested); returns the selection event if any."""
    import plotly.graph_objects as go

    kwargs.setdefault("config", {"displayModeBar": False})
    return where.plotly_chart(go.Figure(fig, _validate=False), **kwargs)


_server_ready = False


def server_setup():
    """Once per server process (app.py calls it every run; only the first call acts).

    - NumPy's BLAS may start a thread per core for every small matrix product; with many
      sessions on 2 cores that oversubscribes the CPU and slows a frame 5-8x. One thread each.
    - gc.freeze() moves the objects created by the imports (torch alone: ~450k) out of the
      garbage collector's way, so the collections Python runs stay in the milliseconds.
    """
    global _server_ready
    if _server_ready:
        return
    _server_ready = True
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl missing or no BLAS found
        pass
    import gc

    gc.collect()
    gc.freeze()


def read_upload(state_key: str, up, convert, errors) -> tuple:
    """Convert an uploaded file once per file (remembered in the session under state_key).

    Returns (result, is_new): result is convert(bytes), or the message of one of ``errors``
    (an exception class or tuple) as a string; is_new is True on the first run for this file."""
    fid = getattr(up, "file_id", None) or (up.name, up.size)
    hit = st.session_state.get(state_key)
    if hit and hit[0] == fid:
        return hit[1], False
    try:
        res = convert(up.getvalue())
    except errors as exc:
        res = str(exc)
    st.session_state[state_key] = (fid, res)
    return res, True


def page_setup():
    """Call first on every page. Works around Streamlit's legacy pages/ mode on the first run.

    On the very first script run after the server starts, Streamlit treats a folder named
    ``pages/`` as a legacy multipage app and runs a deep-linked page file directly, with the
    legacy sidebar. The page's ``url_path`` equals its file name, so that run finds the page;
    here it switches Streamlit to ``st.navigation`` mode and reruns through app.py at once.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without it
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        # AppTest starts every run in legacy mode; a rerun there would swallow button clicks.
        if "streamlit.testing.v1" not in sys.modules:
            st.rerun()


# ---- Shared image input and pretrained vision models (image pages) -----------------------
import hashlib as _hashlib  # noqa: E402
from collections import OrderedDict as _OrderedDict  # noqa: E402

from . import images as _img  # noqa: E402
from .vision import models as _vm  # noqa: E402

IMAGE_SOURCES = {"sample": "📷 Sample image", "upload": "⬆ Upload", "camera": "🎥 Camera"}
MODEL_CACHE_ENTRIES = 4   # models kept in memory per server (≈ 0.6 GB in the worst case)


def _clean_upload(prefix: str, kind: str, up) -> "_img.CleanImage | str":
    """Clean an UploadedFile once (cached per file id in the session); error text on failure."""
    def clean(raw):
        try:
            return _img.clean_image(raw, name=up.name or "photo")
        except _img.ImageError:
            raise
        except Exception as exc:  # anything Pillow did not foresee: still a message, never a trace
            raise _img.ImageError(f"“{up.name}” could not be read ({type(exc).__name__}).") from None

    res, new = read_upload(f"{prefix}__img_{kind}", up, clean, _img.ImageError)
    if new and not isinstance(res, str):
        st.session_state["img__last_photo"] = res     # offered again on the other image pages
    return res


def _forget_photo():
    st.session_state.pop("img__last_photo", None)


def image_input(prefix: str, where=st, default_sample: str = "Cat") -> "_img.CleanImage | None":
    """The one image input of every image page: a bundled sample, an upload or the camera.

    Returns a clean RGB picture (:mod:`playground.images`) or None; conversions are listed
    under the picture and unusable files are refused with a message, never a traceback. The
    last photo a student uploaded or took is reused on the other image pages."""
    src = where.radio("Image source", list(IMAGE_SOURCES), format_func=IMAGE_SOURCES.get,
                      horizontal=True, key=wkey(prefix, "img_src"))
    _store(prefix)["img_src"] = src
    clean = None
    if src == "sample":
        names = list(_img.SAMPLES)
        k = wkey(prefix, "img_sample")
        st.session_state.setdefault(k, default_sample if default_sample in names else names[0])
        name = where.selectbox("Sample image", names, key=k)
        _store(prefix)["img_sample"] = name
        clean = _img.load_sample(name)
    else:
        if src == "upload":
            up = where.file_uploader("Your photo (PNG, JPEG, WebP, GIF or BMP)",
                                     type=_img.UPLOAD_TYPES, key=f"{prefix}_img_file",
                                     on_change=_forget_photo,
                                     max_upload_size=_img.MAX_BYTES // 2**20)
        else:
            up = where.camera_input("Take a photo", key=f"{prefix}_img_cam",
                                    on_change=_forget_photo)
        if up is not None:
            res = _clean_upload(prefix, src, up)
            if isinstance(res, str):
                where.error(res)
                return None
            clean = res
        elif "img__last_photo" in st.session_state:
            clean = st.session_state["img__last_photo"]
            where.caption(f"Using your last photo, “{clean.name}”. Upload or take another to "
                          "replace it.")
        else:
            where.info("Upload a photo or take one with your camera (or pick a sample image).")
            return None
    w, h = clean.image.size
    where.image(clean.image, caption=f"{clean.name} · {w}×{h}", width="stretch")
    for note in clean.notes:
        where.caption(note)
    return clean


@st.cache_resource(max_entries=MODEL_CACHE_ENTRIES, show_spinner=False)
def _load_model(key: str, source: str, _data: bytes | None = None) -> "_vm.Loaded":
    """One copy per server of each model (bounded); ``source`` names the weights' origin."""
    spec = _vm.REGISTRY[key]
    return _vm.load_local(spec, _data) if _data is not None else _vm.load_torchvision(spec)


def model_label(key: str) -> str:
    """A model's name and weight size, for pickers (static, so the choice never resets)."""
    spec = _vm.REGISTRY[key]
    return f"{spec.label} · {spec.size_mb:.0f} MB"


def model_status(key: str) -> str:
    if st.session_state.get(f"vision__local__{key}"):
        return "using your own weights"
    if _vm.weights_cached(_vm.REGISTRY[key]):
        return "weights on this server"
    return "weights not downloaded yet"


def _offline_help(spec: "_vm.ModelSpec", where, reason: str):
    where.info(
        f"**{spec.label}** needs its pretrained weights, a {spec.size_mb:.0f} MB file downloaded "
        f"once per server from {_vm.DOWNLOAD_HOST}. {reason}\n\n"
        f"To use it without internet, provide the torchvision weights file `{spec.file_name}`:\n"
        f"- copy it into `{_vm.checkpoint_dir()}` (where torchvision looks) and reload, or\n"
        "- give its path on this server or upload it under “Use a local weights file” "
        "below.\n\n"
        "Any `state_dict` of this architecture works (`torch.save(model.state_dict(), path)` or "
        "safetensors). It is loaded with `torch.load(..., weights_only=True)`: no code in the file "
        "can run.", icon="📦")
    with where.expander(f"Use a local weights file for {spec.label}"):
        with st.form(key=f"vision_local_{spec.key}"):
            path = st.text_input("Path on this server", key=f"vision_local_path_{spec.key}",
                                 placeholder=f"/data/{spec.file_name}")
            up = st.file_uploader("…or upload it (up to 200 MB)",
                                  key=f"vision_local_up_{spec.key}",
                                  type=[s.lstrip(".") for s in _vm.LOCAL_SUFFIXES])
            if st.form_submit_button("Load these weights", key=f"vision_local_go_{spec.key}"):
                try:
                    if up is not None:
                        data = up.getvalue()
                    elif path.strip():
                        data = _vm.read_local_path(path)
                    else:
                        raise _vm.WeightsError("Enter a path or choose a file first.")
                    digest = _hashlib.sha256(data).hexdigest()[:12]
                    _load_model(spec.key, f"local:{digest}", data)      # validates the file
                    st.session_state[f"vision__local__{spec.key}"] = {"digest": digest,
                                                                       "data": data}
                    st.rerun()
                except (_vm.WeightsError, OSError) as exc:
                    st.error(str(exc))


def vision_model(key: str, where=st) -> "_vm.Loaded | None":
    """The shared, read-only model ``key`` (see playground.vision.models.REGISTRY), loaded on
    first use: downloaded with a progress bar when online, else a clear message with how to
    provide local weights. Returns None when it is not available (the page carries on)."""
    spec = _vm.REGISTRY[key]
    local = st.session_state.get(f"vision__local__{key}")
    if local:
        try:
            loaded = _load_model(key, f"local:{local['digest']}", local["data"])
        except _vm.WeightsError as exc:
            st.session_state.pop(f"vision__local__{key}", None)
            where.error(str(exc))
            return None
        c1, c2 = where.columns([3, 1])
        c1.caption(f"{spec.label}: using your own weights file (sha256 {local['digest']}…).")
        if c2.button("Forget", key=f"vision_forget_{key}", help="Back to torchvision's weights"):
            st.session_state.pop(f"vision__local__{key}", None)
            st.rerun()
        return loaded
    path = _vm.checkpoint_path(spec)
    if not path.is_file():
        if not _vm.can_download():
            _offline_help(spec, where, "This server cannot reach the internet right now.")
            return None
        bar = where.progress(0.0, text=f"Downloading {spec.label} weights ({spec.size_mb:.0f} MB, "
                                       "once per server)…")
        seen = [0.0]

        def on_chunk(done: int, total: int | None):
            frac = done / total if total else 0.0
            if frac - seen[0] >= 0.01 or frac >= 1:
                seen[0] = frac
                bar.progress(min(frac, 1.0), text=f"Downloading {spec.label}: "
                                                  f"{done / 2**20:.1f} of "
                                                  f"{(total or 0) / 2**20:.1f} MB")
        try:
            _vm.download_weights(spec, on_chunk)
        except Exception as exc:   # network errors of every kind, a bad checksum, a full disk
            bar.empty()
            _offline_help(spec, where, f"The download failed ({str(exc)[:160]}).")
            return None
        bar.empty()
    try:
        with where.spinner(f"Loading {spec.label} into memory (once per server)…"):
            return _load_model(key, f"torchvision:{path}:{path.stat().st_mtime_ns}")
    except _vm.WeightsError as exc:
        _offline_help(spec, where, str(exc))
        return None
    except MemoryError:
        where.error(f"This server does not have enough free memory for {spec.label} right now; "
                    "please choose a smaller model.")
        return None


def memo(name: str, key: tuple, fn, keep: int = 12):
    """Per-session memo of expensive results (explanations, attacks, sweeps), newest ``keep``."""
    box = st.session_state.setdefault("vision__memo", _OrderedDict())
    k = (name,) + tuple(key)
    if k in box:
        box.move_to_end(k)
        return box[k]
    box[k] = value = fn()
    while len(box) > keep:
        box.popitem(last=False)
    return value


def kept(prefix: str, name: str, widget, *args, **kwargs):
    """Draw ``widget(*args, key=..., **kwargs)`` whose value survives page switches."""
    value = widget(*args, key=wkey(prefix, name), **kwargs)
    _store(prefix)[name] = value
    return value


# ---- Pages with their own small settings table (pages/recurrent.py) ------------------------
def load_query_once(prefix: str, parse) -> list[str]:
    """Once per session: ``parse(query dict) -> (values, warnings)`` seeds the page's stored values."""
    flag = f"{prefix}__url_loaded"
    if flag in st.session_state:
        return []
    values, warnings = parse(st.query_params.to_dict())
    _store(prefix).update(values)
    st.session_state[flag] = True
    return warnings


def stored(prefix: str) -> dict:
    """The page's widget values that outlive a page switch."""
    return _store(prefix)


def kept_or(prefix: str, name: str, default, widget, *args, **kwargs):
    """``widget(*args, key=<prefix>_<name>, **kwargs)`` whose value survives page switches.

    The widget starts from the stored value, else ``default`` (so pass no value=/index=)."""
    key = wkey(prefix, name)
    st.session_state.setdefault(key, default)
    value = widget(*args, key=key, **kwargs)
    _store(prefix)[name] = value
    return value


def write_query(q: dict):
    """Replace the address-bar parameters with ``q`` (only when they differ)."""
    if q != st.query_params.to_dict():
        st.query_params.from_dict(q)


def once(key: str, fn, *args):
    """An on_click callback that runs ``fn(*args)`` once per click.

    While ``run_every`` fragments rerun (and with ``runner.fastReruns = false``) Streamlit can
    deliver one click to several coalesced runs, calling the callback drawn with the button
    each time; the token it was drawn with lets only the first call through."""
    token = st.session_state.get(key, 0)

    def callback():
        if st.session_state.get(key, 0) == token:
            st.session_state[key] = token + 1
            fn(*args)
    return callback


# ---- Language and speech models, and what models cost (language, speech, costs pages) -------
import os as _os  # noqa: E402
import threading as _threading  # noqa: E402

from . import cost as _cost  # noqa: E402
from .language import hub as _hub  # noqa: E402
from .language import models as _lm  # noqa: E402

# Language/speech models kept in memory per server. The four defaults are ≈ 0.93 GB of float32
# weights; three at a time keep a server that also runs the vision pages under 2.5 GB (measured
# by benchmarks/memory.py). The least recently used is evicted; reloading it takes a second or
# two, because transformers ≥ 5 maps safetensors weights from disk instead of copying them.
HF_CACHE_ENTRIES = int(_os.environ.get("PLAYGROUND_HF_CACHE_ENTRIES", "3"))
COST_ENTRIES = 64


@st.cache_resource(max_entries=HF_CACHE_ENTRIES, show_spinner=False)
def _load_hf(key: str, path: str, stamp: float, _source: str = "") -> "_lm.LoadedLM":
    """One read-only copy per server of a model folder (``stamp``: its weights' mtime)."""
    return _lm.load(_lm.REGISTRY[key], path, _source)


def _weights_stamp(path) -> float:
    from pathlib import Path

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
            return path, source
    return None, ""


def hf_status(key: str) -> str:
    spec = _lm.REGISTRY[key]
    path, source = hf_locate(key)
    head = f"**{spec.label}** · `{spec.hub_id}` · {spec.license}"
    if path is not None:
        return f"{head} · from {source} ({path.name})"
    return f"{head} · {spec.params / 1e6:.0f} M parameters, a {spec.size_mb:.0f} MB download on first use"


def hf_folder_form(key: str, where=st):
    """Let a user (or teacher) point at a pre-downloaded model folder on this server."""
    spec = _lm.REGISTRY[key]
    mine = st.session_state.get(f"lang__folder__{key}")
    with where.expander(f"Use a local model folder for {spec.label}", expanded=False):
        if mine:
            st.caption(f"Using your folder {mine}.")
            if st.button("Forget my folder", key=f"lang_forget_{key}"):
                st.session_state.pop(f"lang__folder__{key}", None)
                st.rerun()
        with st.form(key=f"lang_folder_form_{key}"):
            path = st.text_input("Model folder on this server", key=f"lang_folder_{key}",
                                 placeholder=f"/data/models/{spec.hub_id.replace('/', '--')}")
            if st.form_submit_button("Use this folder", key=f"lang_folder_go_{key}"):
                try:
                    folder = _hub.check_folder(path)
                    _load_hf(key, str(folder), _weights_stamp(folder), "your folder")  # validates
                    st.session_state[f"lang__folder__{key}"] = str(folder)
                    st.rerun()
                except _hub.ModelError as exc:
                    st.error(str(exc))
        st.caption("The folder must hold config.json, model.safetensors and the tokenizer files, as "
                   "written by `save_pretrained()` or downloaded from the hub. Only safetensors "
                   "weights are read and no code from the folder is run.")


def _hf_offline_help(spec: "_lm.HFModel", where, reason: str):
    folder = spec.hub_id.replace("/", "--")
    where.warning(
        f"**{spec.label}** needs a one-time download of `{spec.hub_id}` ({spec.size_mb:.0f} MB) "
        f"from the Hugging Face hub, and that is not possible right now: {reason}.\n\n"
        "To use it without internet, download the model folder on a computer that is online "
        f"(`hf download {spec.hub_id} --local-dir {folder}`), copy the folder to this server and "
        "enter its path under “Use a local model folder”. Teachers can put such folders in one "
        f"directory and start the app with `{_hub.MODELS_DIR_ENV}=<that directory>`. "
        "Everything else on this page keeps working.", icon="📦")


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


@st.cache_resource(show_spinner=False)
def _cost_store() -> dict:
    """Server-wide results of cost measurements (a class measures each model once)."""
    return {"lock": _threading.Lock(), "costs": _OrderedDict()}


def known_cost(ident: str) -> "_cost.Cost | None":
    store = _cost_store()
    with store["lock"]:
        return store["costs"].get(ident)


def measure_cost(ident: str, measure) -> "_cost.Cost":
    """``measure()`` once per server for ``ident``; later calls return the stored result."""
    hit = known_cost(ident)
    if hit is not None:
        return hit
    result = measure()
    store = _cost_store()
    with store["lock"]:
        store["costs"][ident] = result
        while len(store["costs"]) > COST_ENTRIES:
            store["costs"].popitem(last=False)
    return result


def all_costs() -> dict:
    store = _cost_store()
    with store["lock"]:
        return dict(store["costs"])


def cost_panel(c: "_cost.Cost", where=st):
    """The one panel every page uses to show what a model costs."""
    h = _cost.human
    m = where.columns(6)
    m[0].metric("Parameters", h(c.params), help=f"{c.params:,} numbers learned in training")
    m[1].metric("Size", f"{c.size_mb:.3g} MB", help=f"Parameters and buffers in memory ({c.dtype}); "
                "MB = 10⁶ bytes")
    m[2].metric("MACs per input", h(c.macs), help=f"{c.macs:,} multiply-accumulates for {c.input_desc}")
    m[3].metric("Latency", f"{c.latency_ms:.3g} ms", help=f"Median of {c.repeats} runs on this "
                f"server ({c.threads} thread{'s' if c.threads != 1 else ''}), best "
                f"{c.best_ms:.3g} ms. Other users share the CPU, so it varies.")
    m[4].metric("Peak memory", f"{c.peak_mb:.3g} MB", help=f"Weights plus the peak of activations "
                f"and temporaries during one input ({c.activations_mb:.3g} MB), not counting the "
                "Python process and libraries")
    m[5].metric("Energy / 1000", _cost.wh_text(c.wh_per_1000), help=_cost.energy_text(c))
    where.markdown(f"**What drives the cost.** {_cost.drivers(c)}")
    where.caption(f"Input: {c.input_desc}. {_cost.energy_text(c)}")
    for note in c.notes:
        where.caption(note)


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

"""Streamlit glue every page uses: settings bound to the URL, widget state that outlives a
page switch, Plotly without re-validation, server setup, uploads read once, small per-session
memos.
"""
from __future__ import annotations

import functools

import os
import sys
import time
import uuid
from collections import OrderedDict

import numpy as np
import streamlit as st

from .. import inputs as _inputs
from ..mlp import settings as S
from ..mlp.activations import ACTIVATIONS
from ..mlp.datasets import GENERATORS
from ..mlp.features import FEATURES
from ..modelstore import DEFAULT_BUDGET_MB, ModelStore
from ..mlp.network import INITS, LOSS_LABELS, OPTIMIZER_LABELS
from .guard import clean_value, log, strict

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
    """Write the non-default settings (and any hide flags) to the address bar; a lesson link's
    ``hide=nav`` and ``lesson_step`` stay."""
    q = S.to_query(values)
    now = st.query_params.to_dict()
    hide = sorted(hidden(prefix)) + (["nav"] if "nav" in now.get("hide", "").split(",") else [])
    if hide:
        q["hide"] = ",".join(hide)
    if "lesson_step" in now:
        q["lesson_step"] = now["lesson_step"]
    if q != st.query_params.to_dict():
        st.query_params.from_dict(q)


def plotly(where, fig: dict, **kwargs):
    """st.plotly_chart for a figure dict built by playground.mlp.figures, skipping plotly's slow
    re-validation (the builders are tested); returns the selection event if any.

    The figure carries only the part of the theme's template for its own trace types (the
    whole template is ~3.7 KB in every chart message; a live page sends charts every few
    seconds to every student)."""
    import plotly.graph_objects as go

    kwargs.setdefault("config", {"displayModeBar": False})
    layout = fig.get("layout") or {}
    if "template" not in layout:
        types = tuple(sorted({t.get("type") or "scatter" for t in fig.get("data") or ()}))
        fig = {**fig, "layout": {**layout, "template": _template_for(types)}}
    return where.plotly_chart(go.Figure(fig, _validate=False), **kwargs)


@functools.lru_cache(maxsize=64)
def _template_for(types: tuple) -> dict:
    """The default Plotly template (Streamlit's) reduced to these trace types' defaults."""
    import plotly.io as pio

    full = pio.templates[pio.templates.default].to_plotly_json()
    return {"layout": full.get("layout", {}),
            "data": {k: v for k, v in full.get("data", {}).items() if k in types}}


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
    from .runner_fix import install

    install()   # a Pause's "finished" must not be lost when 30 students click at once
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
    fid = getattr(up, "file_id", None) or (getattr(up, "name", None), getattr(up, "size", None))
    hit = st.session_state.get(state_key)
    if hit and hit[0] == fid:
        return hit[1], False
    try:
        res = convert(_inputs.check_upload(getattr(up, "name", ""), up.getvalue()))
    except _inputs.InputError as exc:
        res = str(exc)
    except errors as exc:
        res = str(exc)
    except Exception as exc:   # noqa: BLE001 - a parser's surprise: a message, never a trace
        ident = uuid.uuid4().hex[:8]
        log.error("error id %s reading an upload: %s", ident, type(exc).__name__, exc_info=True)
        res = (f"This file could not be read ({type(exc).__name__}). If it keeps happening, tell "
               f"your teacher the error id {ident}.")
        if strict():
            raise
    st.session_state[state_key] = (fid, res)
    return res, True


def _forget_models_of_the_last_run(page_globals: dict):
    """Drop the pretrained models a page's previous run left in its global variables.

    Streamlit keeps the widgets' callbacks and format functions of earlier runs in the
    session, and each of them holds its page's globals, so a page's ``lm = ui.hf_model(...)``
    would keep that model alive for as long as the session lives, even after the model store
    evicted it: with a class, every model anyone ever used. Only the previous run's globals
    are touched (that script has finished; its callbacks ran before this run started)."""
    import torch

    from ..language.models import LoadedLM
    from ..vision.models import Loaded

    key = "ui__last_page_globals"
    last = st.session_state.get(key)
    if last is not None and last is not page_globals:
        for name, value in list(last.items()):
            if isinstance(value, (LoadedLM, Loaded, torch.nn.Module)):
                last[name] = None
    st.session_state[key] = page_globals


@st.cache_resource(show_spinner=False)
def model_store() -> ModelStore:
    """The server's pretrained models (vision and language together), within
    ``$PLAYGROUND_MODEL_MB`` megabytes of weights (default 1000: with the libraries and the
    sessions a server stays under Community Cloud's 2.7 GB)."""
    mb = float(os.environ.get("PLAYGROUND_MODEL_MB", DEFAULT_BUDGET_MB))
    return ModelStore(int(mb * 1e6))


def page_setup():
    """Call first on every page. Works around Streamlit's legacy pages/ mode on the first run.

    On the very first script run after the server starts, Streamlit treats a folder named
    ``pages/`` as a legacy multipage app and runs a deep-linked page file directly, with the
    legacy sidebar. The page's ``url_path`` equals its file name, so that run finds the page;
    here it switches Streamlit to ``st.navigation`` mode and reruns through app.py at once.
    """
    from ..cost import release_memory

    _forget_models_of_the_last_run(sys._getframe(1).f_globals)
    model_store().collect(release_memory)   # evicted models: free them between runs
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without it
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        # AppTest starts every run in legacy mode; a rerun there would swallow button clicks.
        if "streamlit.testing.v1" not in sys.modules:
            st.rerun()


def memo(name: str, key: tuple, fn, keep: int = 12):
    """Per-session memo of expensive results (explanations, attacks, sweeps), newest ``keep``."""
    box = st.session_state.setdefault("vision__memo", OrderedDict())
    k = (name,) + tuple(key)
    if k in box:
        box.move_to_end(k)
        return box[k]
    box[k] = value = fn()
    while len(box) > keep:
        box.popitem(last=False)
    return value


def _clean(value, kwargs):
    """Every text widget drawn through kept / kept_or goes through the validation layer."""
    return clean_value(value, kwargs)


def kept(prefix: str, name: str, widget, *args, **kwargs):
    """Draw ``widget(*args, key=..., **kwargs)`` whose value survives page switches."""
    value = _clean(widget(*args, key=wkey(prefix, name), **kwargs), kwargs)
    _store(prefix)[name] = value
    return value


# ---- Pages with their own small settings table (pages/recurrent.py) ------------------------
def load_query_once(prefix: str, parse) -> list[str]:
    """Once per session: ``parse(query dict) -> (values, warnings)`` seeds the page's stored values."""
    flag = f"{prefix}__url_loaded"
    if flag in st.session_state:
        return []
    q = st.query_params.to_dict()
    values, warnings = parse(q)
    _store(prefix).update(values)
    for what in ("hide", "lock"):   # a lesson link's hidden / locked controls (names of kept_or)
        st.session_state[f"{prefix}__{what}"] = {n for n in q.get(what, "").split(",") if n}
    st.session_state[flag] = True
    return warnings


def stored(prefix: str) -> dict:
    """The page's widget values that outlive a page switch."""
    return _store(prefix)


def kept_or(prefix: str, name: str, default, widget, *args, **kwargs):
    """``widget(*args, key=<prefix>_<name>, **kwargs)`` whose value survives page switches.

    The widget starts from the stored value, else ``default`` (so pass no value=/index=).
    A lesson link can hide it (``hide=name``: the stored value is used) or lock it (``lock=``)."""
    key = wkey(prefix, name)
    st.session_state.setdefault(key, default)
    st.session_state.setdefault("ui__controls", {}).setdefault(prefix, {})[name] = \
        args[0] if args and isinstance(args[0], str) else name
    if name in st.session_state.get(f"{prefix}__hide", ()):
        return _store(prefix).setdefault(name, st.session_state[key])
    if name in st.session_state.get(f"{prefix}__lock", ()):
        kwargs["disabled"] = True
    value = _clean(widget(*args, key=key, **kwargs), kwargs)
    _store(prefix)[name] = value
    return value


def write_query(q: dict):
    """Replace the address-bar parameters with ``q`` (only when they differ); a lesson link's
    ``hide``, ``lock`` and ``lesson_step`` stay."""
    q = {**q, **{k: v for k, v in st.query_params.to_dict().items()
                 if k in ("hide", "lock", "lesson_step")}}
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



def transport(prefix: str, run_key: str, rebuild, speeds, default_speed: int, unit: str,
              step_help: str = "") -> bool:
    """Play/Pause, Step, Reset and a speed slider for a page that trains
    ``st.session_state[run_key]`` (anything with ``.step(n)``) one chunk per animation frame.

    The speed (``n``) is stored as the page's ``speed`` value; Reset calls ``rebuild()``. A run
    whose ``status`` is "diverged" or "error" cannot be played. Returns whether it is playing."""
    state, playing = st.session_state, f"{prefix}_playing"
    state.setdefault(playing, False)

    def speed() -> int:
        return int(_store(prefix).get("speed", default_speed))

    def set_playing(on: bool):
        run = state.get(run_key)
        state[playing] = on and getattr(run, "status", "") not in ("diverged", "error")
        state[f"{prefix}_play_started"] = time.monotonic()

    def step_once():
        state[playing] = False
        state[run_key].step(speed())

    def reset():
        state[playing] = False
        rebuild()

    c = st.columns([1, 1, 1, 2.5])
    # Callbacks go through once(): one click may reach several coalesced reruns while playing.
    c[0].button("Pause" if state[playing] else "Play", key=f"{prefix}_play", type="primary",
                icon=":material/pause:" if state[playing] else ":material/play_arrow:",
                on_click=once(f"{prefix}_click_play", set_playing, not state[playing]),
                width="stretch")
    c[1].button("Step", key=f"{prefix}_step", icon=":material/skip_next:", on_click=once(f"{prefix}_click_step", step_once),
                width="stretch", help=step_help or f"Train one chunk ({unit}: as many as the speed).")
    c[2].button("Reset", key=f"{prefix}_reset", icon=":material/replay:", on_click=once(f"{prefix}_click_reset", reset),
                width="stretch", help="Back to the initial weights of this seed.")
    with c[3]:
        kept_or(prefix, "speed", default_speed, st.select_slider, f"Speed ({unit} per frame)",
                options=list(speeds))
    return state[playing]


def user_points(prefix: str, kind: str, where=st):
    """The user's own 2-D points: ``kind`` "upload" (a CSV, read once per file; problems shown
    without echoing the file) or "draw" (strokes on a canvas mapped onto the plots' square).
    Returns the points or None (the page then explains and falls back)."""
    from ..generative import data2d as D2

    if kind == "draw":
        try:   # optional component, as on the CNN page
            from streamlit_drawable_canvas import st_canvas
        except Exception:  # pragma: no cover - not installed
            where.info("Drawing needs the streamlit-drawable-canvas package; upload a CSV instead.")
            return None
        with where:
            st.caption("Draw the shape the data should have (the square is the plot's view).")
            drawn = st_canvas(stroke_width=10, stroke_color="#2ca02c", background_color="#000000",
                              width=224, height=224, drawing_mode="freedraw",
                              return_image_data=True, key=f"{prefix}_canvas")
        img = getattr(drawn, "image_data", None) if drawn is not None else None
        return None if img is None else D2.points_from_drawing(np.asarray(img))
    up = where.file_uploader("Points (CSV: x, y per row)", type=["csv", "txt"], key=f"{prefix}_upload")
    if up is None:
        return None
    res, _ = read_upload(f"{prefix}_points", up, D2.parse_points, D2.PointsError)
    if isinstance(res, str):
        where.error(res)
        return None
    points, notes = res
    for n in notes:
        where.caption(n)
    return points

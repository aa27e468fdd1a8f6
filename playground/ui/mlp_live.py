"""The playground's live component: trains and draws in the student's browser.

The component (JS/CSS in ``playground/mlp/web/``, registered once here) gets its data from
:func:`playground.mlp.browser.spec` and answers with a ``report`` (state) and ``setting``
(trigger); the contract is documented in :mod:`playground.mlp.browser`. It lives in a fragment:
a report reruns only the fragment, whose component call sends the same data as before (a
cached message, a few bytes), so a playing student costs the server almost nothing.
"""
from __future__ import annotations

import logging

import streamlit as st

from ..mlp import browser as B
from ..mlp import gradflow as GF
from .core import current, remember

log = logging.getLogger(__name__)
FALLBACK = ("<div class='pg-fallback'>The live playground draws and trains in your browser: it "
            "needs JavaScript and a current browser (Chrome, Edge, Firefox or Safari). If this "
            "message stays, JavaScript is off or blocked here.</div>")
_component = st.components.v2.component(
    "dlp_playground", html=FALLBACK, css=B.css(), js=B.js_bundle())


def _noop():
    pass


def prepare(prefix: str, runs: dict, cfg: dict, hidden: set, rid: str):
    """On every full script run: the component's data (settings may have changed; ``resume``
    carries the latest reported state to a fresh mount). Fragment reruns send it unchanged."""
    st.session_state[f"{prefix}_spec"] = B.spec(runs, cfg, rid, hidden)


def live(prefix: str, runs: dict, cfg: dict, hidden: set, rid: str):
    """Mount the component (inside the caller's fragment) and take in what it reports."""
    state = st.session_state
    result = _component(data=state[f"{prefix}_spec"], key=f"{prefix}_live", default={"report": None},
                        on_report_change=_noop, on_setting_change=_noop)
    report = getattr(result, "report", None)
    if isinstance(report, dict) and report.get("seq") != state.get(f"{prefix}_report_seq") \
            and report.get("run_id") == rid:
        state[f"{prefix}_report_seq"] = report.get("seq")
        try:
            B.apply_report(runs, report, rid)
            state[f"{prefix}_playing"] = bool(report.get("playing"))
        except B.ReportError as exc:   # a stale or malformed report: keep what we have
            log.info("playground report ignored: %s", exc)
    event = getattr(result, "setting", None)
    if event is not None and event == state.get(f"{prefix}_last_event"):
        event = None         # each click once, even where a trigger is seen by two runs
    state[f"{prefix}_last_event"] = event or state.get(f"{prefix}_last_event")
    change = B.setting_change(event, cfg, hidden)
    if change is not None:   # applied by apply_pending() at the top of the next run
        state[f"{prefix}_pending"] = change
        st.rerun(scope="app")
    return state.get(f"{prefix}_playing", False)


def apply_pending(prefix: str):
    """Call before the settings widgets are drawn: a setup change clicked in the diagram."""
    change = st.session_state.pop(f"{prefix}_pending", None)
    if change is None:
        return
    key, value = change
    if key == "layers":
        acts = list(current(prefix)["acts"])
        acts = (acts + [acts[-1] if acts else "tanh"] * len(value))[:len(value)]
        remember(prefix, "nlayers", len(value))
        for i, (n, a) in enumerate(zip(value, acts)):
            remember(prefix, f"neurons_{i}", n)
            remember(prefix, f"act_{i}", a)
        remember(prefix, "layers", value)
        remember(prefix, "acts", acts)
    else:
        remember(prefix, key, value)


def flow_caption(run) -> str:
    """The gradient-flow sentence, derived from the latest numbers the browser reported."""
    return GF.diagnosis(run.flow.latest())[1]

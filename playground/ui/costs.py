"""Streamlit glue for what models cost: one server-wide store of measurements and the one panel
every page uses to show them."""
from __future__ import annotations

import threading as _threading
from collections import OrderedDict

import streamlit as st

from .. import cost as _cost

COST_ENTRIES = 64


@st.cache_resource(show_spinner=False)
def _cost_store() -> dict:
    """Server-wide results of cost measurements (a class measures each model once)."""
    return {"lock": _threading.Lock(), "costs": OrderedDict()}


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


def cost_on_request(ident: str, measure, key: str, where=st):
    """The cost panel of ``ident`` once this server has measured it; until then a button that
    measures it (``measure()``, once per server). A live page's Pause must not measure: a class
    pressing Pause together would measure 30 times at once (2 s for every student's answer)."""
    c = known_cost(ident)
    if c is None:
        where.caption("Parameters, size, multiply-accumulates, latency, peak memory and energy for "
                      "one input, measured on this server (once per server).")
        if where.button("Measure on this server", key=key, icon=":material/speed:"):
            with st.spinner("Measuring…"):
                c = measure_cost(ident, measure)
    if c is not None:
        cost_panel(c, where)


def all_costs() -> dict:
    store = _cost_store()
    with store["lock"]:
        return dict(store["costs"])


def cost_panel(c: "_cost.Cost", where=st):
    """The one panel every page uses to show what a model costs."""
    h = _cost.human
    m = where.columns(6)
    m[0].metric("Parameters", h(c.params), help=f"{c.params:,} numbers learned in training")
    m[1].metric("Size", _cost.mb_text(c.size_mb), help=f"Parameters and buffers in memory ({c.dtype}); "
                "MB = 10⁶ bytes")
    m[2].metric("MACs per input", h(c.macs), help=f"{c.macs:,} multiply-accumulates for {c.input_desc}")
    m[3].metric("Latency", _cost.ms_text(c.latency_ms), help=f"Median of {c.repeats} runs on this "
                f"server ({c.threads} thread{'s' if c.threads != 1 else ''}), best "
                f"{c.best_ms:.3g} ms. Other users share the CPU, so it varies.")
    m[4].metric("Peak memory", _cost.mb_text(c.peak_mb), help=f"Weights plus the peak of activations "
                f"and temporaries during one input ({c.activations_mb:.3g} MB), not counting the "
                "Python process and libraries")
    m[5].metric("Energy / 1000", _cost.wh_text(c.wh_per_1000), help=_cost.energy_text(c))
    where.markdown(f"**What drives the cost.** {_cost.drivers(c)}")
    where.caption(f"Input: {c.input_desc}. {_cost.energy_text(c)}")
    for note in c.notes:
        where.caption(note)

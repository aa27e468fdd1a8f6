"""What models cost: parameters, size, work, time, memory and energy of every model in the app."""
import streamlit as st

from playground import catalog as K
from playground import cost as C
from playground import ui

ui.page_setup()
P = "cost"  # session-state prefix of this page
state = st.session_state

st.title("What models cost")
for w in ui.load_query_once(P, K.from_query):
    st.warning(w)
ui.lesson_gate("costs")
st.caption("Every model in this app, measured the same way on this server: how many numbers it "
           "stores, how much arithmetic one answer takes, how long that takes here, how much memory "
           "it needs and roughly how much energy a thousand answers use.")
st.write(
    "Deep learning's energy bill has two parts: training a model once, and running it every time "
    "someone uses it. This page is about the second part, one answer at a time. Costs depend on a "
    "network's shape and the size of its input, not on what its weights learned, so the pretrained "
    "models are measured here with random weights of the same architecture — no download needed.")

entries = K.entries()
labels = {e.key: e.label for e in entries}
ui.measure_cost(f"arch:{K.PLAYGROUND}", lambda: K.measure_entry(K.PLAYGROUND))   # instant
costs = ui.all_costs()


T = C.table_text
rows = []
for e in entries:
    c = costs.get(f"arch:{e.key}")
    rows.append({"Model": e.label, "Used on": e.page, "Kind": e.origin,
                 "Parameters": C.human(c.params if c else e.params) if (c or e.params) else "—",
                 "Size (MB)": T(c.size_mb if c else e.size_mb),
                 "MACs per input": C.human(c.macs) if c else "—",
                 "Latency (ms)": T(c.latency_ms) if c else "—",
                 "Peak memory (MB)": T(c.peak_mb) if c else "—",
                 "Energy per 1000": C.wh_text(c.wh_per_1000) if c else "—"})
st.subheader("Every model in the app")
st.dataframe(rows, hide_index=True, key="cost_table", column_config={
    "Parameters": st.column_config.TextColumn(help="Numbers learned in training (k = thousand, "
                                                   "M = million)"),
    "MACs per input": st.column_config.TextColumn(help="Multiply-accumulates for one input "
                                                       "(k = thousand, M = million, G = billion)"),
    "Energy per 1000": st.column_config.TextColumn(help=f"Estimate: latency × busy cores × "
                                                        f"{C.WATTS_PER_CORE:.0f} W per core")})
st.caption("“—”: not measured on this server yet. Measurements are shared by everyone on the "
           "server, so each model is measured once.")

c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
key = ui.kept_or(P, "model", K.PLAYGROUND, c1.selectbox, "Model", list(labels), format_func=labels.get)
ui.write_query(K.to_query(ui.stored(P)))
with st.sidebar:
    ui.lesson_link(P, "costs")
if c2.button("Measure on this server", key="cost_measure", width="stretch"):
    try:
        with st.spinner(f"Measuring {labels[key]}…"):
            ui.measure_cost(f"arch:{key}", lambda: K.measure_entry(key))
        st.rerun()
    except C.BudgetError as exc:
        st.warning(str(exc), icon=":material/memory:")
todo = [e.key for e in entries if f"arch:{e.key}" not in costs]
if c3.button(f"Measure the other {len(todo)}", key="cost_measure_all", width="stretch",
             disabled=not todo, help="About one to three minutes on a shared server."):
    bar, skipped = st.progress(0.0), []
    for i, k in enumerate(todo):
        bar.progress(i / len(todo), text=f"Measuring {labels[k]} ({i + 1} of {len(todo)})…")
        try:
            ui.measure_cost(f"arch:{k}", lambda k=k: K.measure_entry(k))
        except C.BudgetError as exc:
            skipped.append(str(exc))
    bar.empty()
    if not skipped:
        st.rerun()
    for text in skipped:
        st.warning(text, icon=":material/memory:")

chosen = costs.get(f"arch:{key}")
with st.container(border=True):
    st.markdown(f"**{labels[key]}** — {K.by_key()[key].note}")
    if chosen is None:
        st.info("Not measured yet: press “Measure on this server”.")
    else:
        ui.cost_panel(chosen)

measured = [c for k, c in costs.items() if k.startswith("arch:")]
if len(measured) >= 2:
    ui.plotly(st, C.comparison_figure(measured), key="cost_compare")
    st.caption("Both axes are logarithmic: each grid line is ten times more. "
               + C.energy_vs_work(measured))
loaded = [c for k, c in costs.items() if k.startswith("loaded:")]
if loaded:
    st.subheader("Pretrained models as loaded on this server")
    st.dataframe([c.row() for c in loaded], hide_index=True, key="cost_loaded")

# ---- the user's own networks --------------------------------------------------------------------
st.subheader("Your own networks")
mine = False
for name, run in (state.get("pg_runs") or {}).items():
    mine = True
    with st.container(border=True):
        st.markdown(f"**Your playground network {name}** · layers {run.net.sizes}")
        ui.cost_panel(C.network_cost(run.net, f"Your playground network {name}"))
rnn = state.get("rnn_run")
if rnn is not None:
    mine = True
    memo = state.get("cost__rnn")
    if not memo or memo[0] != id(rnn.model):
        fn, desc = K.rnn_probe(rnn)
        state["cost__rnn"] = memo = (id(rnn.model), C.measure("Your recurrent network", rnn.model,
                                                              fn, desc, repeats=20))
    with st.container(border=True):
        st.markdown(f"**Your recurrent network** · {rnn.model.kind.upper()}, "
                    f"{rnn.model.hidden} hidden units × {rnn.model.layers} layer(s)")
        ui.cost_panel(memo[1])
if not mine:
    st.info("Train a network on the Neural network playground or the Recurrent networks page and "
            "its cost appears here.")
st.page_link("pages/data_efficiency.py", label="Next: how much data does a network need?", icon=":material/trending_up:")

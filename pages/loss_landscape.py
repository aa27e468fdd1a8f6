"""Loss landscape and optimizers: SGD, momentum, RMSprop and Adam race downhill from one start."""
import time

import numpy as np
import streamlit as st

from playground import ui
from playground.mlp import landscape as LS, landscape_figures as LF
from playground.mlp.network import OPTIMIZER_LABELS

ui.page_setup()
P = "ll"  # session-state prefix of this page
GRID = 61  # loss evaluations per axis of the map
state = st.session_state


@st.cache_resource(max_entries=len(LS.SCENARIOS), show_spinner=False)
def landscape(key: str):
    """The scenario and its loss on the grid: built once per server, shared read-only."""
    t0 = time.perf_counter()
    land = LS.SCENARIOS[key]()
    alphas, betas, Z = LS.grid(land, GRID)
    for arr in (alphas, betas, Z):
        arr.setflags(write=False)
    return land, alphas, betas, Z, time.perf_counter() - t0


st.title("Loss landscape and optimizers")
st.caption("Training walks downhill on the loss. Here the loss depends on just two numbers, so "
           "you can see the whole landscape: pick a start (type it or click the map) and watch "
           "SGD, SGD + momentum, RMSprop and Adam walk down from the same point, with the same "
           "update rules as the playground's training engine (full batch, so every run is exact "
           "and repeatable).")

for w in ui.load_query_once(P, LS.from_query):
    st.warning(w)
c1, c2, c3 = st.columns([1.2, 2, 1])
scenario = ui.kept_or(P, "scenario", "valley", c1.selectbox, "Landscape",
                      options=list(LS.SCENARIOS), format_func=LS.SCENARIO_LABELS.get)
opts = ui.kept_or(P, "opts", list(LS.OPT_KEYS), c2.multiselect, "Optimizers",
                  options=LS.OPT_KEYS, format_func=OPTIMIZER_LABELS.get)
with st.spinner("Computing the loss on the map…"):
    land, alphas, betas, Z, build_s = landscape(scenario)
steps = ui.kept_or(P, f"steps_{scenario}", land.steps, c3.slider, "Steps", min_value=10,
                   max_value=LS.MAX_STEPS, step=10)
st.caption(land.note)

# ---- learning rates, one per optimizer (defaults that suit the landscape) --------------------
lr_cols = st.columns(len(LS.OPT_KEYS))
lrs = {o: ui.kept_or(P, f"lr_{scenario}_{o}", land.lrs[o], lr_cols[i].select_slider,
                     f"{OPTIMIZER_LABELS[o]} learning rate", options=LS.LEARNING_RATES,
                     disabled=o not in opts)
       for i, o in enumerate(LS.OPT_KEYS)}

# ---- the start: a click on the map (read before the inputs are drawn) or two numbers ------
# Each applied click gives the map a new key, so the next click (even on the same spot) is new.
map_key = f"ll_map_{scenario}_{state.setdefault('ll_clicks', 0)}"
event = state.get(map_key)
clicked = [(p["x"], p["y"]) for p in ((event or {}).get("selection") or {}).get("points", [])
           if isinstance(p.get("x"), (int, float)) and isinstance(p.get("y"), (int, float))]
if clicked:
    state[f"ll_start_a_{scenario}"], state[f"ll_start_b_{scenario}"] = map(float, clicked[0])
    state["ll_clicks"] += 1
    map_key = f"ll_map_{scenario}_{state['ll_clicks']}"
s1, s2, s3 = st.columns([1, 1, 2])
a_in = ui.kept_or(P, f"start_a_{scenario}", float(land.start[0]), s1.number_input,
                  f"Start: {land.labels[0]}", step=0.1, format="%.3f")
b_in = ui.kept_or(P, f"start_b_{scenario}", float(land.start[1]), s2.number_input,
                  f"Start: {land.labels[1]}", step=0.1, format="%.3f")
s3.caption("…or click anywhere on the map to start there. The map shows "
           f"{land.labels[0]} ∈ [{land.extent[0]:g}, {land.extent[1]:g}] and "
           f"{land.labels[1]} ∈ [{land.extent[2]:g}, {land.extent[3]:g}].")
start, moved = LS.clamp_start(land, a_in, b_in)
if moved:
    st.warning(moved)

ui.write_query(LS.to_query(ui.stored(P), land))
if not opts:
    st.info("Choose at least one optimizer above.")
    st.stop()

trajs = [LS.run(land, o, lrs[o], start, steps, float(np.nanmax(Z))) for o in LS.OPT_KEYS if o in opts]
rows, level = LS.ranking(trajs, Z)
for t in trajs:
    if t.message():
        st.error(t.message())

# ---- the map and the surface ---------------------------------------------------------------
m1, m2 = st.columns(2)
with m1:
    st.markdown("**Map** (colour: log₁₀ of the loss; ★ start, × lowest point)")
    ui.plotly(st, LF.contour_figure(land, alphas, betas, Z, trajs, start), key=map_key,
              on_select="rerun", selection_mode="points")
with m2:
    st.markdown("**Surface** (drag to turn it)")
    ui.plotly(st, LF.surface_figure(land, alphas, betas, Z, trajs), key=f"ll_surface_{scenario}")
st.caption("Press Play under a figure to animate the paths step by step, or drag its step slider.")

# ---- who reaches the minimum first -------------------------------------------------------
st.subheader("Who reaches the minimum first?")
winner = next((r for r in rows if r["rank"] == 1), None)
if winner:
    st.markdown(f"**{winner['optimizer']}** (learning rate {winner['learning rate']:g}) is first: "
                f"at step **{winner['reached at step']}** its loss is within 1 % of the way from "
                f"the start loss ({trajs[0].losses[0]:.4g}) down to the lowest loss found "
                f"(loss ≤ {level:.4g}).")
else:
    st.markdown(f"None of the optimizers gets within 1 % of the lowest loss (loss ≤ {level:.4g}) in "
                f"{steps} steps. Try more steps, other learning rates or another start.")
table = [{"rank": str(r["rank"] or "–"), "optimizer": r["optimizer"], "learning rate": r["learning rate"],
          "reached at step": str(r["reached at step"]) if r["reached at step"] is not None else "not reached",
          "final loss": r["final loss"], "note": r["status"]} for r in rows]
st.dataframe(table, hide_index=True, key="ll_ranking",
             column_config={"final loss": st.column_config.NumberColumn(format="%.5f")})
ui.plotly(st, LF.race_chart(trajs, level), key="ll_race")
st.caption(f"The loss of each optimizer step by step (log scale); the dotted line is the "
           f"“at the minimum” level. Map: {GRID}×{GRID} losses, computed once per server in "
           f"{build_s * 1000:.0f} ms.")

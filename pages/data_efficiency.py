"""Data efficiency: the same network trained on 1 %, 5 %, 25 % and 100 % of its data."""
import time

import streamlit as st

from playground.mlp import datasets as D
from playground.mlp import efficiency as E
from playground import ui

ui.page_setup()
P = "eff"  # session-state prefix of this page
state = st.session_state
REDRAW_SECONDS = 0.15

st.title("Data efficiency: how much data does a network need?")
st.caption("The same small network, trained on 1 %, 5 %, 25 % and 100 % of its training data. "
           "The test set, the initial weights and the number of weight updates stay the same, so "
           "only the amount of data changes. Same settings and seeds ⇒ the same curve.")

net_cfg = ui.current("pg")   # the playground's network and training settings (its defaults if unvisited)
c1, c2, c3, c4 = st.columns(4)
dataset = ui.kept_or(P, "dataset", "circle", c1.selectbox, "Data set", D.PROBLEMS["classification"],
                     format_func=lambda k: D.GENERATORS[k][0])
noise = ui.kept_or(P, "noise", 15, c2.slider, "Noise (%)", 0, 50, step=5,
                   help="Noisy labels make small data sets misleading.")
updates = ui.kept_or(P, "updates", E.DEFAULT_UPDATES, c3.select_slider, "Weight updates per run",
                     [1000, 3000, 10000],
                     help="Every run gets the same number of updates, whatever its data size.")
seeds = ui.kept_or(P, "seeds", 1, c4.radio, "Seeds", [1, 3], horizontal=True,
                   help="Three seeds: three different subsets and initial weights; the bars show "
                        "the spread.")
cfg = {**net_cfg, "dataset": dataset, "noise": noise}
if not cfg["features"]:
    cfg["features"] = ["x1", "x2"]
st.caption(f"Network from the playground: {len(cfg['features'])} inputs → hidden layers "
           f"{cfg['layers'] or 'none'} ({', '.join(cfg['acts']) or '—'}) → output; learning rate "
           f"{cfg['lr']:g}, batch {cfg['batch']}, {cfg['optimizer']}. Change them on the playground page. "
           f"{E.N_POINTS} points: {E.N_POINTS * E.TRAIN_PCT // 100} for training, "
           f"{E.N_POINTS * (100 - E.TRAIN_PCT) // 100} for testing.")

setup = (dataset, noise, updates, seeds, tuple(map(str, cfg.values())))
go = st.button("Run the experiment", key="eff_run", type="primary", icon=":material/play_arrow:")
chart, status, step_line = st.empty(), st.empty(), st.empty()

if go:
    points, last = [], 0.0
    total = len(E.FRACTIONS) * seeds
    bar = status.progress(0.0, text="Training…")
    done_updates = 0
    # each chunk in one of the server's frame slots; a closed tab ends the loop at once
    for p in ui.shared_steps(E.experiment(cfg, seeds=tuple(range(seeds)), updates=updates)):
        points.append(p)
        done_updates = sum(q.updates for q in E.final(points)) + (0 if p.done else p.updates)
        now = time.monotonic()
        if p.done or now - last > REDRAW_SECONDS:
            last = now
            ui.plotly(chart, E.figure(points, p), key=f"eff_chart_{len(points)}")
            finished = len(E.final(points))
            bar.progress(finished / total, text=f"{finished} of {total} runs · training on "
                                                f"{p.fraction:.0%} ({p.n_train} examples)")
            step_line.markdown(f"Step **{done_updates:,}** of {total * p.budget:,} weight updates "
                               f"(run {min(finished + 1, total)} of {total}: update {p.updates:,} "
                               f"of {p.budget:,})")
    if len(E.final(points)) == total:   # not when the loop ended early (the tab was closed)
        state["eff_points"], state["eff_setup"] = E.final(points), setup
    status.empty()
    step_line.empty()

points = state.get("eff_points")
if points:
    ui.plotly(chart, E.figure(points), key="eff_chart")
    if state.get("eff_setup") != setup:
        st.caption("These results are from earlier settings; press Run to update them.")
    rows = E.summary(points)
    st.dataframe([{"data used": f"{r['fraction']:.0%}", "training examples": r["n_train"],
                   "test accuracy": f"{r['test_acc']:.1%}",
                   "training accuracy": f"{r['train_acc']:.1%}", "runs": r["runs"]} for r in rows],
                 hide_index=True, key="eff_table")
    st.write(E.conclusion(rows))
elif not go:
    chart.info("Press “Run the experiment”: four trainings of a few seconds each, drawn live.")

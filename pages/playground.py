"""Neural network playground: build a small network, pick activations, watch it learn live.

The settings are Streamlit widgets bound to the URL (the settings table); the live part —
training, the network with a heatmap in every neuron, the output, the loss — runs in the
student's browser (playground/ui/mlp_live.py)."""
import streamlit as st

from playground import cost, ui
from playground.mlp import browser as B
from playground.mlp import datasets as D
from playground.mlp import export
from playground.mlp.trainer import Run
from playground.ui import mlp_live

ui.page_setup()
P = "pg"  # session-state prefix of this page
state = st.session_state
st.html("<style>.block-container{padding-top:3.4rem!important}</style>")   # one screen on a laptop
st.markdown("#### Neural network playground")
for w in ui.init_settings(P):
    st.warning(w)
hide = ui.hidden(P)
mlp_live.apply_pending(P)

# ---- the settings that matter most, on one line (TF Playground's top bar) ----------------
top = st.columns([1.3, 1.3, 1, 1, 1, 1])
if "data" not in hide:
    problem = D.problem_of(ui.current(P)["dataset"])
    problem = top[0].radio("Problem type", list(D.PROBLEMS), index=list(D.PROBLEMS).index(problem),
                           key="pg_problem", horizontal=True, format_func=str.capitalize)
    ui.setting_widget(P, "dataset", top[1], options=D.PROBLEMS[problem])
if "training" not in hide:
    for key, col in zip(("lr", "optimizer", "reg", "reg_rate"), top[2:]):
        ui.setting_widget(P, key, col)

data_col, live_col = st.columns([1, 4.6])
with data_col:
    if "data" not in hide:
        for key in ("noise", "train_pct", "seed"):
            ui.setting_widget(P, key)
    if "training" not in hide:
        ui.setting_widget(P, "batch")
    if "data" not in hide:
        new_data = st.button("New data", key="pg_regen", icon=":material/casino:", width="stretch",
                             help="Next seed: new points and new initial weights.")
        if new_data:
            ui.remember(P, "seed", (ui.current(P)["seed"] + 1) % 10000)
            st.rerun()
        up = st.file_uploader("Your own data (CSV: x1, x2, label)", type=["csv", "txt"], key="pg_csv_file")
        parsed = ui.read_upload("pg_csv_parsed", up, D.parse_csv, D.CSVError)[0] if up else None
        if up is None:
            state.pop("pg_csv_parsed", None)
        state["pg_csv"] = parsed[0] if isinstance(parsed, tuple) else None
        if isinstance(parsed, str):
            st.error(parsed)
        elif parsed is not None:
            for note in parsed[1]:
                st.info(note)

# ---- everything else, below the live area -------------------------------------------------
st.markdown("##### More settings")
more = st.columns(3)
if "network" not in hide:
    with more[0]:
        ui.layers_widget(P)
        csv_now = state.get("pg_csv")
        kind = csv_now.kind if csv_now is not None else D.kind_of(ui.current(P)["dataset"])
        if kind == "binary":
            ui.setting_widget(P, "loss")
        else:   # the output and loss are fixed by the problem: say which, truthfully
            st.selectbox("Output and loss", [D.OUTPUT_OF[kind]], disabled=True, key=f"pg_loss_{kind}",
                         help="Three or more classes: a softmax output trained with cross-entropy. "
                              "Regression: a linear output trained with squared error.")
        ui.setting_widget(P, "init")
if "features" not in hide:
    ui.setting_widget(P, "features", more[1])
if "training" not in hide:
    ui.setting_widget(P, "stop_at", more[1])
if "compare" not in hide:
    with more[2]:
        if ui.setting_widget(P, "compare"):
            for key in ("b_act", "b_lr", "b_optimizer"):
                ui.setting_widget(P, key)

cfg = ui.current(P)
ui.sync_url(P, cfg)
csv_data = state.get("pg_csv")
if not cfg["features"]:
    live_col.warning("Choose at least one input feature (More settings → Input features).")
    st.stop()

# ---- the runs: rebuilt when a structural setting changes, updated live otherwise ----------
csv_token = getattr(state.get("pg_csv_file"), "file_id", "") if csv_data is not None else ""
rid = B.run_id(cfg, csv_token, 0)
if state.get("pg_run_id") != rid:
    runs = {"A": Run(cfg, csv_data)}
    if cfg["compare"]:
        runs["B"] = Run(cfg, csv_data, overrides={"acts": [cfg["b_act"]] * len(cfg["layers"]),
                                                  "lr": cfg["b_lr"], "optimizer": cfg["b_optimizer"]})
    state["pg_runs"], state["pg_run_id"] = runs, rid
runs = state["pg_runs"]
runs["A"].set_hyper(cfg)
if "B" in runs:
    runs["B"].set_hyper({**cfg, "lr": cfg["b_lr"], "optimizer": cfg["b_optimizer"]})


mlp_live.prepare(P, runs, cfg, hide, rid)


@st.fragment
def live_area():
    playing = state.get("pg_playing", False)
    with ui.section("The live playground"):
        playing = mlp_live.live(P, runs, cfg, hide, rid)
    run = runs["A"]
    c1, c2 = st.columns([3, 2])
    c1.caption(mlp_live.flow_caption(run))
    c2.download_button("Download the network (PyTorch code + weights)", lambda: export.export_zip(run),
                       file_name="playground_model.zip", mime="application/zip", key="pg_export",
                       icon=":material/download:", disabled=playing or run.status == "diverged",
                       help="Pause first: the file holds the weights you see when paused.")


with live_col:
    live_area()

e1, e2 = st.columns(2)
full = csv_data if csv_data is not None else D.generate(cfg["dataset"], cfg["noise"], cfg["seed"])
e1.download_button("Download the data (CSV)", full.to_csv(), file_name=f"{full.name}.csv",
                   mime="text/csv", key="pg_data_csv", icon=":material/table:")
with e2.expander("What this network costs"), ui.section("What this network costs"):
    ui.cost_panel(cost.network_cost(runs["A"].net, "Your network A"))

"""Neural network playground: build a small network, pick activations, watch it learn live."""
import time

import numpy as np
import streamlit as st

from playground.mlp import datasets as D
from playground import cost, render as R
from playground.mlp import export, figures as G, frame as FR, gradflow as GF
from playground import ui
from playground.mlp import settings as S
from playground.mlp.trainer import Run
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

ui.page_setup()
P = "pg"  # session-state prefix of this page
FRAME_SECONDS = 0.05  # aim for 20 frames per second while playing
DIAGRAM_SECONDS = 1.0  # the network diagram (heavier for the browser) is redrawn every second
MAX_PLAY_SECONDS = 600  # a forgotten tab stops using the server's CPU after 10 minutes

st.title("Neural network playground")
st.caption("Pick data, features and a network; press Play and watch every neuron learn. "
           "The address bar always holds the full setup: copy it to share this exact run.")
for w in ui.init_settings(P):
    st.warning(w)
hide = ui.hidden(P)
state = st.session_state

# ---- settings (sidebar) -----------------------------------------------------------------
sb = st.sidebar
if "data" not in hide:
    sb.subheader("Data")
    problem = D.problem_of(ui.current(P)["dataset"])
    problem = sb.radio("Problem type", list(D.PROBLEMS), index=list(D.PROBLEMS).index(problem),
                       key="pg_problem", horizontal=True, format_func=str.capitalize)
    ui.setting_widget(P, "dataset", sb, options=D.PROBLEMS[problem])
    for key in ("noise", "train_pct", "seed"):
        ui.setting_widget(P, key, sb)
    up = sb.file_uploader("Your own data (CSV: x1, x2, label)", type=["csv", "txt"], key="pg_csv_file")
    parsed = ui.read_upload("pg_csv_parsed", up, D.parse_csv, D.CSVError)[0] if up else None
    if up is None:
        state.pop("pg_csv_parsed", None)
    state["pg_csv"] = parsed[0] if isinstance(parsed, tuple) else None
    if isinstance(parsed, str):
        sb.error(parsed)
    elif parsed is not None:
        for note in parsed[1]:
            sb.info(note)
if "features" not in hide:
    sb.subheader("Features")
    ui.setting_widget(P, "features", sb)
if "network" not in hide:
    sb.subheader("Network")
    ui.layers_widget(P, sb)
    ui.setting_widget(P, "loss", sb)
    ui.setting_widget(P, "init", sb)
if "training" not in hide:
    sb.subheader("Training")
    for key in ("lr", "batch", "optimizer", "reg", "reg_rate", "stop_at"):
        ui.setting_widget(P, key, sb)
if "compare" not in hide:
    sb.subheader("Side by side")
    if ui.setting_widget(P, "compare", sb):
        for key in ("b_act", "b_lr", "b_optimizer"):
            ui.setting_widget(P, key, sb)

cfg = ui.current(P)
ui.sync_url(P, cfg)
csv_data = state.get("pg_csv")
if not cfg["features"]:
    st.warning("Choose at least one input feature (sidebar → Features).")
    st.stop()

# ---- the runs: rebuilt when a structural setting changes, updated live otherwise ----------
run_key = (tuple((k, str(cfg[k])) for k in sorted(S.reset_keys())), id(csv_data))


def build_runs():
    runs = {"A": Run(cfg, csv_data)}
    if cfg["compare"]:
        runs["B"] = Run(cfg, csv_data, overrides={"acts": [cfg["b_act"]] * len(cfg["layers"]),
                                                  "lr": cfg["b_lr"], "optimizer": cfg["b_optimizer"]})
    state["pg_runs"], state["pg_run_key"] = runs, run_key + (cfg["compare"],)


if state.get("pg_run_key") != run_key + (cfg["compare"],):
    build_runs()
runs = state["pg_runs"]
runs["A"].set_hyper(cfg)
if "B" in runs:
    runs["B"].set_hyper({**cfg, "lr": cfg["b_lr"], "optimizer": cfg["b_optimizer"]})
state.setdefault("pg_playing", False)


def toggle_play():
    state["pg_playing"] = not state["pg_playing"]
    if state["pg_playing"]:
        for r in runs.values():
            if r.status == "done":
                r.status = "ready"


def step_once():
    state["pg_playing"] = False
    for r in runs.values():
        r.step(1)


def reset():
    state["pg_playing"] = False
    build_runs()


def regenerate():
    ui.remember(P, "seed", (cfg["seed"] + 1) % 10000)
    state["pg_playing"] = False


# ---- transport bar ----------------------------------------------------------------------
c = st.columns([1, 1, 1, 1.2, 2.2])
c[0].button("⏸ Pause" if state["pg_playing"] else "▶ Play", key="pg_play", on_click=toggle_play,
            type="primary", width="stretch")
c[1].button("⏭ Step", key="pg_step", on_click=step_once, width="stretch",
            help="Train exactly one epoch.")
c[2].button("↺ Reset", key="pg_reset", on_click=reset, width="stretch",
            help="Back to the initial weights of this seed.")
c[3].button("🎲 New data", key="pg_regen", on_click=regenerate, width="stretch",
            help="Next seed: new points and new initial weights.")
with c[4]:
    cfg["speed"] = ui.setting_widget(P, "speed")
v1, v2, v3, _ = st.columns([1, 1, 1, 1])
for key, col in (("show_test", v1), ("discretize", v2), ("grad_links", v3)):
    cfg[key] = ui.setting_widget(P, key, col)   # view settings: take effect in this very run
playing = state["pg_playing"]


def draw_output(ph):
    with ph.container():
        for col, (name, r) in zip(st.columns(len(runs)), runs.items()):
            with col:
                fr = FR.compute(r, size=360 if len(runs) == 1 else 240, show_test=cfg["show_test"],
                                discretize=cfg["discretize"], thumbs=False)
                if r.status == "diverged":
                    st.error(r.message)
                elif r.status == "done":
                    st.info(r.message)
                acc = r.accuracy("test")
                st.markdown((f"**{name}** · " if len(runs) > 1 else "")
                            + f"Epoch **{r.epoch:,}** · train loss **{r.train_loss:.4f}** · "
                            f"test loss **{r.test_loss:.4f}**"
                            + ("" if np.isnan(acc) else f" · test accuracy **{acc:.1%}**"))
                st.image(fr.boundary_uri(), width="stretch", caption="Output over x₁, x₂ ∈ [−6, 6]" + (
                    " — white rim: training, black rim: test points" if cfg["show_test"] else ""))


def draw_loss(ph):
    ph.image(R.data_uri(R.loss_png({k if len(runs) > 1 else "": r.history for k, r in runs.items()},
                                   width=420 if len(runs) == 1 else 480)), width="stretch")


def draw_network(ph, frame):
    """The diagram is clickable when paused; while playing it is redrawn twice a second."""
    run = runs["A"]
    fr = FR.compute(run, size=32, thumbs=True)
    grads = [gW for gW, _ in run.flow.last_grads] if cfg["grad_links"] else None
    with ph.container():
        fig = G.network_diagram(run, fr.thumbs, selected=state.get("pg_selected"), link_values=grads,
                                link_label="∂L/∂w" if grads else "weight")
        if frame == 0:
            event = ui.plotly(st, fig, key="pg_diagram", on_select="rerun", selection_mode="points")
            clicked = [p.get("customdata") for p in (event or {}).get("selection", {}).get("points", [])
                       if p.get("customdata") is not None]
            if clicked and tuple(clicked[0]) != state.get("pg_selected"):
                state["pg_selected"] = tuple(clicked[0])
                st.rerun()
        else:
            ui.plotly(st, fig, key=f"pg_diagram_{frame}")
        what = "∂L/∂w (the training data's gradient)" if grads else "weight"
        st.caption(f"Links: blue positive, orange negative, width ∝ |{what}|. Hover for values; "
                   "click a neuron (when paused) to enlarge it and edit its weights.")
        if run.kind != "regression":
            ui.plotly(st, G.confusion_chart(run.confusion("test"), run.class_names()),
                      key=f"pg_confusion_{frame}")
        st.markdown("**Gradient flow**")
        ui.plotly(st, GF.flow_chart(run.flow, height=380, stacked=True), key=f"pg_flow_{frame}")
        st.caption(GF.diagnosis(run.flow.latest())[1] + " Update ratio: how far one step moves a "
                   "layer's weights relative to their size (around 10⁻³ is healthy).")


left, right = st.columns([1.25, 1])
with left:
    st.subheader("Network")
    network_ph = st.empty()
with right:
    st.subheader("Output")
    output_ph, loss_ph = st.container(key="pg_live_output").empty(), st.container(key="pg_live_loss").empty()
draw_network(network_ph, 0)
draw_output(output_ph)
draw_loss(loss_ph)

# ---- selected neuron: enlarge and edit --------------------------------------------------
run = runs["A"]
sel = state.get("pg_selected")
if sel and sel[0] > 0 and sel[0] <= run.net.n_layers and sel[1] < run.net.sizes[sel[0]]:
    l, j = sel
    with st.expander(f"Neuron {l}.{j + 1}: heatmap and weights", expanded=True):
        h1, h2 = st.columns([1, 1])
        h1.plotly_chart(G.heatmap_chart(FR.neuron_heatmap(run, l, j), f"Output of neuron {l}.{j + 1}"),
                        key="pg_neuron_big")
        with h2.form("pg_edit_form"):
            st.write("Edit the weights into this neuron (values are clamped to ±100).")
            W, b = run.net.W(l), run.net.b(l)
            new_b = st.number_input("bias", -100.0, 100.0, float(np.clip(b[j], -100, 100)),
                                    format="%.4f", key=f"pg_edit_b_{l}_{j}_{run.epoch}")
            new_w = [st.number_input(f"weight from {G._name(run, l - 1, i)}", -100.0, 100.0,
                                     float(np.clip(W[i, j], -100, 100)), format="%.4f",
                                     key=f"pg_edit_w_{l}_{j}_{i}_{run.epoch}")
                     for i in range(W.shape[0])]
            if st.form_submit_button("Apply", key="pg_edit_apply"):
                b[j] = new_b
                W[:, j] = new_w
                run.refresh()
                st.rerun()
elif sel:
    state.pop("pg_selected", None)

# ---- export and data download (of the state when Play was pressed, if playing) ----------
e1, e2 = st.columns(2)
e1.download_button("⬇ Download trained network (PyTorch code + weights)", export.export_zip(run),
                   file_name="playground_model.zip", mime="application/zip", key="pg_export",
                   disabled=playing, help="Pause first to download the network as it is now.")
full = csv_data if csv_data is not None else D.generate(cfg["dataset"], cfg["noise"], cfg["seed"])
e2.download_button("⬇ Download the data (CSV)", full.to_csv(), file_name=f"{full.name}.csv",
                   mime="text/csv", key="pg_data_csv")
if not playing:
    with st.expander("What this network costs"):
        ui.cost_panel(cost.network_cost(run.net, "Your network A"))


# ---- the animation: train a chunk, redraw, repeat (a click on any widget interrupts it) ----

def animate():
    started = last_network = time.monotonic()
    frame, max_frames = 0, state.get("pg_max_frames")  # tests bound the loop
    while max_frames is None or frame < max_frames:
        t0 = time.monotonic()
        for r in runs.values():
            r.step(cfg["speed"])
        frame += 1
        draw_output(output_ph)
        draw_loss(loss_ph)
        if t0 - last_network >= DIAGRAM_SECONDS:
            draw_network(network_ph, frame)
            last_network = t0
        if any(r.status in ("diverged", "done") for r in runs.values()):
            state["pg_playing"] = False
            st.rerun()
        if t0 - started > MAX_PLAY_SECONDS:
            state["pg_playing"] = False
            st.toast("Paused after 10 minutes of training to share the server. Press Play to go on.")
            st.rerun()
        time.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - t0)))


if playing:
    try:
        animate()
    except StopException:  # the toolbar's Stop button: show the page as paused, not frozen
        state["pg_playing"] = False
        raise

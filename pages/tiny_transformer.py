"""Train a tiny transformer live on digit tasks and watch its attention find the answer."""
import time

import streamlit as st
import torch

from playground import ui
from playground.transformer import figures as F, settings as TS, tiny as TT

ui.page_setup()
P = "tiny"  # session-state prefix of this page
FRAME_SECONDS = 0.15
CHUNK_SECONDS = 0.2
MAX_PLAY_SECONDS = 600
SPEEDS = [1, 2, 5, 10, 25]
LRS = list(TS.LRS)
state = st.session_state

st.title("Train a tiny transformer")
for w in ui.load_query_once(P, TS.from_query):
    st.warning(w)
ui.lesson_gate("tiny_transformer")
st.caption("A transformer of one or two layers learns a digit task in your browser session, no "
           "internet needed. To reverse a sequence, output position i must read input position "
           "n−1−i: watch the attention maps turn into that anti-diagonal as accuracy climbs.")

sb = st.sidebar
sb.subheader("Task and model")
task = ui.kept_or(P, "task", "reverse", sb.selectbox, "Task", list(TT.TASKS), format_func=TT.TASKS.get)
length = ui.kept_or(P, "length", 6, sb.slider, "Sequence length", min_value=TT.MIN_LEN,
                    max_value=TT.MAX_LEN)
layers = ui.kept_or(P, "layers", 1, sb.radio, "Layers", [1, 2], horizontal=True)
heads = ui.kept_or(P, "heads", 2, sb.radio, "Heads per layer", [1, 2, 4], horizontal=True)
lr = ui.kept_or(P, "lr", 1e-3, sb.select_slider, "Learning rate", options=LRS)
seed = ui.kept_or(P, "seed", 0, sb.number_input, "Seed", min_value=0, max_value=9999, step=1)
ui.write_query(TS.to_query(ui.stored(P)))
settings = TT.Settings(task=task, length=length, layers=layers, heads=heads, lr=lr, seed=int(seed))


def build():
    state["tiny_run"], state["tiny_settings"] = TT.TinyRun(settings), settings
    state["tiny_playing"] = False


if state.get("tiny_settings") != settings:
    build()
run: TT.TinyRun = state["tiny_run"]


def speed() -> int:
    return int(ui.stored(P).get("speed", 2))


ui.transport(P, "tiny_run", build, SPEEDS, 2, "training steps")
playing = state["tiny_playing"]

st.subheader("Your own sequence")
default = "".join(map(str, run.example(0)))
typed = ui.kept_or(P, "typed", "", st.text_input, f"Type {run.s.length} digits",
                   placeholder=default, max_chars=40, help="Empty = a test example.")
try:
    digits = TT.parse(typed, run.s.length) if typed.strip() else run.example(0)
except ValueError as exc:
    st.warning(str(exc))
    digits = run.example(0)


@st.fragment(run_every=FRAME_SECONDS if playing else None)
def live_view():
    if state["tiny_playing"]:
        run.step(speed(), max_seconds=CHUNK_SECONDS)
        if time.monotonic() - state.get("tiny_play_started", time.monotonic()) > MAX_PLAY_SECONDS:
            state["tiny_playing"] = False
            st.toast("Paused after 10 minutes of training to share the server. Press Play to go on.")
            st.rerun(scope="app")
    st.markdown(f"Training step **{run.steps:,}** · train loss **{run.loss:.4f}** · test accuracy "
                f"**{run.token_acc:.1%}** of digits, **{run.seq_acc:.1%}** of whole sequences "
                f"(guessing: 10 %)")
    pred, conf, maps = run.run_on(digits)
    want = TT.target(run.s.task, torch.tensor(digits)).tolist()
    left, right = st.columns([1, 1.4])
    ui.plotly(left, F.learning_curve(run.history), key="tiny_curve")
    ok = "".join("✅" if a == b else "❌" for a, b in zip(pred, want))
    right.markdown(f"Input **{' '.join(map(str, digits))}** → model **{' '.join(map(str, pred))}** "
                   f"(right answer {' '.join(map(str, want))}) {ok}")
    labels = [f"{d}" for d in digits]
    cols = right.columns(run.s.heads)
    for l in range(run.s.layers):
        for h in range(run.s.heads):
            fig = F.head_heatmap(maps[l, h], [f"{i}:{d}" for i, d in enumerate(labels)],
                                 f"layer {l}, head {h}", height=260, zmax=1.0)
            fig["layout"]["margin"] = {"l": 5, "r": 5, "t": 70, "b": 5}
            fig["data"][0]["showscale"] = False
            ui.plotly(cols[h], fig, key=f"tiny_map_{l}_{h}")
    right.caption("Row = output position, column = input position it reads. Axis labels: "
                  "position:digit.")


live_view()

with st.expander("The right answer for this input (what a perfect attention map would look like)"):
    exp = run.expected_attention(digits)
    ui.plotly(st, F.head_heatmap(exp, [f"{i}:{d}" for i, d in enumerate(digits)], "ideal attention",
                                 height=320, zmax=1.0), key="tiny_ideal")
    st.caption("For reverse and copy one head can do it alone; sorting needs to compare digits, so "
               "the answer spreads over heads and layers and is harder to read.")
with st.sidebar:
    ui.lesson_link(P, "tiny_transformer")

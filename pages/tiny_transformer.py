"""Train a tiny transformer live on digit tasks and watch its attention find the answer."""
import streamlit as st
import torch

from playground import ui
from playground.budget import thin
from playground.transformer import figures as F, settings as TS, tiny as TT

ui.page_setup()
P = "tiny"  # session-state prefix of this page
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
run.eval_seconds = 0.5            # while playing: the test set at most twice a second (paused: at once)


def speed() -> int:
    return int(ui.stored(P).get("speed", 2))


ui.transport(P, "tiny_run", build, SPEEDS, 2, "training steps")
if run.steps:
    run.catch_up()            # the test set's loss and accuracy after the latest step
    ui.submit_run("tiny_transformer", TS.to_query(ui.stored(P)), run.test_loss, run.token_acc,
                  sum(p.numel() for p in run.model.parameters()), run.steps, key="tiny_board",
                  unit="training steps")

st.subheader("Your own sequence")
default = "".join(map(str, run.example(0)))
typed = ui.kept_or(P, "typed", "", st.text_input, f"Type {run.s.length} digits",
                   placeholder=default, max_chars=40, help="Empty = a test example.")
try:
    digits = TT.parse(typed, run.s.length) if typed.strip() else run.example(0)
except ValueError as exc:
    st.warning(str(exc))
    digits = run.example(0)


@ui.live_fragment(P, run_key="tiny_run", n=speed)   # each frame: its share of the server, then draw
def live_view():
    pred, _, _ = run.run_on(digits)
    want = TT.target(run.s.task, torch.tensor(digits)).tolist()
    ok = " ".join(":green[:material/check:]" if a == b else ":red[:material/close:]"
                  for a, b in zip(pred, want))
    st.markdown(f"{run.status()} · input **{' '.join(map(str, digits))}** → model "
                f"**{' '.join(map(str, pred))}** (right answer {' '.join(map(str, want))}) {ok}")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    pred, conf, maps = run.run_on(digits)
    left, right = st.columns([1, 1.4])
    ui.plotly(left, F.learning_curve(thin(run.history)), key="tiny_curve")
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
chart_view()

with st.expander("The right answer for this input (what a perfect attention map would look like)"):
    exp = run.expected_attention(digits)
    ui.plotly(st, F.head_heatmap(exp, [f"{i}:{d}" for i, d in enumerate(digits)], "ideal attention",
                                 height=320, zmax=1.0), key="tiny_ideal")
    st.caption("For reverse and copy one head can do it alone; sorting needs to compare digits, so "
               "the answer spreads over heads and layers and is harder to read.")
with st.sidebar:
    ui.lesson_link(P, "tiny_transformer")

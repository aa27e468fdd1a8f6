"""Recurrent networks: sequences, memory and vanishing gradients through time."""
import numpy as np
import streamlit as st

from playground import ui
from playground.budget import thin
from playground.rnn import data as D, figures as RF, settings as S
from playground.rnn.models import KINDS
from playground.rnn.train import OPTIMIZERS, SeqRun
from playground.rnn.unroll import unroll_figure

ui.page_setup()
P = "rnn"  # session-state prefix of this page
state = st.session_state

st.title("Recurrent networks: RNN, LSTM, GRU")
st.caption("A recurrent network reads a sequence one step at a time and carries a hidden state "
           "from step to step: its memory. Train one live, then look inside: what it stores, "
           "what its gates do, and how far back its gradient still reaches.")
for w in ui.load_query_once(P, S.from_query):
    st.warning(w)
vals = S.normalize(ui.stored(P))


def widget(name, fn, label, **kw):
    return ui.kept_or(P, name, vals[name], fn, label, **kw)


# ---- settings (sidebar) -----------------------------------------------------------------
sb = st.sidebar
sb.subheader("Task")
task = widget("task", sb.selectbox, "Task", options=list(S.TASKS), format_func=S.TASKS.get)
if task == "sines":
    widget("f1", sb.slider, "Frequency 1 (cycles per 100 steps)", min_value=1, max_value=25)
    widget("f2", sb.slider, "Frequency 2 (0 = off)", min_value=0, max_value=25)
    widget("noise", sb.select_slider, "Noise (standard deviation)", options=S.NOISES)
    widget("horizon", sb.slider, "Forecast horizon (steps ahead)", min_value=1, max_value=D.MAX_HORIZON)
    widget("seq_len", sb.slider, "Sequence length", min_value=10, max_value=D.MAX_SEQ_LEN)
elif task == "memory":
    widget("delay", sb.slider, "N: steps between the symbol and the question", min_value=1,
           max_value=D.MAX_DELAY, help="Each sequence: a symbol A–D, N − 1 distractors w–z, then "
           "'?'. The answer is the symbol seen N steps earlier.")
else:
    text = ui.kept_or(P, "text", D.EXAMPLE_TEXT, sb.text_area, "Text to learn from",
                      height=180, max_chars=4 * D.MAX_TEXT,
                      help=f"Type or paste any text; the first {D.MAX_TEXT:,} characters are used.")
    widget("char_len", sb.slider, "Characters per training window", min_value=5,
           max_value=D.MAX_CHAR_LEN)
sb.subheader("Model")
widget("model", sb.selectbox, "Recurrent layer", options=list(KINDS), format_func=KINDS.get)
widget("hidden", sb.select_slider, "Hidden units", options=S.HIDDEN_SIZES)
widget("layers", sb.slider, "Layers", min_value=1, max_value=3)
if ui.stored(P)["model"] == "lstm":
    widget("forget_bias", sb.select_slider, "Forget-gate bias at the start", options=S.FORGET_BIASES,
           help="f = σ(bias): 0 → the cell halves its content every step; 3 → keeps 95 % per step. "
                "Try 0 on the memory task: the LSTM's gradient vanishes too.")
widget("seed", sb.number_input, "Seed", min_value=0, max_value=9999, step=1,
       help="Same seed ⇒ same data, same initial weights, same mini-batches ⇒ the same run.")
sb.subheader("Training")
widget("lr", sb.select_slider, "Learning rate", options=S.LEARNING_RATES)
widget("optimizer", sb.selectbox, "Optimizer", options=list(OPTIMIZERS), format_func=OPTIMIZERS.get)
widget("batch", sb.select_slider, "Batch size", options=S.BATCHES)
widget("clip", sb.toggle, "Clip gradients (norm ≤ 1)",
       help="Rescales too large gradients: the usual cure for exploding gradients in RNNs.")

cfg = S.normalize(ui.stored(P))
text = ui.stored(P).get("text", D.EXAMPLE_TEXT) if cfg["task"] == "chars" else ""
run_key = S.run_key(cfg, text)


def build_run():
    state["rnn_run"], state["rnn_run_key"] = SeqRun({**cfg, "text": text}), run_key


if state.get("rnn_run_key") != run_key:
    build_run()
run: SeqRun = state["rnn_run"]
run.set_hyper(cfg)
run.eval_seconds = 0.5                  # while playing: the test set at most twice a second (paused: at once)


def speed() -> int:
    return S.normalize(ui.stored(P))["speed"]


# ---- transport bar ----------------------------------------------------------------------
ui.transport(P, "rnn_run", build_run, S.SPEEDS, vals["speed"], "training steps")
ui.write_query(S.to_query(S.normalize(ui.stored(P))))
for note in run.notices:
    st.info(note)
if run.batch < cfg["batch"]:
    st.info(f"Batch size lowered to {run.batch} for this sequence length and model size, so one "
            "training step stays within the memory limit.")


def status_line() -> str:
    chance = run.chance()
    s = (f"Training step **{run.steps:,}** · train loss **{run.train_loss:.4f}** · "
         f"test loss **{run.test_loss:.4f}**")
    if run.task.kind == "classification":
        s += (f" · test accuracy **{run.test_accuracy:.1%}** (without memory: "
              f"{chance['accuracy']:.0%})")
    else:
        s += f" · without memory (current value only): loss {chance['loss']:.4f}"
    return s


@ui.live_fragment(P, run_key="rnn_run", n=speed)   # each frame: its share of the server, then draw
def live_view():
    if run.status in ("diverged", "error"):
        st.error(run.message)
    st.markdown(status_line())


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    k = int(np.clip(ui.stored(P).get("example", 1), 1, len(run.task.test))) - 1
    left, right = st.columns(2)
    ui.plotly(left, RF.loss_figure(thin(run.history), run.chance()["loss"]), key="rnn_loss_chart")
    if run.task.key == "sines":
        fig = RF.forecast_figure(run.predictions(k))
        what = f"Test sequence {k + 1}: input (dots), truth and forecast."
    elif run.task.key == "memory":
        fig = RF.memory_figure(run.memory_overview(), run.task.out_symbols)
        what = "16 test sequences: the model's probability for each answer; ✕ = right answer."
    else:
        fig = RF.chars_figure(run.predictions(k), run.task.out_symbols)
        what = (f"Test window {k + 1}: the true next character and the model's guess, coloured by "
                "the probability it gives them.")
    ui.plotly(right, fig, key="rnn_pred_chart")
    right.caption("Predictions vs truth. " + what)


live_view()
chart_view()

# ---- inside the model -------------------------------------------------------------------
st.subheader("Inside the model")
n_test = len(run.task.test)
i1, i2, i3, i4 = st.columns([1, 1, 1, 1])
layers = run.model.layers
for name, hi in (("example", n_test), ("layer", layers)):  # keep old choices within range
    if name in ui.stored(P):
        state.setdefault(f"rnn_{name}", ui.stored(P)[name])
    if f"rnn_{name}" in state:
        state[f"rnn_{name}"] = int(np.clip(state[f"rnn_{name}"], 1, hi))
example = ui.kept_or(P, "example", 1, i1.number_input, "Test sequence to look at", min_value=1,
                     max_value=max(n_test, 1), step=1)
layer = ui.kept_or(P, "layer", layers, i2.selectbox, "Layer", options=list(range(1, layers + 1))) \
    if layers > 1 else 1
layer = int(np.clip(layer, 1, layers)) - 1
pin_group = (run.task.key, run.task.test.T)


def pin():
    ins = run.inside(example - 1)
    label = f"{KINDS[cfg['model']]}, step {run.steps}"
    state.setdefault("rnn_pins", []).append((pin_group, label, ins["norms"]["dx"].tolist()))
    state["rnn_pins"] = state["rnn_pins"][-4:]


i3.button("Pin gradient curve", key="rnn_pin", icon=":material/push_pin:",
          on_click=ui.once("rnn_click_pin", pin), width="stretch",
          help="Keep this model's gradient curve on the chart, then switch the model to compare.")
i4.button("Clear pins", key="rnn_unpin", on_click=lambda: state.pop("rnn_pins", None), width="stretch")


@ui.live_fragment(P, ui.SLOW_SECONDS)
def inside_view():
    ins = run.inside(example - 1)
    u = ins["unrolled"]
    d = run.task.test
    k = int(np.clip(example - 1, 0, len(d) - 1))
    labels = RF.step_labels(run.task, tokens=None if d.tokens is None else d.tokens[k],
                            values=None if d.values is None else d.values[k])
    h, g = st.columns([1.15, 1])
    ui.plotly(h, RF.state_heatmap(u.h[layer], labels, f"Hidden state h_t of layer {layer + 1}: "
                                  f"{run.model.hidden} units × {u.T} time steps"), key="rnn_hidden_heatmap")
    h.caption(RF.hidden_caption(run.task.key))
    pins = [(lab, v) for grp, lab, v in state.get("rnn_pins", []) if grp == pin_group]
    ui.plotly(g, RF.gradient_figure(ins["norms"], ins["at"], labels, pins), key="rnn_grad_chart")
    g.caption(f"How much the loss at the last step (loss {ins['loss']:.3g}) changes with each "
              "earlier input: back-propagation through time, written out step by step (log scale). "
              f"Here it stays above 1 % of its peak for the last **{ins['span']}** steps. Where the "
              "bars fall to nothing, the model cannot learn from that far back: compare a vanilla "
              "RNN with an LSTM on the memory task (pin one curve, then switch the model).")
    if run.model.kind in RF.SHOWN_GATES:
        ui.plotly(st, RF.gates_figure(u.gates[layer], run.model.kind, labels), key="rnn_gates_chart")
        st.caption("Gate activations between 0 (closed) and 1 (open), computed step by step from "
                   "the layer's own weights. " + RF.gates_caption(run.model.kind, run.task.key))
    st.markdown("**Unrolled over the first time steps**")
    ui.plotly(st, unroll_figure(u, run.task, d.mask, layer), key="rnn_unroll_chart")
    st.caption("The same cell, copied once per time step: the input enters from below, the state "
               "flows to the right into the next step (the same weights W_hh every time), the "
               "read-out goes up. Squares: hidden units" + (" (left: cell state c, coloured by "
               "tanh c; right: h)" if run.model.kind == "lstm" else "") + "; hover for the values.")


inside_view()

# ---- characters: write with the model ---------------------------------------------------
if run.task.key == "chars":
    st.subheader("Write with the model")
    w1, w2, w3, w4 = st.columns([3, 1.2, 1.2, 1])
    prompt = ui.kept_or(P, "prompt", "Twinkle", w1.text_input, "Prompt", max_chars=200)
    temperature = ui.kept_or(P, "temperature", 0.7, w2.slider, "Temperature", min_value=0.1,
                             max_value=2.0, step=0.05,
                             help="Low: the safest next character every time. High: more surprise "
                                  "(and more nonsense).")
    length = ui.kept_or(P, "length", 200, w3.slider, "Characters", min_value=20, max_value=500, step=10)

    def sample():
        state["rnn_sample_count"] = state.get("rnn_sample_count", 0) + 1
        state["rnn_sample_out"] = run.sample(prompt, length, temperature,
                                             seed=cfg["seed"] * 1000 + state["rnn_sample_count"])

    w4.button("Sample", key="rnn_sample", icon=":material/edit_note:",
              on_click=ui.once("rnn_click_sample", sample), width="stretch",
              type="primary")
    if state.get("rnn_sample_out"):
        out, notes = state["rnn_sample_out"]
        for n in notes:
            st.info(n)
        st.code(out, language=None, wrap_lines=True)

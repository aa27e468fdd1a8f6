"""Backpropagation step by step: one example through a tiny network, every number shown."""
import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.mlp import backprop as B, backprop_figure as BF, gradcheck as G
from playground.mlp.activations import ACTIVATIONS
from playground.mlp.network import LOSS_LABELS

ui.page_setup()
P = "bp"
state = st.session_state

st.title("Backpropagation, step by step")
st.caption("One training example flows forward through a tiny network, then the error flows "
           "backward, neuron by neuron. Every number is shown: the chain rule with the actual "
           "values, then the update of every weight. Press Next.")
for w in ui.load_query_once(P, B.from_query):
    st.warning(w)
cfg = {**B.DEFAULTS, **ui.stored(P)}


def kept(name, widget, label, **kw):
    return ui.kept_or(P, name, cfg[name], widget, label, **kw)


# ---- the network (sidebar) --------------------------------------------------------------
sb = st.sidebar
sb.subheader("Network")
n_in = kept("inputs", sb.slider, "Inputs", min_value=1, max_value=B.MAX_INPUTS)
n_hidden = sb.slider("Hidden layers", 0, B.MAX_HIDDEN_LAYERS, len(cfg["hidden"]), key=f"{P}_n_hidden")
old = list(cfg["hidden"]) + [2] * B.MAX_HIDDEN_LAYERS
hidden = tuple(sb.slider(f"Neurons in hidden layer {l + 1}", 1, B.MAX_NEURONS, old[l], key=f"{P}_h{l}")
               for l in range(n_hidden))
ui.stored(P)["hidden"] = hidden
act = kept("act", sb.selectbox, "Hidden activation", options=list(ACTIVATIONS),
           format_func=lambda k: ACTIVATIONS[k].label)
loss = kept("loss", sb.selectbox, "Loss", options=list(LOSS_LABELS), format_func=LOSS_LABELS.get)
if loss == "cross_entropy":
    if cfg["outputs"] < 2:   # softmax needs two classes or more
        cfg["outputs"] = ui.stored(P)["outputs"] = state[ui.wkey(P, "outputs")] = 2
    n_out = kept("outputs", sb.slider, "Output neurons (classes)", min_value=2, max_value=B.MAX_OUTPUTS)
    out_act = cfg["out_act"]
else:
    n_out = kept("outputs", sb.slider, "Output neurons", min_value=1, max_value=B.MAX_OUTPUTS)
    out_act = kept("out_act", sb.selectbox, "Output activation", options=list(ACTIVATIONS),
                   format_func=lambda k: ACTIVATIONS[k].label)
lr = kept("lr", sb.number_input, "Learning rate", min_value=B.LR_RANGE[0], max_value=B.LR_RANGE[1],
          format="%.4g")
seed = kept("seed", sb.number_input, "Weights seed", min_value=0, max_value=9999, step=1,
            help="Seed 0 on the 2-2-1 network is a hand-picked example; other seeds draw random "
                 "weights with two decimals.")

shape = (n_in, hidden, n_out, act, out_act, loss, int(seed))
if state.get(f"{P}_shape") != shape:   # a new network: fresh readable weights, start over
    state[f"{P}_shape"] = shape
    state[f"{P}_theta"] = B.build(n_in, list(hidden), n_out, act, out_act, loss, int(seed)).theta
    state[f"{P}_k"] = 0
    state[f"{P}_ver"] = state.get(f"{P}_ver", 0) + 1
net = B.build(n_in, list(hidden), n_out, act, out_act, loss, int(seed), theta=state[f"{P}_theta"])


def restart():
    state[f"{P}_k"] = 0


# Screen order: the buttons, then the graph beside the step's text (on screen together at
# 1366×768), then the example and the weights (computed first: the trace depends on them).
bar, view, example, after = st.container(), st.container(), st.container(), st.container()

# ---- the example and the weights ----------------------------------------------------------
left, right = example.columns([1, 2])
with left:
    st.markdown("**The training example**")
    xs = list(cfg["x"]) + [0.0] * B.MAX_INPUTS
    x = [st.number_input(f"Input {B.node_name(net.sizes, 0, i)}", -B.VALUE_LIMIT, B.VALUE_LIMIT,
                         float(np.clip(xs[i], -B.VALUE_LIMIT, B.VALUE_LIMIT)), key=f"{P}_x{i}",
                         on_change=restart) for i in range(n_in)]
    if loss == "cross_entropy":
        k_old = int(np.argmax(cfg["t"])) if len(cfg["t"]) == n_out else 0
        cls = st.selectbox("Target class", range(n_out), index=min(k_old, n_out - 1),
                           format_func=lambda c: f"class {c + 1} (output {B.node_name(net.sizes, net.n_layers, c)})",
                           key=f"{P}_cls", on_change=restart)
        t = [1.0 if c == cls else 0.0 for c in range(n_out)]
    else:
        ts = list(cfg["t"]) + [0.0] * B.MAX_OUTPUTS
        t = [st.number_input(f"Target for {B.node_name(net.sizes, net.n_layers, j)}", -B.VALUE_LIMIT,
                             B.VALUE_LIMIT, float(np.clip(ts[j], -B.VALUE_LIMIT, B.VALUE_LIMIT)),
                             key=f"{P}_t{j}", on_change=restart) for j in range(n_out)]
    ui.stored(P).update(x=tuple(x), t=tuple(t))
with right:
    with st.expander("Edit the weights and biases", expanded=False):
        st.caption(f"Rows: where a link starts; columns: the neuron it feeds. Values are limited "
                   f"to ±{B.VALUE_LIMIT:g}.")
        theta, clipped = net.theta.copy(), False
        for l in range(1, net.n_layers + 1):
            rows = [B.node_name(net.sizes, l - 1, i) for i in range(net.sizes[l - 1])] + ["bias"]
            cols = [B.node_name(net.sizes, l, j) for j in range(net.sizes[l])]
            frame = pd.DataFrame(np.vstack([net.W(l), net.b(l)]), index=rows, columns=cols)
            edited = st.data_editor(frame, key=f"{P}_w{l}_{state[f'{P}_ver']}",
                                    on_change=restart, width="stretch")
            values, bad = B.clamp(pd.DataFrame(edited).apply(pd.to_numeric, errors="coerce").to_numpy())
            clipped |= bad
            W, b = net.split(theta)[l - 1]
            W[:], b[:] = values[:-1], values[-1]
        if clipped:
            st.warning(f"Some weights were empty, not numbers or beyond ±{B.VALUE_LIMIT:g}; "
                       "they were set to 0 or to the limit.")
        net.theta[:] = theta
        state[f"{P}_theta"] = theta

ui.write_query(B.to_query(ui.stored(P)))
tr = B.Trace(net, x, t, lr)
n_steps = len(tr.steps)
k = int(np.clip(state.get(f"{P}_k", 0), 0, n_steps))


def go(to):
    state[f"{P}_k"] = int(np.clip(to, 0, n_steps))


def apply_update():
    state[f"{P}_theta"] = tr.theta_after.copy()
    state[f"{P}_ver"] += 1
    state[f"{P}_k"] = 0


# ---- stepping -------------------------------------------------------------------------------
b1, b2, b3, b4, info = bar.columns([1, 1, 1, 1, 3])
b1.button("Back", key=f"{P}_back", icon=":material/chevron_left:", on_click=go, args=(k - 1,),
          disabled=k == 0, width="stretch")
b2.button("Next", key=f"{P}_next", icon=":material/chevron_right:", on_click=go, args=(k + 1,),
          disabled=k == n_steps, type="primary", width="stretch")
b3.button("Run all", key=f"{P}_all", icon=":material/fast_forward:", on_click=go,
          args=(n_steps,), disabled=k == n_steps, width="stretch")
b4.button("Reset", key=f"{P}_reset", icon=":material/replay:", on_click=go, args=(0,),
          width="stretch")
info.progress(k / n_steps, text=f"Step {k} of {n_steps}")

graph_col, text_col = view.columns([3, 2])
height = BF.graph_height(net.sizes)
ui.plotly(graph_col, BF.graph_figure(tr, k, height), key=f"{P}_graph", width="stretch")
with text_col.container(height=height, border=False):
    if not np.isfinite(tr.loss) or not np.isfinite(tr.grad).all():
        st.error("With these numbers the loss or a gradient is not a finite number (an overflow). "
                 "Use smaller inputs or weights.")
    if k == 0:
        st.info("Nothing is computed yet: only the inputs are known. Press **Next** to compute "
                "the first neuron.")
    else:
        s = tr.steps[k - 1]
        st.markdown(f"**{s.title}**")
        st.markdown("\n".join(f"- `{line}`" for line in s.lines))
        if k == n_steps:
            st.button("Apply this update and start the next round", key=f"{P}_apply",
                      on_click=apply_update, type="primary")
view.caption("Above each node: its value in the forward pass. Below, in red: the gradient "
             "∂L/∂(node) once the backward pass has reached it. Diamonds are weights (blue ≥ 0, "
             "orange < 0), labelled with their value and, in red, their gradient. Hover anything "
             "for details.")

with after:
    if k == n_steps:
        st.subheader("The update")
        st.dataframe(pd.DataFrame(BF.update_table(tr)).set_index("parameter"), width="stretch")
        st.metric("Loss on this example", f"{tr.loss_after:.4g}", delta=f"{tr.loss_after - tr.loss:.3g}",
                  delta_color="inverse", help="After one gradient-descent step.")
        if not np.isfinite(tr.loss_after) or tr.loss_after > tr.loss:
            st.warning(f"The step overshot: the loss went up from {tr.loss:.4g} to {tr.loss_after:.4g}. "
                       f"The gradient only says which way is downhill right here; a learning rate of "
                       f"{lr:g} jumps too far. Try a smaller one.")

    with st.expander("Check the gradients: autograd and finite differences", expanded=k >= n_steps - 1):
        X, T = np.asarray([x]), np.asarray([t])
        _, auto = G.torch_gradient(net, X, T)
        fd = G.finite_difference_gradient(net, X, T)
        rows = pd.DataFrame(BF.check_rows(tr, auto, fd)).set_index("parameter")
        c1, c2 = st.columns(2)
        c1.metric("max |backprop − autograd|", f"{np.abs(tr.grad - auto).max():.2e}")
        c2.metric("max |backprop − finite differences|", f"{np.abs(tr.grad - fd).max():.2e}")
        st.caption("Computed now, from the weights above: torch.autograd differentiates the same "
                   "network written in PyTorch; finite differences nudge each weight by ±0.00001 and "
                   "watch the loss, (L(w+h) − L(w−h)) / 2h.")
        st.dataframe(rows, width="stretch")

    with st.expander("All steps so far"):
        for s in tr.steps[:k]:
            st.markdown(f"**{s.title}**\n" + "\n".join(f"- `{line}`" for line in s.lines))

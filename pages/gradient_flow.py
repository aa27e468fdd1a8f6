"""Vanishing and exploding gradients in a deep, narrow network."""
from types import SimpleNamespace

import streamlit as st

from playground import render as R, ui
from playground.budget import Paced, thin_columns
from playground.mlp import gradflow as GF, gradflow_demo as D
from playground.mlp.activations import ACTIVATIONS
from playground.mlp.network import INITS

ui.page_setup()
P = "gf"
state = st.session_state

st.title("Vanishing and exploding gradients")
st.caption("Backpropagation multiplies the error by each layer's weights and by the slope f'(z) "
           "of its activation, once per layer on the way back to the input. Ten layers deep, "
           "small factors make the gradient vanish and large ones make it explode. Change the "
           "activation, the initialization or the weight scale and watch the bars.")
for w in ui.load_query_once(P, D.from_query):
    st.warning(w)
cfg = {**D.DEFAULTS, **ui.stored(P)}


def kept(name, widget, where, label, **kw):
    return ui.kept_or(P, name, cfg[name], getattr(where, widget), label, **kw)


c1, c2, c3, c4 = st.columns(4)
kept("act", "selectbox", c1, "Activation (every layer)", options=list(ACTIVATIONS),
     format_func=lambda k: ACTIVATIONS[k].label)
kept("init", "selectbox", c2, "Weight init", options=list(INITS), format_func=INITS.get)
kept("scale", "select_slider", c3, "Weight scale × init", options=D.SCALES,
     help="Multiply the initial weights: below 1 shrinks the signal layer by layer, above 1 grows it.")
kept("depth", "slider", c4, "Hidden layers", min_value=2, max_value=D.MAX_DEPTH)
c5, c6, c7, c8 = st.columns(4)
kept("width", "slider", c5, "Neurons per layer", min_value=2, max_value=D.MAX_WIDTH)
kept("dataset", "selectbox", c6, "Data", options=D.DATASETS)
kept("lr", "select_slider", c7, "Learning rate (SGD)", options=D.LRS)
kept("seed", "number_input", c8, "Seed", min_value=0, max_value=9999, step=1)
values = {**D.DEFAULTS, **ui.stored(P)}
ui.write_query(D.to_query(values))

# ---- at the start: no training needed to see it --------------------------------------------
st.subheader("Before any training")
sizes = ui.memo("gf_init", D.run_key(values), lambda: D.compare_at_init(values))
chosen = ACTIVATIONS[values["act"]].label
kind, sentence = GF.diagnosis(sizes[chosen])
left, right = st.columns([2, 1])
ui.plotly(left, GF.layers_bar(sizes), key="gf_bars")
with right:
    box = {"vanishing": st.warning, "exploding": st.error, "dead": st.error,
           "uneven": st.info}.get(kind, st.success)
    box(f"**{chosen}**: {sentence}")
    st.caption("Each bar: the typical size (root mean square) of ∂L/∂W in one layer of a fresh "
               "network, averaged over the training data. Log scale: one grid line is a factor of "
               "ten. Sigmoid's slope is at most 0.25, so ten layers can shrink the gradient by "
               "0.25¹⁰ ≈ 10⁻⁶; ReLU's slope is 1 where it is active.")

# ---- while training ------------------------------------------------------------------------
st.subheader("While training")
if state.get("gf_key") != D.run_key(values):
    state["gf_run"], state["gf_key"], state["gf_playing"] = Paced(D.build(values)), D.run_key(values), False
run = state["gf_run"]
run.set_hyper({"lr": values["lr"]})


def rebuild():
    state["gf_run"] = Paced(D.build(values))


ui.transport(P, "gf_run", rebuild, D.SPEEDS, cfg["speed"], "epochs")


def speed() -> int:
    return int(ui.stored(P).get("speed", D.DEFAULTS["speed"]))


@ui.live_fragment(P, run_key="gf_run", n=speed)   # each frame: its share of the server, then draw
def live_view():
    """The status line every frame."""
    r = state["gf_run"]
    if r.status == "diverged":
        st.error(D.diverged_message(r, values, sizes[chosen]))
    st.markdown(f"Epoch **{r.epoch:,}** · train loss **{r.train_loss:.4f}** · test accuracy "
                f"**{r.accuracy('test'):.1%}** · "
                f"{GF.diagnosis(r.flow.latest(), r.train_loss, r.n_classes)[1]}")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    """The Plotly chart of gradient sizes and the loss picture, every CHART_SECONDS."""
    r = state["gf_run"]
    chart_col, loss_col = st.columns([2, 1])
    epochs, grad, ratio = thin_columns(80, r.flow.epochs, r.flow.grad, r.flow.ratio)
    shown = SimpleNamespace(n_layers=r.flow.n_layers, epochs=epochs, grad=grad, ratio=ratio)
    ui.plotly(chart_col, GF.flow_chart(shown), key="gf_flow")   # 80 points: small frames
    loss_col.image(R.data_uri(R.loss_png({"": r.history}, width=360)), width="stretch",
                   caption="Loss (train: dark, test: light)")


live_view()
chart_view()

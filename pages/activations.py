"""Activation functions: f and f', where they saturate, and one neuron you can steer."""
import streamlit as st

from playground import ui
from playground.mlp import activation_lab as L
from playground.mlp.activations import ACTIVATION_KEYS, ACTIVATIONS

ui.page_setup()
P = "act"  # session-state prefix of this page

st.title("Activation functions")
st.caption("Every neuron squashes its input z = w·x + b through an activation f. Its slope f′ "
           "decides how much gradient flows back through the neuron during training: where f′ is "
           "almost 0 (grey), the neuron saturates and learning stalls. Same formulas as the "
           "training engine of the playground.")
for w in ui.load_query_once(P, L.from_query):
    st.warning(w)
vals = {**L.DEFAULTS, **ui.stored(P)}
ui.lesson_gate("activations")


def label(key):
    return ACTIVATIONS[key].label


c1, c2 = st.columns([2, 1])
acts = ui.kept_or(P, "acts", list(vals["acts"]), c1.multiselect, "Activations to compare",
                  options=ACTIVATION_KEYS, format_func=label)
lo, hi = ui.kept_or(P, "range", (float(vals["lo"]), float(vals["hi"])), c2.slider, "Range of x",
                    min_value=-L.RANGE_LIMIT, max_value=L.RANGE_LIMIT, step=0.5)
if hi - lo < 0.5:
    st.warning("The range is empty; it was widened to one unit around its middle.")
    mid = (lo + hi) / 2
    lo, hi = max(mid - 0.5, -L.RANGE_LIMIT), min(mid + 0.5, L.RANGE_LIMIT)
ui.stored(P).update(lo=float(lo), hi=float(hi))

if not acts:
    st.info("Choose at least one activation above.")
else:
    st.subheader("Side by side")
    ui.plotly(st, L.compare_figure(acts, lo, hi), key="act_compare")
    st.caption(f"Right: the slopes f′. Below the dotted line (f′ = {L.SATURATED:g}) a neuron "
               "passes on almost no gradient.")
    per_row = 3
    for start in range(0, len(acts), per_row):
        cols = st.columns(per_row)
        for i, key in enumerate(acts[start:start + per_row]):
            with cols[i]:
                ui.plotly(st, L.activation_figure(key, lo, hi, L.COLORS[(start + i) % len(L.COLORS)]),
                          key=f"act_fig_{key}")
                st.markdown(L.saturation_text(key, lo, hi))
                st.caption(ACTIVATIONS[key].note)

    st.subheader("Through many layers")
    layers = ui.kept_or(P, "layers", int(vals["layers"]), st.slider, "Stacked layers n",
                        min_value=1, max_value=L.MAX_LAYERS,
                        help="Back-propagation multiplies one f′ per layer: at best max|f′|ⁿ.")
    for key in acts:
        st.markdown("- " + L.stacked_text(key, lo, hi, layers))

st.subheader("One neuron")
n1, n2 = st.columns([1, 2])
with n1:
    nact = ui.kept_or(P, "neuron", vals["neuron"], st.selectbox, "Activation of the neuron",
                      options=ACTIVATION_KEYS, format_func=label)
    w = ui.kept_or(P, "w", float(vals["w"]), st.slider, "Weight w", min_value=-L.W_LIMIT,
                   max_value=L.W_LIMIT, step=0.1)
    b = ui.kept_or(P, "b", float(vals["b"]), st.slider, "Bias b", min_value=-L.W_LIMIT,
                   max_value=L.W_LIMIT, step=0.1)
    x = ui.kept_or(P, "x", float(vals["x"]), st.slider, "Input x", min_value=-L.X_LIMIT,
                   max_value=L.X_LIMIT, step=0.1)
    out = L.neuron(nact, w, b, x)
    st.markdown(f"z = w·x + b = {w:g} · {x:g} + {b:g} = **{out['z']:.4g}**  \n"
                f"a = f(z) = **{out['a']:.4g}**  \n"
                f"f′(z) = **{out['slope']:.4g}**")
    if abs(out["slope"]) < L.SATURATED:
        st.info(f"f′(z) < {L.SATURATED:g}: this neuron is saturated for this input, so a "
                "gradient step barely changes w and b.")
with n2:
    ui.plotly(st, L.neuron_figure(nact, w, b, x), key="act_neuron_fig")
    st.caption("w stretches or squeezes the curve (and flips it when negative); b shifts it "
               "sideways by −b/w.")

ui.write_query(L.to_query(ui.stored(P)))
ui.lesson_link(P, "activations")   # main area: this page keeps its sidebar for the navigation

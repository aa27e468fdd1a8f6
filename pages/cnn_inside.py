"""Inside a pretrained CNN: first-layer filters, feature maps of any layer, shapes layer by layer."""
import pandas as pd
import streamlit as st
import torch
from PIL import Image

from playground import render as R, ui
from playground.cnn import figures as G, inside as I, own as O, settings as CS
from playground.vision import attacks as AT, classify as K, explain as X, figures as VF, models as M

ui.page_setup()
P = "ci"  # session-state prefix of this page
MODELS = CS.INSIDE_MODELS

st.title("Inside a pretrained CNN")
for w in ui.load_query_once(P, CS.inside_from_query):
    st.warning(w)
ui.lesson_gate("cnn_inside")
st.caption("An ImageNet CNN on your photo, layer by layer: what its first filters look for, which "
           "channels light up further in, and how the picture turns from a few colour channels "
           "at full size into hundreds of channels at a few pixels.")


@st.cache_resource(max_entries=2, show_spinner=False)
def architecture(key: str) -> tuple[list[dict], list[str]]:
    """The layer table and the stages with feature maps, from the architecture alone (shapes do
    not depend on the weights, so this works before any download)."""
    spec = M.REGISTRY[key]
    with torch.random.fork_rng(devices=[]):
        model = spec.builder(weights=None, **spec.arch).eval()
    return (I.layer_table(model, spec.family, torch.zeros(1, 3, 224, 224)),
            I.spatial_stages(model, spec.family))


left, right = st.columns([1, 1.5], gap="large")
with left:
    clean = ui.image_input(P)
with right:
    key = ui.kept_or(P, "model", MODELS[0], st.selectbox, "Model", list(MODELS),
                     format_func=ui.model_label)
    spec = M.REGISTRY[key]
    st.caption(f"{spec.blurb} · {spec.weights.meta['num_params'] / 1e6:.1f} M parameters · "
               + ui.model_status(key))
    rows, layers = architecture(key)
    f1, f2 = st.columns([2, 1])   # drawn before any stop: their values survive a missing photo
    if ui.stored(P).get("layer") not in layers:     # another model: its own default layer
        ui.remember(P, "layer", CS.inside_default_layer(key))
    layer = ui.kept_or(P, "layer", CS.inside_default_layer(key), f1.select_slider,
                       "Layer for the feature maps", options=layers)
    top = ui.kept_or(P, "top", 16, f2.select_slider, "Channels to show (most active first)",
                     options=list(CS.INSIDE_TOPS))
    loaded = ui.vision_model(key)
ui.link_settings(P, "cnn_inside", CS.inside_to_query)


def own_digits():
    """The same views on the app's own digits CNN: trained here, so always there (offline too)."""
    net = ui.own_digits_cnn(0, int(st.session_state.get("ci__own_version", 0)))
    d = net.data
    st.caption(f"This is {net.summary}.")
    c1, c2 = st.columns([1, 2])
    c1.image(R.data_uri(R.png_bytes(G.map_grid(net.model.conv1.weight[:, 0].numpy(), cols=4,
                                               cell=48, colormap="diverging"))), width="stretch",
             caption=f"Its {net.model.c1} first-layer filters (3×3; blue positive, orange negative weights)")
    if not 0 <= ui.stored(P).get("own_digit", 0) < len(d.y_test):
        ui.remember(P, "own_digit", len(d.y_test) - 1)
    i = ui.kept_or(P, "own_digit", 0, c2.slider, "Test digit", min_value=0,
                   max_value=len(d.y_test) - 1)
    x, true = d.x_test[i:i + 1], int(d.y_test[i])
    p = O.probabilities(net.model, x)
    pred = int(p.argmax())
    c2.markdown(f"Test digit #{i} is a **{true}**; the CNN says **{pred}** ({p[pred]:.0%})"
                + ("." if pred == true else " — a mistake."))
    ui.plotly(c2, VF.topk_bar(G.probs_rows(p, d.classes, k=3), "Its top 3"), key="ci_own_top")
    m = O.maps(net.model, x)
    cols = st.columns(3)
    for col, stage in zip(cols, ("relu1", "pool1", "relu2")):
        col.image(R.data_uri(R.png_bytes(G.map_grid(m[stage], cols=4, cell=40))), width="stretch",
                  caption=f"{stage}: {m[stage].shape[0]} maps of {m[stage].shape[1]}×{m[stage].shape[2]}")
    st.markdown("**Why this answer?** Grad-CAM (last convolution) and gradient saliency for "
                f"the class {pred}, and FGSM: every pixel pushed by ε in the direction that hurts that answer most.")
    digit = G.enlarge(G.to_uint8(x[0, 0].numpy())[0], 160)
    base = Image.fromarray(digit)
    e1, e2, e3, e4 = st.columns(4)
    e1.image(X.overlay(base, O.gradcam(net.model, x, pred), 0.6), caption="Grad-CAM",
             width="stretch")
    e2.image(X.overlay(base, O.saliency(net.model, x, pred), 0.6), caption="Saliency",
             width="stretch")
    eps = ui.kept_or(P, "own_eps", 0.1, st.select_slider,
                     "FGSM ε (how much each pixel may change, of 1)", options=list(CS.INSIDE_EPS))
    adv = AT.fgsm(net.model, x, pred, eps)
    pa = O.probabilities(net.model, adv.x_adv)
    new = int(pa.argmax())
    e3.image(G.enlarge(G.to_uint8(adv.x_adv[0, 0].numpy())[0], 160), width="stretch",
             caption=f"FGSM, ε = {eps}: now {new} ({pa[new]:.0%})")
    e4.image(G.map_grid(adv.delta[0].numpy(), cols=1, cell=160, colormap="diverging"),
             width="stretch", caption="The change (blue brighter, orange darker)")
    st.caption(f"With ε = {eps} the CNN's answer "
               + (f"flips from {pred} to {new}." if new != pred else
                  f"stays {pred} (its probability goes from {p[pred]:.0%} to {pa[pred]:.0%})."))
    if st.button("Retrain it", key="ci_own_retrain", icon=":material/refresh:",
                 help="Train the app's own CNN again (same seed, same result; a few seconds)."):
        st.session_state["ci__own_version"] = int(st.session_state.get("ci__own_version", 0)) + 1
        st.rerun()

st.subheader("How the representation changes, layer by layer")
t1, t2 = st.columns([1.25, 1])
t1.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=360,
             column_config={"values": st.column_config.NumberColumn("numbers", format="%d"),
                            "parameters": st.column_config.NumberColumn(format="%d")})
ui.plotly(t2, G.shape_chart(rows), key="ci_shapes")
st.caption(f"For a 224×224 colour photo ({3 * 224 * 224:,} numbers). Each stage is a module of "
           f"{spec.label}; sizes shrink by strided convolutions and pooling while channels grow. "
           "The table comes from the architecture alone, so it is here even without the weights.")
if loaded is None:
    st.info(f"The filters and feature maps of {spec.label} need its pretrained weights (see "
            "above). Meanwhile the same views run on the app's own digits CNN, trained here.",
            icon=":material/cloud_off:")
    st.subheader("Inside the app's own digits CNN")
    own_digits()
    st.stop()

model = loaded.model
st.subheader("The first layer's filters")
w = I.first_filters(model)
st.image(R.data_uri(R.png_bytes(G.rgb_filters(w, cols=16, cell=40))), width="stretch")
st.caption(f"All {w.shape[0]} filters of the first convolution ({w.shape[2]}×{w.shape[3]} pixels × "
           "3 colours), each scaled around grey: a filter responds most to patches that look like "
           "it (edges at some angle, colour blobs, stripes).")

if clean is None:
    st.stop()
st.subheader("Feature maps of your photo")
clf = K.Classifier(loaded)
crop = K.model_view(spec, clean.image)
maps, idx, mean = ui.memo("cnn_maps", (loaded.ident, clean.digest, layer, top), lambda: I.feature_maps(
    model, spec.family, clf.normalize(K.to_tensor(crop)), layer, top))
row = next(r for r in rows if r["layer"] == layer)
g1, g2 = st.columns([1, 3])
g1.image(crop, caption="What the model sees (224×224 centre crop)", width="stretch")
g2.image(R.data_uri(R.png_bytes(G.map_grid(maps, cols=8, cell=96))), width="stretch",
         caption=f"{layer} ({row['type']}): the {len(idx)} most active of {row['channels']} "
                 f"channels, each {row['size']} (blue low … red high). Channels: "
                 + ", ".join(str(int(i)) for i in idx))
ui.plotly(st, G.channel_bars(mean, idx), key="ci_channel_bars")
st.caption("Mean activation of every channel of this layer for your photo; the ones shown above "
           "are blue. Early layers respond to edges and colours everywhere; deep layers to "
           "parts of objects, in fewer places.")

with st.expander("The same views on the app's own digits CNN (trained here, works offline)"):
    own_digits()

"""Attention on images: where a Vision Transformer's class token looks, per head and averaged."""
import streamlit as st

from playground import ui
from playground.vision import classify as K, explain as E, models as M

ui.page_setup()
P = "vita"  # session-state prefix of this page
KEY = "vit_b_16"

st.title("Attention on images")
st.caption("A Vision Transformer cuts the image into 16×16-pixel patches and treats them like "
           "words. A special class token collects what the model needs for its answer: where does "
           "it look? Rollout follows the attention through all 12 layers; the last layer shows "
           "each head separately.")

left, right = st.columns([1, 1.5], gap="large")
with left:
    clean = ui.image_input(P)
with right:
    spec = M.REGISTRY[KEY]
    st.caption(f"{spec.blurb} · " + ui.model_status(KEY))
    loaded = ui.vision_model(KEY)
if clean is None or loaded is None:
    st.stop()

clf = K.Classifier(loaded)
crop = K.model_view(spec, clean.image)
x = K.to_tensor(crop)
logits, attns = ui.memo("vit_attn", (loaded.ident, clean.digest),
                        lambda: E.vit_forward_with_attention(clf, x))
probs = logits.softmax(-1)[0]
top = K.ranked(probs, clf.categories, 3)
heads = attns[-1].shape[1]
with right:
    st.markdown("**Top answers:** " + ", ".join(f"{name} ({p:.0%})" for _, name, p in top))
    c1, c2 = st.columns(2)
    view = c1.radio("Map", ["rollout", "last"], key="vita_view", format_func={
        "rollout": "rollout through all layers", "last": "last layer, class token"}.get)
    opacity = c2.slider("Opacity", 0.0, 1.0, 0.6, 0.05, key="vita_opacity")
    if view == "rollout":
        discard = st.slider("Drop the weakest links per layer", 0.0, 0.9, 0.0, 0.1, key="vita_discard",
                            help="Removes the smallest attention weights before multiplying the "
                                 "layers: a sharper, less noisy map.")
        grid = E.attention_rollout(attns, discard)
    else:
        layer = st.slider("Layer", 1, len(attns), len(attns), key="vita_layer")
        grid = E.cls_attention(attns, layer - 1)
    heat = E.upsample(grid, crop.size[::-1])
    i1, i2 = st.columns(2)
    i1.image(crop, caption="What the model sees (224×224)", width="stretch")
    i2.image(E.overlay(crop, heat, opacity), caption="Averaged over heads", width="stretch")

if view == "last":
    st.subheader(f"Each head of layer {layer}")
    cols = st.columns(6)
    for h in range(heads):
        g = E.upsample(E.cls_attention(attns, layer - 1, h), crop.size[::-1])
        cols[h % 6].image(E.overlay(crop, g, opacity), caption=f"head {h}", width="stretch")
    st.caption("Heads specialise: some follow the object, some the background or the edges. Each "
               "map is scaled to its own maximum.")
else:
    st.caption(f"{len(attns)} layers × {heads} heads; patch grid {grid.shape[0]}×{grid.shape[1]}. "
               "Rollout averages the heads, adds the residual connection and multiplies the layers "
               "(Abnar & Zuidema, 2020).")

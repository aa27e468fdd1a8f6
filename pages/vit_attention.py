"""Attention on images: where a Vision Transformer's class token looks, per head and averaged."""
import numpy as np
import streamlit as st
from PIL import Image

from playground import render as R, ui
from playground.cnn import figures as G
from playground.transformer import settings as TS, vit_digits as V
from playground.vision import classify as K, explain as E, models as M

ui.page_setup()
P = "vita"  # session-state prefix of this page
KEY = "vit_b_16"

st.title("Attention on images")
for w in ui.load_query_once(P, TS.vit_from_query):
    st.warning(w)
ui.lesson_gate("vit_attention")
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
ui.link_settings(P, "vit_attention", TS.vit_to_query)


def clamped(name: str, hi: int, default):
    """A stored slider value within [0, hi] (a link may ask for more than a model has)."""
    v = ui.stored(P).get(name, default)
    if not isinstance(v, int) or not 0 <= v <= hi:
        ui.remember(P, name, min(max(int(v) if isinstance(v, int) else default, 0), hi))
    return ui.stored(P).get(name, default)


def patches_and_positions():
    """The patch grid (no weights needed) and what position embeddings are."""
    crop = K.model_view(M.REGISTRY[KEY], clean.image)
    n = 224 // 16
    p1, p2 = st.columns([1, 1.4])
    pick = ui.kept_or(P, "patch", clamped("patch", n * n - 1, n * n // 2 + n // 2), p2.slider,
                      "Patch to outline", min_value=0, max_value=n * n - 1)
    p1.image(V.draw_patches(crop, 16, pick), width="stretch",
             caption=f"224×224 pixels cut into {n}×{n} = {n * n} patches of 16×16")
    r, c = divmod(pick, n)
    p2.markdown(f"ViT-B/16 reads **{n * n} patches + 1 class token = {n * n + 1} tokens**. Each "
                f"patch is 16 × 16 pixels × 3 colours = **768 numbers**, flattened and mapped to a "
                f"768-long vector, as a word would be. Patch {pick} is row {r}, column {c}.")
    p2.markdown("Attention itself ignores order: shuffle the patches and every token sees the "
                "same set. So a learned **position embedding**, one vector per place in the "
                "grid, is added to each patch's vector. Nobody tells the model which places are "
                "neighbours; it has to learn that from the data. Below you can check how far a "
                "small ViT got.")


def own_vit():
    """The app's own small ViT on the 8×8 digits: position embeddings and attention."""
    vit = ui.own_digit_vit(0, int(st.session_state.get("vita__own_version", 0)))
    d = vit.data
    st.caption(f"This is {vit.summary}. Patches of 2×2 pixels: a 4×4 grid of 16 patches plus the "
               "class token.")
    a1, a2 = st.columns(2)
    i = ui.kept_or(P, "digit", clamped("digit", len(d.y_test) - 1, 0), a1.slider, "Test digit",
                   min_value=0, max_value=len(d.y_test) - 1)
    probs, attn = V.look(vit.model, d.x_test[i:i + 1])
    pred = int(probs.argmax())
    a1.markdown(f"Test digit #{i} is a **{int(d.y_test[i])}**; the ViT says **{pred}** "
                f"({probs[pred]:.0%}).")
    maps = ["rollout"] + list(range(len(attn)))
    if ui.stored(P).get("own_view", "rollout") not in maps:
        ui.remember(P, "own_view", "rollout")
    layer = ui.kept_or(P, "own_view", "rollout", a2.radio, "Map", maps, horizontal=True,
                       format_func=lambda v: "rollout" if v == "rollout" else f"layer {v}, class token")
    digit = Image.fromarray(G.enlarge(G.to_uint8(d.x_test[i, 0].numpy())[0], 200))
    grid = V.rollout_map(attn) if layer == "rollout" else V.cls_map(attn, layer)
    heat = E.upsample(grid / max(float(grid.max()), 1e-9), digit.size[::-1])
    b = st.columns(2 + attn.shape[1])
    b[0].image(V.draw_patches(digit, digit.size[0] // 4), caption="The digit and its patches",
               width="stretch")
    b[1].image(E.overlay(digit, heat, 0.6), width="stretch",
               caption="rollout" if layer == "rollout" else f"layer {layer}, mean of heads")
    for h in range(attn.shape[1]):
        g = V.cls_map(attn, 0 if layer == "rollout" else layer, h)
        b[2 + h].image(E.overlay(digit, E.upsample(g / max(float(g.max()), 1e-9),
                                                   digit.size[::-1]), 0.6),
                       width="stretch", caption=f"layer {0 if layer == 'rollout' else layer}, head {h}")
    st.markdown("**Position embeddings it learned**: how alike each patch's position vector is "
                "to that of the chosen patch (cosine similarity; blue = alike, orange = opposite, pale = unrelated).")
    sim = V.position_similarity(vit.model)
    q1, q2 = st.columns([1, 2])
    k = ui.kept_or(P, "pos_patch", clamped("pos_patch", len(sim) - 1, 5), q1.slider,
                   "Patch (row by row)", min_value=0, max_value=len(sim) - 1)
    q2.image(R.data_uri(R.png_bytes(G.map_grid(sim[[k]], cols=1, cell=160,
                                               colormap="diverging"))), width=220)
    near = sim[k].ravel()
    g = sim.shape[1]
    r, c = divmod(k, g)
    nb = [(r + dr) * g + c + dc for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))
          if 0 <= r + dr < g and 0 <= c + dc < g]
    far = [j for j in range(g * g) if j != k and j not in nb]
    sn, sf = float(np.mean(near[nb])) + 0.0, float(np.mean(near[far])) + 0.0
    q1.caption(f"Similarity with its {len(nb)} neighbours: {sn:.2f} on average; with the other "
               f"{len(far)} patches: {sf:.2f}. " + (
                   "Its neighbours are clearly more alike: the model learned where patches are."
                   if sn > sf + 0.1 else "Its neighbours are not clearly more alike: this small "
                   "model, trained for seconds, learned little about the layout of its grid."))


if clean is None:
    st.stop()
if loaded is None:
    st.info("The attention maps of ViT-B/16 need its weights (see above). Here is what needs no "
            "weights, and the same attention views on a small ViT the app trains on digits.",
            icon=":material/cloud_off:")
    st.subheader("Patches: how a transformer reads a picture")
    patches_and_positions()
    st.subheader("Attention of the app's own small ViT (trained here on digits)")
    own_vit()
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
    view = ui.kept_or(P, "view", "rollout", c1.radio, "Map", ["rollout", "last"], format_func={
        "rollout": "rollout through all layers", "last": "last layer, class token"}.get)
    opacity = ui.kept_or(P, "opacity", 0.6, c2.slider, "Opacity", min_value=0.0, max_value=1.0,
                         step=0.05)
    if view == "rollout":
        discard = ui.kept_or(P, "discard", 0.0, st.slider, "Drop the weakest links per layer",
                             min_value=0.0, max_value=0.9, step=0.1,
                             help="Removes the smallest attention weights before multiplying the "
                                  "layers: a sharper, less noisy map.")
        grid = E.attention_rollout(attns, discard)
    else:
        layer = ui.kept_or(P, "layer", len(attns), st.slider, "Layer", min_value=1,
                           max_value=len(attns))   # a link's layer: 1-12, ViT-B/16's layers
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

with st.expander("Patches, position embeddings and the app's own small ViT on digits"):
    patches_and_positions()
    own_vit()

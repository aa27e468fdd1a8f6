"""What does this channel look for? Feature visualisation: an input image optimised to excite one
channel, on the app's digits CNN (offline) or a pretrained ImageNet CNN."""
import numpy as np
import streamlit as st
import torch

from playground import ui
from playground.cnn import digits as D, figures as G
from playground.vision import cam as CAM, classify as K, featviz as V, figures as VF

ui.page_setup()
P = "fv"  # session-state prefix of this page
BUDGET_S = 20.0         # one visualisation never holds the shared server longer than this
LABELS = {"digits_cnn": "The app's digits CNN (offline, 8×8 digits)",
          "resnet18": "ResNet-18 (pretrained on ImageNet)",
          "mobilenet_v3_large": "MobileNetV3-Large (pretrained on ImageNet)"}

st.title("What does this channel look for?")
st.caption("Start from a grey picture and change its pixels, step by step, so that one channel "
           "of one layer fires as strongly as possible (gradient ascent on the input). Small "
           "random shifts (jitter) and a slight blur keep the picture from turning into noise. "
           "What appears is the pattern that channel detects.")
first_run = f"{P}__url_loaded" not in st.session_state
for w in ui.load_query_once(P, V.from_query):
    st.warning(w)

c1, c2, c3 = st.columns([2, 1.3, 1])
s1, s2, s3, s4, s5 = st.columns([1.2, 1.2, 1, 0.8, 1])
key = ui.kept_or(P, "model", V.PAGE_DEFAULTS["model"], c1.selectbox, "Model", list(V.PAGE_MODELS),
                 format_func=LABELS.get)
if key == "digits_cnn":
    own = ui.own_digits_cnn()
    net, acc = own.model, own.test_acc
    chain, ident, size, channels = CAM.chain_for(net, "small_cnn"), ("digits_cnn", acc), net.size, 1
    st.caption(f"The small CNN of “Train a CNN”, trained on the bundled 8×8 digits (seed 0, "
               f"{acc:.1%} test accuracy). It works without internet.")
    s5.caption(f"Input: {size}×{size} grey pixels, like the digits it learned.")
else:
    loaded = ui.vision_model(key)
    if loaded is None:
        st.info("The app's digits CNN works without internet: choose it under Model.")
        st.stop()
    chain, ident, channels = CAM.chain_of(K.Classifier(loaded)), (loaded.ident,), 3
    size = ui.kept_or(P, "size", V.PAGE_DEFAULTS["size"], s5.select_slider, "Image size (pixels)",
                      options=list(V.SIZES))
shapes = ui.memo("fv_shapes", ident + (size,),
                 lambda: CAM.layer_shapes(chain, torch.zeros(1, channels, size, size)))
layers = [n for n in chain.layers if len(shapes[n]) == 3]
if ui.stored(P).get("layer") not in layers:
    if first_run and ui.stored(P).get("layer"):
        st.warning(f"Ignored layer={ui.stored(P)['layer']!r} from the link (this model's layers: "
                   f"{', '.join(layers)}).")
    ui.remember(P, "layer", layers[len(layers) // 2])
layer = ui.kept_or(P, "layer", layers[len(layers) // 2], c2.selectbox, "Layer", layers,
                   format_func=lambda n: f"{n} · {shapes[n][0]} channels")
n_ch = shapes[layer][0]
if int(ui.stored(P).get("channel", 0)) >= n_ch:
    if first_run:
        st.warning(f"Ignored channel={ui.stored(P)['channel']} from the link ({layer} has "
                   f"{n_ch} channels, 0–{n_ch - 1}).")
    ui.remember(P, "channel", 0)
channel = ui.kept_or(P, "channel", 0, c3.number_input, f"Channel (0–{n_ch - 1})", min_value=0,
                     max_value=n_ch - 1, step=1)

steps = ui.kept_or(P, "steps", V.PAGE_DEFAULTS["steps"], s1.select_slider, "Steps",
                   options=list(V.STEPS))
jitter = ui.kept_or(P, "jitter", V.PAGE_DEFAULTS["jitter"], s2.slider, "Jitter (pixels)", 0, 8,
                    help="Shift the image by up to this many pixels before every step.")
blur = ui.kept_or(P, "blur", True, s3.toggle, "Blur every 4 steps",
                  help="A slight Gaussian blur removes the high-frequency noise that would "
                       "otherwise excite the channel just as well.")
seed = ui.kept_or(P, "seed", 0, s4.number_input, "Seed", min_value=0, max_value=9999, step=1)
ui.write_query(V.to_query(ui.stored(P)))
with st.sidebar:
    ui.lesson_link(P, "feature_viz")
ui.lesson_gate("feature_viz")


def run():
    bar = st.progress(0.0, text="Optimising the image…")
    fv = V.visualize(chain, layer, int(channel), size=size, channels=channels, steps=steps,
                     jitter=jitter, blur_every=4 if blur else 0, seed=int(seed), budget_s=BUDGET_S,
                     progress=lambda i, n, a: bar.progress(i / n, text=f"Step {i} of {n}: "
                                                                       f"activation {a:.3g}"))
    bar.empty()
    return fv


fv = ui.memo("featviz", ident + (size, layer, int(channel), steps, jitter, blur, int(seed)), run)
left, right = st.columns([1, 1.6], gap="large")
with left:
    img = V.to_uint8(fv.image)
    st.image(G.enlarge(img, 256), width=256,
             caption=f"What excites channel {channel} of {layer} (contrast stretched)")
with right:
    m1, m2 = st.columns(2)
    m1.metric("Mean activation, grey start", f"{fv.start_activation:.3g}")
    m2.metric("After optimising", f"{fv.activation:.3g}",
              delta=f"{fv.activation - fv.start_activation:+.3g}")
    ui.plotly(st, VF.climb_chart(fv.history, fv.start_activation), key=f"{P}_climb")
    st.write(V.describe(fv, layer, int(channel)))
    st.caption(f"{fv.steps} steps in {fv.seconds:.1f} s on this server.")

if key == "digits_cnn":
    st.subheader("Real digits that excite it most")
    data = D.load_digits8(seed=0)
    top = ui.memo("fv_top", ident + (layer, int(channel)),
                  lambda: V.strongest_inputs(chain, data.x_test, layer, int(channel)))
    cols = st.columns(len(top))
    for col, (i, a) in zip(cols, top):
        col.image(G.enlarge(V.to_uint8(data.x_test[i].permute(1, 2, 0).numpy(), stretch=False), 96),
                  caption=f"a “{int(data.y_test[i])}”: {a:.3g}")
    if st.toggle("Every channel of this layer at once", key=f"{P}_all"):
        def every():
            bar = st.progress(0.0, text="Optimising one image per channel…")
            out = []
            for c in range(n_ch):
                out.append(V.visualize(chain, layer, c, size=size, channels=1, steps=steps,
                                       jitter=jitter, blur_every=4 if blur else 0, seed=int(seed),
                                       budget_s=BUDGET_S / n_ch).image[..., 0])
                bar.progress((c + 1) / n_ch)
            bar.empty()
            return np.stack(out)
        grid = ui.memo("fv_all", ident + (layer, steps, jitter, blur, int(seed)), every)
        st.image(G.map_grid(grid, cols=8, cell=80, colormap="gray"),
                 caption=f"Channels 0–{n_ch - 1} of {layer}, left to right, top to bottom "
                         "(each stretched to its own contrast)")

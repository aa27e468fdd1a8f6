"""Convolution lab: a kernel slides over your picture; see every multiply-accumulate."""
import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.cnn import figures as G, kernels as K

ui.page_setup()
P = "cv"  # session-state prefix of this page
LAB_SIDE = 256          # the lab works on the picture scaled to this longer side
STEP_SECONDS = 0.8      # one sliding-window position per frame while playing
state = st.session_state

st.title("Convolution lab")
st.caption("A convolution slides a small grid of numbers, the kernel, over the picture; at every "
           "position it multiplies the pixels under the kernel by the kernel's numbers and adds "
           "them up. That single number is one output pixel. CNNs learn their kernels.")

left, right = st.columns([1, 1.6], gap="large")
with left:
    clean = ui.image_input(P, default_sample="Astronaut")
with right:
    c1, c2 = st.columns([1.6, 1])
    name = ui.kept_or(P, "preset", "sobel_x", c1.selectbox, "Preset kernel", options=list(K.PRESETS),
                      format_func=K.LABELS.get)
    size = ui.kept_or(P, "ksize", 3, c2.radio, "Kernel size", options=list(K.SIZES),
                      format_func=lambda n: f"{n}×{n}", horizontal=True)
    st.caption(K.PRESETS[name][1] + " Edit any cell below to make your own kernel.")
    cols = [f"column {c + 1}" for c in range(size)]
    grid = st.data_editor(pd.DataFrame(K.preset(name, size).round(4), columns=cols),
                          key=f"cv_kernel_{name}_{size}", hide_index=True, width="stretch",
                          column_config={c: st.column_config.NumberColumn(format="%.4g")
                                         for c in cols})
    kernel, notes = K.clean_kernel(grid.to_numpy(dtype=object, na_value=None), size)
    for n in notes:
        st.warning(n)
    s1, s2, s3 = st.columns(3)
    stride = ui.kept_or(P, "stride", 1, s1.number_input, "Stride", min_value=1, max_value=K.MAX_STRIDE)
    padding = ui.kept_or(P, "padding", 0, s2.number_input, "Padding", min_value=0,
                         max_value=K.MAX_PADDING)
    dilation = ui.kept_or(P, "dilation", 1, s3.number_input, "Dilation", min_value=1,
                          max_value=K.MAX_DILATION)
    o1, o2 = st.columns(2)
    gray = ui.kept_or(P, "gray", "gray", o1.radio, "Channels", options=["gray", "rgb"],
                      format_func={"gray": "Grayscale", "rgb": "Each colour channel"}.get,
                      horizontal=True) == "gray"
    show = ui.kept_or(P, "show", "stretch", o2.radio, "Show the output", options=["stretch", "clip"],
                      format_func={"stretch": "Stretched min → max", "clip": "Clipped to 0–1"}.get,
                      horizontal=True)
    p1, p2, p3 = st.columns(3)     # drawn before any stop: their values survive a missing image
    side = ui.kept_or(P, "patch", 6, p1.slider, "Window demo: patch size", min_value=4, max_value=9)
    cy = ui.kept_or(P, "patch_y", 50, p2.slider, "Patch centre: % from the top", min_value=0,
                    max_value=100)
    cx = ui.kept_or(P, "patch_x", 50, p3.slider, "Patch centre: % from the left", min_value=0,
                    max_value=100)

if clean is None:
    st.stop()

img = clean.image.copy()
img.thumbnail((LAB_SIDE, LAB_SIDE))
x = K.to_array(img, gray)
h, w = x.shape[1:]
problem = K.check_settings((h, w), size, stride, padding, dilation)

st.subheader("Input ∗ kernel = output")
i1, i2, i3 = st.columns([1, 0.8, 1])
i1.image(G.to_uint8(x)[0], caption=f"Input: {w}×{h} ({'grayscale' if gray else 'RGB'})",
         width="stretch")
ui.plotly(i2, G.number_grid(kernel, f"Kernel {size}×{size}", height=240), key="cv_kernel_fig")
if problem:
    i3.error(problem)
else:
    y = K.convolve(x, kernel, stride, padding, dilation)
    shown, how = G.to_uint8(y, show)
    i3.image(shown, width="stretch", caption=f"Output: {y.shape[2]}×{y.shape[1]} ({how})")
st.markdown("**Output size** (per side: n input, k kernel, p padding, s stride, d dilation)")
st.code(f"height: {K.formula(h, size, stride, padding, dilation)}\n"
        f"width:  {K.formula(w, size, stride, padding, dilation)}", language=None)
if problem:
    st.stop()

# ---- the sliding window, step by step on a small patch ------------------------------------
st.subheader("Slide the window: every multiply-accumulate")
gx = x.mean(axis=0)
top = int(np.clip(round(cy / 100 * (h - side)), 0, max(0, h - side)))
lft = int(np.clip(round(cx / 100 * (w - side)), 0, max(0, w - side)))
patch = gx[top:top + side, lft:lft + side]
why = K.check_settings(patch.shape, size, stride, padding, dilation)
if why:
    st.warning(f"The {side}×{side} patch is too small for these settings. {why}")
    st.stop()
walk = K.sliding_window(patch, kernel, stride, padding, dilation)
n_steps = len(walk.steps)
state.setdefault("cv_pos", 0)
state["cv_pos"] = int(np.clip(state["cv_pos"], 0, n_steps - 1))
state.setdefault("cv_playing", False)


def set_playing(on: bool):
    state["cv_playing"] = on


def move(d: int):
    state["cv_playing"] = False
    state["cv_pos"] = (state["cv_pos"] + d) % n_steps


b = st.columns([1, 1, 1, 3])
b[0].button("Pause" if state["cv_playing"] else "Play", key="cv_play", type="primary",
            icon=":material/pause:" if state["cv_playing"] else ":material/play_arrow:",
            on_click=ui.once("cv_click_play", set_playing, not state["cv_playing"]), width="stretch")
b[1].button("Back", key="cv_back", icon=":material/chevron_left:", on_click=ui.once("cv_click_back", move, -1), width="stretch")
b[2].button("Next", key="cv_next", icon=":material/chevron_right:", on_click=ui.once("cv_click_next", move, 1), width="stretch")
b[3].caption(f"The patch: {side}×{side} grey pixels from rows {top}–{top + side - 1}, columns "
             f"{lft}–{lft + side - 1}" + (f", with {padding} ring{'s' if padding > 1 else ''} of "
                                          "zero padding" if padding else "") +
             f". {n_steps} window positions.")


@st.fragment(run_every=STEP_SECONDS if state["cv_playing"] else None)
def window_view():
    if state["cv_playing"]:
        state["cv_pos"] = (state["cv_pos"] + 1) % n_steps
    i = state["cv_pos"]
    step = walk.steps[i]
    out = np.full(walk.out_shape, np.nan)
    for s in walk.steps[:i + 1]:
        out[s.row, s.col] = s.total
    w1, w2, w3 = st.columns([1.25, 0.9, 1])
    ui.plotly(w1, G.number_grid(walk.padded, "Patch (window in red)", diverging_scale=False,
                                boxes=G.window_boxes(step, size, dilation), height=330),
              key="cv_patch_fig")
    ui.plotly(w2, G.number_grid(kernel, "Kernel", height=250), key="cv_kernel_small")
    ui.plotly(w3, G.number_grid(out, f"Output {walk.out_shape[0]}×{walk.out_shape[1]}",
                                boxes=[(step.row, step.col, G.RED)], height=300), key="cv_out_fig")
    st.markdown(f"**Position {i + 1} of {n_steps}** → output row {step.row + 1}, column "
                f"{step.col + 1}: the window's pixels times the kernel, summed:")
    st.code(K.mac_text(step, kernel), language=None, wrap_lines=True)


window_view()

st.markdown("**Then, as in a CNN layer: ReLU and 2×2 max-pooling of the patch's output**")
full = walk.output()
r1, r2, r3 = st.columns(3)
ui.plotly(r1, G.number_grid(full, "Convolution output"), key="cv_full_fig")
ui.plotly(r2, G.number_grid(K.relu(full), "ReLU: negatives → 0"), key="cv_relu_fig")
pooled = K.maxpool2(K.relu(full))
if pooled.size:
    ui.plotly(r3, G.number_grid(pooled, "Max-pool 2×2: the largest of each 2×2 block"),
              key="cv_pool_fig")
else:
    r3.info("The output is smaller than 2×2: nothing to pool.")
st.caption("ReLU keeps what the kernel found (positive responses) and drops the rest; max-pooling "
           "halves the size and keeps the strongest response of each 2×2 block, so a feature "
           "counts even if it moves by a pixel.")

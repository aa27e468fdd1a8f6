"""Train a CNN live on handwritten digits; watch its filters and feature maps; try your own digit."""
import numpy as np
import streamlit as st

from playground import render as R, ui
from playground.budget import thin
from playground.cnn import digits as D, figures as G, train as T
from playground.vision import figures as VF

try:   # a maintained canvas component (optional: without it, draw elsewhere and upload)
    from streamlit_drawable_canvas import st_canvas
except Exception:  # pragma: no cover - not installed
    st_canvas = None

ui.page_setup()
P = "ct"  # session-state prefix of this page
state = st.session_state

st.title("Train a CNN")
st.caption("A small convolutional network learns to read handwritten digits while you watch: "
           "its first-layer filters, the feature maps of every layer, and the mistakes it still "
           "makes. Then draw a digit yourself.")


@st.cache_resource(max_entries=6, show_spinner=False)
def dataset(key: str, seed: int, stamp: str) -> D.DigitData:
    """One read-only copy per server of each data set and split (training never changes it)."""
    return D.load(key, seed)


# ---- settings (sidebar) -----------------------------------------------------------------
sb = st.sidebar
sb.subheader("Data")
src = ui.kept_or(P, "data", "digits8", sb.selectbox, "Data set", options=list(D.SOURCES),
                 format_func=lambda k: D.SOURCES[k].label)
seed = ui.kept_or(P, "seed", 0, sb.number_input, "Seed", min_value=0, max_value=9999, step=1,
                  help="Same seed ⇒ same split, same initial weights, same mini-batches.")
sb.subheader("Network")
c1 = ui.kept_or(P, "c1", 8, sb.select_slider, "Conv 1 channels", options=T.CHANNELS)
c2 = ui.kept_or(P, "c2", 16, sb.select_slider, "Conv 2 channels", options=T.CHANNELS)
k = ui.kept_or(P, "kernel", 3, sb.radio, "Kernel size", options=list(T.KERNELS),
               format_func=lambda n: f"{n}×{n}", horizontal=True)
sb.subheader("Training")
opt = ui.kept_or(P, "opt", "adam", sb.selectbox, "Optimizer", options=list(T.OPTIMIZERS),
                 format_func=T.OPTIMIZERS.get)
lr = ui.kept_or(P, "lr", 0.003, sb.select_slider, "Learning rate", options=T.LEARNING_RATES)
batch = ui.kept_or(P, "batch", 32, sb.select_slider, "Batch size", options=T.BATCHES)

# ---- the data: bundled digits always; MNIST / Fashion-MNIST downloaded once when online ----
spec = D.SOURCES[src]
if src != "digits8" and not D.is_downloaded(src):
    if D.can_download(src):
        bar = st.progress(0.0, text=f"Downloading {spec.label} (once per server)…")
        try:
            D.download(src, lambda done, total, name: bar.progress(
                min(done / total, 1.0), text=f"Downloading {name}: {done / 1e6:.1f} of "
                                             f"{total / 1e6:.1f} MB"))
            bar.empty()
        except Exception as exc:   # network errors of every kind, bad checksum, full disk
            bar.empty()
            st.warning(f"{spec.label} could not be downloaded ({str(exc)[:200]}). Using the bundled "
                       "8×8 digits instead.")
            src = "digits8"
    else:
        st.info(f"**{spec.label.split(',')[0]}** is downloaded once per server from the internet "
                f"({spec.size_mb:.0f} MB), and this server cannot reach it right now. The bundled "
                "8×8 digits work offline and are used instead. A teacher can copy the four "
                f"`*-ubyte` files into `{D.data_root() / spec.cls.__name__ / 'raw'}` (or set "
                f"`{D.DATA_ENV}`) to make it available without internet.", icon=":material/download:")
        src = "digits8"
try:
    data = dataset(src, int(seed), str(D.data_root()))
except D.DataError as exc:
    st.error(str(exc))
    st.stop()

run_key = (src, int(seed), c1, c2, k, opt, batch)


def build_run():
    state["ct_run"] = T.CNNRun(data, c1, c2, k, lr, batch, int(seed), opt)
    state["ct_run_key"] = run_key


if state.get("ct_run_key") != run_key:
    build_run()
run: T.CNNRun = state["ct_run"]
run.set_lr(lr)
run.eval_seconds = 0.5            # while playing: the test set at most twice a second (paused: at once)


def speed() -> int:
    return int(ui.stored(P).get("speed", 50))


ui.transport(P, "ct_run", build_run, [1, 2, 5, 10, 20, 50, 100, 200], 50, "mini-batches")
st.caption(" → ".join(f"{name}: {shape}" for name, shape in T.shapes(data.size, c1, c2)) +
           f" · {sum(p.numel() for p in run.model.parameters()):,} parameters · "
           f"{len(data.y_train):,} training and {len(data.y_test):,} test images ({data.size}×"
           f"{data.size}) · {D.SOURCES[src].license}")


@ui.live_fragment(P, run_key="ct_run", n=speed)   # each frame: its share of the server, then draw
def live_view():
    if run.status == "diverged":
        st.error(run.message)
    st.markdown(f"Step **{run.steps:,}** (epoch {run.epoch:.1f}) · train loss "
                f"**{run.train_loss:.3f}** · test loss **{run.test_loss:.3f}** · test accuracy "
                f"**{run.test_acc:.1%}**")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    left, right = st.columns([1.6, 1])
    ui.plotly(left, G.curves(thin(run.history)), key="ct_curves")
    f = run.filters()
    right.image(R.data_uri(R.png_bytes(G.map_grid(f, cols=4, cell=48, colormap="diverging"))),
                width="stretch", caption=f"Conv 1's {len(f)} filters ({k}×{k}); blue positive, "
                "orange negative weights")


live_view()
chart_view()
n_test = len(data.y_test)
for key in ("ct_example", "ct_try_test"):   # keep the choices within this data set's test set
    state[key] = int(np.clip(state.get(key, 1), 1, n_test))


@ui.live_fragment(P, ui.SLOW_SECONDS)
def inside_view():
    t1, t2 = st.columns([1, 1.2])
    with t1:
        st.markdown("**Confusion matrix (test set)**")
        ui.plotly(st, G.confusion(run.confusion(), data.classes),
                  key="ct_confusion")
    with t2:
        st.markdown("**Most confused: wrong answers it is surest of**")
        worst = run.most_confused(8)
        if not worst:
            st.success("No test image is wrong right now.")
        cols = st.columns(4)
        for j, (i, true, pred, p) in enumerate(worst):
            img = G.enlarge(G.to_uint8(data.x_test[i, 0].numpy())[0], 84)
            cols[j % 4].image(R.data_uri(R.png_bytes(img)), width="stretch",
                              caption=f"#{i + 1}: {data.classes[true]} → "
                                      f"{data.classes[pred]} ({p:.0%})")
    st.markdown(f"**Feature maps of test image #{state['ct_example']} at every layer**")
    show_maps(data.x_test[state["ct_example"] - 1:state["ct_example"]],
              int(data.y_test[state["ct_example"] - 1]), "ct_test")


def show_maps(x, true: int | None, key: str):
    """The prediction and every stage's feature maps for one image (1, 1, H, W)."""
    probs, maps = run.predict(x)
    order = np.argsort(-probs)
    a, b = st.columns([1, 2.4])
    a.image(R.data_uri(R.png_bytes(G.enlarge(G.to_uint8(maps["input"])[0], 140))), width="stretch",
            caption="What the network sees" + (f" (true: {data.classes[true]})" if true is not None
                                               else ""))
    ui.plotly(b, VF.topk_bar(G.probs_rows(probs, data.classes, k=len(probs)),
                             f"Answer: {data.classes[order[0]]}", highlight=true, height=300),
              key=f"{key}_probs")
    cols = st.columns(len(T.STAGES))
    for col, stage in zip(cols, T.STAGES):
        m = maps[stage]
        col.image(R.data_uri(R.png_bytes(G.map_grid(m, cols=4, cell=40))),
                  width="stretch", caption=f"{T.STAGE_LABELS[stage]}: {m.shape[0]}×{m.shape[1]}×"
                                           f"{m.shape[2]}")


st.subheader("Inside the network")
st.number_input("Test image to look at", min_value=1, max_value=n_test, step=1, key="ct_example")
inside_view()
st.caption("Each tile is one channel's feature map (blue low … red high, each tile on its own "
           "scale). Conv 1 finds strokes and edges; after pooling the maps shrink and Conv 2 "
           "combines them into parts of digits.")

# ---- try it yourself ------------------------------------------------------------------------
st.subheader("Your own digit")
modes = {"draw": ":material/draw: Draw", "test": ":material/pin: A test image", "photo": ":material/photo_camera: Photo or upload"}
if st_canvas is None:
    modes.pop("draw")
mode = ui.kept_or(P, "try", next(iter(modes)), st.radio, "Input", options=list(modes),
                  format_func=modes.get, horizontal=True)
x_in, true = None, None
if mode == "draw":
    d1, d2 = st.columns([1, 2])
    with d1:
        st.caption("Draw one digit, big and centred (like the training images); its toolbar (hover "
                   "over the canvas) undoes or clears.")
        drawn = st_canvas(stroke_width=18, stroke_color="#ffffff", background_color="#000000",
                          width=224, height=224, drawing_mode="freedraw", return_image_data=True,
                          key="ct_canvas")
    img = getattr(drawn, "image_data", None) if drawn is not None else None
    if img is not None and np.asarray(img)[..., :3].max() > 0:
        from PIL import Image
        x_in, notes = D.to_input(Image.fromarray(np.asarray(img, dtype=np.uint8)), data.size,
                                 invert=False)
    else:
        d2.info("Draw a digit on the black square.")
elif mode == "test":
    j = st.number_input("Test image", min_value=1, max_value=n_test, step=1, key="ct_try_test")
    x_in, true = data.x_test[j - 1:j], int(data.y_test[j - 1])
else:
    clean = ui.image_input(P, default_sample="Coffee")
    if clean is not None:
        x_in, notes = D.to_input(clean.image, data.size)
        for n in notes:
            st.caption(n)
if x_in is not None:
    show_maps(x_in, true, "ct_try")

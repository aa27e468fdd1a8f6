"""Teach a model yourself: your own classes from the camera or uploads, a classifier trained live
on a pretrained backbone's features, its accuracy and confusion matrix, live predictions, export."""
import streamlit as st
import torch

from playground import ui
from playground.cnn import figures as G
from playground.teach import examples as EX, export as X, learner as L, settings as S
from playground.vision import figures as VF

ui.page_setup()
P = "tm"  # session-state prefix of this page
TRAIN_BUDGET_S = 20.0   # a training run never holds the server longer than this
state = st.session_state

st.title("Teach a model yourself")
st.caption("Make 2 to 5 classes from your camera or a few pictures each, train a classifier on "
           "top of a pretrained network in seconds, check how often it is right, then point the "
           "camera at new things. Like Teachable Machine, in PyTorch.")
for w in ui.load_query_once(P, S.from_query):
    st.warning(w)
st.caption(":material/lock: Your pictures stay in this browser session (kept small, in the "
           "server's memory) and are gone when you close the tab; nothing is saved on the server. "
           "Browsers allow the camera only over HTTPS or on localhost.")

# ---- 1. the backbone and the classes ------------------------------------------------------
c1, c2, c3 = st.columns([2, 1, 2])
feat_key = ui.kept_or(P, "features", S.DEFAULTS["features"], c1.radio, "Features from",
                      list(S.BACKBONES), horizontal=True,
                      format_func={"mobilenet": "MobileNetV3 (pretrained)",
                                   "digits_cnn": "The app's digits CNN (offline)"}.get)
n_classes = ui.kept_or(P, "classes", S.DEFAULTS["classes"], c2.number_input, "Classes",
                       min_value=L.MIN_CLASSES, max_value=L.MAX_CLASSES, step=1)
with c3:
    e1, e2 = st.columns([2, 1], vertical_alignment="bottom")
    ex = e1.selectbox("Or start from an example", list(EX.EXAMPLES), format_func=EX.EXAMPLES.get,
                      key=f"{P}_example")
    e2.button("Load", key=f"{P}_load_example", icon=":material/download:",
              on_click=ui.load_example, args=(P, EX.example, ex))

backbone = ui.teach_backbone(feat_key)
if backbone is None:
    st.warning("Without MobileNetV3's weights the app's own digits CNN is used instead. It works "
               "offline but is much weaker on photos (it only learned 8×8 handwritten digits).",
               icon=":material/wifi_off:")
    backbone = ui.teach_backbone("digits_cnn")
st.caption(backbone.note)

st.subheader("1. Collect examples")
cols = st.columns(min(int(n_classes), 3))
names = [ui.class_card(P, i, f"Class {i + 1}", cols[i % len(cols)]) for i in range(int(n_classes))]
names = L.clean_names(names)
samples = ui.class_samples(P)[:int(n_classes)]
counts = [len(s) for s in samples]

# ---- 2. train -------------------------------------------------------------------------------
st.subheader("2. Train")
ui.lesson_gate("teach")
t1, t2, t3 = st.columns([1, 1, 1], vertical_alignment="bottom")
epochs = ui.kept_or(P, "epochs", S.DEFAULTS["epochs"], t1.select_slider, "Epochs",
                    options=list(L.EPOCHS))
lr = ui.kept_or(P, "lr", S.DEFAULTS["lr"], t2.select_slider, "Learning rate",
                options=list(L.LEARNING_RATES))
ready = all(c >= L.MIN_TO_TRAIN for c in counts)
go = t3.button("Train", key=f"{P}_train", type="primary", icon=":material/model_training:",
               disabled=not ready, width="stretch")
ui.write_query(S.to_query(ui.stored(P)))
with st.sidebar:
    ui.lesson_link(P, "teach")
if not ready:
    st.info(f"Add at least {L.MIN_TO_TRAIN} pictures to every class (now: "
            + ", ".join(f"{n}: {c}" for n, c in zip(names, counts)) + ").")

signature = (backbone.key, tuple(names), tuple(tuple(s.digest for s in box) for box in samples))
if go and ready:
    cache = state.setdefault(f"{P}__feats", {})
    todo = [s for box in samples for s in box if (backbone.key, s.digest) not in cache]
    bar = st.progress(0.0, text="Reading your pictures with the backbone…")
    if todo:
        feats = backbone.embed([s.image for s in todo], progress=lambda d, t: bar.progress(
            d / t, text=f"Features of picture {d} of {t}"))
        cache.update({(backbone.key, s.digest): f for s, f in zip(todo, feats)})
    for k in [k for k in cache if k[0] != backbone.key]:
        del cache[k]                                   # only one backbone's features are kept
    x = torch.stack([cache[(backbone.key, s.digest)] for box in samples for s in box])
    y = [i for i, box in enumerate(samples) for _ in box]
    run = L.TeachRun(x, y, names, seed=0, lr=lr)
    live = st.empty()                                 # the loss as it falls, while it trains
    while run.epochs < epochs and run.status != "diverged" and run.seconds < TRAIN_BUDGET_S:
        run.step(min(5, epochs - run.epochs), max_seconds=0.5)
        bar.progress(run.epochs / epochs, text=f"Training: epoch {run.epochs} of {epochs}")
        ui.plotly(live, G.curves(run.history), key=f"{P}_live_{run.epochs}")
    bar.empty()
    live.empty()
    state[f"{P}__run"] = (run, signature)

hit = state.get(f"{P}__run")
if hit is None:
    st.stop()
run, trained_on = hit
if trained_on != signature:
    st.info("The examples, class names or backbone changed since the last training: press "
            "Train to teach the model again.", icon=":material/refresh:")
    st.stop()
if run.status == "diverged":
    st.error(run.message)
    st.stop()
if run.epochs < epochs:
    st.warning(f"Training stopped after {run.epochs} of {epochs} epochs ({TRAIN_BUDGET_S:.0f} s "
               "limit on this shared server).")

cm, which = run.confusion()
m1, m2, m3 = st.columns(3)
m1.metric("Accuracy on held-out pictures" if which == "held-out" else "Accuracy on training pictures",
          f"{run.test_acc if run.has_test else run.train_acc:.0%}")
m2.metric("Pictures (training + held out)", f"{len(run.train_idx)} + {len(run.test_idx)}")
m3.metric("Training time", f"{run.seconds:.2f} s", help=f"{run.epochs} epochs of the small head "
          "on this server; the backbone is frozen and read each picture once.")
g1, g2 = st.columns([1.4, 1])
curves = G.curves(run.history)
for ax in ("xaxis", "xaxis2"):
    curves["layout"][ax]["title"]["text"] = "epoch"
if not run.has_test:
    curves["data"] = curves["data"][::2]                  # no held-out curves to draw
ui.plotly(g1, curves, key=f"{P}_curves")
ui.plotly(g2, G.confusion(cm, names), key=f"{P}_cm")
g2.caption(f"Rows: the true class; columns: what the model said ({which} pictures).")
for line in L.describe(cm, names, which):
    st.write(line)

# ---- 3. try it ----------------------------------------------------------------------------
st.subheader("3. Try it on new pictures")
left, right = st.columns([1, 1.3], gap="large")
with left:
    clean = ui.image_input(P, default_sample="Coffee")
if clean is not None:
    sample = L.shrink(clean.image)                         # the same path as the examples
    probs = ui.memo("teach_probs", (trained_on, run.seconds, sample.digest),
                    lambda: run.probs(backbone.embed([sample.image]))[0])
    rows = [(i, f"“{names[i]}”", float(probs[i])) for i in range(len(names))]
    rows.sort(key=lambda r: -r[2])
    with right:
        ui.plotly(st, VF.topk_bar(rows, "Class probabilities", height=80 + 40 * len(names)),
                  key=f"{P}_probs")
        st.write(L.verdict(probs, names))
        st.caption("It can only answer with one of your classes, even for something it was never "
                   "shown: the probabilities always add up to 100 %.")
        if not backbone.strong:
            st.caption("With the digits CNN's features, photos of everyday things are hard to "
                       "tell apart; switch to MobileNetV3 when it is available.")

st.download_button("Export the model (PyTorch code + safetensors)",
                   data=X.export_zip(run, backbone), file_name="taught_model.zip",
                   mime="application/zip", key=f"{P}_export", icon=":material/download:")

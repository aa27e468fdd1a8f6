"""Image classifiers on your own photo: what they see, why, and how to fool them (ImageNet
models from torchvision, or the app's own digits CNN, which works offline)."""
import streamlit as st

from playground import ui
from playground.ui import vision_controls as VC, vision_digits as VD
from playground.vision import attacks as A, cam as CAM, classify as K, corrupt as C, explain as E
from playground.vision import figures as VF, models as M, own_digits as V, settings as VS

ui.page_setup()
P = "vc"  # session-state prefix of this page

st.title("Image classification with pretrained models")
for w in ui.load_query_once(P, VS.from_query):
    st.warning(w)
ui.lesson_gate("vision_classify")
st.caption("A trained classifier on your own picture: its top answers, where it looked, and how "
           "little it takes to fool it. ImageNet classifiers from torchvision, or the app's own "
           "digits CNN (trained here, works without internet).")
left, right = st.columns([1, 1.5], gap="large")
with right:
    key = VC.model_choice(P)
    link_box = st.container()    # not in the sidebar: a sidebar with widgets collapses the pages


def finish():
    """The settings into the address bar and the lesson link (after every control is drawn)."""
    VC.save_settings(P)
    with link_box:
        ui.lesson_link(P, "vision_classify")


if key == VS.DIGITS:
    VD.page(P, left, right)
    finish()
    st.stop()
with left:
    clean = ui.image_input(P)
with right:
    spec = M.REGISTRY[key]
    meta = spec.weights.meta
    st.caption(f"{spec.blurb} · {meta['num_params'] / 1e6:.1f} M parameters · "
               f"ImageNet top-1 accuracy {meta['_metrics']['ImageNet-1K']['acc@1']:.1f} % · "
               + ui.model_status(key))
    offer = st.container()           # above the weights message, filled when it is shown
    loaded = ui.vision_model(key)
    if loaded is None:
        offer.info("The app's own digits CNN was trained here and needs no internet: every section "
                "of this page runs on it.", icon=":material/cloud_off:")
        offer.button("Use the app's own digits CNN", key="vc_use_digits", type="primary",
                  icon=":material/swap_horiz:", on_click=ui.remember, args=(P, "model", VS.DIGITS))
    if clean is not None and loaded is None:
        st.image(K.model_view(spec, clean.image), width=224,
                 caption="What the model would see: the 224×224 centre crop")
if clean is None or loaded is None:
    finish()
    st.stop()

clf = K.Classifier(loaded)
crop = K.model_view(spec, clean.image)
x = K.to_tensor(crop)
probs = ui.memo("probs", (loaded.ident, clean.digest), lambda: clf.probs(x)[0])
order = probs.argsort(descending=True).tolist()
top5 = K.ranked(probs, clf.categories)
latency = ui.memo("latency", (loaded.ident,), lambda: K.measure_latency(lambda: clf.probs(x)))

with right:
    cls = st.selectbox("Class to study (explain, attack, track) — the model's top answer by "
                       "default", order, key=f"vc_class_{loaded.ident}_{clean.digest}",
                       format_func=lambda i: f"{clf.categories[i]} — {float(probs[i]):.1%}")
    ui.plotly(st, VF.topk_bar(top5, f"{spec.label}: top-5 of 1000 ImageNet classes",
                              highlight=cls), key="vc_top5")
    m1, m2 = st.columns(2)
    m1.metric("Latency on this server", f"{latency['median_ms']:.0f} ms",
              help=f"Median of {latency['repeats']} forward passes of one image on this server's "
                   f"CPU ({latency['threads']} threads), measured now; the fastest took "
                   f"{latency['best_ms']:.0f} ms. Other users share this CPU.")
    m2.metric("Loaded in", f"{loaded.seconds:.1f} s", help="Reading the weights into memory "
              "(once per server; every session shares the model).")

name = clf.categories[cls]
t_why, t_fool, t_corrupt = VC.tabs(P)

if t_why.open:
    with t_why, ui.section("Why this answer?"):
        methods = E.methods_for(spec.family)
        chain = shapes = None
        if "gradcam" in methods:                      # CNNs: every CAM method, at any layer
            methods = list(CAM.CAM_METHODS) + ["saliency"]
            chain = CAM.chain_of(clf)
            shapes = ui.memo("layer_shapes", (loaded.ident,), lambda: CAM.layer_shapes(chain, x))
        method, opacity, layer = VC.why_controls(P, methods, chain and chain.layers, shapes,
                                                 chain and CAM.default_layer(chain))

        def run_explain():
            if layer is None:
                return E.explain(clf, x, cls, method), {}
            bar = st.progress(0.0, text="Score-CAM: masking the photo with each feature map…") \
                if method == "scorecam" else None
            out = CAM.cam(chain, x, cls, method, layer, **(
                {"budget_s": 8.0, "progress": lambda d, t: bar.progress(d / t)} if bar else {}))
            if bar is not None:
                bar.empty()
            return out
        heat, info = ui.memo("explain", (loaded.ident, clean.digest, cls, method, layer),
                             run_explain)
        label = CAM.CAM_METHODS.get(method) or E.METHODS[method]
        i1, i2, i3 = st.columns(3)
        i1.image(crop, caption="What the model sees (224×224 centre crop)", width="stretch")
        i2.image(E.overlay(crop, heat, opacity), caption=f"{label} for “{name}”" + (f" at {layer}" if layer else ""),
                 width="stretch")
        i3.image(E.colorize(heat), caption="The heatmap alone (red = most important)",
                 width="stretch")
        st.caption(VC.why_caption(method, layer, info))

if t_fool.open:
    with t_fool, ui.section("Adversarial pixels"):
        attack, eps255, steps, target = VC.attack_controls(
            P, "eps", VS.EPS255, "ε: largest change per pixel (of 255)", clf.categories, order[-1])
        targeted = target is not None
        eps = eps255 / 255
        bar = st.progress(0.0, text="Attacking…") if attack == "pgd" else None

        def run_attack():
            if attack == "fgsm":
                return A.fgsm(clf, x, cls, eps, target=target)
            return A.pgd(clf, x, cls, eps, steps=steps, target=target,
                         on_step=lambda i: bar.progress(i / steps, text=f"PGD step {i}/{steps}"))

        res = ui.memo("attack", (loaded.ident, clean.digest, cls, attack, eps255,
                                 steps if attack == "pgd" else 1, target), run_attack)
        if bar is not None:
            bar.empty()
        p_adv = clf.probs(res.x_adv)[0]
        shown = K.ranked(p_adv, clf.categories, include=cls)      # top-5 and where cls went
        i1, i2, i3 = st.columns(3)
        i1.image(crop, caption="Original", width="stretch")
        i2.image(K.to_image(res.x_adv), caption=f"Perturbed (ε = {eps255}/255)", width="stretch")
        i3.image(A.magnify(res.delta, eps), width="stretch",
                 caption=f"The perturbation, magnified ×{0.5 / eps:.0f} (grey = unchanged)")
        m1, m2, m3 = st.columns(3)
        m1.metric(f"P({name})", f"{float(p_adv[cls]):.1%}",
                  delta=f"{float(p_adv[cls] - probs[cls]) * 100:+.1f} points", delta_color="normal")
        m2.metric("Loss of " + ("the target" if targeted else "the true class"),
                  f"{res.loss_after:.2f}", delta=f"{res.loss_after - res.loss_before:+.2f}",
                  delta_color="inverse" if not targeted else "normal")
        m3.metric("Top answer now", shown[0][1], delta="fooled!" if shown[0][0] != cls
                  else "not fooled", delta_color="off")
        b1, b2 = st.columns(2)
        ui.plotly(b1, VF.topk_bar(top5, "Before", highlight=cls), key="vc_adv_before")
        ui.plotly(b2, VF.topk_bar(shown, "After the attack", highlight=cls), key="vc_adv_after")

if t_corrupt.open:
    with t_corrupt, ui.section("Corruptions"):
        kind, j, cor = VC.corruption_controls(P)
        sweep = ui.memo("sweep", (loaded.ident, clean.digest, cls, kind),
                        lambda: C.confidence_sweep(clf, crop, kind, cls))
        level = cor.levels[j]
        g1, g2 = st.columns([1, 2])
        top1 = sweep["top1"][j]
        g1.image(sweep["images"][j], width="stretch",
                 caption=f"{cor.label}, {cor.unit} = {level}: P({name}) = {sweep['probs'][j]:.1%}; "
                         f"top answer “{clf.categories[top1]}”")
        ui.plotly(g2, VF.confidence_curve(sweep["levels"], sweep["probs"], cor.unit, name,
                                          sweep["still_top1"], current=level), key="vc_curve")
        st.caption(V.sweep_sentence(sweep["levels"], sweep["probs"], sweep["still_top1"],
                                    cor.unit, name) + " Green dots: the class is still the "
                   "model's top answer; red: it changed its mind. People still recognise most of "
                   "these pictures easily.")
finish()

"""Pretrained image classifiers on your own photo: what they see, why, and how to fool them."""
import streamlit as st

from playground import ui
from playground.vision import attacks as A, classify as K, corrupt as C, explain as E
from playground.vision import figures as VF, models as M

ui.page_setup()
P = "vc"  # session-state prefix of this page

st.title("Image classification with pretrained models")
st.caption("ImageNet classifiers from torchvision on your own photo: the top-5 answers, where the "
           "model looked, and how little it takes to fool it.")

left, right = st.columns([1, 1.5], gap="large")
with left:
    clean = ui.image_input(P)
with right:
    keys = [s.key for s in M.specs("classify")]
    key = ui.kept(P, "model", st.selectbox, "Model", keys,
                  format_func=ui.model_label)
    spec = M.REGISTRY[key]
    meta = spec.weights.meta
    st.caption(f"{spec.blurb} · {meta['num_params'] / 1e6:.1f} M parameters · "
               f"ImageNet top-1 accuracy {meta['_metrics']['ImageNet-1K']['acc@1']:.1f} % · "
               + ui.model_status(key))
    loaded = ui.vision_model(key)
    if clean is not None and loaded is None:
        st.image(K.model_view(spec, clean.image), width=224,
                 caption="What the model would see: the 224×224 centre crop")
if clean is None or loaded is None:
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
t_why, t_fool, t_corrupt = st.tabs([":material/search: Why this answer?", ":material/bug_report: Fool it: adversarial pixels",
                                    ":material/blur_on: Everyday corruptions"], key="vc_tab", on_change="rerun")

if t_why.open:
    with t_why, ui.section("Why this answer?"):
        methods = E.methods_for(spec.family)
        c1, c2 = st.columns([2, 1])
        method = c1.radio("Explanation", methods, format_func=E.METHODS.get, horizontal=True,
                          key=f"vc_method_{spec.family}")
        opacity = c2.slider("Heatmap opacity", 0.0, 1.0, 0.6, 0.05, key="vc_opacity")
        heat = ui.memo("explain", (loaded.ident, clean.digest, cls, method),
                       lambda: E.explain(clf, x, cls, method))
        i1, i2, i3 = st.columns(3)
        i1.image(crop, caption="What the model sees (224×224 centre crop)", width="stretch")
        i2.image(E.overlay(crop, heat, opacity), caption=f"{E.METHODS[method]} for “{name}”",
                 width="stretch")
        i3.image(E.colorize(heat), caption="The heatmap alone (red = most important)",
                 width="stretch")
        st.caption({
            "gradcam": "Grad-CAM weighs the last convolutional feature maps by how much they "
                       "raise the score of the class: red marks the regions that made the model "
                       "say it.",
            "saliency": "The gradient of the class score with respect to every pixel: bright "
                        "pixels would change the answer most if they changed a little.",
            "rollout": "Attention rollout follows the class token's attention through all 12 "
                       "transformer layers (heads averaged, skip connections included).",
        }[method])

if t_fool.open:
    with t_fool, ui.section("Adversarial pixels"):
        c1, c2, c3 = st.columns([1.2, 1, 1])
        attack = c1.radio("Attack", list(A.ATTACKS), format_func=A.ATTACKS.get, key="vc_attack")
        eps255 = c2.select_slider("ε: largest change per pixel (of 255)",
                                  [0.5, 1, 2, 3, 4, 6, 8, 12, 16], value=2, key="vc_eps")
        steps = c2.slider("PGD steps", 2, 20, 8, key="vc_steps", disabled=attack != "pgd")
        targeted = c3.toggle("Targeted: make it say…", key="vc_targeted")
        target = c3.selectbox("Target class", range(len(clf.categories)), index=order[-1],
                              format_func=clf.categories.__getitem__, key="vc_target",
                              disabled=not targeted)
        eps = eps255 / 255
        bar = st.progress(0.0, text="Attacking…") if attack == "pgd" else None

        def run_attack():
            tgt = target if targeted else None
            if attack == "fgsm":
                return A.fgsm(clf, x, cls, eps, target=tgt)
            return A.pgd(clf, x, cls, eps, steps=steps, target=tgt,
                         on_step=lambda i: bar.progress(i / steps, text=f"PGD step {i}/{steps}"))

        res = ui.memo("attack", (loaded.ident, clean.digest, cls, attack, eps255,
                                 steps if attack == "pgd" else 1, target if targeted else None),
                      run_attack)
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
        c1, c2 = st.columns([1.3, 1])
        kind = c1.radio("Corruption", list(C.CORRUPTIONS), horizontal=True, key="vc_corruption",
                        format_func=lambda k: C.CORRUPTIONS[k].label)
        cor = C.CORRUPTIONS[kind]
        sweep = ui.memo("sweep", (loaded.ident, clean.digest, cls, kind),
                        lambda: C.confidence_sweep(clf, crop, kind, cls))
        level = c2.select_slider(cor.unit, cor.levels, value=cor.levels[len(cor.levels) // 2],
                                 key=f"vc_level_{kind}")
        j = cor.levels.index(level)
        g1, g2 = st.columns([1, 2])
        top1 = sweep["top1"][j]
        g1.image(sweep["images"][j], width="stretch",
                 caption=f"{cor.label}, {cor.unit} = {level}: P({name}) = {sweep['probs'][j]:.1%}; "
                         f"top answer “{clf.categories[top1]}”")
        ui.plotly(g2, VF.confidence_curve(sweep["levels"], sweep["probs"], cor.unit, name,
                                          sweep["still_top1"], current=level), key="vc_curve")
        st.caption("Green dots: the class is still the model's top answer; red: it changed its "
                   "mind. People still recognise most of these pictures easily.")

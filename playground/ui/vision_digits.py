"""Image classification on the app's own digits CNN: every section of the page (input, top
classes, why, adversarial pixels, corruptions) on a trained model that needs no internet.

The CNN is the one ``own_digits_cnn()`` trains once per server (the same as *Inside a CNN* and
*What does a channel look for?*); the explanations, attacks and corruption sweeps are the
page's own (:mod:`playground.vision`), run on :class:`~playground.vision.own_digits.DigitsClassifier`.
"""
from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st
from PIL import Image

from ..cnn import figures as G, own as O
from ..vision import attacks as A, cam as CAM, corrupt as C, explain as E, figures as VF
from ..vision import own_digits as V, settings as VS
from . import vision_controls as VC
from .core import kept_or, plotly, stored
from .guard import section
from .own import own_digits_cnn
from .vision import image_input, vision_model

try:   # a maintained canvas component (optional: without it, draw elsewhere and upload)
    from streamlit_drawable_canvas import st_canvas
except Exception:  # pragma: no cover - not installed or not loadable here
    st_canvas = None

CELL = 168          # an 8×8 digit shown 21× larger


def big(x) -> np.ndarray:
    """(…, 8, 8) in [0, 1] → an enlarged grey uint8 picture."""
    a = x.detach().reshape(-1, *x.shape[-2:])[0].numpy() if hasattr(x, "detach") else np.asarray(x)
    return G.enlarge(G.to_uint8(a)[0], CELL)


def about(net, where=st):
    where.caption(
        f"This is {net.summary}. It knows only the ten digits and reads 8×8 grey pictures, so "
        "everything below runs on one: a test digit, your drawing, or a photo shrunk to 8×8. "
        "ImageNet models (MobileNetV3, ResNet, ConvNeXt, ViT) know 1000 kinds of things but need "
        "their weights from the internet or a classroom bundle (`python -m playground.bundle DIR`).")


def digit_input(prefix: str, net, where=st):
    """The digit to classify: (x (1, 1, 8, 8), true label or None), or None with a message."""
    modes = dict(VS.INPUTS)
    if st_canvas is None:
        modes.pop("draw")
    VC.fit(prefix, "input", list(modes), "test")
    mode = kept_or(prefix, "input", "test", where.radio, "Digit to classify", options=list(modes),
                   format_func=modes.get, horizontal=True)
    d = net.data
    if mode == "test":
        n = len(d.y_test)
        if not 1 <= int(stored(prefix).get("digit", 1)) <= n:
            VC.fit(prefix, "digit", (), n)
        i = int(kept_or(prefix, "digit", 1, where.number_input, f"Test digit number (1–{n})",
                        min_value=1, max_value=n, step=1))
        x, true = d.x_test[i - 1:i], int(d.y_test[i - 1])
        where.image(big(x), width=CELL, caption=f"Test digit #{i} (a {true}), 8×8 pixels, enlarged")
        return x, true
    if mode == "draw":
        where.caption("Draw one digit, big and centred; the canvas toolbar (above it) undoes or "
                      "clears.")
        where.space("small")                                # room for the canvas's toolbar
        drawn = st_canvas(stroke_width=18, stroke_color="#ffffff", background_color="#000000",
                          width=224, height=224, drawing_mode="freedraw", return_image_data=True,
                          key=f"{prefix}_canvas")           # in the caller's column
        img = getattr(drawn, "image_data", None) if drawn is not None else None
        if img is None or np.asarray(img)[..., :3].max() == 0:
            where.info("Draw a digit on the black square.")
            return None
        picture, invert = Image.fromarray(np.asarray(img, dtype=np.uint8)[..., :3]), False
    else:
        clean = image_input(prefix, where)
        if clean is None:
            return None
        picture, invert = clean.image, None
    x, notes, problem = V.from_picture(picture, invert=invert)
    if problem:
        where.warning(problem, icon=":material/hide_image:")
        return None
    where.image(big(x), width=CELL, caption="What the CNN reads: your picture as an 8×8 grey digit")
    where.caption(" ".join(notes) + (" A picture that is not a digit still gets one of the ten "
                                     "answers: the model knows nothing else." if mode == "photo" else ""))
    return x, None


def answer(prefix: str, clf, x, true, where=st):
    """The ten digits' probabilities and the digit to study: (probabilities, digit)."""
    p = clf.probs(x)[0].numpy()
    order = [int(i) for i in np.argsort(-p)]
    where.markdown(V.answer_sentence(order[0], float(p[order[0]]), true))
    digest = hashlib.sha1(x.numpy().tobytes()).hexdigest()[:12]
    cls = where.selectbox("Digit to study (explain, attack, track) — the CNN's answer by default",
                          order, key=f"{prefix}_dclass_{digest}",
                          format_func=lambda i: f"{i} — {p[i]:.1%}")
    plotly(where, VF.topk_bar(G.probs_rows(p, clf.categories, k=10), "All ten digits",
                              highlight=cls, height=330), key=f"{prefix}_digits_bar")
    return p, int(cls)


def why(prefix: str, clf, x, cls: int):
    chain = CAM.chain_for(clf.model, "small_cnn")
    method, opacity, layer = VC.why_controls(prefix, [*CAM.CAM_METHODS, "saliency"], chain.layers,
                                             CAM.layer_shapes(chain, x), "relu2")
    heat, info = CAM.cam(chain, x, cls, method, layer) if layer else \
        (O.saliency(clf.model, x, cls), {})
    base = Image.fromarray(big(x)).convert("RGB")
    name = CAM.CAM_METHODS.get(method) or E.METHODS[method]
    i1, i2, i3 = st.columns(3)
    i1.image(base, caption="What the CNN reads (8×8, enlarged)", width="stretch")
    i2.image(E.overlay(base, heat, opacity), width="stretch",
             caption=f"{name} for “{cls}”" + (f" at {layer}" if layer else ""))
    i3.image(G.enlarge(E.colorize(heat), CELL), width="stretch",
             caption="The heatmap alone (red = most important)")
    st.caption(VC.why_caption(method, layer, info) + " " + V.heat_sentence(heat, cls))


def fool(prefix: str, net, clf, x, p, cls: int):
    attack, eps, steps, target = VC.attack_controls(
        prefix, "deps", V.EPS, "ε: largest change per pixel (pixels go from 0 to 1)",
        clf.categories, int(np.argmin(p)))
    if attack == "fgsm":
        res = A.fgsm(clf, x, cls, eps, target=target)
    else:
        res = A.pgd(clf, x, cls, eps, steps=steps, target=target)
    pa = clf.probs(res.x_adv)[0].numpy()
    new = int(pa.argmax())
    i1, i2, i3 = st.columns(3)
    i1.image(big(x), caption="Original", width="stretch")
    i2.image(big(res.x_adv), caption=f"Perturbed (ε = {eps:g}): the CNN says {new}",
             width="stretch")
    change = res.delta.reshape(-1, *res.delta.shape[-2:])[0].numpy() / eps
    i3.image(G.enlarge(G.diverging(np.clip(change, -1, 1)), CELL), width="stretch",
             caption="The change, magnified: blue = brighter, orange = darker, full colour = ε, "
                     "grey = unchanged")
    m1, m2, m3 = st.columns(3)
    m1.metric(f"P({cls})", f"{pa[cls]:.1%}", delta=f"{(pa[cls] - p[cls]) * 100:+.1f} points",
              delta_color="normal")
    m2.metric("Loss of " + ("the target" if target is not None else "the studied digit"),
              f"{res.loss_after:.2f}", delta=f"{res.loss_after - res.loss_before:+.2f}",
              delta_color="inverse" if target is None else "normal")
    m3.metric("Top answer now", str(new), delta="fooled!" if new != cls else "not fooled",
              delta_color="off")
    st.markdown(V.attack_sentence(cls, new, float(p[cls]), float(pa[cls]), eps, target))
    b1, b2 = st.columns(2)
    plotly(b1, VF.topk_bar(G.probs_rows(p, clf.categories, k=5), "Before", highlight=cls),
           key=f"{prefix}_adv_before")
    plotly(b2, VF.topk_bar(G.probs_rows(pa, clf.categories, k=5), "After the attack",
                           highlight=cls), key=f"{prefix}_adv_after")
    st.caption(V.robustness_sentence(V.robustness(net, eps)))


def corrupt(prefix: str, clf, x, cls: int):
    kind, j, cor = VC.corruption_controls(prefix)
    sweep = C.confidence_sweep(clf, V.picture(x), kind, cls)
    level, top1 = cor.levels[j], sweep["top1"][j]
    g1, g2 = st.columns([1, 2])
    g1.image(big(V.tensor(sweep["images"][j])), width="stretch",
             caption=f"{cor.label}, {cor.unit} = {level:g}: P({cls}) = {sweep['probs'][j]:.1%}; "
                     f"the CNN says {top1}")
    plotly(g2, VF.confidence_curve(sweep["levels"], sweep["probs"], cor.unit, str(cls),
                                   sweep["still_top1"], current=level), key=f"{prefix}_dcurve")
    st.caption(V.sweep_sentence(sweep["levels"], sweep["probs"], sweep["still_top1"], cor.unit,
                                str(cls)) + " Green dots: still the CNN's answer; red: it changed "
               "its mind. The corruptions act on the 8×8 digit the CNN reads.")


def page(prefix: str, left, right):
    """The whole page on the digits CNN (the page stops after it)."""
    net = own_digits_cnn(0, 0)
    clf = V.DigitsClassifier(net)
    with right:
        about(net)
    with left:
        got = digit_input(prefix, net)
    if got is None:
        imagenet_help()
        return
    x, true = got
    with right:
        p, cls = answer(prefix, clf, x, true)
    t_why, t_fool, t_corrupt = VC.tabs(prefix)
    if t_why.open:
        with t_why, section("Why this answer?"):
            why(prefix, clf, x, cls)
    if t_fool.open:
        with t_fool, section("Adversarial pixels"):
            fool(prefix, net, clf, x, p, cls)
    if t_corrupt.open:
        with t_corrupt, section("Corruptions"):
            corrupt(prefix, clf, x, cls)
    imagenet_help()


def imagenet_help():
    """When no ImageNet model can be had here: the weights message (how to provide them)."""
    key = VC.imagenet_keys()[0]
    if VC.imagenet_usable(key):
        return
    with st.container(border=True):
        st.markdown("**ImageNet models on this server**")
        vision_model(key)

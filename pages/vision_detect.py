"""Object detection (boxes) and semantic segmentation (a class per pixel): the app's own digit
detector (trained here, works offline) or torchvision's pretrained COCO / VOC models."""
import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.detect import (explain as E, figures as DF, model as DM, scenes as S,
                               settings as DS, train as DT)
from playground.vision import classify as K, detect as D, figures as VF, models as M

try:   # a maintained canvas component (optional: without it, the generated scenes only)
    from streamlit_drawable_canvas import st_canvas
except Exception:  # pragma: no cover - not installed
    st_canvas = None

ui.page_setup()
P = "vd"  # session-state prefix of this page

st.title("Object detection and segmentation")
for w in ui.load_query_once(P, DS.from_query):
    st.warning(w)
ui.lesson_gate("vision_detect")
st.caption("Two other things networks do with a picture: find and box every object "
           "(detection), or give every pixel a class (semantic segmentation).")


def coco_here() -> bool:
    """The COCO detector's weights are on this server, or can be downloaded now (≤ 2 s)."""
    return M.weights_cached(M.REGISTRY["ssdlite320"]) or M.can_download()


SOURCE_LABELS = {"own": "Digit scenes · the app's own detector (trained here, works offline)",
                 "coco": "Photos · pretrained COCO / VOC models (torchvision weights)"}
source = ui.kept_or(P, "source", ui.stored(P).get("source") or ("coco" if coco_here() else "own"),
                    st.radio, "Models", options=list(SOURCE_LABELS), format_func=SOURCE_LABELS.get,
                    horizontal=True)
left, right = st.columns([1, 1.6], gap="large")


def own_scene():
    """The scene to look at: (image (64, 64), ground truth (boxes, labels) or None, its true
    class per pixel or None, a caption), or None before anything is drawn."""
    modes = {"generated": "A generated scene", "draw": "Draw your own"}
    if st_canvas is None:
        modes.pop("draw")
    mode = st.radio("Scene", list(modes), format_func=modes.get, horizontal=True, key="vd_mode")
    if mode == "draw":
        st.caption("Draw 1-4 digits anywhere on the black square, not touching each other (the "
                   "canvas's toolbar, on hover, undoes or clears). Your drawing is shrunk to "
                   f"{S.SIDE}×{S.SIDE} pixels like the generated scenes.")
        drawn = st_canvas(stroke_width=20, stroke_color="#ffffff", background_color="#000000",
                          width=288, height=288, drawing_mode="freedraw",
                          return_image_data=True, key="vd_canvas")
        img = getattr(drawn, "image_data", None) if drawn is not None else None
        try:
            drawing = None if img is None else S.from_drawing(np.asarray(img))
        except (ValueError, TypeError):
            st.warning("The canvas sent something that is not a picture; clear it and draw again.")
            return None
        if drawing is None or drawing.max() == 0:
            st.info("Draw a digit or two on the black square.")
            return None
        return drawing, None, None, "your drawing (no ground truth: nobody " \
                                                       "told the app where your digits are)"
    c1, c2 = st.columns([1.2, 1], vertical_alignment="bottom")
    seed = ui.kept_or(P, "scene", 0, c1.number_input, "Scene number (its seed)", min_value=0,
                      max_value=9999, step=1)
    another = int(seed + 1 + np.random.default_rng().integers(9999)) % 10000   # never the same
    c2.button("New scene", key="vd_new", icon=":material/casino:", width="stretch",
              on_click=ui.remember, args=(P, "scene", another))
    sc = S.make_scene(int(seed), "test")
    return sc.image, (sc.boxes, sc.labels), sc.mask, (f"scene {seed}: {len(sc.labels)} digit(s) from the "
                                            "held-out half of the digits (the detector never saw "
                                            "them)")


def own_detector_panel():
    seed = int(ui.stored(P).get("own_seed", 0))
    det = ui.own_detector(seed)
    q = det.quality
    st.caption(f"This is {det.summary}.")
    with st.expander("About the app's own detector · retrain", icon=":material/info:"):
        st.markdown(
            f"A small fully-convolutional network ({det.params:,} parameters): six 3×3 "
            f"convolutions shrink the {S.SIDE}×{S.SIDE} scene to a {DM.GRID}×{DM.GRID} grid of "
            f"cells ({DM.STRIDE}×{DM.STRIDE} pixels each). Every cell says how sure it is that a "
            "digit's centre lies near it (objectness), where that digit's box is (centre offset, "
            "width, height) and which digit it is; score = objectness × the digit's probability. "
            "A second head gives every pixel a class (background or a digit): the segmentation "
            f"tab. Trained for {det.steps} mini-batches of {DT.BATCH} freshly generated scenes "
            f"(seed {det.seed}, Adam, {det.seconds:.0f} s on this server).")
        st.dataframe(pd.DataFrame([
            {"measure": "mAP@0.5 (all scores ≥ 5 %)", "value": f"{q.map50:.1%}"},
            {"measure": "recall at score 50 % (digits found)", "value": f"{q.recall:.1%}"},
            {"measure": "precision at score 50 % (boxes right)",
             "value": "no box shown" if q.precision is None else f"{q.precision:.1%}"},
            {"measure": "segmentation: mean IoU of the 10 digits", "value": f"{q.seg_miou:.1%}"},
            {"measure": "segmentation: digit pixels right", "value": f"{q.seg_accuracy:.1%}"}]),
            hide_index=True, key="vd_quality")
        st.caption(f"Measured on {q.n_scenes} held-out scenes ({q.n_digits} digits from the test "
                   "half of the digit data). A box counts as right when it names the right digit "
                   "and overlaps the true box by IoU ≥ 0.5.")
        new = st.number_input("Training seed", 0, 9999, seed, key="vd_own_seed_in",
                              help="Another seed: other initial weights and training scenes. The "
                                   "trained detector is shared with every visitor using that seed.")
        st.button("Train with this seed", key="vd_retrain", icon=":material/model_training:",
                  disabled=int(new) == seed,
                  on_click=lambda: ui.stored(P).update(own_seed=int(st.session_state["vd_own_seed_in"])))
    return det


with right:
    det = own_detector_panel() if source == "own" else None
    t_det, t_seg = st.tabs([":material/center_focus_strong: Object detection",
                            ":material/palette: Semantic segmentation"], key="vd_tab",
                           on_change="rerun")
if source == "own":
    with left:
        scene = own_scene()
        picture = st.empty()      # the open tab's picture, next to its controls
        st.caption("The COCO detectors (SSDlite) and VOC segmenters (LR-ASPP, DeepLabV3) work on "
                   "photos but need their torchvision weights: downloaded once when the server "
                   "has internet, or from a classroom bundle (`python -m playground.bundle DIR` "
                   "where there is internet, then start the app with `PLAYGROUND_BUNDLE=DIR`). "
                   "Choose “Photos” above to see them or how to provide their weights.")
    if scene is not None:
        image, truth, mask, what = scene
        out = DM.predict(det.model, image)
    if t_det.open:
        with t_det:
            c1, c2 = st.columns(2)
            thr = ui.kept_or(P, "own_thr", 0.5, c1.slider, "Score threshold", min_value=0.05,
                             max_value=0.95, step=0.05,
                             help="Show boxes whose score (objectness × digit probability) is "
                                  "at least this.")
            iou_t = ui.kept_or(P, "nms", 0.5, c2.slider, "NMS: IoU threshold", min_value=0.1,
                               max_value=0.9, step=0.05,
                               help="Non-maximum suppression removes a box that overlaps a "
                                    "better-scoring one by at least this IoU.")
            c3, c4 = st.columns(2)
            show_truth = ui.kept_or(P, "truth", True, c3.toggle, "Ground-truth boxes (yellow)",
                                    disabled=truth is None if scene is not None else False)
            show_removed = ui.kept_or(P, "removed", False, c4.toggle,
                                      "Boxes NMS removed (grey)")
            if scene is not None:
                dec = DM.decode(out, thr, iou_t)
                gone = [dec.candidates[g.index] for g in dec.removed]
                picture.image(DF.scene_picture(image, dec.detections,
                                               truth if show_truth and truth is not None else None,
                                               gone if show_removed else ()),
                              width="stretch", caption=f"{len(dec.detections)} detection(s) with score ≥ "
                                            f"{thr:.0%} after NMS · {what}")
                if truth is not None:
                    st.markdown(E.found_sentence(dec, truth))
                st.markdown(E.nms_sentence(dec, thr, iou_t))
                table = E.rows(dec, truth)
                if table:
                    st.dataframe(pd.DataFrame(table), hide_index=True, key="vd_own_table")
                st.markdown(E.threshold_sentence(det.quality, thr))
                ui.plotly(st, DF.threshold_chart(det.quality.curve, thr), key="vd_own_pr")
                st.caption("IoU (intersection over union) = the area two boxes share ÷ the area "
                           "they cover together: 1 for the same box, 0 for boxes that do not "
                           "touch. Neighbouring cells see the same digit and each proposes a box; "
                           "non-maximum suppression keeps the best-scoring box, removes every box "
                           "that overlaps it by at least the IoU threshold, and repeats with the "
                           "best box left. A higher threshold lets more duplicates through; a "
                           "lower one can remove a second digit that stands close to the first.")
    if t_seg.open:
        with t_seg:
            opacity = ui.kept_or(P, "seg_opacity", 0.6, st.slider, "Mask opacity", min_value=0.0,
                                 max_value=1.0, step=0.05)
            if scene is not None:
                cmap = DM.class_map(out)
                picture.image(DF.segmentation_picture(image, cmap, opacity), width="stretch",
                              caption=f"Each pixel coloured by the digit the network gives it "
                                 f"(background left clear) · {what}")
                shares = D.class_shares(cmap, DF.CATEGORIES)
                if mask is not None:
                    ink = mask > 0
                    right_px = int(np.sum((cmap == mask) & ink))
                    st.markdown(f"**{right_px} of {int(ink.sum())} digit pixels** "
                                f"({right_px / max(int(ink.sum()), 1):.0%}) got their true digit; "
                                f"{int(np.sum((cmap > 0) & ~ink))} background pixels were called "
                                "a digit.")
                ui.plotly(st, VF.class_share_bar(shares, DF.PALETTE), key="vd_own_legend")
                st.caption(f"On {det.quality.n_scenes} held-out scenes: {det.quality.seg_accuracy:.0%} "
                           f"of the digit pixels get their true digit; mean IoU of the 10 digit "
                           f"classes {det.quality.seg_miou:.0%}. The same network as the "
                           "detection tab: its second head reads the grid's features together "
                           "with sharper 32×32 ones and gives every pixel one of 11 classes.")
else:
    with left:
        clean = ui.image_input(P, default_sample="Astronaut")
    if t_det.open and clean is not None:
        with t_det:
            keys = [s.key for s in M.specs("detect")]
            key = ui.kept(P, "det_model", st.selectbox, "Detector", keys,
                          format_func=ui.model_label)
            spec = M.REGISTRY[key]
            st.caption(f"{spec.blurb} · COCO box mAP "
                       f"{spec.weights.meta['_metrics']['COCO-val2017']['box_map']} · "
                       + ui.model_status(key))
            loaded = ui.vision_model(key)
            if loaded is None:
                st.button("Use the app's own digit detector (works offline)", key="vd_use_own",
                          type="primary", icon=":material/swap_horiz:",
                          on_click=ui.remember, args=(P, "source", "own"))
            else:
                thr = ui.kept_or(P, "threshold", 0.5, st.slider, "Score threshold: show boxes "
                                 "the model is at least this sure about", min_value=0.05,
                                 max_value=0.95, step=0.05)
                out, ms = ui.memo("detect", (loaded.ident, clean.digest),
                                  lambda: K.timed(lambda: D.run_detector(loaded, clean.image)))
                dets = D.filter_detections(out, spec.categories, thr)
                st.image(D.draw_detections(clean.image, dets), width="stretch",
                         caption=f"{len(dets)} object(s) with score ≥ {thr:.0%} "
                                 f"(of {len(out['scores'])} candidates) · {ms:.0f} ms on this "
                                 "server")
                if dets:
                    st.dataframe(pd.DataFrame(
                        [{"object": d.name, "score": round(d.score, 3),
                          "box (x0, y0, x1, y1)": ", ".join(f"{v:.0f}" for v in d.box)}
                         for d in dets]), hide_index=True, key="vd_table")
                else:
                    st.info("No object above this threshold: lower the slider to see less certain "
                            "guesses.")
    if t_seg.open and clean is not None:
        with t_seg:
            key = ui.kept_or(P, "seg_model", "lraspp", st.selectbox, "Segmentation model",
                             options=list(DS.SEG_MODELS), format_func=ui.model_label)
            spec = M.REGISTRY[key]
            st.caption(f"{spec.blurb} · mIoU "
                       f"{spec.weights.meta['_metrics']['COCO-val2017-VOC-labels']['miou']} % · "
                       + ui.model_status(key))
            loaded = ui.vision_model(key)
            if loaded is not None:
                opacity = ui.kept_or(P, "seg_opacity", 0.6, st.slider, "Mask opacity",
                                     min_value=0.0, max_value=1.0, step=0.05)
                cmap, ms = ui.memo("segment", (loaded.ident, clean.digest), lambda: K.timed(
                    lambda: D.class_map(D.run_segmenter(loaded, clean.image), clean.image.size)))
                palette = D.voc_palette(len(spec.categories))
                shares = D.class_shares(cmap, spec.categories, min_share=0.001)
                st.image(D.mask_overlay(clean.image, cmap, opacity, palette), width="stretch",
                         caption=f"Each pixel coloured by its most likely class (background left "
                                 f"clear) · {ms:.0f} ms on this server")
                ui.plotly(st, VF.class_share_bar(shares, palette), key="vd_legend")
                st.caption("The 20 Pascal VOC object classes (everything else is background): "
                           + ", ".join(D.category_name(spec.categories, i)
                                       for i in range(1, len(spec.categories))) + ".")
ui.write_query(DS.to_query({**DS.DEFAULTS, **ui.stored(P)}))
with st.sidebar:
    ui.lesson_link(P, "vision_detect")

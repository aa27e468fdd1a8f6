"""Pretrained object detection (boxes) and semantic segmentation (a class per pixel)."""
import pandas as pd
import streamlit as st

from playground import ui
from playground.vision import classify as K, detect as D, figures as VF, models as M

ui.page_setup()
P = "vd"  # session-state prefix of this page

st.title("Object detection and segmentation")
st.caption("Two other things pretrained networks do with a photo: find and box every object "
           "(detection), or give every pixel a class (semantic segmentation).")

left, right = st.columns([1, 1.6], gap="large")
with left:
    clean = ui.image_input(P, default_sample="Astronaut")
if clean is None:
    st.stop()


with right:
    t_det, t_seg = st.tabs([":material/center_focus_strong: Object detection", ":material/palette: Semantic segmentation"], key="vd_tab",
                           on_change="rerun")
    if t_det.open:
        with t_det:
            keys = [s.key for s in M.specs("detect")]
            key = ui.kept(P, "det_model", st.selectbox, "Detector", keys,
                          format_func=ui.model_label)
            spec = M.REGISTRY[key]
            st.caption(f"{spec.blurb} · COCO box mAP "
                       f"{spec.weights.meta['_metrics']['COCO-val2017']['box_map']} · "
                       + ui.model_status(key))
            loaded = ui.vision_model(key)
            if loaded is not None:
                thr = ui.kept(P, "threshold", st.slider, "Score threshold: show boxes the model is "
                              "at least this sure about", 0.05, 0.95, 0.5, 0.05)
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
    if t_seg.open:
        with t_seg:
            keys = [s.key for s in M.specs("segment")]
            key = ui.kept(P, "seg_model", st.selectbox, "Segmentation model", keys,
                          format_func=ui.model_label)
            spec = M.REGISTRY[key]
            st.caption(f"{spec.blurb} · mIoU "
                       f"{spec.weights.meta['_metrics']['COCO-val2017-VOC-labels']['miou']} % · "
                       + ui.model_status(key))
            loaded = ui.vision_model(key)
            if loaded is not None:
                opacity = ui.kept(P, "seg_opacity", st.slider, "Mask opacity", 0.0, 1.0, 0.6, 0.05)
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

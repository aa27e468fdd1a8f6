"""Pictures of digit scenes: the 64×64 scene enlarged, predicted boxes with labels and scores,
ground-truth boxes, the boxes NMS removed, and the segmentation overlay."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..vision import detect as VD
from .model import Candidate

SCALE = 6             # a 64×64 scene is drawn at 384×384 pixels
TRUTH = "#ffe119"
REMOVED = "#9e9e9e"
# background black, digit d in the colour of its boxes (the detection tab): the same colour in both
PALETTE = np.array([(0, 0, 0)] + [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))
                                  for c in VD.BOX_COLORS[:10]], np.uint8)


def enlarge(image: np.ndarray, scale: int = SCALE) -> Image.Image:
    a = np.round(np.clip(np.asarray(image, np.float32), 0, 1) * 255).astype(np.uint8)
    img = Image.fromarray(a, mode="L").convert("RGB")
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)


def _scaled(box, scale):
    return tuple(float(v) * scale for v in box)


def scene_picture(image: np.ndarray, detections: list[Candidate], truth=None,
                  removed: list[Candidate] = (), scale: int = SCALE) -> Image.Image:
    """The scene with ground truth (yellow, thin, "true 7"), the boxes NMS removed (grey, thin)
    and the detections (coloured, labelled "7 93%")."""
    img = enlarge(image, scale)
    d = ImageDraw.Draw(img)
    for c in removed:
        d.rectangle(_scaled(c.box, scale), outline=REMOVED, width=1)
    if truth is not None:
        font = VD._font(16)
        for box, label in zip(*truth):
            x0, y0, x1, y1 = _scaled(box, scale)
            d.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=TRUTH, width=1)
            at = (x0, y1 + 3 if y1 + 21 < img.height else y1 - 19)   # inside at the bottom edge
            tb = d.textbbox(at, f"true {label}", font=font)
            d.rectangle((tb[0] - 2, tb[1] - 1, tb[2] + 2, tb[3] + 1), fill="black")
            d.text(at, f"true {label}", fill=TRUTH, font=font)
    dets = [VD.Detection(_scaled(c.box, scale), c.label, str(c.label), c.score)
            for c in detections]
    return VD.draw_detections(img, dets, width=3, font_size=18)


def segmentation_picture(image: np.ndarray, cmap: np.ndarray, opacity: float,
                         scale: int = SCALE) -> Image.Image:
    big = np.kron(np.asarray(cmap), np.ones((scale, scale), np.int64))
    return VD.mask_overlay(enlarge(image, scale), big, opacity, PALETTE)


def class_name(c: int) -> str:
    return "background" if c == 0 else f"digit {c - 1}"


CATEGORIES = [class_name(c) for c in range(11)]


def threshold_chart(curve, threshold: float, height: int = 260) -> dict:
    """Precision and recall on the held-out scenes against the score threshold, with the
    slider's value as a dashed line."""
    t = [p[0] for p in curve]
    line = lambda y, name, color: {"type": "scatter", "mode": "lines+markers", "x": t, "y": y,  # noqa: E731
                                   "name": name, "line": {"color": color, "width": 2},
                                   "marker": {"size": 5},
                                   "hovertemplate": f"score ≥ %{{x:.0%}}: {name} %{{y:.1%}}<extra></extra>"}
    return {"data": [line([p[1] for p in curve], "precision (boxes right)", "#0877bd"),
                     line([p[2] for p in curve], "recall (digits found)", "#f59322")],
            "layout": {"margin": {"l": 10, "r": 20, "t": 40, "b": 40}, "template": "plotly_white",
                       "font": {"size": 13}, "height": height,
                       "title": {"text": "On the held-out scenes: the score threshold's trade-off"},
                       "xaxis": {"title": {"text": "score threshold"}, "tickformat": ".0%",
                                 "range": [0, 1]},
                       "yaxis": {"tickformat": ".0%", "range": [0, 1.05], "automargin": True},
                       "legend": {"orientation": "h", "y": -0.3},
                       "shapes": [{"type": "line", "x0": threshold, "x1": threshold, "y0": 0,
                                   "y1": 1, "yref": "paper", "line": {"dash": "dash",
                                                                      "color": "#555"}}]}}

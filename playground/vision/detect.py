"""Object detection (boxes + labels + scores) and semantic segmentation (a class per pixel):
running the models and the post-processing that turns their tensors into pictures and lists."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

from .classify import to_tensor
from .models import Loaded

BOX_COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
              "#bfef45", "#fabed4", "#469990", "#dcbeff", "#9a6324", "#800000", "#000075"]


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]   # x0, y0, x1, y1 in image pixels
    label: int
    name: str
    score: float


def category_name(categories: list[str], label: int) -> str:
    if 0 <= label < len(categories):
        name = categories[label]
        if name == "__background__":
            return "background"
        if name != "N/A":
            return name
    return f"class {label}"


# ---- detection -----------------------------------------------------------------------------
def run_detector(loaded: Loaded, img: Image.Image) -> dict:
    """Raw model output for one image: boxes (N, 4), labels (N,), scores (N,), best first."""
    x = to_tensor(img)[0]
    with torch.inference_mode():
        out = loaded.model([x])[0]
    return {k: v.detach().clone() for k, v in out.items()}


def filter_detections(out: dict, categories: list[str], threshold: float,
                      max_n: int = 100) -> list[Detection]:
    """Detections with score ≥ ``threshold``, best first, at most ``max_n``."""
    boxes = torch.as_tensor(out["boxes"], dtype=torch.float32).reshape(-1, 4)
    labels = torch.as_tensor(out["labels"]).reshape(-1).long()
    scores = torch.as_tensor(out["scores"], dtype=torch.float32).reshape(-1)
    keep = torch.nonzero(scores >= threshold).flatten()
    keep = keep[scores[keep].argsort(descending=True)][:max_n]
    return [Detection(tuple(float(v) for v in boxes[i]), int(labels[i]),
                      category_name(categories, int(labels[i])), float(scores[i])) for i in keep]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:     # Pillow < 10.1
        return ImageFont.load_default()


def draw_detections(img: Image.Image, dets: list[Detection], width: int | None = None,
                    font_size: int | None = None) -> Image.Image:
    """The image with one coloured, labelled rectangle per detection."""
    out = img.convert("RGB").copy()
    d = ImageDraw.Draw(out)
    lw = width or max(2, round(max(out.size) / 250))
    font = _font(font_size or max(12, round(max(out.size) / 45)))
    for det in reversed(dets):                      # best drawn last, on top
        color = BOX_COLORS[det.label % len(BOX_COLORS)]
        x0, y0, x1, y1 = det.box
        d.rectangle((x0, y0, x1, y1), outline=color, width=lw)
        text = f"{det.name} {det.score:.0%}"
        tb = d.textbbox((x0, y0), text, font=font)
        th, tw = tb[3] - tb[1], tb[2] - tb[0]
        ty = y0 - th - 4 if y0 - th - 4 >= 0 else y0
        d.rectangle((x0, ty, x0 + tw + 6, ty + th + 4), fill=color)
        d.text((x0 + 3, ty + 2 - (tb[1] - y0)), text, fill="white", font=font)
    return out


# ---- segmentation --------------------------------------------------------------------------
def voc_palette(n: int = 256) -> np.ndarray:
    """The Pascal VOC colour map: (n, 3) uint8, class 0 (background) black."""
    pal = np.zeros((n, 3), dtype=np.uint8)
    for i in range(n):
        c, r, g, b = i, 0, 0, 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal[i] = (r, g, b)
    return pal


def segmentation_input(loaded: Loaded, img: Image.Image) -> torch.Tensor:
    """Resize the shorter side to the weights' resize size and normalise: (1, 3, h, w)."""
    t = loaded.spec.transforms
    short = int(t.resize_size[0]) if t.resize_size else min(img.size)
    w, h = img.size
    s = short / min(w, h)
    small = img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.BILINEAR)
    x = to_tensor(small)
    mean = torch.tensor(t.mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(t.std, dtype=torch.float32).view(1, 3, 1, 1)
    return (x - mean) / std


def run_segmenter(loaded: Loaded, img: Image.Image) -> torch.Tensor:
    """Per-class scores (1, C, h, w) at the model's working resolution."""
    with torch.inference_mode():
        return loaded.model(segmentation_input(loaded, img))["out"].detach().clone()


def class_map(logits: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """Scores (1, C, h, w) or (C, h, w) → class index per pixel (H, W) for ``size`` = (W, H)."""
    s = torch.as_tensor(logits, dtype=torch.float32)
    s = s[None] if s.dim() == 3 else s
    w, h = size
    if s.shape[-2:] != (h, w):
        s = F.interpolate(s, size=(h, w), mode="bilinear", align_corners=False)
    return s.argmax(dim=1)[0].numpy().astype(np.int64)


def class_shares(cmap: np.ndarray, categories: list[str], min_share: float = 0.0) \
        -> list[tuple[int, str, float]]:
    """(class, name, fraction of pixels) for every class present, largest first."""
    counts = np.bincount(np.asarray(cmap).ravel(), minlength=len(categories))
    total = max(int(counts.sum()), 1)
    rows = [(int(i), category_name(categories, int(i)), c / total)
            for i, c in enumerate(counts) if c and c / total >= min_share]
    return sorted(rows, key=lambda r: -r[2])


def mask_overlay(img: Image.Image, cmap: np.ndarray, opacity: float = 0.55,
                 palette: np.ndarray | None = None, background: int = 0) -> Image.Image:
    """Classes painted over the image in their palette colours; background left untouched."""
    base = np.asarray(img.convert("RGB"), dtype=np.float32)
    cmap = np.asarray(cmap)
    if cmap.shape != base.shape[:2]:
        raise ValueError(f"class map {cmap.shape} does not match image {base.shape[:2]}")
    pal = (palette if palette is not None else voc_palette()).astype(np.float32)
    colors = pal[np.clip(cmap, 0, len(pal) - 1)]
    a = np.where(cmap == background, 0.0, opacity)[..., None]
    return Image.fromarray(np.round(base * (1 - a) + colors * a).astype(np.uint8))


def hex_color(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*[int(v) for v in rgb])

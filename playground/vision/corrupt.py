"""Everyday corruptions of a photo (noise, blur, rotation, brightness, JPEG), each with a
ladder of levels from harmless to severe, to plot how a model's confidence decays."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter


def noise(img: Image.Image, sigma: float, seed: int = 0) -> Image.Image:
    """Gaussian noise with standard deviation ``sigma`` on the 0–255 scale (seeded)."""
    if sigma <= 0:
        return img.copy()
    a = np.asarray(img.convert("RGB"), dtype=np.float32)
    a = a + np.random.default_rng(seed).normal(0.0, sigma, a.shape).astype(np.float32)
    return Image.fromarray(np.clip(np.round(a), 0, 255).astype(np.uint8))


def blur(img: Image.Image, radius: float) -> Image.Image:
    """Gaussian blur with ``radius`` pixels."""
    return img.copy() if radius <= 0 else img.filter(ImageFilter.GaussianBlur(radius))


def rotate(img: Image.Image, degrees: float) -> Image.Image:
    """Rotate counter-clockwise about the centre, same size, corners filled with black."""
    if degrees % 360 == 0:
        return img.copy()
    return img.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=False,
                      fillcolor=(0, 0, 0))


def brightness(img: Image.Image, factor: float) -> Image.Image:
    """Multiply brightness by ``factor`` (1 = unchanged, 0 = black, >1 brighter, clipped)."""
    return img.copy() if factor == 1 else ImageEnhance.Brightness(img).enhance(max(factor, 0.0))


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    """Save as JPEG with ``quality`` (1–100) and decode again: blocky compression artefacts."""
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=int(np.clip(quality, 1, 100)))
    buf.seek(0)
    with Image.open(buf) as out:
        return out.convert("RGB")


@dataclass(frozen=True)
class Corruption:
    label: str
    unit: str
    levels: tuple            # from harmless (first) to severe (last)
    fn: Callable[[Image.Image, float], Image.Image]


CORRUPTIONS = {
    "noise": Corruption("Gaussian noise", "noise σ (0–255)", (0, 8, 16, 24, 32, 48, 64, 96, 128),
                        noise),
    "blur": Corruption("Blur", "blur radius (pixels)", (0, 0.5, 1, 1.5, 2, 3, 4, 6, 8), blur),
    "rotate": Corruption("Rotation", "rotation (degrees)", (0, 10, 20, 30, 45, 60, 90, 135, 180),
                         rotate),
    "brightness": Corruption("Darker", "brightness factor", (1.0, 0.8, 0.6, 0.45, 0.3, 0.2, 0.12,
                                                              0.06, 0.02), brightness),
    "brighter": Corruption("Brighter", "brightness factor", (1.0, 1.3, 1.6, 2.0, 2.5, 3.0, 4.0,
                                                              5.0, 7.0), brightness),
    "jpeg": Corruption("JPEG compression", "JPEG quality", (95, 70, 50, 35, 25, 15, 10, 5, 1),
                       jpeg),
}


def apply(img: Image.Image, kind: str, level: float) -> Image.Image:
    return CORRUPTIONS[kind].fn(img.convert("RGB"), level)


def ladder(img: Image.Image, kind: str) -> list[tuple[float, Image.Image]]:
    """The image at every level of one corruption, harmless first."""
    return [(lv, apply(img, kind, lv)) for lv in CORRUPTIONS[kind].levels]


def confidence_sweep(clf, img: Image.Image, kind: str, class_idx: int) -> dict:
    """Run the classifier ``clf`` (a :class:`~playground.vision.models.Classifier`) on every
    level of one corruption of ``img`` (already at the model's input size) in one batch.

    Returns levels, the probability of ``class_idx`` at each, whether it is still the top-1
    class, the top-1 class per level and the corrupted images."""
    from .classify import to_tensor

    steps = ladder(img, kind)
    p = clf.probs(to_tensor([im for _, im in steps]))
    top1 = p.argmax(dim=1)
    return {"levels": [lv for lv, _ in steps], "probs": p[:, class_idx].tolist(),
            "still_top1": (top1 == class_idx).tolist(), "top1": top1.tolist(),
            "images": [im for _, im in steps]}

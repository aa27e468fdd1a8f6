"""Seeded example classes, so the page can be tried without a camera.

- digits: handwritten 0 / 1 / 7 from scikit-learn's bundled digits, drawn dark on white and
  enlarged to 64×64 like a photo of a note (from the test split of the digits CNN's data, so
  the backbone never saw these pictures);
- photos: random crops, flips and brightness changes of three bundled sample photos.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from .. import images as I
from ..cnn import digits as D

EXAMPLES = {"digits": "Handwritten 0, 1 and 7 (bundled digits)",
            "photos": "Cat, coffee and rocket (crops of the sample photos)"}


def digit_examples(per_class: int = 12, seed: int = 0, which=(0, 1, 7)) -> list[tuple[str, list]]:
    d = D.load_digits8(seed=0)
    rng = np.random.default_rng(seed)
    out = []
    for digit in which:
        idx = np.flatnonzero(d.y_test.numpy() == digit)
        pick = rng.permutation(idx)[:per_class]
        pics = []
        for i in pick:
            a = 255 - np.round(d.x_test[i, 0].numpy() * 255).astype(np.uint8)   # dark ink on white
            im = Image.fromarray(a).resize((48, 48), Image.Resampling.BILINEAR)
            pics.append(ImageOps.expand(im, border=8, fill=255).convert("RGB"))
        out.append((str(digit), pics))
    return out


def photo_examples(per_class: int = 8, seed: int = 0,
                   which=("Cat", "Coffee", "Rocket")) -> list[tuple[str, list]]:
    rng = np.random.default_rng(seed)
    out = []
    for name in which:
        img = I.load_sample(name, max_side=320).image
        w, h = img.size
        pics = []
        for _ in range(per_class):
            f = rng.uniform(0.55, 0.9)
            cw, ch = int(w * f), int(h * f)
            x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            im = img.crop((x0, y0, x0 + cw, y0 + ch))
            if rng.random() < 0.5:
                im = ImageOps.mirror(im)
            pics.append(ImageEnhance.Brightness(im).enhance(float(rng.uniform(0.7, 1.3))))
        out.append((name.lower(), pics))
    return out


def example(key: str, seed: int = 0) -> list[tuple[str, list]]:
    return digit_examples(seed=seed) if key == "digits" else photo_examples(seed=seed)

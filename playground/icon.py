"""The app's browser-tab icon, drawn here so it needs no font and no internet (a Material icon as
page icon is fetched from fonts.gstatic.com, which a classroom without internet cannot reach)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

BLUE, ORANGE = (8, 119, 189), (245, 147, 34)


def favicon():
    """The icon as a PIL image (what ``st.set_page_config(page_icon=...)`` takes)."""
    from PIL import Image
    return Image.fromarray(favicon_pixels())


@lru_cache(maxsize=1)
def favicon_pixels(size: int = 64) -> np.ndarray:
    """A tiny network, 2 inputs → 3 hidden → 1 output, as an RGBA image (size × size × 4)."""
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    img = np.zeros((size, size, 4), dtype=np.uint8)
    nodes = [(0.15, 0.3), (0.15, 0.7), (0.5, 0.15), (0.5, 0.5), (0.5, 0.85), (0.85, 0.5)]
    links = [(a, b) for a in (0, 1) for b in (2, 3, 4)] + [(b, 5) for b in (2, 3, 4)]
    for a, b in links:
        (x0, y0), (x1, y1) = nodes[a], nodes[b]
        t = np.clip(((xx - x0) * (x1 - x0) + (yy - y0) * (y1 - y0)) / ((x1 - x0) ** 2 + (y1 - y0) ** 2), 0, 1)
        near = np.hypot(xx - (x0 + t * (x1 - x0)), yy - (y0 + t * (y1 - y0))) < 0.025
        img[near] = (*BLUE, 255)
    for i, (x, y) in enumerate(nodes):
        disc = np.hypot(xx - x, yy - y) < 0.11
        img[disc] = (*(ORANGE if i == 5 else BLUE), 255)
    return img

"""Fast raster pictures of a run: decision-boundary heatmaps with data points, neuron thumbnails.

Everything is NumPy on small uint8 arrays so one animation frame costs a few milliseconds.
Colours follow TF Playground: orange for -1, light grey for 0, blue for +1.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from .datasets import VIEW

ORANGE, MID, BLUE = np.array([245, 147, 34]), np.array([232, 234, 235]), np.array([8, 119, 189])
CLASS_COLORS = np.array([[245, 147, 34], [8, 119, 189], [46, 160, 67], [214, 39, 40],
                         [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127],
                         [188, 189, 34], [23, 190, 207]])


def _lut(n=256) -> np.ndarray:
    t = np.linspace(-1, 1, n)[:, None]
    return np.where(t < 0, MID + (ORANGE - MID) * -t, MID + (BLUE - MID) * t).astype(np.uint8)


LUT = _lut()


def grid(n: int = 100, view: float = VIEW) -> np.ndarray:
    """n*n points covering [-view, view]^2; row 0 is the top (x2 = +view)."""
    xs = np.linspace(-view, view, n)
    gx, gy = np.meshgrid(xs, xs[::-1])
    return np.column_stack([gx.ravel(), gy.ravel()])


def colorize(values: np.ndarray, discretize: bool = False) -> np.ndarray:
    """Values in [-1, 1] (clipped) -> RGB uint8 image of the same 2-D shape."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    if discretize:
        v = np.sign(v)
    idx = ((np.clip(v, -1, 1) + 1) * 127.5).astype(np.intp)
    return LUT[idx]


def colorize_classes(probs: np.ndarray, discretize: bool = False) -> np.ndarray:
    """(h, w, K) class probabilities -> RGB, each class's colour faded by its uncertainty."""
    k = probs.shape[-1]
    if discretize:
        probs = np.eye(k)[probs.argmax(-1)]
    probs = np.nan_to_num(probs, nan=1.0 / k)
    colors = probs @ CLASS_COLORS[:k]
    conf = (probs.max(-1, keepdims=True) - 1.0 / k) / (1 - 1.0 / k)
    return (MID + (colors - MID) * (0.25 + 0.75 * conf)).astype(np.uint8)


def upscale(img: np.ndarray, size: int) -> np.ndarray:
    reps = max(1, int(np.ceil(size / img.shape[0])))
    return np.repeat(np.repeat(img, reps, axis=0), reps, axis=1)[:size, :size]


def _disk(r: int):
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    keep = xx * xx + yy * yy <= r * r + r
    return yy[keep], xx[keep]


_DISKS = {r: _disk(r) for r in (2, 3, 4, 5)}


def draw_points(img: np.ndarray, points: np.ndarray, colors: np.ndarray, stroke, r: int = 3,
                view: float = VIEW) -> np.ndarray:
    """Dots with an outline (white for training, black for test points, as TF Playground)."""
    h, w = img.shape[:2]
    px = np.round((points[:, 0] + view) / (2 * view) * (w - 1)).astype(int)
    py = np.round((view - points[:, 1]) / (2 * view) * (h - 1)).astype(int)
    for rad, col in ((r + 1, None), (r, colors)):
        dy, dx = _DISKS[rad]
        yy, xx = (py[:, None] + dy[None]).ravel(), (px[:, None] + dx[None]).ravel()
        ok = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        if col is None:
            img[yy[ok], xx[ok]] = stroke
        else:
            img[yy[ok], xx[ok]] = np.repeat(col, len(dy), axis=0)[ok]
    return img


def point_colors(kind: str, y: np.ndarray) -> np.ndarray:
    if kind == "multiclass":
        return CLASS_COLORS[y.astype(int) % len(CLASS_COLORS)].astype(np.uint8)
    return colorize(y)


def output_image(scores: np.ndarray, n: int, kind: str, size: int, discretize: bool) -> np.ndarray:
    """The output heatmap from grid scores ((n*n,) or (n*n, K)), upscaled to size x size."""
    if scores.ndim == 2:
        img = colorize_classes(scores.reshape(n, n, -1), discretize)
    else:
        img = colorize(scores.reshape(n, n), discretize and kind != "regression")
    return upscale(img, size)


def png_bytes(img: np.ndarray) -> bytes:
    """Fast PNG encoding (low compression: these images are small and change every frame)."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def png_data_uri(img: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(img)).decode()

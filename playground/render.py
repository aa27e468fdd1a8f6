"""Fast raster pictures of a run: decision-boundary heatmaps with data points, neuron thumbnails.

Everything is NumPy on small uint8 arrays so one animation frame costs a few milliseconds.
Colours follow TF Playground: orange for -1, light grey for 0, blue for +1.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from .mlp.datasets import VIEW

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


def data_uri(png: bytes) -> str:
    """An inline image address: a page can show it without fetching it from the server."""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def png_data_uri(img: np.ndarray) -> str:
    return data_uri(png_bytes(img))


_LINE_COLORS = [(51, 51, 51), (214, 39, 40), (44, 160, 44)]


def loss_png(histories: dict, width: int = 360, height: int = 170) -> bytes:
    """Train (solid) and test (thin, lighter) loss against epoch, as a small PNG.

    A picture instead of an interactive chart: it is redrawn every animation frame, and a
    browser shows a new image far faster than it rebuilds a chart. ``histories`` maps a run's
    name to its [(epoch, train_loss, test_loss), ...]."""
    from PIL import ImageDraw, ImageFont

    s = 2  # draw at twice the size, then shrink: smooth lines
    W, H = width * s, height * s
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=11 * s)
    hs = {k: np.asarray(h, dtype=float).reshape(-1, 3) for k, h in histories.items()}
    finite = np.concatenate([h[:, 1:][np.isfinite(h[:, 1:])] for h in hs.values()] + [np.zeros(1)])
    top = max(float(finite.max()) * 1.05, 1e-3)
    last = max([float(h[-1, 0]) for h in hs.values() if len(h)] + [1.0])
    left, right, upper, lower = 46 * s, W - 8 * s, 22 * s, H - 26 * s

    def xy(e, v):
        return (left + (right - left) * e / last, lower - (lower - upper) * min(v, top) / top)

    for frac in (0, 0.5, 1):
        y = lower - (lower - upper) * frac
        d.line([(left, y), (right, y)], fill=(230, 230, 230), width=s)
        d.text((left - 4 * s, y), f"{top * frac:.3g}", fill=(110, 110, 110), font=font, anchor="rm")
    d.line([(left, upper), (left, lower), (right, lower)], fill=(150, 150, 150), width=s)
    d.text((left, lower + 4 * s), "0", fill=(110, 110, 110), font=font, anchor="lt")
    d.text((right, lower + 4 * s), f"epoch {last:,.0f}", fill=(110, 110, 110), font=font, anchor="rt")
    legend_x = left + 6 * s
    for k, (name, h) in enumerate(hs.items()):
        color = _LINE_COLORS[k % len(_LINE_COLORS)]
        light = tuple(int(c + (255 - c) * 0.55) for c in color)
        for col, fill, w in ((2, light, 2 * s), (1, color, 2 * s)):
            ok = np.isfinite(h[:, col])
            pts = [xy(e, v) for e, v in zip(h[ok, 0], h[ok, col])]
            if len(pts) > 1:
                d.line(pts, fill=fill, width=w, joint="curve")
            elif pts:
                d.ellipse([pts[0][0] - 2 * s, pts[0][1] - 2 * s, pts[0][0] + 2 * s, pts[0][1] + 2 * s], fill=fill)
        for label, fill in ((f"{name} train".strip(), color), (f"{name} test".strip(), light)):
            d.line([(legend_x, 9 * s), (legend_x + 16 * s, 9 * s)], fill=fill, width=2 * s)
            d.text((legend_x + 20 * s, 9 * s), label, fill=(80, 80, 80), font=font, anchor="lm")
            legend_x += 28 * s + int(d.textlength(label, font=font))
    buf = io.BytesIO()
    img.reduce(s).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


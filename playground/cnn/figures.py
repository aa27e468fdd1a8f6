"""Pictures for the CNN pages: kernels with their numbers, feature-map and filter grids as
small images, the sliding window's multiply-accumulate, training curves."""
from __future__ import annotations

import numpy as np

from ..render import colorize as diverging           # orange (−) · grey (0) · blue (+)
from ..vision.explain import colorize as turbo       # blue (low) … red (high)

BLUE, ORANGE, RED, GREY = "#0877bd", "#f59322", "#d62728", "#9e9e9e"
_DIVERGING = [[0, ORANGE], [0.5, "#e8eaeb"], [1, BLUE]]


def to_uint8(a: np.ndarray, mode: str = "clip") -> tuple[np.ndarray, str]:
    """(C, H, W) or (H, W) values → a displayable uint8 image (H, W[, 3]) and what was done.

    ``clip``: values outside [0, 1] are cut, as a photo would show them; ``stretch``: the
    smallest value becomes black and the largest white."""
    a = np.nan_to_num(np.asarray(a, dtype=np.float32))
    if a.ndim == 3:
        a = a[0] if a.shape[0] == 1 else a.transpose(1, 2, 0)
    lo, hi = float(a.min(initial=0)), float(a.max(initial=0))
    if mode == "stretch":
        scaled = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
        note = f"stretched: black = {lo:.3g}, white = {hi:.3g}"
    else:
        scaled = np.clip(a, 0, 1)
        note = "values below 0 shown black, above 1 white" if lo < 0 or hi > 1 else "0 = black, 1 = white"
    return np.round(scaled * 255).astype(np.uint8), note


def enlarge(img: np.ndarray, cell: int) -> np.ndarray:
    """Nearest-neighbour upscaling so tiny maps stay crisp (an integer factor)."""
    f = max(1, int(round(cell / max(img.shape[:2]))))
    return np.repeat(np.repeat(img, f, axis=0), f, axis=1)


def map_grid(maps: np.ndarray, cols: int = 8, cell: int = 64, pad: int = 2,
             colormap: str = "turbo", shared_scale: bool = False) -> np.ndarray:
    """(N, H, W) maps → one RGB image of tiles (each map scaled to its own range unless
    ``shared_scale``); ``colormap`` "turbo" (activations), "diverging" (weights, 0 = grey)
    or "gray"."""
    maps = np.nan_to_num(np.asarray(maps, dtype=np.float32))
    n = len(maps)
    if n == 0:
        return np.full((cell, cell, 3), 255, np.uint8)
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    tiles = []
    gmax = float(np.abs(maps).max()) or 1.0
    gmin, gtop = float(maps.min()), float(maps.max())
    for m in maps:
        if colormap == "diverging":
            top = gmax if shared_scale else (float(np.abs(m).max()) or 1.0)
            rgb = diverging(m / top)
        else:
            lo, hi = (gmin, gtop) if shared_scale else (float(m.min()), float(m.max()))
            u = (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)
            rgb = turbo(u) if colormap == "turbo" else np.repeat(
                np.round(u * 255).astype(np.uint8)[..., None], 3, axis=2)
        tiles.append(enlarge(rgb, cell))
    th, tw = tiles[0].shape[:2]
    out = np.full((rows * (th + pad) - pad, cols * (tw + pad) - pad, 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        out[r * (th + pad):r * (th + pad) + th, c * (tw + pad):c * (tw + pad) + tw] = t
    return out


def rgb_filters(w: np.ndarray, cols: int = 16, cell: int = 40, pad: int = 2) -> np.ndarray:
    """A first layer's colour kernels (out, 3, k, k) as a grid; each filter scaled to [0, 1]
    around grey, so its colour shows which colour (and which edge) it responds to."""
    w = np.asarray(w, dtype=np.float32)
    top = np.abs(w).reshape(len(w), -1).max(axis=1).reshape(-1, 1, 1, 1)
    u = 0.5 + 0.5 * w / np.where(top > 0, top, 1)
    imgs = np.round(u.transpose(0, 2, 3, 1) * 255).astype(np.uint8)
    n, cols = len(imgs), max(1, min(cols, len(imgs)))
    tiles = [enlarge(im, cell) for im in imgs]
    th = tiles[0].shape[0]
    rows = -(-n // cols)
    out = np.full((rows * (th + pad) - pad, cols * (th + pad) - pad, 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        out[r * (th + pad):r * (th + pad) + th, c * (th + pad):c * (th + pad) + th] = t
    return out


def _num(v: float, digits: int) -> str:
    if not np.isfinite(v):
        return ""
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".") if abs(v) < 1e4 else f"{v:.2g}"
    return "0" if s in ("-0", "") else s


def _cells(z: np.ndarray, digits: int) -> list:
    return [[_num(v, digits) for v in row] for row in np.asarray(z, dtype=float)]


def number_grid(z: np.ndarray, title: str = "", diverging_scale: bool = True, digits: int = 2,
                boxes: list | None = None, height: int = 260) -> dict:
    """A small matrix as a heatmap with its numbers written in the cells; ``boxes`` =
    [(row, col, colour)] outlines cells (the window's taps, the current output cell)."""
    z = np.asarray(z, dtype=float)          # NaN cells (not computed yet): 0's colour, no number
    fin = z[np.isfinite(z)]
    top = float(np.abs(fin).max(initial=0)) or 1.0
    cells = np.where(np.isfinite(z), z, 0.0).tolist()   # plotly drops all-empty rows/columns
    trace = {"type": "heatmap", "z": cells, "text": _cells(z, digits),
             "x": list(range(z.shape[1])), "y": list(range(z.shape[0])),
             "texttemplate": "%{text}", "showscale": False, "xgap": 1, "ygap": 1,
             "hovertemplate": "row %{y}, column %{x}: %{z:.4g}<extra></extra>"}
    if diverging_scale:
        trace.update(colorscale=_DIVERGING, zmin=-top, zmax=top)
    else:
        trace.update(colorscale=[[0, "#000000"], [1, "#ffffff"]], zmin=min(0.0, float(fin.min(initial=0))),
                     zmax=max(1.0, float(fin.max(initial=0))))
    shapes = [{"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5, "y1": r + 0.5,
               "line": {"color": col, "width": 3}} for r, c, col in (boxes or [])]
    return {"data": [trace], "layout": {
        "title": {"text": title, "font": {"size": 13}}, "height": height, "shapes": shapes,
        "margin": {"l": 10, "r": 10, "t": 34 if title else 6, "b": 10},
        "xaxis": {"visible": False, "fixedrange": True, "autorange": False,
                  "range": [-0.5, z.shape[1] - 0.5]},
        "yaxis": {"visible": False, "autorange": False, "range": [z.shape[0] - 0.5, -0.5],
                  "scaleanchor": "x", "fixedrange": True}}}


def window_boxes(step, k: int, dilation: int, color: str = RED) -> list:
    """The padded-input cells under the kernel's taps at one sliding-window position."""
    return [(step.top + i * dilation, step.left + j * dilation, color)
            for i in range(k) for j in range(k)]


def curves(history, height: int = 260) -> dict:
    """Loss (left) and accuracy (right) against training steps; train solid, test dotted."""
    h = np.asarray(history, dtype=float).reshape(-1, 5)
    x = h[:, 0].tolist()
    fin = lambda c: np.where(np.isfinite(h[:, c]), h[:, c], None).tolist()  # noqa: E731
    line = lambda c, dash, name, ax, color: {  # noqa: E731
        "type": "scatter", "mode": "lines" if len(x) > 1 else "markers", "x": x, "y": fin(c), "name": name, "xaxis": f"x{ax}",
        "yaxis": f"y{ax}", "line": {"dash": dash, "width": 2, "color": color}}
    return {"data": [line(1, "solid", "train loss", "", "#333333"),
                     line(2, "dot", "test loss", "", "#333333"),
                     line(3, "solid", "train accuracy", "2", BLUE),
                     line(4, "dot", "test accuracy", "2", BLUE)],
            "layout": {"height": height, "margin": {"l": 45, "r": 10, "t": 30, "b": 35},
                       "legend": {"orientation": "h", "y": 1.18}, "uirevision": "cnn",
                       "xaxis": {"domain": [0, 0.46], "title": {"text": "training step"},
                                 "rangemode": "nonnegative"},   # no step −1 before training
                       "yaxis": {"title": {"text": "loss"}, "rangemode": "tozero"},
                       "xaxis2": {"domain": [0.56, 1], "title": {"text": "training step"},
                                  "anchor": "y2", "rangemode": "nonnegative"},
                       "yaxis2": {"title": {"text": "accuracy"}, "range": [0, 1.02],
                                  "tickformat": ".0%", "anchor": "x2"}}}


def channel_bars(mean: np.ndarray, shown: np.ndarray, height: int = 200) -> dict:
    """Every channel's mean activation; the ones shown as maps in blue."""
    colors = np.where(np.isin(np.arange(len(mean)), shown), BLUE, GREY).tolist()
    return {"data": [{"type": "bar", "x": list(range(len(mean))), "y": np.round(mean, 4).tolist(),
                      "marker": {"color": colors},
                      "hovertemplate": "channel %{x}: mean %{y:.3g}<extra></extra>"}],
            "layout": {"height": height, "margin": {"l": 40, "r": 10, "t": 10, "b": 35},
                       "xaxis": {"title": {"text": "channel"}},
                       "yaxis": {"title": {"text": "mean activation"}}, "bargap": 0.05}}


def shape_chart(rows: list[dict], height: int = 300) -> dict:
    """Layer by layer: channels (bars) grow while the spatial side (line) shrinks."""
    rows = [r for r in rows if r["layer"] != "input"] if len(rows) > 1 else rows
    names = [r["layer"] for r in rows]
    side = [int(r["size"].split("×")[0]) for r in rows]
    return {"data": [
        {"type": "bar", "x": names, "y": [r["channels"] for r in rows], "name": "channels",
         "marker": {"color": BLUE}, "hovertemplate": "%{x}: %{y} channels<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": names, "y": side, "yaxis": "y2",
         "name": "height = width (pixels)", "line": {"color": ORANGE, "width": 3},
         "hovertemplate": "%{x}: %{y}×%{y}<extra></extra>"}],
        "layout": {"height": height, "margin": {"l": 50, "r": 50, "t": 40, "b": 80},
                   "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
                   "yaxis": {"title": {"text": "channels"}, "rangemode": "tozero"},
                   # its own round ticks (synced to the left axis they read 22.9, 45.8, …)
                   "yaxis2": {"title": {"text": "height = width"}, "overlaying": "y",
                              "side": "right", "rangemode": "tozero", "showgrid": False,
                              "tickmode": "auto", "nticks": 6},
                   "xaxis": {"tickangle": -45}}}


def confusion(cm: np.ndarray, names) -> dict:
    """The app's confusion chart with categorical axes (class names like "3" stay labels)."""
    from ..mlp.figures import confusion_chart

    fig = confusion_chart(cm, names, height=330)
    for ax in ("xaxis", "yaxis"):
        fig["layout"][ax]["type"] = "category"
    return fig


def probs_rows(probs: np.ndarray, names, k: int = 5) -> list[tuple[int, str, float]]:
    """The ``k`` likeliest classes as (index, “name”, p) for a bar chart (quoted: "7" is a label)."""
    order = np.argsort(-np.asarray(probs))[:k]
    return [(int(i), f"“{names[i]}”", float(probs[i])) for i in order]

"""Pictures of the generative pages: Plotly figure dicts (built without plotly, drawn by
``ui.plotly``) and tiled grayscale images. Colours follow the app: orange / blue for the two
sides of a decision (here D: fake / real), class colours from :mod:`playground.render`."""
from __future__ import annotations

import math

import numpy as np

from ..cnn.figures import BLUE, GREY, ORANGE, enlarge
from ..render import CLASS_COLORS
from . import data2d as D2

REAL, FAKE, ARROW = "#2ca02c", "#9467bd", "#3b3b3b"
_D_SCALE = [[0, ORANGE], [0.5, "#f4f5f6"], [1, BLUE]]
_MARGIN = {"l": 40, "r": 10, "t": 30, "b": 35}


def _r(a, digits: int = 3) -> list:
    return np.round(np.asarray(a, dtype=float), digits).tolist()


def _plane_layout(height: int, title: str = "") -> dict:
    rng = [-D2.VIEW, D2.VIEW]
    return {"height": height, "margin": _MARGIN, "title": {"text": title, "font": {"size": 14}},
            "xaxis": {"range": rng, "zeroline": False, "constrain": "domain"},
            "yaxis": {"range": rng, "zeroline": False, "scaleanchor": "x"},
            "legend": {"orientation": "h", "y": -0.08}, "uirevision": "plane"}


def _points(x: np.ndarray, name: str, color: str, size: int = 4, opacity: float = 0.8,
            kind: str = "scattergl", digits: int = 3) -> dict:
    x = np.asarray(x)
    return {"type": kind, "mode": "markers", "x": _r(x[:, 0], digits), "y": _r(x[:, 1], digits), "name": name,
            "marker": {"size": size, "color": color, "opacity": opacity}, "hoverinfo": "skip"}


def arrows(start: np.ndarray, vec: np.ndarray, length: float, name: str, color: str = ARROW,
           digits: int = 3) -> dict:
    """Line segments from ``start`` along ``vec`` with arrow heads; the longest is ``length``."""
    vec = np.nan_to_num(np.asarray(vec, dtype=float))
    top = float(np.sqrt((vec ** 2).sum(1)).max(initial=0)) or 1.0
    end = start + vec / top * length
    xs, ys, sizes = [], [], []
    for a, b in zip(start, end):
        xs += [a[0], b[0], None]
        ys += [a[1], b[1], None]
        sizes += [0, 7, 0]
    return {"type": "scatter", "mode": "lines+markers", "x": _r(xs, digits), "y": _r(ys, digits), "name": name,
            "line": {"color": color, "width": 1.2},
            "marker": {"symbol": "arrow", "angleref": "previous", "size": sizes, "color": color},
            "hoverinfo": "skip"}


def gan_plane(xs, dmap, real, fake, arrow_from=None, arrow_vec=None, height: int = 520) -> dict:
    """D's opinion as a heatmap, real and generated points, G's gradient as arrows.

    Redrawn about once a second for every student of a class: coordinates to 0.01 (a pixel at
    this size), D(x) in whole percent on a coarse grid that the browser smooths (``zsmooth``)."""
    xs = np.asarray(xs, dtype=float)
    step = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    data = [{"type": "heatmap", "x0": round(float(xs[0]), 4), "dx": round(step, 4),
             "y0": round(float(xs[0]), 4), "dy": round(step, 4), "zsmooth": "best",
             "z": np.round(np.nan_to_num(np.asarray(dmap, dtype=float), nan=0.5) * 100).astype(int).tolist(),
             "zmin": 0, "zmax": 100, "colorscale": _D_SCALE, "opacity": 0.75, "name": "D(x)",
             "colorbar": {"title": {"text": "D(x)"}, "thickness": 12, "len": 0.8,
                          "tickvals": [0, 50, 100], "ticktext": ["0 fake", "0.5", "1 real"]},
             "hovertemplate": "x %{x:.2f}<br>y %{y:.2f}<br>D(x) = %{z} %<extra></extra>"},
            _points(real, "real data", REAL, digits=2), _points(fake, "generated", FAKE, digits=2)]
    if arrow_from is not None:
        data.append(arrows(arrow_from, arrow_vec, 0.5, "generator gradient −∂L_G/∂x", digits=2))
    return {"data": data, "layout": _plane_layout(height)}


def gan_losses(history, height: int = 250) -> dict:
    """Both losses per generator step, with their values at the equilibrium D = ½."""
    h = np.asarray(history, dtype=float).reshape(-1, 6)
    mode = "lines" if len(h) > 1 else "markers"
    data = [{"type": "scatter", "mode": mode, "x": _r(h[:, 0], 0), "y": _r(h[:, 2]),
             "name": "D loss", "line": {"color": ORANGE}},
            {"type": "scatter", "mode": mode, "x": _r(h[:, 0], 0), "y": _r(h[:, 3]),
             "name": "G loss", "line": {"color": FAKE}}]
    for y, name in ((2 * math.log(2), "D loss at D = ½ (2 ln 2)"), (math.log(2), "G loss at D = ½ (ln 2)")):
        data.append({"type": "scatter", "mode": "lines", "x": [0, max(1.0, float(h[-1, 0]) if len(h) else 1)],
                     "y": [y, y], "name": name, "line": {"color": GREY, "dash": "dot", "width": 1},
                     "hoverinfo": "skip", "showlegend": False})
    return {"data": data, "layout": {"height": height, "margin": _MARGIN, "uirevision": "loss",
                                     "xaxis": {"title": {"text": "generator steps"}},
                                     "yaxis": {"title": {"text": "loss"}, "rangemode": "tozero"},
                                     "legend": {"orientation": "h", "y": 1.18}}}


def distance_curve(quality, height: int = 250) -> dict:
    """MMD to the target (log scale) and the modes covered, per generator step."""
    q = np.asarray(quality, dtype=float).reshape(-1, 3)
    mode = "lines" if len(q) > 1 else "markers"
    data = [{"type": "scatter", "mode": mode, "x": _r(q[:, 0], 0), "y": _r(np.maximum(q[:, 1], 1e-4), 4),
             "name": "MMD to target", "line": {"color": "#333333"}}]
    layout = {"height": height, "margin": {**_MARGIN, "r": 45}, "uirevision": "dist",
              "xaxis": {"title": {"text": "generator steps"}},
              "yaxis": {"title": {"text": "MMD"}, "type": "log", "dtick": "D2"},   # 2 and 5: no crowding
              "legend": {"orientation": "h", "y": 1.18}}
    if len(q) and q[0, 2] >= 0:
        data.append({"type": "scatter", "mode": mode, "x": _r(q[:, 0], 0), "y": _r(q[:, 2], 0),
                     "name": "modes covered", "yaxis": "y2", "line": {"color": REAL, "shape": "hv"}})
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "rangemode": "tozero", "dtick": 2,
                            "showgrid": False, "title": {"text": "modes"}}
    return {"data": data, "layout": layout}


def tiles(imgs: np.ndarray, cols: int, cell: int = 48, pad: int = 2) -> np.ndarray:
    """(N, h, w) images with values in [0, 1] → one gray RGB picture, ``cols`` per row."""
    imgs = np.clip(np.nan_to_num(np.asarray(imgs, dtype=np.float32)), 0, 1)
    n = len(imgs)
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    big = [enlarge(np.round(im * 255).astype(np.uint8), cell) for im in imgs]
    h, w = big[0].shape
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), 255, np.uint8)
    for i, im in enumerate(big):
        r, c = divmod(i, cols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = im
    return np.repeat(out[..., None], 3, axis=2)


def elbo_curves(history, height: int = 260) -> dict:
    """Reconstruction and KL (test images) per step; KL on its own axis."""
    h = np.asarray(history, dtype=float).reshape(-1, 4)
    mode = "lines" if len(h) > 1 else "markers"
    return {"data": [
        {"type": "scatter", "mode": mode, "x": _r(h[:, 0], 0), "y": _r(h[:, 1]),
         "name": "reconstruction −log p(x|z)", "line": {"color": BLUE}},
        {"type": "scatter", "mode": mode, "x": _r(h[:, 0], 0), "y": _r(h[:, 2]),
         "name": "KL(q(z|x) ‖ p(z))", "yaxis": "y2", "line": {"color": ORANGE}}],
        "layout": {"height": height, "margin": {**_MARGIN, "r": 50}, "uirevision": "elbo",
                   "xaxis": {"title": {"text": "training steps"}},
                   "yaxis": {"title": {"text": "reconstruction (nats)"}, "rangemode": "tozero"},
                   "yaxis2": {"title": {"text": "KL (nats)"}, "overlaying": "y", "side": "right",
                              "rangemode": "tozero", "showgrid": False},
                   "legend": {"orientation": "h", "y": 1.2}}}


def latent_scatter(mu: np.ndarray, y: np.ndarray, classes, height: int = 420, dims: str = "z₁, z₂") -> dict:
    data = []
    for k, name in enumerate(classes):
        m = y == k
        col = "rgb(%d,%d,%d)" % tuple(CLASS_COLORS[k % len(CLASS_COLORS)])
        data.append({"type": "scattergl", "mode": "markers", "x": _r(mu[m, 0], 2), "y": _r(mu[m, 1], 2),
                     "name": str(name), "marker": {"size": 5, "color": col, "opacity": 0.8},
                     "hovertemplate": f"digit {name}<br>z₁ %{{x}}<br>z₂ %{{y}}<extra></extra>"})
    return {"data": data, "layout": {"height": height, "margin": _MARGIN, "uirevision": "latent",
                                     "xaxis": {"title": {"text": dims.split(",")[0]}, "zeroline": True},
                                     "yaxis": {"title": {"text": dims.split(",")[1].strip()},
                                               "scaleanchor": "x"},
                                     "legend": {"title": {"text": "class"}}}}


def schedule_figure(ab: np.ndarray, t_mark: int | None = None, other: np.ndarray | None = None,
                    other_name: str = "", height: int = 300) -> dict:
    """√ᾱ_t (how much signal is left) and √(1−ᾱ_t) (the noise's scale) for t = 1..T."""
    t = np.arange(1, len(ab) + 1)
    data = [{"type": "scatter", "mode": "lines", "x": t.tolist(), "y": _r(np.sqrt(ab)),
             "name": "signal √ᾱ_t", "line": {"color": BLUE}},
            {"type": "scatter", "mode": "lines", "x": t.tolist(), "y": _r(np.sqrt(1 - ab)),
             "name": "noise √(1−ᾱ_t)", "line": {"color": ORANGE}}]
    if other is not None:
        data.append({"type": "scatter", "mode": "lines", "x": t.tolist(), "y": _r(np.sqrt(other)),
                     "name": f"signal, {other_name}", "line": {"color": BLUE, "dash": "dot", "width": 1}})
    layout = {"height": height, "margin": {**_MARGIN, "b": 95}, "xaxis": {"title": {"text": "step t"}},
              "yaxis": {"range": [0, 1.05]},               # legend under the plot: narrow columns
              "legend": {"orientation": "h", "y": -0.3, "x": 0, "yanchor": "top"}}
    if t_mark:
        layout["shapes"] = [{"type": "line", "x0": t_mark, "x1": t_mark, "y0": 0, "y1": 1.05,
                             "line": {"color": GREY, "dash": "dash", "width": 1}}]
    return {"data": data, "layout": layout}


def snapshots_2d(snaps: list[tuple[int, np.ndarray]], height: int = 230, color: str = FAKE) -> dict:
    """Small multiples: one scatter per (t, points), side by side."""
    n = len(snaps)
    data, layout = [], {"height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
                        "showlegend": False, "annotations": []}
    gap = 0.02
    for i, (t, x) in enumerate(snaps):
        ax = "" if i == 0 else str(i + 1)
        lo, hi = i / n + gap / 2, (i + 1) / n - gap / 2
        data.append({**_points(x, f"t = {t}", color, 3, 0.6, "scatter", digits=2), "xaxis": f"x{ax}",
                     "yaxis": f"y{ax}"})
        rng = [-D2.VIEW, D2.VIEW]
        layout[f"xaxis{ax}"] = {"domain": [lo, hi], "range": rng, "showticklabels": False, "zeroline": False}
        layout[f"yaxis{ax}"] = {"range": rng, "showticklabels": False, "zeroline": False,
                                "scaleanchor": f"x{ax}"}
        layout["annotations"].append({"text": f"t = {t}", "x": (lo + hi) / 2, "y": 1.0, "xref": "paper",
                                      "yref": "paper", "showarrow": False, "yanchor": "bottom"})
    return {"data": data, "layout": layout}


def trajectories(snaps: list[tuple[int, np.ndarray]], target: np.ndarray, k: int = 40,
                 height: int = 480) -> dict:
    """The reverse process: paths of ``k`` points from noise (grey) to samples (purple)."""
    path = np.stack([x[:k] for _, x in snaps], 1)             # (k, steps, 2)
    xs, ys = [], []
    for p in path:
        xs += p[:, 0].tolist() + [None]
        ys += p[:, 1].tolist() + [None]
    final = snaps[-1][1]
    data = [_points(target, "target data", REAL, 3, 0.35, digits=2),
            {"type": "scatter", "mode": "lines", "x": _r(xs, 2), "y": _r(ys, 2), "name": "paths",
             "line": {"color": "rgba(60,60,60,0.45)", "width": 1}, "hoverinfo": "skip"},
            _points(snaps[0][1][:k], f"start: noise (t = {snaps[0][0]})", GREY, 5, 0.9, digits=2),
            _points(final, "samples (t = 0)", FAKE, 4, 0.8, digits=2)]
    return {"data": data, "layout": _plane_layout(height)}


def field_figure(p: np.ndarray, v: np.ndarray, noisy: np.ndarray, t: int, height: int = 480) -> dict:
    """Arrows of the learned denoising direction at step t over noisy data at that step."""
    return {"data": [_points(noisy, f"data with noise of step {t}", REAL, 3, 0.35, digits=2),
                     arrows(p, v, 0.32, "denoising direction (score)", digits=2)],
            "layout": _plane_layout(height)}


def loss_line(history, height: int = 230, name: str = "denoising loss (MSE of ε̂)") -> dict:
    h = np.asarray(history, dtype=float).reshape(-1, 2)
    return {"data": [{"type": "scatter", "mode": "lines" if len(h) > 1 else "markers",
                      "x": _r(h[:, 0], 0), "y": _r(h[:, 1], 4), "name": name, "line": {"color": "#333333"}}],
            "layout": {"height": height, "margin": _MARGIN, "uirevision": "loss", "showlegend": False,
                       "xaxis": {"title": {"text": "training steps"}},
                       "yaxis": {"title": {"text": "loss"}, "rangemode": "tozero"}}}

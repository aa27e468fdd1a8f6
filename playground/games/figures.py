"""Plotly figures (plain dicts) for the Learning-to-play pages, in the app's shared colours."""
from __future__ import annotations

import math

import numpy as np

from ..budget import thin, thin_columns
from ..mlp.figures import BLUE, ORANGE
from . import cartpole as C
from .gridworld import ARROWS

GREY, DARK, GREEN, RED = "#9aa0a6", "#333333", "#2ca02c", "#d62728"
DIVERGING = [[0, ORANGE], [0.5, "#f4f5f6"], [1, BLUE]]
SEQUENTIAL = [[0, "#f4f5f6"], [1, BLUE]]
_M = {"l": 10, "r": 10, "t": 30, "b": 10}


def _r(a, digits: int = 3):
    a = np.round(np.asarray(a, dtype=float), digits)
    return np.where(np.isfinite(a), a, None).tolist()


def grid_figure(maze, values: np.ndarray, policy: np.ndarray | None, path=None, title: str = "",
                height: int = 380, clickable: bool = False) -> dict:
    """The maze: each open cell coloured by its value, an arrow for the greedy action, walls
    dark, S/G/T marked, and a path (e.g. the latest episode) drawn as a line."""
    rows, cols = maze.shape
    z = np.array(values, dtype=float).reshape(rows, cols)
    open_ = maze.open().reshape(rows, cols)
    z = np.where(open_, z, np.nan)
    lim = max(float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0, 0.1)
    text, ann = [], []
    for s in range(maze.n):
        r, c = divmod(s, cols)
        ch = maze.char(s)
        arrow = ARROWS[int(policy[s])] if policy is not None and policy[s] >= 0 else "·"
        label = {"G": "G", "T": "T", "#": "", "S": "S" if policy is None else f"S {arrow}"}.get(ch, arrow)
        text.append(f"{ch}: {z[r, c]:.3f}" if open_[r, c] else "wall")
        if label:
            ann.append({"x": c, "y": r, "text": label, "showarrow": False,
                        "font": {"size": 18 if ch not in "GT" else 16, "color": DARK}})
    data = [{"type": "heatmap", "z": _r(z), "zmin": -max(lim, 1e-9), "zmax": max(lim, 1e-9),
             "colorscale": DIVERGING, "xgap": 2, "ygap": 2, "showscale": True,
             "colorbar": {"title": {"text": "value"}, "thickness": 12},
             "customdata": np.array(text).reshape(rows, cols).tolist(),
             "hovertemplate": "row %{y}, column %{x}<br>%{customdata}<extra></extra>"}]
    walls = [(s // cols, s % cols) for s in range(maze.n) if maze.char(s) == "#"]
    shapes = [{"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5, "y1": r + 0.5,
               "fillcolor": "#555", "line": {"width": 0}} for r, c in walls]
    if clickable:     # one invisible marker per cell: a click selects the cell
        r_, c_ = np.divmod(np.arange(maze.n), cols)
        data.append({"type": "scatter", "mode": "markers", "x": c_.tolist(), "y": r_.tolist(),
                     "customdata": list(range(maze.n)), "marker": {"size": 30, "opacity": 0.01},
                     "hovertemplate": "click to paint row %{y}, column %{x}<extra></extra>",
                     "showlegend": False})
    if path is not None and len(path) > 1:
        pr, pc = np.divmod(np.asarray(path), cols)
        jitter = np.linspace(-0.12, 0.12, len(path))     # repeated cells stay visible
        data.append({"type": "scatter", "mode": "lines+markers", "x": (pc + jitter).tolist(),
                     "y": (pr + jitter).tolist(), "line": {"color": DARK, "width": 2},
                     "marker": {"size": 4}, "hoverinfo": "skip", "showlegend": False})
    return {"data": data, "layout": {
        "height": height, "margin": _M, "title": {"text": title, "font": {"size": 14}},
        "xaxis": {"visible": False, "range": [-0.5, cols - 0.5], "constrain": "domain"},
        "yaxis": {"visible": False, "range": [rows - 0.5, -0.5], "scaleanchor": "x"},
        "annotations": ann, "shapes": shapes, "plot_bgcolor": "white"}}


def returns_chart(returns, title: str = "Return per episode", window: int = 20, goal: float | None = None,
                  height: int = 260) -> dict:
    r = np.asarray(returns, dtype=float)
    x = np.arange(1, len(r) + 1)
    xs, ys = thin_columns(150, x.tolist(), r.tolist())      # ≤ 150 points per curve on the wire
    data = [{"type": "scatter", "mode": "lines", "x": xs, "y": ys, "name": "episode",
             "line": {"color": GREY, "width": 1}}]
    if len(r) >= 2:
        k = min(window, len(r))
        avg = np.convolve(r, np.ones(k) / k, mode="valid")
        xa, ya = thin_columns(150, x[k - 1:].tolist(), avg.tolist())
        data.append({"type": "scatter", "mode": "lines", "x": xa, "y": ya,
                     "name": f"average of {k}", "line": {"color": BLUE, "width": 2.5}})
    shapes, ann = [], []
    if not len(r):
        ann.append({"xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False,
                    "text": "No episode yet: press Step or Play", "font": {"color": GREY, "size": 14}})
    if goal is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": goal, "y1": goal,
                       "line": {"color": GREEN, "dash": "dash", "width": 1.5}})
    return {"data": data, "layout": {
        "height": height, "margin": {"l": 50, "r": 10, "t": 30, "b": 40}, "title": {"text": title, "font": {"size": 14}},
        "xaxis": {"title": {"text": "episode"}}, "yaxis": {"title": {"text": "return"}},
        "legend": {"orientation": "h", "y": 1.15, "x": 1, "xanchor": "right"}, "shapes": shapes,
        "annotations": ann,
        "uirevision": "returns", "plot_bgcolor": "white"}}


def cartpole_figure(state, title: str = "", push: int | None = None, height: int = 260) -> dict:
    x, _, theta, _ = (float(v) for v in state)
    pole = 2 * C.HALF_LENGTH
    tip = (x + pole * math.sin(theta), 0.25 + pole * math.cos(theta))
    shapes = [
        {"type": "line", "x0": -C.X_LIMIT, "x1": C.X_LIMIT, "y0": 0, "y1": 0, "line": {"color": GREY, "width": 3}},
        {"type": "rect", "x0": x - 0.25, "x1": x + 0.25, "y0": 0.05, "y1": 0.3, "fillcolor": BLUE,
         "line": {"width": 0}},
        {"type": "line", "x0": x, "y0": 0.25, "x1": tip[0], "y1": tip[1],
         "line": {"color": ORANGE, "width": 8}},
    ]
    for edge in (-C.X_LIMIT, C.X_LIMIT):
        shapes.append({"type": "line", "x0": edge, "x1": edge, "y0": -0.05, "y1": 0.4,
                       "line": {"color": RED, "width": 2, "dash": "dot"}})
    ann = []
    if push is not None:
        ann.append({"x": x + (0.45 if push else -0.45), "y": 0.17, "text": "→" if push else "←",
                    "showarrow": False, "font": {"size": 22, "color": DARK}})
    return {"data": [{"type": "scatter", "x": [x], "y": [0.25], "mode": "markers",
                      "marker": {"size": 6, "color": DARK}, "hoverinfo": "skip"}],
            "layout": {"height": height, "margin": _M, "title": {"text": title, "font": {"size": 14}},
                       "xaxis": {"range": [-2.7, 2.7], "zeroline": False, "title": {"text": "cart position (m)"}},
                       "yaxis": {"range": [-0.1, 1.4], "visible": False, "scaleanchor": "x"},
                       "shapes": shapes, "annotations": ann, "showlegend": False,
                       "plot_bgcolor": "white"}}


def policy_heatmap(theta, omega, p, height: int = 300) -> dict:
    return {"data": [{"type": "heatmap", "x": _r(np.degrees(theta), 2), "y": _r(omega, 2), "z": _r(p),
                      "zmin": 0, "zmax": 1, "colorscale": DIVERGING,
                      "colorbar": {"title": {"text": "P(right)"}, "thickness": 12},
                      "hovertemplate": "angle %{x}°, angular velocity %{y} rad/s<br>"
                                       "P(push right) = %{z:.2f}<extra></extra>"}],
            "layout": {"height": height, "margin": {"l": 60, "r": 10, "t": 30, "b": 45},
                       "title": {"text": "P(push right), cart at rest in the middle", "font": {"size": 14}},
                       "xaxis": {"title": {"text": "pole angle (°, + leans right)"}},
                       "yaxis": {"title": {"text": "angular velocity (rad/s)"}}}}


def board_figure(board, values: np.ndarray, height: int = 330) -> dict:
    """The board with X and O, and each empty cell coloured by the agent's P(win) there."""
    b = np.asarray(board).reshape(3, 3)
    v = np.asarray(values, dtype=float).reshape(3, 3, 3)
    pw = v[..., 0]
    hover = [[("X" if b[r, c] == 1 else "O") + " (taken)" if b[r, c] else
              ("game over" if not np.isfinite(pw[r, c]) else
               f"win {v[r, c, 0]:.0%} · draw {v[r, c, 1]:.0%} · loss {v[r, c, 2]:.0%}")
              for c in range(3)] for r in range(3)]
    ann = []
    for r in range(3):
        for c in range(3):
            if b[r, c]:
                ann.append({"x": c, "y": r, "text": "X" if b[r, c] == 1 else "O", "showarrow": False,
                            "font": {"size": 44, "color": DARK}})
            elif np.isfinite(pw[r, c]):
                ann.append({"x": c, "y": r, "text": f"{pw[r, c]:.0%}", "showarrow": False,
                            "font": {"size": 16, "color": DARK}})
    return {"data": [{"type": "heatmap", "z": _r(pw), "zmin": 0, "zmax": 1, "colorscale": SEQUENTIAL,
                      "xgap": 4, "ygap": 4, "customdata": hover, "colorbar": {"title": {"text": "P(win)"},
                                                                               "thickness": 12},
                      "hovertemplate": "%{customdata}<extra></extra>"}],
            "layout": {"height": height, "margin": _M, "annotations": ann, "plot_bgcolor": "white",
                       "title": {"text": "The agent's win probability for each move", "font": {"size": 14}},
                       "xaxis": {"visible": False, "range": [-0.5, 2.5]},
                       "yaxis": {"visible": False, "range": [2.5, -0.5], "scaleanchor": "x"}}}


def match_chart(history, height: int = 280) -> dict:
    """Win / draw / loss rates against a random player and against perfect play over training."""
    history = thin(history, 150)
    g = [h["games"] for h in history]
    data = []
    for who, dash in (("random", "solid"), ("perfect", "dot")):
        for res, color in (("win", GREEN), ("draw", GREY), ("loss", RED)):
            data.append({"type": "scatter", "mode": "lines+markers", "x": g,
                         "y": [h[who][res] for h in history], "name": f"{res} vs {who}",
                         "line": {"color": color, "dash": dash, "width": 2}, "marker": {"size": 4}})
    return {"data": data, "layout": {
        "height": height, "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
        "title": {"text": "Against a random player (solid) and perfect play (dotted)", "font": {"size": 14}},
        "xaxis": {"title": {"text": "self-play games"}}, "yaxis": {"range": [0, 1.02], "tickformat": ".0%"},
        "legend": {"orientation": "h", "y": -0.25}, "uirevision": "ttt", "plot_bgcolor": "white"}}

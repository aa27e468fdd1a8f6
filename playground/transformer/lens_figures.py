"""Plotly figures (plain dicts) for the logit lens page: the top guess after every layer, a
token's rank across layers, and each head's direct logit attribution."""
from __future__ import annotations

import numpy as np

from .figures import BLUE, SCALE, _M, _axis
from .lens import Lens

DIVERGING = [[0, "#b2182b"], [0.25, "#ef8a62"], [0.5, "#f7f7f7"], [0.75, "#67a9cf"], [1, "#2166ac"]]


def layer_names(n_layers: int) -> list[str]:
    return ["embeddings"] + [f"after layer {l}" for l in range(n_layers)]


def show(s: str) -> str:
    """A token as a short, visible label (spaces as ·, newlines as ⏎)."""
    s = s.replace("\n", "⏎").replace(" ", "·") or "∅"
    return s if len(s) <= 8 else s[:7] + "…"


def lens_grid(lens: Lens, decode, labels: list[str], last: int = 16) -> dict:
    """Rows: the residual stream after each layer; columns: the last ``last`` positions; each
    cell the top next-token guess there, coloured by its probability."""
    p = lens.probs()
    T = p.shape[1]
    cols = list(range(max(0, T - last), T))
    top = lens.top(3)
    names = layer_names(lens.layers)
    z, text, hover = [], [], []
    for l in range(len(names)):
        z.append([float(p[l, t, top[l, t, 0]]) for t in cols])
        text.append([show(decode(int(top[l, t, 0]))) for t in cols])
        hover.append([" · ".join(f"{decode(int(i))!r} {p[l, t, i]:.1%}" for i in top[l, t])
                      for t in cols])
    xl = [labels[t] for t in cols]
    return {"data": [{"type": "heatmap", "z": z, "text": text, "texttemplate": "%{text}",
                      "textfont": {"size": 12}, "colorscale": SCALE, "zmin": 0, "zmax": 1,
                      "customdata": hover, "colorbar": {"thickness": 10, "title": {"text": "p"}},
                      "hovertemplate": "%{y}, after “%{x}”:<br>%{customdata}<extra></extra>"}],
            "layout": {"height": 170 + 34 * len(names), "margin": {**_M, "t": 100},
                       "title": {"text": "Top next-token guess after each layer (column = the "
                                         "token read last)", "y": 0.99},
                       "xaxis": {**_axis(xl, "x"), "tickvals": list(range(len(cols))),
                                 "ticktext": xl, "tickfont": {"size": 13},
                                 "tickangle": 0 if max(map(len, xl), default=0) <= 2 else -45},
                       "yaxis": {"tickvals": list(range(len(names))), "ticktext": names,
                                 "autorange": "reversed", "automargin": True},
                       "plot_bgcolor": "white"}}


def rank_chart(ranks: np.ndarray, probs: np.ndarray, token: str) -> dict:
    names = layer_names(len(ranks) - 1)
    return {"data": [{"type": "scatter", "mode": "lines+markers+text", "x": names,
                      "y": [int(r) + 1 for r in ranks], "line": {"color": BLUE},
                      "text": [f"#{int(r) + 1}" for r in ranks], "textposition": "top center",
                      "customdata": [float(q) for q in probs],
                      "hovertemplate": "%{x}: rank %{y}, p = %{customdata:.2%}<extra></extra>"}],
            "layout": {"height": 320, "margin": {**_M, "t": 50},
                       "title": {"text": f"Rank of “{show(token)}” as the next token, layer by "
                                         "layer (1 = top guess)"},
                       "yaxis": {"type": "log", "autorange": "reversed", "title": {"text": "rank"}},
                       "plot_bgcolor": "white"}}


def dla_heatmap(dla: np.ndarray, token: str) -> dict:
    L, H = dla.shape
    m = float(np.abs(dla).max()) or 1.0
    return {"data": [{"type": "heatmap", "z": np.round(dla, 3).tolist(),
                      "text": [[f"{v:+.2f}" for v in row] for row in dla],
                      "texttemplate": "%{text}", "colorscale": DIVERGING, "zmin": -m, "zmax": m,
                      "colorbar": {"thickness": 10},
                      "hovertemplate": "layer %{y}, head %{x}: %{z:+.3f}<extra></extra>"}],
            "layout": {"height": 140 + 40 * L, "margin": {**_M, "t": 50},
                       "title": {"text": f"Each head's direct push on the logit of “{show(token)}”"},
                       "xaxis": {"title": {"text": "head"}, "dtick": 1},
                       "yaxis": {"title": {"text": "layer"}, "dtick": 1, "autorange": "reversed"},
                       "plot_bgcolor": "white"}}


def parts_bars(parts: dict[str, float], heads_by_layer: np.ndarray) -> dict:
    names = list(parts) + [f"heads of layer {l}" for l in range(len(heads_by_layer))]
    vals = list(parts.values()) + [float(v) for v in heads_by_layer]
    return {"data": [{"type": "bar", "orientation": "h", "y": names, "x": vals,
                      "marker": {"color": [BLUE if v >= 0 else "#b2182b" for v in vals]},
                      "text": [f"{v:+.2f}" for v in vals], "textposition": "outside",
                      "hovertemplate": "%{y}: %{x:+.3f}<extra></extra>"}],
            "layout": {"height": 120 + 24 * len(names), "margin": {**_M, "t": 40, "r": 50},
                       "title": {"text": "Everything that adds up to the final logit"},
                       "yaxis": {"autorange": "reversed", "automargin": True},
                       "plot_bgcolor": "white"}}

"""Plotly figures as plain dicts (fast to build; Streamlit renders them with plotly.js)."""
from __future__ import annotations

import numpy as np

BLUE, ORANGE = "#0877bd", "#f59322"


def loss_chart(histories: dict, height: int = 220) -> dict:
    """Train (solid) and test (dotted) loss per epoch for one or more runs."""
    colors = ["#333333", "#d62728", "#2ca02c"]
    data = []
    for k, (name, hist) in enumerate(histories.items()):
        h = np.asarray(hist, dtype=float)
        if h.size == 0:
            continue
        for col, dash, what in ((1, "solid", "train"), (2, "dot", "test")):
            data.append({"type": "scatter", "mode": "lines", "x": h[:, 0].tolist(),
                         "y": np.where(np.isfinite(h[:, col]), h[:, col], None).tolist(),
                         "name": f"{name} {what}".strip(),
                         "line": {"color": colors[k % 3], "dash": dash, "width": 2}})
    return {"data": data, "layout": {
        "height": height, "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
        "xaxis": {"title": {"text": "epoch"}}, "yaxis": {"title": {"text": "loss"}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": 1.15}, "uirevision": "loss"}}


def confusion_chart(cm: np.ndarray, names, height: int = 260) -> dict:
    return {"data": [{"type": "heatmap", "z": cm.tolist(), "x": list(names), "y": list(names),
                      "colorscale": [[0, "#f7fbff"], [1, "#08519c"]], "showscale": False, "texttemplate": "%{z}",
                      "hovertemplate": "true %{y}<br>predicted %{x}<br>%{z} points<extra></extra>"}],
            "layout": {"height": height, "margin": {"l": 90, "r": 10, "t": 10, "b": 60},
                       "xaxis": {"title": {"text": "predicted"}},
                       "yaxis": {"title": {"text": "true"}, "autorange": "reversed"}}}

"""Plotly figures as plain dicts (fast to build; Streamlit renders them with plotly.js)."""
from __future__ import annotations

import numpy as np

from . import features as F
from .. import render as R
from .activations import ACTIVATIONS
from .datasets import VIEW

BLUE, ORANGE = "#0877bd", "#f59322"


def node_positions(sizes):
    """x = layer index, y spread evenly and centred; returns {(layer, i): (x, y)}."""
    tallest = max(sizes)
    pos = {}
    for l, n in enumerate(sizes):
        for i in range(n):
            pos[(l, i)] = (float(l), (n - 1) / 2.0 - i + 0.0 * tallest)
    return pos


def network_diagram(run, thumbs: dict, link_values=None, link_label: str = "weight",
                    selected=None, height: int = 420) -> dict:
    """Nodes as neuron heatmaps, links coloured by sign and sized by magnitude.

    ``link_values`` (default: the weights) is a list of per-layer matrices shaped like W(l);
    hover on a link's midpoint or a node shows the numbers; clicking a node selects it.
    """
    net = run.net
    sizes = net.sizes
    pos = node_positions(sizes)
    values = link_values or [net.W(l) for l in range(1, net.n_layers + 1)]
    biggest = max([float(np.abs(np.nan_to_num(v, posinf=0, neginf=0)).max()) for v in values if v.size]
                  + [1e-9])
    shapes, mx, my, mtext = [], [], [], []
    for l in range(1, net.n_layers + 1):
        V = values[l - 1]
        for i in range(sizes[l - 1]):
            for j in range(sizes[l]):
                v = float(V[i, j])
                (x0, y0), (x1, y1) = pos[(l - 1, i)], pos[(l, j)]
                width = 0.5 + 7.5 * (min(abs(v), biggest) / biggest if np.isfinite(v) else 1)
                shapes.append(dict(type="line", x0=x0 + 0.18, y0=y0, x1=x1 - 0.18, y1=y1,
                                   line=dict(color=(BLUE if v >= 0 else ORANGE) if np.isfinite(v) else "#999999",
                                             width=round(width, 2) if np.isfinite(v) else 1,
                                             dash="solid" if np.isfinite(v) else "dot"),
                                   layer="below", opacity=0.75))
                mx.append((x0 + x1) / 2)
                my.append((y0 + y1) / 2)
                mtext.append(f"{link_label} {_name(run, l - 1, i)} → {_name(run, l, j)} = {v:.4g}")
    images, nx, ny, ntext, ndata = [], [], [], [], []
    for (l, i), (x, y) in pos.items():
        if (l, i) in thumbs:
            images.append(dict(source=R.png_data_uri(thumbs[(l, i)]), x=x, y=y, xref="x", yref="y",
                               sizex=0.36, sizey=0.8, xanchor="center", yanchor="middle",
                               sizing="contain", layer="above"))
        nx.append(x)
        ny.append(y)
        ndata.append([l, i])
        info = _name(run, l, i)
        if l > 0:
            info += f"<br>bias = {float(net.b(l)[i]):.4g}<br>activation: {_act_label(run, l)}"
        ntext.append(info)
    sel = [k for k, d in enumerate(ndata) if selected is not None and tuple(d) == tuple(selected)]
    top = max(sizes) / 2.0
    fig = {
        "data": [
            {"type": "scatter", "x": mx, "y": my, "mode": "markers", "hoverinfo": "text",
             "text": mtext, "marker": {"size": 9, "opacity": 0}, "showlegend": False, "name": "links"},
            {"type": "scatter", "x": nx, "y": ny, "mode": "markers", "hoverinfo": "text",
             "text": ntext, "customdata": ndata, "showlegend": False, "name": "neurons",
             "marker": {"size": 40, "symbol": "square", "color": "rgba(0,0,0,0.01)",
                        "line": {"width": [3 if k in sel else 0 for k in range(len(nx))],
                                 "color": "#d62728"}},
             "selectedpoints": sel or None},
        ],
        "layout": {
            "shapes": shapes, "images": images, "height": height, "clickmode": "event+select",
            "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "hovermode": "closest",
            "xaxis": {"visible": False, "range": [-0.5, net.n_layers + 0.5], "fixedrange": True},
            "yaxis": {"visible": False, "range": [-top - 0.3, top + 0.3], "fixedrange": True},
            "annotations": [{"x": l, "y": top + 0.25, "text": _layer_title(run, l), "showarrow": False,
                             "xref": "x", "yref": "y", "font": {"size": 12}}
                            for l in range(net.n_layers + 1)],
            "plot_bgcolor": "white", "paper_bgcolor": "white",
        },
    }
    return fig


def _layer_title(run, l):
    if l == 0:
        return "Input"
    if l == run.net.n_layers:
        return "Output"
    return f"Hidden {l}"


def _act_label(run, l):
    if l == run.net.n_layers and run.net.loss == "cross_entropy":
        return "softmax"
    return ACTIVATIONS[run.net.activations[l - 1]].label


def _name(run, l, i):
    if l == 0:
        return F.label(run.features[i])
    if l == run.net.n_layers:
        return "output" if run.net.sizes[-1] == 1 else f"output {i}"
    return f"neuron {l}.{i + 1}"


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


def heatmap_chart(values: np.ndarray, title: str, height: int = 360) -> dict:
    """One neuron's output over the [-6, 6]^2 input plane."""
    n = values.shape[0]
    xs = np.linspace(-VIEW, VIEW, n).round(3).tolist()
    return {"data": [{"type": "heatmap", "z": values[::-1].tolist(), "x": xs, "y": xs,
                      "zmin": -1, "zmax": 1, "hovertemplate": "x₁ %{x}<br>x₂ %{y}<br>%{z:.3f}<extra></extra>",
                      "colorscale": [[0, ORANGE], [0.5, "#e8eaeb"], [1, BLUE]]}],
            "layout": {"height": height, "title": {"text": title}, "margin": {"l": 40, "r": 10, "t": 40, "b": 30},
                       "xaxis": {"title": {"text": "x₁"}}, "yaxis": {"title": {"text": "x₂"}, "scaleanchor": "x"}}}

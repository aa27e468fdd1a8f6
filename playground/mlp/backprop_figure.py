"""The computation graph of a :class:`playground.mlp.backprop.Trace`, as a Plotly figure dict.

Columns: the inputs, then for every layer a Σ node (z = Σ w·a + b) and an activation node
(a = f(z)), then the loss L with the target t. Weights are small diamonds on the links.
Above a node: its forward value (once step k has computed it); below it, in red: its gradient
∂L/∂(node) (once the backward pass has reached it). The nodes of the current step are ringed.
"""
from __future__ import annotations

import numpy as np

from .backprop import Trace, plain

BLUE, ORANGE, RED, GREY = "#0877bd", "#f59322", "#c0392b", "#9aa0a6"
HILITE = "#ff7f0e"


def _positions(sizes):
    """(column x, row y) of the Σ and f nodes; inputs at column 0."""
    pos = {}
    for l, n in enumerate(sizes):
        for j in range(n):
            y = (n - 1) / 2.0 - j
            if l == 0:
                pos[("a", 0, j)] = (0.0, y)
            else:
                pos[("z", l, j)] = (2.0 * l - 0.6, y)   # long links: room for weight labels
                pos[("a", l, j)] = (2.0 * l, y)
    return pos


def graph_height(sizes) -> int:
    """Pixels for a graph whose tallest layer has max(sizes) neurons (2 → 360, 3 → 460)."""
    return 160 + 100 * max(sizes)


def graph_figure(tr: Trace, k: int, height: int | None = None) -> dict:
    """The graph after ``k`` steps (0 = only the inputs known; len(steps) = all done).

    A weight's value (and, once known, its gradient in red) is written on a white label just
    before its diamond, on the side away from the Σ node it feeds, so it never covers a node."""
    sizes, L = tr.sizes, tr.n_layers
    height = height or graph_height(sizes)
    pos = _positions(sizes)
    loss_xy = (2.0 * L + 1.2, 0.0)
    cur = tr.steps[k - 1] if 0 < k <= len(tr.steps) else None
    shapes, texts = [], {"x": [], "y": [], "text": [], "color": [], "pos": []}
    wx, wy, wtext, whover, wcolor = [], [], [], [], []

    def link(p0, p1, color=GREY, width=1.5):
        shapes.append(dict(type="line", x0=p0[0] + 0.16, y0=p0[1], x1=p1[0] - 0.16, y1=p1[1],
                           line=dict(color=color, width=width), layer="below"))

    def label(x, y, text, color, where):
        texts["x"].append(x), texts["y"].append(y), texts["text"].append(text)
        texts["color"].append(color), texts["pos"].append(where)

    nodes = {"x": [], "y": [], "name": [], "hover": [], "ring": [], "fill": []}

    def node(key, name, hover, known, current):
        x, y = pos[key] if key in pos else loss_xy
        nodes["x"].append(x), nodes["y"].append(y), nodes["name"].append(name)
        nodes["hover"].append(hover), nodes["ring"].append(4 if current else 1)
        nodes["fill"].append("#ffffff" if not known else "#eaf3fb")

    def in_step(phase, layer, j=None):
        return cur is not None and cur.phase == phase and cur.layer == layer and (
            j is None or cur.index in (j, -1))

    for j in range(sizes[0]):
        g = tr.gradient_known(k, 0, j)
        name = tr.name(0, j)
        node(("a", 0, j), name, f"input {name} = {plain(tr.value(0, j))}"
             + (f"<br>∂L/∂{name} = {plain(tr.da(0, j))}" if g else ""), True, in_step("inputs", 0))
        x, y = pos[("a", 0, j)]
        label(x, y + 0.3, plain(tr.value(0, j)), "#222", "top center")
        if g:
            label(x, y - 0.3, plain(tr.da(0, j)), RED, "bottom center")

    for l in range(1, L + 1):
        W = tr.net.W(l)
        gW = tr.grads[l - 1][0]
        for j in range(sizes[l]):
            n = tr.name(l, j)
            f_known, g_known = tr.forward_known(k, l, j), tr.gradient_known(k, l, j)
            current = in_step("forward", l, j) or in_step("backward", l, j)
            zkey, akey = ("z", l, j), ("a", l, j)
            for i in range(sizes[l - 1]):
                p0, p1 = pos[("a", l - 1, i)], pos[zkey]
                w, gw = float(W[i, j]), float(gW[i, j])
                link(p0, p1, BLUE if w >= 0 else ORANGE, 1 + 3 * min(abs(w), 2.0) / 2.0)
                t = 0.72   # near the target: links into one neuron never share this point
                wx.append(p0[0] + t * (p1[0] - p0[0])), wy.append(p0[1] + t * (p1[1] - p0[1]))
                src = tr.name(l - 1, i)
                wtext.append(f"{plain(w)}" + (f"<br><span style='color:{RED}'>{plain(gw)}</span>"
                                                if g_known else ""))
                whover.append(f"w({src}→{n}) = {plain(w)}"
                              + (f"<br>∂L/∂w = {plain(gw)}" if g_known else "")
                              + (f"<br>after update: {plain(tr.new_params(l)[0][i, j])}"
                                 if tr.updated(k) else ""))
                wcolor.append(BLUE if w >= 0 else ORANGE)
            link(pos[zkey], pos[akey])
            b = float(tr.net.b(l)[j])
            node(zkey, f"Σ", f"z_{n} = Σ w·a + b = {plain(tr.pre(l, j))}<br>bias b_{n} = {plain(b)}"
                 + (f"<br>∂L/∂z_{n} = {plain(tr.dz(l, j))}" if g_known else ""), f_known, current)
            node(akey, n, f"{n} = {tr.act_label(l)}(z_{n}) = {plain(tr.value(l, j))}"
                 + (f"<br>∂L/∂{n} = {plain(tr.da(l, j))}" if g_known and np.isfinite(tr.da(l, j)) else ""),
                 f_known, current)
            for key, val, grad in ((zkey, tr.pre(l, j), tr.dz(l, j)), (akey, tr.value(l, j), tr.da(l, j))):
                x, y = pos[key]
                if f_known:
                    label(x, y + 0.3, plain(val), "#222", "top center")
                if g_known and np.isfinite(grad):
                    label(x, y - 0.3, plain(grad), RED, "bottom center")
            if l == L:
                link(pos[akey], loss_xy)

    loss_known = tr.loss_known(k)
    node("L", "L", f"loss L = {plain(tr.loss)}" + (f"<br>after the update: {plain(tr.loss_after)}"
                                                   if tr.updated(k) else ""),
         loss_known, in_step("loss", L))
    if loss_known:
        label(loss_xy[0], loss_xy[1] + 0.3, plain(tr.loss), "#222", "top center")
        label(loss_xy[0], loss_xy[1] - 0.3, "1", RED, "bottom center")
    tgt = "t = " + ", ".join(plain(v) for v in tr.t)
    label(loss_xy[0], loss_xy[1] + 0.75, tgt, "#555", "top center")

    top = max(sizes) / 2.0 + 0.25
    heads = [dict(x=0, y=top + 0.2, text="inputs")] + [
        dict(x=2.0 * l - 0.3, y=top + 0.2, text=("output" if l == L else f"hidden {l}")
             + f" ({tr.act_label(l)})") for l in range(1, L + 1)] + [
        dict(x=loss_xy[0], y=top + 0.2, text="loss")]
    return {
        "data": [
            {"type": "scatter", "x": wx, "y": wy, "mode": "markers", "customdata": wtext,
             "hovertext": whover, "hoverinfo": "text", "showlegend": False, "name": "weights",
             "marker": {"symbol": "diamond", "size": 9, "color": wcolor}},
            {"type": "scatter", "x": nodes["x"], "y": nodes["y"], "mode": "markers+text",
             "text": nodes["name"], "textfont": {"size": 13}, "hovertext": nodes["hover"],
             "hoverinfo": "text", "showlegend": False, "name": "nodes",
             "marker": {"size": 34, "color": nodes["fill"],
                        "line": {"width": nodes["ring"], "color": [HILITE if r > 1 else "#555"
                                                                    for r in nodes["ring"]]}}},
            {"type": "scatter", "x": texts["x"], "y": texts["y"], "mode": "text",
             "text": texts["text"], "textposition": texts["pos"], "hoverinfo": "skip",
             "textfont": {"size": 11, "color": texts["color"]}, "showlegend": False,
             "name": "values"},
        ],
        "layout": {
            "shapes": shapes, "height": height, "hovermode": "closest",
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {"visible": False, "range": [-0.6, loss_xy[0] + 0.7], "fixedrange": True},
            "yaxis": {"visible": False, "range": [-top - 0.15, top + 0.45], "fixedrange": True},
            "annotations": [dict(h, showarrow=False, xref="x", yref="y", font={"size": 12})
                            for h in heads] + [
                dict(x=x, y=y, text=t, showarrow=False, xref="x", yref="y", xanchor="right",
                     xshift=-7, font={"size": 10, "color": "#444"},
                     bgcolor="rgba(255,255,255,0.85)", borderpad=0)
                for x, y, t in zip(wx, wy, wtext)],
            "plot_bgcolor": "white", "paper_bgcolor": "white",
        },
    }


def update_table(tr: Trace) -> list[dict]:
    """One row per parameter: value, gradient, step and new value (for st.dataframe)."""
    rows = []
    for l in range(1, tr.n_layers + 1):
        (gW, gb), (nW, nb) = tr.grads[l - 1], tr.new_params(l)
        for j in range(tr.sizes[l]):
            n = tr.name(l, j)
            for i in range(tr.sizes[l - 1]):
                rows.append({"parameter": f"w({tr.name(l - 1, i)}→{n})", "value": float(tr.net.W(l)[i, j]),
                             "∂L/∂w": float(gW[i, j]), "−lr·∂L/∂w": -tr.lr * float(gW[i, j]),
                             "new value": float(nW[i, j])})
            rows.append({"parameter": f"b_{n}", "value": float(tr.net.b(l)[j]), "∂L/∂w": float(gb[j]),
                         "−lr·∂L/∂w": -tr.lr * float(gb[j]), "new value": float(nb[j])})
    return rows


def check_rows(tr: Trace, autograd: np.ndarray, finite: np.ndarray) -> list[dict]:
    """Engine vs torch.autograd vs finite differences, one row per parameter."""
    names = [r["parameter"] for r in update_table(tr)]
    order = []   # update_table lists per neuron; theta stores W row-major then b
    for l in range(1, tr.n_layers + 1):
        n_in, n_out = tr.sizes[l - 1], tr.sizes[l]
        base = sum(tr.sizes[m - 1] * tr.sizes[m] + tr.sizes[m] for m in range(1, l))
        for j in range(n_out):
            order += [base + i * n_out + j for i in range(n_in)] + [base + n_in * n_out + j]
    return [{"parameter": nm, "backprop (engine)": float(tr.grad[p]), "torch.autograd": float(autograd[p]),
             "finite differences": float(finite[p])} for nm, p in zip(names, order)]


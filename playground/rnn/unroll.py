"""The unroll view: the recurrent network drawn once per time step, with the values flowing through.

Column t shows the input x_t (bottom), the state after step t (middle: hidden units h_t, for
an LSTM also the cell c_t) and the read-out y_t (top). Arrows: x_t → state (W_ih), state_{t-1}
→ state_t (W_hh: the recurrence, the same weights at every step) and state → y_t (read-out).
"""
from __future__ import annotations

import numpy as np
import torch

from .figures import BLUE, DIVERGING, GREY, ORANGE, show_char

MAX_COLUMNS, MAX_UNITS = 6, 8
Y_IN, Y_STATE, Y_OUT = 0.0, 2.4, 4.8
UNIT_GAP = 0.26


def _arrow(x0, y0, x1, y1, color="#555", width=1.5):
    return {"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
            "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1, "arrowwidth": width,
            "arrowcolor": color, "text": ""}


def _label(x, y, text, size=11, color="#333", anchor="center"):
    return {"x": x, "y": y, "xref": "x", "yref": "y", "text": text, "showarrow": False,
            "font": {"size": size, "color": color}, "xanchor": anchor}


def _input_text(task, x_t: torch.Tensor) -> str:
    if task.n_in == 1 and not task.in_symbols:
        return f"{float(x_t[0]):+.2f}"
    return f"'{show_char(task.in_symbols[int(x_t.argmax())])}'"


def _output_text(task, out_t: torch.Tensor, scored: bool) -> tuple[str, str]:
    if task.kind == "regression":
        return f"{float(out_t[0]):+.2f}", BLUE
    p = torch.softmax(out_t, 0)
    k = int(p.argmax())
    text = f"'{show_char(task.out_symbols[k])}' {float(p[k]):.0%}"
    return (text, BLUE) if scored else (text + "<br><i>(not scored)</i>", GREY)


def unroll_figure(u, task, mask, layer: int = 0, height: int = 430) -> dict:
    """Figure for the first few steps of an :class:`inside.Unrolled` (layer ``layer``'s state)."""
    K = min(MAX_COLUMNS, u.T)
    h = u.h[layer][:K].numpy()
    H = h.shape[1]
    U = min(H, MAX_UNITS)
    lstm = u.kind == "lstm"
    cols = [("c", u.c[layer][:K].numpy()), ("h", h)] if lstm else [("h", h)]
    xs, ys, colors, hover = [], [], [], []
    shapes, ann = [], []
    half = (U - 1) / 2 * UNIT_GAP + 0.22
    offsets = (-0.13, 0.13) if lstm else (0.0,)
    for t in range(K):
        for (name, vals), dx in zip(cols, offsets):
            for j in range(U):
                xs.append(t + dx)
                ys.append(Y_STATE + (U - 1) / 2 * UNIT_GAP - j * UNIT_GAP)
                v = float(vals[t, j])
                colors.append(float(np.tanh(v)) if name == "c" else v)
                extra = ""
                if lstm:
                    g = u.gates[layer]
                    extra = (f"<br>gates: i={float(g['input'][t, j]):.2f} f={float(g['forget'][t, j]):.2f}"
                             f" o={float(g['output'][t, j]):.2f}")
                elif u.kind == "gru":
                    g = u.gates[layer]
                    extra = f"<br>gates: r={float(g['reset'][t, j]):.2f} z={float(g['update'][t, j]):.2f}"
                hover.append(f"{name}_{t} unit {j + 1} = {v:+.3f}{extra}")
        shapes.append({"type": "rect", "x0": t - 0.3, "x1": t + 0.3, "y0": Y_STATE - half,
                       "y1": Y_STATE + half, "line": {"color": "#888", "width": 1},
                       "fillcolor": "rgba(0,0,0,0)", "layer": "below"})
        ann.append(_label(t, Y_STATE + half + 0.12, ("c | h" if lstm else "h") + f"<sub>{t}</sub>", 11))
        # input and output boxes
        ann.append(_label(t, Y_IN, f"x<sub>{t}</sub> = {_input_text(task, u.x[t])}", 12))
        text, color = _output_text(task, u.out[t], bool(mask[t]))
        ann.append(_label(t, Y_OUT, f"y<sub>{t}</sub> = {text}", 12, color))
        ann.append(_arrow(t, Y_IN + 0.25, t, Y_STATE - half - 0.05))
        ann.append(_arrow(t, Y_STATE + half + 0.35, t, Y_OUT - 0.3))
        ann.append(_arrow(t - 1 + 0.32 if t else -0.62, Y_STATE, t - 0.32, Y_STATE, BLUE, 2.5))
        if lstm:
            ann.append(_arrow(t - 1 + 0.32 if t else -0.62, Y_STATE + half - 0.1, t - 0.32,
                              Y_STATE + half - 0.1, ORANGE, 2.5))
    ann.append(_label(-0.62, Y_STATE - 0.3, "start:<br>all 0", 10, GREY, "left"))
    ann.append(_label(0.5, Y_STATE - 0.42, "W<sub>hh</sub>:<br>the same<br>every step", 10, BLUE))
    ann.append(_label(0.12, (Y_IN + Y_STATE - half) / 2, "W<sub>ih</sub>", 10, "#555", "left"))
    ann.append(_label(0.12, (Y_STATE + half + Y_OUT) / 2, "read-out", 10, "#555", "left"))
    if lstm:
        ann.append(_label(0.5, Y_STATE + half + 0.3, "cell c<br>× forget gate", 10, ORANGE))
    if U < H:
        ann.append(_label(K - 0.7, Y_IN - 0.55, f"first {U} of {H} units shown", 10, GREY))
    trace = {"type": "scatter", "mode": "markers", "x": xs, "y": ys, "text": hover,
             "hoverinfo": "text", "showlegend": False,
             "marker": {"symbol": "square", "size": 15, "color": np.round(colors, 3).tolist(),
                        "cmin": -1, "cmax": 1, "colorscale": DIVERGING,
                        "line": {"width": 0.5, "color": "#777"},
                        "colorbar": {"title": {"text": "value"}, "len": 0.6, "thickness": 12}}}
    return {"data": [trace], "layout": {
        "height": height, "shapes": shapes, "annotations": ann, "dragmode": False,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "hovermode": "closest",
        "xaxis": {"visible": False, "range": [-0.8, K - 0.4], "fixedrange": True},
        "yaxis": {"visible": False, "range": [Y_IN - 0.8, Y_OUT + 0.5], "fixedrange": True},
        "plot_bgcolor": "white", "paper_bgcolor": "white"}}

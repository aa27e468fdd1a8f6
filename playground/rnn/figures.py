"""Plotly figures (plain dicts) for the recurrent-networks page: small payloads, no Streamlit."""
from __future__ import annotations

import numpy as np

from ..mlp import figures as G

BLUE, ORANGE, GREY = G.BLUE, G.ORANGE, "#9aa0a6"
DIVERGING = [[0, ORANGE], [0.5, "#f4f5f6"], [1, BLUE]]
SEQUENTIAL = [[0, "#f4f5f6"], [1, BLUE]]
GATE_LABELS = {"input": "input gate i (how much new to write)",
               "forget": "forget gate f (how much of the cell to keep)",
               "output": "output gate o (how much of the cell to show)",
               "reset": "reset gate r (how much of the past to use for the candidate)",
               "update": "update gate z (how much of the old state to keep)"}
SHOWN_GATES = {"lstm": ("input", "forget", "output"), "gru": ("reset", "update")}


def _r(a, digits: int = 3) -> list:
    """Rounded nested lists with None for NaN / inf (JSON-safe and small)."""
    a = np.round(np.asarray(a, dtype=float), digits)
    return np.where(np.isfinite(a), a, None).tolist()


def show_char(ch: str) -> str:
    return {"\n": "↵", " ": "␣"}.get(ch, ch)


def step_labels(task, tokens=None, values=None) -> list[str]:
    """Axis labels per time step: "t: symbol" (or the input value)."""
    if tokens is not None:
        return [f"{t}: {show_char(task.in_symbols[k])}" for t, k in enumerate(tokens)]
    return [f"{t}: {v:+.2f}" for t, v in enumerate(values)]


def loss_figure(history, chance: float | None = None, height: int = 240) -> dict:
    """Training (solid) and test (dotted) loss per training step; dashed: without memory."""
    fig = G.loss_chart({"": history}, height=height)
    fig["layout"]["xaxis"]["title"]["text"] = "training step"
    if len(history) == 1:  # a line needs two points: show the first one as a dot
        for trace in fig["data"]:
            trace["mode"] = "markers"
    if chance is not None and np.isfinite(chance) and history:
        fig["data"].append({"type": "scatter", "mode": "lines", "name": "without memory",
                            "x": [history[0][0], max(history[-1][0], 1)], "y": [chance, chance],
                            "line": {"color": GREY, "dash": "dash", "width": 1}})
    return fig


def forecast_figure(p: dict, height: int = 260) -> dict:
    """Sines: the input window, the noise-free signal, the true future value and the forecast."""
    T, h = len(p["input"]), p["horizon"]
    t_in, t_out = list(range(T)), list(range(h, T + h))
    return {"data": [
        {"type": "scatter", "mode": "lines", "x": list(range(T + h)), "y": _r(p["clean"]),
         "name": "signal without noise", "line": {"color": GREY, "dash": "dot", "width": 1}},
        {"type": "scatter", "mode": "markers", "x": t_in, "y": _r(p["input"]), "name": "input x_t",
         "marker": {"color": GREY, "size": 4}},
        {"type": "scatter", "mode": "lines", "x": t_out, "y": _r(p["truth"]),
         "name": f"truth x_(t+{h})", "line": {"color": "#333333", "width": 1.5}},
        {"type": "scatter", "mode": "lines", "x": t_out, "y": _r(p["prediction"]),
         "name": "forecast", "line": {"color": BLUE, "width": 2.5}}],
        "layout": {"height": height, "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
                   "xaxis": {"title": {"text": "time step"}}, "yaxis": {"range": [-1.8, 1.8]},
                   "legend": {"orientation": "h", "y": 1.15}, "uirevision": "forecast"}}


def memory_figure(overview: dict, symbols, height: int = 240) -> dict:
    """Memory task: predicted probability per symbol for 16 test sequences; ✕ marks the truth."""
    probs, truth = overview["probs"], overview["truth"]
    n = len(truth)
    return {"data": [
        {"type": "heatmap", "z": _r(probs.T, 2), "x": list(range(1, n + 1)), "y": list(symbols),
         "zmin": 0, "zmax": 1, "colorscale": SEQUENTIAL, "colorbar": {"title": {"text": "p"}, "len": 0.8},
         "hovertemplate": "sequence %{x}<br>p(%{y}) = %{z}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "x": list(range(1, n + 1)),
         "y": [symbols[int(k)] for k in truth], "name": "right answer",
         "marker": {"symbol": "x-thin", "size": 12, "line": {"width": 2, "color": "#d62728"}},
         "hovertemplate": "sequence %{x}: right answer %{y}<extra></extra>"}],
        "layout": {"height": height, "margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "showlegend": False,
                   "xaxis": {"title": {"text": "test sequence"}, "dtick": 1, "range": [0.5, n + 0.5]},
                   "yaxis": {"title": {"text": "answer"}, "autorange": "reversed"}}}


def chars_figure(p: dict, vocab, height: int = 200, max_steps: int = 60) -> dict:
    """Characters: the true next character and the model's top guess per step, coloured by p."""
    probs, truth = p["probs"][:max_steps], np.asarray(p["truth"][:max_steps])
    guess = probs.argmax(1)
    p_truth = probs[np.arange(len(truth)), truth]
    p_guess = probs[np.arange(len(truth)), guess]
    text = [[show_char(vocab[k]) for k in truth], [show_char(vocab[k]) for k in guess]]
    return {"data": [{"type": "heatmap", "z": [_r(p_truth, 2), _r(p_guess, 2)], "text": text,
                      "texttemplate": "%{text}", "x": list(range(len(truth))),
                      "y": ["true next", "model's guess"], "zmin": 0, "zmax": 1,
                      "colorscale": SEQUENTIAL, "colorbar": {"title": {"text": "p"}, "len": 0.9},
                      "hovertemplate": "step %{x}: %{y} '%{text}' with p = %{z}<extra></extra>"}],
            "layout": {"height": height, "margin": {"l": 100, "r": 10, "t": 10, "b": 30},
                       "xaxis": {"title": {"text": "time step"}}, "yaxis": {"autorange": "reversed"}}}


def state_heatmap(values, labels, title: str, zrange=(-1, 1), height: int = 300) -> dict:
    """Units (rows) × time steps (columns)."""
    v = np.asarray(values, dtype=float)  # (T, H)
    z0, z1 = zrange
    scale = DIVERGING if z0 < 0 else SEQUENTIAL
    return {"data": [{"type": "heatmap", "z": _r(v.T), "x": list(labels),
                      "y": [f"unit {j + 1}" for j in range(v.shape[1])], "zmin": z0, "zmax": z1,
                      "colorscale": scale, "colorbar": {"len": 0.9, "thickness": 12},
                      "hovertemplate": "%{y}<br>step %{x}<br>%{z}<extra></extra>"}],
            "layout": {"height": height, "title": {"text": title, "font": {"size": 14}},
                       "margin": {"l": 60, "r": 10, "t": 36, "b": 60},
                       "xaxis": {"title": {"text": "time step: input"}, "type": "category",
                                 "tickangle": -45, "nticks": 30},
                       "yaxis": {"autorange": "reversed"}}}


def gates_figure(gates: dict, kind: str, labels, height_per: int = 170) -> dict:
    """LSTM input/forget/output (GRU reset/update) gate activations, 0..1, stacked."""
    names = SHOWN_GATES[kind]
    k = len(names)
    data, layout = [], {"height": height_per * k + 40, "margin": {"l": 60, "r": 10, "t": 30, "b": 60},
                        "annotations": []}
    gap = 0.08
    size = (1 - gap * (k - 1)) / k
    for n, name in enumerate(names):
        v = np.asarray(gates[name], float)
        ax = "" if n == 0 else str(n + 1)
        top = 1 - n * (size + gap)
        data.append({"type": "heatmap", "z": _r(v.T, 2), "x": list(labels),
                     "y": [f"unit {j + 1}" for j in range(v.shape[1])], "zmin": 0, "zmax": 1,
                     "colorscale": SEQUENTIAL, "showscale": n == 0, "xaxis": f"x{ax}", "yaxis": f"y{ax}",
                     "colorbar": {"len": 0.5, "thickness": 12, "y": 1, "yanchor": "top"},
                     "hovertemplate": f"{name} gate<br>%{{y}}<br>step %{{x}}<br>%{{z}}<extra></extra>"})
        layout[f"xaxis{ax}"] = {"type": "category", "showticklabels": n == k - 1, "tickangle": -45,
                                "nticks": 30, "anchor": f"y{ax}",
                                **({"matches": "x"} if n else {})}
        layout[f"yaxis{ax}"] = {"domain": [round(max(top - size, 0.0), 4), round(min(top, 1.0), 4)],
                                "autorange": "reversed",
                                "showticklabels": False, "anchor": f"x{ax}"}
        layout["annotations"].append({"text": GATE_LABELS[name], "x": 0, "xref": "paper", "y": top,
                                      "yref": "paper", "yanchor": "bottom", "showarrow": False,
                                      "xanchor": "left", "font": {"size": 12}})
    return {"data": data, "layout": layout}


def _sig(a, floor: float = 1e-30) -> list:
    """Positive values for a log axis, 4 significant digits (tiny gradients keep their digits)."""
    a = np.maximum(np.nan_to_num(np.asarray(a, dtype=float), nan=floor, posinf=1e30), floor)
    return [float(f"{v:.4g}") for v in a]


def gradient_figure(norms: dict, at: int, labels, pinned=(), height: int = 300) -> dict:
    """‖∂loss/∂x_t‖ (bars) and ‖∂loss/∂h_t‖ (line) per earlier time step, on a log axis."""
    dx, dh = norms["dx"], norms["dh"]
    back = [at - t for t in range(len(dx))]
    data = [{"type": "bar", "x": list(labels), "y": _sig(dx), "name": "‖∂loss/∂x_t‖ input",
             "marker": {"color": BLUE}, "customdata": back,
             "hovertemplate": "%{x} (%{customdata} steps before the loss)<br>"
                              "‖∂loss/∂x_t‖ = %{y:.3g}<extra></extra>"},
            {"type": "scatter", "mode": "lines", "x": list(labels), "y": _sig(dh),
             "name": "‖∂loss/∂h_t‖ hidden state (layer 1)", "line": {"color": ORANGE, "width": 2},
             "hovertemplate": "%{x}<br>‖∂loss/∂h_t‖ = %{y:.3g}<extra></extra>"}]
    for name, values in pinned:
        v = np.asarray(values, float)[-len(labels):]
        pad = len(labels) - len(v)
        data.append({"type": "scatter", "mode": "lines", "x": list(labels)[pad:],
                     "y": _sig(v), "name": f"pinned: {name}",
                     "line": {"dash": "dot", "width": 2}})
    return {"data": data, "layout": {
        "height": height, "margin": {"l": 50, "r": 10, "t": 36, "b": 60}, "bargap": 0.15,
        "xaxis": {"title": {"text": "time step: input"}, "type": "category", "tickangle": -45, "nticks": 30},
        "yaxis": {"type": "log", "title": {"text": "gradient size"}, "exponentformat": "power"},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"}}}


# ---- captions that depend on the task and the cell (only what holds for that task) -----------
def hidden_caption(task: str) -> str:
    what = {"memory": "Watch which units switch on at the symbol that matters (step 0) and hold "
                      "their value while the distractors pass by.",
            "sines": "Watch the units follow the wave: a unit that keeps a slow, smooth pattern "
                     "is carrying the phase of the signal forward to the forecast.",
            "chars": "Watch units switch on at spaces, vowels or repeated letters: some track "
                     "where the model is inside a word."}.get(task, "")
    return "Each column is the memory after reading that step's input (orange −1 … blue +1). " + what


def gates_caption(kind: str, task: str) -> str:
    if kind == "lstm":
        keep = ("keeps its forget gate near 1 and its input gate shut while distractors pass by"
                if task == "memory" else "keeps its forget gate near 1 for what it must carry "
                "forward, and opens its input gate where new input matters")
        return f"An LSTM that remembers {keep}."
    return ("A GRU that remembers keeps its update gate near 1: the new state is then mostly the "
            "old one.")

"""Plotly figures (plain dicts) for the pretrained-vision pages."""
from __future__ import annotations

import numpy as np

BLUE, ORANGE, GREEN, RED, GREY = "#0877bd", "#f59322", "#2ca02c", "#d62728", "#9e9e9e"
_LAYOUT = {"margin": {"l": 10, "r": 20, "t": 40, "b": 40}, "template": "plotly_white",
           "font": {"size": 13}}


def topk_bar(rows: list[tuple[int, str, float]], title: str = "Top-5 classes",
             highlight: int | None = None, height: int = 260) -> dict:
    """Horizontal bars, best on top; ``rows`` = (class index, name, probability).
    The bar of class ``highlight`` (e.g. the true class) is orange."""
    rows = list(rows)[::-1]
    colors = [ORANGE if r[0] == highlight else BLUE for r in rows]
    return {
        "data": [{"type": "bar", "orientation": "h", "x": [r[2] for r in rows],
                  "y": [f"{r[1]} " for r in rows], "marker": {"color": colors},
                  "text": [f"{r[2]:.1%}" for r in rows], "textposition": "auto",
                  "customdata": [r[0] for r in rows],
                  "hovertemplate": "%{y}: %{x:.2%} (class %{customdata})<extra></extra>"}],
        "layout": {**_LAYOUT, "title": {"text": title}, "height": height,
                   "xaxis": {"range": [0, 1], "tickformat": ".0%",
                             "title": {"text": "probability"}},
                   "yaxis": {"automargin": True}},
    }


def confidence_curve(levels, probs, unit: str, class_name: str, still_top1=None,
                     current=None, height: int = 320) -> dict:
    """The true class's probability as a corruption grows; green dots where it is still the
    model's top-1 answer, red where the model changed its mind."""
    levels, probs = [float(v) for v in levels], [float(p) for p in probs]
    ok = list(still_top1) if still_top1 is not None else [True] * len(levels)
    data = [{"type": "scatter", "mode": "lines+markers", "x": levels, "y": probs,
             "name": f"P({class_name})", "line": {"color": BLUE, "width": 3},
             "marker": {"size": 11, "color": [GREEN if o else RED for o in ok],
                        "line": {"width": 1, "color": "white"}},
             "customdata": ["still top-1" if o else "no longer top-1" for o in ok],
             "hovertemplate": unit + " %{x}: %{y:.1%} (%{customdata})<extra></extra>"}]
    shapes = []
    if current is not None:
        shapes.append({"type": "line", "x0": float(current), "x1": float(current), "y0": 0,
                       "y1": 1, "yref": "paper", "line": {"color": ORANGE, "dash": "dot"}})
    return {"data": data,
            "layout": {**_LAYOUT, "height": height, "shapes": shapes, "showlegend": False,
                       "title": {"text": f"Confidence in “{class_name}” as the corruption "
                                         "grows"},
                       "xaxis": {"title": {"text": unit},   # severity grows to the right
                                 "autorange": "reversed" if levels[-1] < levels[0] else True},
                       "yaxis": {"range": [0, 1.02], "tickformat": ".0%",
                                 "title": {"text": "probability"}}}}


def class_share_bar(shares: list[tuple[int, str, float]], palette: np.ndarray,
                    height: int | None = None) -> dict:
    """Legend of a segmentation: one bar per class found, in its mask colour, length = share."""
    rows = list(shares)[::-1]
    cols = ["#{:02x}{:02x}{:02x}".format(*[int(v) for v in palette[i]]) for i, _, _ in rows]
    return {
        "data": [{"type": "bar", "orientation": "h", "x": [r[2] for r in rows],
                  "y": [f"{r[1]} " for r in rows],
                  "marker": {"color": cols, "line": {"color": "#555", "width": 1}},
                  "text": [f"{r[2]:.1%}" for r in rows], "textposition": "auto",
                  "hovertemplate": "%{y}: %{x:.1%} of the pixels<extra></extra>"}],
        "layout": {**_LAYOUT, "title": {"text": "Legend: classes found (share of pixels)"},
                   "height": height or 120 + 28 * max(len(rows), 1),
                   "xaxis": {"range": [0, 1], "tickformat": ".0%"},
                   "yaxis": {"automargin": True}},
    }


def climb_chart(history, start: float, height: int = 240) -> dict:
    """Feature visualisation: the channel's mean activation at each optimisation step (on the
    jittered image), with the starting grey image's value as a dashed line."""
    steps = list(range(1, len(history) + 1))
    return {"data": [{"type": "scatter", "mode": "lines", "x": steps, "y": [float(v) for v in history],
                      "line": {"color": BLUE, "width": 2}, "name": "activation",
                      "hovertemplate": "step %{x}: %{y:.3g}<extra></extra>"}],
            "layout": {**_LAYOUT, "height": height, "showlegend": False,
                       "title": {"text": "The channel's mean activation while the image is optimised"},
                       "xaxis": {"title": {"text": "optimisation step"}},
                       "yaxis": {"title": {"text": "mean activation"}},
                       "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": start,
                                   "y1": start, "line": {"dash": "dash", "color": GREY}}],
                       "annotations": [{"xref": "paper", "x": 0.01, "y": start, "yanchor": "bottom",
                                        "text": "grey start image", "showarrow": False,
                                        "font": {"color": GREY, "size": 11}}]}}

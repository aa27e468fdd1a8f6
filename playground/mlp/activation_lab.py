"""Activation-function lab: f and f' over a range, where f' saturates, and one neuron.

Everything uses the :class:`playground.mlp.activations.Activation` objects, i.e. the very formulas
the training kernel runs. Saturation is measured numerically: the parts of the range where
|f'(x)| < ``SATURATED`` (default 0.05). Figures are plain Plotly dicts (see figures.py).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from .. import query as Q
from . import activations as A

SATURATED = 0.05          # |f'| below this counts as saturated (the gradient almost vanishes)
N_POINTS = 801            # samples of the range for curves and saturation intervals
RANGE_LIMIT = 20.0        # the x range may go from -20 to 20
DEFAULTS = {"acts": ["relu", "tanh", "sigmoid"], "lo": -6.0, "hi": 6.0,
            "neuron": "tanh", "w": 1.0, "b": 0.0, "x": 1.0, "layers": 10}
W_LIMIT, X_LIMIT, MAX_LAYERS = 10.0, 10.0, 50
COLORS = ["#0877bd", "#f59322", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#17becf"]


def curve(key: str, lo: float, hi: float, n: int = N_POINTS):
    """(x, f(x), f'(x)) on n evenly spaced points of [lo, hi]."""
    act = A.get(key)
    x = np.linspace(float(lo), float(hi), int(n))
    y = np.asarray(act.f(x), dtype=float)
    return x, y, np.asarray(act.df(x, y), dtype=float)


def saturation_intervals(x: np.ndarray, dy: np.ndarray, thresh: float = SATURATED) -> list:
    """The maximal runs of x where |f'(x)| < thresh, as [(start, end), ...] in x order.

    A boundary between a saturated and a free sample is placed where f' crosses the threshold
    (linear interpolation), so the result does not depend much on the sampling."""
    low = np.abs(dy) < thresh
    out, i, n = [], 0, len(x)
    while i < n:
        if not low[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and low[j + 1]:
            j += 1
        start = x[i] if i == 0 else _cross(x[i - 1], x[i], abs(dy[i - 1]), abs(dy[i]), thresh)
        end = x[j] if j == n - 1 else _cross(x[j], x[j + 1], abs(dy[j]), abs(dy[j + 1]), thresh)
        out.append((float(start), float(end)))
        i = j + 1
    return out


def _cross(x0, x1, d0, d1, thresh):
    if not np.isfinite(d0 - d1) or d0 == d1:
        return (x0 + x1) / 2
    t = min(max((thresh - d0) / (d1 - d0), 0.0), 1.0)
    return x0 + t * (x1 - x0)


def _num(v: float) -> str:
    return f"{v:.2g}".replace("-", "−") if abs(v) < 10 else f"{v:.3g}".replace("-", "−")


def describe_intervals(intervals: list, lo: float, hi: float) -> str:
    """'x < −2.3 and x > 2.3' style text (|x| > a when the two ends are symmetric)."""
    tiny = 0.005 * (hi - lo)  # a boundary this close to 0 is the kink at 0 (ReLU family)
    intervals = [tuple(0.0 if abs(v) < tiny else v for v in iv) for iv in intervals]
    parts = []
    if (len(intervals) == 2 and intervals[0][0] <= lo + 1e-9 and intervals[1][1] >= hi - 1e-9
            and abs(intervals[0][1] + intervals[1][0]) < 0.02 * (hi - lo)):
        return f"|x| > {_num((intervals[1][0] - intervals[0][1]) / 2)}"
    for a, b in intervals:
        if a <= lo + 1e-9 and b >= hi - 1e-9:
            parts.append("the whole range")
        elif a <= lo + 1e-9:
            parts.append(f"x < {_num(b)}")
        elif b >= hi - 1e-9:
            parts.append(f"x > {_num(a)}")
        else:
            parts.append(f"{_num(a)} < x < {_num(b)}")
    return " and ".join(parts)


def saturation_text(key: str, lo: float, hi: float, thresh: float = SATURATED) -> str:
    """Two or three plain sentences, generated from the numbers: where f' is tiny, what it means."""
    act = A.get(key)
    x, _, dy = curve(key, lo, hi)
    ivs = saturation_intervals(x, dy, thresh)
    share = float(np.mean(np.abs(dy) < thresh))
    rng = f"[{_num(lo)}, {_num(hi)}]"
    if not ivs:
        low = float(np.abs(dy).min())
        return (f"**{act.label}**: f′ ≥ {thresh:g} everywhere in {rng} (smallest {low:.2g}): it "
                "does not saturate here, so gradients always pass through.")
    flat = (" f′ is exactly 0 there: a neuron whose input stays in that region gets no gradient "
            "at all and stops learning." if np.any(dy[np.abs(dy) < thresh] == 0) else
            f" A neuron whose input z lands there passes on less than {thresh:g}× the gradient, "
            "so its weights (and every layer before it) learn very slowly.")
    return (f"**{act.label}**: f′ < {thresh:g} for {describe_intervals(ivs, lo, hi)} "
            f"({share:.0%} of {rng}).{flat}")


def max_slope(key: str, lo: float, hi: float) -> float:
    """max |f'(x)| over [lo, hi] (sampled)."""
    return float(np.abs(curve(key, lo, hi)[2]).max())


def stacked_text(key: str, lo: float, hi: float, layers: int) -> str:
    """What max |f'| means through ``layers`` stacked layers (the activation's share only)."""
    act, m = A.get(key), max_slope(key, lo, hi)
    g = m ** int(layers)
    if m < 0.999:
        verdict = "the gradient reaching the first layer vanishes" if g < 1e-3 else "it shrinks"
    elif m <= 1.001:
        verdict = "the activation itself neither shrinks nor grows it (the weights still can)"
    else:
        verdict = "it can grow (explode) unless the weights keep it in check"
    return (f"{act.label}: max |f′| = {m:.3g}, so through {layers} stacked layers the activations "
            f"multiply the gradient by at most {m:.3g}^{layers} = {g:.2g}: {verdict}.")


def neuron(key: str, w: float, b: float, x: float) -> dict:
    """One neuron with one input: z = w·x + b, a = f(z), and the local slope f'(z)."""
    act = A.get(key)
    z = float(w) * float(x) + float(b)
    a = float(act.f(np.float64(z)))
    return {"z": z, "a": a, "slope": float(act.df(np.float64(z), np.float64(a)))}


# ---- URL state ---------------------------------------------------------------------------

def _float(raw, lo, hi):
    v = float(raw)
    if not np.isfinite(v):
        raise ValueError
    return float(min(max(v, lo), hi))


def from_query(query: Mapping[str, str]) -> tuple[dict, list[str]]:
    """Page values from URL parameters; unknown or bad ones are dropped with a warning."""
    values, warnings = {}, []
    if "acts" in query:
        keys = [k for k in str(query["acts"]).split(",") if k]
        bad = [k for k in keys if k not in A.ACTIVATIONS]
        good = [k for k in keys if k in A.ACTIVATIONS]
        if bad:
            warnings.append(f"Unknown activation(s) in the address bar ignored: {Q.quote(','.join(bad))}.")
        if good:
            values["acts"] = list(dict.fromkeys(good))
    if "neuron" in query:
        if query["neuron"] in A.ACTIVATIONS:
            values["neuron"] = query["neuron"]
        else:
            warnings.append(f"Unknown activation neuron={Q.quote(query['neuron'])} ignored.")
    limits = {"lo": (-RANGE_LIMIT, RANGE_LIMIT), "hi": (-RANGE_LIMIT, RANGE_LIMIT),
              "w": (-W_LIMIT, W_LIMIT), "b": (-W_LIMIT, W_LIMIT), "x": (-X_LIMIT, X_LIMIT),
              "layers": (1, MAX_LAYERS)}
    for k, (a, b) in limits.items():
        if k not in query:
            continue
        try:
            v = _float(query[k], a, b)
        except (TypeError, ValueError):
            warnings.append(f"Ignored the address-bar setting {k}={Q.quote(query[k])} (not a number).")
            continue
        if v != float(query[k]):
            warnings.append(f"Address-bar setting {k}={Q.quote(query[k])} is out of range; using {v:g}.")
        values[k] = int(v) if k == "layers" else v
    lo, hi = values.get("lo", DEFAULTS["lo"]), values.get("hi", DEFAULTS["hi"])
    if lo >= hi:
        warnings.append("The range needs lo < hi; using the default range.")
        values.pop("lo", None)
        values.pop("hi", None)
    return values, warnings


def to_query(values: Mapping) -> dict:
    """The values that differ from the defaults, as URL strings."""
    q = {}
    for k, default in DEFAULTS.items():
        v = values.get(k, default)
        if k == "acts":
            v = list(v)
            if v != default:
                q[k] = ",".join(v)
        elif v != default:
            q[k] = v if isinstance(v, str) else f"{v:g}"
    return q


# ---- figures -----------------------------------------------------------------------------

def _axis(title, **kw):
    return dict(title=dict(text=title), zeroline=True, zerolinecolor="#bbb", gridcolor="#eee", **kw)


def activation_figure(key: str, lo: float, hi: float, color: str = COLORS[0],
                      height: int = 300) -> dict:
    """f (solid) and f' (dashed) of one activation, saturated parts of x shaded grey."""
    act = A.get(key)
    x, y, dy = curve(key, lo, hi)
    shapes = [dict(type="rect", xref="x", yref="paper", x0=a, x1=b, y0=0, y1=1, layer="below",
                   fillcolor="rgba(120,120,120,0.16)", line=dict(width=0))
              for a, b in saturation_intervals(x, dy)]
    xs = np.round(x, 4).tolist()
    data = [
        dict(type="scatter", x=xs, y=np.round(y, 5).tolist(), mode="lines", name="f(x)",
             line=dict(color=color, width=2.5), hovertemplate="x=%{x:.3g}<br>f=%{y:.4g}<extra></extra>"),
        dict(type="scatter", x=xs, y=np.round(dy, 5).tolist(), mode="lines", name="f′(x)",
             line=dict(color=color, width=2, dash="dash"),
             hovertemplate="x=%{x:.3g}<br>f′=%{y:.4g}<extra></extra>"),
    ]
    layout = dict(title=dict(text=f"{act.label}", x=0.02), height=height, shapes=shapes,
                  margin=dict(l=40, r=10, t=40, b=35), xaxis=_axis("x", range=[lo, hi]),
                  yaxis=_axis(""), legend=dict(orientation="h", x=1, xanchor="right", y=1.12),
                  plot_bgcolor="white", hovermode="x unified")
    return {"data": data, "layout": layout}


def compare_figure(keys: list, lo: float, hi: float, height: int = 340) -> dict:
    """All chosen activations together: f on the left, f' on the right."""
    data = []
    for i, key in enumerate(keys):
        x, y, dy = curve(key, lo, hi, 401)
        c, label = COLORS[i % len(COLORS)], A.get(key).label
        xs = np.round(x, 4).tolist()
        data.append(dict(type="scatter", x=xs, y=np.round(y, 5).tolist(), mode="lines", name=label,
                         legendgroup=key, line=dict(color=c, width=2), xaxis="x", yaxis="y"))
        data.append(dict(type="scatter", x=xs, y=np.round(dy, 5).tolist(), mode="lines", name=label,
                         legendgroup=key, showlegend=False, line=dict(color=c, width=2),
                         xaxis="x2", yaxis="y2"))
    data.append(dict(type="scatter", x=[lo, hi], y=[SATURATED, SATURATED], mode="lines",
                     name=f"f′ = {SATURATED:g}", line=dict(color="#999", dash="dot", width=1),
                     xaxis="x2", yaxis="y2", hoverinfo="skip"))
    layout = dict(height=height, margin=dict(l=40, r=10, t=40, b=35), plot_bgcolor="white",
                  xaxis=_axis("x", domain=[0, 0.47], range=[lo, hi]), yaxis=_axis("f(x)"),
                  xaxis2=_axis("x", domain=[0.53, 1], range=[lo, hi]),
                  yaxis2=_axis("f′(x)", anchor="x2"), legend=dict(orientation="h", y=1.15),
                  hovermode="x unified")
    return {"data": data, "layout": layout}


def neuron_figure(key: str, w: float, b: float, x0: float, height: int = 320) -> dict:
    """a = f(w·x + b) over x in [-X_LIMIT, X_LIMIT], the chosen input x0 marked."""
    act = A.get(key)
    x = np.linspace(-X_LIMIT, X_LIMIT, 401)
    a = act.f(w * x + b)
    out = neuron(key, w, b, x0)
    data = [dict(type="scatter", x=np.round(x, 4).tolist(), y=np.round(a, 5).tolist(), mode="lines",
                 name=f"a = f({w:g}·x + {b:g})", line=dict(color=COLORS[0], width=2.5)),
            dict(type="scatter", x=[x0], y=[out["a"]], mode="markers+text", name="your input",
                 marker=dict(size=12, color=COLORS[1], line=dict(color="black", width=1)),
                 text=[f"x={x0:g} → a={out['a']:.3g}"], textposition="top left")]
    layout = dict(height=height, margin=dict(l=40, r=10, t=40, b=35), plot_bgcolor="white",
                  title=dict(text=f"One {act.label} neuron: a = f(w·x + b)", x=0.02),
                  xaxis=_axis("input x", range=[-X_LIMIT, X_LIMIT]), yaxis=_axis("output a"),
                  showlegend=False)
    return {"data": data, "layout": layout}

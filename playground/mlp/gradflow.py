"""Gradient flow: how big each layer's gradient is, and how much each update moves its weights.

Backpropagation multiplies by W and by f'(z) once per layer on the way down. When those factors
are mostly below 1 (sigmoid: f' ≤ 0.25) the gradient shrinks layer after layer and the first
layers stop learning (vanishing gradients); when they are above 1 (large weights) it grows
(exploding gradients). This module measures both on a real network with the engine's own
gradient, so a page can chart them live.

* gradient size of layer l: the root-mean-square of ∂L/∂W_l over the whole training set;
* update ratio of layer l: how far one optimizer step moves W_l, relative to W_l's size,
  ‖ΔW_l‖ / ‖W_l‖ per step (≈ 1e-3 is the rule-of-thumb healthy value).
"""
from __future__ import annotations

import numpy as np

from .network import Network

HISTORY_MAX = 300          # points kept per curve (older ones are thinned out)
TINY = 1e-30               # floor for log scales
EXPLODING = 10.0           # an RMS gradient above this per weight counts as exploding


def layer_gradients(net: Network, X, T, reg: str = "none", reg_rate: float = 0.0):
    """[(∂L/∂W_l, ∂L/∂b_l) for l = 1..L] over all rows of X, from the engine."""
    _, g = net.gradient(X, T, reg, reg_rate)
    return net.split(g)


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(a)))) if a.size else 0.0


def gradient_sizes(grads) -> np.ndarray:
    """RMS of each layer's weight gradient."""
    return np.array([rms(gW) for gW, _ in grads])


class FlowHistory:
    """Per-layer gradient sizes and update ratios recorded over training."""

    def __init__(self, net: Network):
        self.n_layers = net.n_layers
        self.epochs: list[int] = []
        self.grad: list[np.ndarray] = []     # one (L,) array per record
        self.ratio: list[np.ndarray] = []    # one (L,) array per record (NaN at the start)
        self.last_grads = None               # per-layer (gW, gb) of the latest record
        self._prev_theta, self._prev_step = net.theta.copy(), 0

    def record(self, net: Network, epoch: int, opt_step: int, X, T, reg="none", reg_rate=0.0):
        with np.errstate(all="ignore"):
            self.last_grads = layer_gradients(net, X, T, reg, reg_rate)
            sizes = gradient_sizes(self.last_grads)
            steps = opt_step - self._prev_step
            ratio = np.full(self.n_layers, np.nan)
            if steps > 0:
                before, after = net.split(self._prev_theta), net.split(net.theta)
                for l, ((w0, _), (w1, _)) in enumerate(zip(before, after)):
                    size = np.linalg.norm(w0)
                    ratio[l] = np.linalg.norm(w1 - w0) / steps / size if size > 0 else np.nan
        self._prev_theta, self._prev_step = net.theta.copy(), opt_step
        self.add(epoch, sizes, ratio)

    def add(self, epoch: int, sizes, ratio, net: Network | None = None):
        """Append one record measured elsewhere (the browser engine reports its own)."""
        self.epochs.append(int(epoch))
        self.grad.append(np.asarray(sizes, dtype=float))
        self.ratio.append(np.asarray(ratio, dtype=float))
        if net is not None:
            self._prev_theta = net.theta.copy()
        if len(self.epochs) > HISTORY_MAX:
            self.thin()

    def thin(self):
        """Keep the first record and every second one after it."""
        for seq in (self.epochs, self.grad, self.ratio):
            seq[:] = seq[:1] + seq[2::2]

    def latest(self) -> np.ndarray:
        return self.grad[-1] if self.grad else np.zeros(self.n_layers)


SIMILAR = 4.0              # first/last gradient within this factor: a similar pace


def _times(ratio: float) -> str:
    """0.09 → '11× smaller than', 6 → '6× larger than', 1.3 → '1.3× '."""
    if ratio < 1:
        return f"{_sig(1 / ratio)}× smaller than"
    return f"{_sig(ratio)}× larger than" if ratio >= 1.05 else "about the same as"


def _sig(x: float) -> str:
    return f"{x:.2g}" if x < 100 else f"{x:,.0f}" if x < 1e5 else f"{x:.1e}"


def diagnosis(sizes: np.ndarray, loss: float | None = None,
              n_classes: int | None = None) -> tuple[str, str]:
    """(kind, sentence) from one record of per-layer gradient sizes (layer 1 first), and
    optionally the current loss (to explain a loss that stays put while nothing moves).

    kind: "vanishing" | "exploding" | "uneven" | "healthy" | "dead"."""
    sizes = np.asarray(sizes, dtype=float)
    if sizes.size < 2:
        return "healthy", "With a single layer there is nothing for the gradient to flow through."
    first, last = sizes[0], sizes[-1]
    if not np.isfinite(sizes).all():
        return "exploding", "The gradient overflowed (infinite or NaN): it exploded on its way back."
    if last <= TINY and first <= TINY:
        stuck = ""
        if loss is not None and np.isfinite(loss):
            stuck = (f" The loss ({loss:.3g}) is finite but stuck at what one constant answer for "
                     "every input can reach")
            if n_classes and n_classes > 1 and abs(loss - np.log(n_classes)) < 0.01:
                stuck += (f": guessing every class with probability 1/{n_classes} "
                          f"(ln {n_classes} = {np.log(n_classes):.3f})")
            stuck += "."
        return "dead", ("Every weight gradient is zero: no signal reaches any weight (all-zero "
                        "weights, or every ReLU of a layer switched off). This network cannot learn "
                        f"from here.{stuck}")
    ratio = first / max(last, TINY)
    words = f"the first layer's gradient is {_times(ratio)} the last layer's"
    if sizes.max() > EXPLODING:
        return "exploding", (f"Exploding gradients: gradients up to {sizes.max():.1e} per weight. "
                             "Each layer multiplies the signal by large weights, so one update can "
                             "throw the weights far away; the loss jumps or becomes NaN.")
    if ratio < 1e-2:
        return "vanishing", (f"Vanishing gradients: {words}. The early layers barely change, so "
                             "the network learns only at the top (or not at all).")
    if ratio > 1e2:
        return "exploding", (f"Exploding gradients: {words}. The early layers get huge updates "
                             "and training becomes unstable.")
    if ratio < 1 / SIMILAR:
        return "uneven", (f"Weakening flow: {words}, so the first layer learns about "
                          f"{_sig(1 / ratio)}× more slowly than the last (not yet vanishing).")
    if ratio > SIMILAR:
        return "uneven", (f"Growing flow: {words}, so the first layer moves about {_sig(ratio)}× "
                          "faster than the last (not yet exploding).")
    spread = sizes.max() / max(sizes.min(), TINY)
    inner = (f" Layers in between differ by up to {_sig(spread)}×." if spread > SIMILAR else "")
    return "healthy", (f"Healthy flow: {words}, so the error signal reaches the first layer at "
                       f"about the strength it has at the output.{inner}")


def at_init(sizes: list[int], acts: list[str], loss: str, init: str, seed: int, scale: float,
            X, T) -> np.ndarray:
    """Per-layer gradient sizes of a fresh network (weights × ``scale``) on data X, T."""
    net = Network(list(sizes), list(acts), loss, init=init, seed=seed)
    scale_weights(net, scale)
    return gradient_sizes(layer_gradients(net, X, T))


def scale_weights(net: Network, scale: float):
    """Multiply every weight (not the biases) by ``scale``, in place."""
    net.theta[net._mask] *= float(scale)


def flow_chart(hist: FlowHistory, height: int = 300, stacked: bool = False) -> dict:
    """Two panels: gradient size per layer and update ratio per layer, against epochs
    (side by side, or ``stacked`` one above the other)."""
    L = hist.n_layers
    colors = _layer_colors(L)
    data = []
    for l in range(L):
        name = "output" if l == L - 1 else f"layer {l + 1}"
        g = [max(float(v[l]), TINY) if np.isfinite(v[l]) else None for v in hist.grad]
        r = [float(v[l]) if np.isfinite(v[l]) and v[l] > 0 else None for v in hist.ratio]
        data.append({"type": "scatter", "mode": "lines", "x": hist.epochs, "y": g, "name": name,
                     "line": {"color": colors[l], "width": 2}, "legendgroup": name,
                     "xaxis": "x", "yaxis": "y", "hovertemplate": f"{name}<br>epoch %{{x}}<br>"
                     "gradient %{y:.2e}<extra></extra>"})
        data.append({"type": "scatter", "mode": "lines", "x": hist.epochs, "y": r, "name": name,
                     "showlegend": False, "legendgroup": name, "xaxis": "x2", "yaxis": "y2",
                     "line": {"color": colors[l], "width": 2},
                     "hovertemplate": f"{name}<br>epoch %{{x}}<br>update ratio %{{y:.2e}}<extra></extra>"})
    if stacked:   # narrow places: one panel above the other
        axes = {"xaxis": {"anchor": "y", "matches": "x2", "showticklabels": False},
                "xaxis2": {"anchor": "y2", "title": {"text": "epoch"}},
                "yaxis": {"domain": [0.56, 1]}, "yaxis2": {"domain": [0, 0.44]}}
        titles = [(0.5, 1.06), (0.5, 0.5)]
    else:
        axes = {"xaxis": {"domain": [0, 0.41], "title": {"text": "epoch"}},
                "xaxis2": {"domain": [0.59, 1], "title": {"text": "epoch"}},
                "yaxis": {}, "yaxis2": {"anchor": "x2"}}
        titles = [(0.2, 1.08), (0.8, 1.08)]
    axes["yaxis"].update(type="log", exponentformat="power", title={"text": "RMS ∂L/∂W"})
    axes["yaxis2"].update(type="log", exponentformat="power", title={"text": "‖ΔW‖/‖W‖ per step"})
    names = ("Gradient size per layer", "Update ratio per layer")
    return {"data": data, "layout": {
        **axes, "height": height, "margin": {"l": 60, "r": 10, "t": 30, "b": 35},
        "legend": {"orientation": "h", "y": -0.15 if stacked else -0.25},
        "annotations": [{"text": t, "x": x, "y": y, "xref": "paper", "yref": "paper",
                         "showarrow": False} for t, (x, y) in zip(names, titles)],
        "plot_bgcolor": "white", "paper_bgcolor": "white"}}


def layers_bar(series: dict, height: int = 300) -> dict:
    """Gradient size per layer (log scale), one bar group per named series."""
    data = []
    for name, sizes in series.items():
        sizes = np.asarray(sizes, dtype=float)
        data.append({"type": "bar", "name": name, "x": [f"{l + 1}" for l in range(sizes.size)],
                     "y": [max(float(v), TINY) if np.isfinite(v) else None for v in sizes],
                     "hovertemplate": f"{name}<br>layer %{{x}}<br>%{{y:.2e}}<extra></extra>"})
    return {"data": data, "layout": {
        "height": height, "barmode": "group", "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "xaxis": {"title": {"text": "layer (1 = nearest the input)"}},
        "yaxis": {"type": "log", "exponentformat": "power", "title": {"text": "RMS ∂L/∂W"}},
        "legend": {"orientation": "h", "y": 1.1}, "plot_bgcolor": "white", "paper_bgcolor": "white"}}


def _layer_colors(n: int) -> list[str]:
    """From the input (dark blue) to the output (orange)."""
    out = []
    for i in range(n):
        t = i / max(n - 1, 1)
        r, g, b = (int(8 + t * (245 - 8)), int(119 + t * (147 - 119)), int(189 + t * (34 - 189)))
        out.append(f"rgb({r},{g},{b})")
    return out

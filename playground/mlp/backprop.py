"""Backpropagation on one example, step by step, with every number on the way.

Nothing here re-implements the network: the values come from the training kernel itself
(:func:`playground.mlp.kernel.forward_one` fills every node's z and a, :func:`~playground.mlp.kernel.
backward_one` every node's δ = ∂L/∂z and the gradient vector). This module only lays those
numbers out as a lesson: one :class:`Step` per neuron forwards, the loss, one step per neuron
backwards with the chain-rule product for each of its weights, the input gradients, and the
gradient-descent update.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import activations as A
from . import kernel as K
from .. import query as Q
from .network import LOSSES, Network

MAX_INPUTS, MAX_HIDDEN_LAYERS, MAX_NEURONS, MAX_OUTPUTS = 3, 3, 3, 3
VALUE_LIMIT = 100.0          # inputs, targets and weights are clamped to ±100
HIDDEN_LETTERS = ("h", "g", "k")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def num(v: float) -> str:
    """A number for a formula: 3 significant digits, negative ones in parentheses."""
    if not np.isfinite(v):
        return "∞" if v > 0 else ("−∞" if v < 0 else "NaN")
    s = f"{v + 0.0:.3g}".replace("-", "−")  # + 0.0 turns −0 into 0
    return f"({s})" if s.startswith("−") else s


def plain(v: float) -> str:
    """A number on its own (no parentheses)."""
    return num(v).strip("()")


def clamp(values, limit: float = VALUE_LIMIT) -> tuple[np.ndarray, bool]:
    """Values limited to ±limit (NaN → 0); also says whether anything had to change."""
    arr = np.asarray(values, dtype=float)
    out = np.clip(np.nan_to_num(arr, nan=0.0, posinf=limit, neginf=-limit), -limit, limit)
    return out, bool((out != arr).any())


def node_name(sizes, layer: int, j: int) -> str:
    """x₁.. for inputs, h₁/g₁/k₁ for hidden layers, o (or o₁, o₂ ..) for the output."""
    n_layers = len(sizes) - 1
    if layer == 0:
        return f"x{j + 1}".translate(_SUB)
    if layer == n_layers:
        return "o" if sizes[-1] == 1 else f"o{j + 1}".translate(_SUB)
    return f"{HIDDEN_LETTERS[layer - 1]}{j + 1}".translate(_SUB)


@dataclass
class Step:
    phase: str          # forward | loss | backward | inputs | update
    layer: int          # the layer of the node this step is about (-1: whole network)
    index: int          # neuron index in that layer (-1: the whole layer)
    title: str
    lines: list[str] = field(default_factory=list)


class Trace:
    """Forward and backward pass of ``net`` on one example ``x`` with target ``t``."""

    def __init__(self, net: Network, x, t, lr: float = 0.1):
        self.net, self.lr = net, float(lr)
        self.sizes = list(net.sizes)
        self.x = np.asarray(x, dtype=float)
        self.t = np.asarray(t, dtype=float)
        n_nodes = sum(self.sizes)
        self.z, self.a, self.delta = np.zeros(n_nodes), np.zeros(n_nodes), np.zeros(n_nodes)
        self.grad = np.zeros_like(net.theta)
        sizes, acts = np.asarray(self.sizes, np.int64), net._acts
        loss_code = LOSSES[net.loss]
        with np.errstate(all="ignore"):
            K.forward_one(net.theta, sizes, acts, loss_code, self.x, self.z, self.a)
            self.loss = K.backward_one(net.theta, sizes, acts, loss_code, self.t, self.z,
                                       self.a, self.delta, self.grad)
            self.theta_after = net.theta - self.lr * self.grad
            after = Network(self.sizes, list(net.activations), net.loss, self.theta_after.copy())
            self.loss_after = after.data_loss(self.x[None, :], self.t[None, :])
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.grads = net.split(self.grad)
        self.steps: list[Step] = []
        self._build()

    # ---- per-node numbers -----------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def name(self, layer: int, j: int) -> str:
        return node_name(self.sizes, layer, j)

    def value(self, layer: int, j: int) -> float:
        """The node's output a (for the inputs: x; softmax outputs: p)."""
        return float(self.a[self.offsets[layer] + j])

    def pre(self, layer: int, j: int) -> float:
        return float(self.z[self.offsets[layer] + j])

    def dz(self, layer: int, j: int) -> float:
        """∂L/∂z of a neuron (the kernel's δ)."""
        return float(self.delta[self.offsets[layer] + j])

    def da(self, layer: int, j: int) -> float:
        """∂L/∂a of a node: (o − t) at a squared-error output, Σ_k w_jk δ_k elsewhere."""
        if layer == self.n_layers:
            if self.net.loss == "cross_entropy":
                return float("nan")   # softmax couples the outputs: only ∂L/∂z is simple
            return self.value(layer, j) - float(self.t[j])
        return float(self.net.W(layer + 1)[j] @ self.delta[self.offsets[layer + 1]:
                                                            self.offsets[layer + 2]])

    def slope(self, layer: int, j: int) -> float:
        """f'(z) of a neuron, from the same derivative the kernel uses."""
        act = A.get(self.net.activations[layer - 1])
        z = self.pre(layer, j)
        with np.errstate(all="ignore"):
            return float(act.df(z, act.f(z)))

    def act_label(self, layer: int) -> str:
        if layer == self.n_layers and self.net.loss == "cross_entropy":
            return "softmax"
        return A.get(self.net.activations[layer - 1]).label

    # ---- the lesson -----------------------------------------------------------------------
    def _build(self):
        L = self.n_layers
        for l in range(1, L + 1):
            for j in range(self.sizes[l]):
                self.steps.append(self._forward(l, j))
        self.steps.append(self._loss())
        for l in range(L, 0, -1):
            for j in range(self.sizes[l]):
                self.steps.append(self._backward(l, j))
        self.steps.append(self._inputs())
        self.steps.append(self._update())

    def _forward(self, l: int, j: int) -> Step:
        n, W, b = self.name(l, j), self.net.W(l), self.net.b(l)
        terms = " + ".join(f"{num(W[i, j])}×{num(self.value(l - 1, i))}"
                           for i in range(self.sizes[l - 1]))
        names = " + ".join(f"w({self.name(l - 1, i)}→{n})·{self.name(l - 1, i)}"
                           for i in range(self.sizes[l - 1]))
        lines = [f"z_{n} = {names} + b_{n}", f"z_{n} = {terms} + {num(b[j])} = {plain(self.pre(l, j))}"]
        if l == self.n_layers and self.net.loss == "cross_entropy":
            lines.append(f"(the softmax of all outputs comes with the loss: {n} = "
                         f"e^z_{n} / Σ e^z = {plain(self.value(l, j))})")
        else:
            lines.append(f"{n} = {self.act_label(l)}(z_{n}) = {self.act_label(l)}({plain(self.pre(l, j))})"
                         f" = {plain(self.value(l, j))}")
        return Step("forward", l, j, f"Forward: neuron {n}", lines)

    def _loss(self) -> Step:
        L, outs = self.n_layers, range(self.sizes[-1])
        if self.net.loss == "cross_entropy":
            probs = ", ".join(f"{self.name(L, j)} = {plain(self.value(L, j))}" for j in outs)
            k = int(np.argmax(self.t))
            lines = [f"softmax: {probs}",
                     f"L = −log p(target class {k + 1}) = −log {num(self.value(L, k))} = {plain(self.loss)}"]
        else:
            terms = " + ".join(f"({num(self.value(L, j))} − {num(self.t[j])})²" for j in outs)
            lines = [f"L = ½ Σ (o − t)² = ½ [{terms}] = {plain(self.loss)}"]
        return Step("loss", L, -1, "The loss: how wrong is the output?", lines)

    def _backward(self, l: int, j: int) -> Step:
        n = self.name(l, j)
        dz, lines = self.dz(l, j), []
        ce_out = l == self.n_layers and self.net.loss == "cross_entropy"
        if ce_out:
            lines.append(f"∂L/∂z_{n} = {n} − t = {num(self.value(l, j))} − {num(self.t[j])} = {plain(dz)}"
                         "   (softmax and cross-entropy together give this simple form)")
        else:
            da, fp = self.da(l, j), self.slope(l, j)
            if l == self.n_layers:
                lines.append(f"∂L/∂{n} = {n} − t = {num(self.value(l, j))} − {num(self.t[j])} = {plain(da)}")
            else:
                nxt = range(self.sizes[l + 1])
                names = " + ".join(f"w({n}→{self.name(l + 1, k)})·∂L/∂z_{self.name(l + 1, k)}" for k in nxt)
                terms = " + ".join(f"{num(self.net.W(l + 1)[j, k])}×{num(self.dz(l + 1, k))}" for k in nxt)
                lines.append(f"∂L/∂{n} = {names} = {terms} = {plain(da)}")
            lines.append(f"∂{n}/∂z_{n} = {self.act_label(l)}'({plain(self.pre(l, j))}) = {plain(fp)}")
            lines.append(f"∂L/∂z_{n} = ∂L/∂{n} · ∂{n}/∂z_{n} = {num(da)} × {num(fp)} = {plain(dz)}")
        gW, gb = self.grads[l - 1]
        for i in range(self.sizes[l - 1]):
            src = self.name(l - 1, i)
            w = f"w({src}→{n})"
            if ce_out:
                lines.append(f"∂L/∂{w} = ∂L/∂z_{n} · ∂z_{n}/∂{w} = {num(dz)} × {num(self.value(l - 1, i))}"
                             f" = {plain(gW[i, j])}")
            else:
                lines.append(f"∂L/∂{w} = ∂L/∂{n} · ∂{n}/∂z_{n} · ∂z_{n}/∂{w} = {num(self.da(l, j))} × "
                             f"{num(self.slope(l, j))} × {num(self.value(l - 1, i))} = {plain(gW[i, j])}")
        lines.append(f"∂L/∂b_{n} = ∂L/∂z_{n} · 1 = {plain(gb[j])}")
        return Step("backward", l, j, f"Backward: neuron {n}", lines)

    def _inputs(self) -> Step:
        lines = []
        for i in range(self.sizes[0]):
            x = self.name(0, i)
            terms = " + ".join(f"{num(self.net.W(1)[i, k])}×{num(self.dz(1, k))}" for k in range(self.sizes[1]))
            lines.append(f"∂L/∂{x} = Σ w({x}→·)·∂L/∂z = {terms} = {plain(self.da(0, i))}")
        lines.append("The inputs are not trained, but this says how the loss would react to a "
                     "change of the input: the idea behind saliency maps.")
        return Step("inputs", 0, -1, "Backward: the inputs", lines)

    def _update(self) -> Step:
        lines = [f"Gradient descent with learning rate {plain(self.lr)}: w ← w − lr·∂L/∂w"]
        for l in range(1, self.n_layers + 1):
            (W, b), (gW, gb) = (self.net.W(l), self.net.b(l)), self.grads[l - 1]
            new_W, new_b = self.new_params(l)
            for j in range(self.sizes[l]):
                n = self.name(l, j)
                for i in range(self.sizes[l - 1]):
                    lines.append(f"w({self.name(l - 1, i)}→{n}) ← {num(W[i, j])} − {num(self.lr)}×"
                                 f"{num(gW[i, j])} = {plain(new_W[i, j])}")
                lines.append(f"b_{n} ← {num(b[j])} − {num(self.lr)}×{num(gb[j])} = {plain(new_b[j])}")
        lines.append(f"Loss before: {plain(self.loss)}  →  after one step: {plain(self.loss_after)}")
        return Step("update", -1, -1, "Update every weight", lines)

    def new_params(self, l: int) -> tuple[np.ndarray, np.ndarray]:
        return self.net.split(self.theta_after)[l - 1]

    # ---- what step k has revealed ---------------------------------------------------------
    def forward_known(self, k: int, layer: int, j: int) -> bool:
        """Is this node's forward value computed by step k (0 = nothing done yet)?"""
        if layer == 0:
            return True
        return self._first("forward", layer, j) < k

    def gradient_known(self, k: int, layer: int, j: int) -> bool:
        if layer == 0:
            return self._first("inputs", 0, -1) < k
        return self._first("backward", layer, j) < k

    def loss_known(self, k: int) -> bool:
        return self._first("loss", self.n_layers, -1) < k

    def updated(self, k: int) -> bool:
        return k >= len(self.steps)

    def _first(self, phase: str, layer: int, j: int) -> int:
        for i, s in enumerate(self.steps):
            if s.phase == phase and s.layer == layer and s.index == j:
                return i
        raise KeyError((phase, layer, j))


def readable_theta(sizes, seed: int) -> np.ndarray:
    """Starting weights with two decimals, so the arithmetic on screen is easy to follow.

    Seed 0 of the default 2-2-1 network gives a hand-picked example whose gradients are not
    tiny; other seeds draw weights uniformly from ±1 (biases ±0.5)."""
    if list(sizes) == [2, 2, 1] and seed == 0:
        return np.array([0.5, -0.3, 0.8, 0.2, 0.1, -0.1, 0.7, -0.6, 0.05])
    rng = np.random.default_rng(seed)
    parts = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        parts += [rng.uniform(-1, 1, n_in * n_out), rng.uniform(-0.5, 0.5, n_out)]
    return np.round(np.concatenate(parts), 2)


def build(n_inputs: int, hidden: list[int], n_outputs: int, act: str, out_act: str, loss: str,
          seed: int = 0, theta=None) -> Network:
    """The page's small network, within the page's limits (clamped); ``theta`` None → readable
    seeded weights."""
    n_inputs = int(np.clip(n_inputs, 1, MAX_INPUTS))
    hidden = [int(np.clip(h, 1, MAX_NEURONS)) for h in hidden[:MAX_HIDDEN_LAYERS]]
    n_outputs = int(np.clip(n_outputs, 2 if loss == "cross_entropy" else 1, MAX_OUTPUTS))
    acts = [act] * len(hidden) + ["linear" if loss == "cross_entropy" else out_act]
    sizes = [n_inputs, *hidden, n_outputs]
    if theta is None:
        theta = readable_theta(sizes, seed)
    return Network(sizes, acts, loss, theta=np.asarray(theta, dtype=float), seed=seed)


# ---- the page's setup in the address bar -------------------------------------------------
DEFAULTS = {"inputs": 2, "hidden": (2,), "outputs": 1, "act": "tanh", "out_act": "tanh",
            "loss": "squared", "lr": 0.5, "seed": 0, "x": (1.0, 0.5), "t": (1.0,)}
LR_RANGE = (1e-4, 10.0)


def _hidden(s: str) -> tuple:
    if s == "-":
        return ()
    return tuple(int(v) for v in Q.numbers(s, 1, MAX_NEURONS))[:MAX_HIDDEN_LAYERS]


PARSERS = {
    "inputs": Q.integer(1, MAX_INPUTS), "hidden": _hidden, "outputs": Q.integer(1, MAX_OUTPUTS),
    "act": Q.choice(A.ACTIVATIONS), "out_act": Q.choice(A.ACTIVATIONS), "loss": Q.choice(LOSSES),
    "lr": Q.number(*LR_RANGE), "seed": Q.integer(0, 9999),
    "x": lambda s: Q.numbers(s, -VALUE_LIMIT, VALUE_LIMIT)[:MAX_INPUTS],
    "t": lambda s: Q.numbers(s, -VALUE_LIMIT, VALUE_LIMIT)[:MAX_OUTPUTS],
}


def from_query(q) -> tuple[dict, list[str]]:
    """The setup from URL parameters, each checked and clamped; warnings for what was ignored."""
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    """Only what differs from the defaults, as strings."""
    return Q.write(values, DEFAULTS)

"""A small fully connected network: structure, parameters, vectorised forward, training.

The parameters live in one flat vector (see :mod:`playground.mlp.kernel`); ``W(l)`` and ``b(l)``
are NumPy views into it. The vectorised :meth:`Network.forward` evaluates many points at once
(for heatmaps and losses) with the same activation formulas the kernel uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import activations as A
from . import kernel as K

LOSSES = {"squared": K.LOSS_SQUARED, "cross_entropy": K.LOSS_CROSS_ENTROPY}
LOSS_LABELS = {"squared": "Squared error ½(o−t)²", "cross_entropy": "Softmax + cross-entropy"}
REGULARIZERS = {"none": K.REG_NONE, "l1": K.REG_L1, "l2": K.REG_L2}
OPTIMIZERS = {"sgd": K.OPT_SGD, "momentum": K.OPT_MOMENTUM, "rmsprop": K.OPT_RMSPROP,
              "adam": K.OPT_ADAM}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "rmsprop": "RMSprop",
                    "adam": "Adam"}
INITS = {
    "tf": "TF Playground: U(−0.5, 0.5), bias 0.1",
    "xavier": "Xavier / Glorot uniform",
    "he": "He / Kaiming normal",
    "zeros": "All zeros (watch symmetry!)",
}


def init_theta(sizes, scheme: str, seed: int) -> np.ndarray:
    """Initial parameters; the same seed always gives the same vector."""
    if scheme not in INITS:
        raise ValueError(f"unknown init {scheme!r}")
    rng = np.random.default_rng(seed)
    parts = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if scheme == "tf":
            w, b = rng.uniform(-0.5, 0.5, (n_in, n_out)), np.full(n_out, 0.1)
        elif scheme == "xavier":
            lim = np.sqrt(6.0 / (n_in + n_out))
            w, b = rng.uniform(-lim, lim, (n_in, n_out)), np.zeros(n_out)
        elif scheme == "he":
            w, b = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)), np.zeros(n_out)
        else:
            w, b = np.zeros((n_in, n_out)), np.zeros(n_out)
        parts += [w.ravel(), b]
    return np.concatenate(parts)


@dataclass
class Network:
    sizes: list[int]  # [n_inputs, hidden..., n_outputs]
    activations: list[str]  # one per layer after the input (hidden layers and output)
    loss: str = "squared"
    theta: np.ndarray = None
    init: str = "tf"
    seed: int = 0
    _layout: list = field(default_factory=list, repr=False)

    def __post_init__(self):
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError("need one activation per layer after the input")
        for key in self.activations:
            A.get(key)
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}")
        if self.theta is None:
            self.theta = init_theta(self.sizes, self.init, self.seed)
        self._layout, p = [], 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            self._layout.append((p, p + n_in * n_out, n_in, n_out))
            p += n_in * n_out + n_out
        if self.theta.shape != (p,):
            raise ValueError(f"theta has {self.theta.size} values, the network needs {p}")
        self._sizes = np.asarray(self.sizes, dtype=np.int64)
        self._acts = np.asarray([A.get(k).code for k in self.activations], dtype=np.int64)
        self._mask = np.zeros(p, dtype=np.bool_)  # regularization applies to weights only
        for w0, b0, _, _ in self._layout:
            self._mask[w0:b0] = True
        n_nodes = sum(self.sizes)
        self._z, self._a, self._delta = (np.zeros(n_nodes) for _ in range(3))
        self._grad = np.zeros(p)

    # ---- parameters ---------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        return self.theta.size

    def W(self, l: int) -> np.ndarray:
        """Weights into layer l (1-based), shape (sizes[l-1], sizes[l]); a view into theta."""
        w0, b0, n_in, n_out = self._layout[l - 1]
        return self.theta[w0:b0].reshape(n_in, n_out)

    def b(self, l: int) -> np.ndarray:
        w0, b0, n_in, n_out = self._layout[l - 1]
        return self.theta[b0:b0 + n_out]

    def copy(self) -> "Network":
        return Network(list(self.sizes), list(self.activations), self.loss, self.theta.copy(),
                       self.init, self.seed)

    # ---- evaluation ---------------------------------------------------------------------
    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Outputs of every layer for every row of X: [X, a1, ..., output]."""
        outs = [np.asarray(X, dtype=float)]
        with np.errstate(all="ignore"):
            for l in range(1, self.n_layers + 1):
                z = outs[-1] @ self.W(l) + self.b(l)
                if l == self.n_layers and self.loss == "cross_entropy":
                    z = z - z.max(axis=1, keepdims=True)
                    e = np.exp(z)
                    outs.append(e / e.sum(axis=1, keepdims=True))
                else:
                    outs.append(A.get(self.activations[l - 1]).f(z))
        return outs

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X)[-1]

    def data_loss(self, X: np.ndarray, T: np.ndarray) -> float:
        """Mean loss per example (TF Playground's definition for squared error)."""
        if len(X) == 0:
            return float("nan")
        out = self.predict(X)
        with np.errstate(all="ignore"):
            if self.loss == "cross_entropy":
                return float(-(T * np.log(np.maximum(out, 1e-300))).sum(axis=1).mean())
            return float((0.5 * (out - T) ** 2).sum(axis=1).mean())

    def gradient(self, X, T, reg: str = "none", reg_rate: float = 0.0):
        """(loss, gradient vector) of the mean loss over X plus regularization."""
        X, T = np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(T, dtype=float)
        grad = np.zeros_like(self.theta)
        loss = K.batch_gradient(self.theta, self._sizes, self._acts, LOSSES[self.loss], X, T, 0,
                                len(X), REGULARIZERS[reg], float(reg_rate), self._mask, grad,
                                self._z, self._a, self._delta)
        return loss, grad

    def split(self, vector: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Cut a theta-shaped vector (e.g. a gradient) into [(W1, b1), (W2, b2), ...]."""
        return [(vector[w0:b0].reshape(n_in, n_out), vector[b0:b0 + n_out])
                for w0, b0, n_in, n_out in self._layout]


class Optimizer:
    """Optimizer state (momentum / Adam moments) for one network."""

    def __init__(self, name: str = "sgd", n_params: int = 0):
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}")
        self.name = name
        self.m = np.zeros(n_params)
        self.v = np.zeros(n_params)
        self.step = 0
        self.hyper = K.DEFAULT_HYPER.copy()


def train_epoch(net: Network, opt: Optimizer, X, T, batch_size: int, lr: float,
                reg: str = "none", reg_rate: float = 0.0) -> float:
    """One epoch of mini-batch training in row order; returns the mean batch loss."""
    if opt.m.size != net.n_params:
        opt.m, opt.v, opt.step = np.zeros(net.n_params), np.zeros(net.n_params), 0
    loss, opt.step = K.train_epoch(
        net.theta, net._sizes, net._acts, LOSSES[net.loss], X, T, int(max(1, batch_size)),
        REGULARIZERS[reg], float(reg_rate), net._mask, OPTIMIZERS[opt.name], float(lr), opt.hyper,
        opt.m, opt.v, opt.step, net._grad, net._z, net._a, net._delta)
    return loss

"""One training run: data, network, optimizer, history and status, built from settings.

A page keeps one :class:`Run` per network in the user's session and calls :meth:`Run.step`
for a chunk of epochs per animation frame.
"""
from __future__ import annotations

import math

import numpy as np

from . import datasets as D
from . import features as F
from .gradflow import FlowHistory, scale_weights
from .network import Network, Optimizer, train_epoch

HISTORY_MAX = 600  # loss-curve points kept (older ones are thinned out)


def output_spec(kind: str, loss: str, n_classes: int):
    """(number of outputs, output activation, loss) for a kind of problem."""
    if kind == "regression":
        return 1, "linear", "squared"
    if kind == "multiclass" or loss == "cross_entropy":
        return max(n_classes, 2), "linear", "cross_entropy"
    return 1, "tanh", "squared"


def targets(data: D.Dataset, loss: str) -> np.ndarray:
    """Training targets for the network's output layer."""
    if loss == "cross_entropy":
        k = max(data.n_classes, 2)
        idx = classes_of(data)
        return np.eye(k)[idx]
    return data.y.reshape(-1, 1).astype(float)


def classes_of(data: D.Dataset) -> np.ndarray:
    """Class index per point (binary: -1 -> 0, +1 -> 1)."""
    if data.kind == "binary":
        return (data.y > 0).astype(int)
    return data.y.astype(int)


class Run:
    def __init__(self, cfg: dict, data: D.Dataset | None = None, overrides: dict | None = None):
        cfg = {**cfg, **(overrides or {})}
        self.cfg = cfg
        full = data if data is not None else D.generate(cfg["dataset"], cfg["noise"], cfg["seed"])
        self.kind, self.n_classes = full.kind, full.n_classes
        self.train, self.test = full.split(cfg["train_pct"], cfg["seed"])
        self.features = list(cfg["features"])
        n_out, out_act, loss = output_spec(full.kind, cfg["loss"], full.n_classes)
        self.net = Network([len(self.features), *cfg["layers"], n_out],
                           [*cfg["acts"], out_act], loss, init=cfg["init"], seed=cfg["seed"])
        if cfg.get("init_scale", 1.0) != 1.0:   # the gradient-flow demo: too small / too large
            scale_weights(self.net, cfg["init_scale"])
        self.Xtr, self.Xte = F.transform(self.train.X, self.features), F.transform(self.test.X, self.features)
        self.Ttr, self.Tte = targets(self.train, loss), targets(self.test, loss)
        self.opt = Optimizer(cfg["optimizer"], self.net.n_params)
        self.theta0 = self.net.theta.copy()   # the seeded start: Reset returns here
        self.epoch = 0
        self.status, self.message = "ready", ""
        self.history: list[tuple[int, float, float]] = []
        self.flow = FlowHistory(self.net)   # per-layer gradient sizes and update ratios
        self._record()

    # ---- training -------------------------------------------------------------------------
    def set_hyper(self, cfg: dict):
        """Settings that apply without a restart (learning rate, batch, optimizer, ...)."""
        for key in ("lr", "batch", "reg", "reg_rate", "stop_at", "optimizer"):
            if key in cfg:
                self.cfg[key] = cfg[key]
        if self.opt.name != self.cfg["optimizer"]:
            self.opt = Optimizer(self.cfg["optimizer"], self.net.n_params)
        if self.status == "done" and not self._reached_stop():
            self.status = "ready"

    def _reached_stop(self) -> bool:
        return bool(self.cfg.get("stop_at")) and self.epoch >= self.cfg["stop_at"]

    def step(self, epochs: int = 1) -> int:
        """Train up to ``epochs`` epochs; returns how many ran (0 if diverged or done)."""
        if self.status in ("diverged", "done"):
            return 0
        ran = 0
        c = self.cfg
        with np.errstate(all="ignore"):
            for _ in range(max(int(epochs), 0)):
                if self._reached_stop():
                    break
                train_epoch(self.net, self.opt, self.Xtr, self.Ttr, c["batch"], c["lr"],
                            c["reg"], c["reg_rate"])
                self.epoch += 1
                ran += 1
        self.status = "training"
        self._record()
        if not self._healthy():
            self.status = "diverged"
            self.message = self.divergence_message(self.epoch)
        elif self._reached_stop():
            self.status, self.message = "done", f"Stopped at epoch {self.epoch} as requested."
        return ran

    def divergence_message(self, epoch) -> str:
        """Why training stopped; ``epoch`` may be a placeholder the browser fills in."""
        c = self.cfg
        return (f"Training diverged at epoch {epoch}: the loss became NaN or infinite. "
                f"The learning rate ({c['lr']:g}) is probably too high for this network"
                + (f" and regularization rate ({c['reg_rate']:g})" if c["reg"] != "none" else "")
                + ", so each update overshoots and the weights blow up. Lower the learning rate, "
                  "then press Reset.")

    def _healthy(self) -> bool:
        last = self.history[-1]
        return (math.isfinite(last[1]) and np.isfinite(self.net.theta).all()
                and np.abs(self.net.theta).max() < 1e12)

    def _record(self):
        self.history.append((self.epoch, self.net.data_loss(self.Xtr, self.Ttr),
                             self.net.data_loss(self.Xte, self.Tte)))
        self.flow.record(self.net, self.epoch, self.opt.step, self.Xtr, self.Ttr, self.cfg["reg"],
                         self.cfg["reg_rate"])
        if len(self.history) > HISTORY_MAX:  # keep the first point, thin the rest
            self.history = self.history[:1] + self.history[2::2]

    def refresh(self):
        """Re-record losses after a hand edit of the weights."""
        self.history[-1] = (self.epoch, self.net.data_loss(self.Xtr, self.Ttr),
                            self.net.data_loss(self.Xte, self.Tte))
        self.flow.record(self.net, self.epoch, self.opt.step, self.Xtr, self.Ttr, self.cfg["reg"],
                         self.cfg["reg_rate"])
        if self._healthy() and self.status == "diverged":
            self.status = "training"

    # ---- evaluation -----------------------------------------------------------------------
    @property
    def train_loss(self) -> float:
        return self.history[-1][1]

    @property
    def test_loss(self) -> float:
        return self.history[-1][2]

    def scores(self, points: np.ndarray) -> np.ndarray:
        """Model output for points: (n,) in [-1, 1] for binary/regression, (n, K) probs else."""
        out = self.net.predict(F.transform(points, self.features))
        if self.kind == "multiclass":
            return out
        if self.net.loss == "cross_entropy":  # two-class softmax -> p(+1) - p(-1)
            return out[:, 1] - out[:, 0]
        return out[:, 0]

    def predicted_classes(self, points: np.ndarray) -> np.ndarray:
        s = self.scores(points)
        return s.argmax(axis=1) if s.ndim == 2 else (s > 0).astype(int)

    def accuracy(self, split: str = "test") -> float:
        data = self.test if split == "test" else self.train
        if self.kind == "regression" or len(data) == 0:
            return float("nan")
        return float((self.predicted_classes(data.X) == classes_of(data)).mean())

    def confusion(self, split: str = "test") -> np.ndarray:
        """Rows: true class, columns: predicted class."""
        data = self.test if split == "test" else self.train
        k = max(self.n_classes, 2)
        cm = np.zeros((k, k), dtype=int)
        if self.kind != "regression" and len(data):
            np.add.at(cm, (classes_of(data), self.predicted_classes(data.X)), 1)
        return cm

    def class_names(self) -> list[str]:
        if self.kind == "binary":
            return ["−1 (orange)", "+1 (blue)"]
        return [f"class {k}" for k in range(self.n_classes)]

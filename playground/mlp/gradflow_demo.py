"""The deep, narrow network of the gradient-flow page: settings, URL form and the run.

Ten layers of four neurons are enough to make vanishing gradients (sigmoid), healthy flow
(ReLU with He init, tanh with Xavier) and exploding gradients (weights scaled up) visible
before training even starts. The output is a softmax with cross-entropy, so the loss itself
never saturates and hides what happens inside.
"""
from __future__ import annotations

import numpy as np

from .. import query as Q
from . import settings as S
from .activations import ACTIVATIONS
from .gradflow import EXPLODING, at_init
from .network import INITS
from .trainer import Run, targets

MAX_DEPTH, MAX_WIDTH = 12, 8
SCALES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
SPEEDS = (1, 2, 5, 10, 20)
COMPARE = ("sigmoid", "tanh", "relu")
DATASETS = ("circle", "xor", "gauss", "spiral")
DEFAULTS = {"depth": 10, "width": 4, "act": "sigmoid", "init": "xavier", "scale": 1.0, "lr": 0.1,
            "dataset": "circle", "seed": 0, "speed": 5}
PARSERS = {
    "depth": Q.integer(2, MAX_DEPTH), "width": Q.integer(2, MAX_WIDTH),
    "act": Q.choice(ACTIVATIONS), "init": Q.choice(INITS),
    "scale": lambda s: min(SCALES, key=lambda v: abs(v - Q.number(0, 100)(s))),
    "lr": lambda s: min(LRS, key=lambda v: abs(v - Q.number(0, 100)(s))),
    "dataset": Q.choice(DATASETS),
    "seed": Q.integer(0, 9999),
    "speed": lambda s: min(SPEEDS, key=lambda v: abs(v - Q.number(0, 1000)(s))),
}


def from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    return Q.write(values, DEFAULTS)


def config(values: dict) -> dict:
    """A playground configuration for the demo network."""
    v = {**DEFAULTS, **values}
    return {**S.defaults(), "dataset": v["dataset"], "noise": 0, "seed": int(v["seed"]),
            "layers": [int(v["width"])] * int(v["depth"]), "acts": [v["act"]] * int(v["depth"]),
            "loss": "cross_entropy", "init": v["init"], "init_scale": float(v["scale"]),
            "lr": float(v["lr"]), "optimizer": "sgd", "batch": 10}


def run_key(values: dict) -> tuple:
    """What defines a fresh network (lr and speed apply to a running one)."""
    v = {**DEFAULTS, **values}
    return tuple(v[k] for k in ("depth", "width", "act", "init", "scale", "dataset", "seed"))


def build(values: dict) -> Run:
    return Run(config(values))


def compare_at_init(values: dict, acts=COMPARE) -> dict:
    """Per-layer gradient sizes of fresh networks that differ only in the activation."""
    run = build(values)   # its data; the networks below are rebuilt for each activation
    cfg = config(values)
    out = {}
    for act in dict.fromkeys([*acts, cfg["acts"][0]]):
        sizes = run.net.sizes
        out[ACTIVATIONS[act].label] = at_init(
            sizes, [act] * (len(sizes) - 2) + ["linear"], "cross_entropy", cfg["init"], cfg["seed"],
            cfg["init_scale"], run.Xtr, targets(run.train, "cross_entropy"))
    return out


def diverged_message(run: Run, values: dict, init_sizes) -> str:
    """Why the demo network's training stopped, blaming what the numbers point at: gradients that
    were already huge before the first update (the weight scale or init) or the learning rate."""
    v = {**DEFAULTS, **values}
    loss, lr = run.train_loss, float(run.cfg["lr"])
    biggest = float(np.nanmax(np.abs(run.net.theta))) if np.isfinite(run.net.theta).any() else float("inf")
    what = (f"the loss became {loss}" if not np.isfinite(loss) else
            f"the weights blew up (largest |w| {biggest:.1e}) while the loss reads {loss:.3g}")
    head = f"Training stopped at epoch {run.epoch}: {what}. "
    g0 = float(np.max(init_sizes))
    if np.isfinite(g0) and g0 > EXPLODING:
        cause = (f"weight scale ×{float(v['scale']):g}" if float(v["scale"]) > 1
                 else f"{INITS[v['init']]} initialization")
        return head + (f"The cause is the {cause}, not the learning rate: before any training the "
                       f"gradients were already up to {g0:.1e} per weight, so the first update moved "
                       f"weights by about {lr:g} × {g0:.1e} ≈ {lr * g0:.1e}. Even a 100× smaller "
                       f"learning rate would move them by {lr * g0 / 100:.1e}. Set the weight scale "
                       "back to 1 (or use a smaller init), then press Reset.")
    return head + (f"The gradients were moderate before training (at most {g0:.1e} per weight), so "
                   f"the learning rate {lr:g} is too high: each update overshoots. Lower it, then "
                   "press Reset.")

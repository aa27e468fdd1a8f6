"""The measurements that answer a lesson's questions, run with the app's own engines.

Each experiment takes the question's ``params`` (settings in the pages' URL form, so a lesson
file reads like a link) and returns an :class:`Outcome`: the right option (or the measured
number) and a sentence built only from the numbers it measured. All are seeded: the same lesson
gives the same outcome on every server, so it is computed once and cached.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Outcome:
    kind: str                # "choice" or "number"
    answer: float            # index of the right option, or the measured number
    sentence: str
    numbers: dict = field(default_factory=dict)   # label -> measured value


@dataclass(frozen=True)
class Experiment:
    kind: str
    run: Callable[[dict], Outcome]
    metric: str              # what is measured (for the lesson file's reader)
    races: bool = False      # a choice between ``variants`` (options = their labels)


def _str_query(d: dict | None) -> dict:
    return {str(k): (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in (d or {}).items()}


def _race(params: dict, measure, metric: str, higher_wins: bool, fmt: str, unit: str,
          missing: str = "diverged") -> Outcome:
    """Measure every variant; the best one answers. The sentence says by how much (a variant
    measured as infinite or NaN is said to be ``missing``)."""
    labels = [v["label"] for v in params["variants"]]
    values = [float(measure({**_str_query(params.get("settings")), **_str_query(v.get("settings"))}))
              for v in params["variants"]]
    finite = [x if math.isfinite(x) else (-math.inf if higher_wins else math.inf) for x in values]
    best = int(np.argmax(finite) if higher_wins else np.argmin(finite))
    parts = "; ".join(f"{lab}: {metric} {format(x, fmt)}{unit}" if math.isfinite(x)
                      else f"{lab}: {missing}" for lab, x in zip(labels, values))
    others = [x for i, x in enumerate(finite) if i != best]
    tie = any(abs(x - finite[best]) <= 1e-9 * max(1.0, abs(finite[best])) for x in others)
    if tie:
        verdict = f"{labels[best]} ties with another choice."
    else:
        verdict = f"{labels[best]} has the {'highest' if higher_wins else 'lowest'} {metric}."
    return Outcome("choice", best, f"Measured on this server ({params.get('what', 'same seed')}): "
                                   f"{parts}. {verdict}", dict(zip(labels, values)))


# ---- the playground's engine ----------------------------------------------------------------
def _mlp_run(query: dict):
    from ..mlp import settings as S
    from ..mlp.trainer import Run

    cfg, warnings = S.from_query(query)
    if warnings:
        raise ValueError(warnings[0])
    return Run(cfg)


def mlp_race(params: dict) -> Outcome:
    epochs = int(params.get("epochs", 300))

    def test_loss(q):
        run = _mlp_run(q)
        run.step(epochs)
        return run.test_loss if run.status != "diverged" else math.nan
    return _race({"what": f"same data and seed, {epochs} epochs each", **params}, test_loss,
                 "test loss", False, ".3f", "")


def mlp_params(params: dict) -> Outcome:
    run = _mlp_run(_str_query(params.get("settings")))
    n = int(run.net.n_params)
    sizes = " → ".join(str(s) for s in run.net.sizes)
    return Outcome("number", n, f"The network {sizes} has {n:,} weights and biases "
                                f"(counted from the network the playground builds).", {"parameters": n})


def first_layer_gradient(params: dict) -> Outcome:
    from ..mlp import gradflow_demo as G
    from ..mlp.gradflow import gradient_sizes, layer_gradients
    from ..mlp.trainer import Run

    def size(q):
        values, warnings = G.from_query(q)
        if warnings:
            raise ValueError(warnings[0])
        run = Run(G.config(values))
        return float(gradient_sizes(layer_gradients(run.net, run.Xtr, run.Ttr))[0])
    return _race({"what": "fresh networks, same data and seed", **params}, size,
                 "first-layer gradient size", True, ".2e", "")


def backprop_update(params: dict) -> Outcome:
    """Options: [loss goes down, loss goes up] after one gradient step on the page's example."""
    from ..mlp import backprop as B

    values, warnings = B.from_query(_str_query(params.get("settings")))
    if warnings:
        raise ValueError(warnings[0])
    v = {**B.DEFAULTS, **values}
    net = B.build(v["inputs"], list(v["hidden"]), v["outputs"], v["act"], v["out_act"], v["loss"],
                  v["seed"])
    tr = B.Trace(net, v["x"], v["t"], lr=v["lr"])
    before, after = float(tr.loss), float(tr.loss_after)
    went = "down" if after < before else "up" if after > before else "nowhere"
    return Outcome("choice", 0 if after < before else 1,
                   f"Measured: the loss was {before:.4g} before the update and {after:.4g} after "
                   f"one step with learning rate {v['lr']:g}: it went {went}.",
                   {"loss before": before, "loss after": after})


# ---- other engines --------------------------------------------------------------------------
def cnn_race(params: dict) -> Outcome:
    from ..cnn import digits as D, settings as C, train as T
    from ..threads import few_threads

    steps = int(params.get("steps", 200))

    def accuracy(q):
        v, warnings = C.from_query(q)
        if warnings:
            raise ValueError(warnings[0])
        v = {**C.DEFAULTS, **v}
        data = D.load("digits8", int(v["seed"]))
        with few_threads():
            run = T.CNNRun(data, v["c1"], v["c2"], v["kernel"], v["lr"], v["batch"], int(v["seed"]),
                           v["opt"])
            T.train_for(run, steps=steps)
        return float(run.test_acc) * 100
    return _race({"what": f"8×8 digits, {steps} mini-batches each", **params}, accuracy,
                 "test accuracy", True, ".1f", " %")


def rnn_race(params: dict) -> Outcome:
    from ..rnn import settings as S
    from ..rnn.train import SeqRun

    steps = int(params.get("steps", 150))

    def accuracy(q):
        values, warnings = S.from_query(q)
        if warnings:
            raise ValueError(warnings[0])
        run = SeqRun(S.normalize(values))
        run.step(steps)
        return float(run.test_accuracy) * 100
    return _race({"what": f"same sequences and seed, {steps} training steps each", **params},
                 accuracy, "test accuracy", True, ".1f", " %")


def tiny_race(params: dict) -> Outcome:
    from ..transformer.tiny import Settings, TinyRun
    from ..threads import few_threads

    steps = int(params.get("steps", 100))

    def accuracy(q):
        kw = {k: (int(v) if k != "task" else v) for k, v in q.items()}
        with few_threads():
            run = TinyRun(Settings(**kw))
            run.step(steps)
        return float(run.token_acc) * 100
    return _race({"what": f"{steps} training steps each, seeded", **params}, accuracy,
                 "token accuracy", True, ".1f", " %")


def data_fraction(params: dict) -> Outcome:
    from ..mlp import efficiency as E, settings as S

    cfg, warnings = S.from_query(_str_query(params.get("settings")))
    if warnings:
        raise ValueError(warnings[0])
    frac = float(params.get("fraction", 0.05))
    last = [p for p in E.experiment(cfg, fractions=(frac,), updates=int(params.get("updates", 3000)))][-1]
    acc = float(last.test_acc) * 100
    return Outcome("number", acc, f"Measured: trained on {frac:.0%} of the training data "
                                  f"({last.n_train} points, {last.updates:,} updates), the network "
                                  f"reached {acc:.1f} % test accuracy.", {"test accuracy": acc})


def conv_output(params: dict) -> Outcome:
    from ..cnn import kernels as K

    n, k = int(params.get("size", 28)), int(params.get("kernel", 3))
    stride, pad = int(params.get("stride", 1)), int(params.get("padding", 0))
    out = K.convolve(np.zeros((1, n, n)), np.ones((k, k)), stride=stride, padding=pad)
    side = int(out.shape[-1])
    return Outcome("number", side, f"Measured: convolving a {n}×{n} image with a {k}×{k} kernel "
                                   f"(stride {stride}, padding {pad}) gives a {side}×{side} output.",
                   {"output side": side})


def grid_moves(query: dict) -> float:
    """Moves of the exact best path from S to the goal (value iteration, the arrows followed
    without slipping); infinite when the best policy never reaches the goal."""
    from ..games import gridworld as G, settings as GS

    v = {**GS.GRID_DEFAULTS, **GS.from_query(query, GS.GRID_PARSERS)[0]}
    maze = G.parse(v["maze"] if v["preset"] == "custom" else G.PRESETS[v["preset"]][1])
    gamma, _ = G.check_discount(float(v["gamma"]), float(v["step_reward"]))
    path, end = G.greedy_path(maze, G.value_iteration(
        G.Dynamics.of(maze, float(v["slip"]), float(v["step_reward"])), gamma))
    return float(len(path) - 1) if end == "goal" else math.inf


def grid_race(params: dict) -> Outcome:
    return _race({"what": "exact value iteration", **params}, grid_moves, "number of moves from S to the goal",
                 False, ".0f", "", missing="never reaches the goal")


EXPERIMENTS: dict[str, Experiment] = {
    "mlp_race": Experiment("choice", mlp_race, "playground test loss after N epochs (lower wins)", True),
    "mlp_params": Experiment("number", mlp_params, "parameters of a playground network"),
    "first_layer_gradient": Experiment("choice", first_layer_gradient,
                                       "first layer's gradient size at init (larger wins)", True),
    "backprop_update": Experiment("choice", backprop_update,
                                  "loss after one update: [goes down, goes up]"),
    "cnn_race": Experiment("choice", cnn_race, "CNN test accuracy after N steps (higher wins)", True),
    "rnn_race": Experiment("choice", rnn_race, "RNN test accuracy after N steps (higher wins)", True),
    "tiny_race": Experiment("choice", tiny_race, "tiny transformer token accuracy (higher wins)", True),
    "data_fraction": Experiment("number", data_fraction, "test accuracy (%) on a fraction of the data"),
    "conv_output": Experiment("number", conv_output, "side of a convolution's output"),
    "grid_race": Experiment("choice", grid_race, "grid world: moves of the best path (fewer wins)", True),
}
from .experiments_vision import EXPERIMENTS as _VISION  # noqa: E402 - the robustness lesson's

EXPERIMENTS.update(_VISION)


def grade(outcome: Outcome, prediction, tolerance: float = 0.1) -> bool:
    """Was the prediction right? A number counts within ``tolerance`` (relative, at least 0.5)."""
    if outcome.kind == "choice":
        return int(prediction) == int(outcome.answer)
    return abs(float(prediction) - outcome.answer) <= max(0.5, tolerance * abs(outcome.answer))

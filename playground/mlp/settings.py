"""The playground's settings as one declarative table.

The table drives the controls' defaults and ranges, the URL (a shared link reproduces a setup;
only values that differ from the defaults are written) and which changes restart training.
A classroom link can hide groups of controls with ``hide=group1,group2``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .. import query as Q
from .activations import ACTIVATION_KEYS
from .datasets import GENERATORS
from .features import FEATURE_KEYS
from .network import INITS, OPTIMIZERS, REGULARIZERS

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SPEEDS = (1, 2, 5, 10, 20, 50, 100)  # epochs per frame
MAX_LAYERS, MAX_NEURONS = 6, 8
GROUPS = ("data", "features", "network", "training", "compare", "view", "advanced")


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    kind: str  # choice | int | bool | float_choice | multi | ints | acts
    default: Any
    group: str
    options: tuple = ()
    lo: int = 0
    hi: int = 0
    resets: bool = False  # a change starts training over
    help: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", "Dataset", "choice", "circle", "data", tuple(GENERATORS), resets=True),
    Setting("noise", "Noise (%)", "int", 0, "data", lo=0, hi=50, resets=True),
    Setting("train_pct", "Training data (%)", "int", 50, "data", lo=10, hi=90, resets=True),
    Setting("seed", "Seed", "int", 0, "data", lo=0, hi=9999, resets=True,
            help="Same seed ⇒ same data and same initial weights ⇒ an identical run."),
    Setting("features", "Input features", "multi", ("x1", "x2"), "features", tuple(FEATURE_KEYS),
            resets=True),
    Setting("layers", "Hidden layers", "ints", (4, 2), "network", lo=1, hi=MAX_NEURONS, resets=True),
    Setting("acts", "Activation per hidden layer", "acts", ("tanh", "tanh"), "network",
            tuple(ACTIVATION_KEYS), resets=True),
    Setting("loss", "Output and loss", "choice", "squared", "network",
            ("squared", "cross_entropy"), resets=True,
            help="Two classes: tanh output with squared error (TF Playground) or softmax with "
                 "cross-entropy. Three or more classes always use softmax."),
    Setting("init", "Weight init", "choice", "tf", "network", tuple(INITS), resets=True),
    Setting("lr", "Learning rate", "float_choice", 0.03, "training", LEARNING_RATES),
    Setting("batch", "Batch size", "int", 10, "training", lo=1, hi=30),
    Setting("optimizer", "Optimizer", "choice", "sgd", "training", tuple(OPTIMIZERS)),
    Setting("reg", "Regularization", "choice", "none", "training", tuple(REGULARIZERS)),
    Setting("reg_rate", "Regularization rate", "float_choice", 0.0, "training", REG_RATES),
    Setting("stop_at", "Stop at epoch (0 = never)", "int", 0, "training", lo=0, hi=100000),
    Setting("speed", "Speed (epochs per frame)", "float_choice", 5, "training", SPEEDS),
    Setting("show_test", "Show test data", "bool", False, "view"),
    Setting("discretize", "Discretize output", "bool", False, "view"),
    Setting("grad_links", "Links show gradients", "bool", False, "view",
            help="Colour and size the links by ∂L/∂w over the training data instead of by the "
                 "weights: see which weights are being pushed, and how hard."),
    Setting("compare", "Compare with a second network", "bool", False, "compare"),
    Setting("b_act", "B: activation (all hidden layers)", "choice", "relu", "compare",
            tuple(ACTIVATION_KEYS), resets=True),
    Setting("b_lr", "B: learning rate", "float_choice", 0.03, "compare", LEARNING_RATES),
    Setting("b_optimizer", "B: optimizer", "choice", "sgd", "compare", tuple(OPTIMIZERS)),
)
BY_KEY = {s.key: s for s in SETTINGS}


def defaults() -> dict:
    return {s.key: _copy(s.default) for s in SETTINGS}


def _copy(v):
    return list(v) if isinstance(v, tuple) else v


def _one(params: Mapping, key: str):
    v = params.get(key)
    if isinstance(v, (list, tuple)):
        v = v[-1] if v else None
    return v


def parse(s: Setting, text: str):
    """Parse one URL value; raises ValueError with a short reason."""
    text = str(text).strip()
    if s.kind == "choice":
        if text not in s.options:
            raise ValueError(f"choose one of {', '.join(s.options)}")
        return text
    if s.kind == "int":
        return min(max(int(float(text)), s.lo), s.hi)
    if s.kind == "bool":
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError("use true or false")
        return text.lower() in ("true", "1")
    if s.kind == "float_choice":
        x = float(text)
        return min(s.options, key=lambda o: abs(o - x))  # snap to the nearest allowed value
    if s.kind == "multi":
        keys = [k for k in text.split(",") if k]
        bad = [k for k in keys if k not in s.options]
        if bad or not keys:
            raise ValueError(f"choose from {', '.join(s.options)}")
        return [k for k in s.options if k in keys]
    if s.kind == "ints":
        if text in ("", "-"):
            return []
        vals = [min(max(int(v), s.lo), s.hi) for v in text.split(",")]
        return vals[:MAX_LAYERS]
    if s.kind == "acts":
        keys = [k for k in text.split(",") if k]
        bad = [k for k in keys if k not in s.options]
        if bad:
            raise ValueError(f"unknown {Q.quote(','.join(bad))}")
        return keys[:MAX_LAYERS]
    raise ValueError(f"unknown kind {s.kind}")


def fmt(s: Setting, v) -> str:
    if s.kind == "bool":
        return "true" if v else "false"
    if s.kind in ("multi", "acts"):
        return ",".join(v)
    if s.kind == "ints":
        return ",".join(str(int(x)) for x in v) or "-"
    if s.kind == "float_choice":
        return f"{v:g}"
    return str(v)


def normalize(values: dict) -> dict:
    """Make the per-layer activations list match the layer list."""
    out = dict(values)
    layers, acts = list(out["layers"]), list(out["acts"])
    fill = acts[-1] if acts else "tanh"
    out["acts"] = (acts + [fill] * len(layers))[:len(layers)]
    return out


def from_query(params: Mapping) -> tuple[dict, list[str]]:
    """Settings from URL query parameters; bad values fall back to defaults with a warning."""
    values, warnings = defaults(), []
    for s in SETTINGS:
        raw = _one(params, s.key)
        if raw is None:
            continue
        try:
            values[s.key] = parse(s, raw)
        except (ValueError, TypeError, ArithmeticError) as exc:   # inf or 1e999 overflows an int
            warnings.append(Q.ignored(s.key, raw, str(exc)))
    return normalize(values), warnings


def to_query(values: Mapping) -> dict[str, str]:
    """Only the settings that differ from the defaults, as URL strings."""
    out = {}
    for s in SETTINGS:
        if s.key in values and fmt(s, values[s.key]) != fmt(s, _copy(s.default)):
            out[s.key] = fmt(s, values[s.key])
    return out


def hidden_groups(params: Mapping) -> set[str]:
    raw = _one(params, "hide") or ""
    return {g for g in str(raw).split(",") if g in GROUPS}


def reset_keys() -> set[str]:
    return {s.key for s in SETTINGS if s.resets}

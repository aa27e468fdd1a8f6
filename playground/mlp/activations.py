"""Activation functions, each an object holding f and its derivative f'.

Every formula is written once, self-contained (no calls between them), with NumPy functions that work the same on a whole array
(heatmaps, plots) and on one float (the compiled training kernel in :mod:`playground.mlp.kernel`).
That is why the piecewise functions below use ``np.maximum`` and comparisons instead of ``if``.

``df(x, y)`` receives both the input ``x`` and the output ``y = f(x)``, because for some
functions the derivative is cheapest from the output: tanh' = 1 - y², sigmoid' = y (1 - y).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

_GELU_C = 0.7978845608028654  # sqrt(2 / pi)


@dataclass(frozen=True)
class Activation:
    key: str
    label: str
    f: Callable
    df: Callable
    code: int  # index used by the compiled kernel
    torch_name: str  # the matching torch.nn module, used by tests and the exporter
    note: str = ""

    def __call__(self, x):
        return self.f(x)

    def derivative(self, x):
        return self.df(x, self.f(x))


# ---- the formulas --------------------------------------------------------------------

def relu_f(x):
    return np.maximum(x, 0.0)


def relu_df(x, y):
    return (x > 0) * 1.0


def leaky_relu_f(x):
    return np.maximum(x, 0.01 * x)


def leaky_relu_df(x, y):
    return 0.01 + 0.99 * (x > 0)


def elu_f(x):
    return np.maximum(x, 0.0) + np.expm1(np.minimum(x, 0.0))


def elu_df(x, y):
    # for x <= 0, y = exp(x) - 1, so exp(x) = y + 1
    return (x > 0) * 1.0 + (x <= 0) * (y + 1.0)


def gelu_f(x):
    # the tanh form used by GPT-2 (torch: GELU(approximate="tanh"))
    return 0.5 * x * (1.0 + np.tanh(_GELU_C * (x + 0.044715 * x * x * x)))


def gelu_df(x, y):
    t = np.tanh(_GELU_C * (x + 0.044715 * x * x * x))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _GELU_C * (1.0 + 3 * 0.044715 * x * x)


def sigmoid_f(x):
    # 1 / (1 + e^-x), written with tanh so large |x| never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sigmoid_df(x, y):
    return y * (1.0 - y)


def silu_f(x):
    return x * 0.5 * (1.0 + np.tanh(0.5 * x))


def silu_df(x, y):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))  # sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def softplus_f(x):
    # log(1 + e^x), stable for large |x|
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


def softplus_df(x, y):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # sigmoid(x)


def tanh_f(x):
    return np.tanh(x)


def tanh_df(x, y):
    return 1.0 - y * y


def linear_f(x):
    return x * 1.0


def linear_df(x, y):
    return x * 0.0 + 1.0


_TABLE = [
    ("relu", "ReLU", relu_f, relu_df, "ReLU",
     "max(0, x). Gradient 1 for x > 0 and exactly 0 for x < 0: a neuron stuck below zero stops learning ('dead ReLU')."),
    ("leaky_relu", "Leaky ReLU", leaky_relu_f, leaky_relu_df, "LeakyReLU",
     "Like ReLU, but a small slope (0.01) for x < 0 keeps some gradient flowing, so neurons cannot die."),
    ("elu", "ELU", elu_f, elu_df, "ELU",
     "Identity for x > 0, a smooth curve towards -1 for x < 0. Saturates only on the negative side."),
    ("gelu", "GELU", gelu_f, gelu_df, "GELU",
     "x times the chance a standard normal is below x (tanh form). Smooth ReLU used by BERT and GPT."),
    ("silu", "SiLU / Swish", silu_f, silu_df, "SiLU",
     "x · sigmoid(x). Smooth, slightly negative dip below zero; gradient fades for very negative x."),
    ("softplus", "Softplus", softplus_f, softplus_df, "Softplus",
     "log(1 + eˣ), a smooth ReLU. Its derivative is the sigmoid, so it fades to 0 for negative x."),
    ("tanh", "Tanh", tanh_f, tanh_df, "Tanh",
     "Squashes to (-1, 1), centred at 0. For |x| > 3 the slope is almost 0: the neuron saturates."),
    ("sigmoid", "Sigmoid", sigmoid_f, sigmoid_df, "Sigmoid",
     "Squashes to (0, 1). Its slope is at most 0.25, so stacking many sigmoid layers shrinks gradients."),
    ("linear", "Linear", linear_f, linear_df, "Identity",
     "f(x) = x. No non-linearity: a stack of linear layers is still one linear function."),
]

ACTIVATIONS: dict[str, Activation] = {
    key: Activation(key, label, f, df, code, torch_name, note)
    for code, (key, label, f, df, torch_name, note) in enumerate(_TABLE)
}
ACTIVATION_KEYS = list(ACTIVATIONS)
BY_CODE = [ACTIVATIONS[k] for k in ACTIVATION_KEYS]


def get(key: str) -> Activation:
    try:
        return ACTIVATIONS[key]
    except KeyError:
        raise ValueError(f"unknown activation {key!r}; choose from {', '.join(ACTIVATIONS)}") from None

"""Train a CNN's setup in the address bar (a lesson link or a class-board submission)."""
from __future__ import annotations

from .. import query as Q
from . import train as T
from .digits import SOURCES


def _nearest(options):
    return lambda s: min(options, key=lambda v: abs(v - Q.number(0, 1e6)(s)))


DEFAULTS = {"data": "digits8", "seed": 0, "c1": 8, "c2": 16, "kernel": 3, "opt": "adam",
            "lr": 0.003, "batch": 32}
PARSERS = {"data": Q.choice(SOURCES), "seed": Q.integer(0, 9999), "c1": _nearest(T.CHANNELS),
           "c2": _nearest(T.CHANNELS), "kernel": _nearest(T.KERNELS), "opt": Q.choice(T.OPTIMIZERS),
           "lr": _nearest(T.LEARNING_RATES), "batch": _nearest(T.BATCHES)}


def from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    return Q.write(values, DEFAULTS)

"""The CNN pages' setups in the address bar (lesson links, class-board submissions): Train a
CNN (``from_query`` / ``to_query``) and the convolution lab (``conv_from_query`` / ...)."""
from __future__ import annotations

from .. import query as Q
from . import kernels as K
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


CONV_DEFAULTS = {"preset": "sobel_x", "ksize": 3, "stride": 1, "padding": 0, "dilation": 1,
                 "gray": "gray", "show": "stretch", "patch": 6, "patch_y": 50, "patch_x": 50}
CONV_PARSERS = {"preset": Q.choice(K.PRESETS), "ksize": _nearest(K.SIZES),
                "stride": Q.integer(1, K.MAX_STRIDE), "padding": Q.integer(0, K.MAX_PADDING),
                "dilation": Q.integer(1, K.MAX_DILATION), "gray": Q.choice(("gray", "rgb")),
                "show": Q.choice(("stretch", "clip")), "patch": Q.integer(4, 9),
                "patch_y": Q.integer(0, 100), "patch_x": Q.integer(0, 100)}


def conv_from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, CONV_PARSERS)


def conv_to_query(values: dict) -> dict:
    return Q.write(values, CONV_DEFAULTS)

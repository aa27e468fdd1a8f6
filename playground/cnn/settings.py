"""The CNN pages' setups in the address bar (lesson links, class-board submissions): Train a
CNN (``from_query`` / ``to_query``) and the convolution lab (``conv_from_query`` / ...)."""
from __future__ import annotations

import functools

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


# ---- Inside a pretrained CNN ----------------------------------------------------------------
INSIDE_MODELS = ("resnet18", "mobilenet_v3_large")
INSIDE_TOPS = (4, 8, 16, 32)
INSIDE_EPS = (0.02, 0.05, 0.1, 0.2, 0.3)
INSIDE_DEFAULTS = {"model": "resnet18", "layer": "", "top": 16, "img_sample": "Cat",
                   "own_digit": 0, "own_eps": 0.1}


@functools.lru_cache(maxsize=len(INSIDE_MODELS))
def inside_layers(model: str) -> tuple[str, ...]:
    """The stages of ``model`` that have feature maps (from the architecture: no weights)."""
    import torch

    from ..vision import models as M
    from . import inside as I

    spec = M.REGISTRY[model]
    with torch.random.fork_rng(devices=[]):
        net = spec.builder(weights=None, **spec.arch).eval()
    return tuple(I.spatial_stages(net, spec.family))


def inside_default_layer(model: str) -> str:
    layers = inside_layers(model)
    return layers[min(4, len(layers) - 1)]


def inside_from_query(q) -> tuple[dict, list[str]]:
    """The page's values; a ``layer`` must be a stage of the link's model (of either model
    when the link names none)."""
    from ..images import SAMPLES

    values, warnings = Q.parse(q, {"model": Q.choice(INSIDE_MODELS), "top": _nearest(INSIDE_TOPS),
                                   "img_sample": Q.choice(SAMPLES),
                                   "own_digit": Q.integer(0, 9999), "own_eps": _nearest(INSIDE_EPS)})
    if "layer" in q:
        models = [values["model"]] if "model" in values else list(INSIDE_MODELS)
        if any(q["layer"] in inside_layers(m) for m in models):
            values["layer"] = q["layer"]
        else:
            warnings.append(Q.ignored("layer", q["layer"], "not a layer with feature maps of "
                                      + " or ".join(models)))
    return values, warnings


def inside_to_query(values: dict) -> dict:
    d = {**INSIDE_DEFAULTS, "layer": inside_default_layer(values.get("model", "resnet18"))}
    return Q.write({k: values.get(k, v) for k, v in d.items()}, d)

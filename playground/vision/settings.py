"""The image-classification page's setup in the address bar (lesson links): a small
declarative table, parsed with :mod:`playground.query`."""
from __future__ import annotations

import re

from .. import query as Q
from ..images import SAMPLES
from . import attacks as A, cam as CAM, corrupt as C, explain as E
from .models import specs
from .own_digits import EPS

DIGITS = "digits"            # the app's own digits CNN (offline); the others are ImageNet models
IMAGENET = tuple(s.key for s in specs("classify"))
INPUTS = {"test": ":material/pin: A test digit", "draw": ":material/draw: Draw",
          "photo": ":material/photo_camera: Photo or upload"}
TABS = {"why": ":material/search: Why this answer?",
        "fool": ":material/bug_report: Fool it: adversarial pixels",
        "corrupt": ":material/blur_on: Everyday corruptions"}
EPS255 = (0.5, 1, 2, 3, 4, 6, 8, 12, 16)      # ImageNet models: ε of 255
LEVELS = 9                                    # every corruption ladder's length

DEFAULTS = {"model": IMAGENET[0], "input": "test", "digit": 1, "img_src": "sample",
            "img_sample": "Cat", "tab": "why", "method": "gradcam", "layer": "",
            "opacity": 0.6, "attack": "fgsm", "eps": 2, "deps": 0.1, "steps": 8,
            "targeted": False, "corruption": "noise", "level": LEVELS // 2}


def _nearest(options):
    return lambda s: min(options, key=lambda v: abs(v - Q.number(-1e6, 1e6)(s)))


def _layer(s: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.]{0,40}", s):
        raise ValueError("a layer name is letters, digits, dots and underscores")
    return s


def _flag(s: str) -> bool:
    if s.lower() not in ("true", "false", "1", "0"):
        raise ValueError("true or false")
    return s.lower() in ("true", "1")


PARSERS = {"model": Q.choice((DIGITS, *IMAGENET)), "input": Q.choice(INPUTS),
           "digit": Q.integer(1, 2000), "img_src": Q.choice(("sample", "upload", "camera")),
           "img_sample": Q.choice(SAMPLES), "tab": Q.choice(TABS),
           "method": Q.choice((*CAM.CAM_METHODS, *E.METHODS)), "layer": _layer,
           "opacity": Q.number(0, 1), "attack": Q.choice(A.ATTACKS), "eps": _nearest(EPS255),
           "deps": _nearest(EPS), "steps": Q.integer(2, 20), "targeted": _flag,
           "corruption": Q.choice(C.CORRUPTIONS), "level": Q.integer(0, LEVELS - 1)}


def from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    v = {k: values.get(k, d) for k, d in DEFAULTS.items()}
    v["targeted"] = str(bool(v["targeted"])).lower()
    return Q.write(v, {**DEFAULTS, "targeted": "false"})

"""The teach page's settings ⇄ URL (e.g. ``?features=digits_cnn&classes=3&epochs=100``)."""
from __future__ import annotations

from typing import Mapping

from .. import query as Q
from . import learner as L

BACKBONES = ("mobilenet", "digits_cnn")
DEFAULTS = {"features": "mobilenet", "classes": 2, "epochs": 50, "lr": 0.001}
PARSERS = {"features": Q.choice(BACKBONES), "classes": Q.integer(L.MIN_CLASSES, L.MAX_CLASSES),
           "epochs": lambda s: min(L.EPOCHS, key=lambda e: abs(e - float(s))),
           "lr": lambda s: min(L.LEARNING_RATES, key=lambda v: abs(v - float(s)))}


def from_query(q: Mapping) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: Mapping) -> dict:
    return Q.write(values, DEFAULTS)

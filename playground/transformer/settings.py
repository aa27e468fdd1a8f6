"""Train a tiny transformer's setup in the address bar (lesson links, shared setups)."""
from __future__ import annotations

from .. import query as Q
from . import tiny as TT

LRS = (3e-4, 1e-3, 3e-3)
DEFAULTS = {"task": "reverse", "length": 6, "layers": 1, "heads": 2, "lr": 1e-3, "seed": 0}
PARSERS = {"task": Q.choice(TT.TASKS), "length": Q.integer(TT.MIN_LEN, TT.MAX_LEN),
           "layers": Q.integer(1, 2), "heads": lambda s: min((1, 2, 4), key=lambda h: abs(h - Q.number(1, 4)(s))),
           "lr": lambda s: min(LRS, key=lambda v: abs(v - Q.number(0, 1)(s))), "seed": Q.integer(0, 9999)}


def from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    return Q.write(values, DEFAULTS)

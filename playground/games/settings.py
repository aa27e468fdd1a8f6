"""The Learning-to-play pages' settings: defaults, allowed values and their URL form.

Every value from the address bar is parsed and clamped here (``playground.query``), so a link
can never ask for a learning rate or a maze size outside what the pages offer.
"""
from __future__ import annotations

from .. import query as Q
from .gridworld import MAX_SIDE, PRESETS

GAMMAS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
STEP_REWARDS = (-1.0, -0.5, -0.2, -0.1, -0.04, -0.01, 0.0, 0.01, 0.1)
SLIPS = (0.0, 0.1, 0.2, 0.3, 0.5)
ALPHAS = (0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 1.0)
LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1.0, 10.0)
EPSILONS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
GRID_SPEEDS = (1, 2, 5, 10, 20, 50, 100)       # episodes per frame
CART_SPEEDS = (1, 2, 4, 8, 16)                 # updates (8 episodes each) per frame
TTT_SPEEDS = (1, 5, 10, 25, 50)                # rounds (16 games each) per frame


def nearest(options):
    return lambda s: min(options, key=lambda v: abs(v - Q.number(-1e9, 1e9)(s)))


def maze_text(s: str) -> str:
    rows = [r for r in str(s).split("/") if r]
    if not 1 <= len(rows) <= MAX_SIDE or any(len(r) > MAX_SIDE for r in rows):
        raise ValueError(f"a maze has at most {MAX_SIDE} rows of {MAX_SIDE} cells")
    return "\n".join(rows)


GRID_DEFAULTS = {"preset": "maze4", "maze": PRESETS["maze4"][1], "method": "table", "gamma": 0.95,
                 "step_reward": -0.04, "slip": 0.0, "alpha": 0.5, "lr": 0.003, "eps": 0.2, "seed": 0,
                 "speed": 5}
GRID_PARSERS = {"preset": Q.choice([*PRESETS, "custom"]), "maze": maze_text,
                "method": Q.choice(("table", "network")), "gamma": nearest(GAMMAS),
                "step_reward": nearest(STEP_REWARDS), "slip": nearest(SLIPS), "alpha": nearest(ALPHAS),
                "lr": nearest(LRS), "eps": nearest(EPSILONS), "seed": Q.integer(0, 9999),
                "speed": nearest(GRID_SPEEDS)}

CART_DEFAULTS = {"lr": 0.01, "gamma": 0.99, "seed": 0, "speed": 2}
CART_PARSERS = {"lr": nearest(LRS), "gamma": nearest(GAMMAS[4:]), "seed": Q.integer(0, 9999),
                "speed": nearest(CART_SPEEDS)}

TTT_DEFAULTS = {"lr": 0.003, "eps": 0.3, "seed": 0, "speed": 10, "first": "you"}
TTT_PARSERS = {"lr": nearest(LRS), "eps": nearest(EPSILONS), "seed": Q.integer(0, 9999),
               "speed": nearest(TTT_SPEEDS), "first": Q.choice(("you", "agent"))}


def from_query(q, parsers) -> tuple[dict, list[str]]:
    return Q.parse(q, parsers)


def to_query(values, defaults) -> dict:
    v = {k: values.get(k, d) for k, d in defaults.items()}
    if "maze" in v:
        if v.get("preset") != "custom":
            v["maze"] = defaults["maze"]
        out = Q.write({k: x for k, x in v.items() if k != "maze"}, {k: d for k, d in defaults.items() if k != "maze"})
        if v["maze"] != defaults["maze"]:
            out["maze"] = "/".join(str(v["maze"]).split())
        return out
    return Q.write(v, defaults)

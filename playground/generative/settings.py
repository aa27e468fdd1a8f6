"""Each generative page's settings ⇄ the address bar (only what differs from the defaults)."""
from __future__ import annotations

from .. import query as Q
from . import data2d as D2, diffusion as Df, gan as G, vae as V

SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200)
TARGETS_2D = [k for k in D2.TARGETS]


def nearest(options):
    return lambda s: min(options, key=lambda v: abs(v - Q.number(-1e9, 1e9)(s)))


GAN_DEFAULTS = {"target": "ring", "lr_g": 1e-3, "lr_d": 1e-3, "d_steps": 1, "latent": 2, "width": 64,
                "depth": 2, "optimizer": "adam", "seed": 0, "speed": 20}
GAN_PARSERS = {"target": Q.choice(TARGETS_2D), "lr_g": nearest(G.LRS), "lr_d": nearest(G.LRS),
               "d_steps": Q.integer(1, 5), "latent": Q.integer(1, 8), "width": nearest(G.WIDTHS),
               "depth": Q.integer(1, 4), "optimizer": Q.choice(("adam", "sgd")),
               "seed": Q.integer(0, 9999), "speed": nearest(SPEEDS)}

VAE_DEFAULTS = {"data": "digits8", "latent": 2, "width": 128, "beta": 1.0, "lr": 3e-3, "seed": 0,
                "speed": 20, "from": 3, "to": 8}
VAE_PARSERS = {"data": Q.choice(("digits8", "mnist")), "latent": nearest(V.LATENTS),
               "width": nearest(V.WIDTHS), "beta": nearest(V.BETAS), "lr": nearest(V.LRS),
               "seed": Q.integer(0, 9999), "speed": nearest(SPEEDS), "from": Q.integer(0, 9),
               "to": Q.integer(0, 9)}

DIFF_DATA = [k for k in D2.TARGETS] + ["digits"]
DIFF_DEFAULTS = {"data": "moons", "T": 100, "schedule": "linear", "lr": 3e-3, "seed": 0,
                 "sampler": 0, "guidance": 2.0, "digit": 3, "field_t": 20, "speed": 20, "sample_seed": 0}
DIFF_PARSERS = {"data": Q.choice(DIFF_DATA), "T": nearest(Df.STEPS), "schedule": Q.choice(Df.SCHEDULES),
                "lr": nearest(Df.LRS), "seed": Q.integer(0, 9999), "sampler": Q.integer(0, 500),
                "guidance": lambda s: round(Q.number(0, 8)(s) * 2) / 2, "digit": Q.integer(0, 9), "field_t": Q.integer(1, 500),
                "speed": nearest(SPEEDS), "sample_seed": Q.integer(0, 9999)}


def from_query(parsers):
    return lambda q: Q.parse(q, parsers)


def to_query(values: dict, defaults: dict) -> dict:
    return Q.write({k: values.get(k, v) for k, v in defaults.items()}, defaults)


def gan_settings(v: dict) -> G.Settings:
    v = {**GAN_DEFAULTS, **v}
    return G.Settings(target=v["target"], lr_g=float(v["lr_g"]), lr_d=float(v["lr_d"]),
                      d_steps=int(v["d_steps"]), latent=int(v["latent"]), width=int(v["width"]),
                      depth=int(v["depth"]), optimizer=v["optimizer"], seed=int(v["seed"]))


def preset_values(key: str) -> dict:
    s = G.PRESETS[key][1]
    return {"target": s.target, "lr_g": s.lr_g, "lr_d": s.lr_d, "d_steps": s.d_steps,
            "latent": s.latent, "width": s.width, "depth": s.depth, "optimizer": s.optimizer,
            "seed": s.seed}

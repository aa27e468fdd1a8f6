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


# ---- the language-model pages: attention, next-token prediction, the logit lens ------------
# "model" is always written (which models a server has decides its default); a text is written
# when it differs from the example the page shows for that model.
from .attention import MAX_CHARS  # noqa: E402

OWN_TEXTS = {"attention": "And God said, Let there be light: and there was light.",
             "next_token": "And God said unto",
             "logit_lens": "And God said unto Abraham, Take now thy son"}
HUB_TEXTS = {"attention": "The animal didn't cross the street because it was too tired.",
             "next_token": "The capital of France is",
             "logit_lens": "The Eiffel Tower is in the city of"}
TEXT_KEY = {"attention": "text", "next_token": "prompt", "logit_lens": "text"}
ATTN_VIEWS = ("head", "model", "avg", "token", "tokens")
LENS_VIEWS = ("lens", "rank", "heads", "tokens")
_TEXT = Q.text(MAX_CHARS)


def _steps(lo: float, hi: float, step: float):
    """A number on a slider's grid (lo + k * step), clamped to [lo, hi]."""
    return lambda s: round(lo + round((Q.number(lo, hi)(s) - lo) / step) * step, 2)


PAGE_PARSERS = {
    "attention": {"model": Q.choice(("own", "bert", "distilgpt2")), "text": _TEXT, "pair": _TEXT,
                  "layer": Q.integer(0, 47), "head": Q.integer(-1, 63), "focus": Q.integer(-1, 1023),
                  "view": Q.choice(ATTN_VIEWS), "avg": Q.choice(("layer", "all", "rollout"))},
    "next_token": {"model": Q.choice(("own", "distilgpt2")), "prompt": _TEXT,
                   "temperature": _steps(0, 2, 0.05), "top_k": Q.integer(0, 50),
                   "top_p": _steps(0.05, 1, 0.05),
                   "greedy": Q.flag, "seed": Q.integer(0, 9999)},
    "logit_lens": {"model": Q.choice(("own", "distilgpt2")), "text": _TEXT,
                   "target": Q.integer(0, 10**6), "view": Q.choice(LENS_VIEWS)},
}
PAGE_DEFAULTS = {
    "attention": {"model": "", "text": "", "pair": "", "layer": 0, "head": 0, "focus": -1,
                  "view": "head", "avg": "layer"},
    "next_token": {"model": "", "prompt": "", "temperature": 1.0, "top_k": 0, "top_p": 1.0,
                   "greedy": False, "seed": 0},
    "logit_lens": {"model": "", "text": "", "target": -1, "view": "lens"},
}


def example_text(page: str, model: str) -> str:
    """The example text a page shows for a model (the own GPT knows only Genesis' letters)."""
    return (OWN_TEXTS if model == "own" else HUB_TEXTS)[page]


def lm_from_query(page: str):
    """``from_query`` of one language-model page (``page``: attention, next_token, logit_lens)."""
    return lambda q: Q.parse(q, PAGE_PARSERS[page])


def lm_to_query(page: str, values: dict) -> dict:
    d = {**PAGE_DEFAULTS[page], TEXT_KEY[page]: example_text(page, values.get("model", ""))}
    if values.get("target") == values.get("best"):     # the logit lens follows its top guess
        values = {k: v for k, v in values.items() if k != "target"}
    q = Q.write({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in values.items()},
                {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in d.items()})
    return {k: v for k, v in q.items() if v != ""}


# ---- attention on images (ViT) ------------------------------------------------------------
VIT_DEFAULTS = {"img_sample": "Cat", "view": "rollout", "opacity": 0.6, "discard": 0.0, "layer": 12,
                "patch": 105, "digit": 0, "own_view": "rollout", "pos_patch": 5}


def _own_view(s: str):
    return "rollout" if s == "rollout" else Q.integer(0, 7)(s)


def vit_parsers() -> dict:
    from ..images import SAMPLES

    return {"img_sample": Q.choice(SAMPLES), "view": Q.choice(("rollout", "last")),
            "opacity": _steps(0, 1, 0.05), "discard": _steps(0, 0.9, 0.1), "layer": Q.integer(1, 12),
            "patch": Q.integer(0, 195), "digit": Q.integer(0, 9999), "own_view": _own_view,
            "pos_patch": Q.integer(0, 15)}


def vit_from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, vit_parsers())


def vit_to_query(values: dict) -> dict:
    return Q.write({k: values.get(k, v) for k, v in VIT_DEFAULTS.items()}, VIT_DEFAULTS)

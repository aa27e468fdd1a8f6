"""The pages a lesson step can open, and how each one reads its settings from a link."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

NAV = "nav"   # hide=nav: no page navigation (a focused lesson)


@dataclass(frozen=True)
class PageSpec:
    title: str
    prefix: str                      # the page's session-state prefix
    parse: Callable | None = None    # from_query(dict) -> (values, warnings); None: no URL settings
    keys: tuple = ()                 # its URL keys (empty: probe with ``parse``)
    groups: tuple = ()               # hide= names that are groups of controls (the playground)
    extra: tuple = ()                # more control names (kept_or names that are not URL keys)
    fixed: tuple = ()                # URL keys no link can hide or lock (tabs, the image input)


def _specs() -> dict[str, PageSpec]:
    from ..cnn import settings as CS
    from ..detect import settings as DS
    from ..mlp import activation_lab as AL, backprop as BP, efficiency as EF, gradflow_demo as GF
    from ..mlp import landscape as LS
    from ..mlp import settings as PS
    from ..rnn import settings as RS
    from ..language import settings as LG
    from ..speech import settings as SP
    from ..transformer import settings as TS
    from .. import catalog as CAT
    from ..games import settings as GS
    from ..generative import settings as GEN
    from ..teach import settings as TCH
    from ..vision import featviz as FV
    from ..vision import settings as VS

    return {
        "playground": PageSpec("Neural network playground", "pg", PS.from_query, tuple(PS.BY_KEY),
                               PS.GROUPS),
        "activations": PageSpec("Activation functions", "act", AL.from_query, tuple(AL.DEFAULTS),
                                extra=("range",)),
        "backprop": PageSpec("Backpropagation step by step", "bp", BP.from_query, tuple(BP.PARSERS)),
        "gradient_flow": PageSpec("Vanishing and exploding gradients", "gf", GF.from_query,
                                  tuple(GF.PARSERS)),
        "loss_landscape": PageSpec("Loss landscape and optimizers", "ll", LS.from_query),
        "recurrent": PageSpec("Recurrent networks", "rnn", RS.from_query, tuple(RS.BY_KEY)),
        "cnn_train": PageSpec("Train a CNN", "ct", CS.from_query, tuple(CS.PARSERS)),
        "convolution": PageSpec("Convolution lab", "cv", CS.conv_from_query, tuple(CS.CONV_PARSERS)),
        "tiny_transformer": PageSpec("Train a tiny transformer", "tiny", TS.from_query,
                                     tuple(TS.PARSERS)),
        "attention": PageSpec("Attention in language models", "attn", TS.lm_from_query("attention"),
                              tuple(TS.PAGE_PARSERS["attention"]), fixed=("view",)),
        "next_token": PageSpec("Next-token prediction", "next", TS.lm_from_query("next_token"),
                               tuple(TS.PAGE_PARSERS["next_token"])),
        "logit_lens": PageSpec("Inside a language model's layers", "lens",
                               TS.lm_from_query("logit_lens"), tuple(TS.PAGE_PARSERS["logit_lens"]),
                               fixed=("view",)),
        "vit_attention": PageSpec("Attention on images", "vita", TS.vit_from_query,
                                  tuple(TS.VIT_DEFAULTS), fixed=("img_sample",)),
        "language": PageSpec("Language models", "lang", LG.from_query, tuple(LG.PARSERS),
                             fixed=("tab",)),
        "speech": PageSpec("Speech to text", "speech", SP.from_query, tuple(SP.PARSERS)),
        "cnn_inside": PageSpec("Inside a pretrained CNN", "ci", CS.inside_from_query,
                               tuple(CS.INSIDE_DEFAULTS), fixed=("img_sample",)),
        "vision_classify": PageSpec("Image classification", "vc", VS.from_query, tuple(VS.PARSERS)),
        "vision_detect": PageSpec("Detection and segmentation", "vd", DS.from_query,
                                  tuple(DS.PARSERS)),
        "data_efficiency": PageSpec("Data efficiency", "eff", EF.from_query, tuple(EF.PAGE_PARSERS)),
        "costs": PageSpec("What models cost", "cost", CAT.from_query, ("model",)),
        "feature_viz": PageSpec("What does a channel look for?", "fv", FV.from_query,
                                tuple(FV.PAGE_DEFAULTS)),
        "teach": PageSpec("Teach a model yourself", "tm", TCH.from_query, tuple(TCH.PARSERS)),
        "grid_world": PageSpec("Grid world: values and policies", "grid",
                               lambda q: GS.from_query(q, GS.GRID_PARSERS), tuple(GS.GRID_PARSERS)),
        "cartpole": PageSpec("Balance a pole", "cart", lambda q: GS.from_query(q, GS.CART_PARSERS),
                             tuple(GS.CART_PARSERS)),
        "tictactoe": PageSpec("Play against it: tic-tac-toe", "ttt",
                              lambda q: GS.from_query(q, GS.TTT_PARSERS), tuple(GS.TTT_PARSERS)),
        "gan": PageSpec("GAN on 2-D data", "gan", GEN.from_query(GEN.GAN_PARSERS),
                        tuple(GEN.GAN_PARSERS)),
        "vae": PageSpec("Variational autoencoder", "vae", GEN.from_query(GEN.VAE_PARSERS),
                        tuple(GEN.VAE_PARSERS)),
        "diffusion": PageSpec("Diffusion models", "dif", GEN.from_query(GEN.DIFF_PARSERS),
                              tuple(GEN.DIFF_PARSERS)),
    }


_CACHE: dict = {}


def specs() -> dict[str, PageSpec]:
    if not _CACHE:
        _CACHE.update(_specs())
    return _CACHE


def check_settings(page: str, settings: dict) -> list[str]:
    """Problems with a step's preset for ``page`` (empty when every value is valid)."""
    spec = specs()[page]
    if not settings:
        return []
    if spec.parse is None:
        return [f"the page {page!r} takes no settings from a link"]
    problems = []
    query = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in settings.items()}
    base, _ = spec.parse({})
    for key, value in query.items():
        if spec.keys and key not in spec.keys:
            problems.append(f"unknown setting {key!r} for {page} (known: {', '.join(spec.keys)})")
            continue
        got, warnings = spec.parse({key: value})
        if warnings:
            problems.append(f"{key}={value!r}: {warnings[0]}")
        elif not spec.keys and got == base:
            problems.append(f"unknown setting {key!r} for {page}")
    return problems


def hide_choices(page: str) -> tuple:
    spec = specs()[page]
    return (*(k for k in spec.groups or spec.keys if k not in spec.fixed), *spec.extra, NAV)

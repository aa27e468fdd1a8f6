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


def _specs() -> dict[str, PageSpec]:
    from ..cnn import settings as CS
    from ..detect import settings as DS
    from ..mlp import activation_lab as AL, backprop as BP, efficiency as EF, gradflow_demo as GF
    from ..mlp import landscape as LS
    from ..mlp import settings as PS
    from ..rnn import settings as RS
    from ..transformer import settings as TS

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
        "attention": PageSpec("Attention in language models", "attn"),
        "vision_classify": PageSpec("Image classification", "vc"),
        "vision_detect": PageSpec("Detection and segmentation", "vd", DS.from_query,
                                  tuple(DS.PARSERS)),
        "data_efficiency": PageSpec("Data efficiency", "eff", EF.from_query, tuple(EF.PAGE_PARSERS)),
        "costs": PageSpec("What models cost", "cost"),
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
    return (*(spec.groups or spec.keys), *spec.extra, NAV)

"""Every model in the app, and one standard input for each, so :mod:`playground.cost` can
measure them all the same way.

A model's cost depends on its architecture and input size, not on its weight values, so each
entry can be measured on an architecture with random weights: no download, works offline, and
a pretrained copy costs the same (except where the output depends on the weights: how many
words a decoder writes, how many boxes a detector keeps — the standard inputs fix those).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from . import cost as C

PLAYGROUND, RECURRENT = "playground", "recurrent"
OWN_DETECTOR = "detect:digits"
BUDGET_MB = 2400.0


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    page: str                    # where the app uses it
    origin: str                  # "pretrained" | "trained in the app"
    params: int | None = None    # known without building it (registry / torchvision metadata)
    size_mb: float | None = None
    note: str = ""


def entries() -> list[Entry]:
    from .language import models as LM
    from .vision import models as VM

    out = [Entry(PLAYGROUND, "Playground network (default settings)", "Neural network playground",
                 "trained in the app",
                 note="Tiny: a handful of weights; you train it yourself in the browser session."),
           Entry(RECURRENT, "Recurrent network (default LSTM)", "Recurrent networks",
                 "trained in the app", note="One LSTM layer read step by step along the sequence.")]
    from .games import costs as GC

    out += [Entry(key, label, page, "trained in the app", note=note)
            for key, (label, page, note) in GC.NETWORKS.items()]
    out.append(Entry(OWN_DETECTOR, "Own digit detector (64×64 scenes)", "Detection and segmentation",
                     "trained in the app", note="Six 3×3 convolutions to a 16×16 grid of cells "
                     "(objectness, box, digit) plus a per-pixel head; trained here offline."))
    for s in VM.REGISTRY.values():
        out.append(Entry(f"vision:{s.key}", s.label, {"classify": "Image classification"}.get(
            s.task, "Detection and segmentation"), "pretrained",
            s.weights.meta.get("num_params"), s.size_mb, s.blurb))
    for s in LM.REGISTRY.values():
        page = {"asr": "Speech to text", "encoder": "Attention in language models",
                "causal-lm": "Next-token prediction"}.get(s.task, "Language models")
        out.append(Entry(f"hf:{s.key}", s.label, page,
                         "pretrained", s.params, float(s.size_mb), s.cost_note))
    return out


def by_key() -> dict[str, Entry]:
    return {e.key: e for e in entries()}


# ---- one standard input per kind of model ----------------------------------------------------
def vision_probe(spec, model):
    """(fn, description) of one image through a torchvision model."""
    import torch

    def image(*shape):
        if next(model.parameters()).is_meta:          # shapes only (for counting)
            return torch.empty(*shape, device="meta", dtype=torch.float32)
        return torch.rand(*shape, generator=torch.Generator().manual_seed(0), dtype=torch.float32)

    if spec.task == "detect":
        img = image(3, 320, 320)
        return (lambda: model([img])), "one 320×320 photo (boxes and non-maximum suppression included)"
    t = spec.transforms
    side = int((getattr(t, "crop_size", None) or getattr(t, "resize_size", None) or [224])[0])
    x = image(1, 3, side, side)
    return (lambda: model(x)), f"one {side}×{side} image"


def rnn_probe(run):
    """(fn, description) of one test sequence through a recurrent run's model."""
    x = run.task.test.inputs([0])
    return (lambda: run.model(x)), f"one sequence of {x.shape[1]} steps ({x.shape[2]} input(s) per step)"


def default_network():
    from .mlp import settings as S
    from .mlp.trainer import Run

    return Run(S.defaults()).net


def build(key: str, meta: bool = False):
    """(module, fn, description) of entry ``key`` with random weights (or shapes only)."""
    import torch

    if key == RECURRENT:
        from .rnn import settings as RS
        from .rnn.train import SeqRun

        run = SeqRun(RS.defaults())
        fn, desc = rnn_probe(run)
        return run.model, fn, desc
    kind, name = key.split(":", 1)
    if kind == "games":
        from .games import costs as GC

        return GC.build(key)
    if kind == "detect":
        from .detect import model as DM

        torch.manual_seed(0)
        model = DM.DigitDetector().eval().requires_grad_(False)
        x = torch.rand(1, 1, DM.SIDE, DM.SIDE, generator=torch.Generator().manual_seed(0))
        return model, (lambda: model(x)), (f"one {DM.SIDE}×{DM.SIDE} digit scene (boxes, digits "
                                           "and a class per pixel)")
    if kind == "vision":
        from .vision import models as VM

        spec = VM.REGISTRY[name]
        if meta:
            with torch.device("meta"):
                model = spec.builder(weights=None, **spec.arch)
        else:
            torch.manual_seed(0)
            model = spec.builder(weights=None, **spec.arch)
        model.eval().requires_grad_(False)
        fn, desc = vision_probe(spec, model)
        return model, fn, desc
    if kind == "hf":
        from .language import models as LM

        spec = LM.REGISTRY[name]
        model = LM.random_model(spec, meta=meta)
        fn, desc = LM.probe(spec, model)
        return model, fn, desc
    raise KeyError(key)


def meta_macs(key: str) -> int | None:
    """MACs counted on the meta device (shapes only: no memory, exact for vision models), or
    None where the model cannot run without real values (detection's box selection, HF masks)."""
    if not key.startswith("vision:"):
        return None
    try:
        model, fn, _ = build(key, meta=True)
        return C.count_macs(fn, model)
    except (NotImplementedError, RuntimeError):
        return None


def check_budget(entry: Entry, budget_mb: float | None = None):
    """Refuse (BudgetError) when a temporary copy of ``entry`` could push this server over its
    memory budget (``$PLAYGROUND_MEMORY_BUDGET_MB``, default 2400 of Community Cloud's 2700)."""
    budget = budget_mb or float(os.environ.get("PLAYGROUND_MEMORY_BUDGET_MB", BUDGET_MB))
    need = 1.6 * (entry.size_mb or 0.0) + 150      # weights, initialisation, activations
    rss = C.rss_mb()
    if rss is not None and rss + need > budget:
        raise C.BudgetError(f"Measuring {entry.label} needs about {need:.0f} MB for a while, and "
                            f"this server uses {rss:.0f} of its {budget:.0f} MB now. Try again "
                            "later, or measure a smaller model.")


def measure_entry(key: str, repeats: int = 5, budget_mb: float | None = None) -> C.Cost:
    """Measure entry ``key`` on this server with random weights of its architecture."""
    entry = by_key()[key]
    if key == PLAYGROUND:
        return C.network_cost(default_network(), entry.label)
    with C.MEASURE_LOCK:          # one temporary model at a time per server
        check_budget(entry, budget_mb)
        macs = meta_macs(key)
        model, fn, desc = build(key)
        try:
            notes = ["Measured with random weights of this architecture: costs do not depend on "
                     "the weight values."] if entry.origin == "pretrained" else []
            return C.measure(entry.label, model, fn, desc, repeats, notes, macs=macs)
        finally:
            del model, fn
            C.release_memory()


def from_query(q) -> tuple[dict, list[str]]:
    """The costs page's setting from a link (``?model=vision:resnet50``): the model shown in detail."""
    from . import query as Q

    return Q.parse(q, {"model": Q.choice([e.key for e in entries()])})


def to_query(values) -> dict:
    from . import query as Q

    return Q.write(values, {"model": PLAYGROUND})

"""Inside a pretrained torchvision CNN, without touching it: the network is walked stage by
stage by hand (no hooks, no tracing, nothing registered on the shared model), so one cached
copy can serve many sessions at once. Layer table, feature maps of any stage, first-layer filters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn


@dataclass
class Stage:
    name: str          # the module's dotted name in the model ("layer2", "features.4")
    kind: str          # its class name
    run: callable      # tensor → tensor
    spatial: bool = True


def stages(model: nn.Module, family: str) -> list[Stage]:
    """The model as a list of stages whose composition is its forward pass."""
    def st(name, mod, spatial=True):
        return Stage(name, type(mod).__name__, mod, spatial)

    if family == "resnet":                       # each residual block is a stage of its own
        m = model
        out = [st(n, getattr(m, n)) for n in ("conv1", "bn1", "relu", "maxpool")]
        for n in ("layer1", "layer2", "layer3", "layer4"):
            out += [st(f"{n}.{i}", block) for i, block in enumerate(getattr(m, n))]
        out.append(st("avgpool", m.avgpool))
        return out + [Stage("fc", "Linear", lambda x: m.fc(torch.flatten(x, 1)), False)]
    if hasattr(model, "features") and hasattr(model, "classifier"):   # mobilenet, alexnet, vgg
        m = model
        out = [st(f"features.{i}", mod) for i, mod in enumerate(m.features)]
        if hasattr(m, "avgpool"):
            out.append(st("avgpool", m.avgpool))
        return out + [Stage("classifier", "Sequential",
                            lambda x: m.classifier(torch.flatten(x, 1)), False)]
    raise ValueError(f"No stage walk for the {family} family.")


def run_to(model: nn.Module, family: str, x: torch.Tensor, upto: str | None = None,
           on_stage=None) -> torch.Tensor:
    """The output of stage ``upto`` (None: the logits); ``on_stage(stage, output)`` sees each."""
    with torch.inference_mode():
        h = x
        for s in stages(model, family):
            h = s.run(h)
            if on_stage:
                on_stage(s, h)
            if s.name == upto:
                return h
    if upto is not None:
        raise KeyError(f"no stage {upto!r}")
    return h


def _params(s: Stage, model: nn.Module) -> int:
    mod = model.get_submodule(s.name)
    return sum(p.numel() for p in mod.parameters())


def layer_table(model: nn.Module, family: str, x: torch.Tensor) -> list[dict]:
    """One row per stage: name, type, output channels, height × width, numbers, parameters."""
    rows = [{"layer": "input", "type": "image", "channels": int(x.shape[1]),
             "size": f"{x.shape[2]}×{x.shape[3]}", "values": int(x[0].numel()), "parameters": 0}]

    def see(s, h):
        rows.append({"layer": s.name, "type": s.kind, "channels": int(h.shape[1]),
                     "size": f"{h.shape[2]}×{h.shape[3]}" if h.dim() == 4 else "1×1",
                     "values": int(h[0].numel()), "parameters": _params(s, model)})
    run_to(model, family, x, on_stage=see)
    return rows


def spatial_stages(model: nn.Module, family: str) -> list[str]:
    return [s.name for s in stages(model, family) if s.spatial]


def feature_maps(model: nn.Module, family: str, x: torch.Tensor, layer: str,
                 top: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stage ``layer``'s output for one image: the ``top`` most active channels (by mean
    activation), their indices, and every channel's mean activation (C,)."""
    h = run_to(model, family, x[:1], layer)[0]
    if h.dim() != 3:
        raise ValueError(f"{layer} has no spatial feature maps")
    mean = h.float().mean(dim=(1, 2))
    idx = mean.argsort(descending=True)[:top]
    return h[idx].numpy().copy(), idx.numpy(), mean.numpy()


def first_conv(model: nn.Module) -> torch.nn.Conv2d:
    return next(m for m in model.modules() if isinstance(m, nn.Conv2d))


def first_filters(model: nn.Module) -> np.ndarray:
    """The first convolution's kernels as (out, in, k, k) (a copy; the model stays untouched)."""
    return first_conv(model).weight.detach().float().numpy().copy()

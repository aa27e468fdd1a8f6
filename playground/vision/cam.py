"""Class activation maps at any layer: Grad-CAM, Grad-CAM++ and Score-CAM (as in torchcam's demo).

A CNN is written as a :class:`Chain`: named stages called in the order of the model's own
``forward`` and a head, so ``head(stage_n(...stage_1(x)))`` equals the model's logits. A CAM
runs the stages up to the chosen layer, detaches that activation and asks for gradients with
respect to it only (``torch.autograd.grad``): the shared model is never hooked or modified and
several sessions can explain at the same time. (``torchcam`` and ``pytorch-grad-cam`` both
register forward/backward hooks on the model itself, which a model shared by a whole classroom
cannot allow; the formulas below follow them.)

- Grad-CAM (Selvaraju et al., 2017): channel weights = mean gradient over the map.
- Grad-CAM++ (Chattopadhay et al., 2018, eq. 19 with the exponential trick, as in the authors'
  code and pytorch-grad-cam): α_ij = g_ij² / (2 g_ij² + (Σ_ab A_ab) g_ij³) (α = 0 where the
  denominator is 0), w_k = Σ_ij α_ij ReLU(g_ij). (torchcam sums A·g³ over the map instead.)
- Score-CAM (Wang et al., 2020): each channel's map, upsampled and scaled to [0, 1], masks the
  input; w_k = softmax over channels of the class logit of the masked input. Channels are
  ranked by mean activation and only the ``max_channels`` strongest are used (time budget).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

CAM_METHODS = {
    "gradcam": "Grad-CAM",
    "gradcampp": "Grad-CAM++",
    "scorecam": "Score-CAM",
}
CAM_HELP = {
    "gradcam": "weighs each feature map of the chosen layer by the average gradient of the class "
               "score over that map.",
    "gradcampp": "like Grad-CAM, but weighs each position's positive gradient by how much it "
                 "matters there: better when the object appears several times.",
    "scorecam": "uses no gradients: each feature map, used as a mask on the photo, is scored by "
                "how much the masked photo still says the class.",
}


@dataclass
class Chain:
    """A CNN as named stages + head: ``head(run(x))`` is the model's logits for input ``x``
    (already normalised the way the model wants)."""
    stages: list[tuple[str, Callable]]
    head: Callable
    prepare: Callable = staticmethod(lambda x: x)      # e.g. ImageNet normalisation

    @property
    def layers(self) -> list[str]:
        return [n for n, _ in self.stages]

    def index(self, layer: str) -> int:
        try:
            return self.layers.index(layer)
        except ValueError:
            raise ValueError(f"unknown layer {layer!r}; choose one of {self.layers}") from None

    def until(self, x: torch.Tensor, layer: str) -> torch.Tensor:
        h = self.prepare(x)
        for name, fn in self.stages[:self.index(layer) + 1]:
            h = fn(h)
        return h

    def after(self, a: torch.Tensor, layer: str) -> torch.Tensor:
        h = a
        for _, fn in self.stages[self.index(layer) + 1:]:
            h = fn(h)
        return self.head(h)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.after(self.until(x, self.layers[0]), self.layers[0])


def chain_for(model: torch.nn.Module, family: str, prepare: Callable | None = None) -> Chain:
    """The chain of a torchvision classifier (mobilenet, resnet, convnext) or of the app's
    small digits CNN (family "small_cnn", :class:`playground.cnn.train.SmallCNN`)."""
    m = model
    prep = prepare or (lambda x: x)
    if family == "mobilenet":
        stages = [(f"features.{i}", blk) for i, blk in enumerate(m.features)]
        return Chain(stages, lambda a: m.classifier(torch.flatten(m.avgpool(a), 1)), prep)
    if family == "convnext":
        stages = [(f"features.{i}", blk) for i, blk in enumerate(m.features)]
        return Chain(stages, lambda a: m.classifier(m.avgpool(a)), prep)
    if family == "resnet":
        stages = [("stem", lambda x: m.maxpool(m.relu(m.bn1(m.conv1(x)))))]
        for name in ("layer1", "layer2", "layer3", "layer4"):
            stages += [(f"{name}.{i}", blk) for i, blk in enumerate(getattr(m, name))]
        return Chain(stages, lambda a: m.fc(torch.flatten(m.avgpool(a), 1)), prep)
    if family == "small_cnn":
        pool = lambda t: F.max_pool2d(t, 2)  # noqa: E731
        stages = [("conv1", m.conv1), ("relu1", F.relu), ("pool1", pool),
                  ("conv2", m.conv2), ("relu2", F.relu), ("pool2", pool)]
        return Chain(stages, lambda a: m.fc(a.flatten(1)), prep)
    raise ValueError(f"no convolutional layers to explain in a {family!r} model")


def chain_of(clf) -> Chain:
    """The chain of a :class:`playground.vision.classify.Classifier` (normalisation inside)."""
    return chain_for(clf.model, clf.spec.family, clf.normalize)


def default_layer(chain: Chain) -> str:
    """The last stage: the usual Grad-CAM target (deepest features, coarsest map)."""
    return chain.layers[-1]


def _activation_and_grad(chain: Chain, x: torch.Tensor, layer: str, class_idx: int):
    with torch.inference_mode(False), torch.enable_grad():
        a = chain.until(x[:1].detach().clone(), layer).detach().requires_grad_(True)
        score = chain.after(a, layer)[0, class_idx]
        (g,) = torch.autograd.grad(score, a)
    return a.detach(), g.detach()


def gradcam_weights(a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """(N, C, 1, 1): the mean gradient per channel."""
    return g.mean(dim=(2, 3), keepdim=True)


def gradcampp_weights(a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """(N, C, 1, 1): Σ_ij α_ij ReLU(g_ij), α_ij = g_ij² / (2 g_ij² + (Σ_ab A_ab) g_ij³)
    (0 where undefined)."""
    g2, g3 = g.pow(2), g.pow(3)
    denom = 2 * g2 + a.sum(dim=(2, 3), keepdim=True) * g3
    alpha = torch.where(denom != 0, g2 / torch.where(denom != 0, denom, torch.ones_like(denom)),
                        torch.zeros_like(g2))
    return (alpha * F.relu(g)).sum(dim=(2, 3), keepdim=True)


def _finish(cam: torch.Tensor, size) -> np.ndarray:
    """ReLU, upsample to the input's (H, W), scale to [0, 1] (an all-zero map stays zero)."""
    cam = F.relu(cam)
    cam = F.interpolate(cam, size=tuple(size), mode="bilinear", align_corners=False)[0, 0]
    top = float(cam.max())
    return (cam / top).clamp(0, 1).numpy().astype(np.float32) if top > 0 else \
        np.zeros(tuple(cam.shape), np.float32)


def raw_cam(chain: Chain, x: torch.Tensor, layer: str, class_idx: int, method: str) -> torch.Tensor:
    """The map at the layer's resolution before ReLU and upsampling, (1, 1, h, w)."""
    a, g = _activation_and_grad(chain, x, layer, class_idx)
    if a.dim() != 4:
        raise ValueError(f"layer {layer} has no spatial feature maps")
    w = gradcam_weights(a, g) if method == "gradcam" else gradcampp_weights(a, g)
    return (w * a).sum(dim=1, keepdim=True)


def scorecam(chain: Chain, x: torch.Tensor, layer: str, class_idx: int, max_channels: int = 64,
             batch: int = 16, budget_s: float | None = None,
             progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, dict]:
    """Score-CAM map in [0, 1] at the input's resolution and what was computed:
    ``{"channels": used, "of": total, "seconds": ...}``. Stops early after ``budget_s``."""
    t0 = time.perf_counter()
    x = x[:1]
    with torch.inference_mode():
        a = chain.until(x, layer)
        if a.dim() != 4:
            raise ValueError(f"layer {layer} has no spatial feature maps")
        order = a[0].mean(dim=(1, 2)).argsort(descending=True)[:max_channels]
        maps = F.interpolate(a[:, order], size=x.shape[-2:], mode="bilinear", align_corners=False)[0]
        lo = maps.flatten(1).min(1).values[:, None, None]
        hi = maps.flatten(1).max(1).values[:, None, None]
        masks = torch.where(hi > lo, (maps - lo) / (hi - lo).clamp_min(1e-12), torch.zeros_like(maps))
        scores, used = [], 0
        for i in range(0, len(order), batch):
            m = masks[i:i + batch, None]
            scores.append(chain(x * m)[:, class_idx])
            used += len(m)
            if progress:
                progress(used, len(order))
            if budget_s is not None and time.perf_counter() - t0 > budget_s:
                break
        w = torch.softmax(torch.cat(scores), dim=0)
        cam = (w[:, None, None] * a[0, order[:used]]).sum(0)[None, None]
    info = {"channels": used, "of": int(a.shape[1]), "seconds": time.perf_counter() - t0}
    return _finish(cam, x.shape[-2:]), info


def cam(chain: Chain, x: torch.Tensor, class_idx: int, method: str = "gradcam",
        layer: str | None = None, **kw) -> tuple[np.ndarray, dict]:
    """(heatmap (H, W) in [0, 1], info) of ``method`` at ``layer`` (default: the last stage)."""
    layer = layer or default_layer(chain)
    t0 = time.perf_counter()
    if method == "scorecam":
        heat, info = scorecam(chain, x, layer, class_idx, **kw)
    elif method in ("gradcam", "gradcampp"):
        heat = _finish(raw_cam(chain, x, layer, class_idx, method), x.shape[-2:])
        info = {}
    else:
        raise ValueError(f"unknown CAM method {method!r}")
    info["seconds"] = time.perf_counter() - t0
    info["layer"] = layer
    return heat, info


def layer_shapes(chain: Chain, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
    """Each stage's output shape (C, h, w) for input ``x`` (for the layer picker)."""
    out, h = {}, chain.prepare(x[:1])
    with torch.inference_mode():
        for name, fn in chain.stages:
            h = fn(h)
            out[name] = tuple(h.shape[1:])
    return out

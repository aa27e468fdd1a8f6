"""Why did the model decide? Grad-CAM, gradient saliency and (for the ViT) attention rollout.

Thread-safe by construction: the shared model is never hooked or modified. Each CNN is split
into ``features`` (up to its last convolutional block) and ``head`` by calling its own
sub-modules in the order of its ``forward``; gradients are taken with ``torch.autograd.grad``
with respect to the input or to that per-call activation only, so nothing accumulates in the
model's ``.grad`` fields. The ViT forward is re-run block by block, asking each attention layer
for its weights (``need_weights=True``) instead of hooking it.

Attention rollout (Abnar & Zuidema, 2020) lives here; any other page showing attention maps
should import :func:`attention_rollout` rather than re-implementing it.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import cam
from .classify import Classifier

METHODS = {
    "gradcam": "Grad-CAM (where the last conv layer looked)",
    "saliency": "Gradient saliency (which pixels matter)",
    "rollout": "Attention rollout (where the transformer's attention flows)",
}


def methods_for(family: str) -> list[str]:
    return ["rollout", "saliency"] if family == "vit" else ["gradcam", "saliency"]


# ---- CNN split: activation of the last conv block, and the rest -------------------------
def split(clf: Classifier):
    """(features, head) with head(features(x_norm)) == model(x_norm), for CNN families (the
    stages of :func:`playground.vision.cam.chain_for` up to the last one)."""
    try:
        chain = cam.chain_for(clf.model, clf.spec.family)
    except ValueError:
        raise ValueError(f"Grad-CAM is for CNNs; {clf.spec.label} has no convolutional feature "
                         "map.") from None
    last = chain.layers[-1]
    return (lambda x: chain.until(x, last)), chain.head


def _unit(a: torch.Tensor) -> np.ndarray:
    """Scale a non-negative map to [0, 1] (all zeros stays zeros)."""
    a = a.detach().float()
    top = float(a.max())
    return (a / top).clamp(0, 1).numpy() if top > 0 else torch.zeros_like(a).numpy()


def gradcam(clf: Classifier, x: torch.Tensor, class_idx: int) -> np.ndarray:
    """Grad-CAM heatmap (H, W) in [0, 1] at the input's resolution for one image in [0, 1], at
    the last convolutional block (any layer and method: :mod:`playground.vision.cam`)."""
    split(clf)                                     # the clear error for transformers
    return cam.cam(cam.chain_of(clf), x, class_idx, "gradcam")[0]


def saliency(clf: Classifier, x: torch.Tensor, class_idx: int, percentile: float = 99.0) \
        -> np.ndarray:
    """|∂ score / ∂ pixel|, max over colour channels, scaled to [0, 1] (top 1 % saturate)."""
    with torch.inference_mode(False), torch.enable_grad():
        xi = x[:1].detach().clone().requires_grad_(True)
        score = clf(xi)[0, class_idx]
        (g,) = torch.autograd.grad(score, xi)
    s = g.abs().amax(dim=1)[0]
    top = float(torch.quantile(s.flatten(), percentile / 100)) if s.numel() else 0.0
    return (s / top).clamp(0, 1).numpy() if top > 0 else np.zeros(tuple(s.shape), np.float32)


# ---- ViT: forward with attention weights, and rollout --------------------------------------
def vit_forward_with_attention(clf: Classifier, x: torch.Tensor):
    """Logits and each block's attention (N, heads, tokens, tokens), without hooks."""
    m = clf.model
    with torch.inference_mode():
        h = m._process_input(clf.normalize(x))
        h = torch.cat([m.class_token.expand(h.shape[0], -1, -1), h], dim=1)
        h = m.encoder.dropout(h + m.encoder.pos_embedding)
        attns = []
        for blk in m.encoder.layers:                           # = EncoderBlock.forward
            y = blk.ln_1(h)
            y, w = blk.self_attention(y, y, y, need_weights=True, average_attn_weights=False)
            h = h + blk.dropout(y)
            h = h + blk.mlp(blk.ln_2(h))
            attns.append(w)
        logits = m.heads(m.encoder.ln(h)[:, 0])
    return logits, attns


def rollout_matrix(attns, discard_ratio: float = 0.0) -> torch.Tensor:
    """Attention rollout (T, T) of per-layer attention, each (N, heads, T, T) or (heads, T, T)
    (first item of a batch): heads averaged, the residual connection added (A + I, rows
    renormalised) and the layers multiplied, first layer on the right. Row i: how much of
    token i's final representation flows from each input token. Used for images and text.
    ``discard_ratio`` drops the weakest links per layer."""
    result = None
    for a in attns:
        a = torch.as_tensor(a).float()
        a = a[0] if a.dim() == 4 else a
        a = a.mean(dim=0)
        if discard_ratio > 0:
            flat = a.flatten()
            k = int(flat.numel() * discard_ratio)
            if k:
                cut = flat.kthvalue(k).values
                a = torch.where(a <= cut, torch.zeros_like(a), a)
        eye = torch.eye(a.shape[-1], dtype=a.dtype)
        a = a + eye
        a = a / a.sum(dim=-1, keepdim=True)
        result = a if result is None else a @ result
    if result is None:
        raise ValueError("no attention layers")
    return result


def cls_grid(cls: torch.Tensor) -> np.ndarray:
    """The class token's weights on the T-1 patches as a square grid scaled to [0, 1]."""
    cls = torch.as_tensor(cls).float()
    side = int(round(cls.numel() ** 0.5))
    if side * side != cls.numel():
        raise ValueError(f"{cls.numel()} patches do not form a square grid")
    cls = cls - cls.min()
    return _unit(cls.reshape(side, side))


def attention_rollout(attns, discard_ratio: float = 0.0) -> np.ndarray:
    """The class token's row of :func:`rollout_matrix` on the patches of the first image, as a
    square grid scaled to [0, 1] (token 0 = class)."""
    return cls_grid(rollout_matrix(attns, discard_ratio)[0, 1:])


def cls_attention(attns, layer: int = -1, head: int | None = None) -> np.ndarray:
    """One layer's raw attention of the class token on the patches (one head, or the heads'
    mean when ``head`` is None), as a square grid in [0, 1]."""
    a = torch.as_tensor(attns[layer]).float()
    a = a[0] if a.dim() == 4 else a
    a = a.mean(dim=0) if head is None else a[head]
    return cls_grid(a[0, 1:])


def upsample(grid: np.ndarray, size) -> np.ndarray:
    """A patch grid bilinearly upsampled to an image's (H, W), in [0, 1]."""
    up = F.interpolate(torch.as_tensor(grid)[None, None].float(), size=tuple(size), mode="bilinear",
                       align_corners=False)
    return _unit(up[0, 0])


def rollout_map(clf: Classifier, x: torch.Tensor, discard_ratio: float = 0.0) -> np.ndarray:
    """Attention rollout upsampled to the input's (H, W), in [0, 1]."""
    _, attns = vit_forward_with_attention(clf, x[:1])
    return upsample(attention_rollout(attns, discard_ratio), x.shape[-2:])


def explain(clf: Classifier, x: torch.Tensor, class_idx: int, method: str) -> np.ndarray:
    if method == "gradcam":
        return gradcam(clf, x, class_idx)
    if method == "saliency":
        return saliency(clf, x, class_idx)
    if method == "rollout":
        return rollout_map(clf, x)
    raise ValueError(f"unknown method {method!r}")


# ---- drawing -------------------------------------------------------------------------------
_TURBO = np.array([[48, 18, 59], [70, 107, 227], [40, 188, 235], [50, 241, 152],
                   [164, 252, 60], [238, 207, 58], [251, 128, 34], [208, 47, 5], [122, 4, 3]],
                  dtype=np.float32)


def colorize(heat: np.ndarray) -> np.ndarray:
    """(H, W) in [0, 1] → (H, W, 3) uint8 with a turbo-like colour map (blue low, red high)."""
    h = np.clip(np.nan_to_num(np.asarray(heat, dtype=np.float32)), 0, 1) * (len(_TURBO) - 1)
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, len(_TURBO) - 1)
    t = (h - lo)[..., None]
    return np.round(_TURBO[lo] * (1 - t) + _TURBO[hi] * t).astype(np.uint8)


def overlay(img: Image.Image, heat: np.ndarray, opacity: float = 0.5) -> Image.Image:
    """The heatmap blended over the image; opacity scales with the heat so cold areas stay clear."""
    base = np.asarray(img.convert("RGB"), dtype=np.float32)
    h = np.asarray(heat, dtype=np.float32)
    if h.shape != base.shape[:2]:
        h = np.asarray(Image.fromarray(h).resize(img.size, Image.Resampling.BILINEAR))
    col = colorize(h).astype(np.float32)
    a = (opacity * (0.35 + 0.65 * np.clip(h, 0, 1)))[..., None]
    return Image.fromarray(np.round(base * (1 - a) + col * a).astype(np.uint8))

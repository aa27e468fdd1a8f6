"""What does this channel look for? Feature visualisation by optimising the input.

Start from a grey image with a little noise and climb the gradient of one channel's mean
activation at one layer (Olah et al., "Feature Visualization", Distill 2017), with the usual
regularisers that keep the picture natural rather than adversarial noise: random jitter (the
image is shifted by a few pixels before every step, so the pattern must work at every
position) and a slight Gaussian blur every few steps (high frequencies fade). Pixels are
parameterised through a sigmoid, so they stay in [0, 1].

Works on any :class:`playground.vision.cam.Chain` (the digits CNN offline, pretrained CNNs
online); the shared model is only read (gradients are taken with respect to the image).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .cam import Chain


@dataclass
class FeatureViz:
    image: np.ndarray                 # (H, W, C) float in [0, 1]
    start_activation: float           # the channel's mean activation on the starting image
    activation: float                 # ... on the result (no jitter)
    history: list[float] = field(default_factory=list)   # activation during the climb
    steps: int = 0
    seconds: float = 0.0
    stopped_early: bool = False


def _blur(p: torch.Tensor, sigma: float) -> torch.Tensor:
    """Depthwise Gaussian blur (3×3 or 5×5) with reflect padding."""
    r = 1 if sigma < 0.8 else 2
    t = torch.arange(-r, r + 1, dtype=p.dtype)
    k1 = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = (k1[:, None] * k1[None, :])
    k = (k / k.sum()).expand(p.shape[1], 1, 2 * r + 1, 2 * r + 1)
    return F.conv2d(F.pad(p, (r, r, r, r), mode="reflect"), k, groups=p.shape[1])


def channel_activation(chain: Chain, x: torch.Tensor, layer: str, channel: int) -> torch.Tensor:
    """Mean activation of ``channel`` at ``layer`` for each image of ``x`` (N,)."""
    a = chain.until(x, layer)
    return a[:, channel].flatten(1).mean(1)


def visualize(chain: Chain, layer: str, channel: int, size: int = 64, channels: int = 3,
              steps: int = 64, lr: float = 0.08, jitter: int = 2, blur_every: int = 4,
              blur_sigma: float = 0.5, seed: int = 0, budget_s: float | None = None,
              progress: Callable[[int, int, float], None] | None = None) -> FeatureViz:
    """Optimise a ``channels``×``size``×``size`` image so that ``channel`` at ``layer`` fires.

    ``progress(step, steps, activation)`` after every step; stops after ``budget_s`` seconds
    (``stopped_early`` says so)."""
    t0 = time.perf_counter()
    g = torch.Generator().manual_seed(seed)
    p = (torch.randn(1, channels, size, size, generator=g) * 0.1)   # sigmoid(0) = grey
    with torch.inference_mode():
        start = float(channel_activation(chain, torch.sigmoid(p), layer, channel)[0])
    p = p.clone().requires_grad_(True)
    opt = torch.optim.Adam([p], lr=lr)
    history, done, early = [], 0, False
    with torch.inference_mode(False), torch.enable_grad():
        for i in range(steps):
            x = torch.sigmoid(p)
            if jitter > 0:
                dx, dy = (int(v) for v in torch.randint(-jitter, jitter + 1, (2,), generator=g))
                x = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
            act = channel_activation(chain, x, layer, channel)[0]
            opt.zero_grad()
            (-act).backward()
            opt.step()
            if blur_every and (i + 1) % blur_every == 0:
                with torch.no_grad():
                    p.copy_(_blur(p, blur_sigma))
            done = i + 1
            history.append(float(act.detach()))
            if progress:
                progress(done, steps, history[-1])
            if budget_s is not None and time.perf_counter() - t0 > budget_s and done < steps:
                early = True
                break
    with torch.inference_mode():
        x = torch.sigmoid(p.detach())
        final = float(channel_activation(chain, x, layer, channel)[0])
    img = x[0].permute(1, 2, 0).numpy().astype(np.float32)
    return FeatureViz(img, start, final, history, done, time.perf_counter() - t0, early)


def to_uint8(img: np.ndarray, stretch: bool = True) -> np.ndarray:
    """(H, W, C) in [0, 1] → uint8 (H, W, 3); ``stretch`` spreads the used range to 0-255 so
    faint patterns are visible (the same contrast stretch for every channel)."""
    a = np.asarray(img, dtype=np.float32)
    if stretch:
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    if a.shape[-1] == 1:
        a = np.repeat(a, 3, axis=-1)
    return np.round(np.clip(a, 0, 1) * 255).astype(np.uint8)


def top_channels(chain: Chain, x: torch.Tensor, layer: str, k: int = 8) -> list[tuple[int, float]]:
    """The ``k`` channels of ``layer`` most active on ``x`` (channel, mean activation)."""
    with torch.inference_mode():
        a = chain.until(x[:1], layer)[0].flatten(1).mean(1)
    vals, idx = a.topk(min(k, a.numel()))
    return [(int(i), float(v)) for v, i in zip(vals, idx)]


def strongest_inputs(chain: Chain, xs: torch.Tensor, layer: str, channel: int,
                     k: int = 6) -> list[tuple[int, float]]:
    """The ``k`` inputs of ``xs`` (e.g. a data set's test images) that excite ``channel`` the
    most: (index, mean activation), strongest first. Real examples next to the synthetic one."""
    with torch.inference_mode():
        acts = torch.cat([channel_activation(chain, xs[i:i + 256], layer, channel)
                          for i in range(0, len(xs), 256)])
    vals, idx = acts.topk(min(k, len(acts)))
    return [(int(i), float(v)) for v, i in zip(vals, idx)]


def describe(fv: FeatureViz, layer: str, channel: int) -> str:
    """One sentence about the result, from its numbers."""
    if fv.activation > fv.start_activation:
        out = (f"The optimised image raises channel {channel} of {layer} from a mean activation of "
               f"{fv.start_activation:.3g} (grey start) to {fv.activation:.3g} in {fv.steps} steps.")
    else:
        out = (f"The optimisation did not raise channel {channel} of {layer} (mean activation "
               f"{fv.start_activation:.3g} at the start, {fv.activation:.3g} after {fv.steps} "
               "steps): this channel may be dead or need more steps.")
    if fv.stopped_early:
        out += " It stopped early: the time limit of this shared server was reached."
    return out


# ---- the page's settings ⇄ URL ----------------------------------------------------------------
PAGE_MODELS = ("digits_cnn", "resnet18", "mobilenet_v3_large")
STEPS = (16, 32, 64, 128, 256)
SIZES = (64, 96, 128)   # input pixels for the ImageNet CNNs
PAGE_DEFAULTS = {"model": "digits_cnn", "layer": "", "channel": 0, "steps": 64, "jitter": 1,
                 "blur": True, "seed": 0, "size": 96}


def from_query(q) -> tuple[dict, list[str]]:
    from .. import query as Q

    return Q.parse(q, {"model": Q.choice(PAGE_MODELS), "layer": str,
                       "channel": Q.integer(0, 4095),
                       "steps": lambda s: min(STEPS, key=lambda v: abs(v - float(s))),
                       "jitter": Q.integer(0, 8), "blur": lambda s: s.lower() in ("1", "true"),
                       "seed": Q.integer(0, 9999),
                       "size": lambda s: min(SIZES, key=lambda v: abs(v - float(s)))})


def to_query(values) -> dict:
    from .. import query as Q

    q = Q.write({k: v for k, v in values.items() if k != "blur"},
                {k: v for k, v in PAGE_DEFAULTS.items() if k != "blur"})
    if not values.get("blur", True):
        q["blur"] = "0"
    return q

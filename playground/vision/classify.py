"""Running an ImageNet classifier on a photo: what it sees (the centre crop), pixels ⇄ tensors,
the classifier as a function of pixels in [0, 1], ranked answers and measured latency."""
from __future__ import annotations

import statistics
import time
from typing import Callable

import numpy as np
import torch
from PIL import Image

from .models import Loaded, ModelSpec


def model_view(spec: ModelSpec, img: Image.Image) -> Image.Image:
    """What a classifier sees: resize the shorter side then centre-crop (one PIL resize)."""
    t = spec.transforms
    crop, resize = int(t.crop_size[0]), int(t.resize_size[0])
    w, h = img.size
    side = min(w, h) * crop / resize
    left, top = (w - side) / 2, (h - side) / 2
    bicubic = "BICUBIC" in str(getattr(t, "interpolation", ""))
    resample = Image.Resampling.BICUBIC if bicubic else Image.Resampling.BILINEAR
    return img.resize((crop, crop), resample, box=(left, top, left + side, top + side))


def to_tensor(images) -> torch.Tensor:
    """PIL image(s) → float tensor (N, 3, H, W) in [0, 1]."""
    images = images if isinstance(images, (list, tuple)) else [images]
    arr = np.stack([np.asarray(im.convert("RGB"), dtype=np.float32) for im in images]) / 255.0
    return torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous()


def to_image(x: torch.Tensor) -> Image.Image:
    """(3, H, W) or (1, 3, H, W) tensor in [0, 1] → PIL image."""
    x = x.detach().reshape(-1, *x.shape[-3:])[0].clamp(0, 1)
    return Image.fromarray((x.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8))


class Classifier:
    """A loaded classifier as a function of pixels in [0, 1] (normalisation inside)."""

    def __init__(self, loaded: Loaded):
        self.loaded, self.spec, self.model = loaded, loaded.spec, loaded.model
        t = self.spec.transforms
        self.mean = torch.tensor(t.mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(t.std, dtype=torch.float32).view(1, 3, 1, 1)
        self.categories = self.spec.categories

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for pixels in [0, 1]; differentiable (use under inference_mode for speed)."""
        return self.model(self.normalize(x))

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return torch.softmax(self(x), dim=1)

    def topk(self, x: torch.Tensor, k: int = 5) -> list[tuple[int, str, float]]:
        p = self.probs(x)[0]
        vals, idx = p.topk(k)
        return [(int(i), self.categories[int(i)], float(v)) for v, i in zip(vals, idx)]


def ranked(probs: torch.Tensor, categories: list[str], k: int = 5,
           include: int | None = None) -> list[tuple[int, str, float]]:
    """The ``k`` most likely classes as (index, name, probability), best first; class
    ``include`` is appended when it is not among them (to show where it went)."""
    p = probs.detach().reshape(-1)
    idx = p.argsort(descending=True)[:k].tolist()
    if include is not None and include not in idx:
        idx.append(int(include))
    return [(i, categories[i], float(p[i])) for i in idx]


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    """``fn()`` and how long it took on this server, in milliseconds."""
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


def measure_latency(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> dict:
    """Wall-clock time of ``fn()`` on this server: median and best of ``repeats`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": statistics.median(times), "best_ms": min(times), "repeats": len(times),
            "threads": torch.get_num_threads()}

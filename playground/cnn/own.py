"""The app's own trained digits CNN: always there, offline, trained once per server.

One function, :func:`train_digits_cnn`, gives the small CNN of *Train a CNN* (scikit-learn's
bundled 8×8 digits, seeded) trained for a fixed number of mini-batches. Pages that need "a real
trained CNN" without internet (Inside a CNN, Grad-CAM / saliency / FGSM on digits, feature
visualization) use it through ``ui.own_digits_cnn()``, which keeps one per server.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .digits import DigitData, load_digits8
from .train import CNNRun, train_for

STEPS = 600          # ≈ 0.5-1 s on one thread; ≈ 97 % test accuracy (benchmarks/own_models.py)


@dataclass
class OwnCNN:
    """A trained, read-only digits model (the CNN; the small ViT uses it too) with the data it
    was trained on and how it went."""
    model: torch.nn.Module      # in evaluation mode (.eval()), requires_grad off
    data: DigitData
    test_acc: float
    steps: int
    seconds: float
    seed: int
    kind: str = "CNN"

    @property
    def summary(self) -> str:
        return (f"the app's own {self.kind}, trained here on {len(self.data.y_train)} 8×8 digits for "
                f"{self.steps} mini-batches ({self.seconds:.1f} s, seed {self.seed}): "
                f"{self.test_acc:.1%} right on {len(self.data.y_test)} test digits")


def train_digits_cnn(seed: int = 0, steps: int = STEPS, c1: int = 8, c2: int = 16,
                     k: int = 3) -> OwnCNN:
    """Train the small digits CNN (seeded: the same seed gives the same weights)."""
    t0 = time.perf_counter()
    data = load_digits8(seed)
    run = train_for(CNNRun(data, c1=c1, c2=c2, k=k, lr=0.003, batch=32, seed=seed), steps=steps)
    model = run.model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return OwnCNN(model, data, run.test_acc, run.steps, time.perf_counter() - t0, seed)


# ---- explanations on the own CNN (no hooks; gradients w.r.t. the input or an activation) -----
def gradcam(model, x: torch.Tensor, class_idx: int) -> np.ndarray:
    """Grad-CAM (H, W) in [0, 1] from the last convolution (after its ReLU) for one digit."""
    with torch.inference_mode(False), torch.enable_grad():
        h = F.max_pool2d(F.relu(model.conv1(x[:1].detach())), 2)
        a = F.relu(model.conv2(h)).detach().requires_grad_(True)
        score = model.fc(F.max_pool2d(a, 2).flatten(1))[0, class_idx]
        (g,) = torch.autograd.grad(score, a)
    cam = F.relu((g.mean(dim=(2, 3), keepdim=True) * a.detach()).sum(1, keepdim=True))
    cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    top = float(cam.max())
    return (cam / top).numpy() if top > 0 else np.zeros(tuple(cam.shape), np.float32)


def saliency(model, x: torch.Tensor, class_idx: int) -> np.ndarray:
    """|∂ score / ∂ pixel| scaled to [0, 1]."""
    with torch.inference_mode(False), torch.enable_grad():
        xi = x[:1].detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(model(xi)[0, class_idx], xi)
    s = g.abs()[0, 0]
    top = float(s.max())
    return (s / top).numpy() if top > 0 else np.zeros(tuple(s.shape), np.float32)


def probabilities(model, x: torch.Tensor) -> np.ndarray:
    with torch.inference_mode():
        return model(x[:1]).softmax(1)[0].numpy()


def maps(model, x: torch.Tensor) -> dict[str, np.ndarray]:
    """Every stage's feature maps for one digit, (C, H, W) each."""
    with torch.inference_mode():
        _, out = model(x[:1], keep=True)
    return {k: v[0].numpy() for k, v in out.items()}

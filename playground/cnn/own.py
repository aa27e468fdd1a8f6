"""The app's own trained digits CNN: always there, offline, trained once per server.

One function, :func:`train_digits_cnn`, gives the small CNN of *Train a CNN* (scikit-learn's
bundled 8×8 digits, seeded) trained for a fixed number of mini-batches. Pages that need "a real
trained CNN" without internet (Inside a CNN, Grad-CAM / saliency / FGSM on digits, feature
visualization) use it through ``ui.own_digits_cnn()``, which keeps one per server.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from .digits import DigitData, load_digits8
from .train import CNNRun, train_for

STEPS = 600          # ≈ 0.5-1 s on one thread; ≈ 97 % test accuracy (benchmarks/own_models.py)


@dataclass
class OwnCNN:
    """A trained, read-only digits CNN with the data it was trained on and how it went."""
    model: torch.nn.Module      # SmallCNN in eval() mode, requires_grad off
    data: DigitData
    test_acc: float
    steps: int
    seconds: float
    seed: int

    @property
    def summary(self) -> str:
        return (f"the app's own CNN, trained here on {len(self.data.y_train)} 8×8 digits for "
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

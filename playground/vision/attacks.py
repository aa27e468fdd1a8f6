"""How easily is the model fooled? FGSM and PGD adversarial perturbations in pixel space.

Pixels live in [0, 1]; ``eps`` bounds every pixel's change (L∞ ball), e.g. 4/255 is invisible to
people. Gradients are taken with ``torch.autograd.grad`` with respect to the image only, so the
shared model is never changed (safe with concurrent sessions).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

Forward = Callable[[torch.Tensor], torch.Tensor]   # pixels in [0, 1] → logits

ATTACKS = {
    "fgsm": "FGSM — one step along the gradient's sign",
    "pgd": "PGD — many small steps, projected back into the ε-box",
}


@dataclass
class AttackResult:
    x_adv: torch.Tensor        # (1, 3, H, W) in [0, 1]
    delta: torch.Tensor        # x_adv - x
    loss_before: float         # cross-entropy of the true class (untargeted) or the target
    loss_after: float
    steps: int


def class_loss(forward: Forward, x: torch.Tensor, label: int) -> float:
    """Cross-entropy of class ``label`` for image(s) ``x``."""
    with torch.inference_mode():
        logits = forward(x)
        return float(F.cross_entropy(logits, torch.full((logits.shape[0],), label)))


def _loss_and_grad(forward: Forward, x: torch.Tensor, label: int) -> tuple[float, torch.Tensor]:
    with torch.inference_mode(False), torch.enable_grad():
        xi = x.detach().clone().requires_grad_(True)
        logits = forward(xi)
        loss = F.cross_entropy(logits, torch.full((logits.shape[0],), label))
        (g,) = torch.autograd.grad(loss, xi)
    return float(loss.detach()), g


def fgsm(forward: Forward, x: torch.Tensor, label: int, eps: float,
         target: int | None = None) -> AttackResult:
    """Fast gradient sign method (Goodfellow et al., 2015).

    Untargeted: raise the loss of the true class ``label``. Targeted (``target`` given): lower
    the loss of ``target`` instead.
    """
    x = x.detach()[:1]
    cls, sign = (label, 1.0) if target is None else (target, -1.0)
    before, g = _loss_and_grad(forward, x, cls)
    x_adv = (x + sign * eps * g.sign()).clamp(0, 1)
    return AttackResult(x_adv, x_adv - x, before, class_loss(forward, x_adv, cls), 1)


def pgd(forward: Forward, x: torch.Tensor, label: int, eps: float, steps: int = 10,
        step_size: float | None = None, target: int | None = None, random_start: bool = False,
        seed: int = 0, on_step: Callable[[int], None] | None = None) -> AttackResult:
    """Projected gradient descent (Madry et al., 2018): ``steps`` signed steps of
    ``step_size`` (default 2.5·eps/steps), each followed by projection onto |δ|∞ ≤ eps and
    the valid pixel range. Returns the best iterate (highest loss of the true class, or lowest
    loss of the target), as attack libraries do."""
    x = x.detach()[:1]
    cls, sign = (label, 1.0) if target is None else (target, -1.0)
    alpha = step_size if step_size is not None else 2.5 * eps / max(steps, 1)
    before = class_loss(forward, x, cls)
    x_adv = x.clone()
    if random_start and eps > 0:
        gen = torch.Generator().manual_seed(seed)
        x_adv = (x + (torch.rand(x.shape, generator=gen, dtype=x.dtype) * 2 - 1) * eps).clamp(0, 1)
    best, best_loss = None, None
    for i in range(steps):
        loss, g = _loss_and_grad(forward, x_adv, cls)
        if i > 0 and (best_loss is None or sign * loss > sign * best_loss):
            best, best_loss = x_adv, loss           # the iterate before this step
        x_adv = x_adv + sign * alpha * g.sign()
        x_adv = (x + (x_adv - x).clamp(-eps, eps)).clamp(0, 1)
        if on_step:
            on_step(i + 1)
    last = class_loss(forward, x_adv, cls)
    if best is None or sign * last >= sign * best_loss:
        best, best_loss = x_adv, last
    return AttackResult(best, best - x, before, best_loss, steps)


def magnify(delta: torch.Tensor, eps: float) -> np.ndarray:
    """The perturbation made visible as (H, W, 3) uint8: −eps black, 0 grey, +eps white."""
    d = delta.detach().reshape(-1, *delta.shape[-3:])[0].permute(1, 2, 0).numpy()
    scale = eps if eps > 0 else max(float(np.abs(d).max()), 1e-12)
    return np.round(np.clip(0.5 + d / (2 * scale), 0, 1) * 255).astype(np.uint8)

"""Train the app's own digit detector (seeded) and measure it honestly on held-out scenes
whose digits it never saw (the test half of the digits)."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from . import boxes as B, model as M, scenes as S

STEPS = 200                 # mini-batches of BATCH scenes (benchmarks/own_models.py: time, mAP)
STEPS_ENV = "PLAYGROUND_OWN_DETECT_STEPS"   # fewer on a slow server (and in the page tests)
BATCH = 24
LR = 1e-2
EVAL_SCENES = 150           # held-out scenes (seeds EVAL_SEED...), the same for every model
EVAL_SEED = 1_000_000
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))      # 0.05 … 0.95, the slider's steps


def default_steps() -> int:
    try:
        return max(1, int(os.environ.get(STEPS_ENV, STEPS)))
    except ValueError:
        return STEPS


@dataclass
class Quality:
    map50: float                 # mAP@0.5 over the digits (score ≥ 0.05, NMS IoU 0.5)
    precision: float | None      # at score 0.5, NMS IoU 0.5: right boxes / boxes shown (None: none)
    recall: float                # digits found / digits there
    seg_miou: float              # mean IoU of the 10 digit classes, pixel by pixel
    seg_accuracy: float          # share of digit pixels given their right digit
    n_scenes: int
    n_digits: int
    curve: list = field(default_factory=list)   # (score threshold, precision or None, recall)

    def at(self, threshold: float) -> tuple[float, float | None, float]:
        """The curve's point nearest ``threshold``."""
        return min(self.curve, key=lambda p: abs(p[0] - threshold))


@dataclass
class OwnDetector:
    model: torch.nn.Module       # evaluation mode (.eval()), requires_grad off: shared read-only
    quality: Quality
    steps: int
    seconds: float
    seed: int
    curve: list = field(default_factory=list)    # (step, total loss) every few steps

    @property
    def params(self) -> int:
        return M.n_params(self.model)

    @property
    def summary(self) -> str:
        q = self.quality
        at = ("at score 0.5 it shows no box at all" if q.precision is None else
              f"at score 0.5 it finds {q.recall:.0%} of the digits and {q.precision:.0%} of its "
              "boxes are right")
        weak = (f" — weak after only {self.steps} mini-batches: train longer"
                if q.map50 < 0.5 else "")
        return (f"the app's own detector ({self.params:,} parameters), trained here on "
                f"{self.steps * BATCH:,} generated scenes in {self.seconds:.0f} s (seed {self.seed}): "
                f"mAP@0.5 {q.map50:.1%} on {q.n_scenes} held-out scenes ({q.n_digits} digits it "
                f"never saw); {at}{weak}")


def evaluate(model: torch.nn.Module, n: int = EVAL_SCENES, threshold: float = 0.5) -> Quality:
    scenes = [S.make_scene(EVAL_SEED + i, "test") for i in range(n)]
    x, _ = M.stack(scenes)
    with torch.inference_mode():
        out = model(x)
    preds, truths = [], []
    tp, shown = np.zeros(len(THRESHOLDS)), np.zeros(len(THRESHOLDS))
    inter = np.zeros(M.N_CLASSES)
    union = np.zeros(M.N_CLASSES)
    right = ink = 0
    for i, s in enumerate(scenes):
        low = M.decode(out, 0.05, 0.5, i).detections
        preds.append(([d.box for d in low], [d.label for d in low], [d.score for d in low]))
        truths.append((s.boxes, s.labels))
        for k, t in enumerate(THRESHOLDS):
            dets = [d for d in low if d.score >= t]
            hit, _ = B.match([d.box for d in dets], [d.label for d in dets], s.boxes, s.labels)
            tp[k] += sum(h >= 0 for h in hit)
            shown[k] += len(dets)
        cmap = M.class_map(out, i)
        for c in range(1, M.N_CLASSES + 1):
            inter[c - 1] += np.sum((cmap == c) & (s.mask == c))
            union[c - 1] += np.sum((cmap == c) | (s.mask == c))
        right += int(np.sum((cmap == s.mask) & (s.mask > 0)))
        ink += int(np.sum(s.mask > 0))
    n_digits = sum(len(s.labels) for s in scenes)
    m, _ = B.mean_ap(preds, truths, M.N_CLASSES)
    present = union > 0
    curve = [(t, float(tp[k] / shown[k]) if shown[k] else None, float(tp[k] / max(n_digits, 1)))
             for k, t in enumerate(THRESHOLDS)]
    _, precision, recall = min(curve, key=lambda p: abs(p[0] - threshold))
    return Quality(m, precision, recall, float(np.mean(inter[present] / union[present])),
                   right / max(ink, 1), n, n_digits, curve)


def train_detector(seed: int = 0, steps: int | None = None,
                   progress: Callable[[int, int, float], None] | None = None,
                   eval_scenes: int = EVAL_SCENES) -> OwnDetector:
    """Seeded: the same seed and steps give the same weights. ``progress(step, steps, loss)``."""
    steps = default_steps() if steps is None else int(steps)
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    model = M.DigitDetector()
    opt = torch.optim.Adam(model.parameters(), LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, LR, total_steps=steps, pct_start=0.15)
    rng = np.random.default_rng(seed)
    curve = []
    for step in range(1, steps + 1):
        seeds = rng.integers(0, EVAL_SEED, BATCH)      # training scenes: train digits only
        x, y = M.stack(S.batch(seeds, "train"))
        loss = sum(M.loss_terms(model(x), y).values())
        if not torch.isfinite(loss):
            raise FloatingPointError(f"the loss became {float(loss)} at step {step}")
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 10 == 0 or step == steps:
            curve.append((step, round(float(loss.detach()), 4)))
            if progress:
                progress(step, steps, float(loss.detach()))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    quality = evaluate(model, eval_scenes)
    return OwnDetector(model, quality, steps, time.perf_counter() - t0, seed, curve)

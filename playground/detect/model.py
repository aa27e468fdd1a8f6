"""A small fully-convolutional detector (CenterNet / YOLO style) that also segments.

The image (1 × 64 × 64) goes through six 3×3 convolutions down to a 16 × 16 grid of cells
(stride 4). Every cell predicts an objectness score ("a digit's centre is near here"), where
that box is (centre offset, log width, log height) and which digit it is (10 classes). A
segmentation head combines the grid's features with the 32 × 32 ones to give every pixel one of
11 classes (background or a digit).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import boxes as B
from .scenes import SIDE, Scene

STRIDE = 4
GRID = SIDE // STRIDE
N_CLASSES = 10
OWNER = 0.3          # a cell learns a box and a class where its target score is at least this


def _conv(cin, cout, stride=1, dilation=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, padding=dilation, dilation=dilation,
                                   bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class DigitDetector(nn.Module):
    def __init__(self, width: int = 16):
        super().__init__()
        c1, c2, c3 = width, 2 * width, 4 * width
        self.stem = _conv(1, c1)                                         # 64 × 64
        self.down1 = nn.Sequential(_conv(c1, c2, 2), _conv(c2, c2))      # 32 × 32
        self.down2 = nn.Sequential(_conv(c2, c3, 2), _conv(c3, c3, dilation=2),
                                   _conv(c3, c3, dilation=2))            # 16 × 16
        self.head = nn.Conv2d(c3, 1 + 4 + N_CLASSES, 1)
        self.seg = nn.Sequential(_conv(c3 + c2, c2), nn.Conv2d(c2, N_CLASSES + 1, 1))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        f1 = self.down1(self.stem(x))
        f2 = self.down2(f1)
        h = self.head(f2)
        up = F.interpolate(f2, size=f1.shape[-2:], mode="nearest")
        seg = F.interpolate(self.seg(torch.cat([up, f1], 1)), size=x.shape[-2:],
                            mode="bilinear", align_corners=False)
        return {"obj": h[:, 0], "box": h[:, 1:5], "cls": h[:, 5:], "seg": seg}


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ---- targets and loss ---------------------------------------------------------------------
def targets(scene: Scene) -> dict[str, np.ndarray]:
    """What each cell should say: a Gaussian bump of objectness around each digit's centre
    cell, the box relative to the cell (where the bump is ≥ OWNER) and the digit there."""
    heat = np.zeros((GRID, GRID), np.float32)
    box = np.zeros((4, GRID, GRID), np.float32)
    cls = np.full((GRID, GRID), -1, np.int64)
    centres = (np.arange(GRID) + 0.5)
    for (x0, y0, x1, y1), label in zip(scene.boxes, scene.labels):
        cx, cy, w, h = (x0 + x1) / 2 / STRIDE, (y0 + y1) / 2 / STRIDE, (x1 - x0), (y1 - y0)
        sigma = max(w, h) / STRIDE / 6 + 0.25
        gy, gx = np.floor(cy), np.floor(cx)
        bump = np.exp(-((centres[:, None] - 0.5 - gy) ** 2 + (centres[None, :] - 0.5 - gx) ** 2)
                      / (2 * sigma ** 2)).astype(np.float32)
        own = (bump >= OWNER) & (bump > heat)
        heat = np.maximum(heat, bump)
        box[0][own] = (cx - centres[None, :].repeat(GRID, 0))[own]
        box[1][own] = (cy - centres[:, None].repeat(GRID, 1))[own]
        box[2][own] = np.log(w / STRIDE)
        box[3][own] = np.log(h / STRIDE)
        cls[own] = label
    return {"heat": heat, "box": box, "cls": cls}


def stack(scenes: list[Scene]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    t = [targets(s) for s in scenes]
    x = torch.from_numpy(np.stack([s.image for s in scenes]))[:, None]
    y = {k: torch.from_numpy(np.stack([d[k] for d in t])) for k in t[0]}
    y["seg"] = torch.from_numpy(np.stack([s.mask for s in scenes]))
    return x, y


def loss_terms(out: dict, y: dict) -> dict[str, torch.Tensor]:
    own = y["cls"] >= 0
    w = y["heat"][own]
    obj = F.binary_cross_entropy_with_logits(out["obj"], y["heat"], reduction="none")
    obj = (obj * (1 + 4 * y["heat"])).mean()                   # the few centres count more
    if own.any():
        pb = out["box"].permute(0, 2, 3, 1)[own]
        tb = y["box"].permute(0, 2, 3, 1)[own]
        box = (F.smooth_l1_loss(pb, tb, reduction="none").sum(1) * w).sum() / w.sum()
        cls = (F.cross_entropy(out["cls"].permute(0, 2, 3, 1)[own], y["cls"][own],
                               reduction="none") * w).sum() / w.sum()
    else:
        box = cls = out["box"].sum() * 0
    seg = F.cross_entropy(out["seg"], y["seg"])
    return {"objectness": obj, "box": box, "class": cls, "segmentation": seg}


# ---- decoding -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    box: tuple[float, float, float, float]
    label: int
    score: float          # objectness × probability of the digit
    cell: tuple[int, int]  # (row, column) of the grid cell that predicted it


@dataclass(frozen=True)
class Decoded:
    candidates: list[Candidate]    # every cell with score ≥ threshold, best first
    kept: list[int]                # indices into candidates after NMS
    removed: list[B.Suppressed]    # what NMS removed, and by which kept box

    @property
    def detections(self) -> list[Candidate]:
        return [self.candidates[i] for i in self.kept]


def raw_candidates(out: dict, i: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every cell's box (G*G, 4), digit and score for image ``i`` of a forward pass."""
    obj = torch.sigmoid(out["obj"][i])
    prob, label = out["cls"][i].softmax(0).max(0)
    score = (obj * prob).flatten()
    rows, cols = torch.meshgrid(torch.arange(GRID), torch.arange(GRID), indexing="ij")
    b = out["box"][i]
    cx = (cols + 0.5 + b[0]) * STRIDE
    cy = (rows + 0.5 + b[1]) * STRIDE
    w = torch.exp(b[2].clamp(-3, 3)) * STRIDE
    h = torch.exp(b[3].clamp(-3, 3)) * STRIDE
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1).reshape(-1, 4)
    boxes = boxes.clamp(0, SIDE)
    return boxes.numpy(), label.flatten().numpy(), score.numpy()


def decode(out: dict, score_threshold: float = 0.5, iou_threshold: float = 0.5,
           i: int = 0) -> Decoded:
    """Cells whose score passes the threshold, then NMS over all digits (class-agnostic:
    two digits never share a place in these scenes)."""
    boxes, labels, scores = raw_candidates(out, i)
    idx = [int(j) for j in np.argsort(-scores, kind="stable") if scores[j] >= score_threshold]
    cands = [Candidate(tuple(float(v) for v in boxes[j]), int(labels[j]), float(scores[j]),
                       divmod(j, GRID)) for j in idx]
    keep, gone = B.nms([c.box for c in cands], [c.score for c in cands], iou_threshold)
    return Decoded(cands, keep, gone)


def predict(model: nn.Module, image: np.ndarray) -> dict[str, torch.Tensor]:
    """One forward pass on a (SIDE, SIDE) image in [0, 1] (no gradients)."""
    x = torch.as_tensor(np.asarray(image, np.float32))[None, None]
    if x.shape[-2:] != (SIDE, SIDE):
        raise ValueError(f"the detector reads {SIDE}×{SIDE} scenes")
    with torch.inference_mode():
        return {k: v.detach() for k, v in model(x).items()}


def class_map(out: dict, i: int = 0) -> np.ndarray:
    """(SIDE, SIDE) class per pixel: 0 background, d + 1 for digit d."""
    return out["seg"][i].argmax(0).numpy().astype(np.int64)

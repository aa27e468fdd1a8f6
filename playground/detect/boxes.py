"""Boxes (x0, y0, x1, y1): intersection over union, non-maximum suppression that remembers
why each box went, and average precision, in plain NumPy (checked against torchvision)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def area(b) -> np.ndarray:
    b = np.asarray(b, np.float64).reshape(-1, 4)
    return np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)


def iou(a, b) -> np.ndarray:
    """(len(a), len(b)) intersection over union; 0 where a box has no area."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = area(a)[:, None] + area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


@dataclass(frozen=True)
class Suppressed:
    index: int        # the box that was removed
    by: int           # the better-scoring kept box it overlapped
    iou: float


def nms(boxes, scores, iou_threshold: float) -> tuple[list[int], list[Suppressed]]:
    """Greedy non-maximum suppression: keep the best box, remove every box that overlaps it by
    IoU ≥ ``iou_threshold``, repeat. Returns the kept indices (best first) and the removed ones
    with the kept box that removed them."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    order = list(np.argsort(-np.asarray(scores, np.float64), kind="stable"))
    ious = iou(boxes, boxes)
    keep, gone = [], []
    while order:
        best = int(order.pop(0))
        keep.append(best)
        rest = []
        for i in order:
            if ious[best, i] >= iou_threshold:
                gone.append(Suppressed(int(i), best, float(ious[best, i])))
            else:
                rest.append(i)
        order = rest
    return keep, gone


def match(pred_boxes, pred_labels, gt_boxes, gt_labels, iou_min: float = 0.5):
    """Greedy matching in the given (score) order: for each prediction the index of the
    ground-truth box of its class it claims (IoU ≥ ``iou_min``, not yet claimed) or -1, and its
    best IoU with any ground-truth box of any class."""
    ious = iou(pred_boxes, gt_boxes)
    taken = set()
    hit, best = [], []
    for p in range(len(ious)):
        best.append(float(ious[p].max()) if ious.shape[1] else 0.0)
        cands = [g for g in np.argsort(-ious[p]) if ious[p, g] >= iou_min and g not in taken
                 and int(gt_labels[g]) == int(pred_labels[p])]
        hit.append(int(cands[0]) if cands else -1)
        if cands:
            taken.add(int(cands[0]))
    return hit, best


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """Area under the precision-recall curve, precision made monotone (VOC all points)."""
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(p) - 2, -1, -1):
        p[i] = max(p[i], p[i + 1])
    steps = np.nonzero(r[1:] != r[:-1])[0]
    return float(np.sum((r[steps + 1] - r[steps]) * p[steps + 1]))


def mean_ap(preds, truths, n_classes: int = 10, iou_min: float = 0.5) -> tuple[float, dict]:
    """mAP@``iou_min`` over the classes that occur in ``truths``.

    ``preds``: per image (boxes, labels, scores); ``truths``: per image (boxes, labels)."""
    per_class = {}
    for c in range(n_classes):
        n_gt = sum(int(np.sum(np.asarray(t[1]) == c)) for t in truths)
        if n_gt == 0:
            continue
        scored = []
        for i, (boxes, labels, scores) in enumerate(preds):
            for b, s in zip(np.asarray(boxes)[np.asarray(labels) == c],
                            np.asarray(scores)[np.asarray(labels) == c]):
                scored.append((float(s), i, b))
        scored.sort(key=lambda t: -t[0])
        taken, tp = set(), []
        for _, i, b in scored:
            gb, gl = truths[i]
            ious = iou([b], np.asarray(gb))[0] if len(gb) else np.zeros(0)
            ious = np.where(np.asarray(gl) == c, ious, -1)
            g = int(np.argmax(ious)) if len(ious) else -1
            ok = g >= 0 and ious[g] >= iou_min and (i, g) not in taken
            if ok:
                taken.add((i, g))
            tp.append(ok)
        tp = np.asarray(tp, bool)
        ctp = np.cumsum(tp)
        recall = ctp / n_gt
        precision = ctp / np.maximum(np.arange(1, len(tp) + 1), 1)
        per_class[c] = average_precision(recall, precision) if len(tp) else 0.0
    return (float(np.mean(list(per_class.values()))) if per_class else 0.0), per_class

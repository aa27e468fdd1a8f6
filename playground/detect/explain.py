"""What the page says about one scene's detections, computed from the numbers it describes:
the NMS sentence, each detection against the ground truth, and what was found or missed."""
from __future__ import annotations

import numpy as np

from . import boxes as B
from .model import Decoded


def _n(k: int, one: str) -> str:
    return f"{k} {one if k == 1 else one + ('es' if one.endswith('x') else 's')}"


def nms_sentence(dec: Decoded, score_threshold: float, iou_threshold: float) -> str:
    n, gone = len(dec.candidates), dec.removed
    if n == 0:
        return (f"No cell scored at least {score_threshold:.0%}, so there was nothing for "
                "non-maximum suppression (NMS) to do: lower the score threshold.")
    head = (f"{_n(n, 'grid cell')} scored at least {score_threshold:.0%} and proposed a box. ")
    if not gone:
        return head + (f"NMS removed none: no box overlapped a better-scoring one by IoU ≥ "
                       f"{iou_threshold:.2f}, so all {n} stay.")
    worst = max(gone, key=lambda g: dec.candidates[g.index].score)
    a, b = dec.candidates[worst.index], dec.candidates[worst.by]
    return head + (f"NMS removed {_n(len(gone), 'box')} because {'it' if len(gone) == 1 else 'they'} "
                   f"overlapped a better one by IoU ≥ {iou_threshold:.2f} (e.g. a “{a.label}” at "
                   f"{a.score:.0%} overlapped the kept “{b.label}” at {b.score:.0%} by IoU "
                   f"{worst.iou:.2f}), leaving {_n(len(dec.kept), 'detection')}.")


def rows(dec: Decoded, truth=None) -> list[dict]:
    """One row per detection (best first); with ground truth, its IoU and a verdict."""
    dets = dec.detections
    out = []
    if truth is not None:
        gt_boxes, gt_labels = np.asarray(truth[0]).reshape(-1, 4), np.asarray(truth[1])
        hit, _ = B.match([d.box for d in dets], [d.label for d in dets], gt_boxes, gt_labels)
        ious = B.iou([d.box for d in dets], gt_boxes)
    for i, d in enumerate(dets):
        row = {"digit": d.label, "score": round(d.score, 3)}
        if truth is not None:
            g = int(np.argmax(ious[i])) if ious.shape[1] else -1
            best = float(ious[i, g]) if g >= 0 else 0.0
            row["true digit there"] = int(gt_labels[g]) if best > 0 else None
            row["IoU with it"] = round(best, 2)
            row["verdict"] = ("right" if hit[i] >= 0 else
                              "nothing there" if best == 0 else
                              "box too far off (IoU < 0.5)" if best < 0.5 else
                              "wrong digit" if int(gt_labels[g]) != d.label else "a second box")
        row["cell (row, col)"] = f"{d.cell[0]}, {d.cell[1]}"
        row["box x0, y0, x1, y1"] = ", ".join(f"{v:.0f}" for v in d.box)
        out.append(row)
    return out


def found_sentence(dec: Decoded, truth) -> str:
    """How many true digits were found (right digit, IoU ≥ 0.5), which were missed, and how
    many boxes were wrong."""
    dets = dec.detections
    labels = [int(v) for v in np.asarray(truth[1])]
    n = len(labels)
    hit, _ = B.match([d.box for d in dets], [d.label for d in dets],
                     np.asarray(truth[0]).reshape(-1, 4), labels)
    right = sum(h >= 0 for h in hit)
    wrong = len(dets) - right
    if n == 0:
        return "This scene has no digits; " + ("no box was drawn: right." if not dets else
                                               f"{_n(len(dets), 'box')} drawn anyway: false alarms.")
    s = f"Found {right} of {n} digits (right digit, IoU ≥ 0.5 with the true box)"
    if right == n and wrong == 0:
        return s + " and drew no wrong box."
    missed = [labels[g] for g in range(n) if g not in set(hit)]
    parts = ["missed: " + ", ".join(str(m) for m in missed)] if missed else []
    if wrong:
        parts.append(f"{_n(wrong, 'box')} wrong (see the verdicts in the table)")
    return s + "; " + "; ".join(parts) + "."


def threshold_sentence(quality, threshold: float) -> str:
    """What the score threshold means on the held-out scenes (the curve's nearest point)."""
    t, precision, recall = quality.at(threshold)
    where = f"On the {quality.n_scenes} held-out scenes ({quality.n_digits} digits)"
    if precision is None:
        return f"{where} no box reaches a score of {t:.0%}: it finds none of the digits."
    return (f"{where}, boxes with a score ≥ {t:.0%} are right {precision:.0%} of the time "
            f"(precision) and find {recall:.0%} of the digits (recall).")

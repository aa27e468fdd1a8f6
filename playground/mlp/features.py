"""Input features computed from a point (x1, x2), as on TF Playground.

Each feature has its NumPy function (used for training and heatmaps) and the same formula as
PyTorch code (used by the exporter; the export test checks that both agree).
"""
from __future__ import annotations

import numpy as np

# key: (label, numpy function of (x1, x2), torch expression in x1 and x2)
FEATURES = {
    "x1": ("X₁", lambda a, b: a, "x1"),
    "x2": ("X₂", lambda a, b: b, "x2"),
    "x1sq": ("X₁²", lambda a, b: a * a, "x1 * x1"),
    "x2sq": ("X₂²", lambda a, b: b * b, "x2 * x2"),
    "x1x2": ("X₁·X₂", lambda a, b: a * b, "x1 * x2"),
    "sinx1": ("sin X₁", lambda a, b: np.sin(a), "torch.sin(x1)"),
    "sinx2": ("sin X₂", lambda a, b: np.sin(b), "torch.sin(x2)"),
}
FEATURE_KEYS = list(FEATURES)


def label(key: str) -> str:
    return FEATURES[key][0]


def transform(points: np.ndarray, keys) -> np.ndarray:
    """(n, 2) points -> (n, len(keys)) feature matrix, C-contiguous float64."""
    if not keys:
        raise ValueError("choose at least one input feature")
    a, b = points[:, 0], points[:, 1]
    return np.ascontiguousarray(np.column_stack([FEATURES[k][1](a, b) for k in keys]), dtype=float)

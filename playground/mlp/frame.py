"""Everything one animation frame shows, computed from a run in a few milliseconds."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import features as F
from .. import render as R
from .trainer import Run

GRID_N = 100  # output heatmap resolution (as TF Playground)
THUMB_STEP = 4  # neuron thumbnails use every 4th grid point: 25 x 25


@lru_cache(maxsize=16)
def _grid_features(keys: tuple, n: int):
    pts = R.grid(n)
    feats = F.transform(pts, keys)
    scale = np.maximum(np.abs(feats).max(axis=0), 1e-9)
    return pts, feats, scale


@dataclass
class Frame:
    epoch: int
    train_loss: float
    test_loss: float
    status: str
    boundary: np.ndarray  # (size, size, 3) uint8
    # (layer, index) -> (25, 25, 3) uint8; layer 0 = input features, last = outputs
    thumbs: dict = field(default_factory=dict)
    grid_layers: list = field(default_factory=list, repr=False)  # raw grid outputs per layer

    def boundary_png(self) -> bytes:
        return R.png_bytes(self.boundary)

    def boundary_uri(self) -> str:
        """The boundary as an inline data: address (no extra request per animation frame)."""
        return R.data_uri(self.boundary_png())


def compute(run: Run, size: int = 320, show_test: bool = False, discretize: bool = False,
            thumbs: bool = True) -> Frame:
    pts, feats, scale = _grid_features(tuple(run.features), GRID_N)
    with np.errstate(all="ignore"):
        layers = run.net.forward(feats)
    out = layers[-1]
    if run.kind == "multiclass":
        scores = out
    elif run.net.loss == "cross_entropy":
        scores = out[:, 1] - out[:, 0]
    else:
        scores = out[:, 0]
    img = R.output_image(scores, GRID_N, run.kind, size, discretize).copy()
    for data, stroke in ((run.train, 255), (run.test, 0)) if show_test else ((run.train, 255),):
        if len(data):
            R.draw_points(img, data.X, R.point_colors(run.kind, data.y), stroke, r=max(2, size // 110))
    frame = Frame(run.epoch, run.train_loss, run.test_loss, run.status, img, grid_layers=layers)
    if thumbs:
        frame.thumbs = neuron_thumbs(run, layers, scale)
    return frame


def neuron_thumbs(run: Run, layers, feat_scale) -> dict:
    """A small heatmap for every input feature, hidden neuron and output."""
    n, s = GRID_N, THUMB_STEP
    thumbs = {}
    last = len(layers) - 1
    for l, vals in enumerate(layers):
        for j in range(vals.shape[1]):
            v = vals[:, j].reshape(n, n)[::s, ::s]
            if l == 0:
                v = v / feat_scale[j]
            elif l == last and run.net.loss == "cross_entropy":
                v = 2 * v - 1  # probability 0..1 -> -1..1
            thumbs[(l, j)] = R.colorize(v)
    return thumbs


def neuron_heatmap(run: Run, layer: int, index: int, n: int = GRID_N) -> np.ndarray:
    """The full-resolution grid values of one neuron (for the enlarged view)."""
    pts, feats, _ = _grid_features(tuple(run.features), n)
    with np.errstate(all="ignore"):
        return run.net.forward(feats)[layer][:, index].reshape(n, n)

"""Seeded "digit scenes": 1-4 handwritten 8×8 digits, upscaled, at random places on a dark
canvas, with a ground-truth box (the digit's ink) and a class per pixel for each scene."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

SIDE = 64                 # canvas side in pixels
MIN_SIZE, MAX_SIZE = 14, 30   # an 8×8 digit is upscaled to a square of this many pixels
MAX_DIGITS = 4
INK = 0.3                 # a pixel brighter than this belongs to its digit (mask and box)
BACKGROUND = 0            # class 0 of the masks; digit d is class d + 1


@dataclass(frozen=True)
class Scene:
    image: np.ndarray     # (SIDE, SIDE) float32 in [0, 1]: light digits on black
    boxes: np.ndarray     # (n, 4) float32, x0, y0, x1, y1 in pixels (x1, y1 exclusive)
    labels: np.ndarray    # (n,) int64 digits 0-9
    mask: np.ndarray      # (SIDE, SIDE) int64: 0 background, d + 1 for digit d
    seed: int = -1


def _digits(split: str, seed: int = 0):
    """The 8×8 digits of one half of the seeded train/test split of Train a CNN's data."""
    from ..cnn.digits import load_digits8

    d = load_digits8(seed)
    x, y = (d.x_train, d.y_train) if split == "train" else (d.x_test, d.y_test)
    return x[:, 0].numpy(), y.numpy()


_POOL: dict = {}


def pool(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Digits for training scenes ("train") or held-out scenes ("test"): never the same digit."""
    if split not in ("train", "test"):
        raise ValueError("split is 'train' or 'test'")
    if split not in _POOL:
        _POOL[split] = _digits(split)
    return _POOL[split]


def upscale(digit: np.ndarray, size: int) -> np.ndarray:
    img = Image.fromarray(np.asarray(digit, np.float32), mode="F")
    return np.clip(np.asarray(img.resize((size, size), Image.Resampling.BILINEAR)), 0, 1)


def compose(sprites: list[tuple[np.ndarray, int, int, int]], side: int = SIDE,
            seed: int = -1) -> Scene:
    """A scene from (upscaled digit, label, top, left); boxes and masks from each digit's ink."""
    image = np.zeros((side, side), np.float32)
    mask = np.zeros((side, side), np.int64)
    boxes, labels = [], []
    for sprite, label, top, left in sprites:
        h, w = sprite.shape
        window = image[top:top + h, left:left + w]
        np.maximum(window, sprite[:window.shape[0], :window.shape[1]], out=window)
        ink = np.zeros((side, side), bool)
        ink[top:top + h, left:left + w] = sprite[:window.shape[0], :window.shape[1]] > INK
        if not ink.any():
            continue
        mask[ink] = label + 1
        ys, xs = np.nonzero(ink)
        boxes.append((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))
        labels.append(label)
    return Scene(image, np.asarray(boxes, np.float32).reshape(-1, 4),
                 np.asarray(labels, np.int64), mask, seed)


def _overlaps(a, b, gap: int = 1) -> bool:
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1])


def make_scene(seed: int, split: str = "test", n_digits: int | None = None,
               side: int = SIDE) -> Scene:
    """One seeded scene: ``n_digits`` (default: 1-4 at random) digits of ``split`` that do not
    overlap, each upscaled to 14-30 pixels."""
    rng = np.random.default_rng(seed)
    x, y = pool(split)
    n = int(rng.integers(1, MAX_DIGITS + 1)) if n_digits is None else int(n_digits)
    if not 0 <= n <= MAX_DIGITS:
        raise ValueError(f"a scene holds 0 to {MAX_DIGITS} digits")
    placed, sprites = [], []
    for _ in range(n):
        for _try in range(30):
            size = int(rng.integers(MIN_SIZE, min(MAX_SIZE, side) + 1))
            top, left = (int(v) for v in rng.integers(0, side - size + 1, size=2))
            square = (left, top, left + size, top + size)
            if not any(_overlaps(square, p) for p in placed):
                break
        else:
            continue          # no room left: fewer digits
        i = int(rng.integers(len(x)))
        placed.append(square)
        sprites.append((upscale(x[i], size), int(y[i]), top, left))
    return compose(sprites, side, seed)


def batch(seeds, split: str = "train") -> list[Scene]:
    return [make_scene(int(s), split) for s in seeds]


def from_drawing(rgba: np.ndarray, side: int = SIDE) -> np.ndarray:
    """A canvas drawing (H, W, 3 or 4) → a (side, side) scene image in [0, 1], light ink on black
    (no boxes: nobody told us where the digits are). Shrunk to a third and enlarged again, so
    its crisp strokes look like the scenes' enlarged 8×8 digits."""
    a = np.asarray(rgba, np.float32)
    if a.ndim != 3 or a.shape[2] < 3 or min(a.shape[:2]) < 8:
        raise ValueError("the drawing is not an image")
    g = a[..., :3].mean(axis=2) / 255.0
    img = Image.fromarray(g.astype(np.float32), mode="F")
    small = img.resize((side // 3, side // 3), Image.Resampling.BOX)
    soft = np.asarray(small.resize((side, side), Image.Resampling.BILINEAR), np.float32)
    return np.clip(soft / max(float(soft.max()), 1e-6), 0, 1)

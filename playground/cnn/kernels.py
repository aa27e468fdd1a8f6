"""The convolution lab's arithmetic: preset kernels, a hand-edited kernel made safe, the
output-size formula, convolution with stride / padding / dilation (torch.nn.functional.conv2d),
the multiply-accumulate at every position of a sliding window, ReLU and 2×2 max-pooling.

Like every deep-learning library, "convolution" here is cross-correlation: the kernel is not
flipped (``out[i, j] = Σ window · kernel``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

KERNEL_LIMIT = 100.0    # hand-typed values are clamped to ±KERNEL_LIMIT
MAX_STRIDE, MAX_PADDING, MAX_DILATION = 8, 8, 4
SIZES = (3, 5)


def _gauss(n: int, sigma: float) -> np.ndarray:
    r = np.arange(n) - (n - 1) / 2
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def _laplacian(n: int) -> np.ndarray:
    if n == 3:
        return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float)
    return -np.array([[0, 0, 1, 0, 0], [0, 1, 2, 1, 0], [1, 2, -16, 2, 1], [0, 1, 2, 1, 0],
                      [0, 0, 1, 0, 0]], float)      # Laplacian of Gaussian


def _sobel(n: int) -> np.ndarray:
    if n == 3:
        return np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
    smooth, diff = np.array([1, 4, 6, 4, 1], float), np.array([-1, -2, 0, 2, 1], float)
    return np.outer(smooth, diff)


def _identity(n: int) -> np.ndarray:
    k = np.zeros((n, n))
    k[n // 2, n // 2] = 1
    return k


def _emboss(n: int) -> np.ndarray:
    r = np.arange(n) - n // 2
    return np.sign(r[:, None] + r[None, :]).astype(float) + _identity(n)


def _sharpen(n: int) -> np.ndarray:
    return 2 * _identity(n) - np.ones((n, n)) / (n * n)


# name -> (function of the size, what it does)
PRESETS = {
    "identity": (_identity, "Copies the input: a 1 in the middle, zeros around."),
    "box_blur": (lambda n: np.ones((n, n)) / (n * n), "Averages each pixel with its neighbours."),
    "gaussian_blur": (lambda n: _gauss(n, n / 4), "A weighted average, nearer pixels count more: "
                      "a softer blur."),
    "sharpen": (_sharpen, "The pixel minus a blurred copy of itself, added back: edges pop out."),
    "sobel_x": (_sobel, "Brightness change from left to right: vertical edges."),
    "sobel_y": (lambda n: _sobel(n).T, "Brightness change from top to bottom: horizontal edges."),
    "laplacian": (_laplacian, "Second derivative: bright where brightness bends, in any direction."),
    "emboss": (_emboss, "Light from the top-left: the picture looks pressed into metal."),
    "edge": (lambda n: n * n * _identity(n) - np.ones((n, n)),
             "Centre minus all neighbours (sums to 0): outlines in every direction."),
}
LABELS = {"identity": "Identity", "box_blur": "Box blur", "gaussian_blur": "Gaussian blur",
          "sharpen": "Sharpen", "sobel_x": "Sobel x", "sobel_y": "Sobel y",
          "laplacian": "Laplacian", "emboss": "Emboss", "edge": "Edge (outline)"}


def preset(name: str, size: int = 3) -> np.ndarray:
    """The ``size``×``size`` version of a preset kernel (float64)."""
    if size not in SIZES:
        raise ValueError(f"kernel size must be one of {SIZES}")
    return np.asarray(PRESETS[name][0](size), dtype=np.float64)


def clean_kernel(values, size: int) -> tuple[np.ndarray, list[str]]:
    """A hand-edited grid → a finite ``size``×``size`` kernel and notes about what was fixed.

    Empty or non-numeric cells become 0, NaN/inf become 0, values beyond ±KERNEL_LIMIT are
    clamped; a grid of the wrong shape is cut or padded with zeros."""
    notes = []
    rows = [list(r) for r in (values.tolist() if hasattr(values, "tolist") else values)]
    out = np.zeros((size, size))
    empty = bad = 0
    for i in range(size):
        for j in range(size):
            v = rows[i][j] if i < len(rows) and j < len(rows[i]) else None
            if v is None or (isinstance(v, str) and not v.strip()):
                empty += 1
                continue
            try:
                f = float(v)
            except (TypeError, ValueError):
                bad += 1
                continue
            if math.isnan(f):
                empty += 1
                continue
            out[i, j] = f
    if empty:
        notes.append(f"{empty} empty cell{'s' if empty > 1 else ''} counted as 0.")
    if bad:
        notes.append(f"{bad} non-numeric cell{'s' if bad > 1 else ''} counted as 0.")
    big = np.abs(out) > KERNEL_LIMIT
    if big.any():
        notes.append(f"{int(big.sum())} value{'s' if big.sum() > 1 else ''} beyond ±{KERNEL_LIMIT:g} "
                     f"clamped to ±{KERNEL_LIMIT:g}.")
        out = np.clip(out, -KERNEL_LIMIT, KERNEL_LIMIT)
    return out, notes


# ---- the output-size formula -----------------------------------------------------------------
def output_size(n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1, the side of the output (≤ 0: no output at all)."""
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def formula(n: int, k: int, stride: int, padding: int, dilation: int) -> str:
    """The formula with the real numbers filled in (plain text with Unicode)."""
    out = output_size(n, k, stride, padding, dilation)
    return (f"⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊({n} + 2·{padding} − {dilation}·({k} − 1) − 1)"
            f" / {stride}⌋ + 1 = ⌊{n + 2 * padding - dilation * (k - 1) - 1} / {stride}⌋ + 1 = {out}")


def check_settings(shape: tuple[int, int], k: int, stride: int, padding: int,
                   dilation: int) -> str | None:
    """None if the settings give an output, else the message that explains why not."""
    if not (1 <= stride <= MAX_STRIDE and 0 <= padding <= MAX_PADDING and 1 <= dilation <= MAX_DILATION):
        return (f"Stride must be 1–{MAX_STRIDE}, padding 0–{MAX_PADDING} and dilation "
                f"1–{MAX_DILATION}.")
    span = dilation * (k - 1) + 1
    for side, n in zip(("height", "width"), shape):
        if output_size(n, k, stride, padding, dilation) <= 0:
            return (f"No output: the dilated kernel spans {span} pixels, more than the padded "
                    f"input {side} of {n} + 2·{padding} = {n + 2 * padding}. Use a smaller "
                    "dilation or kernel, or more padding.")
    return None


# ---- convolution -----------------------------------------------------------------------------
def to_array(img, gray: bool) -> np.ndarray:
    """A PIL image / uint8 array → float32 (C, H, W) in [0, 1]; C = 1 for grayscale."""
    a = np.asarray(img, dtype=np.float32)
    if a.ndim == 2:
        a = a[..., None]
    a = a[..., :3] / 255.0 if a.max(initial=0) > 1.0 else a[..., :3]
    if gray and a.shape[-1] == 3:
        a = (a @ np.array([0.299, 0.587, 0.114], np.float32))[..., None]   # ITU-R 601 luma
    return np.ascontiguousarray(a.transpose(2, 0, 1))


def convolve(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
             dilation: int = 1) -> np.ndarray:
    """Each channel of ``x`` (C, H, W) convolved with the same 2-D kernel (a depthwise conv),
    zero padding; returns (C, H', W') float32. Raises ValueError when there is no output."""
    x = np.asarray(x, dtype=np.float32)
    k = np.asarray(kernel, dtype=np.float32)
    err = check_settings(x.shape[1:], k.shape[0], stride, padding, dilation)
    if err:
        raise ValueError(err)
    c = x.shape[0]
    w = torch.from_numpy(k).expand(c, 1, *k.shape).contiguous()
    with torch.inference_mode():
        y = F.conv2d(torch.from_numpy(x)[None], w, stride=stride, padding=padding,
                     dilation=dilation, groups=c)
    return y[0].numpy()


def relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0)


def maxpool2(a: np.ndarray) -> np.ndarray:
    """2×2 max-pooling with stride 2 over the last two axes (an odd last row/column is dropped)."""
    a = np.asarray(a)
    h, w = a.shape[-2] // 2 * 2, a.shape[-1] // 2 * 2
    if h == 0 or w == 0:
        return a[..., :0, :0]
    b = a[..., :h, :w]
    return b.reshape(*b.shape[:-2], h // 2, 2, w // 2, 2).max(axis=(-3, -1))


# ---- the sliding window, one position at a time --------------------------------------------
@dataclass
class MacStep:
    row: int                 # output position
    col: int
    top: int                 # where the window's first tap sits in the padded input
    left: int
    window: np.ndarray       # the input values under the kernel's taps (k, k)
    products: np.ndarray     # window · kernel
    total: float             # Σ products = the output value


@dataclass
class Walk:
    padded: np.ndarray       # the zero-padded input patch
    kernel: np.ndarray
    stride: int
    padding: int
    dilation: int
    steps: list[MacStep] = field(default_factory=list)
    out_shape: tuple[int, int] = (0, 0)

    def output(self) -> np.ndarray:
        return np.array([s.total for s in self.steps]).reshape(self.out_shape)


def sliding_window(patch: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
                   dilation: int = 1) -> Walk:
    """Every position of the kernel over a small 2-D ``patch`` with its multiply-accumulate,
    computed tap by tap in NumPy (independent of conv2d; the tests compare the two)."""
    patch = np.asarray(patch, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    k = kernel.shape[0]
    err = check_settings(patch.shape, k, stride, padding, dilation)
    if err:
        raise ValueError(err)
    padded = np.pad(patch, padding)
    oh = output_size(patch.shape[0], k, stride, padding, dilation)
    ow = output_size(patch.shape[1], k, stride, padding, dilation)
    walk = Walk(padded, kernel, stride, padding, dilation, out_shape=(oh, ow))
    taps = np.arange(k) * dilation
    for i in range(oh):
        for j in range(ow):
            top, left = i * stride, j * stride
            window = padded[np.ix_(top + taps, left + taps)]
            prod = window * kernel
            walk.steps.append(MacStep(i, j, top, left, window, prod, float(prod.sum())))
    return walk


def mac_text(step: MacStep, kernel: np.ndarray, digits: int = 2) -> str:
    """"0.20·1 + 0.35·0 + … = 0.47": the multiply-accumulate of one position written out."""
    terms = [f"{w:.{digits}f}·{k:.4g}" for w, k in
             zip(step.window.ravel(), np.asarray(kernel).ravel())]
    return " + ".join(terms) + f" = {step.total:.{digits + 1}f}"

"""Seeded data generators (TF Playground's dataset.ts, plus multi-class) and CSV upload.

Every generator is a pure function of (n, noise, seed): the same arguments give the same points.
Classification labels are +1 / -1 for two classes (TF Playground's convention) and 0..K-1 for
K > 2 classes; regression labels lie in [-1, 1].
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

N_CLASSIFY, N_REGRESS = 500, 1200
MAX_CSV_ROWS = 5000
VIEW = 6.0  # the heatmaps cover [-VIEW, VIEW]^2


@dataclass
class Dataset:
    X: np.ndarray  # (n, 2) points
    y: np.ndarray  # (n,) labels
    kind: str  # "binary" | "multiclass" | "regression"
    n_classes: int = 2
    name: str = ""

    def __len__(self):
        return len(self.y)

    def split(self, train_pct: float, seed: int = 0):
        """Shuffle (seeded) and cut into (train, test) like TF Playground."""
        order = np.random.default_rng(seed).permutation(len(self))
        n_train = int(round(len(self) * train_pct / 100.0))
        n_train = min(max(n_train, 1), len(self) - 1) if len(self) > 1 else len(self)
        tr, te = order[:n_train], order[n_train:]
        return (Dataset(self.X[tr], self.y[tr], self.kind, self.n_classes, self.name),
                Dataset(self.X[te], self.y[te], self.kind, self.n_classes, self.name))

    def to_csv(self) -> str:
        return pd.DataFrame({"x1": self.X[:, 0], "x2": self.X[:, 1], "label": self.y}).to_csv(
            index=False, float_format="%.5f")


def _u(rng, lo, hi, n):
    return rng.uniform(lo, hi, n)


def circle(n=N_CLASSIFY, noise=0.0, seed=0) -> Dataset:
    """Inside radius 0-2.5 is +1, the ring 3.5-5 is -1; noise shifts the labelled position."""
    rng, radius, half = np.random.default_rng(seed), 5.0, n // 2
    parts = []
    for lo, hi in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        r, ang = _u(rng, lo, hi, half), _u(rng, 0, 2 * np.pi, half)
        x, y = r * np.sin(ang), r * np.cos(ang)
        nx, ny = _u(rng, -radius, radius, half) * noise, _u(rng, -radius, radius, half) * noise
        label = np.where(np.hypot(x + nx, y + ny) < radius * 0.5, 1.0, -1.0)
        parts.append((x, y, label))
    return _stack(parts, "binary", "circle")


def xor(n=N_CLASSIFY, noise=0.0, seed=0) -> Dataset:
    """Label sign(x*y); points are kept 0.3 away from the axes."""
    rng, pad = np.random.default_rng(seed), 0.3
    x, y = _u(rng, -5, 5, n), _u(rng, -5, 5, n)
    x, y = x + np.where(x > 0, pad, -pad), y + np.where(y > 0, pad, -pad)
    nx, ny = _u(rng, -5, 5, n) * noise, _u(rng, -5, 5, n) * noise
    label = np.where((x + nx) * (y + ny) >= 0, 1.0, -1.0)
    return _stack([(x, y, label)], "binary", "xor")


def gauss(n=N_CLASSIFY, noise=0.0, seed=0) -> Dataset:
    """Two Gaussian clouds at (2, 2) (+1) and (-2, -2) (-1); noise widens them."""
    rng, half = np.random.default_rng(seed), n // 2
    variance = 0.5 + noise / 0.5 * 3.5
    parts = [(rng.normal(c, np.sqrt(variance), half), rng.normal(c, np.sqrt(variance), half),
              np.full(half, lab)) for c, lab in ((2.0, 1.0), (-2.0, -1.0))]
    return _stack(parts, "binary", "gauss")


def spiral(n=N_CLASSIFY, noise=0.0, seed=0, arms=2) -> Dataset:
    """Interleaved spirals; with arms=2 labels are +1/-1, otherwise classes 0..arms-1."""
    rng, per = np.random.default_rng(seed), n // arms
    i = np.arange(per)
    r = i / per * 5
    parts = []
    for k in range(arms):
        t = 1.75 * i / per * 2 * np.pi + 2 * np.pi * k / arms
        x = r * np.sin(t) + _u(rng, -1, 1, per) * noise
        y = r * np.cos(t) + _u(rng, -1, 1, per) * noise
        label = (1.0 if k == 0 else -1.0) if arms == 2 else float(k)
        parts.append((x, y, np.full(per, label)))
    kind = "binary" if arms == 2 else "multiclass"
    return _stack(parts, kind, "spiral" if arms == 2 else f"spiral{arms}", arms)


def spiral3(n=N_CLASSIFY + 100, noise=0.0, seed=0) -> Dataset:
    return spiral(n, noise, seed, arms=3)


def blobs4(n=N_CLASSIFY, noise=0.0, seed=0) -> Dataset:
    """Four Gaussian clusters, one per quadrant: classes 0..3."""
    rng, per = np.random.default_rng(seed), n // 4
    sd = np.sqrt(0.5 + noise / 0.5 * 3.5)
    parts = [(rng.normal(cx, sd, per), rng.normal(cy, sd, per), np.full(per, float(k)))
             for k, (cx, cy) in enumerate(((2.5, 2.5), (-2.5, 2.5), (-2.5, -2.5), (2.5, -2.5)))]
    return _stack(parts, "multiclass", "blobs4", 4)


def reg_plane(n=N_REGRESS, noise=0.0, seed=0) -> Dataset:
    """Label (x + y) / 10: a tilted plane."""
    rng, radius = np.random.default_rng(seed), 6.0
    x, y = _u(rng, -radius, radius, n), _u(rng, -radius, radius, n)
    nx, ny = _u(rng, -radius, radius, n) * noise, _u(rng, -radius, radius, n) * noise
    return _stack([(x, y, np.clip((x + nx + y + ny) / 10.0, -1, 1))], "regression", "reg_plane", 0)


_GAUSSIANS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def reg_gauss(n=N_REGRESS, noise=0.0, seed=0) -> Dataset:
    """Six bumps of height +-1; a point takes the strongest bump near it."""
    rng, radius = np.random.default_rng(seed), 6.0
    x, y = _u(rng, -radius, radius, n), _u(rng, -radius, radius, n)
    px = x + _u(rng, -radius, radius, n) * noise
    py = y + _u(rng, -radius, radius, n) * noise
    label = np.zeros(n)
    for cx, cy, sign in _GAUSSIANS:
        new = sign * np.clip(1 - np.hypot(px - cx, py - cy) / 2, 0, 1)
        label = np.where(np.abs(new) > np.abs(label), new, label)
    return _stack([(x, y, label)], "regression", "reg_gauss", 0)


def _stack(parts, kind, name, n_classes=2) -> Dataset:
    X = np.column_stack([np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])])
    y = np.concatenate([p[2] for p in parts])
    return Dataset(X, y, kind, n_classes, name)


GENERATORS = {
    "circle": ("Circle", circle),
    "xor": ("Exclusive or", xor),
    "gauss": ("Gaussian", gauss),
    "spiral": ("Spiral", spiral),
    "spiral3": ("3-class spiral", spiral3),
    "blobs4": ("4 blobs (4 classes)", blobs4),
    "reg_plane": ("Plane (regression)", reg_plane),
    "reg_gauss": ("Multi-Gaussian (regression)", reg_gauss),
}

PROBLEMS = {
    "classification": [k for k in GENERATORS if not k.startswith("reg_")],
    "regression": [k for k in GENERATORS if k.startswith("reg_")],
}


MULTICLASS = ("spiral3", "blobs4")
OUTPUT_OF = {"multiclass": "Softmax + cross-entropy", "regression": "Linear output, squared error"}


def kind_of(name: str) -> str:
    """binary | multiclass | regression, from a generator's name (without generating it)."""
    if name in PROBLEMS["regression"]:
        return "regression"
    return "multiclass" if name in MULTICLASS else "binary"


def problem_of(name: str) -> str:
    return "regression" if name in PROBLEMS["regression"] else "classification"


def generate(name: str, noise_pct: float = 0.0, seed: int = 0) -> Dataset:
    """noise_pct in 0..50 as on TF Playground's slider."""
    if name not in GENERATORS:
        raise ValueError(f"unknown dataset {name!r}")
    return GENERATORS[name][1](noise=float(noise_pct) / 100.0, seed=int(seed))


class CSVError(ValueError):
    """A user CSV that cannot be used; the message is meant for the user."""


def parse_csv(raw: bytes | str, max_rows: int = MAX_CSV_ROWS, seed: int = 0):
    """Read an uploaded CSV of x1, x2, label. Returns (Dataset, notes) or raises CSVError.

    Points are rescaled to fit the [-5, 5] view if they lie outside it; more than ``max_rows``
    rows are subsampled (seeded); the notes say so.
    """
    notes: list[str] = []
    if isinstance(raw, bytes):
        if len(raw) > 20_000_000:
            raise CSVError("The file is larger than 20 MB. Please upload at most a few thousand rows.")
        raw = decode_text(raw)
    raw = raw.lstrip("\ufeff")
    if not raw.strip():
        raise CSVError("The file is empty. Expected columns x1, x2, label.")
    if "\x00" in raw:
        raise CSVError("This is a binary file, not a CSV text file with columns x1, x2, label.")
    try:
        df = pd.read_csv(io.StringIO(raw), sep=None, engine="python")
    except Exception as exc:  # pandas raises many kinds of parser errors
        raise CSVError(f"This does not look like a CSV file ({type(exc).__name__}).") from None
    cols = [str(c).strip().lower() for c in df.columns]
    if {"x1", "x2", "label"} <= set(cols):
        df.columns = cols
        df = df[["x1", "x2", "label"]]
    elif len(cols) == 3 and all(_is_number(c) for c in cols):  # no header row
        df = pd.read_csv(io.StringIO(raw), sep=None, engine="python", header=None)
        df.columns = ["x1", "x2", "label"]
    else:
        raise CSVError("Expected the columns x1, x2, label; found "
                       f"{', '.join(str(c)[:20] for c in df.columns[:6])}.")
    if len(df) == 0:
        raise CSVError("The file has a header line but no rows of data: add rows of x1, x2, label.")
    values = df.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = values.isna() & df.notna()
    if bad.any().any():
        r, c = np.argwhere(bad.to_numpy())[0]
        raise CSVError(f"Row {r + 2}, column {df.columns[c]}: {str(df.iat[r, c])[:20]!r} is not a number.")
    if values.isna().any().any() or not np.isfinite(values.to_numpy()).all():
        raise CSVError("Some values are missing, NaN or infinite. Every row needs x1, x2 and label.")
    if len(values) < 10:
        raise CSVError(f"Only {len(values)} row(s): at least 10 points are needed to train and test.")
    if len(values) > max_rows:
        values = values.sample(max_rows, random_state=seed)
        notes.append(f"The file has {len(df)} rows; a random {max_rows} of them are used.")
    X, y = values[["x1", "x2"]].to_numpy(float), values["label"].to_numpy(float)
    classes = np.unique(y)
    if len(classes) < 2 and classes[0] == round(classes[0]):
        raise CSVError("All points have the same label: a classifier needs at least 2 classes.")
    if np.all(X == X[0]):
        raise CSVError(f"All {len(X)} points are the same point ({X[0, 0]:g}, {X[0, 1]:g}): a network "
                       "needs points in different places to learn a boundary.")
    span = np.abs(X).max()
    if span > 5.0 or span < 0.5:
        with np.errstate(all="ignore"):
            X = X * (5.0 / span)
        if not np.isfinite(X).all():
            raise CSVError("The coordinates are too close to zero to be rescaled (below 1e-300).")
        notes.append(f"Points were rescaled by {5.0 / span:.3g} to fit the view [-6, 6].")
    if np.all(classes == np.round(classes)) and len(classes) <= 10:
        if len(classes) == 2:
            return Dataset(X, np.where(y == classes[1], 1.0, -1.0), "binary", 2, "csv"), notes + [
                f"Two classes: label {classes[1]:g} is shown blue (+1), {classes[0]:g} orange (-1)."]
        idx = np.searchsorted(classes, y).astype(float)
        return Dataset(X, idx, "multiclass", len(classes), "csv"), notes
    lo, hi = y.min(), y.max()
    with np.errstate(all="ignore"):
        scaled = (y / 2 - lo / 2) / (hi / 2 - lo / 2) * 2 - 1 if hi > lo else np.zeros_like(y)
    if not np.isfinite(scaled).all():
        raise CSVError("The labels are too close together to be told apart (differences below 1e-300).")
    notes.append(f"Labels look continuous: regression, targets scaled from [{lo:g}, {hi:g}] to [-1, 1].")
    return Dataset(X, scaled, "regression", 0, "csv"), notes


def decode_text(raw: bytes) -> str:
    """Text of an uploaded file as spreadsheets save it: UTF-8 (with or without Excel's byte
    order mark), UTF-16 with a byte order mark (Excel's “Unicode text”) or without one, and
    otherwise Windows-1252 (Excel's “CSV” on Western Windows), so no byte ever fails."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    head = raw[:4096]
    if len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):      # UTF-16 without a BOM
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        return raw.decode("utf-16-be" if even > odd else "utf-16-le", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False

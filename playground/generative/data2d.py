"""2-D target distributions for the GAN and diffusion pages, and sample-quality numbers.

Every target is a seeded generator of points scaled to about [-2, 2]² (the view of the
pages' pictures), so learning rates and pictures need no per-target tuning.
"""
from __future__ import annotations

import io

import numpy as np

VIEW = 3.0                      # pictures show [-VIEW, VIEW]²
MAX_UPLOAD_ROWS = 5000
MAX_UPLOAD_BYTES = 2_000_000

TARGETS = {"ring": "Ring of 8 Gaussians", "moons": "Two moons", "spiral": "Spiral",
           "grid": "Grid of 9 Gaussians", "gaussian": "One Gaussian", "draw": "Draw your own",
           "upload": "Your points (CSV)"}
USER_TARGETS = ("draw", "upload")   # targets made of the user's own points
RING_MODES, RING_RADIUS, RING_STD = 8, 2.0, 0.08


class PointsError(ValueError):
    """An uploaded point set that cannot be used; the text is for the student (no file contents)."""


def ring_centres(n: int = RING_MODES, r: float = RING_RADIUS) -> np.ndarray:
    a = 2 * np.pi * np.arange(n) / n
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


def grid_centres() -> np.ndarray:
    g = np.array([-1.6, 0.0, 1.6])
    return np.array([(x, y) for x in g for y in g])


def modes_of(target: str) -> np.ndarray | None:
    """Centres of the target's separate modes (for counting which ones samples cover)."""
    return {"ring": ring_centres(), "grid": grid_centres()}.get(target)


def sample(target: str, n: int, rng: np.random.Generator, points: np.ndarray | None = None) -> np.ndarray:
    """``n`` points (n, 2) float32 from a target; ``points`` is the user's set for "upload"."""
    if target == "ring":
        c = ring_centres()[rng.integers(0, RING_MODES, n)]
        x = c + RING_STD * rng.standard_normal((n, 2))
    elif target == "grid":
        c = grid_centres()[rng.integers(0, 9, n)]
        x = c + 0.08 * rng.standard_normal((n, 2))
    elif target == "moons":
        upper = rng.random(n) < 0.5
        t = rng.random(n) * np.pi
        x = np.where(upper[:, None], np.column_stack([np.cos(t), np.sin(t)]),
                     np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
        x = (x - [0.5, 0.25]) * 1.6 + 0.06 * rng.standard_normal((n, 2))
    elif target == "spiral":
        t = np.sqrt(rng.random(n)) * 3 * np.pi
        x = np.column_stack([t * np.cos(t), t * np.sin(t)]) / (3 * np.pi) * 2.2
        x = x + 0.05 * rng.standard_normal((n, 2))
    elif target == "gaussian":
        x = np.array([0.8, -0.4]) + 0.5 * rng.standard_normal((n, 2))
    elif target in USER_TARGETS:
        if points is None or len(points) == 0:
            raise PointsError("Upload a CSV of points first.")
        x = points[rng.integers(0, len(points), n)] + 0.02 * rng.standard_normal((n, 2))
    else:
        raise ValueError(f"unknown target {target!r}")
    return x.astype(np.float32)


def parse_points(raw: bytes) -> tuple[np.ndarray, list[str]]:
    """An uploaded CSV → points scaled into the view, and notes on what was done.

    Two numeric columns (x, y; a header row and further columns are ignored); at most
    :data:`MAX_UPLOAD_ROWS` rows. Never echoes the file's contents in a message."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise PointsError(f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PointsError("The file is not text (UTF-8 CSV expected).") from None
    rows, bad, notes = [], 0, []
    for i, line in enumerate(io.StringIO(text)):
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        if len(parts) < 2 or not any(parts):
            continue
        try:
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            if i > 0:
                bad += 1
            continue
        if np.isfinite(x) and np.isfinite(y):
            rows.append((x, y))
        else:
            bad += 1
        if len(rows) >= MAX_UPLOAD_ROWS:
            notes.append(f"Only the first {MAX_UPLOAD_ROWS:,} points are used.")
            break
    if len(rows) < 10:
        raise PointsError("Need at least 10 rows of two numbers (x, y) separated by a comma.")
    if bad:
        notes.append(f"{bad} row{'s' if bad != 1 else ''} without two finite numbers skipped.")
    p = np.asarray(rows, dtype=np.float64)
    centre = (p.max(0) + p.min(0)) / 2
    half = float(np.abs(p - centre).max()) or 1.0
    p = (p - centre) / half * 2.2
    notes.append(f"{len(p):,} points, centred and scaled to fit [-2.2, 2.2]².")
    return p.astype(np.float32), notes


def points_from_drawing(rgba: np.ndarray, max_points: int = 3000, seed: int = 0) -> np.ndarray | None:
    """Stroke pixels of a drawing (bright strokes on a black square) → points in the view.

    The square maps onto [-VIEW, VIEW]² exactly as the page's plots show it (top row = +VIEW).
    Returns None when fewer than 10 pixels are drawn."""
    img = np.asarray(rgba)
    if img.ndim != 3 or img.shape[0] < 2 or img.shape[1] < 2:
        return None
    rows, cols = np.nonzero(img[..., :3].max(-1) > 60)
    if len(rows) < 10:
        return None
    if len(rows) > max_points:
        keep = np.random.default_rng(seed).choice(len(rows), max_points, replace=False)
        rows, cols = rows[keep], cols[keep]
    h, w = img.shape[:2]
    x = ((cols + 0.5) / w * 2 - 1) * VIEW
    y = (1 - (rows + 0.5) / h * 2) * VIEW
    return np.column_stack([x, y]).astype(np.float32)


def fingerprint(points: np.ndarray | None) -> str:
    """A short stable id of a point set (a new drawing or file restarts the run; the same does not)."""
    import hashlib

    return "" if points is None else hashlib.sha1(np.ascontiguousarray(points).tobytes()).hexdigest()[:16]


def energy_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Energy distance 2E|X−Y| − E|X−X'| − E|Y−Y'| (0 when the distributions agree)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = lambda u, v: np.sqrt(((u[:, None, :] - v[None, :, :]) ** 2).sum(-1)).mean()  # noqa: E731
    return float(2 * d(a, b) - d(a, a) - d(b, b))


def mmd(a: np.ndarray, b: np.ndarray, bandwidth: float = 0.3) -> float:
    """Squared maximum mean discrepancy with a Gaussian kernel (biased estimate)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)

    def k(u, v):   # one (n, m) array at a time, in place: 15× faster than the (n, m, d) one
        d = (u[:, None, 0] - v[None, :, 0]) ** 2
        for j in range(1, u.shape[1]):
            d += (u[:, None, j] - v[None, :, j]) ** 2
        d /= -(2 * bandwidth ** 2)
        return np.exp(d, out=d).mean()
    return float(k(a, a) + k(b, b) - 2 * k(a, b))


def modes_covered(x: np.ndarray, centres: np.ndarray, radius: float = 0.4, min_share: float = 0.02
                  ) -> np.ndarray:
    """Which modes hold at least ``min_share`` of the samples within ``radius`` of their centre."""
    d = np.sqrt(((np.asarray(x)[:, None, :] - centres[None]) ** 2).sum(-1))
    near = d.min(1) < radius
    idx = d.argmin(1)
    counts = np.bincount(idx[near], minlength=len(centres))
    return counts >= min_share * len(x)


BANDWIDTH = 0.2                 # the kernel width of the quality number: sees the shape, not just spread
DISTANCE_NAME = "MMD"


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """The pages' quality number: squared MMD with a narrow Gaussian kernel (0 = same distribution).

    Energy distance is also here, but at a few hundred points it barely tells two moons from a
    Gaussian blob of the same mean and covariance (0.033 vs 0.023 for two samples of the moons);
    this MMD does (0.035 vs 0.008)."""
    return mmd(a, b, BANDWIDTH)


def baseline_distance(target: str, n: int = 400, seed: int = 12345, points=None) -> float:
    """:func:`distance` between two independent samples of the target itself (the noise floor)."""
    rng = np.random.default_rng(seed)
    return distance(sample(target, n, rng, points), sample(target, n, rng, points))


def matches(dist: float, floor: float) -> bool:
    """Samples "match" the target: within twice the target's own two-sample distance (+0.002)."""
    return dist < 2 * floor + 0.002

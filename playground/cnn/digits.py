"""Handwritten digits for the CNN page: scikit-learn's bundled 8×8 digits (always offline), and
MNIST / Fashion-MNIST through torchvision.datasets when the internet is reachable (downloaded
once per server with a byte-level progress callback; offline is decided within ~2 s).

Every data set comes back as a :class:`DigitData` of float tensors in [0, 1], (N, 1, H, W).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torchvision import datasets as tvd

from .. import netcheck
from ..bundle import paths as bundle_paths
from ..vision.models import download_to, offline_forced

DATA_ENV = "PLAYGROUND_DATA"          # where downloaded data sets live (default: ~/.cache/...)
TRAIN_LIMIT, TEST_LIMIT = 6000, 1000  # MNIST-size sets are subsampled: CPU training stays live


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    cls: type | None                  # the torchvision dataset class, None for the bundled set
    classes: tuple[str, ...]
    size_mb: float = 0.0
    license: str = ""


DIGITS = tuple(str(i) for i in range(10))
SOURCES = {s.key: s for s in [
    Source("digits8", "Handwritten digits, 8×8 (bundled with scikit-learn, works offline)", None,
           DIGITS, 0.0, "UCI Optical Recognition of Handwritten Digits, CC BY 4.0"),
    Source("mnist", "MNIST, 28×28 (one 11 MB download)", tvd.MNIST, DIGITS, 11.6,
           "Yann LeCun and Corinna Cortes, CC BY-SA 3.0"),
    Source("fashion", "Fashion-MNIST, 28×28 clothes (one 30 MB download)", tvd.FashionMNIST,
           ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
            "Boot"), 30.1, "Zalando Research, MIT"),
]}


class DataError(RuntimeError):
    """A data set that cannot be had right now; the text is for the student."""


@dataclass
class DigitData:
    key: str
    x_train: torch.Tensor             # (N, 1, H, W) float32 in [0, 1]
    y_train: torch.Tensor             # (N,) int64
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]

    @property
    def size(self) -> int:
        return int(self.x_train.shape[-1])

    @property
    def label(self) -> str:
        return SOURCES[self.key].label


def _split(x: np.ndarray, y: np.ndarray, n_test: int, seed: int, key: str, classes,
           n_train: int | None = None) -> DigitData:
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:n_test], order[n_test:]
    if n_train is not None:
        train = train[:n_train]
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))[:, None]  # noqa: E731
    return DigitData(key, t(x[train]), torch.from_numpy(y[train].astype(np.int64)),
                     t(x[test]), torch.from_numpy(y[test].astype(np.int64)), tuple(classes))


def load_digits8(seed: int = 0, test_share: float = 0.2) -> DigitData:
    """scikit-learn's 1 797 digits (8×8, values 0–16 → [0, 1]); a seeded train/test split."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = d.images.astype(np.float32) / 16.0
    return _split(x, d.target, int(round(len(x) * test_share)), seed, "digits8", DIGITS)


# ---- MNIST / Fashion-MNIST through torchvision -------------------------------------------------
def data_root() -> Path:
    """$PLAYGROUND_DATA, else the classroom bundle's data folder ($PLAYGROUND_BUNDLE/data) when
    there is one, else ~/.cache/deep-learning-playground."""
    env = os.environ.get(DATA_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    bundled = bundle_paths.data_dir()
    if bundled is not None and bundled.is_dir():
        return bundled
    return Path.home() / ".cache" / "deep-learning-playground"


def _raw_dir(src: Source, root: Path | None = None) -> Path:
    return Path(root or data_root()) / src.cls.__name__ / "raw"   # where torchvision looks


def is_downloaded(key: str, root: Path | None = None) -> bool:
    src = SOURCES[key]
    if src.cls is None:
        return True
    raw = _raw_dir(src, root)
    return all((raw / Path(name).stem).is_file() for name, _ in src.cls.resources)


def hosts(key: str) -> list[str]:
    from urllib.parse import urlparse
    return [urlparse(m).hostname for m in SOURCES[key].cls.mirrors]


def can_download(key: str, timeout: float = netcheck.PROBE_TIMEOUT) -> bool:
    """Within ``timeout`` s (remembered for a minute): can this server reach a mirror?"""
    if offline_forced():
        return False
    port = lambda m: 80 if m.startswith("http://") else 443   # noqa: E731
    return any(netcheck.reachable(netcheck.via_proxy(h, port(m)), timeout)
               for h, m in zip(hosts(key), SOURCES[key].cls.mirrors))


def download(key: str, progress: Callable[[int, int, str], None] | None = None,
             root: Path | None = None) -> Path:
    """Download and unpack the four files of MNIST / Fashion-MNIST where torchvision looks.

    ``progress(done_bytes, total_bytes, file_name)`` after every chunk (total is the sum of the
    known file sizes, estimated from the data set's size before a file's length is known)."""
    src = SOURCES[key]
    raw = _raw_dir(src, root)
    raw.mkdir(parents=True, exist_ok=True)
    est = int(src.size_mb * 1e6)
    done_before = 0
    for name, md5 in src.cls.resources:
        target = raw / Path(name).stem
        if target.is_file():
            continue
        gz = raw / name
        last_err = None
        for mirror in src.cls.mirrors:
            try:
                download_to(mirror + name, gz, None, (lambda d, t, n=name: progress(
                    done_before + d, max(est, done_before + (t or d)), n)) if progress else None)
                break
            except Exception as exc:      # this mirror failed: try the next one
                last_err = exc
                gz.unlink(missing_ok=True)
        else:
            raise DataError(f"Downloading {name} failed ({str(last_err)[:160]}).")
        if hashlib.md5(gz.read_bytes()).hexdigest() != md5:
            gz.unlink(missing_ok=True)
            raise DataError(f"The downloaded file {name} is corrupt (checksum mismatch); try again.")
        tmp = target.with_suffix(".partial")
        with gzip.open(gz, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        tmp.replace(target)
        done_before += gz.stat().st_size
        gz.unlink(missing_ok=True)
    return raw


def load_torchvision(key: str, seed: int = 0, root: Path | None = None,
                     n_train: int = TRAIN_LIMIT, n_test: int = TEST_LIMIT) -> DigitData:
    """The downloaded set read by torchvision.datasets (download=False), seeded subsample."""
    src = SOURCES[key]
    if not is_downloaded(key, root):
        raise DataError(f"{src.label} is not on this server yet.")
    try:
        tr = src.cls(str(root or data_root()), train=True, download=False)
        te = src.cls(str(root or data_root()), train=False, download=False)
    except Exception as exc:       # truncated or damaged files
        raise DataError(f"The {src.cls.__name__} files on this server cannot be read "
                        f"({type(exc).__name__}); delete {_raw_dir(src, root)} to download "
                        "them again.") from None
    rng = np.random.default_rng(seed)
    i_tr = rng.permutation(len(tr.data))[:n_train]
    i_te = rng.permutation(len(te.data))[:n_test]
    f = lambda d, i: (d.data[i].float() / 255.0)[:, None].contiguous()  # noqa: E731
    return DigitData(key, f(tr, i_tr), tr.targets[i_tr].long(), f(te, i_te), te.targets[i_te].long(),
                     src.classes)


def load(key: str, seed: int = 0, root: Path | None = None) -> DigitData:
    return load_digits8(seed) if key == "digits8" else load_torchvision(key, seed, root)


def to_input(img, size: int, invert: bool | None = None) -> tuple[torch.Tensor, list[str]]:
    """A photo or drawing (PIL, any mode) → (1, 1, size, size) in [0, 1] like the data set:
    grayscale, a light digit on a dark background (inverted when the background is light),
    cropped to the ink, centred with a margin, scaled down. Notes say what was done."""
    from PIL import Image, ImageOps

    notes = []
    g = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    if invert is None:
        border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
        invert = float(np.median(border)) > 0.5
    if invert:
        g = 1.0 - g
        notes.append("Dark ink on a light background: colours inverted (the data set has light "
                     "digits on black).")
    ink = g > max(0.2, float(g.max()) * 0.3)
    if ink.any():
        ys, xs = np.nonzero(ink)
        g = g[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    else:
        notes.append("No ink found: the picture is empty.")
    side = int(max(g.shape) * 1.4) + 1            # a margin around the digit, square
    canvas = np.zeros((side, side), np.float32)
    y0, x0 = (side - g.shape[0]) // 2, (side - g.shape[1]) // 2
    canvas[y0:y0 + g.shape[0], x0:x0 + g.shape[1]] = g
    small = Image.fromarray(np.round(canvas * 255).astype(np.uint8)).resize(
        (size, size), Image.Resampling.BOX if side >= size else Image.Resampling.BILINEAR)
    a = np.asarray(ImageOps.autocontrast(small), dtype=np.float32) / 255.0
    notes.append(f"Cropped to the ink, centred and scaled down to {size}×{size} pixels.")
    return torch.from_numpy(a)[None, None], notes

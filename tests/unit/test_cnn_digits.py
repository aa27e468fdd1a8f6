"""MNIST / Fashion-MNIST through the real torchvision reader and the real download-and-unpack
code, on tiny idx files made here (no internet); the offline check is fast."""
import gzip
import hashlib
import struct
import time

import numpy as np
import pytest
import torch

from playground.cnn import digits as D
from playground.vision import models as VM


def idx_images(a: np.ndarray) -> bytes:
    return struct.pack(">IIII", 0x0803, len(a), a.shape[1], a.shape[2]) + a.astype(np.uint8).tobytes()


def idx_labels(y: np.ndarray) -> bytes:
    return struct.pack(">II", 0x0801, len(y)) + y.astype(np.uint8).tobytes()


def fake_files(n_train=50, n_test=20, seed=0) -> dict:
    """name.gz -> uncompressed bytes, like the four MNIST files (labels = the image's mean / 26)."""
    rng = np.random.default_rng(seed)
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, (n, 28, 28))
        out[f"{prefix}-images-idx3-ubyte.gz"] = idx_images(imgs)
        out[f"{prefix}-labels-idx1-ubyte.gz"] = idx_labels(np.arange(n) % 10)
    return out


def write_raw(root, key="mnist", **kw):
    raw = root / D.SOURCES[key].cls.__name__ / "raw"
    raw.mkdir(parents=True)
    for name, data in fake_files(**kw).items():
        (raw / name[:-3]).write_bytes(data)
    return raw


def test_files_where_torchvision_looks_are_read_by_torchvision(tmp_path):
    assert not D.is_downloaded("mnist", tmp_path)
    with pytest.raises(D.DataError, match="not on this server"):
        D.load("mnist", root=tmp_path)
    write_raw(tmp_path)
    assert D.is_downloaded("mnist", tmp_path) and not D.is_downloaded("fashion", tmp_path)
    d = D.load_torchvision("mnist", seed=0, root=tmp_path, n_train=30, n_test=20)
    assert d.x_train.shape == (30, 1, 28, 28) and d.x_test.shape == (20, 1, 28, 28)
    assert d.x_train.dtype == torch.float32 and 0 <= float(d.x_train.min()) <= float(d.x_train.max()) <= 1
    assert d.size == 28 and d.classes == D.DIGITS
    assert sorted(d.y_test.tolist()) == sorted((np.arange(20) % 10).tolist())   # all test images
    d2 = D.load_torchvision("mnist", seed=0, root=tmp_path, n_train=30, n_test=20)
    assert torch.equal(d.x_train, d2.x_train)                    # seeded subsample


def test_damaged_files_are_a_message(tmp_path):
    raw = write_raw(tmp_path, key="fashion")
    (raw / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
    with pytest.raises(D.DataError, match="cannot be read"):
        D.load_torchvision("fashion", root=tmp_path)


def test_download_unpacks_checks_and_reports_progress(tmp_path, monkeypatch):
    files = fake_files()
    gz = {name: gzip.compress(data) for name, data in files.items()}
    monkeypatch.setattr(D.SOURCES["mnist"].cls, "resources",
                        [(n, hashlib.md5(b).hexdigest()) for n, b in gz.items()])
    calls, seen = [], []

    def fake_download_to(url, dst, hash_prefix, progress):
        name = url.rsplit("/", 1)[1]
        calls.append(url)
        if "ossci" in url and name.startswith("t10k-labels"):
            raise OSError("mirror down")                       # the next mirror is tried
        for cut in (len(gz[name]) // 2, len(gz[name])):
            progress(cut, len(gz[name]))
        dst.write_bytes(gz[name])
        return dst

    monkeypatch.setattr(D, "download_to", fake_download_to)
    raw = D.download("mnist", lambda done, total, name: seen.append((done, total, name)), tmp_path)
    assert sorted(p.name for p in raw.iterdir()) == sorted(n[:-3] for n in files)
    assert all((raw / n[:-3]).read_bytes() == b for n, b in files.items())
    assert any("yann.lecun.com" in u for u in calls)
    dones = [s[0] for s in seen]
    assert dones == sorted(dones) and all(d <= t for d, t, _ in seen)
    assert D.load_torchvision("mnist", root=tmp_path, n_train=10, n_test=5).x_test.shape[0] == 5

    bad = tmp_path / "bad"
    monkeypatch.setattr(D, "download_to", lambda url, dst, h, p: dst.write_bytes(b"not it"))
    with pytest.raises(D.DataError, match="corrupt"):
        D.download("mnist", None, bad)
    assert not any(p.suffix == ".gz" for p in (bad / "MNIST" / "raw").iterdir())


def test_offline_is_decided_fast(monkeypatch):
    monkeypatch.setenv(VM.OFFLINE_ENV, "1")
    t0 = time.perf_counter()
    assert D.can_download("mnist") is False and D.can_download("fashion") is False
    assert time.perf_counter() - t0 < 0.5
    monkeypatch.delenv(VM.OFFLINE_ENV)
    probes = []
    monkeypatch.setattr(D.netcheck, "reachable", lambda target, timeout: probes.append(target) or False)
    assert D.can_download("mnist") is False and len(probes) == 2   # both mirrors tried


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(D.DATA_ENV, str(tmp_path))
    assert D.data_root() == tmp_path
    monkeypatch.delenv(D.DATA_ENV)
    assert D.data_root().name == "deep-learning-playground"

"""The classroom bundle end to end against a fake hub / torchvision / MNIST server on 127.0.0.1:
resume after an interruption, corrupt files detected, manifest, and the app's loaders finding
everything in the bundle with no network."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from playground.bundle import build as B, fetch as F, paths as BP, plan as P
from playground.cnn import digits as D
from playground.language import hub as H, models as LM
from playground.vision import models as M
from tests import language_models as LMB
from tests.fake_hub import FakeHub, tiny_bundle_items

ROOT = Path(__file__).resolve().parents[2]
BLOB = bytes(range(256)) * 1000                # 256 000 bytes


@pytest.fixture
def hub():
    with FakeHub() as h:
        yield h


def test_interrupted_download_resumes_with_a_range_request(hub, tmp_path):
    hub.add_file("/models/blob-abc.pth", BLOB)
    hub.cut["/models/blob-abc.pth"] = 100_000            # the first response stops early
    check = F.Check(sha256=hashlib.sha256(BLOB).hexdigest())
    seen = []
    status = F.fetch(hub.url + "/models/blob-abc.pth", tmp_path / "blob.pth", check,
                     lambda d, t: seen.append(d), retries=2, pause=0)
    assert status == "downloaded" and (tmp_path / "blob.pth").read_bytes() == BLOB
    ranges = [r for p, r in hub.log if p == "/models/blob-abc.pth"]
    assert ranges == [None, "bytes=100000-"]              # the second request asked for the rest
    assert not (tmp_path / "blob.pth.part").exists()
    assert seen[-1] == len(BLOB)


def test_a_killed_run_leaves_a_part_that_the_next_run_resumes(hub, tmp_path):
    hub.add_file("/f.bin", BLOB)
    hub.cut["/f.bin"] = 64_000
    check = F.Check(sha256=hashlib.sha256(BLOB).hexdigest())
    with pytest.raises(F.FetchError, match="run the command again to resume"):
        F.fetch(hub.url + "/f.bin", tmp_path / "f.bin", check, retries=0)
    part = tmp_path / "f.bin.part"
    assert part.stat().st_size == 64_000 and not (tmp_path / "f.bin").exists()
    assert F.fetch(hub.url + "/f.bin", tmp_path / "f.bin", check, retries=0) == "downloaded"
    assert hub.log[-1] == ("/f.bin", "bytes=64000-")
    assert (tmp_path / "f.bin").read_bytes() == BLOB


def test_corrupt_download_is_detected_and_deleted(hub, tmp_path):
    hub.add_file("/models/x-0000.pth", BLOB)
    hub.corrupt.add("/models/x-0000.pth")
    prefix = hashlib.sha256(BLOB).hexdigest()[:8]
    with pytest.raises(F.CorruptError, match="sha256 does not start with"):
        F.fetch(hub.url + "/models/x-0000.pth", tmp_path / "x.pth", F.Check(sha256_prefix=prefix),
                retries=0)
    assert not any(tmp_path.iterdir())                    # nothing bad left behind
    hub.corrupt.clear()
    assert F.fetch(hub.url + "/models/x-0000.pth", tmp_path / "x.pth",
                   F.Check(sha256_prefix=prefix)) == "downloaded"
    data = bytearray((tmp_path / "x.pth").read_bytes())   # damaged on the USB stick
    data[1000] ^= 1
    (tmp_path / "x.pth").write_bytes(bytes(data))
    assert F.fetch(hub.url + "/models/x-0000.pth", tmp_path / "x.pth",
                   F.Check(sha256_prefix=prefix)) == "replaced"


def test_checks_git_blob_md5_and_size(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"hello\n")
    git = "ce013625030ba8dba906f756967f9e9ca394464a"      # `git hash-object` of "hello\n"
    assert F.verify(p, F.Check(git_sha1=git))[0]
    assert F.verify(p, F.Check(md5="b1946ac92492d2347c6235b4d2611184"))[0]
    assert not F.verify(p, F.Check(md5="0" * 32))[0]
    assert F.verify(p, F.Check(size=7))[1] == "6 bytes instead of 7"


def test_plan_follows_the_registries():
    tv = P.torchvision_items("http://127.0.0.1:1")
    assert {i.key for i in tv} == set(M.REGISTRY)
    mob = next(i for i in tv if i.key == "mobilenet_v3_large")
    assert mob.url == "http://127.0.0.1:1/models/mobilenet_v3_large-5c1a4163.pth"
    assert mob.path == "torchvision/mobilenet_v3_large-5c1a4163.pth"
    assert mob.check.sha256_prefix == "5c1a4163"
    assert P.torchvision_items()[0].url.startswith("https://download.pytorch.org/models/")
    data = P.data_items()
    assert len(data) == 8 and data[0].url == D.SOURCES["mnist"].cls.mirrors[0] + \
        "train-images-idx3-ubyte.gz" and data[0].check.md5
    sizes = P.estimated_sizes()
    assert 2.0e9 < sum(sizes.values()) < 3.0e9             # ≈ 2.4 GB of downloads


def test_bundle_end_to_end_and_the_loaders_use_it_offline(hub, tmp_path, monkeypatch):
    items, errors = tiny_bundle_items(hub)
    assert not errors and sum(i.kind == "hf" for i in items) >= 6
    assert all(i.path.split("/")[-1] != "README.md" for i in items)   # only what the app reads
    safet = next(i for i in items if i.path.endswith("model.safetensors"))
    assert safet.check.sha256 and safet.url.startswith(hub.url + "/distilbert/")
    hub.cut[f"/models/{M.REGISTRY['mobilenet_v3_large'].file_name}"] = 1_000_000
    bundle = tmp_path / "bundle"
    events = []
    rep = B.build(bundle, items, lambda i, n, it, d, t: events.append((i, d, t)), pause=0)
    assert rep.ok, [r.error for r in rep.results]
    assert any(r == f"bytes=1000000-" for _, r in hub.log)         # resumed inside the run
    assert events[-1][0] == len(items) - 1
    man = json.loads((bundle / "manifest.json").read_text())
    assert man["complete"] and len(man["files"]) == len(items)
    assert man["total_bytes"] == sum(e["bytes"] for e in man["files"]) > 20e6
    assert all(len(e["sha256"]) == 64 and e["url"].startswith(hub.url) for e in man["files"])
    assert B.verify_bundle(bundle) == []

    # a second run downloads nothing
    n_requests = len(hub.log)
    again = B.build(bundle, items, pause=0)
    assert again.count("present") == len(items) and len(hub.log) == n_requests

    # the app, offline, with an empty torch cache, finds everything in the bundle
    monkeypatch.setenv(BP.BUNDLE_ENV, str(bundle))
    monkeypatch.setenv("PLAYGROUND_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty-torch"))
    monkeypatch.delenv(H.MODELS_DIR_ENV, raising=False)
    monkeypatch.delenv(D.DATA_ENV, raising=False)
    spec = M.REGISTRY["mobilenet_v3_large"]
    assert M.weights_cached(spec) and M.checkpoint_path(spec).parent == bundle / "torchvision"
    loaded = M.load_torchvision(spec)
    assert loaded.model(torch.rand(1, 3, 64, 64)).shape == (1, 1000)
    for key in ("sentiment", "distilgpt2"):
        folder = H.teacher_folder(LM.REGISTRY[key].hub_id)
        assert folder == (bundle / "hf" / LM.REGISTRY[key].hub_id.replace("/", "--")).resolve()
        LM.load(LM.REGISTRY[key], folder)
    assert D.data_root() == bundle / "data" and D.is_downloaded("mnist")
    d = D.load_torchvision("mnist", n_train=64, n_test=16)
    assert d.x_train.shape == (64, 1, 28, 28) and d.x_test.shape == (16, 1, 28, 28)


def test_cli_corrupt_file_detected_and_repaired(hub, tmp_path):
    _, folders = LMB.shared()
    hub.add_model(LM.REGISTRY["sentiment"].hub_id, folders["sentiment"])
    bundle = tmp_path / "b"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "playground.bundle", str(bundle), "--only", "hf",
           "--hf-endpoint", hub.url, "--retries", "0"]
    hub.corrupt.add(f"/{LM.REGISTRY['sentiment'].hub_id}/resolve/{'0123456789abcdef' * 2}"
                    "01234567/model.safetensors")
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "CORRUPT" in r.stderr and "model.safetensors is corrupt (sha256 does not match)" \
        in r.stderr
    assert "could not be read" in r.stderr                      # the other models: not on the hub
    man = json.loads((bundle / "manifest.json").read_text())
    assert not man["complete"] and any(e["status"] == "corrupt" for e in man["files"])

    hub.corrupt.clear()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "0 corrupt" in r.stdout and "%" in r.stderr
    folder = bundle / "hf" / LM.REGISTRY["sentiment"].hub_id.replace("/", "--")
    assert H.check_folder(folder)
    (folder / "config.json").write_text("{}")               # damaged after copying
    v = subprocess.run([sys.executable, "-m", "playground.bundle", str(bundle), "--verify"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert v.returncode == 1 and "config.json" in v.stdout

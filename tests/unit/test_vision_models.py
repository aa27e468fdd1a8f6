"""Model registry, offline detection, downloading and the real loading code, all offline:
random-init weights are written where torchvision looks (a temp $TORCH_HOME)."""
import hashlib
import io
import os
import socket
import threading
import time

import numpy as np
import pytest
import torch
from PIL import Image

from playground.vision import classify as K
from playground.vision import models as M
from tests.vision_weights import float32_tests  # noqa: F401 (an autouse fixture)
from tests.vision_weights import float32_default, load, random_state_dict, write_random_weights


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*a, **k):
        raise AssertionError("network used")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr("urllib.request.urlopen", refuse)
    monkeypatch.setattr(M, "urlopen", refuse)


def test_registry_covers_the_issue():
    cls = {s.key for s in M.specs("classify")}
    assert {"mobilenet_v3_large", "resnet50"} <= cls and cls & {"vit_b_16", "convnext_tiny"}
    assert M.specs("detect") and M.specs("segment")
    for s in M.REGISTRY.values():
        assert s.file_name.endswith(".pth") and s.file_name in s.url
        assert s.size_mb > 1
        n = {"classify": 1000, "detect": 91, "segment": 21}[s.task]
        assert len(s.categories) == n          # names from weights.meta, no download
    assert M.REGISTRY["mobilenet_v3_large"].categories[281] == "tabby"


def test_checkpoint_dir_follows_torch_home(home):
    spec = M.REGISTRY["mobilenet_v3_large"]
    assert M.checkpoint_path(spec) == home / "hub" / "checkpoints" / spec.file_name
    assert not M.weights_cached(spec)
    write_random_weights(home, [spec.key])
    assert M.weights_cached(spec)


@pytest.mark.parametrize("key", list(M.REGISTRY))
def test_real_loading_code_matches_torchvision_builder(key, home, no_network):
    """Our weights_only loader gives exactly the model torchvision's own builder
    (``models.<name>(weights=DEFAULT)``) loads from the same cached file."""
    spec = M.REGISTRY[key]
    write_random_weights(home, [key])
    ours = M.load_torchvision(spec)
    assert ours.source == "torchvision" and not ours.model.training
    assert all(not p.requires_grad for p in ours.model.parameters())
    with float32_default():
        reference = spec.builder(weights=spec.weights, progress=False).eval()
    torch.manual_seed(0)
    x = torch.rand(1, 3, 224, 224)
    with torch.inference_mode():
        if spec.task == "detect":
            a, b = ours.model([x[0]])[0], reference([x[0]])[0]
            assert torch.equal(a["boxes"], b["boxes"]) and torch.equal(a["scores"], b["scores"])
        elif spec.task == "segment":
            assert torch.equal(ours.model(x)["out"], reference(x)["out"])
        else:
            assert torch.equal(ours.model(x), reference(x))
    del reference


def test_missing_and_corrupt_files_give_clear_errors(home, no_network):
    spec = M.REGISTRY["mobilenet_v3_large"]
    with pytest.raises(M.WeightsError, match="no weights file"):
        M.load_torchvision(spec)
    path = M.checkpoint_path(spec)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a checkpoint")
    with pytest.raises(M.WeightsError, match="could not be read"):
        M.load_torchvision(spec)


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/dlp-pwned-marker",))


def test_pickled_code_never_runs(home):
    marker = "/tmp/dlp-pwned-marker"
    if os.path.exists(marker):
        os.remove(marker)
    buf = io.BytesIO()
    torch.save({"weight": Evil()}, buf)
    with pytest.raises(M.WeightsError, match="weights_only"):
        M.load_local(M.REGISTRY["lraspp"], buf.getvalue())
    spec = M.REGISTRY["lraspp"]
    M.checkpoint_path(spec).parent.mkdir(parents=True)
    M.checkpoint_path(spec).write_bytes(buf.getvalue())
    with pytest.raises(M.WeightsError):
        M.load_torchvision(spec)
    assert not os.path.exists(marker)


def test_local_weights_in_every_accepted_form():
    spec = M.REGISTRY["lraspp"]
    sd = random_state_dict(spec)
    x = torch.rand(1, 3, 64, 64)
    ref = M.build(spec, sd)
    with torch.inference_mode():
        want = ref(x)["out"]

    def saved(obj) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf)
        return buf.getvalue()

    from safetensors.torch import save as st_save
    forms = {
        "state_dict": saved(sd),
        "wrapped": saved({"state_dict": sd, "epoch": 3}),
        "ddp prefix": saved({f"module.{k}": v for k, v in sd.items()}),
        "half precision": saved({k: v.half() if v.is_floating_point() else v
                                 for k, v in sd.items()}),
        "safetensors": st_save({k: v.contiguous() for k, v in sd.items()}),
    }
    for name, data in forms.items():
        loaded = M.load_local(spec, data)
        assert loaded.source.startswith("local:"), name
        with torch.inference_mode():
            got = loaded.model(x)["out"]
        tol = 5e-2 if name == "half precision" else 0
        assert torch.allclose(got, want, atol=tol), name


def test_wrong_architecture_and_non_state_dicts_are_refused():
    spec = M.REGISTRY["lraspp"]
    other = random_state_dict(M.REGISTRY["ssdlite320"])
    buf = io.BytesIO()
    torch.save(other, buf)
    with pytest.raises(M.WeightsError, match="do not fit LR-ASPP"):
        M.load_local(spec, buf.getvalue())
    for obj in ([1, 2, 3], {"a": "string"}, {}):
        buf = io.BytesIO()
        torch.save(obj, buf)
        with pytest.raises(M.WeightsError):
            M.load_local(spec, buf.getvalue())
    with pytest.raises(M.WeightsError):
        M.load_local(spec, b"garbage bytes")


def test_read_local_path_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_SERVER_PATHS", "1")
    monkeypatch.setenv("PLAYGROUND_MODELS_DIR", str(tmp_path))
    with pytest.raises(M.WeightsError, match="Expected"):
        M.read_local_path(str(tmp_path / "notes.txt"))
    with pytest.raises(M.WeightsError, match="cannot be used"):
        M.read_local_path(str(tmp_path / "missing.pth"))
    (tmp_path / "w.pth").write_bytes(b"abc")
    assert M.read_local_path(f'  "{tmp_path / "w.pth"}" ') == b"abc"


def test_download_with_progress_and_hash_check(tmp_path):
    src = tmp_path / "src.bin"
    data = os.urandom(300_000)
    src.write_bytes(data)
    seen = []
    dst = tmp_path / "out" / "w.pth"
    good = hashlib.sha256(data).hexdigest()[:8]
    M.download_to(src.as_uri(), dst, good, progress=lambda d, t: seen.append((d, t)))
    assert dst.read_bytes() == data
    assert seen[-1] == (len(data), len(data)) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    bad = tmp_path / "bad.pth"
    with pytest.raises(M.WeightsError, match="checksum"):
        M.download_to(src.as_uri(), bad, "00000000")
    assert not bad.exists() and not list(tmp_path.glob("*.partial"))


def test_concurrent_downloads_write_one_file(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(200_000))
    dst = tmp_path / "w.pth"
    calls = []
    threads = [threading.Thread(target=M.download_to, args=(src.as_uri(), dst),
                                kwargs={"progress": lambda d, t: calls.append(d)})
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert dst.read_bytes() == src.read_bytes()
    assert calls.count(200_000) == 1          # downloaded once; the others found the file


def test_offline_is_detected_fast(monkeypatch):
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    t0 = time.perf_counter()
    assert M.can_download() is False and time.perf_counter() - t0 < 0.1
    monkeypatch.delenv(M.OFFLINE_ENV)
    for var in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with socket.socket() as s:                # a local port nobody listens on: refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    assert M.can_download("127.0.0.1", port, timeout=1.0) is False
    # a black-holed address (TEST-NET-1): gives up within the timeout, never hangs
    assert M.can_download("192.0.2.1", 443, timeout=0.5) is False
    assert time.perf_counter() - t0 < 2.5
    with socket.socket() as srv:              # and a listening port is reachable
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        assert M.can_download("127.0.0.1", srv.getsockname()[1], timeout=1.0) is True


def test_model_view_is_a_centre_crop_of_the_right_size():
    spec = M.REGISTRY["mobilenet_v3_large"]
    a = np.zeros((300, 600, 3), np.uint8)
    a[:, :100] = 255                          # white left edge, cropped away
    view = K.model_view(spec, Image.fromarray(a))
    assert view.size == (224, 224) and np.asarray(view).max() == 0
    thin = K.model_view(spec, Image.new("RGB", (1, 1024), (9, 9, 9)))   # no memory blow-up
    assert thin.size == (224, 224)
    x = K.to_tensor([view, view])
    assert x.shape == (2, 3, 224, 224) and x.dtype == torch.float32 and float(x.max()) <= 1
    assert K.to_image(x).size == (224, 224)


def test_classifier_top5_and_latency():
    clf = K.Classifier(load("mobilenet_v3_large"))
    x = K.to_tensor(Image.new("RGB", (224, 224), (120, 80, 40)))
    top = clf.topk(x, 5)
    probs = [p for _, _, p in top]
    assert len(top) == 5 and probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
    assert all(name == clf.categories[i] for i, name, _ in top)
    lat = K.measure_latency(lambda: clf.probs(x), repeats=3)
    assert lat["median_ms"] > 0 and lat["best_ms"] <= lat["median_ms"] and lat["repeats"] == 3


def test_ranked_lists_the_best_and_where_a_class_went():
    p = torch.tensor([0.1, 0.5, 0.05, 0.3, 0.05])
    names = list("abcde")
    assert K.ranked(p, names, k=2) == [(1, "b", 0.5), (3, "d", pytest.approx(0.3))]
    assert [r[0] for r in K.ranked(p, names, k=2, include=2)] == [1, 3, 2]
    assert [r[0] for r in K.ranked(p, names, k=2, include=3)] == [1, 3]

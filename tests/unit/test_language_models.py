"""Finding, checking and loading model folders offline, with tiny locally built models."""
import json
import socket
import threading
import time

import pytest

from playground import cost as C
from playground.language import hub as H
from playground.language import models as M
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set


@pytest.fixture(scope="module")
def tiny():
    return LMB.shared()[1]


@pytest.fixture(scope="module")
def loaded(tiny):
    return {k: M.load(M.REGISTRY[k], p, "test") for k, p in tiny.items()}


# ---- folders -------------------------------------------------------------------------------
def test_check_folder_accepts_save_pretrained_output(tiny):
    for path in tiny.values():
        assert H.check_folder(str(path)) == path.resolve()
        assert H.check_folder(f' "{path}" ') == path.resolve()      # pasted with quotes


def test_check_folder_explains_what_is_wrong(tmp_path):
    with pytest.raises(H.ModelError, match="Enter the path"):
        H.check_folder("  ")
    with pytest.raises(H.ModelError, match="no folder"):
        H.check_folder(tmp_path / "missing")
    with pytest.raises(H.ModelError, match="config.json"):
        H.check_folder(tmp_path)
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(H.ModelError, match="pickle"):
        H.check_folder(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"x")
    with pytest.raises(H.ModelError, match="tokenizer"):
        H.check_folder(tmp_path)


def test_teacher_folder_from_environment(tiny, monkeypatch, tmp_path):
    root = next(iter(tiny.values())).parent
    monkeypatch.setenv(H.MODELS_DIR_ENV, f"{tmp_path}:{root}")
    for key, path in tiny.items():
        assert H.teacher_folder(M.REGISTRY[key].hub_id) == path.resolve()
    monkeypatch.setenv(H.MODELS_DIR_ENV, str(tmp_path))
    assert H.teacher_folder(M.REGISTRY["t5"].hub_id) is None


# ---- offline detection ---------------------------------------------------------------------
def test_offline_switch_answers_at_once(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()
    assert "HF_HUB_OFFLINE" in H.offline_reason()
    assert time.perf_counter() - t0 < 0.1


def test_unreachable_and_reachable_hub(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("PLAYGROUND_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    for var in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    from playground import netcheck
    netcheck.forget()
    with socket.socket() as s:                 # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{dead}")
    t0 = time.perf_counter()
    assert "cannot reach 127.0.0.1" in H.offline_reason()
    assert time.perf_counter() - t0 < H.PROBE_TIMEOUT + 0.5
    with socket.socket() as srv:               # a port that accepts connections
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{srv.getsockname()[1]}")
        assert H.offline_reason() is None


def test_download_reports_progress_and_refuses_pickles(monkeypatch, tmp_path, tiny):
    import huggingface_hub

    src = tiny["sentiment"]
    files = {f.name: f.stat().st_size for f in src.iterdir()}

    class Sib:
        def __init__(self, name, size):
            self.rfilename, self.size = name, size

    class Api:
        def model_info(self, repo, files_metadata=False):
            return type("Info", (), {"siblings": [Sib(n, s) for n, s in files.items()]
                                     + [Sib("README.md", 10)]})()

    fetched = []

    def fake_download(repo, name, tqdm_class=None):
        bar = tqdm_class(total=files[name])
        bar.update(files[name] // 2)
        bar.update(files[name] - files[name] // 2)
        bar.close()
        fetched.append(name)
        dst = tmp_path / name
        dst.write_bytes((src / name).read_bytes())
        return str(dst)

    monkeypatch.setattr(huggingface_hub, "HfApi", Api)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    seen = []
    path = H.download("x/y", lambda done, total: seen.append((done, total)))
    assert path == tmp_path.resolve() and sorted(fetched) == sorted(files)
    assert seen[-1] == (sum(files.values()), sum(files.values()))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > len(files)
    files.pop("model.safetensors")
    files["pytorch_model.bin"] = 5
    with pytest.raises(H.ModelError, match="safetensors"):
        H.download("x/y")


# ---- loading ---------------------------------------------------------------------------------
def test_registry_numbers_are_the_architectures():
    for spec in M.REGISTRY.values():
        model = M.random_model(spec, meta=True)
        assert C.count_params(model) == spec.params
        assert C.size_bytes(model) / 1e6 == pytest.approx(spec.size_mb, rel=0.01)


def test_load_is_read_only_float32(loaded):
    for key, lm in loaded.items():
        assert lm.spec.key == key and not lm.model.training
        assert all(not p.requires_grad and str(p.dtype) == "torch.float32" for p in lm.model.parameters())
        assert (lm.pipe is None) == (lm.spec.task not in M.PIPELINE)
        assert lm.ident.startswith(key) and lm.n_params > 0


def test_wrong_model_for_the_task_is_refused(tiny):
    with pytest.raises(H.ModelError, match="text classification"):
        M.load(M.REGISTRY["sentiment"], tiny["fill_mask"])
    with pytest.raises(H.ModelError, match="encoder-decoder"):
        M.load(M.REGISTRY["t5"], tiny["fill_mask"])
    with pytest.raises(H.ModelError, match="Whisper"):
        M.load(M.REGISTRY["whisper"], tiny["t5"])


def test_broken_folder_gives_a_message(tiny, tmp_path):
    for f in tiny["sentiment"].iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    cfg = json.loads((tmp_path / "config.json").read_text())
    cfg["dim"] = 48                                           # weights no longer fit
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(H.ModelError, match="could not be loaded"):
        M.load(M.REGISTRY["sentiment"], tmp_path)


def test_probe_macs_hand_computed_for_tiny_distilbert(loaded):
    """2 layers, d=32, FFN 64, 64 tokens: per layer n(4d² + 2dh) for the projections and FFN,
    plus 2n²d for attention; then the classifier head on the first token (d² + 2d)."""
    lm = loaded["sentiment"]
    fn, desc = M.probe(lm.spec, lm.model)
    n, d, h = 64, 32, 64
    expected = 2 * (n * (4 * d * d + 2 * d * h) + 2 * n * n * d) + d * d + 2 * d
    assert C.count_macs(fn, lm.model) == expected and "64 tokens" in desc


def test_probes_of_generators_are_deterministic(loaded):
    for key in ("t5", "whisper"):
        lm = loaded[key]
        fn, desc = M.probe(lm.spec, lm.model, out_tokens=4)
        first = C.count_macs(fn, lm.model)
        assert first > 0 and C.count_macs(fn, lm.model) == first and "4 written tokens" in desc


def test_concurrent_inference_from_two_threads(loaded):
    from playground.language import tasks as T

    lm = loaded["sentiment"]
    texts = ["this movie was great", "a terrible boring film", "i love paris"] * 4
    serial = [T.sentiment(lm, t).labels for t in texts]
    results, errors = {}, []

    def worker(i):
        try:
            for j, t in enumerate(texts):
                results[(i, j)] = T.sentiment(lm, t).labels
        except Exception as exc:  # noqa: BLE001 - any failure fails the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert all(results[(i, j)] == serial[j] for i in range(2) for j in range(len(texts)))


@pytest.mark.parametrize("field,value", [("vocab_size", "many"), ("dim", -3), ("n_layers", None),
                                         ("architectures", 7)])
def test_config_with_wrong_types_is_a_message(tiny, tmp_path, field, value):
    import json
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(tiny["sentiment"], folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg[field] = value
    (folder / "config.json").write_text(json.dumps(cfg))
    try:
        M.load(M.REGISTRY["sentiment"], H.check_folder(folder))
    except H.ModelError as exc:
        assert str(tmp_path) not in str(exc) and "Traceback" not in str(exc)
    (folder / "config.json").write_text("[1, 2]")
    with pytest.raises(H.ModelError, match="not a JSON object"):
        H.check_folder(folder)

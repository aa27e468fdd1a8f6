"""Paths typed by visitors: only inside the operator's folders, one message for everything else."""
import io
import os

import pytest
import torch

from playground import serverpaths as SP
from playground.language import hub as H
from playground.vision import models as VM


@pytest.fixture
def allowed(tmp_path, monkeypatch):
    """An operator's models folder with a weights file and a sub-folder; a secret outside it."""
    root = tmp_path / "models"
    (root / "sub").mkdir(parents=True)
    (root / "w.pth").write_bytes(b"abc")
    (tmp_path / "secret.pth").write_bytes(b"secret")
    (tmp_path / "private").mkdir()
    monkeypatch.setenv(SP.ENABLE_ENV, "1")
    monkeypatch.setenv(SP.MODELS_ENV, str(root))
    monkeypatch.delenv(SP.HF_ENV, raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    return root


def test_inside_the_operators_folders_is_allowed(allowed):
    assert SP.resolve(str(allowed / "w.pth")) == (allowed / "w.pth").resolve()
    assert SP.resolve(f'  "{allowed / "sub"}" ', "dir") == (allowed / "sub").resolve()
    assert SP.read_limited(SP.resolve(str(allowed / "w.pth")), 10) == b"abc"
    with pytest.raises(ValueError, match="larger than"):
        SP.read_limited(allowed / "w.pth", 2)


def _refused(text, kind="file"):
    with pytest.raises(SP.PathRefused) as info:
        SP.resolve(text, kind)
    assert str(info.value) == SP.REFUSED
    return True


def test_everything_else_gets_the_same_message(allowed, tmp_path):
    """Existing and missing, outside, escaping with .. or a symlink, absurd: all alike."""
    (allowed / "escape.pth").symlink_to(tmp_path / "secret.pth")
    (allowed / "escape_dir").symlink_to(tmp_path / "private")
    for text in [str(tmp_path / "secret.pth"), "/etc/passwd", "/root", "/nonexistent/model.pth",
                 str(allowed / ".." / "secret.pth"), str(allowed / "escape.pth"),
                 str(allowed / "missing.pth"), str(allowed / "sub"),      # a folder, not a file
                 "/" + "a" * 10_000, "x\x00y", "", "   ", "~", None, 42]:
        assert _refused(text)
    for text in ["/root", str(allowed / "escape_dir"), str(allowed / "w.pth"), "/" + "a/" * 5000]:
        assert _refused(text, "dir")


def test_nothing_is_allowed_until_the_operator_switches_paths_on(allowed, monkeypatch):
    monkeypatch.delenv(SP.ENABLE_ENV)
    assert _refused(str(allowed / "w.pth"))
    monkeypatch.setenv(SP.ENABLE_ENV, "0")
    assert _refused(str(allowed / "w.pth"))


def test_torch_hub_cache_and_teacher_folder_are_allowed(allowed, tmp_path, monkeypatch):
    hub = tmp_path / "torch-home" / "hub" / "checkpoints"
    hub.mkdir(parents=True)
    (hub / "m.pth").write_bytes(b"w")
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    monkeypatch.setenv(SP.HF_ENV, str(teacher))
    assert SP.resolve(str(hub / "m.pth")) and SP.resolve(str(teacher), "dir")
    assert set(SP.allowed_roots()) == {allowed.resolve(), (tmp_path / "torch-home" / "hub").resolve(),
                                       teacher.resolve()}


def test_model_folder_box_reveals_nothing(allowed, tmp_path):
    msgs = set()
    for text in ["/root", "/nonexistent", "/" + "x" * 10_000, str(tmp_path / "private")]:
        with pytest.raises(H.ModelError) as info:
            H.user_folder(text)
        msgs.add(str(info.value))
    assert msgs == {SP.REFUSED}
    with pytest.raises(H.ModelError, match="config.json") as info:     # allowed: real advice
        H.user_folder(str(allowed / "sub"))
    assert str(tmp_path) not in str(info.value)


def test_weights_path_box_reveals_nothing(allowed, tmp_path):
    msgs = set()
    for text in [str(tmp_path / "secret.pth"), "/nonexistent/model.pth", "/" + "b" * 10_000 + ".pth"]:
        with pytest.raises(VM.WeightsError) as info:
            VM.read_local_path(text)
        msgs.add(str(info.value))
    assert msgs == {SP.REFUSED}
    assert VM.read_local_path(str(allowed / "w.pth")) == b"abc"


class _Exploit:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_that_would_run_code_is_refused_by_path_too(allowed, tmp_path):
    marker = tmp_path / "pwned"
    evil = _Exploit()
    evil.marker = marker
    buf = io.BytesIO()
    torch.save({"conv.weight": evil}, buf)
    (allowed / "evil.pth").write_bytes(buf.getvalue())
    data = VM.read_local_path(str(allowed / "evil.pth"))
    with pytest.raises(VM.WeightsError):
        VM.load_local(VM.REGISTRY["mobilenet_v3_large"], data)
    assert not marker.exists()


def test_a_huge_tokenizer_file_is_refused_before_loading(allowed, monkeypatch):
    folder = allowed / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"x")
    with open(folder / "tokenizer.json", "wb") as f:         # sparse: no disk used
        f.truncate(int(H.MAX_SIDE_FILE_MB * 1e6) + 1)
    with pytest.raises(H.ModelError, match="tokenizer.json .* larger than"):
        H.user_folder(str(folder))

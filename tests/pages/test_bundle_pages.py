"""Pages with a classroom bundle ($PLAYGROUND_BUNDLE) and no internet: the models come from the
bundle; without it, the weights messages give file name, size, source URL and the command."""
import shutil

import pytest

from playground.bundle import paths as BP
from playground.language import hub as H, models as LM
from playground.vision import models as M
from tests import language_models as LMB
from tests.vision_weights import shared_torch_home


@pytest.fixture
def bundle(tmp_path, monkeypatch):
    root = tmp_path / "bundle"
    spec = M.REGISTRY["mobilenet_v3_large"]
    (root / "torchvision").mkdir(parents=True)
    shutil.copy(shared_torch_home() / "hub" / "checkpoints" / spec.file_name, root / "torchvision")
    hub_id = LM.REGISTRY["sentiment"].hub_id
    shutil.copytree(LMB.shared()[1]["sentiment"], root / "hf" / hub_id.replace("/", "--"))
    monkeypatch.setenv(BP.BUNDLE_ENV, str(root))
    monkeypatch.setenv("PLAYGROUND_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty-torch"))
    monkeypatch.delenv(H.MODELS_DIR_ENV, raising=False)
    return root


def test_classification_and_language_pages_use_the_bundle(open_page, bundle):
    at = open_page("pages/vision_classify.py")
    assert not at.exception and any(m.label.startswith("Latency") for m in at.metric)
    at.switch_page("pages/language.py").run()
    texts = [w.value for w in at.warning]
    assert len(texts) == 1 and not any("sst-2" in t for t in texts)     # sentiment is there; fill
    # in the blank runs on the app's own GPT, so only T5 asks for a download
    assert all(f"{BP.BUNDLE_ENV}=DIR" in t and "python -m playground.bundle DIR" in t and
               f"looks in `{bundle}`" in t for t in texts)
    assert all("https://huggingface.co/" in t for t in texts)


def test_weights_message_gives_file_size_url_and_command(open_page, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("PLAYGROUND_OFFLINE", "1")
    monkeypatch.delenv(BP.BUNDLE_ENV, raising=False)
    at = open_page("pages/vision_classify.py")
    text = " ".join(i.value for i in at.info)
    assert "`mobilenet_v3_large-5c1a4163.pth` (21.1 MB, from " \
           "https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth)" in text
    assert "python -m playground.bundle DIR" in text and "looks in" not in text

"""AppTest: the three CNN pages (convolution lab, live CNN training, inside a pretrained CNN).

Pretrained weights are random-init files in a temp $TORCH_HOME (the real loading code runs);
PLAYGROUND_OFFLINE=1 keeps MNIST and missing models offline."""
import io
import time

import numpy as np
import pytest
from PIL import Image

from playground.vision import models as M
from tests.unit.test_cnn_digits import write_raw
from tests.vision_weights import shared_torch_home

CONV, TRAIN, INSIDE = "pages/convolution.py", "pages/cnn_train.py", "pages/cnn_inside.py"
CNN_MODELS = ("resnet18", "mobilenet_v3_large")


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    monkeypatch.setenv("PLAYGROUND_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))


@pytest.fixture
def cnn_home(offline, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(shared_torch_home(CNN_MODELS, name="models")))


def png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


def codes(at) -> str:
    return "\n".join(c.value for c in at.code)


def image_captions(at) -> str:
    return " ".join(c for el in at.image for c in el.captions)


def charts(at) -> str:
    return " ".join(c.proto.spec for c in at.get("plotly_chart"))


def test_convolution_lab_formula_window_and_settings(open_page, offline):
    at = open_page(CONV)
    assert "⌊253 / 1⌋ + 1 = 254" in codes(at)                  # 256-pixel sample, 3×3, defaults
    assert any("Position 1 of 16" in m.value for m in at.markdown)
    at.button(key="cv_next").click().run()
    assert any("Position 2 of 16" in m.value for m in at.markdown)
    at.button(key="cv_back").click().run()
    at.button(key="cv_back").click().run()                    # wraps to the last position
    assert any("Position 16 of 16" in m.value for m in at.markdown)
    at.selectbox(key="cv_preset").select("box_blur").run()
    at.radio(key="cv_ksize").set_value(5).run()
    assert "= 252" in codes(at) and not at.exception
    at.number_input(key="cv_stride").set_value(2).run()
    at.number_input(key="cv_padding").set_value(1).run()
    at.number_input(key="cv_dilation").set_value(2).run()
    assert "⌊(256 + 2·1 − 2·(5 − 1) − 1) / 2⌋ + 1 = ⌊249 / 2⌋ + 1 = 125" in codes(at)
    at.radio(key="cv_gray").set_value("rgb").run()
    at.radio(key="cv_show").set_value("clip").run()
    assert not at.exception and "Output: 125×125" in image_captions(at)
    assert any("patch is too small" in w.value for w in at.warning)   # 9-pixel span on 6 + 2
    at.slider(key="cv_patch").set_value(9).run()
    assert any(" of 4**" in m.value for m in at.markdown) and not at.warning  # 2×2 outputs
    at.button(key="cv_play").click().run()
    assert at.button(key="cv_play").label == "Pause" and not at.exception
    at.button(key="cv_play").click().run()
    assert at.button(key="cv_play").label == "Play"


def test_settings_without_output_and_bad_files_are_messages(open_page, offline):
    at = open_page(CONV)
    at.radio(key="cv_img_src").set_value("upload").run()
    at.file_uploader(key="cv_img_file").set_value(("tiny.png", png(np.full((7, 7, 3), 200, np.uint8)),
                                                   "image/png")).run()
    assert "⌊4 / 1⌋ + 1 = 5" in codes(at) and not at.exception
    at.radio(key="cv_ksize").set_value(5).run()
    at.number_input(key="cv_dilation").set_value(3).run()       # spans 13 pixels > 7
    assert any("No output" in e.value and "13 pixels" in e.value for e in at.error)
    assert "≤ 0" not in codes(at) and "= -" in codes(at) and not at.exception
    at.number_input(key="cv_dilation").set_value(1).run()
    at.slider(key="cv_patch").set_value(4).run()                 # the patch is too small
    assert any("too small" in w.value for w in at.warning) and not at.exception
    at.file_uploader(key="cv_img_file").set_value(("essay.png", b"Dear teacher", "image/png")).run()
    assert any("not an image" in e.value for e in at.error) and not at.exception


def step_of(at) -> int:
    line = next(m.value for m in at.markdown if m.value.startswith("Step **"))
    return int(line.split("**")[1].replace(",", ""))


def test_train_a_cnn_step_reset_persist_and_try(open_page, offline):
    at = open_page(TRAIN)
    assert step_of(at) == 0 and at.get("plotly_chart")
    at.button(key="ct_step").click().run()                     # one chunk: 50 mini-batches
    at.select_slider(key="ct_speed").set_value(5).run()
    at.button(key="ct_step").click().run()
    assert step_of(at) == 55 and not at.exception
    at.switch_page("pages/home.py").run()
    at.switch_page(TRAIN).run()
    assert step_of(at) == 55                                     # the run survived the page switch
    assert at.select_slider(key="ct_speed").value == 5          # and so did the settings
    at.button(key="ct_reset").click().run()
    assert step_of(at) == 0
    at.button(key="ct_step").click().run()
    at.select_slider(key="ct_c1").set_value(4).run()             # a new architecture: a new run
    assert step_of(at) == 0 and not at.exception
    at.number_input(key="ct_example").set_value(5).run()
    assert any("test image #5" in m.value for m in at.markdown)
    at.button(key="ct_play").click().run()
    assert at.button(key="ct_play").label == "Pause"
    at.button(key="ct_play").click().run()

    at.radio(key="ct_try").set_value("test").run()
    at.number_input(key="ct_try_test").set_value(3).run()
    assert "Answer:" in charts(at) and not at.exception
    at.radio(key="ct_try").set_value("photo").run()
    assert any("Cropped to the ink" in c.value for c in at.caption) and not at.exception


def test_mnist_offline_explains_and_falls_back(open_page, offline):
    at = open_page(TRAIN)
    at.selectbox(key="ct_data").select("mnist").run()
    text = " ".join(i.value for i in at.info)
    assert "cannot reach it right now" in text and "MNIST/raw" in text
    assert step_of(at) == 0 and "8×8" in " ".join(c.value for c in at.caption) and not at.exception


def test_mnist_download_with_progress_then_training(open_page, offline, monkeypatch, tmp_path):
    from playground.cnn import digits as D

    calls = []

    def fake_download(key, progress, root=None):
        raw = write_raw(D.data_root(), key, n_train=40, n_test=400)
        for done in (1_000, 6_000, 11_600):
            progress(done, 11_600, "train-images-idx3-ubyte.gz")
        calls.append(key)
        return raw

    monkeypatch.setattr(D, "can_download", lambda key: True)
    monkeypatch.setattr(D, "download", fake_download)
    at = open_page(TRAIN)
    at.selectbox(key="ct_data").select("mnist").run()
    assert calls == ["mnist"] and not at.exception
    caps = " ".join(c.value for c in at.caption)
    assert "40 training and 400 test images (28×28)" in caps and "Max-pool 2: 16 × 7 × 7" in caps
    at.button(key="ct_step").click().run()
    assert step_of(at) == 50 and not at.exception
    at.radio(key="ct_try").set_value("test").run()
    at.number_input(key="ct_try_test").set_value(400).run()       # the last MNIST test image
    at.number_input(key="ct_example").set_value(400).run()
    at.selectbox(key="ct_data").select("digits8").run()           # 359 test images
    assert at.number_input(key="ct_try_test").value == 359 and not at.exception
    assert at.number_input(key="ct_example").value == 359
    at.selectbox(key="ct_data").select("mnist").run()
    at.selectbox(key="ct_data").select("digits8").run()
    at.selectbox(key="ct_data").select("mnist").run()
    assert calls == ["mnist"]                                    # downloaded once


def test_inside_a_pretrained_cnn(open_page, cnn_home):
    at = open_page(INSIDE)
    assert len(at.dataframe) == 1 and not at.info
    caps = " ".join(c.value for c in at.caption)
    assert "All 64 filters of the first convolution (7×7" in caps
    assert "layer1.0 (BasicBlock): the 16 most active of 64 channels, each 56×56" in image_captions(at)
    at.select_slider(key="ci_layer").set_value("layer4.1").run()
    assert "layer4.1 (BasicBlock): the 16 most active of 512 channels, each 7×7" in image_captions(at)
    at.select_slider(key="ci_top").set_value(4).run()
    assert "the 4 most active" in image_captions(at) and not at.exception
    at.selectbox(key="ci_model").select("mobilenet_v3_large").run()
    assert any("All 16 filters" in c.value for c in at.caption) and not at.exception
    at.selectbox(key="ci_img_sample").select("Rocket").run()
    assert not at.exception and "features." in image_captions(at)


def test_inside_offline_message_within_five_seconds_and_table_stays(open_page, offline,
                                                                     monkeypatch):
    monkeypatch.delenv(M.OFFLINE_ENV)
    real = M.can_download
    monkeypatch.setattr(M, "can_download", lambda: real("192.0.2.1", 443, timeout=2.0, max_age=0))
    at = open_page("pages/home.py")
    from playground.ui.own import own_digits_cnn
    own_digits_cnn(0, 0)             # the own CNN shown below the message: trained once per server
    t0 = time.perf_counter()
    at.switch_page(INSIDE).run()
    assert time.perf_counter() - t0 < 5.0
    text = " ".join(i.value for i in at.info)
    assert "cannot reach the internet" in text and M.REGISTRY["resnet18"].file_name in text
    assert "weights_only=True" in text and len(at.dataframe) == 1 and not at.exception


def test_inside_offline_shows_the_own_digits_cnn(open_page, offline):
    at = open_page(INSIDE)
    assert any("the same views run on the app's own digits CNN" in i.value for i in at.info)
    caps = " ".join(c.value for c in at.caption)
    assert "the app's own CNN, trained here on 1438 8×8 digits" in caps and "% right on 359" in caps
    assert "Grad-CAM" in image_captions(at) and "relu2: 16 maps of 4×4" in image_captions(at)
    said = next(m.value for m in at.markdown if m.value.startswith("Test digit #0 is a"))
    at.select_slider(key="ci_own_eps").set_value(0.3).run()
    flip = next(c.value for c in at.caption if c.value.startswith("With ε = 0.3"))
    assert ("flips" in flip) == ("FGSM, ε = 0.3: now " + said.split("**")[3] not in image_captions(at))
    at.slider(key="ci_own_digit").set_value(5).run()
    assert any(m.value.startswith("Test digit #5 is a") for m in at.markdown) and not at.exception

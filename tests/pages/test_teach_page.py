"""AppTest: "Teach a model yourself" offline (the digits CNN's features) and with MobileNetV3
(random-init weights in a temp $TORCH_HOME): examples, uploads with bad files, training, the
results and a prediction."""
import io

import pytest
from PIL import Image

from playground.vision import models as M
from tests.vision_weights import shared_torch_home

PAGE = "pages/teach.py"


def png(color, size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def texts(at):
    return " ".join(m.value for m in at.markdown)


@pytest.fixture
def no_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    monkeypatch.delenv("PLAYGROUND_BUNDLE", raising=False)


@pytest.fixture
def weights_home(monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(shared_torch_home()))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    monkeypatch.delenv("PLAYGROUND_BUNDLE", raising=False)


def test_offline_digits_example_trains_and_predicts(open_page, no_weights):
    at = open_page(PAGE)
    assert any("much weaker on photos" in w.value for w in at.warning)
    assert at.button(key="tm_train").disabled and not at.exception
    at.selectbox(key="tm_example").select("digits").run()
    at.button(key="tm_load_example").click().run()
    assert at.text_input(key="tm_name_2").value == "7" and at.number_input(key="tm_classes").value == 3
    at.button(key="tm_train").click().run()
    assert not at.exception
    acc = next(m for m in at.metric if m.label.startswith("Accuracy on held-out"))
    assert acc.value.endswith("%") and int(acc.value[:-1]) >= 80
    assert "held-out pictures it never trained on" in texts(at)
    assert len(at.get("plotly_chart")) == 3                      # curves, confusion, probabilities
    assert "It says “" in texts(at) or "Unsure:" in texts(at)
    assert at.get("download_button")
    at.text_input(key="tm_name_0").input("zero").run()          # data changed: train again
    assert any("press Train" in i.value for i in at.info)
    assert at.query_params.get("classes") == "3"


def test_uploads_bad_files_and_mobilenet(open_page, weights_home):
    at = open_page(PAGE)
    assert not any("much weaker" in w.value for w in at.warning)
    up = at.file_uploader(key="tm_up_0_0")
    up.set_value([("red1.png", png((220, 30, 30)), "image/png"),
                  ("red2.png", png((200, 40, 20)), "image/png"),
                  ("note.png", b"Dear teacher", "image/png")]).run()
    assert any("not an image" in e.value for e in at.error) and not at.exception
    assert "Dear teacher" not in " ".join(e.value for e in at.error)
    assert at.button(key="tm_train").disabled                   # class 2 is still empty
    at.file_uploader(key="tm_up_1_0").set_value(
        [(f"b{i}.png", png((20, 30, 200 + 10 * i)), "image/png") for i in range(3)]).run()
    assert not at.button(key="tm_train").disabled
    at.button(key="tm_train").click().run()
    assert not at.exception
    assert any(m.label == "Accuracy on training pictures" for m in at.metric)
    assert "Every picture was used for training" in texts(at)
    at.button(key="tm_clear_1").click().run()
    assert at.button(key="tm_train").disabled and not at.exception

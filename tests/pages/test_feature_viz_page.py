"""AppTest: "What does this channel look for?" offline on the digits CNN and on a pretrained
CNN (random-init weights in a temp $TORCH_HOME)."""

from playground.vision import models as M
from tests.vision_weights import shared_torch_home

PAGE = "pages/feature_viz.py"


def metric(at, label):
    return float(next(m.value for m in at.metric if m.label.startswith(label)))


def test_digits_cnn_offline(open_page, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    at = open_page(PAGE, query={"layer": "relu2", "channel": "3", "steps": "32"})
    assert at.selectbox(key="fv_layer").value == "relu2" and at.number_input(key="fv_channel").value == 3
    assert metric(at, "After optimising") > metric(at, "Mean activation, grey start")
    assert any("raises channel 3 of relu2" in m.value for m in at.markdown)
    assert len(at.image) >= 7                                    # the picture + 6 real digits
    at.selectbox(key="fv_layer").select("conv1").run()
    assert at.number_input(key="fv_channel").label == "Channel (0–7)" and not at.exception
    at.toggle(key="fv_all").set_value(True).run()
    assert not at.exception and "Channels 0–7 of conv1" in str(at.image[-1].proto)
    at.selectbox(key="fv_model").select("resnet18").run()        # no weights here
    assert "resnet18-f37072fd.pth" in " ".join(i.value for i in at.info) and not at.exception


def test_pretrained_cnn(open_page, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(shared_torch_home()))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    at = open_page(PAGE, query={"model": "mobilenet_v3_large", "steps": "16"})
    at.select_slider(key="fv_size").set_value(64).run()
    assert not at.exception and at.selectbox(key="fv_layer").value == "features.8"
    assert metric(at, "After optimising") > metric(at, "Mean activation, grey start")
    assert at.query_params.get("model") == "mobilenet_v3_large"

"""AppTest: the pretrained-vision pages load and their main controls work, with random-init
weights in a temp $TORCH_HOME (the models "load" through the real code) and offline."""
import io
import time

import numpy as np
import pytest
from PIL import Image

from playground.vision import models as M
from tests.vision_weights import shared_torch_home, write_random_weights

CLASSIFY, DETECT = "pages/vision_classify.py", "pages/vision_detect.py"


@pytest.fixture
def weights_home(monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(shared_torch_home()))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    return tmp_path


def png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def metric(at, label):
    return next(m.value for m in at.metric if m.label.startswith(label))


def infos(at):
    return " ".join(i.value for i in at.info)


def test_classification_page_and_its_tabs(open_page, weights_home):
    at = open_page(CLASSIFY)
    assert metric(at, "Latency on this server").endswith("ms")
    cls_box = next(s for s in at.selectbox if s.key.startswith("vc_class_"))
    top1 = cls_box.value
    assert at.get("plotly_chart") and len(at.image) >= 4      # photo, crop, overlay, heatmap
    at.radio(key="vc_method").set_value("saliency").run()
    assert not at.exception
    cls_box.set_value((top1 + 1) % 1000).run()               # explain another class
    assert not at.exception
    at.selectbox(key="vc_img_sample").select("Coffee").run()
    new_box = next(s for s in at.selectbox if s.key.startswith("vc_class_"))
    assert new_box.key != cls_box.key and not at.exception    # a new photo, a fresh top-1

    at.session_state["vc_tab"] = ":material/bug_report: Fool it: adversarial pixels"
    at.run()
    assert metric(at, "Top answer now") and not at.exception
    at.radio(key="vc_attack").set_value("pgd").run()
    at.select_slider(key="vc_eps").set_value(8).run()
    at.slider(key="vc_steps").set_value(3).run()
    assert float(metric(at, "Loss of the true class")) >= 0 and not at.exception
    at.toggle(key="vc_targeted").set_value(True).run()
    assert metric(at, "Loss of the target") and not at.exception

    at.session_state["vc_tab"] = ":material/blur_on: Everyday corruptions"
    at.run()
    at.radio(key="vc_corruption").set_value("jpeg").run()
    at.select_slider(key="vc_level").set_value(6).run()           # JPEG quality 10
    assert not at.exception and len(at.get("plotly_chart")) >= 2


def test_missing_model_explains_itself_and_the_rest_works(open_page, weights_home):
    at = open_page(CLASSIFY)
    at.selectbox(key="vc_model").select("vit_b_16").run()
    assert not at.exception
    text = infos(at)
    assert "vit_b_16-c867db91.pth" in text and "330 MB" in text and "weights_only=True" in text
    assert any(e.label.startswith("Use a local weights file") for e in at.expander)
    at.selectbox(key="vc_img_sample").select("Rocket").run()     # the image input still works
    assert not at.exception and at.image
    at.selectbox(key="vc_model").select("mobilenet_v3_large").run()
    assert metric(at, "Latency on this server") and not at.exception


def test_offline_message_within_five_seconds(open_page, empty_home, monkeypatch):
    monkeypatch.delenv(M.OFFLINE_ENV)
    real = M.can_download
    # the real probe, against a black-holed address: the worst case of a classroom without internet
    monkeypatch.setattr(M, "can_download", lambda: real("192.0.2.1", 443, timeout=2.0, max_age=0))
    at = open_page("pages/home.py", query={"model": "mobilenet_v3_large"})
    t0 = time.perf_counter()
    at.switch_page(CLASSIFY).run()
    assert time.perf_counter() - t0 < 5.0 and at.selectbox(key="vc_model").value == "mobilenet_v3_large"
    assert not at.exception and "cannot reach the internet" in infos(at)
    assert "mobilenet_v3_large-5c1a4163.pth" in infos(at)


def test_local_weights_by_path_and_by_upload(open_page, empty_home, tmp_path, monkeypatch):
    other = write_random_weights(tmp_path / "mine", ["mobilenet_v3_large"])["mobilenet_v3_large"]
    monkeypatch.setenv("PLAYGROUND_SERVER_PATHS", "1")
    monkeypatch.setenv("PLAYGROUND_MODELS_DIR", str(other.parent))
    at = open_page(CLASSIFY, query={"model": "mobilenet_v3_large"})
    assert at.selectbox(key="vc_model").value == "mobilenet_v3_large"
    assert "MobileNetV3-Large" in infos(at)
    at.text_input(key="vision_local_path_mobilenet_v3_large").set_value(str(tmp_path / "x.txt"))
    at.button(key="vision_local_go_mobilenet_v3_large").click().run()
    assert any("Expected a" in e.value for e in at.error) and not at.exception
    at.text_input(key="vision_local_path_mobilenet_v3_large").set_value(str(other))
    at.button(key="vision_local_go_mobilenet_v3_large").click().run()
    assert not at.exception and metric(at, "Latency on this server")
    assert any("your own weights file" in c.value for c in at.caption)
    at.button(key="vision_forget_mobilenet_v3_large").click().run()
    assert "MobileNetV3-Large" in infos(at) and not at.exception

    at.file_uploader(key="vision_local_up_mobilenet_v3_large").set_value(
        ("w.pth", other.read_bytes(), "application/octet-stream"))
    at.button(key="vision_local_go_mobilenet_v3_large").click().run()
    assert not at.exception and metric(at, "Latency on this server")
    at.button(key="vision_forget_mobilenet_v3_large").click().run()
    at.file_uploader(key="vision_local_up_mobilenet_v3_large").set_value(
        ("bad.pth", b"not weights", "application/octet-stream"))
    at.button(key="vision_local_go_mobilenet_v3_large").click().run()
    assert any("weights_only" in e.value for e in at.error) and not at.exception


def test_download_path_with_progress(open_page, empty_home, monkeypatch):
    calls = []

    def fake_download(spec, progress):
        path = write_random_weights(empty_home / "empty", [spec.key])[spec.key]
        for done in (0, path.stat().st_size // 2, path.stat().st_size):
            progress(done, path.stat().st_size)
        calls.append(spec.key)
        return path

    monkeypatch.setattr(M, "can_download", lambda: True)
    monkeypatch.setattr(M, "download_weights", fake_download)
    at = open_page(CLASSIFY)
    assert calls == ["mobilenet_v3_large"] and not at.exception
    assert metric(at, "Latency on this server")


def test_uploads_odd_and_broken_images(open_page, weights_home):
    at = open_page(CLASSIFY)
    at.radio(key="vc_img_src").set_value("upload").run()
    assert "Upload a photo" in infos(at)
    rgba = np.zeros((300, 400, 4), np.uint8)
    rgba[..., 0], rgba[:150, :, 3] = 200, 255
    at.file_uploader(key="vc_img_file").set_value(("odd.png", png(Image.fromarray(rgba)),
                                                   "image/png")).run()
    assert not at.exception and any("white background" in c.value for c in at.caption)
    assert metric(at, "Latency on this server")
    at.file_uploader(key="vc_img_file").set_value(("notes.png", b"just text", "image/png")).run()
    assert not at.exception and any("not an image" in e.value for e in at.error)

    # the good photo is offered again on the other image page
    at.file_uploader(key="vc_img_file").set_value(("cat.png", png(Image.new("RGB", (64, 64))),
                                                   "image/png")).run()
    at.switch_page(DETECT).run()
    at.radio(key="vd_img_src").set_value("upload").run()
    assert any("last photo" in c.value for c in at.caption) and not at.exception


def test_camera_photo_is_turned_upright(open_page, weights_home):
    a = np.zeros((60, 120, 3), np.uint8)
    a[:, :60] = (250, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="JPEG", exif=exif)
    at = open_page(CLASSIFY)
    at.radio(key="vc_img_src").set_value("camera").run()
    at.camera_input(key="vc_img_cam").set_value(("photo.jpg", buf.getvalue(), "image/jpeg")).run()
    assert not at.exception and any("upright" in c.value for c in at.caption)
    assert metric(at, "Latency on this server")


def test_detection_and_segmentation_page(open_page, weights_home):
    at = open_page(DETECT)
    assert at.slider(key="vd_threshold").value == 0.5
    at.slider(key="vd_threshold").set_value(0.05).run()
    assert not at.exception
    at.session_state["vd_tab"] = ":material/palette: Semantic segmentation"
    at.run()
    assert not at.exception and at.get("plotly_chart")
    at.slider(key="vd_seg_opacity").set_value(0.3).run()
    at.selectbox(key="vd_seg_model").select("deeplabv3").run()
    assert "deeplabv3_mobilenet_v3_large-fc3c493d.pth" in infos(at) and not at.exception
    at.selectbox(key="vd_img_sample").select("Cat").run()
    assert not at.exception


def test_cam_method_and_target_layer(open_page, weights_home):
    at = open_page(CLASSIFY)
    method = at.radio(key="vc_method")
    assert method.options == ["Grad-CAM", "Grad-CAM++", "Score-CAM",
                              "Gradient saliency (which pixels matter)"]
    layer = at.selectbox(key="vc_layer")
    assert layer.value == "features.16" and not layer.disabled
    caps = lambda: " ".join(c.value for c in at.caption)  # noqa: E731
    assert "Grad-CAM at features.16 weighs each feature map" in caps()
    layer.set_value("features.10").run()
    assert not at.exception and "Grad-CAM at features.10 weighs" in caps()
    at.radio(key="vc_method").set_value("gradcampp").run()
    assert not at.exception and "Grad-CAM++ at features.10 like Grad-CAM" in caps()
    at.radio(key="vc_method").set_value("scorecam").run()
    assert not at.exception and "most active of the layer's" in caps()
    at.radio(key="vc_method").set_value("saliency").run()
    assert at.selectbox(key="vc_layer").disabled

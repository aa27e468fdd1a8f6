"""AppTest: the image classification page OFFLINE (no ImageNet weights anywhere) runs every
section on the app's own trained digits CNN; its settings round-trip through the URL; hide= /
lock= links; bad pictures give a message; the robustness lesson's question gates the page."""
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from playground.vision import models as M, settings as VS

PAGE = "pages/vision_classify.py"


@pytest.fixture
def no_weights(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


def chart(at, title: str) -> dict:
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if spec["layout"].get("title", {}).get("text") == title:
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def captions(at) -> str:
    return " ".join([c.value for c in at.caption] + [c for el in at.image for c in el.captions])


def text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def metric(at, label):
    return next(m.value for m in at.metric if m.label.startswith(label))


def tab(at, name):
    at.session_state["vc_tab"] = VS.TABS[name]
    at.run()
    assert not at.exception


def test_offline_every_section_shows_the_trained_digits_cnn(open_page, no_weights):
    at = open_page(PAGE)
    assert at.selectbox(key="vc_model").value == "digits"                # chosen automatically
    assert re.search(r"trained here on 1438 8×8 digits .*: 9\d\.\d% right on 359 test digits",
                     captions(at))                                        # OwnCNN.summary
    assert "python -m playground.bundle DIR" in captions(at)
    assert "mobilenet_v3_large-5c1a4163.pth" in " ".join(i.value for i in at.info)
    bars = chart(at, "All ten digits")["data"][0]
    assert len(bars["x"]) == 10 and sum(bars["x"]) == pytest.approx(1, abs=1e-4)
    top = int(bars["y"][-1].strip().strip("“”"))                          # best on top
    assert f"The CNN reads **{top}**" in text(at) and max(bars["x"]) > 0.5
    assert f"Grad-CAM for “{top}” at relu2" in captions(at)              # a CAM image
    assert "hottest pixel is in row" in captions(at)
    at.radio(key="vc_method").set_value("scorecam").run()
    assert "most active of the layer's 16 channels" in captions(at) and not at.exception
    at.selectbox(key="vc_layer").set_value("conv1").run()
    assert f"Score-CAM for “{top}” at conv1" in captions(at)
    at.radio(key="vc_method").set_value("saliency").run()
    assert at.selectbox(key="vc_layer").disabled and "gradient of the class score" in captions(at)

    tab(at, "fool")
    at.select_slider(key="vc_deps").set_value(0.3).run()
    now = metric(at, "Top answer now")
    assert now != str(top) and f"flips from {top} to {now}" in text(at)    # fooled at ε = 0.3
    assert "magnified" in captions(at) and "with FGSM" in captions(at)
    at.select_slider(key="vc_deps").set_value(0.02).run()
    assert metric(at, "Top answer now") == str(top) and f"stays {top}" in text(at)
    at.radio(key="vc_attack").set_value("pgd").run()
    at.toggle(key="vc_targeted").set_value(True).run()
    assert metric(at, "Loss of the target") and not at.exception

    tab(at, "corrupt")
    at.radio(key="vc_corruption").set_value("rotate").run()
    curve = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "rotation" in c.proto.spec)
    probs = curve["data"][0]["y"]
    assert len(probs) == 9 and probs[0] > 0.5 and not at.exception
    assert "goes from" in captions(at) and ("first changes at rotation" in captions(at)
                                             or "stays the top answer" in captions(at))


def test_url_settings_round_trip_and_a_lesson_link_hides_and_locks(open_page, no_weights):
    at = open_page(PAGE, query={"model": "digits", "digit": "7", "tab": "fool", "deps": "0.15",
                                "attack": "pgd", "steps": "4", "hide": "digit", "lock": "model"})
    assert at.selectbox(key="vc_model").disabled                          # locked
    assert not [n for n in at.number_input if n.key == "vc_digit"]        # hidden, still used
    assert "Test digit #7" in captions(at)
    assert at.select_slider(key="vc_deps").value == 0.15 and at.slider(key="vc_steps").value == 4
    at.select_slider(key="vc_deps").set_value(0.2).run()
    q = at.query_params
    flat = {k: (v[0] if isinstance(v, list) else v) for k, v in q.items()}
    assert flat["deps"] == "0.2" and flat["tab"] == "fool" and flat["digit"] == "7"
    assert flat["hide"] == "digit" and flat["lock"] == "model"
    assert VS.from_query(flat)[0]["attack"] == "pgd"
    assert any(e.label == "Make a lesson link" for e in at.expander)


def test_bad_link_values_are_warned_about_not_fatal(open_page, no_weights):
    at = open_page(PAGE, query={"model": "digits", "layer": "../etc", "deps": "lots"})
    assert not at.exception and len(at.warning) >= 2
    assert "Grad-CAM for" in captions(at)


def test_photos_become_the_8x8_digit_and_bad_pictures_are_refused(open_page, no_weights):
    at = open_page(PAGE, query={"model": "digits", "input": "photo"})
    assert "What the CNN reads: your picture as an 8×8 grey digit" in captions(at)   # the sample
    assert "not a digit still gets one of the ten answers" in captions(at)
    at.radio(key="vc_img_src").set_value("upload").run()
    paper = np.full((120, 90, 3), 250, np.uint8)
    paper[20:100, 40:52] = 10                                              # a dark "1"
    at.file_uploader(key="vc_img_file").set_value(("one.png", png(paper), "image/png")).run()
    assert not at.exception and "colours inverted" in captions(at)
    assert chart(at, "All ten digits")
    at.file_uploader(key="vc_img_file").set_value(("notes.png", b"Dear teacher", "image/png")).run()
    assert not at.exception and any("not an image" in e.value for e in at.error)
    at.file_uploader(key="vc_img_file").set_value(
        ("black.png", png(np.zeros((50, 50, 3), np.uint8)), "image/png")).run()
    assert not at.exception and any("flat colour" in w.value for w in at.warning)
    assert not at.get("plotly_chart")


def test_an_imagenet_model_offline_offers_the_digits_cnn(open_page, no_weights):
    at = open_page(PAGE, query={"model": "resnet50"})
    assert "resnet50" in " ".join(i.value for i in at.info) and not at.exception
    at.button(key="vc_use_digits").click().run()
    assert at.selectbox(key="vc_model").value == "digits" and chart(at, "All ten digits")


def test_the_robustness_question_gates_the_page_then_reveals(open_page, no_weights):
    at = open_page(PAGE, query={"model": "digits", "tab": "fool", "deps": "0.05",
                                "lesson_step": "11_robustness.1"})
    assert not at.get("plotly_chart")                                      # asked first
    at.radio(key="lesson_pick_11_robustness_0").set_value(0)               # random noise: wrong
    next(b for b in at.get("form_submit_button")
         if b.form_id == "lesson_q_11_robustness_0").click()
    at.run()
    assert chart(at, "All ten digits") and not at.exception
    at.button(key="lesson_reveal_11_robustness_0").click().run()
    assert metric(at, "Measured") == "The FGSM direction"
    assert at.info[0].value.startswith("Not what you predicted.") and "with FGSM" in at.info[0].value


def test_a_drawing_is_read_and_an_empty_canvas_asks_for_one(open_page, no_weights, monkeypatch):
    from types import SimpleNamespace

    from playground.ui import vision_digits as VD

    ink = np.zeros((224, 224, 4), np.uint8)
    monkeypatch.setattr(VD, "st_canvas", lambda **kw: SimpleNamespace(image_data=ink))
    at = open_page(PAGE, query={"model": "digits", "input": "draw"})
    assert at.radio(key="vc_input").value == "draw"
    assert "Draw a digit on the black square." in [i.value for i in at.info]
    assert not at.get("plotly_chart")
    ink[30:190, 100:124] = 255                                             # a stroke: a "1"
    at.run()
    assert "The CNN reads **1**" in text(at) and chart(at, "All ten digits") and not at.exception


def test_an_imagenet_models_settings_come_from_the_link_too(open_page, monkeypatch):
    from tests.vision_weights import shared_torch_home

    monkeypatch.setenv("TORCH_HOME", str(shared_torch_home()))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    at = open_page(PAGE, query={"method": "gradcampp", "layer": "features.10", "opacity": "0.3"})
    assert at.selectbox(key="vc_model").value == "mobilenet_v3_large"     # weights are here
    assert at.radio(key="vc_method").value == "gradcampp" and at.slider(key="vc_opacity").value == 0.3
    assert "Grad-CAM++ at features.10" in captions(at)
    tab(at, "fool")
    at.select_slider(key="vc_eps").set_value(8).run()
    flat = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert flat["eps"] == "8" and flat["layer"] == "features.10" and flat["method"] == "gradcampp"
    at.selectbox(key="vc_model").set_value("digits").run()                 # other layers
    tab(at, "why")
    assert at.selectbox(key="vc_layer").value == "relu2" and at.radio(key="vc_method").value == "gradcampp"
    assert "layer" not in dict(at.query_params)                            # its default: not written

"""Detection and segmentation OFFLINE: the app's own digit detector draws real boxes."""
import pytest

from playground.detect import train as DT
from playground.vision import models as M

DETECT = "pages/vision_detect.py"


@pytest.fixture
def no_weights(offline, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    monkeypatch.setenv(DT.STEPS_ENV, "100")      # ≈ 15 s; 200 in the app


def texts(at):
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] +
                    [c for im in at.get("image") for c in im.captions])


def own_table(at):
    """The table of detections (its columns say which one it is), or None."""
    return next((d.value for d in at.dataframe if "verdict" in d.value.columns), None)


def test_offline_the_own_detector_shows_its_boxes(open_page, no_weights):
    at = open_page(DETECT)
    assert at.radio(key="vd_source").value == "own"
    assert at.query_params["source"] == ["own"] or at.query_params["source"] == "own"
    assert at.get("image"), "the scene with its boxes"
    t = texts(at)
    assert "mAP@0.5" in t and "held-out scenes" in t and "python -m playground.bundle DIR" in t
    assert "Found " in t and "grid cells scored at least 50%" in t
    table = own_table(at)
    assert len(table) >= 1 and set(table["verdict"]) <= {"right", "wrong digit", "a second box",
                                                        "box too far off (IoU < 0.5)",
                                                        "nothing there"}
    assert (table["verdict"] == "right").any() and (table["score"] >= 0.5).all()
    at.slider(key="vd_own_thr").set_value(0.95).run()
    assert not at.exception
    assert "No cell scored at least 95%" in texts(at) if own_table(at) is None else \
        (own_table(at)["score"] >= 0.95).all()
    at.slider(key="vd_own_thr").set_value(0.1).run()
    at.slider(key="vd_nms").set_value(0.9).run()
    at.toggle(key="vd_removed").set_value(True).run()
    assert not at.exception and at.query_params["nms"] in ("0.9", ["0.9"])
    at.button(key="vd_new").click().run()
    assert not at.exception and at.number_input(key="vd_scene").value != 0
    assert at.query_params["scene"] in (str(at.number_input(key="vd_scene").value),
                                        [str(at.number_input(key="vd_scene").value)])
    at.session_state["vd_tab"] = ":material/palette: Semantic segmentation"
    at.run()
    assert not at.exception and at.get("plotly_chart") and "digit pixels" in texts(at)


def test_settings_from_the_link_hide_and_lock(open_page, no_weights):
    at = open_page(DETECT, query={"source": "own", "scene": "12", "own_thr": "0.3", "nms": "0.7",
                                  "truth": "false", "hide": "own_thr", "lock": "nms",
                                  "scene_x": "1"})
    assert not at.exception
    assert at.number_input(key="vd_scene").value == 12
    assert at.toggle(key="vd_truth").value is False
    assert at.slider(key="vd_nms").value == 0.7 and at.slider(key="vd_nms").disabled
    assert not [s for s in at.slider if s.key == "vd_own_thr"]        # hidden, its value used
    assert "score ≥ 30%" in texts(at)
    q = at.query_params
    assert {k: (v[0] if isinstance(v, list) else v) for k, v in q.items()} == {
        "source": "own", "scene": "12", "own_thr": "0.3", "nms": "0.7", "truth": "false",
        "hide": "own_thr", "lock": "nms"}


def test_a_bad_link_value_is_explained_and_coco_offline_offers_the_own_detector(open_page, no_weights):
    at = open_page(DETECT, query={"source": "coco", "nms": "lots"})
    assert any("Ignored nms=" in w.value and "lots" in w.value for w in at.warning)
    info = " ".join(i.value for i in at.info)
    assert "ssdlite320_mobilenet_v3_large" in info          # the weights message stays
    at.button(key="vd_use_own").click().run()
    assert not at.exception and at.radio(key="vd_source").value == "own"
    assert own_table(at) is not None


def test_the_detection_lesson_step_opens_its_preset(open_page, no_weights):
    at = open_page(DETECT, query={"source": "own", "scene": "5", "nms": "0.9", "removed": "true",
                                  "hide": "source", "lock": "nms", "lesson_step": "13_detection.2"})
    assert not at.exception and not [r for r in at.radio if r.key == "vd_source"]
    assert at.slider(key="vd_nms").value == 0.9 and at.slider(key="vd_nms").disabled
    assert at.toggle(key="vd_removed").value is True and "IoU ≥ 0.90" in texts(at)

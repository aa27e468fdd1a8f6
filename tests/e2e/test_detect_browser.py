"""Detection and segmentation OFFLINE in a real headless Chromium: no torchvision weights, so the
page trains the app's own digit detector and draws its boxes on a generated scene and on a
drawing. Screenshots at 1366×768 and 1920×1080 in ``artifacts/``; console errors fail."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .test_own_models_browser import SLOW, done, tab, url, visit  # noqa: F401 - fixtures
from .test_language_browser import TIMEOUT


def test_own_detector_boxes_a_scene_and_a_drawing(tab: Page, url):  # noqa: F811
    visit(tab, url, "/vision_detect", "Object detection and segmentation")
    expect(tab.get_by_text(re.compile(r"grid cells? scored at least 50%"))).to_be_visible(timeout=SLOW)
    expect(tab.get_by_text(re.compile(r"^Found \d of \d digits"))).to_be_visible()
    expect(tab.get_by_text(re.compile(r"mAP@0\.5 \d+\.\d% on 150 held-out scenes"))).to_be_visible()
    expect(tab.get_by_test_id("stImage").first).to_be_visible()
    done(tab, "detect")
    tab.get_by_text("Draw your own").click()
    tab.wait_for_timeout(2000)                      # the canvas component becomes live
    canvas = [c for c in tab.locator("canvas").all() if (c.bounding_box() or {}).get("width") == 288]
    assert canvas, "the drawing canvas is missing"
    box = canvas[-1].bounding_box()
    for stroke in ([(50, 30), (50, 130)], [(150, 150), (230, 150), (180, 270)]):   # a 1 and a 7
        tab.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        tab.mouse.down()
        for x, y in stroke[1:]:
            tab.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        tab.mouse.up()
    expect(tab.get_by_text(re.compile("your drawing"))).to_be_visible(timeout=TIMEOUT)
    expect(tab.get_by_text(re.compile(r"scored at least 50%"))).to_be_visible()
    done(tab, "detect_drawing")

"""The pretrained-vision pages in a real headless Chromium against the real app.

The server gets a temp $TORCH_HOME holding random-init weights under torchvision's file names
(so the real loading code runs) and PLAYGROUND_OFFLINE=1 (models without a file show the
offline message at once). A student uploads a photo; screenshots of the classification +
Grad-CAM, adversarial and corruption views and of detection/segmentation go to ``artifacts/``.
"""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.vision_weights import shared_torch_home

from .server import ROOT, app_server, wait_idle

ARTIFACTS = ROOT / "artifacts"
EXCEPTION = '[data-testid="stException"]'
TIMEOUT = 60_000  # ms; other engineers share these 2 cores


@pytest.fixture(scope="module")
def vision_url():
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"TORCH_HOME": str(shared_torch_home()), "PLAYGROUND_OFFLINE": "1"}
    with app_server(env=env) as url:
        yield url


@pytest.fixture
def tall_page(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 2000})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def photo_png() -> bytes:
    """A student's photo: a synthetic RGBA scene (sky, sun, a red house; transparent corner)."""
    h, w = 480, 640
    y, x = np.mgrid[0:h, 0:w]
    a = np.zeros((h, w, 4), np.uint8)
    a[..., 0], a[..., 1], a[..., 2] = 90 + y // 6, 150 + y // 8, 235
    a[y > 330] = (60, 140, 50, 0)
    a[(x - 500) ** 2 + (y - 90) ** 2 < 50 ** 2, :3] = (250, 210, 40)
    a[(x > 170) & (x < 370) & (y > 200) & (y < 380), :3] = (190, 40, 30)
    a[..., 3] = 255
    a[:60, :80, 3] = 0                                   # a transparent corner
    buf = io.BytesIO()
    Image.fromarray(a, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def no_exception(page: Page):
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


def charts_drawn(page: Page, at_least: int):
    expect(page.locator(".js-plotly-plot g.trace").first).to_be_attached(timeout=TIMEOUT)
    assert page.locator(".js-plotly-plot").count() >= at_least


def open_tab(page: Page, name: str):
    page.get_by_role("tab", name=name).click()
    wait_idle(page, TIMEOUT)
    no_exception(page)


def test_upload_classify_explain_and_fool(tall_page: Page, vision_url):
    page = tall_page
    page.goto(vision_url + "/vision_classify")
    expect(page.get_by_role("heading", name="Image classification with pretrained models")) \
        .to_be_visible(timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)
    page.locator('[data-testid="stRadio"]').first.get_by_text("Upload").click()
    wait_idle(page, TIMEOUT)
    page.locator('input[type="file"]').first.set_input_files(
        {"name": "my_house.png", "mimeType": "image/png", "buffer": photo_png()})
    expect(page.get_by_text("Transparent parts placed on a white background")).to_be_visible(
        timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)
    no_exception(page)
    expect(page.get_by_text("Latency on this server")).to_be_visible()
    expect(page.get_by_text("my_house.png · 640×480")).to_be_visible()
    charts_drawn(page, 1)
    expect(page.get_by_text("The heatmap alone")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "vision_classify_gradcam.png"), full_page=True)

    open_tab(page, "Fool it")
    expect(page.get_by_text("Top answer now")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("The perturbation, magnified")).to_be_visible()
    charts_drawn(page, 3)
    page.screenshot(path=str(ARTIFACTS / "vision_adversarial.png"), full_page=True)

    open_tab(page, "Everyday corruptions")
    expect(page.get_by_text("as the corruption grows")).to_be_visible(timeout=TIMEOUT)
    charts_drawn(page, 2)
    page.screenshot(path=str(ARTIFACTS / "vision_corruptions.png"), full_page=True)

    # the same photo on the detection page, and a model without weights explains itself
    page.get_by_role("link", name="Detection and segmentation").first.click()
    expect(page.get_by_role("heading", name="Object detection and segmentation")).to_be_visible(
        timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)
    page.locator('[data-testid="stRadio"]').filter(has_text="Upload").first.get_by_text("Upload").click()
    wait_idle(page, TIMEOUT)
    expect(page.get_by_text("Using your last photo")).to_be_visible(timeout=TIMEOUT)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "vision_detection.png"), full_page=True)
    open_tab(page, "Semantic segmentation")
    charts_drawn(page, 1)
    page.screenshot(path=str(ARTIFACTS / "vision_segmentation.png"), full_page=True)


def test_a_broken_upload_is_a_message_not_a_traceback(tall_page: Page, vision_url):
    page = tall_page
    page.goto(vision_url + "/vision_classify")
    wait_idle(page, TIMEOUT)
    page.locator('[data-testid="stRadio"]').first.get_by_text("Upload").click()
    wait_idle(page, TIMEOUT)
    page.locator('input[type="file"]').first.set_input_files(
        {"name": "homework.png", "mimeType": "image/png", "buffer": b"Dear teacher, ..." * 40})
    expect(page.get_by_text("is not an image we can read")).to_be_visible(timeout=TIMEOUT)
    no_exception(page)
    # the offline message of a model without weights, and the page still works
    page.locator(".st-key-vc_model input").click()
    page.get_by_role("option", name="ResNet-50 · 98 MB").click()
    wait_idle(page, TIMEOUT)
    expect(page.get_by_text("cannot reach the internet")).to_be_visible(timeout=TIMEOUT)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "vision_offline_message.png"), full_page=True)

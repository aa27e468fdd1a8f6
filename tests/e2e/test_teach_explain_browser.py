"""Teach a model yourself, CAM methods and feature visualisation in a real headless Chromium.

The server gets random-init MobileNetV3 weights under torchvision's file name (the real loading
code runs) and PLAYGROUND_OFFLINE=1. Chromium's fake camera (``--use-fake-device-for-media-stream``)
stands in for a webcam, so ``st.camera_input`` really takes pictures. Screenshots at 1366×768 and
1920×1080 go to ``artifacts/``; console errors fail the test.
"""
from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.vision_weights import shared_torch_home

from .server import CHROMIUM_ARGS, ROOT, app_server, chromium_path, wait_idle

ARTIFACTS = ROOT / "artifacts"
EXCEPTION = '[data-testid="stException"]'
TIMEOUT = 90_000
SIZES = ((1366, 768), (1920, 1080))


@pytest.fixture(scope="module")
def url():
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"TORCH_HOME": str(shared_torch_home()), "PLAYGROUND_OFFLINE": "1"}
    with app_server(env=env) as u:
        yield u


@pytest.fixture(scope="module")
def camera_browser(chromium):
    """Chromium with a fake webcam that is allowed without asking. Launched through the
    session's Playwright (the ``chromium`` fixture: skipped without Chromium, a failure in CI);
    a second sync_playwright() inside the running one would fail."""
    b = chromium.browser_type.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"])
    yield b
    b.close()


@pytest.fixture
def page(camera_browser):
    ctx = camera_browser.new_context(viewport={"width": 1366, "height": 768},
                                     permissions=["camera"])
    pg = ctx.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("response", lambda r: pg.console_errors.append(f"{r.status} {r.url}")
          if r.status >= 400 else None)
    yield pg
    ctx.close()


def png(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), color).save(buf, format="PNG")
    return buf.getvalue()


def ok(page: Page):
    wait_idle(page, TIMEOUT)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


def shots(page: Page, name: str):
    """At each size: the top of the page and each further screenful of the scrolled main area."""
    main = page.locator('[data-testid="stMain"]')
    for w, h in SIZES:
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(400)
        total = main.evaluate("e => e.scrollHeight")
        for i, top in enumerate(range(0, max(total - h // 2, 1), h - 100)):
            main.evaluate(f"e => e.scrollTo(0, {top})")
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / f"{name}_{w}x{h}_{i}.png"))
        main.evaluate("e => e.scrollTo(0, 0)")


def console_clean(page: Page):
    """No console errors and no failed requests, except Streamlit's own probe of
    ``<page>/_stcore/{health,host-config}`` on a deep link (it then falls back to ``/``)."""
    probe = ("/_stcore/health", "/_stcore/host-config")
    errors = [e for e in page.console_errors
              if not e.startswith("Failed to load resource") and not e.endswith(probe)]
    assert not errors, errors


def test_teach_offline_example_train_and_predict(page: Page, url):
    page.goto(url + "/teach?features=digits_cnn")
    expect(page.get_by_role("heading", name="Teach a model yourself")).to_be_visible(timeout=TIMEOUT)
    ok(page)
    page.locator(".st-key-tm_load_example button").click()
    ok(page)
    expect(page.get_by_text("12 pictures").first).to_be_visible(timeout=TIMEOUT)
    page.locator(".st-key-tm_train button").click()
    ok(page)
    expect(page.get_by_text("Accuracy on held-out pictures")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("held-out pictures it never trained on")).to_be_visible()
    expect(page.locator(".js-plotly-plot g.trace").first).to_be_attached(timeout=TIMEOUT)
    assert page.locator(".js-plotly-plot").count() == 3
    expect(page.get_by_role("button", name="Export the model")).to_be_visible()
    shots(page, "teach_digits_offline")
    console_clean(page)


def test_teach_with_the_camera_and_uploads(page: Page, url):
    page.goto(url + "/teach")
    expect(page.get_by_role("heading", name="Teach a model yourself")).to_be_visible(timeout=TIMEOUT)
    ok(page)
    page.locator(".st-key-tm_name_0 input").fill("green")
    page.locator(".st-key-tm_name_1 input").fill("camera")
    ok(page)
    page.locator('input[type="file"]').first.set_input_files(
        [{"name": f"g{i}.png", "mimeType": "image/png", "buffer": png((20, 180 + 20 * i, 40))}
         for i in range(3)])
    ok(page)
    expect(page.get_by_text("3 pictures")).to_be_visible(timeout=TIMEOUT)
    page.locator(".st-key-tm_how_1").get_by_text("Camera").click()
    ok(page)
    take = page.get_by_role("button", name="Take Photo")
    for n in (1, 2, 3):
        expect(take).to_be_enabled(timeout=TIMEOUT)
        take.click()
        ok(page)
        expect(page.get_by_text(f"{n} picture{'s' if n > 1 else ''}", exact=True).last) \
            .to_be_visible(timeout=TIMEOUT)
        if n < 3:
            page.get_by_role("button", name="Clear photo").click()
            ok(page)
    page.locator(".st-key-tm_train button").click()
    ok(page)
    expect(page.get_by_text("Accuracy on training pictures")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Every picture was used for training")).to_be_visible()
    shots(page, "teach_camera")
    console_clean(page)


def test_cam_methods_and_layers(page: Page, url):
    page.goto(url + "/vision_classify")
    expect(page.get_by_text("Latency on this server")).to_be_visible(timeout=TIMEOUT)
    ok(page)
    page.locator(".st-key-vc_method").get_by_text("Grad-CAM++").click()
    ok(page)
    page.locator(".st-key-vc_layer input").click()
    page.get_by_role("option", name="features.12 · 112 × 14 × 14").click()
    ok(page)
    expect(page.get_by_text("Grad-CAM++ at features.12")).to_be_visible(timeout=TIMEOUT)
    page.locator(".st-key-vc_method").get_by_text("Score-CAM").click()
    ok(page)
    expect(page.get_by_text("most active of the layer's 112 channels")).to_be_visible(timeout=TIMEOUT)
    shots(page, "vision_scorecam")
    console_clean(page)


def test_feature_visualisation(page: Page, url):
    page.goto(url + "/feature_viz?layer=relu2&channel=5")
    expect(page.get_by_text("After optimising")).to_be_visible(timeout=TIMEOUT)
    ok(page)
    expect(page.get_by_text("raises channel 5 of relu2")).to_be_visible()
    page.locator(".st-key-fv_all").get_by_text("Every channel").click()
    ok(page)
    expect(page.get_by_text("Channels 0–15 of relu2")).to_be_visible(timeout=TIMEOUT)
    shots(page, "feature_viz_digits")
    page.goto(url + "/feature_viz?model=mobilenet_v3_large&steps=32&layer=features.6&channel=7")
    expect(page.get_by_text("After optimising")).to_be_visible(timeout=TIMEOUT)
    ok(page)
    shots(page, "feature_viz_mobilenet")
    console_clean(page)

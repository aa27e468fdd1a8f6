"""The image classification page OFFLINE with no ImageNet weights, in a real headless Chromium:
the app's own digits CNN is chosen and every section shows its output; screenshots at the two
laptop sizes go to ``artifacts/``; no console errors."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .server import ROOT, app_server, wait_idle

ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 60_000
PROBE = ("/_stcore/health", "/_stcore/host-config")    # Streamlit's deep-link probe (falls back)


@pytest.fixture(scope="module")
def offline_url(tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"TORCH_HOME": str(tmp_path_factory.mktemp("no-weights")), "PLAYGROUND_OFFLINE": "1",
           "PLAYGROUND_BUNDLE": ""}
    with app_server(env=env) as url:
        yield url


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_every_section_runs_on_the_digits_cnn_offline(chromium, offline_url, size):
    ctx = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    errors, failed = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    try:
        page.goto(offline_url + "/vision_classify")
        expect(page.get_by_text("All ten digits")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page, TIMEOUT)
        expect(page.get_by_text("this test digit is a 6: right")).to_be_visible()
        expect(page.get_by_text("Grad-CAM for “6” at relu2")).to_be_visible()
        expect(page.get_by_text("cannot reach the internet")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"vision_digits_why_{size[0]}.png"))
        page.get_by_role("tab", name="Fool it").click()
        wait_idle(page, TIMEOUT)
        expect(page.get_by_text("Top answer now")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("with FGSM. The same size of change")).to_be_visible()
        page.goto(offline_url + "/vision_classify?model=digits&tab=fool&deps=0.3")
        expect(page.get_by_text("the answer flips from 6 to")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page, TIMEOUT)
        page.screenshot(path=str(ARTIFACTS / f"vision_digits_fool_{size[0]}.png"))
        page.get_by_role("tab", name="Everyday corruptions").click()
        wait_idle(page, TIMEOUT)
        expect(page.get_by_text("as the corruption grows")).to_be_visible(timeout=TIMEOUT)
        assert "tab=corrupt" in page.url and "deps=0.3" in page.url
        page.screenshot(path=str(ARTIFACTS / f"vision_digits_corrupt_{size[0]}.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
        assert [u for u in failed if not u.endswith(PROBE)] == []
        assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    finally:
        ctx.close()


def test_a_drawn_digit_is_read_by_the_cnn(chromium, offline_url):
    ctx = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(offline_url + "/vision_classify?model=digits&input=draw")
        expect(page.get_by_text("Draw a digit on the black square")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page, TIMEOUT)
        page.wait_for_timeout(3000)                     # the canvas component becomes live
        canvas = [c for c in page.locator("canvas").all()
                  if (c.bounding_box() or {}).get("width") == 224]
        assert canvas, "the drawing canvas is missing"
        box = canvas[-1].bounding_box()
        page.mouse.move(box["x"] + 112, box["y"] + 35)
        page.mouse.down()
        for t in range(1, 23):                          # a vertical stroke: a "1"
            page.mouse.move(box["x"] + 112, box["y"] + 35 + t * 7, steps=2)
        page.mouse.up()
        expect(page.get_by_text("The CNN reads 1")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("your picture as an 8×8 grey digit")).to_be_visible()
        wait_idle(page, TIMEOUT)
        page.screenshot(path=str(ARTIFACTS / "vision_digits_drawn_1366.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()

"""The classroom bundle end to end in a real browser: `python -m playground.bundle` fills a
folder from a fake hub / torchvision / MNIST server on 127.0.0.1 (tiny models), then the real
app starts offline with an empty torch cache and PLAYGROUND_BUNDLE pointing at that folder: the
classification page runs its model and the language page its sentiment model from the bundle."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from playground.bundle import build as B
from tests.fake_hub import FakeHub, tiny_bundle_items

from .server import ROOT, app_server, wait_idle

ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def bundle_url(tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path_factory.mktemp("bundle")
    with FakeHub() as hub:
        items, errors = tiny_bundle_items(hub)
        report = B.build(root, items, pause=0)
    assert report.ok and not errors
    env = {"PLAYGROUND_BUNDLE": str(root), "PLAYGROUND_OFFLINE": "1",
           "TORCH_HOME": str(root.parent / "empty-torch-home"), "PLAYGROUND_HF_DIR": "",
           "PLAYGROUND_DATA": ""}
    with app_server(env=env) as url:
        yield url


def test_pages_run_from_the_bundle_offline(page: Page, bundle_url):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(bundle_url + "/vision_classify")
    expect(page.get_by_text("Latency on this server")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("weights on this server")).to_be_visible()
    wait_idle(page, TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "bundle_vision_classify_1366x768.png"))
    page.goto(bundle_url + "/language")
    wait_idle(page, TIMEOUT)
    expect(page.get_by_text("from the classroom bundle").first).to_be_visible(timeout=TIMEOUT)
    assert page.get_by_text("python -m playground.bundle DIR").count() >= 1   # the other models
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "bundle_language_1366x768.png"))

"""A teacher's link on a language page in a real headless Chromium (offline, the app's own GPT):
the link presets and locks the controls, a moved slider reaches the address bar and the
sidebar's "Make a lesson link". Screenshots at 1366×768 and 1920×1080 go to artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .server import app_server, wait_idle
from .test_lessons_browser import ARTIFACTS, browser_page
from .test_vision_browser import no_exception

SLOW = 240_000      # ms: the first visit trains the own GPT (seconds alone, minutes on a busy CI)


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server(env={"PLAYGROUND_OFFLINE": "1", "PLAYGROUND_HF_DIR": "",
                         "TORCH_HOME": str(tmp_path_factory.mktemp("no_weights")),
                         "PLAYGROUND_OWN_GPT_STEPS": "150"}) as u:
        yield u


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def test_a_link_presets_locks_and_follows_the_sliders(chromium, url, size):
    errors = []
    page = browser_page(chromium, size, errors)
    page.goto(url + "/next_token?model=own&prompt=And+the+earth+was&top_k=5&seed=7&lock=temperature")
    expect(page.get_by_role("heading", name="Next-token prediction")).to_be_visible(timeout=SLOW)
    wait_idle(page, SLOW)
    expect(page.locator(".st-key-next_prompt textarea")).to_have_value("And the earth was")
    top_k = page.locator(".st-key-next_top_k input[type=range]")
    expect(top_k).to_have_value("5")
    expect(page.locator(".st-key-next_temperature input[type=range]")).to_be_disabled()
    expect(page.get_by_test_id("stMetricValue").nth(1)).to_have_text("5")   # tokens that can be chosen
    top_k.focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page, 60_000)
    expect(page).to_have_url(re.compile(r"top_k=6.*seed=7.*lock=temperature|top_k=6.*lock=temperature"))
    assert "seed=7" in page.url
    page.locator("[data-testid=stSidebar]").get_by_text("Make a lesson link").click()
    link = page.locator("[data-testid=stSidebar] [data-testid=stCode]")
    expect(link).to_contain_text("top_k=6")
    expect(link).not_to_contain_text("lock=")             # the teacher chooses hide / lock anew
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / f"links_next_token_{size[0]}.png"))
    assert not errors, errors

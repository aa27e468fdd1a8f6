"""Transformer pages in a real headless Chromium, offline, with tiny local models.

A user types a text, sees the head view (screenshot), clicks a thumbnail of the model view,
generates tokens with GPT-2, trains the tiny transformer with Play/Pause, and looks at a ViT's
attention on the sample photo. Screenshots go to ``artifacts/`` (gitignored)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import language_models as LMB
from tests.vision_weights import shared_torch_home

from .server import app_server, wait_idle
from .test_language_browser import ARTIFACTS, TIMEOUT, open_page
from .test_language_browser import assert_healthy as healthy


@pytest.fixture(scope="module")
def url():
    root, _ = LMB.shared()
    home = shared_torch_home(("vit_b_16",), name="vit")
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server(env={"PLAYGROUND_OFFLINE": "1", "PLAYGROUND_HF_DIR": str(root),
                         "TORCH_HOME": str(home)}) as u:
        yield u


@pytest.fixture
def tab(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 2200})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def test_type_text_and_see_the_head_view(tab: Page, url):
    open_page(tab, url, "/attention", "Attention in language models")
    tab.locator(".st-key-attn_text textarea").fill("The cat sat on the mat because it was tired. 😀")
    tab.locator(".st-key-attn_pair input").fill("It slept.")
    tab.locator(".st-key-attn_go button").click()
    expect(tab.locator(".st-key-attn_heat .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    expect(tab.locator(".st-key-attn_lines .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    healthy(tab)
    assert tab.locator(".st-key-attn_heat .heatmaplayer").count() == 1       # drawn, not empty
    assert tab.locator(".st-key-attn_lines .scatterlayer .trace").count() >= 3
    tab.screenshot(path=str(ARTIFACTS / "attention_head_view.png"), full_page=True)

    tab.get_by_role("tab", name=re.compile("Model view")).click()
    grid = tab.locator(".st-key-attn_grid .js-plotly-plot")
    expect(grid).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    box = tab.locator(".st-key-attn_grid .nsewdrag").first.bounding_box()
    # 2 layers × 2 heads: click the centre of the thumbnail in row 1, column 0
    tab.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    expect(tab.get_by_text("Opened: layer 1, head 0")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "attention_model_view.png"), full_page=True)
    for name, key in (("Averaged and rollout", "attn_avg_heat"), ("One token, every layer", "attn_token_heat")):
        tab.get_by_role("tab", name=re.compile(name)).click()
        expect(tab.locator(f".st-key-{key} .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
        wait_idle(tab, TIMEOUT)
        healthy(tab)
    tab.get_by_role("tab", name=re.compile("Tokens")).click()
    expect(tab.get_by_text(re.compile(r"^\d+ tokens, \d+ of them special"))).to_be_visible(timeout=TIMEOUT)
    expect(tab.get_by_test_id("stDataFrame")).to_be_visible(timeout=TIMEOUT)
    tab.screenshot(path=str(ARTIFACTS / "attention_tokens.png"), full_page=True)


def test_generate_tokens(tab: Page, url):
    open_page(tab, url, "/next_token", "Next-token prediction")
    tab.locator(".st-key-next_prompt textarea").fill("the cat sat on the")
    tab.locator(".st-key-next_go button").click()
    expect(tab.locator(".st-key-next_bars .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    for _ in range(2):
        tab.locator(".st-key-next_add button").click()
        wait_idle(tab, TIMEOUT)
    expect(tab.get_by_test_id("stDataFrame")).to_be_visible(timeout=TIMEOUT)
    healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "next_token.png"), full_page=True)


def test_tiny_transformer_plays_and_pauses(tab: Page, url):
    open_page(tab, url, "/tiny_transformer", "Train a tiny transformer")
    tab.locator(".st-key-tiny_play button").click()
    expect(tab.get_by_text(re.compile(r"Training step ([3-9]\d|[1-9]\d{2,}) "))).to_be_visible(timeout=TIMEOUT)
    tab.locator(".st-key-tiny_play button").click()                           # Pause
    expect(tab.locator(".st-key-tiny_play button")).to_have_text(re.compile("Play"), timeout=10_000)
    wait_idle(tab, TIMEOUT)
    healthy(tab)
    text = tab.get_by_text(re.compile("Training step")).inner_text()
    tab.wait_for_timeout(1500)
    assert tab.get_by_text(re.compile("Training step")).inner_text() == text  # paused: no steps
    tab.locator(".st-key-tiny_typed input").fill("987123")
    tab.locator(".st-key-tiny_typed input").press("Enter")
    expect(tab.get_by_text("Input 9 8 7 1 2 3")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    tab.screenshot(path=str(ARTIFACTS / "tiny_transformer.png"), full_page=True)


def test_vit_attention_on_the_sample(tab: Page, url):
    open_page(tab, url, "/vit_attention", "Attention on images")
    expect(tab.get_by_text("Averaged over heads")).to_be_visible(timeout=TIMEOUT)
    tab.get_by_text("last layer, class token").click()
    expect(tab.get_by_text("head 11", exact=True)).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "vit_attention.png"), full_page=True)

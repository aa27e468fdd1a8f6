"""The pretrained pages OFFLINE in a real headless Chromium: with no hub model and no torchvision
weights, each page shows what the app's own models (trained on the server) make of the input.
Screenshots at 1366×768 and 1920×1080 go to ``artifacts/`` (gitignored); console errors fail."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .server import app_server, wait_idle
from .test_language_browser import ARTIFACTS, TIMEOUT, assert_healthy

SLOW = 240_000      # ms: the first visit trains the own GPT (seconds alone, minutes on a busy CI)


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    home = tmp_path_factory.mktemp("no_weights")
    with app_server(env={"PLAYGROUND_OFFLINE": "1", "PLAYGROUND_HF_DIR": "",
                         "TORCH_HOME": str(home), "PLAYGROUND_OWN_GPT_STEPS": "150"}) as u:
        yield u


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def tab(chromium, request):
    w, h = request.param
    ctx = chromium.new_context(viewport={"width": w, "height": h})
    pg = ctx.new_page()
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource") and pg.errors.append(m.text))
    # Streamlit's client first probes <page>/_stcore/health on a deep link (404), then the root
    pg.on("response", lambda r: r.status >= 400 and "/_stcore/" not in r.url
          and pg.errors.append(f"{r.status} {r.url}"))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.size = f"{w}x{h}"
    yield pg
    ctx.close()


def visit(tab: Page, url: str, path: str, heading: str):
    tab.goto(url + path)
    expect(tab.get_by_role("heading", name=heading)).to_be_visible(timeout=SLOW)
    wait_idle(tab, SLOW)
    assert_healthy(tab)


def done(tab: Page, name: str):
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / f"own_{name}_{tab.size}.png"))
    tab.screenshot(path=str(ARTIFACTS / f"own_{name}_{tab.size}_full.png"), full_page=True)
    assert not tab.errors, tab.errors


def test_attention_and_next_token_on_the_own_gpt(tab: Page, url):
    visit(tab, url, "/attention", "Attention in language models")
    expect(tab.locator(".st-key-attn_heat .heatmaplayer")).to_have_count(1, timeout=SLOW)
    assert tab.locator(".st-key-attn_lines .scatterlayer .trace").count() >= 3
    assert tab.get_by_text("press Show attention").count() == 0
    done(tab, "attention")
    visit(tab, url, "/next_token", "Next-token prediction")
    bars = tab.locator(".st-key-next_bars .barlayer .point")
    expect(bars.first).to_be_visible(timeout=SLOW)
    assert bars.count() == 20                                   # 10 tokens × 2 bars
    so_far = tab.get_by_test_id("stMarkdownContainer").filter(has_text="Text so far")
    before = so_far.inner_text()
    assert before.startswith("Text so far: And God said unto")
    tab.locator(".st-key-next_add button").click()
    expect(so_far).not_to_have_text(before, timeout=TIMEOUT)
    assert "+" in so_far.inner_text()                          # the generated character
    done(tab, "next_token")


def test_logit_lens_on_the_own_gpt(tab: Page, url):
    visit(tab, url, "/logit_lens", "Inside a language model's layers")
    expect(tab.locator(".st-key-lens_grid .heatmaplayer")).to_have_count(1, timeout=SLOW)
    expect(tab.get_by_text(re.compile("next token is most likely"))).to_be_visible()
    done(tab, "logit_lens")
    tab.get_by_role("tab", name="Which heads push it").click()
    expect(tab.locator(".st-key-lens_dla .heatmaplayer")).to_have_count(1, timeout=TIMEOUT)
    expect(tab.get_by_text(re.compile("Heads that push"))).to_be_visible()
    done(tab, "logit_lens_heads")


def test_speech_sample_cnn_and_vit_offline(tab: Page, url):
    visit(tab, url, "/speech", "Speech to text")
    expect(tab.locator(".st-key-speech_wave .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    expect(tab.locator(".st-key-speech_spec .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    done(tab, "speech")
    visit(tab, url, "/cnn_inside", "Inside a pretrained CNN")
    expect(tab.get_by_text(re.compile(r"Test digit #0 is a"))).to_be_visible(timeout=SLOW)
    expect(tab.get_by_text("Grad-CAM", exact=True)).to_be_visible()
    done(tab, "cnn_inside")
    visit(tab, url, "/vit_attention", "Attention on images")
    expect(tab.get_by_text(re.compile(r"the ViT says"))).to_be_visible(timeout=SLOW)
    expect(tab.get_by_text(re.compile("197 tokens"))).to_be_visible()
    done(tab, "vit")

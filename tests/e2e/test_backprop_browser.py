"""Backprop step by step in a real headless Chromium: step through a whole forward and backward
pass, check the numbers on screen, screenshot it (``artifacts/``, gitignored); then the
gradient-flow page trains live."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from .server import ROOT, wait_idle

ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 30_000


def click(page: Page, key: str):
    page.locator(f'.st-key-{key}:not([data-stale="true"]) button').first.click()
    wait_idle(page)


def no_exception(page: Page):
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, "\n".join(exc.all_inner_texts())


def test_step_through_forward_and_backward(page: Page, app_url: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{app_url}/backprop", timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_text("Step 0 of 9")).to_be_visible(timeout=TIMEOUT)
    for k in range(1, 10):
        click(page, "bp_next")
        expect(page.get_by_text(f"Step {k} of 9")).to_be_visible(timeout=TIMEOUT)
        if k == 5:   # the output neuron's backward step: the chain rule with numbers
            expect(page.get_by_text("∂L/∂w(h₁→o) = ∂L/∂o · ∂o/∂z_o · ∂z_o/∂w(h₁→o)",
                                    exact=False).first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "backprop_backward.png"), full_page=True)
    no_exception(page)
    expect(page.get_by_text("Loss before: 0.0649  →  after one step: 0.0256", exact=False).first).to_be_visible()
    page.get_by_text("Check the gradients: autograd and finite differences").click()
    expect(page.get_by_text("max |backprop − autograd|")).to_be_visible()
    # the computation graph is drawn with the gradients (red numbers) of every node
    graph = page.locator('[data-testid="stPlotlyChart"]').first
    expect(graph).to_be_visible()
    expect(graph.locator("text").filter(has_text="−0.213").first).to_be_attached()
    page.screenshot(path=str(ARTIFACTS / "backprop_done.png"), full_page=True)
    click(page, "bp_apply")
    expect(page.get_by_text("Step 0 of 9")).to_be_visible(timeout=TIMEOUT)
    no_exception(page)


def test_gradient_flow_trains_live(page: Page, app_url: str):
    page.goto(f"{app_url}/gradient_flow", timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_text("Vanishing gradients", exact=False).first).to_be_visible(timeout=TIMEOUT)
    play = page.locator('.st-key-gf_play:not([data-stale="true"]) button').first
    play.click()                      # the page keeps running while it plays: no wait_idle here
    expect(page.locator('.st-key-gf_play button').first).to_contain_text("Pause", timeout=TIMEOUT)
    page.wait_for_timeout(2500)
    expect(page.get_by_text("Epoch 0 ", exact=False)).to_have_count(0)
    page.locator('.st-key-gf_play button').first.click()
    wait_idle(page)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "gradient_flow.png"), full_page=True)

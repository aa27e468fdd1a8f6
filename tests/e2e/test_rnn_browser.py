"""The recurrent-networks page in a real headless Chromium: Play trains live, the hidden state shows.

Screenshots go to ``artifacts/`` (gitignored) for a human look.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .server import ROOT, wait_idle

ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 30_000  # ms; generous because the 2 cores are shared
STEP_JS = r"""() => {
    for (const el of document.querySelectorAll('[data-testid="stMarkdown"]')) {
        if (el.closest('[data-stale="true"]')) continue;
        const m = el.innerText.match(/Training step\s+([\d,]+)/);
        if (m) return parseInt(m[1].replace(/,/g, ''), 10);
    }
    return null;
}"""


def steps(page: Page) -> int:
    value = page.evaluate(STEP_JS)
    assert value is not None, "no 'Training step N' text on the page"
    return value


def button(page: Page, key: str):
    return page.locator(f'.st-key-{key}:not([data-stale="true"]) button').first


def assert_healthy(page: Page) -> None:
    """No exception box and no dialog (such as Streamlit's "Page not found")."""
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, "exception box:\n" + "\n".join(exc.all_inner_texts())
    dialog = page.locator('[role="dialog"]')
    assert dialog.count() == 0, "unexpected dialog: " + " | ".join(dialog.all_inner_texts())


def test_play_trains_live_and_shows_the_hidden_state(page, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(app_url + "/recurrent?task=memory&delay=12")
    expect(page.get_by_role("heading", name=re.compile("Recurrent networks"))).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert_healthy(page)
    assert steps(page) == 0

    button(page, "rnn_play").click()
    expect(button(page, "rnn_play")).to_contain_text("Pause", timeout=TIMEOUT)
    page.wait_for_function(f"() => ({STEP_JS})() > 0", timeout=TIMEOUT)  # frames are arriving
    page.wait_for_timeout(3000)
    button(page, "rnn_play").click()
    expect(button(page, "rnn_play")).to_contain_text("Play", timeout=TIMEOUT)
    wait_idle(page)
    trained = steps(page)
    assert trained > 20, f"only {trained} training steps in a few seconds of Play"
    page.wait_for_timeout(1500)
    assert steps(page) == trained  # paused means paused

    heatmap = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Hidden state h_t")
    heatmap.scroll_into_view_if_needed()
    expect(heatmap).to_be_visible(timeout=TIMEOUT)
    expect(heatmap).to_contain_text("16 units × 13 time steps")
    assert heatmap.locator(".hm image, .heatmaplayer image").count() >= 1  # the heatmap is drawn
    heatmap.screenshot(path=str(ARTIFACTS / "rnn_hidden_state.png"))
    page.screenshot(path=str(ARTIFACTS / "rnn_after_play.png"))
    assert_healthy(page)

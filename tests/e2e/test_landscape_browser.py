"""The activation and loss-landscape pages in a real headless Chromium: the figures render, the
paths animate in the browser, and a click on the map sets the start point.

Screenshots go to ``artifacts/`` (gitignored) for a human look.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .server import ROOT, wait_idle

ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 30_000
PLOTS = "Array.from(document.querySelectorAll('.js-plotly-plot'))"


def js(expr: str) -> str:
    """A browser function returning ``expr``, where PLOTS is every Plotly figure on the page."""
    return "() => " + expr.replace("PLOTS", PLOTS)


def assert_healthy(page: Page) -> None:
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, "exception box:\n" + "\n".join(exc.all_inner_texts())


def test_activations_page_renders(page, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(app_url + "/activations?acts=tanh,sigmoid,gelu")
    expect(page.get_by_role("heading", name="Activation functions")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert_healthy(page)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(5, timeout=TIMEOUT)
    expect(page.get_by_text(re.compile(r"f′ < 0.05 for \|x\| > 2.2"))).to_be_visible()
    # the saturated parts of tanh are shaded: two rectangles in its figure
    shaded = page.evaluate(js("PLOTS.map(g => (g.layout.shapes || []).length)"))
    assert shaded[:4] == [0, 2, 2, 2], shaded  # comparison, tanh, sigmoid, gelu
    page.screenshot(path=str(ARTIFACTS / "activations.png"), full_page=True)


def test_landscape_renders_animates_and_takes_a_click(page, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(app_url + "/loss_landscape")
    expect(page.get_by_role("heading", name="Loss landscape and optimizers")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert_healthy(page)
    page.wait_for_function(js("PLOTS.length >= 2"), timeout=TIMEOUT)
    info = page.evaluate(js("""PLOTS.slice(0, 1).map(g => ({
        traces: g.data.length, frames: (g._transitionData && g._transitionData._frames || []).length,
        types: g.data.map(d => d.type), menus: g.layout.updatemenus.length}))"""))
    assert info[0]["frames"] > 10 and info[0]["menus"] == 1, info     # one Play for both
    assert "surface" in info[0]["types"] and "scatter3d" in info[0]["types"]
    the_map = page.locator(".js-plotly-plot").first.locator(".imagelayer image")
    assert the_map.count() >= 1  # the map is drawn (an image under the axes)
    full = page.evaluate(js("PLOTS[0].data.slice(-4).map(d => d.x.length)"))

    # Play: the paths restart from the start point and grow, all in the browser
    page.locator(".js-plotly-plot").first.locator(".updatemenu-button").first.click()
    page.wait_for_timeout(700)
    during = page.evaluate(js("PLOTS[0].data.slice(-4).map(d => d.x.length)"))
    assert max(during) < max(full), (during, full)
    assert the_map.count() >= 1  # still there while the paths move (a contour trace went blank)
    page.wait_for_function(js(f"PLOTS[0].data.slice(-4).every((d, i) => d.x.length === {full}[i])"),
                           timeout=4 * TIMEOUT)   # the 3-D surface redraws per frame: slow without a GPU
    page.screenshot(path=str(ARTIFACTS / "loss_landscape.png"), full_page=True)

    # a click on the map becomes the new start (x: 70 % of the width, y: 30 % from the top, i.e.
    # (1.2, 1.2): a clickable grid point, every 0.2 on the valley's [-3, 3] x [-3, 3])
    box = page.locator(".js-plotly-plot").first.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    expect(page.locator(".st-key-ll_start_a_valley input")).to_have_value("1.200", timeout=TIMEOUT)
    expect(page.locator(".st-key-ll_start_b_valley input")).to_have_value("1.200", timeout=TIMEOUT)
    wait_idle(page)
    start = page.evaluate(js("PLOTS[0].data.find(d => d.name === 'start')"))
    assert (start["x"], start["y"]) == ([1.2], [1.2])
    assert_healthy(page)
    expect(page.get_by_text("Who reaches the minimum first?")).to_be_visible()
    assert "start=1.2%2C1.2" in page.url or "start=1.2,1.2" in page.url
    page.screenshot(path=str(ARTIFACTS / "loss_landscape_clicked.png"), full_page=True)

    # type another start, then click the same spot again: the click still counts
    field = page.locator(".st-key-ll_start_a_valley input")
    field.fill("-1")
    field.press("Enter")
    wait_idle(page)
    expect(field).to_have_value("-1.000", timeout=TIMEOUT)
    box = page.locator(".js-plotly-plot").first.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    expect(field).to_have_value("1.200", timeout=TIMEOUT)
    wait_idle(page)
    assert_healthy(page)

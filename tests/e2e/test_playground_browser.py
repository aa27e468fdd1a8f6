"""The Neural network playground in a real headless Chromium against the real app.

The live part trains and draws in the browser (a components-v2 component in a shadow root):
Play / Pause / Step / Reset act there, Python hears reports. What a user does: open the page
(directly or from Home), play and pause, step, reset, click a neuron and edit a weight, click
an input feature and the layer buttons, share a link with settings and hidden groups, drive
the network into divergence, upload a CSV, compare two networks. Screenshots at a laptop's
1366×768 and a projector's 1920×1080 go to ``artifacts/`` (gitignored) for a human look.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .server import ROOT, wait_idle

ARTIFACTS = ROOT / "artifacts"
EXCEPTION = '[data-testid="stException"]'
TIMEOUT = 30_000  # ms; generous because the machine is shared
HOST = '[data-testid="stBidiComponentIsolated"]'
# inside the component's shadow root (Playwright's CSS locators pierce open shadow roots)
PLAY, STEP, RESET = "button.pg-primary", "button[aria-label=Step]", "button[aria-label=Reset]"
EPOCH_JS = f"() => {{ const h = document.querySelector('{HOST}'); return h && h.pgView && h.pgView.s ? h.pgView.s.epoch : null; }}"
DIVERGING = "dataset=reg_plane&lr=10&layers=8,8&acts=relu,relu"
# the 404s Streamlit's own frontend gets when it probes /<page>/_stcore/... on a deep link
IGNORED = re.compile(r"Failed to load resource: the server responded with a status of 404")


def playground_path() -> str:
    src = (ROOT / "app.py").read_text(encoding="utf-8")
    m = re.search(r'st\.Page\(\s*["\']pages/playground\.py["\'][^)]*?url_path\s*=\s*["\']([^"\']+)', src, re.S)
    return "/" + (m.group(1) if m else "playground")


PATH = playground_path()


@pytest.fixture(scope="module", autouse=True)
def _artifacts():
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture
def laptop(chromium, app_url):
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
    pg = ctx.new_page()
    errors = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and not IGNORED.search(m.text) else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    ctx.close()


def open_playground(page: Page, app_url: str, query: str = "") -> None:
    page.goto(app_url + PATH + (f"?{query}" if query else ""))
    wait_idle(page)
    expect(page.locator(PLAY)).to_be_visible(timeout=TIMEOUT)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).all_inner_texts()


def epoch(page: Page) -> int:
    return page.evaluate(EPOCH_JS)


def wait_epoch(page: Page, condition: str, timeout: float = TIMEOUT) -> int:
    page.wait_for_function(f"() => {{ const e = ({EPOCH_JS})(); return e !== null && ({condition}); }}",
                           timeout=timeout)
    return epoch(page)


def shot(page: Page, name: str) -> None:
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def python_epoch(page: Page) -> str:
    """What the server knows: the gradient-flow sentence is rebuilt from each report."""
    return " ".join(page.locator('[data-testid="stCaptionContainer"]').all_inner_texts())


# ---- tests --------------------------------------------------------------------------------
def test_home_links_to_the_playground(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("link", name=re.compile("Neural network playground")).first.click()
    expect(page.locator(PLAY)).to_be_visible(timeout=TIMEOUT)


def test_one_screen_on_a_laptop_and_a_projector(laptop, app_url, chromium):
    open_playground(laptop, app_url, "dataset=spiral&layers=8,8")
    for sel in (PLAY, ".pg-diagram", ".pg-outcanvas", ".pg-loss"):
        box = laptop.locator(sel).first.bounding_box()
        assert box and box["y"] + min(box["height"], 60) <= 768, (sel, box)   # visible without scrolling
    dataset = laptop.locator(".st-key-pg_dataset").bounding_box()
    assert dataset and dataset["y"] < 768
    labels = laptop.locator(".pg-flabel").all_inner_texts()
    assert labels[:2] == ["X₁", "X₂"] and len(labels) == 7      # the inputs are labelled
    shot(laptop, "playground_1366")
    ctx = chromium.new_context(viewport={"width": 1920, "height": 1080})
    big = ctx.new_page()
    open_playground(big, app_url, "dataset=spiral&layers=8,8")
    big.locator(PLAY).click()
    big.wait_for_timeout(1500)
    big.locator(PLAY).click()
    # every link meets its neurons: its ends sit on the boxes' edges
    ends = big.evaluate("""() => {
        const root = document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot;
        const svg = root.querySelector('.pg-links').getBoundingClientRect();
        const boxes = [...root.querySelectorAll('.pg-node:not(.pg-off)')].map(b => b.getBoundingClientRect());
        const miss = [];
        for (const p of root.querySelectorAll('.pg-link')) {
          const m = p.getAttribute('d').match(/M([\\d.]+),([\\d.]+) C.* ([\\d.]+),([\\d.]+)$/);
          for (const [x, y] of [[+m[1], +m[2]], [+m[3], +m[4]]]) {
            const X = svg.left + x, Y = svg.top + y;
            if (!boxes.some(b => Math.abs(X - b.left) < 2.5 || Math.abs(X - b.right) < 2.5) ||
                !boxes.some(b => Y > b.top && Y < b.bottom)) miss.push([x, y]);
          }
        }
        return {links: root.querySelectorAll('.pg-link').length, miss};
    }""")
    assert ends["links"] == 2 * 8 + 8 * 8 + 8 and ends["miss"] == []
    shot(big, "playground_1920")
    ctx.close()
    assert laptop.errors == []


def test_play_pause_step_reset_in_the_browser(laptop, app_url):
    open_playground(laptop, app_url, "dataset=xor")
    before = python_epoch(laptop)
    laptop.locator(PLAY).click()
    expect(laptop.locator(PLAY)).to_contain_text("Pause", timeout=2000)
    wait_epoch(laptop, "e > 200")
    t = laptop.evaluate("performance.now()")
    laptop.locator(PLAY).click()
    laptop.wait_for_function(f"() => document.querySelector('{HOST}').shadowRoot.querySelector('{PLAY}').textContent.includes('Play')")
    assert laptop.evaluate("performance.now()") - t < 1000            # Pause answers at once
    laptop.wait_for_timeout(400)        # the worker ends its chunk (≤ 14 ms) and posts its last frame
    e1 = epoch(laptop)
    laptop.wait_for_timeout(800)
    assert epoch(laptop) == e1                                           # and stays paused
    laptop.wait_for_function(                                            # the counter shows it
        f"() => document.querySelector('{HOST}').shadowRoot.querySelector('.pg-epochnum')"
        f".textContent.replace(/,/g, '') === '{e1}'", timeout=TIMEOUT)
    laptop.wait_for_function(f"() => {{ const c = [...document.querySelectorAll('[data-testid=stCaptionContainer]')].map(e => e.innerText).join(' '); return c !== {before!r}; }}", timeout=TIMEOUT)
    laptop.locator(STEP).click()
    wait_epoch(laptop, f"e === {e1 + 1}")
    laptop.locator(RESET).click()
    wait_epoch(laptop, "e === 0")
    shot(laptop, "playground_paused")
    assert laptop.errors == []


def test_click_a_neuron_and_edit_a_weight_beside_the_network(laptop, app_url):
    open_playground(laptop, app_url)
    laptop.locator(".pg-node.pg-click:not(.pg-input)").first.click()
    panel = laptop.locator(".pg-panel")
    expect(panel).to_be_visible()
    diagram = laptop.locator(".pg-diagram").bounding_box()
    box = panel.bounding_box()
    assert box["y"] < diagram["y"] + diagram["height"] and box["y"] + 100 < 768   # beside, not below
    field = panel.locator("input").nth(1)   # the first incoming weight
    field.fill("2.5")
    field.press("Enter")
    laptop.wait_for_function(f"() => document.querySelector('{HOST}').pgView.s.nets[0].net.theta[0] === 2.5")
    field.fill("1e9")
    field.press("Enter")
    expect(panel).to_contain_text("Clamped")
    shot(laptop, "playground_neuron")
    assert laptop.errors == []


def test_inputs_and_layers_clicked_in_the_diagram(laptop, app_url):
    open_playground(laptop, app_url)
    laptop.locator(".pg-input.pg-off").first.click()             # use X₁² too
    laptop.wait_for_url(re.compile("features=x1%2Cx2%2Cx1sq|features=x1,x2,x1sq"), timeout=TIMEOUT)
    wait_idle(laptop)
    laptop.locator(".pg-layers button", has_text="+").click()      # one more hidden layer
    laptop.wait_for_url(re.compile("layers=4%2C2%2C2|layers=4,2,2"), timeout=TIMEOUT)
    wait_idle(laptop)
    assert laptop.locator(".pg-node.pg-click:not(.pg-input)").count() == 4 + 2 + 2 + 1
    assert laptop.errors == []


def test_settings_come_from_and_go_to_the_url(laptop, app_url):
    open_playground(laptop, app_url, "dataset=spiral&layers=8,8&acts=relu,relu&lr=0.01&hide=data,training")
    assert laptop.locator(".st-key-pg_dataset").count() == 0 and laptop.locator(".st-key-pg_lr").count() == 0
    assert laptop.locator(".pg-node.pg-click:not(.pg-input)").count() == 17
    assert "relu" in laptop.locator(".pg-hlabel").first.inner_text().lower()


def test_divergence_pauses_and_explains(laptop, app_url):
    open_playground(laptop, app_url, DIVERGING + "&speed=20")
    laptop.locator(PLAY).click()
    msg = laptop.locator(".pg-msg.pg-bad")
    expect(msg).to_contain_text("diverged", timeout=TIMEOUT)
    expect(msg).to_contain_text("learning rate (10)")
    expect(laptop.locator(PLAY)).to_contain_text("Play")
    shot(laptop, "playground_diverged")


def test_csv_upload_and_side_by_side(laptop, app_url, tmp_path):
    rows = ["x1,x2,label"] + [f"{x},{y},{1 if x * y > 0 else 0}" for x in range(-4, 5) for y in range(-4, 5) if x and y]
    f = tmp_path / "mine.csv"
    f.write_text("\n".join(rows), encoding="utf-8")
    open_playground(laptop, app_url, "compare=true&b_act=relu")
    laptop.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(f))
    wait_idle(laptop)
    expect(laptop.locator(PLAY)).to_be_visible(timeout=TIMEOUT)
    laptop.wait_for_function(f"() => {{ const s = document.querySelector('{HOST}').pgView.s; return s.train.n + s.test.n === {len(rows) - 1}; }}", timeout=TIMEOUT)
    assert laptop.locator(".pg-outcanvas").count() == 2
    laptop.locator(PLAY).click()
    wait_epoch(laptop, "e > 20")
    laptop.locator(PLAY).click()
    shot(laptop, "playground_csv_compare")
    assert laptop.errors == []

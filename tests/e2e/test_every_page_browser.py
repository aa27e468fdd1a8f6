"""Every page of the app, in a real browser, at a classroom laptop's and a projector's size.

The pages are read from app.py (every ``st.Page``), so a new page is visited without editing this
test. Each page must render without a Streamlit exception box and without an error in the browser
console; a full-page screenshot of each is saved under ``$PLAYGROUND_ARTIFACTS`` (default: a
temporary folder, never committed) for a person to look at, one per screenful.
"""
from __future__ import annotations

import ast
import os
import re
import tempfile
from pathlib import Path

import pytest

from .server import ROOT, app_server, wait_idle

VIEWPORTS = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
ARTIFACTS = Path(os.environ.get("PLAYGROUND_ARTIFACTS") or Path(tempfile.gettempdir()) / "dlp-screens")
SETTLE_MS = 1000    # Plotly and images draw after the script finished
# Opened by its own address (a teacher's link), a page makes Streamlit's frontend look for the
# server one folder up first: /<page>/_stcore/health and /host-config answer 404 by design.
BASE_PATH_PROBE = re.compile(r"/[a-z_]+/_stcore/(health|host-config)$")


def app_pages() -> list[tuple[str, str]]:
    """(url path, title) of every st.Page in app.py; the default page has the path ""."""
    out = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            kw = {k.arg: k.value for k in node.keywords}
            if "default" in kw and ast.literal_eval(kw["default"]):
                path = ""
            elif "url_path" in kw:
                path = ast.literal_eval(kw["url_path"])
            else:
                path = Path(ast.literal_eval(node.args[0])).stem
            out.append((path, ast.literal_eval(kw["title"])))
    return out


PAGES = app_pages()


def test_every_page_of_app_py_is_found():
    paths = [p for p, _ in PAGES]
    assert "" in paths and "playground" in paths and len(paths) == len(set(paths)) >= 15
    on_disk = {p.stem for p in (ROOT / "pages").glob("*.py")}
    assert set(paths) - {""} <= on_disk


def shoot(page, name: str, height: int, parts: int = 4):
    """The page as a student scrolls through it: one screenshot per screenful (Streamlit scrolls
    its main area, not the window, so a "full page" screenshot would show only the first one)."""
    main = page.locator('[data-testid="stMain"]')
    total = main.evaluate("e => e.scrollHeight")
    for i, y in enumerate(range(0, min(total, parts * height), height - 80)):
        main.evaluate(f"e => e.scrollTo(0, {y})")
        page.wait_for_timeout(150)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{i}.png"))
    main.evaluate("e => e.scrollTo(0, 0)")


@pytest.fixture(scope="module")
def offline_url():
    with app_server(env={"PLAYGROUND_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}) as url:
        yield url


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_page_renders_without_errors(chromium, offline_url, size):
    width, height = VIEWPORTS[size]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = chromium.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    errors: list[str] = []
    current = {"path": ""}

    def console(m):
        if m.type == "error" and not BASE_PATH_PROBE.search(m.location.get("url", "")):
            errors.append(f"/{current['path']}: console {m.text[:300]} {m.location.get('url', '')}")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(f"/{current['path']}: page error {str(e)[:300]}"))
    try:
        for path, title in PAGES:
            current["path"] = path
            page.goto(f"{offline_url}/{path}")
            wait_idle(page, timeout=120_000)
            page.wait_for_timeout(SETTLE_MS)
            wait_idle(page, timeout=120_000)
            boxes = page.locator('[data-testid="stException"]')
            if boxes.count():
                errors.append(f"/{path}: exception box: {boxes.first.inner_text()[:300]}")
            if not page.get_by_role("heading").count():
                errors.append(f"/{path}: no heading rendered ({title})")
            shoot(page, f"{size}-{path or 'home'}", height)
    finally:
        ctx.close()
    assert not errors, "\n".join(errors)

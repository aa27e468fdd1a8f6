import os

import pytest

from .server import app_server, browser, chromium_path


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium():
    """A launched headless Chromium; skipped without one, except in CI where that fails."""
    if chromium_path() is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI needs Chromium for the browser tests (apt-get install -y chromium)")
        pytest.skip("no Chromium installed (apt-get install -y chromium)")
    with browser() as b:
        yield b


@pytest.fixture(scope="session")
def app_url():
    with app_server() as url:
        yield url


@pytest.fixture
def page(chromium, app_url):
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100})
    pg = ctx.new_page()
    yield pg
    ctx.close()

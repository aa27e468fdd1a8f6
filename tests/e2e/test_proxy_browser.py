"""Two Streamlit replicas behind HAProxy (deploy/serve_class.py) in a real headless Chromium:
each browser sticks to one replica (cookie), two browsers are spread over both, and a page
load, an upload and the pictures the replica serves under /media/ all work through the proxy.

Needs Debian's haproxy (.ci/run installs it); skipped without it locally, fails in CI."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from .server import ROOT, wait_idle
from .test_vision_browser import no_exception, photo_png

sys.path.insert(0, str(ROOT / "deploy"))
from serve_class import Class, haproxy_config, replica_env  # noqa: E402

pytestmark = pytest.mark.proxy
TIMEOUT = 90_000


def _haproxy() -> str | None:
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)


@pytest.fixture(scope="module")
def proxied():
    if _haproxy() is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI needs HAProxy for the multi-process test (apt-get install -y haproxy)")
        pytest.skip("no HAProxy installed (apt-get install -y haproxy)")
    (ROOT / "artifacts").mkdir(exist_ok=True)
    # one database for every replica: CI's PostgreSQL (.ci/run sets PLAYGROUND_TEST_PG), else a
    # SQLite file (WAL: several processes of one machine share it)
    db = os.environ.get("PLAYGROUND_TEST_PG") or os.path.join(
        tempfile.mkdtemp(prefix="dlp-class-db-"), "board.sqlite")
    with Class(replicas=2, db=db) as cls:
        cls.test_db = db
        yield cls


def test_config_lists_every_replica_with_its_sticky_cookie():
    cfg = haproxy_config("127.0.0.1:9000", [8501, 8502, 8503])
    for i, p in enumerate((8501, 8502, 8503), 1):
        assert f"server app{i} 127.0.0.1:{p} check cookie app{i}" in cfg
    assert "cookie DLP_REPLICA insert" in cfg and "bind 127.0.0.1:9000" in cfg and "@" not in cfg
    env = replica_env(2, "postgresql://u@127.0.0.1/db", base={})
    assert env["PLAYGROUND_DB"] == "postgresql://u@127.0.0.1/db" and env["PLAYGROUND_MODEL_MB"] == "500"
    assert env["OMP_NUM_THREADS"] == "1"
    assert replica_env(1, None, base={"OMP_NUM_THREADS": "2"})["OMP_NUM_THREADS"] == "2"   # kept if set


def _replica_of(context) -> str:
    return {c["name"]: c["value"] for c in context.cookies()}.get("DLP_REPLICA", "")


def test_two_browsers_two_replicas_upload_and_images_through_the_proxy(chromium, proxied):
    url = proxied.url
    assert urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
        url + "/_stcore/health", timeout=10).read() == b"ok"
    seen = set()
    for n in range(2):
        ctx = chromium.new_context(viewport={"width": 1400, "height": 2000})
        page: Page = ctx.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "/convolution")
        expect(page.get_by_role("heading", name="Convolution lab")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page, TIMEOUT)
        replica = _replica_of(ctx)
        assert replica in ("app1", "app2"), ctx.cookies()
        seen.add(replica)
        page.locator('[data-testid="stRadio"]').first.get_by_text("Upload").click()
        wait_idle(page, TIMEOUT)
        page.locator('input[type="file"]').first.set_input_files(
            {"name": f"photo{n}.png", "mimeType": "image/png", "buffer": photo_png()})
        expect(page.get_by_text(f"photo{n}.png · 640×480")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("Output: 254×190")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page, TIMEOUT)
        no_exception(page)
        # the uploaded photo is served by this replica under /media/ and must load through the proxy
        media = page.locator('img[src*="/media/"]')
        assert media.count() >= 1
        sizes = media.evaluate_all("els => els.map(e => [e.complete, e.naturalWidth])")
        assert all(done and w > 0 for done, w in sizes), sizes
        assert _replica_of(ctx) == replica               # the same replica all along
        page.screenshot(path=str(ROOT / "artifacts" / f"proxy_replica_{replica}.png"), full_page=True)
        assert not [e for e in errors if "media" in e or "WebSocket" in e], errors
        ctx.close()
    assert seen == {"app1", "app2"}                      # two browsers, spread over both replicas
    assert proxied.alive()


def test_class_board_submissions_from_both_replicas_land_in_one_database(chromium, proxied):
    """Two students, each stuck to another replica, train the playground in their browsers and
    "Submit this run": both entries are in the one database the replicas share."""
    from playground.classboard import Board

    code, _ = Board(proxied.test_db).create_class("Through the proxy")
    replicas = set()
    for n, nick in enumerate(("Ada", "Grace")):
        ctx = chromium.new_context(viewport={"width": 1366, "height": 900})
        page: Page = ctx.new_page()
        page.goto(proxied.url + "/playground?dataset=xor")
        play = page.locator("button.pg-primary")
        expect(play).to_be_visible(timeout=TIMEOUT)
        replicas.add(_replica_of(ctx))
        play.click()
        page.wait_for_timeout(1500)
        play.click()                                      # Pause: the browser reports its run
        page.get_by_role("button", name="Submit this run").first.click(timeout=TIMEOUT)
        page.get_by_role("textbox", name="Class code").fill(code)
        page.get_by_role("textbox", name="Nickname").fill(nick)
        page.get_by_role("button", name="Join the class").click()
        wait_idle(page, TIMEOUT)
        submit = page.locator(".st-key-pg_board_submit button")
        if not submit.is_visible():                       # the popover closed with the rerun
            page.locator('[data-testid="stPopover"] button').first.click(timeout=TIMEOUT)
        submit.click(timeout=TIMEOUT)
        expect(page.get_by_text("Submitted")).to_be_visible(timeout=TIMEOUT)
        no_exception(page)
        ctx.close()
    subs = Board(proxied.test_db).submissions(code)
    assert sorted(s["nickname"] for s in subs) == ["Ada", "Grace"]
    assert all(s["link"].startswith("/playground?dataset=xor") and s["epochs"] > 0 for s in subs)
    assert replicas == {"app1", "app2"}

"""GAN, VAE and diffusion pages in a real headless Chromium: Play trains, Pause stops within a
second, the pictures are drawn; screenshots in ``artifacts/`` (gitignored) for a human look."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .server import app_server, wait_idle
from .test_language_browser import ARTIFACTS, TIMEOUT, assert_healthy, open_page


@pytest.fixture(scope="module")
def url():
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server(env={"PLAYGROUND_OFFLINE": "1", "OMP_NUM_THREADS": "1"}) as u:
        yield u


@pytest.fixture
def tab(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 2400})
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert errors == []


def play_pause(tab: Page, prefix: str, counter: str, at_least: int):
    tab.locator(f".st-key-{prefix}_play button").click()
    expect(tab.get_by_text(re.compile(counter + r" \*?\*?(\d{2,}|[%d-9])" % min(at_least, 9)))
           ).to_be_visible(timeout=TIMEOUT)
    tab.locator(f".st-key-{prefix}_play button").click()                       # Pause
    expect(tab.locator(f".st-key-{prefix}_play button")).to_have_text(re.compile("Play"), timeout=10_000)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    text = tab.get_by_text(re.compile(counter)).first.inner_text()
    tab.wait_for_timeout(1200)
    assert tab.get_by_text(re.compile(counter)).first.inner_text() == text       # paused: no steps


def test_gan_trains_and_steps_separately(tab: Page, url):
    open_page(tab, url, "/gan", "GAN on 2-D data")
    play_pause(tab, "gan", "Generator steps", 40)
    tab.locator(".st-key-gan_step_d button").first.click()
    wait_idle(tab, TIMEOUT)
    expect(tab.locator(".st-key-gan_plane .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    expect(tab.get_by_text("MMD to the target")).to_be_visible()
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "gan.png"))


def test_gan_on_uploaded_points_and_a_bad_file(tab: Page, url, tmp_path):
    good, bad = tmp_path / "heart.csv", tmp_path / "bad.csv"
    t = [i / 50 * 6.283 for i in range(200)]
    import math
    good.write_text("x,y\n" + "".join(f"{16 * math.sin(a) ** 3:.3f},{13 * math.cos(a) - 5 * math.cos(2 * a):.3f}\n"
                                        for a in t))
    bad.write_text("secret stuff\n" * 40)
    open_page(tab, url, "/gan?target=upload", "GAN on 2-D data")
    expect(tab.get_by_text(re.compile("Upload a CSV file of points"))).to_be_visible(timeout=TIMEOUT)
    tab.locator(".st-key-gan_upload input[type=file]").set_input_files(str(bad))
    expect(tab.get_by_text(re.compile("Need at least 10 rows"))).to_be_visible(timeout=TIMEOUT)
    assert tab.get_by_text("secret stuff").count() == 0
    tab.locator(".st-key-gan_upload input[type=file]").set_input_files(str(good))
    expect(tab.get_by_text(re.compile("200 points, centred and scaled"))).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "gan_upload.png"))


def test_gan_on_a_drawn_shape(tab: Page, url):
    open_page(tab, url, "/gan?target=draw", "GAN on 2-D data")
    expect(tab.get_by_text(re.compile("Draw a shape on the black square"))).to_be_visible(timeout=TIMEOUT)
    tab.wait_for_timeout(2000)                          # the canvas component becomes live
    canvas = [c for c in tab.locator("canvas").all() if (c.bounding_box() or {}).get("width") == 224]
    assert canvas, "the drawing canvas is missing"
    box = canvas[-1].bounding_box()
    tab.mouse.move(box["x"] + 40, box["y"] + 40)
    tab.mouse.down()
    for t in range(1, 30):                              # a diagonal stroke
        tab.mouse.move(box["x"] + 40 + t * 5, box["y"] + 40 + t * 5, steps=2)
    tab.mouse.up()
    expect(tab.get_by_text(re.compile("Draw a shape on the black square"))).to_have_count(0, timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    tab.locator(".st-key-gan_step button").first.click()
    expect(tab.get_by_text(re.compile(r"Generator steps \*?\*?[1-9]"))).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "gan_drawn.png"))


def test_vae_trains_and_shows_codes(tab: Page, url):
    open_page(tab, url, "/vae", "Variational autoencoder")
    play_pause(tab, "vae", "Step", 40)
    expect(tab.locator(".st-key-vae_chart_latent .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    expect(tab.get_by_text("Decoded from a grid of codes")).to_be_visible()
    tab.screenshot(path=str(ARTIFACTS / "vae.png"))


def test_diffusion_points_then_digits(tab: Page, url):
    open_page(tab, url, "/diffusion", "Diffusion models")
    play_pause(tab, "dif", "Training step", 40)
    expect(tab.locator(".st-key-dif_traj .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    expect(tab.locator(".st-key-dif_field .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    tab.screenshot(path=str(ARTIFACTS / "diffusion_points.png"))
    open_page(tab, url, "/diffusion?data=digits&digit=7", "Diffusion models")
    play_pause(tab, "dif", "Training step", 40)
    expect(tab.get_by_text(re.compile("Six samples of the digit 7"))).to_be_visible(timeout=TIMEOUT)
    tab.screenshot(path=str(ARTIFACTS / "diffusion_digits.png"))

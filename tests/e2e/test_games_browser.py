"""Learning to play in a real headless Chromium: the grid world trains live, the tic-tac-toe
agent trains, answers a move and explains a click on a taken cell; screenshots in
``artifacts/`` (gitignored)."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .server import ROOT, wait_idle
from .test_backprop_browser import no_exception

ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 30_000


def button(page: Page, key: str):
    return page.locator(f'.st-key-{key}:not([data-stale="true"]) button').first


def test_grid_world_trains_live(page: Page, app_url: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{app_url}/grid_world", timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_text("Episode 0 ", exact=False)).to_be_visible(timeout=TIMEOUT)
    button(page, "grid_play").click()            # plays until paused: no wait_idle here
    expect(button(page, "grid_play")).to_contain_text("Pause", timeout=TIMEOUT)
    page.wait_for_timeout(3000)
    button(page, "grid_play").click()
    wait_idle(page)
    expect(page.get_by_text("Episode 0 ", exact=False)).to_have_count(0)
    expect(page.get_by_text(re.compile(r"optimal in \d+ of 11 cells"))).to_be_visible()
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "games_grid_world.png"), full_page=True)
    # paint a wall by clicking the editor's cell in row 0, column 1
    page.get_by_text("Edit the maze: click cells to paint them").click()
    area = page.locator(".st-key-grid_editor_0 .nsewdrag").first
    expect(area).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(800)                   # the expander has finished opening
    box = area.bounding_box()
    page.mouse.move(box["x"] + 1.5 / 4 * box["width"], box["y"] + 0.5 / 4 * box["height"])
    expect(page.get_by_text("click to paint row 0, column 1")).to_be_visible(timeout=TIMEOUT)
    page.mouse.click(box["x"] + 1.5 / 4 * box["width"], box["y"] + 0.5 / 4 * box["height"])
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"optimal in 0 of 10 cells"))).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("textbox", name="Your maze")).to_have_value("S#..\n.##.\n.T#.\n...G")
    no_exception(page)


def test_tictactoe_trains_and_plays_a_move(page: Page, app_url: str):
    page.goto(f"{app_url}/tictactoe", timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_text("Self-play games 0 ", exact=False)).to_be_visible(timeout=TIMEOUT)
    button(page, "ttt_step").click()
    wait_idle(page)
    expect(page.get_by_text("Self-play games 160 ", exact=False)).to_be_visible(timeout=TIMEOUT)
    button(page, "ttt_cell_4").click()           # X in the centre; the agent answers with an O
    wait_idle(page)
    expect(button(page, "ttt_cell_4")).to_have_text("X")
    expect(page.locator('[class*="st-key-ttt_cell_"] button').filter(has_text="O")).to_have_count(1)
    button(page, "ttt_cell_4").click()           # a taken cell: a message, no traceback
    wait_idle(page)
    expect(page.get_by_text("That cell is taken")).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(2)   # chart and board
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "games_tictactoe.png"), full_page=True)

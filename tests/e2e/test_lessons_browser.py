"""Lessons and the class board in a real headless Chromium: predict, reveal, open the step with
its focused (navigation-less) page; a teacher starts a class, a student submits a CNN run from
another browser, the leaderboard shows it. Screenshots go to artifacts/."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .server import ROOT, app_server, wait_idle
from .test_vision_browser import no_exception

ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 60_000
SIZES = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def class_url():
    ARTIFACTS.mkdir(exist_ok=True)
    db = Path(tempfile.mkdtemp(prefix="dlp-board-")) / "classes.sqlite3"
    with app_server(env={"PLAYGROUND_DB": str(db), "PLAYGROUND_OFFLINE": "1"}) as url:
        yield url


# Opening a deep link (/lessons), Streamlit's frontend first looks for its server under that
# path (/lessons/_stcore/health, /host-config), gets 404 and falls back to /_stcore: not ours.
PROBE = re.compile(r"/\w+/_stcore/(health|host-config)$")


def browser_page(chromium, size, errors: list) -> Page:
    ctx = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    probes = []

    def response(r):
        if r.status >= 400:
            (probes if r.status == 404 and PROBE.search(r.url) else errors).append(f"{r.status} {r.url}")

    def console(m):
        if m.type == "error" and not (probes and "404 (Not Found)" in m.text):
            errors.append(m.text)
    page.on("response", response)
    page.on("console", console)
    return page


def open_at(page: Page, url: str, heading: str):
    page.goto(url)
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)


def shoot(page: Page, name: str):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_predict_then_reveal_and_open_the_focused_step(chromium, class_url, size):
    errors = []
    page = browser_page(chromium, size, errors)
    open_at(page, class_url + "/lessons?lesson=06_cnn", "Convolution and CNNs")
    step = page.locator(".st-key-les_step_06_cnn_0")
    expect(step.get_by_role("button", name="Open this step")).to_be_disabled()
    step.get_by_label("Your prediction (pixels)").fill("12")
    step.get_by_role("button", name="Lock in my prediction").click()
    wait_idle(page, TIMEOUT)
    step.get_by_role("button", name="Reveal the measured result").click()
    wait_idle(page, TIMEOUT)
    expect(step.get_by_text(re.compile(r"Not what you predicted\. Measured: .*13×13 output"))).to_be_visible()
    no_exception(page)
    shoot(page, f"lessons_reveal_{size[0]}")

    # step 2 (Train a CNN, hide=data): answered on the page itself, before its Play button
    page.locator(".st-key-les_step_06_cnn_1").get_by_text("16 and 32 channels").click()
    page.locator(".st-key-les_step_06_cnn_1").get_by_role("button", name="Lock in my prediction").click()
    wait_idle(page, TIMEOUT)
    page.locator(".st-key-les_step_06_cnn_1").get_by_role("button", name="Open this step").click()
    expect(page.get_by_role("heading", name="Train a CNN")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)
    assert "c1=2" in page.url and "hide=data" in page.url and "lesson_step=06_cnn.2" in page.url
    gate = page.locator(".st-key-lesson_gate")
    expect(gate.get_by_text("Lesson: Convolution and CNNs")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Play"))).to_be_visible()
    expect(page.get_by_text("Data set", exact=True)).to_have_count(0)        # hidden by the step
    no_exception(page)
    shoot(page, f"lessons_step_cnn_{size[0]}")
    assert not errors, errors
    page.context.close()


def test_a_focused_link_hides_the_navigation(chromium, class_url):
    errors = []
    page = browser_page(chromium, SIZES[0], errors)
    open_at(page, class_url + "/gradient_flow?act=relu&hide=nav,dataset",
            "Vanishing and exploding gradients")
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    shoot(page, "lessons_focused_gradient_flow")
    page.goto(class_url + "/gradient_flow?act=relu")
    wait_idle(page, TIMEOUT)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(1)
    assert not errors, errors
    page.context.close()


def test_teacher_starts_a_class_student_submits_a_cnn_run(chromium, class_url):
    errors = []
    teacher = browser_page(chromium, SIZES[1], errors)
    open_at(teacher, class_url + "/board", "Class board")
    teacher.get_by_role("tab", name="Teacher").click()
    teacher.get_by_role("button", name="Start the class").click()
    wait_idle(teacher, TIMEOUT)
    shown = teacher.locator('[data-testid="stCode"]').first.inner_text()
    code = re.search(r"Class code:\s+(\w+)", shown).group(1)
    shoot(teacher, "board_teacher_started")

    student = browser_page(chromium, SIZES[0], errors)
    open_at(student, class_url + "/cnn_train?c1=4", "Train a CNN")
    student.get_by_role("button", name=re.compile("Step")).click()
    wait_idle(student, TIMEOUT)
    student.get_by_role("button", name="Submit this run").click()
    pop = student.locator('[data-testid="stPopoverBody"]')
    pop.get_by_role("textbox", name="Class code").fill(code)
    pop.get_by_role("textbox", name="Nickname").fill("<b>Zoë</b> 🚀")
    pop.get_by_role("button", name="Join the class").click()
    wait_idle(student, TIMEOUT)
    expect(student.get_by_text("Nicknames cannot contain < or >")).to_be_visible()
    pop = student.locator('[data-testid="stPopoverBody"]')
    pop.get_by_role("textbox", name="Nickname").fill("Zoë 🚀")
    pop.get_by_role("button", name="Join the class").click()
    wait_idle(student, TIMEOUT)
    if not student.locator('[data-testid="stPopoverBody"]').is_visible():
        student.get_by_role("button", name="Submit this run").click()
    pop = student.locator('[data-testid="stPopoverBody"]')
    pop.get_by_role("button", name="Submit this run").click()
    wait_idle(student, TIMEOUT)
    expect(student.get_by_text("Submitted. See it on the Class board page.")).to_be_visible(timeout=TIMEOUT)
    shoot(student, "board_student_submitted")

    expect(teacher.get_by_text("1 student on the board")).to_be_visible(timeout=15_000)  # live refresh
    grid = teacher.locator('[data-testid="stDataFrame"]')
    expect(grid).to_be_visible()
    no_exception(teacher)
    shoot(teacher, "board_leaderboard")
    assert not errors, errors
    student.context.close()
    teacher.context.close()

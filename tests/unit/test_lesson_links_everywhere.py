"""Every page that keeps settings offers "Make a lesson link", asks a lesson step's question
before its run controls, and is registered where lesson files are checked, under its own prefix.

Pages are read from app.py, so a new page is checked without editing this file. A page may draw
its settings through helpers (``playground/ui/vision_controls.py``), so every page needs the link
unless it is exempt with a reason; an exempt page must not keep settings itself (``ui.kept_or``,
``ui.kept``, the transport bar, the playground's setting widgets).
"""
import re

import pytest

from playground.lessons.pages import specs
from tests.pages.conftest import ROOT

APP = (ROOT / "app.py").read_text()
PAGES = re.findall(r'st\.Page\("pages/([a-z_]+)\.py"', APP)
KEEPS = re.compile(r"ui\.(kept_or|kept|setting_widget|transport)\(")

# Pages other helpers are converting right now; the lead empties this set after merging them.
PENDING: set[str] = set()   # every page converted
# Pages without settings of their own: nothing a lesson link could preset.
EXEMPT = {"home": "a map of the app's pages",
          "lessons": "the list of lessons itself (a step link opens the step's page)",
          "board": "the class board: a class code, not a setup"}


def source(page: str) -> str:
    return (ROOT / "pages" / f"{page}.py").read_text()


def test_the_pages_are_found_and_every_listed_page_exists():
    assert len(PAGES) >= 25 and "playground" in PAGES
    assert (PENDING | set(EXEMPT)) <= set(PAGES)
    for stem, url in re.findall(r'st\.Page\("pages/([a-z_]+)\.py"[^)]*?url_path="([a-z_]+)"', APP):
        assert stem == url                              # the lesson link's path is the file name


@pytest.mark.parametrize("page", [p for p in PAGES if p not in PENDING])
def test_a_page_with_settings_has_a_lesson_link_and_gate(page):
    text = source(page)
    if page in EXEMPT:
        assert not KEEPS.search(text), f"{page} keeps settings now: give it a lesson link"
        return
    assert f'ui.lesson_link(P, "{page}"' in text or f'ui.link_settings(P, "{page}"' in text, \
        f'{page}: add ui.lesson_link(P, "{page}") to the sidebar (or ui.link_settings)'
    assert f'ui.lesson_gate("{page}")' in text, f'{page}: call ui.lesson_gate("{page}") before its run controls'
    prefix = re.search(r'^P = "([a-z_]+)"', text, re.M)
    assert page in specs(), f"{page}: register it in playground/lessons/pages.py"
    assert prefix and specs()[page].prefix == prefix.group(1), f"{page}: its prefix differs from the spec's"


def test_a_pending_page_is_still_pending():
    for page in sorted(PENDING):   # while a page is being converted elsewhere
        assert 'ui.lesson_link(P' not in source(page) and 'ui.link_settings(P' not in source(page), \
            f"{page} has its lesson link now: remove it from PENDING"


HOSTILE = ["inf", "-inf", "nan", "", "abc", "1e999", "-1e999", "9" * 400, "0x10", "３", "1,2", ",,,"]


@pytest.mark.parametrize("page", [p for p, s in specs().items() if s.parse is not None])
def test_a_hostile_link_value_is_a_warning_never_an_exception(page):
    spec = specs()[page]
    for key in spec.keys or ("x",):
        for value in HOSTILE:
            values, warnings = spec.parse({key: value})      # raises nothing (inf overflowed an int)
            assert isinstance(values, dict) and isinstance(warnings, list)

"""The error boundary (ui.section): one broken section shows a message with an id that is in the
server log, the rest of the page keeps working, Streamlit's own st.rerun / st.stop pass through."""
import logging
import re

from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st

    from playground import ui

    with ui.section("Broken part"):
        st.write("before the error")
        {}["missing"]
    with ui.section("Working part"):
        st.write("still working")
    if st.button("stop", key="stop"):
        with ui.section("Stopping part"):
            st.stop()
    st.write("the end")


def test_a_broken_section_leaves_the_rest_of_the_page_working(monkeypatch, caplog):
    monkeypatch.setenv("PLAYGROUND_STRICT_ERRORS", "0")      # as deployed
    caplog.set_level(logging.ERROR, logger="playground.errors")
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "before the error" in texts and "still working" in texts and "the end" in texts
    (msg,) = [e.value for e in at.error]
    assert "Broken part" in msg and "KeyError" not in msg and "missing" not in msg
    ident = re.search(r"error id \*\*([0-9a-f]{8})\*\*", msg).group(1)
    logged = [r for r in caplog.records if ident in r.getMessage()]
    assert logged and logged[0].exc_info[0] is KeyError          # the traceback is in the log
    at.button(key="stop").click().run()
    assert "the end" not in [m.value for m in at.markdown] and len(at.error) == 1


def test_in_the_tests_an_unforeseen_error_still_fails(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_STRICT_ERRORS", "1")
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert at.exception and len(at.error) == 1

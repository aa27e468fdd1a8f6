"""The error boundary of every page section, and the Streamlit side of input validation.

``with ui.section("Sentiment"):`` (or ``@ui.guarded("…")``) runs a part of a page; an error
nobody foresaw shows a short friendly message with an error id, is written with its traceback
to the server log under that id (the teacher can grep for it), and the rest of the page keeps
running. Streamlit's own control flow (``st.rerun``, ``st.stop``) passes through. app.py wraps
every page in one outer section, so even an unguarded part never shows a traceback. The page
tests set ``PLAYGROUND_STRICT_ERRORS=1``: the message is shown and the error raised as well, so
an unforeseen error still fails them.
"""
from __future__ import annotations

import functools
import logging
import os
import uuid
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from .. import inputs as _inputs

log = logging.getLogger("playground.errors")
STRICT_ENV = "PLAYGROUND_STRICT_ERRORS"   # 1: show the message, then raise anyway (tests)


def report(name: str, exc: BaseException, where=None) -> str:
    """Log ``exc`` with a new error id and show the friendly message; returns the id."""
    ident = uuid.uuid4().hex[:8]
    log.error("error id %s in section %r: %s", ident, name, type(exc).__name__,
              exc_info=(type(exc), exc, exc.__traceback__))
    try:
        (where or st).error(
            f"Something went wrong in “{name}”; the rest of the page still works. Try again or "
            f"change the input. If it keeps happening, tell your teacher the error id **{ident}** "
            "(it is in the server log).", icon=":material/error:")
    except Exception:   # noqa: BLE001 - the container itself is gone: the log has it
        pass
    return ident


@contextmanager
def section(name: str, where=None):
    """Run a part of a page; an unexpected error becomes a message with an id (see module)."""
    try:
        yield
    except ScriptControlException:
        raise
    except Exception as exc:   # noqa: BLE001 - the boundary: everything unforeseen ends here
        report(name, exc, where)
        if strict():
            raise                  # the tests: an unforeseen error still fails them


def strict() -> bool:
    """Should an unforeseen error be raised after its message (the tests) rather than end there?"""
    return os.environ.get(STRICT_ENV, "").strip() == "1"


def guarded(name: str):
    """Decorator form of :func:`section`; the function returns None after an error."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            with section(name):
                return fn(*args, **kwargs)
            return None
        return inner
    return wrap


def clean_value(value, kwargs: dict):
    """A text widget's value through the validation layer (other values unchanged)."""
    if isinstance(value, str):
        return _inputs.clean_text(value, kwargs.get("max_chars"))
    return value

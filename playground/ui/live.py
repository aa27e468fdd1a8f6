"""Live pages on a shared server: one animation frame of a playing page, within its budget.

Every page that trains live (Train a CNN, recurrent networks, the tiny transformer, gradient
flow) animates the same way, through these helpers:

- ``frame_every(prefix)`` is the ``run_every`` of the page's live fragment: the browser asks for
  a frame every ``FRAME_SECONDS`` while the page plays, and for none when it does not (a closed
  tab asks for nothing, so its training stops at once);
- ``with live_frame(prefix, run_key, n):`` around that fragment's body trains ``run.step(n, ...)``
  within this frame's share of the server (``playground.budget.FrameBudget``: fewer mini-batches
  when the server is busy; at most as many sessions train and draw at once as there are cores)
  and pauses the page when the run diverged, finished, or played longer than ``MAX_PLAY_SECONDS``;
- charts and slow views are separate fragments at CHART_SECONDS / SLOW_SECONDS, so a class's
  frequent frames stay small (the school's Wi-Fi) and cheap (the server);
- ``tab_open()`` is False once the session's browser tab is gone (for loops a page runs itself).
"""
from __future__ import annotations

import functools
import os
import sys
import time

import streamlit as st

from ..budget import FrameBudget

# Every fragment run costs its CPU and ~4 KB of Streamlit's own messages (the run's new_session
# carries the app's page list) before any content: 4 status frames a second, charts every 2.5 s
# and heavy views every 5 s keep a student under 50 KB/s (a class of 30 on a school's Wi-Fi).
FRAME_SECONDS = 0.25     # the browser asks for a status frame this often while a page plays
MAX_FRAME_SECONDS = 0.45  # ...and at least this often, however busy (≥ 2 updates/s asked)
CHART_SECONDS = 2.5      # a page's Plotly charts while playing (each ~10 ms and ~16 KB)
SLOW_SECONDS = 5.0       # heavy views (feature maps, gates, confusion matrices) while playing
MAX_PLAY_SECONDS = 600   # a forgotten playing tab stops using the server after 10 minutes
STOP_STATES = ("diverged", "error", "done")
LOG_EVERY = int(os.environ.get("PLAYGROUND_FRAME_LOG", "0") or 0)   # benchmarks: a line per N frames


@st.cache_resource(show_spinner=False)
def frame_budget() -> FrameBudget:
    """The server's one training budget, shared by every session and live page."""
    return FrameBudget(frame_seconds=FRAME_SECONDS)


def session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def rerun_pending(requests=None) -> bool:
    """True while a click (Pause, a slider) of this session waits for the whole page to rerun.

    A live frame then drops its work at once, so the click is answered after at most one
    frame's drawing instead of after its wait for a training slot and its training. Reads
    Streamlit's pending-request state (``ScriptRequests``); an unknown Streamlit answers False."""
    try:
        from streamlit.runtime.scriptrunner_utils import script_requests as SR

        if requests is None:
            from streamlit.runtime.scriptrunner import get_script_run_ctx

            ctx = get_script_run_ctx(suppress_warning=True)
            requests = getattr(ctx, "script_requests", None)
        if requests is None:
            return False
        return (requests._state == SR.ScriptRequestType.RERUN
                and SR._is_full_app_rerun(requests._rerun_data))
    except Exception:   # pragma: no cover - a Streamlit without these internals
        return False


def page_gate(timeout: float = 1.0):
    """``with page_gate():`` around a whole script run (app.py): see ``FrameBudget.run_gate``."""
    return frame_budget().run_gate(timeout)


def tab_open() -> bool:
    """False once this session's browser tab (websocket) is gone; True outside a server."""
    from streamlit import runtime

    if not runtime.exists():
        return True
    return runtime.get_instance().is_active_session(session_id())


def frame_every(prefix: str, seconds: float = FRAME_SECONDS) -> float | None:
    """``run_every`` for a live fragment: every ``seconds`` while the page plays, else never;
    stretched up to 3× when the server's frames cannot keep up with the class (fewer, not
    late, frames: asking more often than the server can serve only costs overhead).

    The status line (with the step counter) is its own fragment at FRAME_SECONDS; charts
    (CHART_SECONDS) and slow views (SLOW_SECONDS) are separate fragments, so the frames that
    come most often are the smallest and cheapest."""
    if not st.session_state.get(f"{prefix}_playing"):
        return None
    stretch = frame_budget().interval(FRAME_SECONDS, MAX_FRAME_SECONDS) / FRAME_SECONDS
    return round(seconds * stretch, 2)


def stop_playing(prefix: str, why: str = ""):
    """Pause the page (and free its share of the server); ``why`` is shown as a toast."""
    st.session_state[f"{prefix}_playing"] = False
    frame_budget().forget(session_id())
    if why:
        st.toast(why)


class live_frame:
    """``with ui.live_frame(prefix, run_key, n):`` around the body of a page's live fragment.

    While the page plays, entering waits for one of the server's training slots, trains
    ``run.step(n, max_seconds=...)`` within this frame's share of the server (at least one
    step; when one step is longer than a frame's share, only every k-th frame trains:
    ``FrameBudget.allowance``), and the body then draws the frame inside the same slot: at most as many sessions
    train and draw at once as there are cores, so the server's event loop and every click
    (Pause) get the CPU between two frames instead of queueing behind 30 of them. ``.done`` is
    the number of steps trained. Ends playing with a full rerun of the page (the transport bar
    shows Play again) when the run stopped by itself, the page played longer than
    MAX_PLAY_SECONDS, or the browser tab is gone. Paused, it does nothing.

    ``run_key=None`` only takes a slot while playing (for a page's slower, heavier view)."""

    def __init__(self, prefix: str, run_key: str | None = None, n: int = 1, wait: float = 2.0):
        self.prefix, self.run_key, self.n, self.wait = prefix, run_key, int(n), wait
        self.done, self._slot, self._times = 0, False, None

    def __enter__(self):
        state = st.session_state
        if not state.get(f"{self.prefix}_playing"):
            run = state.get(self.run_key) if self.run_key else None
            if hasattr(run, "catch_up"):   # paused: show the numbers of the last step
                run.catch_up()
            return self
        if not tab_open():
            stop_playing(self.prefix)
            return self
        if rerun_pending():   # a click waits: draw at once (the rerun replaces this frame)
            return self
        budget, sid = frame_budget(), session_id()
        seconds = budget.allowance(sid, budget.seconds(sid)) if self.run_key else 0.0
        t0 = time.perf_counter()
        self._slot = budget.acquire(timeout=self.wait, cancel=rerun_pending)
        t1 = time.perf_counter()   # no slot after a long wait: train 1 step (after a click: 0)
        self._times = [t0, t1 - t0, 0.0]
        run = state[self.run_key] if self.run_key else None
        if run is None or (not self._slot and rerun_pending()):
            return self
        try:
            if seconds > 0:   # 0: earlier frames overran this session's share: draw only
                self.done = run.step(self.n, max_seconds=seconds if self._slot else 1e-4)
                self._times[2] = time.perf_counter() - t1
                budget.spend(sid, self._times[2])
            self._stop_if_needed(run)
        except BaseException as exc:   # st.rerun() or a bug: give the slot back first
            self.__exit__()
            raise
        return self

    def _stop_if_needed(self, run):
        state = st.session_state
        started = state.get(f"{self.prefix}_play_started") or time.monotonic()
        if getattr(run, "status", "") in STOP_STATES:
            stop_playing(self.prefix)
            st.rerun(scope="app")
        if time.monotonic() - started > MAX_PLAY_SECONDS:
            stop_playing(self.prefix, f"Paused after {MAX_PLAY_SECONDS // 60} minutes of training "
                                      "to share the server. Press Play to go on.")
            st.rerun(scope="app")

    def __exit__(self, *exc):
        if self._slot:
            self._slot = False
            frame_budget().release()
        if self._times is not None:
            t0, wait, train = self._times
            self._times = None
            budget = frame_budget()
            budget.record(wait, train, time.perf_counter() - t0)
            if LOG_EVERY and budget.spent["n"] % LOG_EVERY == 0:
                print(f"[frame budget] {budget.report()}", file=sys.stderr, flush=True)
        return False



def shared_steps(steps):
    """Iterate a page's own training loop (a generator that trains a chunk per item, e.g. the
    data-efficiency experiment) as a good neighbour: each chunk is computed in one of the
    server's frame slots, and the loop ends at once when the browser tab is gone."""
    it = iter(steps)
    budget = frame_budget()
    while tab_open():
        got = budget.acquire(timeout=2.0, cancel=rerun_pending)
        try:
            item = next(it)
        except StopIteration:
            return
        finally:
            if got:
                budget.release()
        yield item


def live_fragment(prefix: str, every: float = FRAME_SECONDS, run_key: str | None = None, n=1):
    """Decorate a page's drawing function as one of its live fragments::

        @ui.live_fragment(P, run_key="ct_run", n=speed)   # the status line: trains, every frame
        def live_view(): ...
        @ui.live_fragment(P, ui.CHART_SECONDS)            # charts: a slot, no training
        def chart_view(): ...

    The fragment reruns every ``every`` seconds while the page plays (never when paused) and
    draws inside ``live_frame(prefix, run_key, n)``; ``n`` may be a function (read each frame)."""
    def decorate(draw):
        @functools.wraps(draw)   # the fragment keeps the page function's identity
        def frame():
            with live_frame(prefix, run_key, n() if callable(n) else n):
                draw()
        return st.fragment(frame, run_every=frame_every(prefix, every))
    return decorate


def play_frame(prefix: str, run, speed: int, max_play_seconds: float = MAX_PLAY_SECONDS,
               cap_seconds: float | None = None) -> int:
    """For a live fragment that holds its run itself (not under a session key): while the page
    plays, train ``run.step(speed, max_seconds=...)`` within this frame's share of the server
    (the same shared ``FrameBudget`` and slots as ``live_frame``; ``cap_seconds`` caps it
    further), then pause on divergence, after ``max_play_seconds``, or when the tab is gone.
    Returns the steps trained."""
    state = st.session_state
    if not state.get(f"{prefix}_playing"):
        return 0
    if not tab_open():
        stop_playing(prefix)
        return 0
    budget, sid = frame_budget(), session_id()
    seconds = budget.allowance(sid, budget.seconds(sid))
    if cap_seconds is not None:
        seconds = min(seconds, cap_seconds)
    t0 = time.perf_counter()
    got = budget.acquire(timeout=2.0, cancel=rerun_pending)
    t1 = time.perf_counter()
    if (not got and rerun_pending()) or seconds <= 0:   # a click waits / share overrun: no training
        if got:
            budget.release()
        return 0
    try:
        done = run.step(speed, max_seconds=seconds if got else 1e-4)
    finally:
        if got:
            budget.release()
        budget.spend(sid, time.perf_counter() - t1)
        budget.record(t1 - t0, time.perf_counter() - t1, time.perf_counter() - t0)
    started = state.get(f"{prefix}_play_started") or time.monotonic()
    if getattr(run, "status", "") in STOP_STATES:
        stop_playing(prefix)
        st.rerun(scope="app")
    if time.monotonic() - started > max_play_seconds:
        stop_playing(prefix, f"Paused after {max_play_seconds / 60:g} minutes of training to share "
                             "the server. Press Play to go on.")
        st.rerun(scope="app")
    return done or 0

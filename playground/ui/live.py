"""One frame of a live page: a time-bounded chunk of training, paused on divergence or after
the play limit (a forgotten tab stops using the shared server's CPU)."""
from __future__ import annotations

import time

import streamlit as st

MAX_PLAY_SECONDS = 600


def advance(prefix: str, run, speed: int, chunk_seconds: float,
            max_play_seconds: float = MAX_PLAY_SECONDS) -> bool:
    """While the transport bar (``ui.transport``) plays, train ``run.step(speed, max_seconds=
    chunk_seconds)``; returns whether it trained. Stops playing when the run diverged (the page
    shows ``run.message``) or after ``max_play_seconds`` of play."""
    state, playing = st.session_state, f"{prefix}_playing"
    if not state.get(playing):
        return False
    run.step(speed, max_seconds=chunk_seconds)
    if getattr(run, "status", "") in ("diverged", "error"):
        state[playing] = False
        st.rerun(scope="app")
    if time.monotonic() - state.get(f"{prefix}_play_started", time.monotonic()) > max_play_seconds:
        state[playing] = False
        st.toast(f"Paused after {max_play_seconds / 60:.0f} minutes of training to share the server. "
                 "Press Play to go on.")
        st.rerun(scope="app")
    return True

"""The class board in the app: the shared database, joining a class, "Submit this run".

Names and other things students type are shown only as plain text (``st.text``, dataframes),
never as Markdown or HTML.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ..classboard import Board, BoardError, default_url

STUDENT = "board__student"   # {code, nickname, student_id, token} of this session's student


@st.cache_resource(show_spinner=False, max_entries=2)
def _board(url: str) -> Board:
    return Board(url)


def board() -> Board:
    """The server's class board (``$PLAYGROUND_DB``; default an SQLite file in the cache folder).
    Raises BoardError (a plain message) when its database cannot be reached."""
    return _board(default_url())


def student() -> dict | None:
    return st.session_state.get(STUDENT)


def join_form(key: str, code: str = ""):
    """Class code + nickname → joined (kept in this session). Shows errors as plain messages."""
    with st.form(f"{key}_join", border=False):
        c1, c2 = st.columns(2)
        code = c1.text_input("Class code", value=code, max_chars=12, key=f"{key}_code",
                             placeholder="e.g. K7PQ2M")
        nick = c2.text_input("Nickname", max_chars=200, key=f"{key}_nick",
                             help="Shown on the class board: no real names needed.")
        if st.form_submit_button("Join the class", icon=":material/group_add:"):
            try:
                st.session_state[STUDENT] = board().join(code, nick)
                st.rerun()
            except BoardError as exc:
                st.error(str(exc))


def submit_run(page: str, query: dict, test_loss: float | None, test_acc: float | None,
               params: int, epochs: float, key: str = "board", score: float | None = None,
               score_text: str = "", unit: str = "epochs"):
    """"Submit this run" to the class board: the settings link (``/page?query``), test loss and
    accuracy, parameters and epochs. Joins the class first if this session has not.

    ``score`` is the page's own measure for its challenge (``classboard.rules.SCORED``), shown as
    ``score_text``; ``unit`` names what ``epochs`` counts on this page (steps, episodes)."""
    with st.popover("Submit this run", icon=":material/leaderboard:"):
        try:
            board()
        except BoardError as exc:
            st.error(str(exc))
            return
        me = student()
        if me is None:
            st.caption("Join your teacher's class to put this run on the class board.")
            join_form(key)
            return
        st.text(f"You: {me['nickname']} · class {me['code']}")
        link = f"/{page}" + (f"?{urlencode(query, safe=',')}" if query else "")
        parts = [score_text if score is not None else "",
                 f"test loss {test_loss:.4f}" if test_loss is not None else "",
                 f"test accuracy {test_acc:.1%}" if test_acc is not None else "",
                 f"{params:,} parameters", f"{epochs:g} {unit}"]
        st.caption(" · ".join(p for p in parts if p))
        if st.button("Submit this run", key=f"{key}_submit", type="primary", icon=":material/send:"):
            try:
                board().submit(me, page, link, test_loss, test_acc, params, epochs, score=score)
                st.success("Submitted. See it on the Class board page.")
            except BoardError as exc:
                st.error(str(exc))
        if st.button("Leave the class", key=f"{key}_leave"):
            leave_class()


def leave_class():
    st.session_state.pop(STUDENT, None)
    st.rerun()

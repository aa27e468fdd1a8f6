"""Class board: a teacher starts a class, students join with a code and submit their runs; a
live leaderboard for the projector, each entry opening its exact setup."""
import pandas as pd
import streamlit as st

from playground import ui
from playground.classboard import CHALLENGES, BoardError
from playground.classboard.rules import SCORED, display_name

ui.page_setup()
P = "cb"  # session-state prefix of this page
REFRESH_SECONDS = 3
state = st.session_state

st.title("Class board")
st.caption("No accounts: the teacher starts a class and shows its code; students join with the "
           "code and a nickname, then press “Submit this run” on the playground, Train a CNN, "
           "Recurrent networks, Train a tiny transformer, the GAN, Grid world or Balance a pole. "
           "The leaderboard updates by itself.")
try:
    db = ui.board()
except BoardError as exc:
    st.error(str(exc))
    st.stop()
teacher = state.get("cb_teacher")          # {code, secret} once the teacher opened their class
me = ui.student()

t_student, t_teacher = st.tabs(["Student", "Teacher"])
with t_student:
    if me is None:
        ui.join_form("cb", st.query_params.get("code", ""))
    else:
        st.text(f"You are {me['nickname']} in class {me['code']}.")
        st.caption("Open a page your teacher names (e.g. Train a CNN), train, then press “Submit "
                   "this run”.")
        if st.button("Leave the class", key="cb_leave"):
            ui.leave_class()

with t_teacher:
    if teacher is None:
        a, b = st.columns(2)
        with a.form("cb_new", border=True):
            st.markdown("**Start a class**")
            title = st.text_input("Title", value="My class", max_chars=80)
            challenge = st.selectbox("Challenge", list(CHALLENGES), format_func=lambda k: CHALLENGES[k][0])
            if st.form_submit_button("Start the class", type="primary", icon=":material/add:"):
                try:
                    code, secret = db.create_class(title, challenge)
                    state["cb_teacher"] = {"code": code, "secret": secret}
                    state["cb_new_secret"] = secret
                    st.rerun()
                except BoardError as exc:
                    st.error(str(exc))
        with b.form("cb_open", border=True):
            st.markdown("**Open my class**")
            code = st.text_input("Class code", max_chars=12)
            secret = st.text_input("Teacher secret", type="password", max_chars=100)
            if st.form_submit_button("Open", icon=":material/key:"):
                if db.check_secret(code.strip().upper(), secret):
                    state["cb_teacher"] = {"code": code.strip().upper(), "secret": secret.strip()}
                    st.rerun()
                else:
                    st.error("That class code and teacher secret do not match.")
    else:
        code, secret = teacher["code"], teacher["secret"]
        new_secret = state.pop("cb_new_secret", None)
        if new_secret:
            st.success("Your class is open. Write down the teacher secret now: it is shown only "
                       "this once (the board stores only a hash of it).")
            st.code(f"Class code:     {code}\nTeacher secret: {new_secret}", language=None)
        try:
            info = db.info(code)
            c1, c2, c3 = st.columns(3)
            hide = c1.toggle("Hide names on the projector", value=info["hide_names"], key="cb_hide")
            if hide != info["hide_names"]:
                db.set_hide_names(code, secret, hide)
            if not info["closed"] and c3.button("Close the class", key="cb_close",
                                                icon=":material/lock:"):
                db.close_class(code, secret)
                st.rerun()
        except BoardError as exc:
            st.error(str(exc))
        if st.button("Stop being the teacher here", key="cb_forget"):
            state.pop("cb_teacher", None)
            st.rerun()

shown = (teacher or {}).get("code") or (me or {}).get("code") or st.query_params.get("code", "")
st.divider()
if shown and not state.get("cb_show"):
    state["cb_show"] = shown
shown = st.text_input("Leaderboard of class", max_chars=12, key="cb_show").strip().upper()
if shown and st.query_params.get("code") != shown:
    st.query_params["code"] = shown


def remove_one(code: str, secret: str, hide_names: bool):
    """The teacher removes any submission (each student's every run, not only the best)."""
    subs = {s["id"]: s for s in db.submissions(code)}
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    sid = a.selectbox("Remove a submission", list(subs), index=None, key="cb_remove_pick",
                      format_func=lambda i: f"#{i} · {display_name(subs[i], hide_names)} · "
                                            f"{subs[i]['page']}"
                                            if i in subs else f"#{i}")
    if b.button("Remove it", key="cb_remove", icon=":material/delete:", disabled=sid is None):
        try:
            db.remove(code, secret, sid)
            st.toast("Removed.")
        except BoardError as exc:
            st.error(str(exc))


@st.fragment(run_every=REFRESH_SECONDS)
def leaderboard(code: str):
    try:
        info = db.info(code)
        ranked = db.leaderboard(code)
    except BoardError as exc:
        st.warning(str(exc))
        return
    label, rule = CHALLENGES[info["challenge"]]
    st.subheader(f"Leaderboard: {label}")
    st.caption(rule + (" · The class is closed." if info["closed"] else "") +
               f" · {len(ranked)} {'student' if len(ranked) == 1 else 'students'} on the board · "
               f"updates every {REFRESH_SECONDS} s")
    if not ranked:
        st.info("No runs yet. Students: join with the class code, train, and press “Submit this run”.")
        return
    base = ui.app_base()
    _, score, _, unit = SCORED.get(info["challenge"], (None, None, None, "Epochs"))
    rows = pd.DataFrame([{
        "Rank": s["rank"], "Name": display_name(s, info["hide_names"]),
        **({score: s["score"]} if score else {     # a page's own score, or test loss and accuracy
            "Test loss": s["test_loss"],
            "Test accuracy": None if s["test_acc"] is None else 100 * s["test_acc"]}),
        "Parameters": s["params"], unit: s["epochs"], "Page": s["page"],
        "Setup": base + s["link"]} for s in ranked])
    if teacher and teacher["code"] == code:
        remove_one(code, teacher["secret"], info["hide_names"])
    st.dataframe(rows, hide_index=True, width="stretch", key="cb_table", column_config={
        "Test loss": st.column_config.NumberColumn(format="%.4f"),
        "Test accuracy": st.column_config.NumberColumn(format="%.1f %%"),
        "Parameters": st.column_config.NumberColumn(format="%d"),
        "Epochs": st.column_config.NumberColumn(help="Training steps on Train a tiny transformer"),
        "Setup": st.column_config.LinkColumn("Setup", display_text="Open this setup",
                                             help="Opens the exact settings of this run")})


if shown:
    leaderboard(shown)

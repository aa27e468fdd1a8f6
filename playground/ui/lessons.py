"""Lessons in the app: open a step, the predict-then-reveal gate, lesson links, focused mode.

- :func:`open_step` starts a lesson step: the target page starts fresh from the step's preset
  (its URL settings plus ``hide`` / ``lock``), with the step active in the session.
- :func:`lesson_gate` (any page calls it before its run controls): while the active step of
  this page has an unanswered question, it asks it and stops the page; once answered it shows
  the prediction, and on "Reveal" the measured outcome next to it.
- :func:`lesson_link` ("Make a lesson link"): the current settings plus chosen hidden / locked
  controls as a URL a teacher can paste.
- :func:`nav_position`: ``hide=nav`` in a link hides the page navigation for the session.
- :func:`link_settings`: a page's address bar and its sidebar lesson link, once per run;
  :func:`kept_tabs`: tabs whose open tab is a setting a link can preset.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ..lessons import experiments as X
from ..lessons import schema as L
from ..lessons.pages import NAV, specs

ACTIVE, ANSWERS, NAV_FLAG = "lesson__active", "lesson__answers", "ui__nav_hidden"
STEP_PARAM = "lesson_step"   # ?lesson_step=06_cnn.2 : a pasted step link activates that step


@st.cache_resource(show_spinner=False, max_entries=1)
def lessons() -> tuple[dict, list[str]]:
    """The built-in lessons (read once per server) and the errors of any bad lesson file."""
    found, errors = L.load_all()
    return {les.id: les for les in found}, errors


@st.cache_resource(show_spinner=False, max_entries=64)
def outcome(lesson_id: str, step: int) -> X.Outcome:
    """The measured answer of a step's question: seeded, so computed once per server."""
    q = lessons()[0][lesson_id].steps[step].question
    return X.EXPERIMENTS[q.experiment].run(q.params)


def nav_position() -> str:
    """``"hidden"`` once a link with ``hide=nav`` was opened in this session, else the sidebar."""
    if NAV in st.query_params.get("hide", "").split(","):
        st.session_state[NAV_FLAG] = True
    return "hidden" if st.session_state.get(NAV_FLAG) else "sidebar"


def app_base() -> str:
    """This app's address without the page (``http://host:port``), "" when unknown (tests)."""
    url = st.context.url or ""
    return url.split("?")[0].rsplit("/", 1)[0] if url else ""


def link_to(page: str, query: dict) -> str:
    return f"{app_base()}/{page}" + (f"?{urlencode(query, safe=',')}" if query else "")


def step_query(step: L.Step, lesson_id: str | None = None, i: int = 0) -> dict:
    """A step's link parameters: its settings, hide and lock (and ``lesson_step=<id>.<n>``, so
    a pasted link asks the step's question too)."""
    q = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in step.settings.items()}
    if step.hide:
        q["hide"] = ",".join(step.hide)
    if step.lock:
        q["lock"] = ",".join(step.lock)
    if lesson_id is not None:
        q[STEP_PARAM] = f"{lesson_id}.{i + 1}"
    return q


def open_step(lesson_id: str, i: int):
    """Go to step ``i`` of a lesson: its page starts fresh from the step's preset."""
    step = lessons()[0][lesson_id].steps[i]
    prefix = specs()[step.page].prefix
    for key in [k for k in st.session_state if str(k).startswith(prefix + "_")]:
        del st.session_state[key]          # the page reads this step's link again
    st.session_state[ACTIVE] = {"lesson": lesson_id, "step": i}
    st.session_state[NAV_FLAG] = NAV in step.hide
    st.switch_page(f"pages/{step.page}.py", query_params=step_query(step, lesson_id, i))


def leave_lesson():
    st.session_state.pop(ACTIVE, None)
    st.session_state[NAV_FLAG] = False
    st.switch_page("pages/lessons.py")


def active_step(page: str | None = None):
    """(lesson, step index, step) of the active lesson step (on ``page`` if given), else None."""
    act = st.session_state.get(ACTIVE)
    les = lessons()[0].get(act["lesson"]) if act else None
    if les is None or not 0 <= act["step"] < len(les.steps):
        return None
    step = les.steps[act["step"]]
    return None if page is not None and step.page != page else (les, act["step"], step)


def _ask(key: tuple, q: L.Question):
    with st.form(f"lesson_q_{key[0]}_{key[1]}"):
        st.markdown(f"**Predict first:** {q.text}")
        if q.kind == "choice":
            pick = st.radio("Your prediction", range(len(q.options)), format_func=lambda j: q.options[j],
                            index=None, key=f"lesson_pick_{key[0]}_{key[1]}")
        else:
            pick = st.number_input(f"Your prediction{f' ({q.unit})' if q.unit else ''}", q.lo, q.hi,
                                   value=None, key=f"lesson_num_{key[0]}_{key[1]}")
        if st.form_submit_button("Lock in my prediction", type="primary", icon=":material/lock:"):
            if pick is None:
                st.warning("Choose an answer first: the run starts after your prediction.")
            else:
                st.session_state.setdefault(ANSWERS, {})[key] = pick
                st.rerun()


def predict(lesson_id: str, i: int) -> object | None:
    """The session's prediction for a step's question; asks for it (a form) when there is none."""
    q = lessons()[0][lesson_id].steps[i].question
    answers = st.session_state.setdefault(ANSWERS, {})
    if (lesson_id, i) not in answers:
        _ask((lesson_id, i), q)
    return answers.get((lesson_id, i))


def _said(q: L.Question, answer) -> str:
    return q.options[int(answer)] if q.kind == "choice" else f"{float(answer):g}{' ' + q.unit if q.unit else ''}"


def _from_link(page: str):
    """A step link (``lesson_step=<id>.<n>``) opened in this session activates that step once."""
    raw = st.query_params.get(STEP_PARAM, "")
    if not raw or st.session_state.get("lesson__linked") == raw:
        return
    st.session_state["lesson__linked"] = raw
    lesson_id, _, n = raw.rpartition(".")
    les = lessons()[0].get(lesson_id)
    if les is not None and n.isdigit() and 1 <= int(n) <= len(les.steps) \
            and les.steps[int(n) - 1].page == page:
        st.session_state[ACTIVE] = {"lesson": lesson_id, "step": int(n) - 1}


def lesson_gate(page: str):
    """Call before a page's run controls. Shows the active lesson step of this page; while its
    question is unanswered, asks it and stops the page (``st.stop()``)."""
    _from_link(page)
    found = active_step(page)
    if found is None:
        return
    les, i, step = found
    with st.container(border=True, key="lesson_gate"):
        st.markdown(f"**Lesson: {les.title}** · step {i + 1} of {len(les.steps)}")
        st.write(step.instruction)
        q, key = step.question, (les.id, i)
        if q is not None:
            answer = predict(*key)
            if answer is None:
                _step_buttons(les, i)
                st.stop()
            reveal(les.id, i, answer)
        _step_buttons(les, i)


def reveal(lesson_id: str, i: int, answer):
    """The prediction, and after "Reveal" the measured outcome next to it."""
    q = lessons()[0][lesson_id].steps[i].question
    left, right = st.columns(2)
    left.metric("Your prediction", _said(q, answer))
    shown = f"lesson_revealed_{lesson_id}_{i}"
    if not st.session_state.get(shown):
        right.caption("Run it on this page, then compare with your prediction.")
        if right.button("Reveal the measured result", key=f"lesson_reveal_{lesson_id}_{i}",
                        icon=":material/visibility:"):
            st.session_state[shown] = True
            st.rerun()
        return
    try:
        with right, st.spinner("Measuring with the app's own engine…"):
            out = outcome(lesson_id, i)
    except Exception as exc:   # a lesson file whose experiment cannot run here
        right.warning(f"This result could not be measured on this server ({type(exc).__name__}).")
        return
    right.metric("Measured", _said(q, out.answer))
    right_or_wrong = X.grade(out, answer, q.tolerance)
    (st.success if right_or_wrong else st.info)(
        ("Your prediction matches. " if right_or_wrong else "Not what you predicted. ") + out.sentence)


def _step_buttons(les: L.Lesson, i: int):
    c = st.columns(3)
    if i > 0 and c[0].button("Previous step", key="lesson_prev", icon=":material/arrow_back:"):
        open_step(les.id, i - 1)
    if i + 1 < len(les.steps) and c[1].button("Next step", key="lesson_next", type="primary",
                                              icon=":material/arrow_forward:"):
        open_step(les.id, i + 1)
    if c[2].button("Leave the lesson", key="lesson_leave", icon=":material/close:"):
        leave_lesson()


def lesson_link(prefix: str, page: str, groups: tuple = ()):
    """"Make a lesson link": this page's current settings plus hidden / locked controls as a URL.

    ``groups`` names hide= groups (the playground's); otherwise the controls this page drew.
    Not shown in a focused lesson (navigation hidden): that is the students' view."""
    if st.session_state.get(NAV_FLAG):
        return None
    controls = dict.fromkeys(groups, None) or st.session_state.get("ui__controls", {}).get(prefix, {})
    with st.expander("Make a lesson link", icon=":material/link:"):
        names = list(controls)
        label = (lambda n: controls[n] or n)
        hide = st.multiselect("Hide these controls", names, format_func=label, key=f"{prefix}_ll_hide")
        lock = [] if groups else st.multiselect("Show but lock these controls",
                                                [n for n in names if n not in hide],
                                                format_func=label, key=f"{prefix}_ll_lock")
        nav = st.toggle("Hide the page navigation (a focused lesson)", key=f"{prefix}_ll_nav")
        q = {k: v for k, v in st.query_params.to_dict().items() if k not in ("hide", "lock", STEP_PARAM)}
        if hide or nav:
            q["hide"] = ",".join([*hide, *([NAV] if nav else [])])
        if lock:
            q["lock"] = ",".join(lock)
        link = link_to(page, q)
        st.code(link, language=None, wrap_lines=True)
        st.caption("Students who open this link get these settings; hidden controls keep their "
                   "values, locked ones are shown greyed out.")
    return link


def kept_tabs(prefix: str, name: str, tabs: dict, key: str, default: str):
    """``st.tabs`` whose open tab is a page setting ``name`` (a link can preset it): ``tabs``
    maps setting values to tab labels; the open tab survives page switches. Returns the tabs."""
    from .core import stored

    store, labels = stored(prefix), list(tabs.values())
    if st.session_state.get(key) not in labels:
        st.session_state[key] = tabs.get(store.get(name), tabs[default])
    st.session_state.setdefault("ui__tabs", {}).setdefault(prefix, {})[name] = (key, tabs)
    out = st.tabs(labels, key=key, on_change="rerun")
    store[name] = next(v for v, label in tabs.items() if label == st.session_state[key])
    return out


def link_settings(prefix: str, page: str, to_query):
    """Call once per run before the page can stop: the address bar (``to_query(values)``) and
    the sidebar's "Make a lesson link" from the page's values, including a control or tab the
    click that started this run changed (drawn later in the run, or not at all after a stop)."""
    from .core import stored, write_query
    from .guard import clean_value

    store, state = stored(prefix), st.session_state
    for name in state.get("ui__controls", {}).get(prefix, {}):
        if f"{prefix}_{name}" in state:
            store[name] = clean_value(state[f"{prefix}_{name}"], {})
    for name, (key, tabs) in state.get("ui__tabs", {}).get(prefix, {}).items():
        store[name] = next((v for v, label in tabs.items() if label == state.get(key)), store.get(name))
    write_query(to_query(store))
    with st.sidebar:
        lesson_link(prefix, page)

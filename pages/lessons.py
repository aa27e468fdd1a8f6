"""Lessons: ready-made sequences of steps; each step opens a page with a preset, and a question
to answer before the run that answers it."""
import streamlit as st

from playground import ui
from playground.lessons.pages import specs
from playground.lessons.schema import CONCEPTS

ui.page_setup()
P = "les"  # session-state prefix of this page

st.title("Lessons")
st.caption("Each lesson is a handful of steps. A step opens a page already set up, with some "
           "controls hidden or locked so the class looks at one thing. Many steps ask you to "
           "predict first: the run that answers the question starts after you lock in your "
           "prediction, and then the app shows what it measured next to what you said.")
found, errors = ui.lessons()
for e in errors:
    st.error(f"A lesson file could not be read: {e}")
if not found:
    st.stop()

ids = list(found)
wanted = st.query_params.get("lesson")
if wanted in found and P + "_pick" not in st.session_state:
    st.session_state[P + "_pick"] = wanted
c1, c2 = st.columns([1, 2])
with c1:
    st.subheader("Choose a lesson")
    pick = st.radio("Lesson", ids, key=P + "_pick", label_visibility="collapsed",
                    format_func=lambda i: f"{found[i].title} ({found[i].minutes} min)")
les = found[pick]
if st.query_params.get("lesson") != pick:
    st.query_params["lesson"] = pick

with c2:
    st.subheader(les.title)
    st.caption(f"Concept: {CONCEPTS[les.concept]} · {len(les.steps)} steps · about {les.minutes} minutes")
    st.write(les.goal)
    for i, step in enumerate(les.steps):
        with st.container(border=True, key=f"les_step_{pick}_{i}"):
            st.markdown(f"**Step {i + 1}: {specs()[step.page].title}**")
            st.write(step.instruction)
            answered = True
            if step.question is not None:
                answer = ui.predict(pick, i)
                answered = answer is not None
                if answered:
                    ui.reveal(pick, i, answer)
            link = ui.link_to(step.page, ui.step_query(step, pick, i))
            a, b = st.columns([1, 2])
            if a.button("Open this step", key=f"les_open_{pick}_{i}", icon=":material/play_arrow:",
                        type="primary" if answered else "secondary", disabled=not answered,
                        help=None if answered else "Lock in your prediction first."):
                ui.open_step(pick, i)
            b.caption("Link to this step alone (asks its question too):")
            b.code(link, language=None, wrap_lines=True)

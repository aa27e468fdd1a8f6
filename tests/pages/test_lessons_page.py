"""Lessons page, the predict-then-reveal gate on a target page, and hide= / lock= links."""
import pytest


def form_button(at, form_id):
    return next(b for b in at.get("form_submit_button") if b.form_id == form_id)


def buttons(at):
    return {b.label: b for b in at.button}


@pytest.fixture
def lessons(open_page):
    return open_page("pages/lessons.py", query={"lesson": "06_cnn"})


def test_lessons_are_listed_and_a_step_opens_only_after_a_prediction(lessons):
    at = lessons
    assert len(at.radio(key="les_pick").options) >= 8
    opens = [b for b in at.button if b.label == "Open this step"]
    assert opens and all(b.disabled for b in opens)          # both steps ask first
    at.number_input[0].set_value(13)
    form_button(at, "lesson_q_06_cnn_0").click()
    at.run()
    assert not at.exception
    assert not at.button(key="les_open_06_cnn_0").disabled
    assert at.metric[0].value == "13 pixels"
    at.button(key="lesson_reveal_06_cnn_0").click()
    at.run()
    assert [m.label for m in at.metric] == ["Your prediction", "Measured"]
    assert at.metric[1].value == "13 pixels"
    assert "Your prediction matches" in at.success[0].value and "13×13" in at.success[0].value


def test_a_wrong_prediction_is_told_so_with_the_measured_numbers(lessons):
    at = lessons
    at.number_input[0].set_value(26)
    form_button(at, "lesson_q_06_cnn_0").click()
    at.run()
    at.button(key="lesson_reveal_06_cnn_0").click()
    at.run()
    assert at.info and at.info[0].value.startswith("Not what you predicted.")
    assert "13×13 output" in at.info[0].value


def test_the_gate_stops_the_page_before_its_run_controls_until_answered(lessons):
    at = lessons
    at.session_state["lesson__active"] = {"lesson": "06_cnn", "step": 1}
    at.switch_page("pages/cnn_train.py")
    at.run()
    assert not at.exception
    assert "Play" not in " ".join(b.label for b in at.button)    # no transport yet
    at.radio(key="lesson_pick_06_cnn_1").set_value(1)
    form_button(at, "lesson_q_06_cnn_1").click()
    at.run()
    assert not at.exception
    assert any("Play" in b.label for b in at.button)
    assert at.metric[0].value == "16 and 32 channels"


def test_open_step_applies_the_preset_and_hidden_controls(lessons):
    at = lessons
    at.radio(key="lesson_pick_06_cnn_1").set_value(0)
    form_button(at, "lesson_q_06_cnn_1").click()
    at.run()
    at.button(key="les_open_06_cnn_1").click()
    at.run()
    assert not at.exception
    assert at.query_params.get("c1") in ("2", ["2"]) and "data" in str(at.query_params.get("hide"))
    assert at.select_slider(key="ct_c1").value == 2
    assert not [s for s in at.selectbox if s.label == "Data set"]          # hidden by the step


def test_hide_and_lock_from_a_link_on_a_page_with_settings(open_page):
    at = open_page("pages/activations.py", query={"hide": "acts", "lock": "w", "neuron": "tanh"})
    assert not [m for m in at.multiselect if m.label == "Activations to compare"]
    w = next(s for s in at.slider if s.label == "Weight w")
    assert w.disabled
    assert at.selectbox(key="act_neuron").value == "tanh"
    assert at.query_params["hide"] in ("acts", ["acts"])                   # the page kept it


def test_make_a_lesson_link_lists_the_pages_controls(open_page):
    at = open_page("pages/gradient_flow.py", query={"act": "relu"})
    hide = at.multiselect(key="gf_ll_hide")
    assert "act" in hide.options or "Activation (every layer)" in hide.options
    hide.set_value(["dataset"])
    at.toggle(key="gf_ll_nav").set_value(True)
    at.run()
    link = at.code[-1].value
    assert link.endswith("/gradient_flow?act=relu&hide=dataset,nav"), link


def test_a_pasted_step_link_asks_the_steps_question_first(open_page):
    at = open_page("pages/cnn_train.py", query={"c1": "2", "lesson_step": "06_cnn.2"})
    assert at.markdown and any("Lesson: Convolution and CNNs" in m.value for m in at.markdown)
    assert "Play" not in " ".join(b.label for b in at.button)
    assert at.radio(key="lesson_pick_06_cnn_1").options == ["2 channels", "16 and 32 channels"]


def test_a_step_link_for_another_page_or_a_bad_step_is_ignored(open_page):
    for bad in ("06_cnn.1", "06_cnn.9", "nope.1", "garbage"):
        at = open_page("pages/cnn_train.py", query={"lesson_step": bad})
        assert any("Play" in b.label for b in at.button), bad


@pytest.mark.parametrize("page, query, hidden_label, kept", [
    ("pages/data_efficiency.py", {"dataset": "xor", "hide": "noise"}, "Noise (%)", ("eff_dataset", "xor")),
    ("pages/tiny_transformer.py", {"task": "sort", "hide": "heads"}, "Heads per layer", ("tiny_task", "sort")),
    ("pages/convolution.py", {"stride": "2", "hide": "dilation"}, "Dilation", ("cv_stride", 2)),
])
def test_pages_that_gained_link_settings_read_them_and_hide_controls(open_page, page, query,
                                                                     hidden_label, kept):
    at = open_page(page, query=query)
    labels = [w.label for kind in ("slider", "radio", "number_input", "selectbox")
              for w in getattr(at, kind)]
    assert hidden_label not in labels
    assert at.session_state[kept[0]] == kept[1]
    assert at.query_params["hide"] in (query["hide"], [query["hide"]])

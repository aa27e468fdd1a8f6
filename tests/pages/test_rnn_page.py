"""AppTest: the recurrent-networks page loads, its controls change the state, bad input is handled."""
PAGE = "pages/recurrent.py"


def run_of(at):
    return at.session_state["rnn_run"]


def texts(elements):
    return [e.value for e in elements]


def chart_count(at):
    return len(at.get("plotly_chart"))


def test_loads_and_transport_buttons(open_page):
    at = open_page(PAGE)
    r = run_of(at)
    assert r.task.key == "sines" and r.model.kind == "lstm" and r.steps == 0
    assert any("Training step **0**" in m for m in texts(at.markdown))
    assert chart_count(at) == 6  # loss, forecast, hidden state, gradient, LSTM gates, unroll
    at.button(key="rnn_step").click().run()
    assert run_of(at).steps == 20 and not at.exception  # one chunk of the default speed
    assert any("Training step **20**" in m for m in texts(at.markdown))
    at.select_slider(key="rnn_speed").set_value(5).run()
    at.button(key="rnn_step").click().run()
    assert run_of(at).steps == 25
    at.button(key="rnn_play").click().run()
    assert at.session_state["rnn_playing"] is True and not at.exception
    at.button(key="rnn_play").click().run()
    assert at.session_state["rnn_playing"] is False
    at.button(key="rnn_reset").click().run()
    assert run_of(at).steps == 0 and not at.exception


def test_switch_task_and_model(open_page):
    at = open_page(PAGE)
    at.selectbox(key="rnn_task").set_value("memory").run()
    r = run_of(at)
    assert r.task.key == "memory" and r.task.test.T == 21 and not at.exception
    assert any("test accuracy" in m for m in texts(at.markdown))
    at.slider(key="rnn_delay").set_value(7).run()
    assert run_of(at).task.test.T == 8
    at.selectbox(key="rnn_model").set_value("rnn").run()
    assert run_of(at).model.kind == "rnn" and not at.exception
    assert chart_count(at) == 5  # a vanilla RNN has no gates
    assert at.query_params["model"] in ("rnn", ["rnn"])
    at.selectbox(key="rnn_model").set_value("gru").run()
    at.slider(key="rnn_layers").set_value(2).run()
    r = run_of(at)
    assert r.model.kind == "gru" and r.model.layers == 2 and not at.exception
    at.selectbox(key="rnn_layer").set_value(1).run()
    at.number_input(key="rnn_example").set_value(5).run()
    assert not at.exception
    at.button(key="rnn_pin").click().run()
    assert len(at.session_state["rnn_pins"]) == 1 and not at.exception


def test_characters_bad_text_and_sampling(open_page):
    at = open_page(PAGE, query={"task": "chars"})
    assert run_of(at).task.key == "chars"
    at.text_area(key="rnn_text").set_value("").run()
    assert any("empty" in i for i in texts(at.info)) and not at.exception
    at.text_area(key="rnn_text").set_value("lorem ipsum dolor sit amet " * 800).run()
    r = run_of(at)
    assert len(r.task.text) == 5000 and any("first 5,000" in i for i in texts(at.info))
    at.button(key="rnn_step").click().run()
    at.text_input(key="rnn_prompt").set_value("lorem ").run()
    at.slider(key="rnn_temperature").set_value(0.5).run()
    at.button(key="rnn_sample").click().run()
    out = at.code[0].value
    assert out.startswith("lorem ") and len(out) == 6 + 200 and not at.exception


def test_url_values_are_bounded(open_page):
    at = open_page(PAGE, query={"task": "memory", "delay": "1000000", "hidden": "4096"})
    r = run_of(at)
    assert r.task.test.T == 101 and r.model.hidden == 64
    assert any("out of range" in w for w in texts(at.warning))
    assert not at.exception


def test_divergence_is_explained_not_raised(open_page):
    at = open_page(PAGE, query={"lr": "10", "optimizer": "sgd", "clip": "false", "speed": "10"})
    for _ in range(6):
        at.button(key="rnn_step").click().run()
        if run_of(at).status == "diverged":
            break
    assert run_of(at).status == "diverged" and not at.exception
    assert any("Lower the learning rate" in e for e in texts(at.error))
    at.button(key="rnn_play").click().run()
    assert at.session_state["rnn_playing"] is False  # Play refuses until Reset


def test_a_click_delivered_twice_acts_once():
    """ui.once: the callback drawn with a button runs once, even if Streamlit calls it again."""
    from streamlit.testing.v1 import AppTest

    def app():
        import streamlit as st

        from playground import ui

        st.session_state.setdefault("count", 0)

        def bump(by):
            st.session_state["count"] += by

        first = ui.once("rnn_click_test", bump, 2)
        first()
        first()  # a replayed click: ignored
        ui.once("rnn_click_test", bump, 2)()  # drawn again after the click: a new click counts
        st.write(f"count={st.session_state['count']}")

    at = AppTest.from_function(app)
    at.run()
    assert not at.exception and at.markdown[0].value == "count=4"

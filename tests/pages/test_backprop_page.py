"""AppTest: the backprop step-by-step page's controls."""
import numpy as np

PAGE = "pages/backprop.py"


def _step_title(at):
    return [m.value for m in at.markdown
            if m.value.startswith("**") and "training example" not in m.value][0]


def test_next_back_run_all_reset(open_page):
    at = open_page(PAGE)
    assert at.session_state["bp_k"] == 0
    at.button(key="bp_next").click().run()
    assert "Forward: neuron h₁" in _step_title(at)
    at.button(key="bp_next").click().run()
    at.button(key="bp_back").click().run()
    assert at.session_state["bp_k"] == 1
    at.button(key="bp_all").click().run()
    assert at.session_state["bp_k"] == 9 and not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Loss on this example"] == "0.0256"
    assert float(metrics["max |backprop − autograd|"]) < 1e-9
    assert float(metrics["max |backprop − finite differences|"]) < 1e-6
    at.button(key="bp_reset").click().run()
    assert at.session_state["bp_k"] == 0


def test_apply_update_lowers_the_loss(open_page):
    at = open_page(PAGE)
    at.button(key="bp_all").click().run()
    before = float({m.label: m.value for m in at.metric}["Loss on this example"])
    at.button(key="bp_apply").click().run()
    at.button(key="bp_all").click().run()
    after = float({m.label: m.value for m in at.metric}["Loss on this example"])
    assert after < before


def test_structure_activation_and_loss_choices(open_page):
    at = open_page(PAGE)
    at.slider(key="bp_n_hidden").set_value(2).run()
    at.slider(key="bp_h1").set_value(3).run()
    at.selectbox(key="bp_act").set_value("relu").run()
    at.selectbox(key="bp_loss").set_value("cross_entropy").run()
    assert not at.exception
    assert at.slider(key="bp_outputs").value == 2
    at.button(key="bp_all").click().run()
    assert not at.exception
    assert "Update every weight" in _step_title(at)
    # 2 inputs, hidden 2 and 3, 2 outputs: (4+2) + (6+3) + (6+2) parameters
    update = next(d.value for d in at.dataframe if "new value" in d.value.columns)
    assert len(update) == 23
    assert at.query_params["loss"] == ["cross_entropy"] or at.query_params["loss"] == "cross_entropy"


def test_link_values_are_clamped_with_a_warning(open_page):
    at = open_page(PAGE, query={"x": "1e9,2", "lr": "nan", "hidden": "2,2,2,2,2"})
    assert any("lr" in w.value for w in at.warning)
    assert at.number_input(key="bp_x0").value == 100.0
    assert at.session_state["bp_n_hidden"] == 3
    at.button(key="bp_all").click().run()
    assert not at.exception and not at.error


def test_inputs_change_restarts_the_steps(open_page):
    at = open_page(PAGE)
    at.button(key="bp_next").click().run()
    at.number_input(key="bp_x1").set_value(-2.0).run()
    assert at.session_state["bp_k"] == 0
    at.button(key="bp_all").click().run()
    assert np.isfinite(float({m.label: m.value for m in at.metric}["Loss on this example"]))


def test_overshooting_learning_rate_is_explained(open_page):
    at = open_page(PAGE, query={"lr": "5", "out_act": "linear"})
    at.button(key="bp_all").click().run()
    assert any("overshot" in w.value for w in at.warning)

"""AppTest: the vanishing/exploding gradients page."""

PAGE = "pages/gradient_flow.py"


def _box_text(at):
    return " ".join(e.value for e in [*at.warning, *at.error, *at.success])


def test_sigmoid_vanishes_relu_is_healthy_scale_explodes(open_page):
    at = open_page(PAGE)
    assert "Vanishing" in _box_text(at)
    at.selectbox(key="gf_act").set_value("relu").run()
    at.selectbox(key="gf_init").set_value("he").run()
    assert "Healthy" in _box_text(at)
    at.select_slider(key="gf_scale").set_value(3.0).run()
    assert "Exploding" in _box_text(at)
    assert at.query_params["scale"] in ("3", ["3"])


def test_play_step_reset(open_page):
    at = open_page(PAGE)
    at.button(key="gf_step").click().run()
    assert at.session_state["gf_run"].epoch == 5   # one chunk: the speed (5 epochs)
    at.button(key="gf_play").click().run()          # one animation frame: 1-5 epochs (its budget)
    assert at.session_state["gf_playing"] and 5 < at.session_state["gf_run"].epoch <= 10
    assert not at.exception
    at.button(key="gf_play").click().run()          # Pause: no more training
    epoch = at.session_state["gf_run"].epoch
    at.run()
    assert not at.session_state["gf_playing"] and at.session_state["gf_run"].epoch == epoch
    at.button(key="gf_reset").click().run()
    assert at.session_state["gf_run"].epoch == 0 and not at.session_state["gf_playing"]


def test_bad_link_values_warn(open_page):
    at = open_page(PAGE, query={"depth": "99", "act": "nope"})
    assert at.slider(key="gf_depth").value == 12
    assert any("act" in w.value for w in at.warning)

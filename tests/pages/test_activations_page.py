"""AppTest: the activation-function page's controls, its numbers and its address bar."""
PAGE = "pages/activations.py"


def md(at):
    return "\n".join(m.value for m in at.markdown)


def test_defaults_and_controls(open_page):
    at = open_page(PAGE)
    assert len(at.get("plotly_chart")) == 1 + 3 + 1  # comparison, one per activation, neuron
    text = md(at)
    assert "**Tanh**: f′ < 0.05 for |x| > 2.2" in text
    assert "**ReLU**: f′ < 0.05 for x < 0" in text
    assert "0.25^10 = 9.5e-07" in text
    assert "a = f(z) = **0.7616**" in text  # tanh(1 * 1 + 0)

    at.multiselect(key="act_acts").set_value(["elu", "gelu"]).run()
    assert not at.exception and len(at.get("plotly_chart")) == 1 + 2 + 1
    assert at.query_params["acts"] in ("elu,gelu", ["elu,gelu"])
    at.slider(key="act_range").set_value((-3.0, 8.0)).run()
    assert not at.exception and "of [−3, 8]" in md(at)
    at.slider(key="act_layers").set_value(4).run()
    assert "^4 =" in md(at)

    at.selectbox(key="act_neuron").set_value("sigmoid").run()
    at.slider(key="act_w").set_value(2.0).run()
    at.slider(key="act_b").set_value(-1.0).run()
    at.slider(key="act_x").set_value(3.0).run()
    text = md(at)
    assert not at.exception
    assert "= **5**" in text and "a = f(z) = **0.9933**" in text  # z = 2*3 - 1 = 5, sigmoid(5)
    assert any("saturated" in i.value for i in at.info)  # sigmoid'(5) = 0.0066

    at.multiselect(key="act_acts").set_value([]).run()
    assert not at.exception and any("at least one" in i.value for i in at.info)
    at.slider(key="act_range").set_value((2.0, 2.0)).run()
    assert not at.exception and at.warning


def test_link_with_bad_values(open_page):
    at = open_page(PAGE, query={"acts": "sigmoid,bogus", "lo": "-40", "w": "3"})
    assert not at.exception
    assert len(at.warning) == 2
    assert at.multiselect(key="act_acts").value == ["sigmoid"]
    assert at.slider(key="act_range").value == (-20.0, 6.0)
    assert at.slider(key="act_w").value == 3.0

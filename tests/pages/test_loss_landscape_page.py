"""AppTest: the loss-landscape page's controls, its ranking and its messages."""
from playground.mlp import landscape as LS

PAGE = "pages/loss_landscape.py"


def md(at):
    return "\n".join(m.value for m in at.markdown)


def ranking(at):
    return at.dataframe[0].value


def test_default_race_and_controls(open_page):
    at = open_page(PAGE)
    assert len(at.get("plotly_chart")) == 2  # map and surface (one figure), loss per step
    table = ranking(at)
    assert list(table["optimizer"]) == ["SGD + momentum", "SGD", "RMSprop", "Adam"]
    first = table["reached at step"][0]
    assert f"**SGD + momentum** (learning rate 0.1) is first: at step **{first}**" in md(at)

    at.select_slider(key="ll_lr_valley_adam").set_value(0.5).run()
    assert not at.exception
    table = ranking(at)
    assert table["learning rate"][list(table["optimizer"]).index("Adam")] == 0.5

    at.select_slider(key="ll_lr_valley_sgd").set_value(20.0).run()
    assert not at.exception
    assert any("SGD with lr 20 diverged at step" in e.value and "lower the learning rate" in e.value
               for e in at.error)
    assert "diverged at step" in " ".join(ranking(at)["note"])

    at.multiselect(key="ll_opts").set_value(["adam", "rmsprop"]).run()
    assert not at.exception and set(ranking(at)["optimizer"]) == {"Adam", "RMSprop"}
    at.slider(key="ll_steps_valley").set_value(30).run()
    assert not at.exception
    assert "in 30 steps" in md(at) or "is first" in md(at)

    at.number_input(key="ll_start_a_valley").set_value(9.0).run()
    assert not at.exception
    assert any("outside the map" in w.value and "(3, 0.5)" in w.value for w in at.warning)
    at.number_input(key="ll_start_a_valley").set_value(1.0).run()
    assert not at.warning

    at.multiselect(key="ll_opts").set_value([]).run()
    assert not at.exception and any("at least one optimizer" in i.value for i in at.info)


def test_other_landscapes(open_page):
    at = open_page(PAGE)
    for key in ("sigmoid", "network"):
        at.selectbox(key="ll_scenario").set_value(key).run()
        assert not at.exception
        land = LS.SCENARIOS[key]()
        assert at.number_input(key=f"ll_start_a_{key}").value == land.start[0]
        assert len(ranking(at)) == 4
        assert land.note[:40] in " ".join(c.value for c in at.caption)
    assert "is first" in md(at)


def test_link_sets_the_race_and_the_address_bar_follows(open_page):
    at = open_page(PAGE, query={"scenario": "sigmoid", "start": "-3,2", "lr_adam": "0.2",
                                "opts": "adam,rmsprop", "start_typo": "1"})
    assert not at.exception and not at.warning
    assert at.selectbox(key="ll_scenario").value == "sigmoid"
    assert (at.number_input(key="ll_start_a_sigmoid").value,
            at.number_input(key="ll_start_b_sigmoid").value) == (-3.0, 2.0)
    table = ranking(at)
    assert set(table["optimizer"]) == {"Adam", "RMSprop"}
    assert table["learning rate"][list(table["optimizer"]).index("Adam")] == 0.2
    at.select_slider(key="ll_lr_sigmoid_rmsprop").set_value(1.0).run()
    q = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert q == {"scenario": "sigmoid", "opts": "rmsprop,adam", "start": "-3,2", "lr_rmsprop": "1",
                 "lr_adam": "0.2"}

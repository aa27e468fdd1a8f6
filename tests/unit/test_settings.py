from playground.mlp import settings as S


def test_defaults_roundtrip_to_an_empty_query():
    assert S.to_query(S.defaults()) == {}
    values, warnings = S.from_query({})
    assert values == S.normalize(S.defaults()) and warnings == []


def test_query_roundtrip_reproduces_the_setup():
    values = S.defaults()
    values.update(dataset="spiral", noise=25, layers=[8, 8, 3], acts=["relu", "tanh", "gelu"],
                  lr=0.003, features=["x1", "x2", "sinx1"], show_test=True, optimizer="adam")
    back, warnings = S.from_query(S.to_query(values))
    assert warnings == [] and back == S.normalize(values)


def test_bad_url_values_fall_back_with_warnings():
    values, warnings = S.from_query({"dataset": "mnist", "noise": "999", "lr": "0.02",
                                     "layers": "9,9,9,9,9,9,9,9", "features": "x9", "seed": "abc"})
    assert values["dataset"] == "circle" and values["noise"] == 50 and values["lr"] == 0.03
    assert values["layers"] == [8] * 6 and len(values["acts"]) == 6
    assert values["features"] == ["x1", "x2"] and values["seed"] == 0
    assert len(warnings) == 3


def test_empty_hidden_layers_and_hide_flags():
    values, _ = S.from_query({"layers": "-"})
    assert values["layers"] == [] and values["acts"] == []
    assert S.to_query(values)["layers"] == "-"
    assert S.hidden_groups({"hide": "data,training,bogus"}) == {"data", "training"}

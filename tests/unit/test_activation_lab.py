"""Activation lab: saturation intervals measured from f', the one-neuron numbers, URL state.

(f' itself against torch.autograd is tested in test_engine.py.)"""
import numpy as np
import pytest
import torch

from playground.mlp import activation_lab as L
from playground.mlp import activations as A


def test_tanh_and_sigmoid_saturate_where_the_formula_says():
    # tanh'(x) = 1 - tanh(x)^2 < 0.05  <=>  |x| > atanh(sqrt(0.95))
    edge = np.arctanh(np.sqrt(0.95))
    ivs = L.saturation_intervals(*L.curve("tanh", -6, 6)[::2])
    assert len(ivs) == 2
    assert ivs[0][0] == -6 and ivs[1][1] == 6
    assert ivs[0][1] == pytest.approx(-edge, abs=1e-3) and ivs[1][0] == pytest.approx(edge, abs=1e-3)
    # sigmoid' = s(1 - s) < 0.05  <=>  s > (1 + sqrt(0.8)) / 2
    s = (1 + np.sqrt(0.8)) / 2
    edge = np.log(s / (1 - s))
    ivs = L.saturation_intervals(*L.curve("sigmoid", 0, 10)[::2])
    assert ivs == [(pytest.approx(edge, abs=1e-3), 10.0)]
    assert "|x| > 2.2" in L.saturation_text("tanh", -6, 6)


def test_relu_dead_half_linear_never_and_gelu_dip():
    x, _, dy = L.curve("relu", -4, 4)
    (a, b), = L.saturation_intervals(x, dy)
    assert a == -4 and abs(b) < 0.01
    text = L.saturation_text("relu", -4, 4)
    assert "x < 0" in text and "exactly 0" in text and "50%" in text
    assert L.saturation_intervals(*L.curve("linear", -20, 20)[::2]) == []
    assert "does not saturate" in L.saturation_text("linear", -3, 3)
    # GELU's slope crosses 0 near x = -0.75: a small saturated island inside the range
    ivs = L.saturation_intervals(*L.curve("gelu", -6, 6)[::2])
    assert len(ivs) == 2 and -1 < ivs[1][0] < ivs[1][1] < -0.5


def test_intervals_of_a_hand_made_slope():
    x = np.linspace(0, 10, 11)
    dy = np.array([1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0], float)
    ivs = L.saturation_intervals(x, dy, thresh=0.5)
    assert ivs == [(pytest.approx(1.5), pytest.approx(3.5)), (pytest.approx(6.5), 10.0)]


@pytest.mark.parametrize("key", A.ACTIVATION_KEYS)
def test_neuron_output_matches_torch(key):
    w, b, x = 1.7, -0.4, 0.9
    out = L.neuron(key, w, b, x)
    module = getattr(torch.nn, A.get(key).torch_name)
    kwargs = {"approximate": "tanh"} if key == "gelu" else {}
    z = torch.tensor(w * x + b, dtype=torch.float64, requires_grad=True)
    a = module(**kwargs)(z)
    a.backward()
    assert out["z"] == pytest.approx(w * x + b)
    assert out["a"] == pytest.approx(a.item(), abs=1e-12)
    assert out["slope"] == pytest.approx(z.grad.item(), abs=1e-12)


def test_max_slope_and_stacked_layers():
    assert L.max_slope("sigmoid", -6, 6) == pytest.approx(0.25, abs=1e-6)
    assert L.max_slope("relu", -6, 6) == 1.0
    assert L.max_slope("gelu", -6, 6) > 1.1  # GELU overshoots 1
    text = L.stacked_text("sigmoid", -6, 6, 10)
    assert "0.25^10 = 9.5e-07" in text and "vanishes" in text
    assert "grow" in L.stacked_text("gelu", -6, 6, 5)


def test_url_state_round_trip_and_bad_values():
    vals, warns = L.from_query({"acts": "elu,nope,elu", "lo": "-50", "hi": "3", "w": "abc",
                                "layers": "7"})
    assert vals == {"acts": ["elu"], "lo": -20.0, "hi": 3.0, "layers": 7}
    assert len(warns) == 3
    assert L.to_query({**L.DEFAULTS, **vals}) == {"acts": "elu", "lo": "-20", "hi": "3", "layers": "7"}
    assert L.to_query(L.DEFAULTS) == {}
    vals, warns = L.from_query({"lo": "4", "hi": "2"})
    assert vals == {} and warns


def test_figures_shade_the_saturated_parts():
    fig = L.activation_figure("tanh", -6, 6)
    assert len(fig["layout"]["shapes"]) == 2 and len(fig["data"]) == 2
    assert len(L.activation_figure("linear", -6, 6)["layout"]["shapes"]) == 0
    cmp = L.compare_figure(["relu", "tanh"], -3, 3)
    assert len(cmp["data"]) == 5
    nf = L.neuron_figure("sigmoid", 2.0, 1.0, 0.5)
    assert nf["data"][1]["y"] == [pytest.approx(1 / (1 + np.exp(-2.0)))]

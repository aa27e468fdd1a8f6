"""Gradient flow: per-layer gradient sizes, update ratios and the vanishing/exploding demo."""
import numpy as np
import pytest

from playground.mlp import gradflow as GF, gradflow_demo as D, settings as S
from playground.mlp.trainer import Run


def test_sizes_are_the_engines_gradient_per_layer():
    run = Run(S.defaults())
    _, g = run.net.gradient(run.Xtr, run.Ttr)
    expected = [np.sqrt(np.mean(gW ** 2)) for gW, _ in run.net.split(g)]
    np.testing.assert_allclose(run.flow.latest(), expected, rtol=1e-12)
    for (a, _), (b, _) in zip(run.flow.last_grads, run.net.split(g)):
        np.testing.assert_array_equal(a, b)


def test_update_ratio_is_the_weight_change_per_step():
    run = Run({**S.defaults(), "batch": 25})   # several optimizer steps per epoch
    before = [w.copy() for w, _ in run.net.split(run.net.theta)]
    step0 = run.opt.step
    run.step(2)
    steps = run.opt.step - step0
    assert steps > 0
    for l, (w1, _) in enumerate(run.net.split(run.net.theta)):
        want = np.linalg.norm(w1 - before[l]) / steps / np.linalg.norm(before[l])
        assert run.flow.ratio[-1][l] == pytest.approx(want, rel=1e-12)
    assert np.isnan(run.flow.ratio[0]).all()   # no update yet at the first record


def test_history_stays_bounded():
    run = Run(S.defaults())
    for _ in range(2 * GF.HISTORY_MAX):
        run.step(1)
    assert len(run.flow.epochs) <= GF.HISTORY_MAX + 1
    assert run.flow.epochs[0] == 0 and run.flow.epochs[-1] == run.epoch
    assert len(run.flow.grad) == len(run.flow.ratio) == len(run.flow.epochs)


def test_deep_sigmoid_vanishes_relu_and_tanh_do_not():
    sizes = D.compare_at_init({"init": "xavier"})
    assert GF.diagnosis(sizes["Sigmoid"])[0] == "vanishing"
    assert sizes["Sigmoid"][0] / sizes["Sigmoid"][-1] < 1e-4
    assert GF.diagnosis(sizes["Tanh"])[0] == "healthy"
    he = D.compare_at_init({"init": "he", "act": "relu"})
    assert GF.diagnosis(he["ReLU"])[0] == "healthy"


def test_large_weights_explode_and_zero_weights_are_dead():
    run = D.build({"act": "relu", "init": "he", "scale": 3.0})
    kind, text = GF.diagnosis(run.flow.latest())
    assert kind == "exploding" and "Exploding" in text
    run = D.build({"act": "tanh", "init": "zeros"})
    assert GF.diagnosis(run.flow.latest())[0] == "dead"


def test_diagnosis_of_non_finite_and_single_layer():
    assert GF.diagnosis(np.array([np.nan, 1.0]))[0] == "exploding"
    assert GF.diagnosis(np.array([0.1]))[0] == "healthy"


def test_demo_is_deterministic_and_scale_applies():
    a, b = D.build({"seed": 3}), D.build({"seed": 3})
    a.step(3), b.step(3)
    np.testing.assert_array_equal(a.net.theta, b.net.theta)
    one, two = D.build({"scale": 1.0}), D.build({"scale": 2.0})
    mask = one.net._mask
    np.testing.assert_allclose(two.net.theta[mask], 2 * one.net.theta[mask])
    np.testing.assert_array_equal(two.net.theta[~mask], one.net.theta[~mask])
    assert one.net.sizes == [2] + [4] * 10 + [2]


def test_demo_link_values_are_checked():
    values, warnings = D.from_query({"depth": "500", "act": "bogus", "scale": "2.2", "lr": "x"})
    assert values == {"depth": D.MAX_DEPTH, "scale": 2.0} and len(warnings) == 2
    assert D.to_query({**D.DEFAULTS, "depth": 4}) == {"depth": "4"}


def test_charts_have_a_curve_per_layer():
    run = D.build({"depth": 3})
    run.step(2)
    fig = GF.flow_chart(run.flow, stacked=True)
    assert len(fig["data"]) == 2 * run.net.n_layers
    assert fig["layout"]["yaxis"]["type"] == "log"
    bars = GF.layers_bar({"a": [1e-3, np.nan, 0.0]})
    assert bars["data"][0]["y"] == [1e-3, None, GF.TINY]


def test_healthy_only_when_first_and_last_layer_are_close():
    """The sentence names the real factor, and "healthy" is refused when the first layer lags."""
    kind, text = GF.diagnosis(np.array([0.9e-2, 0.05, 0.1]))    # first layer 11× smaller
    assert kind == "uneven" and "11× smaller" in text and "similar" not in text
    kind, text = GF.diagnosis(np.array([0.6, 0.3, 0.1]))        # first layer 6× larger
    assert kind == "uneven" and "6× larger" in text
    kind, text = GF.diagnosis(np.array([0.08, 0.09, 0.1]))      # the opposite: close together
    assert kind == "healthy" and "1.2× smaller" in text and "differ" not in text
    kind, text = GF.diagnosis(np.array([0.1, 1.2, 0.1]))        # ends agree, the middle does not
    assert kind == "healthy" and "about the same as" in text and "up to 12×" in text
    assert GF.diagnosis(np.array([1e-4, 1e-2, 0.1]))[0] == "vanishing"


def test_dead_network_explains_a_finite_loss():
    zero = np.zeros(4)
    text = GF.diagnosis(zero, loss=float(np.log(2)), n_classes=2)[1]
    assert "zero" in text and "0.693" in text and "1/2" in text
    text = GF.diagnosis(zero, loss=0.9, n_classes=2)[1]          # not the guessing loss
    assert "0.9" in text and "1/2" not in text
    assert "loss" not in GF.diagnosis(zero)[1]


def test_divergence_blames_the_weight_scale_or_the_learning_rate_from_the_numbers():
    values = {**D.DEFAULTS, "act": "relu", "scale": 4.0}
    init = D.compare_at_init(values)["ReLU"]
    assert init.max() > GF.EXPLODING
    run = D.build(values)
    while run.status != "diverged" and run.epoch < 50:
        run.step(5)
    assert run.status == "diverged"
    text = D.diverged_message(run, values, init)
    assert "weight scale ×4" in text and "not the learning rate" in text
    assert f"{run.train_loss:.3g}" in text and "NaN" not in text   # the loss it shows is finite
    calm = np.full(init.shape, 0.01)                               # the opposite: small gradients
    text = D.diverged_message(run, {**values, "lr": 1.0}, calm)
    assert "learning rate 0.1 is too high" in text and "weight scale" not in text

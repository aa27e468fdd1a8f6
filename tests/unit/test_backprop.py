"""The step-by-step backprop lesson shows the engine's own numbers, and they are right."""
import re

import numpy as np
import pytest

from playground.mlp import backprop as B, backprop_figure as BF
from playground.mlp.gradcheck import finite_difference_gradient, torch_gradient

CASES = [
    (2, [2], 1, "tanh", "tanh", "squared", 0, [1.0, 0.5], [1.0]),
    (3, [3, 2], 1, "relu", "sigmoid", "squared", 4, [0.3, -1.2, 2.0], [0.2]),
    (2, [3, 3, 3], 2, "gelu", "linear", "squared", 7, [-0.5, 1.5], [0.5, -1.0]),
    (1, [2], 3, "sigmoid", "tanh", "cross_entropy", 2, [1.7], [0.0, 0.0, 1.0]),
    (2, [], 1, "tanh", "sigmoid", "squared", 3, [0.4, -0.7], [1.0]),
]


def trace(case, lr=0.3):
    n_in, hidden, n_out, act, out_act, loss, seed, x, t = case
    net = B.build(n_in, hidden, n_out, act, out_act, loss, seed)
    return net, B.Trace(net, x, t, lr)


@pytest.mark.parametrize("case", CASES)
def test_forward_values_equal_the_engine_forward(case):
    net, tr = trace(case)
    outs = net.forward(np.asarray([case[7]]))
    for l, layer in enumerate(outs):
        for j in range(net.sizes[l]):
            assert tr.value(l, j) == pytest.approx(layer[0, j], abs=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_gradients_equal_engine_autograd_and_finite_differences(case):
    net, tr = trace(case)
    X, T = np.asarray([case[7]]), np.asarray([case[8]])
    loss, g = net.gradient(X, T)
    auto_loss, auto = torch_gradient(net, X, T)
    fd = finite_difference_gradient(net, X, T)
    assert tr.loss == pytest.approx(loss, abs=1e-12) and tr.loss == pytest.approx(auto_loss, abs=1e-10)
    np.testing.assert_allclose(tr.grad, g, atol=1e-12)
    np.testing.assert_allclose(tr.grad, auto, atol=1e-9)
    np.testing.assert_allclose(tr.grad, fd, atol=1e-6)
    assert np.abs(auto).max() > 1e-3   # not a vacuous comparison


@pytest.mark.parametrize("case", CASES[:3])
def test_chain_rule_pieces_multiply_to_delta(case):
    net, tr = trace(case)
    for l in range(1, net.n_layers + 1):
        for j in range(net.sizes[l]):
            assert tr.da(l, j) * tr.slope(l, j) == pytest.approx(tr.dz(l, j), abs=1e-12)


def _last_number(line: str) -> float:
    return float(re.findall(r"=\s*([−\-]?[\d.]+(?:e[−\-+]?\d+)?)\s*$", line)[0].replace("−", "-"))


def test_weight_lines_show_the_actual_gradient():
    net, tr = trace(CASES[1])
    checked = 0
    for s in tr.steps:
        if s.phase != "backward":
            continue
        gW, gb = tr.grads[s.layer - 1]
        for i in range(net.sizes[s.layer - 1]):
            src = B.node_name(net.sizes, s.layer - 1, i)
            line = next(x for x in s.lines if x.startswith(f"∂L/∂w({src}→{tr.name(s.layer, s.index)})"))
            assert _last_number(line) == pytest.approx(gW[i, s.index], rel=5e-3, abs=1e-12)
            # and the three factors written in the line multiply to that number
            factors = re.findall(r"= (\(?[−\d.e]+\)?) × (\(?[−\d.e]+\)?) × (\(?[−\d.e]+\)?) =", line)[0]
            prod = np.prod([float(f.strip("()").replace("−", "-")) for f in factors])
            assert prod == pytest.approx(gW[i, s.index], rel=2e-2, abs=1e-9)
            checked += 1
    assert checked == 3 * 3 + 3 * 2 + 2 * 1


def test_example_numbers_from_the_issue_format():
    assert B.num(0.31) == "0.31" and B.num(-0.42) == "(−0.42)" and B.plain(-0.0) == "0"
    assert B.num(float("nan")) == "NaN"


def test_update_step_and_loss_after():
    net, tr = trace(CASES[0], lr=0.5)
    np.testing.assert_allclose(tr.theta_after, net.theta - 0.5 * tr.grad)
    after = net.copy()
    after.theta[:] = tr.theta_after
    assert tr.loss_after == pytest.approx(after.data_loss(np.asarray([[1.0, 0.5]]), np.asarray([[1.0]])))
    assert tr.loss_after < tr.loss           # one small step downhill helps on this example
    rows = BF.update_table(tr)
    assert len(rows) == net.n_params
    for r in rows:
        assert r["new value"] == pytest.approx(r["value"] - 0.5 * r["∂L/∂w"])


def test_steps_reveal_forward_then_backward():
    net, tr = trace(CASES[0])
    n = len(tr.steps)
    assert [s.phase for s in tr.steps] == ["forward"] * 3 + ["loss"] + ["backward"] * 3 + ["inputs", "update"]
    assert not tr.forward_known(0, 1, 0) and tr.forward_known(1, 1, 0)
    assert not tr.gradient_known(4, 2, 0) and tr.gradient_known(5, 2, 0)
    assert not tr.updated(n - 1) and tr.updated(n)
    for k in range(n + 1):          # the figure builds at every step
        fig = BF.graph_figure(tr, k)
        shown = " ".join(map(str, fig["data"][2]["text"]))
        assert (B.plain(tr.loss) in shown) == tr.loss_known(k)


def test_check_rows_line_up_with_parameters():
    net, tr = trace(CASES[1])
    X, T = np.asarray([CASES[1][7]]), np.asarray([CASES[1][8]])
    rows = BF.check_rows(tr, torch_gradient(net, X, T)[1], finite_difference_gradient(net, X, T))
    by_name = {r["parameter"]: r for r in rows}
    gW, gb = tr.grads[0]
    assert by_name["w(x₂→h₃)"]["backprop (engine)"] == gW[1, 2]
    assert by_name["b_g₂"]["backprop (engine)"] == tr.grads[1][1][1]
    for r in rows:
        assert r["torch.autograd"] == pytest.approx(r["backprop (engine)"], abs=1e-9)


def test_huge_values_are_clamped_and_stay_finite():
    vals, changed = B.clamp([1e9, -np.inf, np.nan, 3.0])
    assert changed and list(vals) == [100.0, -100.0, 0.0, 3.0]
    net = B.build(2, [2], 2, "relu", "linear", "cross_entropy", 1, theta=np.full(12, 100.0))
    tr = B.Trace(net, [100.0, 100.0], [1.0, 0.0])
    assert np.isfinite(tr.loss) and np.isfinite(tr.grad).all()


def test_url_state_round_trip_and_bad_values():
    values = {"inputs": 3, "hidden": (3, 1), "lr": 0.1, "x": (1.0, 2.0, -3.0), "loss": "cross_entropy"}
    q = B.to_query(values)
    back, warnings = B.from_query(q)
    assert not warnings and back == {k: values[k] for k in q}
    back, warnings = B.from_query({"hidden": "9,9,9,9", "x": "1e9", "lr": "abc", "act": "nope"})
    assert back == {"hidden": (3, 3, 3), "x": (100.0,)} and len(warnings) == 2

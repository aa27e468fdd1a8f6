"""The playground engine against torch.autograd and torch.optim."""
import numpy as np
import pytest
import torch

from playground.mlp import activations as A
from playground.mlp.gradcheck import TORCH_ACT, torch_gradient
from playground.mlp.network import Network, Optimizer, train_epoch


torch_loss = torch_gradient  # the reference: the same network written with torch


@pytest.mark.parametrize("act", A.ACTIVATION_KEYS)
@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_gradients_match_autograd(act, loss):
    rng = np.random.default_rng(1)
    n_out = 3 if loss == "cross_entropy" else 2
    net = Network([3, 5, 4, n_out], [act, act, "tanh"], loss, init="xavier", seed=3)
    X = rng.normal(0, 1.5, (7, 3))
    T = np.eye(n_out)[rng.integers(0, n_out, 7)] if loss == "cross_entropy" else rng.uniform(-1, 1, (7, n_out))
    mine_loss, mine = net.gradient(X, T)
    ref_loss, ref = torch_loss(net, X, T)
    assert mine_loss == pytest.approx(ref_loss, abs=1e-9)
    np.testing.assert_allclose(mine, ref, atol=1e-6, rtol=0)
    assert np.abs(ref).max() > 1e-4  # the check is not vacuous


@pytest.mark.parametrize("reg", ["l1", "l2"])
def test_regularization_gradients_match_autograd(reg):
    rng = np.random.default_rng(2)
    net = Network([2, 4, 1], ["relu", "tanh"], init="tf", seed=5)
    X, T = rng.normal(0, 2, (10, 2)), rng.choice([-1.0, 1.0], (10, 1))
    mine_loss, mine = net.gradient(X, T, reg, 0.03)
    ref_loss, ref = torch_loss(net, X, T, reg, 0.03)
    assert mine_loss == pytest.approx(ref_loss, abs=1e-9)
    np.testing.assert_allclose(mine, ref, atol=1e-6, rtol=0)


@pytest.mark.parametrize("act", A.ACTIVATION_KEYS)
def test_vectorised_forward_matches_kernel(act):
    """The numpy forward (heatmaps) and the compiled per-example kernel agree."""
    rng = np.random.default_rng(0)
    net = Network([2, 3, 1], [act, "tanh"], init="he", seed=1)
    X = rng.normal(0, 3, (20, 2))
    T = np.zeros((20, 1))
    loss_kernel, _ = net.gradient(X, T)
    assert loss_kernel == pytest.approx(net.data_loss(X, T), abs=1e-12)


@pytest.mark.parametrize("act", A.ACTIVATION_KEYS)
def test_activation_derivative_matches_autograd(act):
    x = np.linspace(-6, 6, 241)
    xt = torch.tensor(x, requires_grad=True)
    TORCH_ACT[act](xt).sum().backward()
    a = A.get(act)
    np.testing.assert_allclose(a.f(x), TORCH_ACT[act](torch.tensor(x)).numpy(), atol=1e-9)
    mask = np.abs(x) > 1e-9  # kinks at 0: any subgradient is fine
    np.testing.assert_allclose(a.derivative(x)[mask], xt.grad.numpy()[mask], atol=1e-9)


TORCH_OPT = {
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.99, eps=1e-8),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.9, 0.999), eps=1e-8),
}


@pytest.mark.parametrize("opt_name", list(TORCH_OPT))
def test_optimizers_match_torch_optim(opt_name):
    rng = np.random.default_rng(4)
    net = Network([2, 4, 1], ["tanh", "tanh"], seed=2)
    X, T = rng.normal(0, 2, (30, 2)), rng.choice([-1.0, 1.0], (30, 1))
    ref = torch.tensor(net.theta.copy(), requires_grad=True)
    topt = TORCH_OPT[opt_name]([ref], 0.01)
    opt = Optimizer(opt_name, net.n_params)
    for _ in range(3):  # three epochs of batches of 10, in order
        train_epoch(net, opt, X, T, 10, 0.01)
        for s in range(0, 30, 10):
            probe = Network(net.sizes, net.activations, theta=ref.detach().numpy().copy())
            _, g = probe.gradient(X[s:s + 10], T[s:s + 10])
            topt.zero_grad()
            ref.grad = torch.tensor(g)
            topt.step()
    np.testing.assert_allclose(net.theta, ref.detach().numpy(), atol=1e-10)


def test_same_seed_same_run():
    rng = np.random.default_rng(0)
    X, T = rng.normal(0, 2, (50, 2)), rng.choice([-1.0, 1.0], (50, 1))
    thetas = []
    for _ in range(2):
        net = Network([2, 4, 2, 1], ["tanh", "relu", "tanh"], seed=42)
        opt = Optimizer("adam", net.n_params)
        for _ in range(20):
            train_epoch(net, opt, X, T, 10, 0.03)
        thetas.append(net.theta.copy())
    np.testing.assert_array_equal(thetas[0], thetas[1])
    other = Network([2, 4, 2, 1], ["tanh", "relu", "tanh"], seed=43)
    assert not np.array_equal(other.theta, Network([2, 4, 2, 1], ["tanh"] * 3, seed=42).theta)


def test_views_edit_theta():
    net = Network([2, 3, 1], ["tanh", "tanh"])
    net.W(1)[0, 2] = 7.0
    net.b(2)[0] = -3.0
    assert 7.0 in net.theta and -3.0 in net.theta
    (W1, b1), (W2, b2) = net.split(net.theta)
    assert W1[0, 2] == 7.0 and b2[0] == -3.0


def test_zero_hidden_layers_and_bad_arguments():
    net = Network([2, 1], ["tanh"])
    assert net.predict(np.zeros((4, 2))).shape == (4, 1)
    with pytest.raises(ValueError):
        Network([2, 3, 1], ["tanh"])
    with pytest.raises(ValueError):
        Network([2, 1], ["nope"])

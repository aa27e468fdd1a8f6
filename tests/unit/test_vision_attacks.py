"""FGSM and PGD: the loss of the true class goes up, the perturbation stays in the ε-box."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground import images as I
from playground.vision import attacks as A
from playground.vision import classify as K
from tests.vision_weights import float32_tests, load  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def clf():
    return K.Classifier(load("mobilenet_v3_large"))


@pytest.fixture(scope="module")
def x(clf):
    return K.to_tensor(K.model_view(clf.spec, I.load_sample("Coffee").image))


def linear_model(seed=0):
    """logits = W · flatten(x): the loss gradient's sign is known exactly."""
    W = torch.randn(10, 3 * 8 * 8, generator=torch.Generator().manual_seed(seed))
    return (lambda x: x.flatten(1) @ W.T), W


def test_fgsm_raises_the_loss_of_the_true_class(clf, x):
    label = int(clf.probs(x).argmax())
    for eps in (1 / 255, 4 / 255):
        r = A.fgsm(clf, x, label, eps)
        assert r.loss_before == pytest.approx(A.class_loss(clf, x, label))
        assert r.loss_after > r.loss_before
        assert float(r.delta.abs().max()) <= eps + 1e-6
        assert 0 <= float(r.x_adv.min()) and float(r.x_adv.max()) <= 1
        assert torch.allclose(r.x_adv - x, r.delta)


def test_fgsm_step_is_exactly_eps_times_the_gradient_sign():
    f, W = linear_model()
    x = torch.full((1, 3, 8, 8), 0.5)
    r = A.fgsm(f, x, 3, 0.1)
    with torch.enable_grad():
        xi = x.clone().requires_grad_(True)
        F.cross_entropy(f(xi), torch.tensor([3])).backward()
    assert torch.allclose(r.delta, 0.1 * xi.grad.sign())
    assert r.loss_after > r.loss_before


def test_pgd_is_at_least_as_strong_as_fgsm_and_stays_in_the_box(clf, x):
    label = int(clf.probs(x).argmax())
    eps = 2 / 255
    fg = A.fgsm(clf, x, label, eps)
    pg = A.pgd(clf, x, label, eps, steps=6)
    assert pg.steps == 6 and pg.loss_after > pg.loss_before
    assert pg.loss_after >= fg.loss_after - 1e-3
    assert float(pg.delta.abs().max()) <= eps + 1e-6
    assert 0 <= float(pg.x_adv.min()) and float(pg.x_adv.max()) <= 1
    steps = []
    A.pgd(clf, x, label, eps, steps=3, random_start=True, on_step=steps.append)
    assert steps == [1, 2, 3]


def test_targeted_attacks_lower_the_targets_loss(clf, x):
    label = int(clf.probs(x).argmax())
    target = (label + 7) % 1000
    r = A.fgsm(clf, x, label, 4 / 255, target=target)
    assert r.loss_after < r.loss_before
    r2 = A.pgd(clf, x, label, 4 / 255, steps=4, target=target)
    assert r2.loss_after < r2.loss_before


def test_zero_eps_changes_nothing():
    f, _ = linear_model(1)
    x = torch.rand(1, 3, 8, 8)
    assert torch.equal(A.fgsm(f, x, 0, 0.0).x_adv, x)
    assert torch.equal(A.pgd(f, x, 0, 0.0, steps=3).x_adv, x)


def test_magnify_maps_the_eps_box_to_black_grey_white():
    d = torch.zeros(1, 3, 2, 2)
    d[0, :, 0, 0], d[0, :, 1, 1] = 0.01, -0.01
    m = A.magnify(d, 0.01)
    assert m.dtype == np.uint8 and m.shape == (2, 2, 3)
    assert m[0, 0].tolist() == [255] * 3 and m[1, 1].tolist() == [0] * 3
    assert m[0, 1].tolist() == [128] * 3
    assert A.magnify(torch.zeros(1, 3, 2, 2), 0.0)[0, 0].tolist() == [128] * 3

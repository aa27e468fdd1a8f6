import numpy as np

from playground.mlp import settings as S
from playground.mlp.trainer import Run


def cfg(**kw):
    c = S.defaults()
    c.update(kw)
    return S.normalize(c)


def test_circle_learns_and_reset_is_reproducible():
    a = Run(cfg(seed=7))
    a.step(150)
    b = Run(cfg(seed=7))
    b.step(150)
    np.testing.assert_array_equal(a.net.theta, b.net.theta)
    assert a.history[-1] == b.history[-1]
    assert a.test_loss < 0.05 and a.accuracy() > 0.95
    assert a.history[0][1] > a.train_loss


def test_multiclass_softmax_confusion_matrix():
    r = Run(cfg(dataset="blobs4", layers=[6], acts=["tanh"], lr=0.1))
    assert r.net.sizes[-1] == 4 and r.net.loss == "cross_entropy"
    r.step(60)
    cm = r.confusion()
    assert cm.shape == (4, 4) and cm.sum() == len(r.test)
    assert r.accuracy() > 0.85
    assert np.trace(cm) / cm.sum() == r.accuracy()


def test_binary_cross_entropy_and_regression_outputs():
    r = Run(cfg(dataset="gauss", loss="cross_entropy"))
    assert r.net.sizes[-1] == 2
    r.step(20)
    assert r.accuracy() > 0.9
    g = Run(cfg(dataset="reg_plane", layers=[3], acts=["linear"], lr=0.01))
    assert g.net.activations[-1] == "linear" and np.isnan(g.accuracy())
    g.step(10)
    assert g.test_loss < 0.01


def test_divergence_pauses_with_an_explanation():
    r = Run(cfg(dataset="reg_gauss", layers=[8, 8], acts=["relu", "relu"], lr=10.0,
                features=["x1", "x2", "x1sq", "x2sq", "x1x2"]))
    for _ in range(20):
        if r.step(5) == 0:
            break
    assert r.status == "diverged"
    assert "learning rate" in r.message and "Reset" in r.message
    epoch = r.epoch
    assert r.step(5) == 0 and r.epoch == epoch  # stays paused


def test_stop_at_epoch_and_hyper_changes():
    r = Run(cfg(stop_at=12))
    r.step(5)
    r.step(50)
    assert r.epoch == 12 and r.status == "done"
    r.set_hyper({**r.cfg, "stop_at": 20, "optimizer": "adam", "lr": 0.01})
    assert r.status == "ready" and r.opt.name == "adam"
    r.step(50)
    assert r.epoch == 20


def test_extreme_settings_never_raise():
    """lr 10 with a 6x8 ReLU net and L1 rate 10, and a hand-edited huge weight."""
    r = Run(cfg(dataset="spiral", layers=[8] * 6, acts=["relu"] * 6, lr=10.0, reg="l1", reg_rate=10.0))
    for _ in range(10):
        r.step(10)
    assert r.status in ("training", "diverged")
    r2 = Run(cfg())
    r2.net.W(1)[0, 0] = 1e30
    r2.refresh()
    r2.step(5)
    assert r2.status == "diverged" and "learning rate" in r2.message



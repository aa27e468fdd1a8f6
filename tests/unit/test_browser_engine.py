"""One engine, two runtimes: the browser engine (playground/mlp/web/engine.js, run here in Node)
trains exactly like the Python kernel (playground/mlp/kernel.py).

Same data, same initial parameters, 200 epochs: parameters, optimizer state, every epoch's mean
batch loss, the final train/test loss and the per-layer gradient sizes must agree. Where only
+, −, ×, ÷, sqrt and comparisons are involved (ReLU, leaky ReLU, linear) the two are equal to
the last bit. Math.tanh / Math.exp / Math.log / Math.log1p / Math.expm1 in V8 and the C library
numba calls may round the last bit differently, so networks that use them are compared with
a tolerance of 1e-6. Measured here (relative, after 200 epochs): parameters 0 to 2e-15, losses
0 to 5e-16; printed by `python -m pytest tests/unit/test_browser_engine.py -s`.

Not compared: chaotic runs. Where training itself is unstable (3-class spiral with the large
X1², X1X2 features and momentum at lr 0.01; ReLU + Adam, where a parameter whose gradient is
~1e-17 rounding noise still gets a full step of lr · sign(g)), ANY last-bit difference grows
exponentially: measured 6e-15 after 20 epochs, 3e-5 after 50, 1.1 after 200. Both runtimes
are right there; the cases below are the well-conditioned ones, and Adam and RMSprop are
compared exactly where every gradient is meaningful (opt-adam, regression-adam-l1).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from playground.mlp import settings as S
from playground.mlp.network import train_epoch
from playground.mlp.trainer import Run

DRIVER = Path(__file__).with_name("js") / "run_engine.js"
EPOCHS = 200
EXACT = {"relu", "leaky_relu", "linear"}   # no transcendental function anywhere
MEASURED_DRIFT = 1e-6                      # tolerance for the others (see module docstring)


def node():
    exe = shutil.which("node")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is needed to run the browser engine in CI")
        pytest.skip("node is not installed")
    return exe


def cfg(**kw):
    c = S.defaults()
    c.update(kw)
    return S.normalize(c)


CASES = {
    # every activation (hidden layers), squared error, SGD
    **{f"act-{a}": cfg(dataset="spiral", layers=[6, 4], acts=[a, a], lr=0.03, noise=10)
       for a in ("relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "tanh", "sigmoid", "linear")},
    # the optimizers
    **{f"opt-{o}": cfg(dataset="xor", layers=[5, 3], acts=["relu", "relu"], optimizer=o, lr=0.01)
       for o in ("sgd", "momentum", "rmsprop", "adam")},
    # regularization
    "l1": cfg(dataset="circle", layers=[4, 2], acts=["relu", "relu"], reg="l1", reg_rate=0.003, lr=0.03),
    "l2": cfg(dataset="circle", layers=[4, 2], acts=["tanh", "tanh"], reg="l2", reg_rate=0.01, lr=0.03),
    # softmax + cross-entropy, two classes and three, every feature, uneven last batch
    "ce-binary": cfg(dataset="gauss", layers=[3], acts=["leaky_relu"], loss="cross_entropy", batch=7),
    "ce-3class": cfg(dataset="spiral3", layers=[8, 6], acts=["relu", "tanh"], lr=0.03,
                     features=["x1", "x2", "sinx1", "sinx2"]),
    "ce-4class-momentum": cfg(dataset="blobs4", layers=[5], acts=["elu"], optimizer="momentum",
                              lr=0.01, noise=20),
    # linear output, piecewise-linear hidden layers: no transcendental function at all
    "regression": cfg(dataset="reg_gauss", layers=[6], acts=["relu"], lr=0.01, batch=20),
    "regression-adam-l1": cfg(dataset="reg_plane", layers=[5, 5], acts=["leaky_relu", "linear"],
                              optimizer="adam", lr=0.01, reg="l1", reg_rate=0.001),
    "no-hidden": cfg(dataset="gauss", layers=[], acts=[], lr=0.1),
}


def python_run(c):
    run = Run(c)
    spec = {
        "net": {"sizes": run.net.sizes, "acts": run.net._acts.tolist(), "loss": int(run.net.loss == "cross_entropy"),
                "theta": run.net.theta.tolist(), "opt": ["sgd", "momentum", "rmsprop", "adam"].index(c["optimizer"]),
                "lr": c["lr"], "batch": c["batch"], "reg": ["none", "l1", "l2"].index(c["reg"]),
                "reg_rate": c["reg_rate"], "hyper": run.opt.hyper.tolist()},
        "X": run.Xtr.ravel().tolist(), "T": run.Ttr.ravel().tolist(), "n": len(run.Xtr),
        "Xte": run.Xte.ravel().tolist(), "Tte": run.Tte.ravel().tolist(), "nte": len(run.Xte),
        "epochs": EPOCHS,
    }
    losses = [train_epoch(run.net, run.opt, run.Xtr, run.Ttr, c["batch"], c["lr"], c["reg"], c["reg_rate"])
              for _ in range(EPOCHS)]
    from playground.mlp.gradflow import gradient_sizes, layer_gradients
    flow = gradient_sizes(layer_gradients(run.net, run.Xtr, run.Ttr, c["reg"], c["reg_rate"]))
    py = {"theta": run.net.theta, "m": run.opt.m, "v": run.opt.v, "step": run.opt.step,
          "batch_losses": np.array(losses), "train_loss": run.net.data_loss(run.Xtr, run.Ttr),
          "test_loss": run.net.data_loss(run.Xte, run.Tte), "flow": flow}
    return spec, py


@pytest.fixture(scope="module")
def both():
    exe = node()
    names = list(CASES)
    specs, pys = zip(*(python_run(CASES[n]) for n in names))
    out = subprocess.run([exe, str(DRIVER)], input=json.dumps(list(specs)), capture_output=True,
                         text=True, timeout=120, check=True)
    return dict(zip(names, zip(pys, json.loads(out.stdout))))


def drift(py, js):
    d = {}
    for k in ("theta", "m", "v", "batch_losses", "flow"):
        a, b = np.asarray(py[k], float), np.asarray(js[k], float)
        assert a.shape == b.shape, k
        d[k] = float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(a)))) if a.size else 0.0
    for k in ("train_loss", "test_loss"):
        d[k] = abs(py[k] - js[k]) / max(1.0, abs(py[k]))
    return d


@pytest.mark.parametrize("name", list(CASES))
def test_browser_engine_equals_python_kernel(both, name):
    py, js = both[name]
    assert js["step"] == py["step"]
    assert np.isfinite(py["theta"]).all()
    d = drift(py, js)
    print(name, {k: f"{v:.1e}" for k, v in d.items()})
    c = CASES[name]
    # features are computed once in Python and shipped, so sin never runs in the browser engine;
    # the output is linear for regression, tanh (binary) or softmax (exp, log) otherwise
    exact = set(c["acts"]) <= EXACT and c["dataset"].startswith("reg_")
    tol = 0.0 if exact else MEASURED_DRIFT
    for k in ("theta", "m", "v", "batch_losses"):
        assert d[k] <= tol, (k, d[k])
    # gradflow.py's RMS uses NumPy's pairwise sum, the browser a running sum
    assert d["flow"] <= max(tol, 1e-12)
    # Python's data loss uses NumPy's matrix product (another summation order): 1e-12
    assert d["train_loss"] <= max(tol, 1e-12) and d["test_loss"] <= max(tol, 1e-12)


def test_training_actually_happened(both):
    """A guard against a driver that returns its input: every case learned something."""
    for name, (py, js) in both.items():
        assert js["step"] == py["step"] > 0
        assert js["batch_losses"][-1] < js["batch_losses"][0], name


@pytest.mark.parametrize("name", ["act-gelu", "ce-3class", "regression", "no-hidden"])
def test_heatmap_forward_equals_the_training_forward(name):
    """The browser's layer-at-a-time forward pass for heatmaps sums in the kernel's order."""
    spec, _ = python_run(CASES[name])
    out = subprocess.run([node(), str(DRIVER), "grid"], input=json.dumps([spec]), capture_output=True,
                         text=True, timeout=60, check=True)
    res = json.loads(out.stdout)
    assert res["nodes"] == sum(spec["net"]["sizes"]) and res["diff"] == 0.0

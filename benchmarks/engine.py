"""Engine benchmark: training speed, one frame's compute, and training quality. Prints JSON.

Setup as in TF Playground's own measurement: spiral, features X1 X2, hidden [8, 8], tanh,
learning rate 0.03, batch 10, 250 training points, squared error with labels +-1 and a tanh
output. Run:  python benchmarks/engine.py
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from playground.mlp import settings as S  # noqa: E402
from playground.mlp.trainer import Run  # noqa: E402


def config(**kw):
    c = S.defaults()
    c.update(kw)
    return S.normalize(c)


SPIRAL = config(dataset="spiral", layers=[8, 8], acts=["tanh", "tanh"], lr=0.03, batch=10)
CIRCLE = config(dataset="circle", layers=[4, 2], acts=["tanh", "tanh"], lr=0.03, batch=10)


def epochs_per_second(repeats=5, epochs=2000):
    run = Run(SPIRAL)
    run.step(5)  # compile / warm up
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        run.step(epochs)
        rates.append(epochs / (time.perf_counter() - t))
    return statistics.median(rates), len(run.Xtr)


def quality(cfg, seeds=10, epochs=500):
    losses = []
    for seed in range(seeds):
        run = Run({**cfg, "seed": seed})
        run.step(epochs)
        losses.append(run.test_loss)
    return statistics.median(losses), losses


def browser_engine():
    """The same setup in the browser's engine (Node), and TF Playground's own engine beside it."""
    import shutil
    import subprocess
    from playground.mlp import browser as B
    node = shutil.which("node")
    if node is None:
        return {"skipped": "node is not installed"}
    run = Run(SPIRAL)
    spec = B.spec({"A": run}, SPIRAL, "bench", set())
    case = {"net": {**spec["nets"][0], "theta": spec["nets"][0]["theta0"]}, "X": spec["train"]["X"],
            "T": spec["train"]["T"], "n": spec["train"]["n"]}
    here = os.path.dirname(os.path.abspath(__file__))
    out = {"ours_browser_engine_in_node": json.loads(subprocess.run(
        [node, os.path.join(here, "engine_js.js")], input=json.dumps(case), capture_output=True,
        text=True, check=True, timeout=300).stdout)}
    tfp = os.path.join(os.path.dirname(here), "..", "shared", "tfp-bench", "bench.js")
    if os.path.exists(tfp):
        out["tf_playground_nn_ts_in_node"] = json.loads(subprocess.run(
            [node, tfp], capture_output=True, text=True, check=True, timeout=600).stdout)
        out["tf_playground_spiral_test_loss_100_runs"] = json.loads(subprocess.run(
            [node, os.path.join(here, "tfp_quality.js"), "100"], capture_output=True, text=True,
            check=True, timeout=900).stdout)
    return out


def main():
    eps, n_train = epochs_per_second()
    spiral_med, spiral_all = quality(SPIRAL)
    spiral_100, _ = quality(SPIRAL, seeds=100)
    circle_med, circle_all = quality(CIRCLE)
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "setup": "spiral, X1 X2, hidden [8, 8] tanh, lr 0.03, batch 10, squared error, labels +-1",
        "train_points": n_train,
        "training_epochs_per_s": round(eps, 1),
        "target_epochs_per_s": 2500,
        "spiral_test_loss_500_epochs_median_10_seeds": round(spiral_med, 4),
        "spiral_target": 0.36,
        "spiral_losses": [round(x, 4) for x in spiral_all],
        "spiral_test_loss_500_epochs_median_100_seeds": round(spiral_100, 4),
        "spiral_note": "the median of 10 seeds is noisy (seeds 0-9 happen to be worse than "
                       "typical); compare 100 seeds with TF Playground's own code on 100 runs",
        "circle_4_2_test_loss_500_epochs_median_10_seeds": round(circle_med, 5),
        "circle_target": 0.005,
    }
    result["side_by_side_in_node"] = browser_engine()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

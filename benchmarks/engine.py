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

from playground.mlp import figures as G  # noqa: E402
from playground.mlp import frame as FR  # noqa: E402
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


def frame_ms(repeats=200):
    run = Run(SPIRAL)
    run.step(50)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fr = FR.compute(run, size=320, show_test=True, thumbs=True)
        G.network_diagram(run, fr.thumbs)
        G.loss_chart({"": run.history})
        G.confusion_chart(run.confusion(), run.class_names())
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def quality(cfg, seeds=10, epochs=500):
    losses = []
    for seed in range(seeds):
        run = Run({**cfg, "seed": seed})
        run.step(epochs)
        losses.append(run.test_loss)
    return statistics.median(losses), losses


def main():
    eps, n_train = epochs_per_second()
    spiral_med, spiral_all = quality(SPIRAL)
    circle_med, circle_all = quality(CIRCLE)
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "setup": "spiral, X1 X2, hidden [8, 8] tanh, lr 0.03, batch 10, squared error, labels +-1",
        "train_points": n_train,
        "training_epochs_per_s": round(eps, 1),
        "target_epochs_per_s": 2500,
        "frame_compute_ms": round(frame_ms(), 3),
        "target_frame_ms": 5,
        "spiral_test_loss_500_epochs_median_10_seeds": round(spiral_med, 4),
        "spiral_target": 0.36,
        "spiral_losses": [round(x, 4) for x in spiral_all],
        "circle_4_2_test_loss_500_epochs_median_10_seeds": round(circle_med, 5),
        "circle_target": 0.005,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

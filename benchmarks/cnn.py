"""CNN pages benchmark: the small CNN's training speed and test accuracy on the bundled 8×8
digits (seeded), the convolution lab's compute, and a pretrained ResNet-18's feature maps
(random-init weights: the time does not depend on the values). Prints JSON.

Run:  python benchmarks/cnn.py [--seconds 10] [--steps 300]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from playground import images  # noqa: E402
from playground.cnn import digits as D, inside as I, kernels as K, train as T  # noqa: E402


def timed(fn, repeats: int = 5) -> dict:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "best_ms": round(min(times), 2)}


def training(data, steps: int, seconds: float, seed: int) -> dict:
    T.train_for(T.CNNRun(data, seed=seed + 1), steps=40)   # warm-up: torch's first calls are slow
    run = T.CNNRun(data, c1=8, c2=16, k=3, lr=0.003, batch=32, seed=seed)
    t0 = time.perf_counter()
    T.train_for(run, steps=steps, chunk=20)            # as the page does: chunks + evaluation
    by_steps = time.perf_counter() - t0
    out = {"steps": run.steps, "seconds": round(by_steps, 2),
           "steps_per_s_with_eval_every_20": round(run.steps / by_steps, 1),
           "test_accuracy_after_steps": round(run.test_acc, 4), "test_loss": round(run.test_loss, 4)}
    timed_run = T.CNNRun(data, c1=8, c2=16, k=3, lr=0.003, batch=32, seed=seed)
    T.train_for(timed_run, seconds=seconds, chunk=20)
    out.update({"seconds_budget": seconds, "steps_in_budget": timed_run.steps,
                "test_accuracy_after_seconds": round(timed_run.test_acc, 4)})
    raw = T.CNNRun(data, seed=seed)
    t0 = time.perf_counter()
    raw.step(200)                                     # one chunk, one evaluation: pure training
    out["steps_per_s_training_only"] = round(200 / (time.perf_counter() - t0), 1)
    # as the page calls it: a fresh thread per frame (Streamlit reruns), 50 steps per frame
    page = T.CNNRun(data, seed=seed)
    t0 = time.perf_counter()
    for _ in range(10):
        th = threading.Thread(target=page.step, args=(50,))
        th.start()
        th.join()
    out["steps_per_s_page_frames_fresh_thread"] = round(500 / (time.perf_counter() - t0), 1)
    return out


def conv_lab() -> dict:
    img = images.load_sample("Astronaut").image.copy()
    img.thumbnail((256, 256))
    out = {}
    for gray in (True, False):
        x = K.to_array(img, gray)
        for size in (3, 5):
            k = K.preset("gaussian_blur", size)
            out[f"{'gray' if gray else 'rgb'}_{size}x{size}_{x.shape[2]}x{x.shape[1]}"] = timed(
                lambda: K.convolve(x, k, 1, size // 2, 1), 10)
    patch = K.to_array(img, True)[0, :9, :9]
    out["sliding_window_9x9_patch_all_steps"] = timed(
        lambda: K.sliding_window(patch, K.preset("sobel_x", 3), 1, 1, 1), 10)
    return out


def pretrained() -> dict:
    from torchvision.models import resnet18

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        m = resnet18().eval().requires_grad_(False)
    x = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    out = {"layer_table": timed(lambda: I.layer_table(m, "resnet", x), 5)}
    for layer in ("conv1", "layer1.1", "layer4.1"):
        out[f"feature_maps_{layer}_top16"] = timed(lambda: I.feature_maps(m, "resnet", x, layer, 16), 5)
    with torch.inference_mode():
        out["full_forward"] = timed(lambda: m(x), 5)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    data = D.load_digits8(seed=a.seed)
    result = {
        "machine": {"python": platform.python_version(), "torch": torch.__version__,
                    "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads()},
        "digits_cnn": {"data": f"{len(data.y_train)} train / {len(data.y_test)} test, 8x8",
                       "net": "conv3x3(8) relu pool conv3x3(16) relu pool linear, Adam 0.003, "
                              "batch 32", "seed": a.seed,
                       **training(data, a.steps, a.seconds, a.seed)},
        "conv_lab": conv_lab(),
        "resnet18_random_weights_224": pretrained(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()

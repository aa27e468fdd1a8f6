"""Pretrained-vision benchmark: load time, latency and peak memory per model. Prints JSON.

Offline: random-init weights (tests/vision_weights.py: BatchNorm calibrated, so no denormal
slow-downs) are written under torchvision's file names in a temp $TORCH_HOME: same
architectures and sizes as the real weights, so time and memory are representative.
Each model runs in a fresh process so its peak memory (max RSS) is its own; a last run loads
the four classifiers together (the worst case of the per-server model cache). Run:
    python benchmarks/vision.py [model keys...]
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def rss_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would include the parent's)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(keys: list[str]) -> dict:
    from playground import images as I
    from playground.vision import attacks as A
    from playground.vision import classify as K
    from playground.vision import detect as D
    from playground.vision import explain as E
    from playground.vision import models as M

    out = {"rss_after_import_mb": round(rss_mb())}
    models, row = {}, {}
    for key in keys:
        spec = M.REGISTRY[key]
        t0 = time.perf_counter()
        loaded = M.load_torchvision(spec)
        r = {"load_s": round(time.perf_counter() - t0, 2), "file_mb": round(path_mb(spec), 1)}
        img = I.load_sample("Astronaut").image
        if spec.task == "classify":
            clf = K.Classifier(loaded)
            x = K.to_tensor(K.model_view(spec, img))
            lat = K.measure_latency(lambda: clf.probs(x), repeats=7)
            r.update(latency_ms=round(lat["median_ms"], 1), best_ms=round(lat["best_ms"], 1))
            method = E.methods_for(spec.family)[0]
            r[f"{method}_ms"] = round(timed(lambda: E.explain(clf, x, 1, method)), 1)
            r["fgsm_ms"] = round(timed(lambda: A.fgsm(clf, x, 1, 2 / 255)), 1)
            r["pgd8_ms"] = round(timed(lambda: A.pgd(clf, x, 1, 2 / 255, steps=8)), 1)
        elif spec.task == "detect":
            lat = K.measure_latency(lambda: D.run_detector(loaded, img), repeats=5)
            r.update(latency_ms=round(lat["median_ms"], 1), best_ms=round(lat["best_ms"], 1))
        else:
            lat = K.measure_latency(lambda: D.run_segmenter(loaded, img), repeats=5)
            r.update(latency_ms=round(lat["median_ms"], 1), best_ms=round(lat["best_ms"], 1))
        r["peak_rss_mb"] = round(rss_mb())
        row[key] = r
        models[key] = loaded
    out["models"] = row
    out["peak_rss_mb"] = round(rss_mb())
    return out


def path_mb(spec) -> float:
    from playground.vision import models as M
    return M.checkpoint_path(spec).stat().st_size / 2**20


def timed(fn, repeats: int = 3) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        print(json.dumps(one(sys.argv[2].split(","))))
        return
    from playground.vision import models as M

    keys = sys.argv[1:] or list(M.REGISTRY)
    home = os.environ.get("TORCH_HOME") or tempfile.mkdtemp(prefix="dlp-bench-")
    env = {**os.environ, "TORCH_HOME": home, "PLAYGROUND_OFFLINE": "1"}
    from tests.vision_weights import write_random_weights

    write_random_weights(home, keys)          # in this process: children only load and run
    result = {"python": platform.python_version(), "cpus": os.cpu_count(),
              "load_average": os.getloadavg(), "models": {}}
    runs = [[k] for k in keys] + [[k for k in keys if M.REGISTRY[k].task == "classify"]]
    for group in runs:
        proc = subprocess.run([sys.executable, __file__, "--inside", ",".join(group)], env=env,
                              capture_output=True, text=True, check=True)
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        if len(group) == 1:
            result["models"][group[0]] = {**data["models"][group[0]],
                                          "rss_after_import_mb": data["rss_after_import_mb"]}
        else:
            result["all_classifiers_loaded_peak_rss_mb"] = data["peak_rss_mb"]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

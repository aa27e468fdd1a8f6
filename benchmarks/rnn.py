"""Recurrent-networks benchmark: training speed, the "inside" views' compute, and the memory task
(LSTM vs vanilla RNN vs GRU). Prints JSON. Run:  python benchmarks/rnn.py [--seeds 6]

Training runs as the page runs it: in a fresh thread per chunk (Streamlit starts one per
rerun) and inside ``few_threads()``. Speeds are the best of 3 chunks (a shared machine only
ever makes them slower).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from playground.rnn import settings as S  # noqa: E402
from playground.rnn.train import SeqRun  # noqa: E402


def run_of(**kw) -> SeqRun:
    return SeqRun({**S.normalize(kw), "text": kw.get("text")})


def in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def steps_per_s(run: SeqRun, chunk: int = 50) -> float:
    run.step(5)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        in_thread(lambda: run.step(chunk))
        best = min(best, time.perf_counter() - t)
    return round(chunk / best, 1)


def ms(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return round(best * 1000, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--delay", type=int, default=40)
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()
    out = {"python": platform.python_version(), "torch": torch.__version__,
           "cpu_count": os.cpu_count(), "training_steps_per_s": {}, "inside_ms": {}}
    for task in ("sines", "memory", "chars"):
        for kind in ("rnn", "lstm", "gru"):
            out["training_steps_per_s"][f"{task}/{kind}"] = steps_per_s(run_of(task=task, model=kind))
    for T in (60, 200):
        run = run_of(task="sines", seq_len=T, hidden=64, layers=3)
        out["inside_ms"][f"sines T={T} hidden=64 layers=3"] = ms(lambda: run.inside(0))
    mem = {}
    for kind in ("lstm", "rnn", "gru"):
        accs = []
        for seed in range(args.seeds):
            run = run_of(task="memory", delay=args.delay, model=kind, hidden=16, lr=0.003, seed=seed)
            run.step(args.steps)
            accs.append(round(run.test_accuracy, 3))
        mem[kind] = {"test_accuracy_per_seed": accs, "mean": round(sum(accs) / len(accs), 3)}
    out["memory_task"] = {"delay_N": args.delay, "training_steps": args.steps, "hidden": 16,
                          "lr": 0.003, "optimizer": "adam", "batch": 32, "chance": 0.25, **mem}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

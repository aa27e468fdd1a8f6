"""Generative pages: training steps per second and time until samples match the target.

    python benchmarks/generative.py [--seeds 5] [--max-steps 8000]

Prints JSON. Steps/s: each page's model at its default settings, one intra-op thread (as the
pages run it), without the time budget. "Time to match": training time (evaluation excluded) until
the samples' MMD to the target is within data2d.matches of the target's own two-sample MMD,
checked every 100 steps; median over seeds (None when most seeds did not match within
--max-steps). Both wall-clock and CPU seconds (process time; on a shared machine the wall clock
mostly measures the other jobs) and the steps it took."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from playground.cnn import digits as D  # noqa: E402
from playground.generative import data2d as D2, diffusion as Df, gan as G, vae as V  # noqa: E402

torch.set_num_threads(1)


def rate(run, n: int = 300) -> dict:
    """Steps per wall-clock second and per CPU second of this process (one thread)."""
    run.step(10, max_seconds=None)
    t0, c0 = time.perf_counter(), time.process_time()
    run.step(n, max_seconds=None)
    return {"wall": round(n / (time.perf_counter() - t0), 1),
            "cpu": round(n / max(time.process_time() - c0, 1e-9), 1)}


def rates(digits) -> dict:
    return {
        "gan (ring, rounds of 1 D + 1 G step)": rate(G.GANRun(G.Settings())),
        "vae (8x8 digits, batch 64)": rate(V.VAERun(digits, V.Settings())),
        "diffusion 2-D (moons, batch 256)": rate(Df.DiffusionRun(Df.Settings())),
        "diffusion digits (batch 128, width 256)": rate(Df.DiffusionRun(
            Df.Settings(data="digits", width=256, batch=128), digits.x_train, digits.y_train))}


def time_to_match(make, quality, floor: float, max_steps: int) -> tuple:
    """(wall s, CPU s, steps) until the samples match, or (None, None, None)."""
    run, wall, cpu = make(), 0.0, 0.0
    while run_steps(run) < max_steps:
        t0, c0 = time.perf_counter(), time.process_time()
        run.step(100, max_seconds=None)
        wall, cpu = wall + time.perf_counter() - t0, cpu + time.process_time() - c0
        if D2.matches(quality(run), floor):
            return round(wall, 2), round(cpu, 2), run_steps(run)
    return None, None, None


def run_steps(run) -> int:
    return getattr(run, "steps_g", None) or getattr(run, "steps", 0)


def med(xs):
    ok = [x for x in xs if x is not None]
    return round(statistics.median(ok), 2) if len(ok) > len(xs) // 2 else None


def frame_costs(digits) -> dict:
    """Milliseconds of the pictures each page draws per frame (median of 5), training excluded."""
    from playground.generative import figures as F

    def ms(fn):
        ts = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn()
            ts.append((time.perf_counter() - t0) * 1000)
        return round(statistics.median(ts), 1)

    g = G.GANRun(G.Settings())
    v = V.VAERun(digits, V.Settings())
    p = Df.DiffusionRun(Df.Settings())
    d = Df.DiffusionRun(Df.Settings(data="digits", width=256, batch=128), digits.x_train, digits.y_train)
    return {
        "gan frame (D map, arrows, MMD, figures)": ms(lambda: (g.evaluate(), F.gan_plane(
            *g.d_map(), g.real_shown, g.generated(), *g.g_arrows()), G.describe(g))),
        "vae frame (test ELBO, codes, figures)": ms(lambda: (v.evaluate(), v.latent_means())),
        "vae pictures (reconstructions, grid, interpolation, samples)": ms(lambda: (
            v.reconstruct(range(10)), v.decode_grid(10), v.interpolate(0, 1, 8), v.sample(16, 0))),
        "diffusion 2-D samples view (400 points DDPM T=100, field)": ms(lambda: (
            p.sample(400, 0, None, keep=30), p.field(20))),
        "diffusion digits samples view (6 guided + 20, DDPM T=100)": ms(lambda: (
            d.sample(6, 0, None, 3, 2.0, keep=8), d.sample(20, 1, None)))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--max-steps", type=int, default=8000)
    ap.add_argument("--frames-only", action="store_true", help="only steps/s and per-frame drawing costs")
    a = ap.parse_args()
    digits = D.load("digits8", 0)
    if a.frames_only:
        print(json.dumps({"steps_per_s": rates(digits), "frame_ms": frame_costs(digits),
                          "load_average_1min": round(__import__("os").getloadavg()[0], 1)}, indent=1))
        return
    out = {"steps_per_s": rates(digits)}
    out["frame_ms"] = frame_costs(digits)
    out["load_average_1min"] = round(__import__("os").getloadavg()[0], 1)
    t0 = time.perf_counter()
    run = Df.DiffusionRun(Df.Settings())
    run.sample(400, 0)
    out["diffusion sampling 400 points, DDPM 100 steps (s)"] = round(time.perf_counter() - t0, 3)
    for name, target, make, quality in (
            ("gan ring", "ring", lambda s: G.GANRun(G.Settings(seed=s)),
             lambda r: D2.distance(r.generated()[:400], r.real_eval)),
            ("diffusion moons (DDPM, T=100)", "moons", lambda s: Df.DiffusionRun(Df.Settings(seed=s)),
             lambda r: r.quality(seed=3)),
            ("diffusion ring (DDPM, T=100)", "ring", lambda s: Df.DiffusionRun(Df.Settings(data="ring", seed=s)),
             lambda r: r.quality(seed=3))):
        floor = D2.baseline_distance(target, 400)
        res = [time_to_match(lambda s=s: make(s), quality, floor, a.max_steps) for s in range(a.seeds)]
        out[f"time to match: {name}"] = {
            "median_wall_s": med([r[0] for r in res]), "median_cpu_s": med([r[1] for r in res]),
            "median_steps": med([r[2] for r in res]), "per_seed_wall_s": [r[0] for r in res],
            "per_seed_steps": [r[2] for r in res], "floor_mmd": round(floor, 5)}
        print(json.dumps({name: out[f"time to match: {name}"]}), file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""Learning-to-play benchmark: episodes per second on each page, episodes to solve CartPole,
self-play games until the tic-tac-toe agent never loses to a random player. Prints JSON.

Run:  python benchmarks/games.py [--seeds 5] [--ttt-seeds 3] [--quick]

Training runs as the pages run it: in a fresh thread per chunk (Streamlit starts one per rerun)
with the pages' own classes; speeds are the best of 3 timed chunks (a shared machine only ever
makes them slower). Frame times include building the page's figures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from playground.games import cartpole as C, figures as F, gridworld as G, tictactoe as T  # noqa: E402
from playground.games.reinforce import Reinforce  # noqa: E402
from playground.games.selfplay import BATCH_GAMES, SelfPlay  # noqa: E402
from benchmarks.rnn import in_thread  # noqa: E402  (a fresh thread per chunk, as Streamlit)


def per_second(step, count, chunks: int = 3, seconds: float = 1.0) -> float:
    """Best rate of ``count()`` over ``chunks`` chunks of about ``seconds`` each."""
    best = 0.0
    for _ in range(chunks):
        c0, t0 = count(), time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            in_thread(step)
        best = max(best, (count() - c0) / (time.perf_counter() - t0))
    return best


def grid(quick: bool) -> dict:
    out = {}
    for method in ("table", "network"):
        for key, (_, text) in G.PRESETS.items():
            run = G.GridRun(G.GridSettings(maze=text, method=method, slip=0.0))
            run.step(20 if method == "network" else 200)         # past the first random walks
            rate = per_second(lambda: run.step(5, max_seconds=0.2), lambda: run.episodes,
                              chunks=2 if quick else 3)
            t0 = time.perf_counter()
            Q = run.q_table()
            F.grid_figure(run.maze, Q.max(1), Q.argmax(1), run.last_path)
            F.returns_chart(run.returns)
            figs_ms = (time.perf_counter() - t0) * 1e3
            out[f"{method}/{key}"] = {"episodes_per_s": round(rate, 1),
                                      "frame_figures_ms": round(figs_ms, 2),
                                      "optimal_cells": f"{int(run.policy_matches_optimal().sum())}/{run.maze.n}"}
    return out


def cartpole(seeds: int, quick: bool) -> dict:
    agent = Reinforce(seed=0)
    rate = per_second(lambda: agent.step(2, max_seconds=0.2), lambda: agent.episodes,
                      chunks=2 if quick else 3)
    solved = []
    for seed in range(seeds):
        a = Reinforce(seed=seed)
        t0 = time.perf_counter()
        while a.solved_at() is None and a.episodes < 5000:
            a.step(10)
        solved.append({"seed": seed, "episodes": a.solved_at(), "seconds": round(time.perf_counter() - t0, 1)})
    eps = [s["episodes"] for s in solved if s["episodes"] is not None]
    return {"episodes_per_s": round(rate, 1), "episodes_to_solve": solved,
            "median_episodes_to_solve": statistics.median(eps) if eps and len(eps) == len(solved) else None,
            "criterion": f"average return ≥ {C.SOLVED_RETURN:g} over {C.SOLVED_WINDOW} episodes "
                         f"(episodes capped at {C.MAX_STEPS} steps)"}


def tictactoe(seeds: int, quick: bool, check_every: int = 400, limit: int = 20_000) -> dict:
    agent = SelfPlay(seed=0)
    rate = per_second(lambda: agent.step(5, max_seconds=0.2), lambda: agent.games,
                      chunks=2 if quick else 3)
    t0 = time.perf_counter()
    T.value(np.zeros(9, dtype=np.int8))          # solving the game for minimax: once per server
    solve_ms = (time.perf_counter() - t0) * 1e3
    t0 = time.perf_counter()
    agent.evaluate(100, 10)
    eval_ms = (time.perf_counter() - t0) * 1e3
    runs = []
    for seed in range(seeds):
        a = SelfPlay(seed=seed)
        t0, found = time.perf_counter(), None
        while a.games < limit:
            a.step(check_every // BATCH_GAMES)
            r = T.match_batch(a.choose, T.random_move, 1000, 2024)
            if r["loss"] == 0:
                p = T.match_batch(a.choose, T.perfect_move, 40, 7)
                found = {"games": a.games, "vs_random_1000": r, "vs_minimax_40": p}
                break
        runs.append({"seed": seed, **(found or {"games": None}),
                     "seconds": round(time.perf_counter() - t0, 1)})
    games = [r["games"] for r in runs if r["games"] is not None]
    return {"self_play_games_per_s": round(rate, 1), "solve_minimax_once_ms": round(solve_ms),
            "evaluation_100_random_10_perfect_ms": round(eval_ms),
            "never_loses_to_random": runs,
            "median_games": statistics.median(games) if games and len(games) == len(runs) else None,
            "criterion": f"no loss in 1000 games against a random player (checked every {check_every} games)"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5, help="CartPole seeds")
    ap.add_argument("--ttt-seeds", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(1)
    out = {"python": platform.python_version(), "torch": torch.__version__, "cpus": os.cpu_count(),
           "load_avg": os.getloadavg()[0],
           "grid_world": grid(a.quick), "cartpole": cartpole(a.seeds, a.quick),
           "tictactoe": tictactoe(a.ttt_seeds, a.quick)}
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Loss-landscape page benchmark: map compute time, trajectory time, figure sizes and who wins
each default race. Prints JSON. Run:  python benchmarks/landscape.py

Times are the best of 3 (a shared machine only ever makes them slower); the figure size is the
JSON Streamlit sends to the browser (contour map and 3-D surface, frames included).
"""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402

from playground.mlp import landscape as LS  # noqa: E402
from playground.mlp import landscape_figures as LF  # noqa: E402

GRID = 61  # as pages/loss_landscape.py


def best_of(fn, n=3):
    times, out = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    LS.run(LS.valley(), "sgd", 0.1, (0.0, 0.0), 2)  # load the compiled kernel once
    report = {"grid": f"{GRID}x{GRID}"}
    for key, make in LS.SCENARIOS.items():
        t_build, land = best_of(make)
        t_grid, (a, b, Z) = best_of(lambda: LS.grid(land, GRID))
        t_race, trajs = best_of(lambda: LS.race(land, land.lrs, land.start, land.steps, Z))
        rows, level = LS.ranking(trajs, Z)
        t_fig, figs = best_of(lambda: (LF.contour_figure(land, a, b, Z, trajs, land.start),
                                       LF.surface_figure(land, a, b, Z, trajs)))
        kb = [len(pio.to_json(go.Figure(f, _validate=False))) / 1024 for f in figs]
        report[key] = {
            "build_ms": round(t_build * 1e3, 1), "grid_ms": round(t_grid * 1e3, 1),
            "race_ms (4 optimizers)": round(t_race * 1e3, 1), "steps": land.steps,
            "figures_ms": round(t_fig * 1e3, 1), "contour_kb": round(kb[0]), "surface_kb": round(kb[1]),
            "reached_level": round(level, 5), "start_loss": round(float(trajs[0].losses[0]), 5),
            "ranking": [{"optimizer": r["optimizer"], "lr": r["learning rate"],
                         "reached_at_step": r["reached at step"],
                         "final_loss": round(r["final loss"], 5)} for r in rows],
            "map_min_loss": round(float(np.min(Z)), 5),
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

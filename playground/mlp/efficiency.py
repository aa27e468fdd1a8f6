"""Data efficiency: the same small network trained on 1 %, 5 %, 25 % and 100 % of its data.

Everything but the amount of training data stays fixed: the test split, the network's initial
weights (same seed) and the number of weight updates (the budget), so the curve of test
accuracy against training-set size isolates what more data buys. The subsets are nested
(the 1 % is inside the 5 %, which is inside the 25 %) and stratified (every class keeps its
share, with at least one example). Runs use the playground's engine (:class:`~playground.mlp.trainer.Run`).

:func:`experiment` is a generator: it yields a :class:`Progress` after every chunk of
training so a page can redraw the chart live; the same settings and seeds give the same numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from . import datasets as D
from .trainer import Run, classes_of

FRACTIONS = (0.01, 0.05, 0.25, 1.0)
N_POINTS = 2000          # a bigger pool than the playground's 500 points, so 1 % is 16 examples
TRAIN_PCT = 80           # 1600 training and 400 test points
DEFAULT_UPDATES = 3000   # weight updates per run, whatever the data size
CHUNKS = 12              # progress reports per run
BLUE, ORANGE, GREY = "#0877bd", "#f59322", "#9e9e9e"


@dataclass
class Progress:
    fraction: float
    seed: int
    n_train: int
    updates: int          # weight updates done so far in this run
    budget: int
    epochs: int
    test_acc: float
    train_acc: float
    done: bool            # this run finished (its numbers are final)


def subset_indices(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Rows to keep: per class the first ``round(fraction × n_class)`` (≥ 1) of a seeded
    permutation, so smaller fractions are subsets of larger ones; returned in row order."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        rows = rows[rng.permutation(len(rows))]
        keep.append(rows[:max(1, int(round(fraction * len(rows))))])
    return np.sort(np.concatenate(keep)) if keep else np.zeros(0, dtype=int)


def keep_training_rows(run: Run, rows: np.ndarray) -> Run:
    """Train ``run`` on only these rows of its training split (test split untouched)."""
    tr = run.train
    run.train = D.Dataset(tr.X[rows], tr.y[rows], tr.kind, tr.n_classes, tr.name)
    run.Xtr, run.Ttr = run.Xtr[rows], run.Ttr[rows]
    run.history.clear()
    run._record()
    return run


def make_data(cfg: dict, seed: int, n: int = N_POINTS) -> D.Dataset:
    if cfg["dataset"] not in D.PROBLEMS["classification"]:
        raise ValueError("the data-efficiency experiment needs a classification data set")
    return D.GENERATORS[cfg["dataset"]][1](n=n, noise=float(cfg["noise"]) / 100.0, seed=int(seed))


def updates_per_epoch(n_train: int, batch: int) -> int:
    return max(1, math.ceil(n_train / max(1, int(batch))))


def one_run(cfg: dict, data: D.Dataset, fraction: float, seed: int,
            updates: int = DEFAULT_UPDATES) -> Iterator[Progress]:
    """Train one network on ``fraction`` of the training split; yields progress per chunk."""
    run = Run({**cfg, "seed": int(seed), "train_pct": TRAIN_PCT, "stop_at": 0}, data)
    keep_training_rows(run, subset_indices(classes_of(run.train), fraction, seed))
    n = len(run.train)
    per_epoch = updates_per_epoch(n, run.cfg["batch"])
    epochs = max(1, math.ceil(updates / per_epoch))
    chunk = max(1, math.ceil(epochs / CHUNKS))
    done = 0
    while done < epochs:
        ran = run.step(min(chunk, epochs - done))
        done += ran
        finished = done >= epochs or ran == 0 or run.status == "diverged"
        yield Progress(fraction, int(seed), n, done * per_epoch, epochs * per_epoch, done,
                       run.accuracy("test"), run.accuracy("train"), finished)
        if finished:
            return


def experiment(cfg: dict, fractions=FRACTIONS, seeds=(0,), updates: int = DEFAULT_UPDATES,
               n_points: int = N_POINTS) -> Iterator[Progress]:
    """All runs, seed by seed and fraction by fraction; the last yield of each run has done=True."""
    for seed in seeds:
        data = make_data(cfg, seed, n_points)
        for f in fractions:
            yield from one_run(cfg, data, f, seed, updates)


def final(points: list[Progress]) -> list[Progress]:
    return [p for p in points if p.done]


def summary(points: list[Progress]) -> list[dict]:
    """Per fraction (finished runs only): training-set size, mean / min / max test accuracy."""
    out = []
    for f in sorted({p.fraction for p in final(points)}):
        ps = [p for p in final(points) if p.fraction == f]
        test = np.array([p.test_acc for p in ps])
        out.append({"fraction": f, "n_train": int(np.mean([p.n_train for p in ps])), "runs": len(ps),
                    "test_acc": float(test.mean()), "test_min": float(test.min()),
                    "test_max": float(test.max()),
                    "train_acc": float(np.mean([p.train_acc for p in ps]))})
    return out


def figure(points: list[Progress], current: Progress | None = None, height: int = 380) -> dict:
    """Test (and training) accuracy against the number of training examples, log x axis."""
    rows = summary(points)
    x = [r["n_train"] for r in rows]
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": "test accuracy", "x": x,
         "y": [r["test_acc"] for r in rows], "line": {"color": BLUE, "width": 3},
         "marker": {"size": 10},
         "error_y": {"type": "data", "symmetric": False,
                     "array": [r["test_max"] - r["test_acc"] for r in rows],
                     "arrayminus": [r["test_acc"] - r["test_min"] for r in rows],
                     "visible": any(r["runs"] > 1 for r in rows)},
         "text": [f"{r['fraction']:.0%} of the data: {r['n_train']} examples, {r['runs']} run(s)"
                  for r in rows],
         "hovertemplate": "%{text}<br>test accuracy %{y:.1%}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "training accuracy", "x": x,
         "y": [r["train_acc"] for r in rows], "line": {"color": ORANGE, "dash": "dot"},
         "hovertemplate": "training accuracy %{y:.1%}<extra></extra>"},
    ]
    if current is not None and not current.done:
        data.append({"type": "scatter", "mode": "markers", "name": "training now",
                     "x": [current.n_train], "y": [current.test_acc],
                     "marker": {"size": 14, "color": "rgba(0,0,0,0)",
                                "line": {"color": BLUE, "width": 2}},
                     "hovertemplate": (f"{current.fraction:.0%}: update {current.updates:,} of "
                                       f"{current.budget:,}<br>test accuracy %{{y:.1%}}<extra></extra>")})
    ticks = sorted({r["n_train"] for r in rows} | ({current.n_train} if current else set()))
    return {
        "data": data,
        "layout": {"height": height, "template": "plotly_white", "margin": {"l": 10, "r": 20, "t": 40, "b": 50},
                   "title": {"text": "Test accuracy against training-set size"},
                   "xaxis": {"type": "log", "title": {"text": "training examples (log scale)"},
                             "tickvals": ticks, "ticktext": [str(t) for t in ticks]},
                   "yaxis": {"range": [0.3, 1.02], "tickformat": ".0%", "title": {"text": "accuracy"}},
                   "legend": {"orientation": "h", "y": -0.25}},
    }


NOISE_POINTS = 0.02   # accuracy differences below 2 points are not worth a sentence


def _points(x: float) -> str:
    n = round(x * 100)
    return f"{n} point{'' if n == 1 else 's'}"


def conclusion(rows: list[dict]) -> str:
    """What the summary rows show, in words derived from them (and only what they show)."""
    if not rows:
        return ""
    pct = lambda a: f"{a:.0%}"
    small, full = rows[0], rows[-1]
    accs = [r["test_acc"] for r in rows]
    out = [f"With {small['n_train']} examples the network reaches {pct(small['test_acc'])} on the "
           f"test set, with {full['n_train']} it reaches {pct(full['test_acc'])}."]
    if len(rows) < 2:
        return out[0]
    gain = full["test_acc"] - small["test_acc"]
    steps = [b["test_acc"] - a["test_acc"] for a, b in zip(rows, rows[1:])]
    drops = [(a, b) for a, b in zip(rows, rows[1:]) if b["test_acc"] < a["test_acc"] - NOISE_POINTS]
    if drops:
        a, b = drops[0]
        runs = min(r["runs"] for r in rows)
        out.append(f"The curve is not steady ({' → '.join(pct(x) for x in accs)}): going from "
                   f"{a['n_train']} to {b['n_train']} examples lost "
                   f"{(a['test_acc'] - b['test_acc']) * 100:.0f} points, so the differences here are "
                   "partly luck (which examples, which start)"
                   + (" — run three seeds to see the spread." if runs == 1 else "."))
    if gain < NOISE_POINTS:
        out.append("More data did not help here: the test accuracy at the largest size is no "
                   "better than at the smallest.")
    elif not drops:
        best = max(range(len(steps)), key=lambda i: steps[i])
        a, b = rows[best], rows[best + 1]
        share = steps[best] / gain
        if share >= 0.5:
            out.append(f"Most of the gain ({steps[best] * 100:.0f} of {gain * 100:.0f} points) comes "
                       f"between {a['n_train']} and {b['n_train']} examples"
                       + (": beyond that, more data buys less and less." if best + 1 < len(steps)
                          and all(s < steps[best] / 2 for s in steps[best + 1:]) else "."))
        else:
            out.append(f"The gain ({gain * 100:.0f} points) is spread over the sizes: every step "
                       "up in data adds some.")
    gap_small = small["train_acc"] - small["test_acc"]
    gap_full = full["train_acc"] - full["test_acc"]
    if gap_small > 0.1:
        closed = gap_full < gap_small - NOISE_POINTS
        out.append(f"With {small['n_train']} examples training accuracy ({pct(small['train_acc'])}) "
                   "is far above test accuracy: the network memorised its few examples instead of "
                   "learning the pattern"
                   + (f"; with {full['n_train']} the gap shrinks to "
                      f"{_points(max(gap_full, 0))}." if closed else ", and more data did not close the gap."))
    if full["train_acc"] < 0.8:
        out.append(f"Even on its own {full['n_train']} training examples it reaches only "
                   f"{pct(full['train_acc'])}: the network (or its number of updates) is too small "
                   "for this data, so more data cannot help much until it can fit it.")
    return " ".join(out)

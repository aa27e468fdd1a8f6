"""The data-efficiency experiment: nested stratified subsets, fixed test split, determinism."""
import numpy as np
import pytest

from playground.mlp import efficiency as E
from playground.mlp import settings as S
from playground.mlp.trainer import Run, classes_of
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set

CFG = {**S.defaults(), "dataset": "circle", "noise": 15}


def test_subsets_are_nested_stratified_and_seeded():
    labels = np.array([0] * 300 + [1] * 100)
    subsets = [E.subset_indices(labels, f, seed=3) for f in E.FRACTIONS]
    assert [len(s) for s in subsets] == [3 + 1, 15 + 5, 75 + 25, 400]
    for small, big in zip(subsets, subsets[1:]):
        assert set(small) <= set(big)
    for s, f in zip(subsets, E.FRACTIONS):      # every class keeps its share
        assert (labels[s] == 1).sum() == max(1, round(f * 100))
    assert np.array_equal(subsets[1], E.subset_indices(labels, 0.05, seed=3))
    assert not np.array_equal(subsets[1], E.subset_indices(labels, 0.05, seed=4))
    assert list(subsets[0]) == sorted(subsets[0])
    with pytest.raises(ValueError):
        E.subset_indices(labels, 0.0, 0)


def test_only_the_training_rows_change():
    data = E.make_data(CFG, seed=0)
    run = Run({**CFG, "train_pct": E.TRAIN_PCT}, data)
    test_X, train_X = run.test.X.copy(), run.Xtr.copy()
    rows = E.subset_indices(classes_of(run.train), 0.05, 0)
    E.keep_training_rows(run, rows)
    assert len(run.train) == len(run.Xtr) == len(run.Ttr) == len(rows) == 80
    assert np.array_equal(run.Xtr, train_X[rows]) and np.array_equal(run.test.X, test_X)
    assert len(run.history) == 1 and np.isfinite(run.train_loss)


def test_experiment_is_deterministic_and_fair():
    a = list(E.experiment(CFG, updates=600))
    b = list(E.experiment(CFG, updates=600))
    assert [(p.fraction, p.updates, p.test_acc, p.train_acc) for p in a] == \
        [(p.fraction, p.updates, p.test_acc, p.train_acc) for p in b]
    done = E.final(a)
    assert [p.fraction for p in done] == list(E.FRACTIONS)
    assert [p.n_train for p in done] == [16, 80, 400, 1600]
    for p in done:                                       # the same budget for every data size
        assert 600 <= p.updates < 600 + E.updates_per_epoch(p.n_train, CFG["batch"])
    assert sum(p.done for p in a) == len(E.FRACTIONS) and len(a) > len(E.FRACTIONS)  # live updates
    assert done[-1].test_acc > done[0].test_acc          # more data, better on unseen points


def test_seeds_and_summary():
    pts = list(E.experiment(CFG, fractions=(0.05, 1.0), seeds=(0, 1), updates=300))
    rows = E.summary(pts)
    assert [r["runs"] for r in rows] == [2, 2]
    r = rows[0]
    assert r["test_min"] <= r["test_acc"] <= r["test_max"]
    other = E.summary(list(E.experiment(CFG, fractions=(0.05,), seeds=(2,), updates=300)))
    assert other[0]["test_acc"] != r["test_acc"] or other[0]["test_min"] != r["test_min"]


def test_regression_is_refused_and_figure():
    with pytest.raises(ValueError):
        E.make_data({**CFG, "dataset": "reg_plane"}, 0)
    pts = list(E.experiment(CFG, fractions=(0.01, 0.25), updates=200))
    running = E.Progress(1.0, 0, 1600, 50, 200, 1, 0.7, 0.7, False)
    fig = E.figure(pts, running)
    test, train, now = fig["data"]
    assert test["x"] == [16, 400] and test["y"] == [p.test_acc for p in E.final(pts)]
    assert now["x"] == [1600] and fig["layout"]["xaxis"]["type"] == "log"


def _rows(tests, trains, runs=1):
    return [{"fraction": f, "n_train": n, "runs": runs, "test_acc": a, "test_min": a, "test_max": a,
             "train_acc": t} for f, n, a, t in zip(E.FRACTIONS, (16, 80, 400, 1600), tests, trains)]


def test_conclusion_does_not_claim_a_steady_gain_when_the_curve_zigzags():
    text = E.conclusion(_rows([0.56, 0.63, 0.56, 0.62], [1.0, 0.9, 0.7, 0.66]))   # the spiral
    assert "not steady" in text and "56% → 63% → 56% → 62%" in text and "three seeds" in text
    assert "Most of the gain" not in text and "first few hundred" not in text
    assert "only 66%" in text                         # cannot even fit its training data
    assert "three seeds" not in E.conclusion(_rows([0.56, 0.63, 0.56, 0.62], [1] * 4, runs=3))


def test_conclusion_names_where_the_gain_is():
    early = E.conclusion(_rows([0.60, 0.90, 0.93, 0.94], [1.0, 0.97, 0.95, 0.95]))
    assert "Most of the gain (30 of 34 points) comes between 16 and 80 examples" in early
    assert "buys less and less" in early and "not steady" not in early
    assert "memorised" in early and "gap shrinks to 1 point." in early
    late = E.conclusion(_rows([0.60, 0.62, 0.64, 0.90], [0.95, 0.95, 0.95, 0.95]))
    assert "between 400 and 1600 examples." in late and "less and less" not in late
    spread = E.conclusion(_rows([0.60, 0.70, 0.80, 0.90], [0.95] * 4))
    assert "spread over the sizes" in spread and "Most of the gain" not in spread
    flat = E.conclusion(_rows([0.90, 0.90, 0.91, 0.90], [0.92] * 4))
    assert "did not help" in flat and "memorised" not in flat and "only" not in flat

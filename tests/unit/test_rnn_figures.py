"""Figure builders: valid, JSON-safe Plotly dicts whose data are the model's numbers."""
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.rnn import figures as RF
from playground.rnn import settings as S
from playground.rnn.train import SeqRun
from playground.rnn.unroll import MAX_COLUMNS, MAX_UNITS, unroll_figure


def _valid(fig):
    json.dumps(fig, allow_nan=False)  # what the browser receives: no NaN / inf
    go.Figure(fig)  # plotly's own validation
    return fig


@pytest.fixture(scope="module")
def runs():
    out = {}
    for task, model in (("sines", "lstm"), ("memory", "gru"), ("chars", "rnn")):
        r = SeqRun({**S.normalize({"task": task, "model": model, "hidden": 8,
                                   "layers": 2 if task == "memory" else 1}), "text": None})
        r.step(3)
        out[task] = r
    return out


def test_state_heatmap_is_units_by_time(runs):
    r = runs["sines"]
    ins = r.inside(0)
    d = r.task.test
    labels = RF.step_labels(r.task, values=d.values[0])
    fig = _valid(RF.state_heatmap(ins["unrolled"].h[0], labels, "Hidden state"))
    z = np.array(fig["data"][0]["z"], dtype=float)
    assert z.shape == (8, d.T)  # units × time steps
    np.testing.assert_allclose(z, ins["unrolled"].h[0].numpy().T, atol=5e-4)
    assert fig["data"][0]["x"] == labels and labels[0].startswith("0: ")


def test_gates_figures(runs):
    r = runs["sines"]
    u = r.inside(0)["unrolled"]
    labels = list(range(u.T))
    fig = _valid(RF.gates_figure(u.gates[0], "lstm", labels))
    assert [t["type"] for t in fig["data"]] == ["heatmap"] * 3
    np.testing.assert_allclose(np.array(fig["data"][1]["z"], float), u.gates[0]["forget"].numpy().T,
                               atol=5e-3)
    g = runs["memory"].inside(0)["unrolled"]
    fig = _valid(RF.gates_figure(g.gates[1], "gru", list(range(g.T))))
    assert len(fig["data"]) == 2 and "reset" in fig["layout"]["annotations"][0]["text"]


def test_gradient_figure_with_pins_and_tiny_values(runs):
    r = runs["memory"]
    ins = r.inside(2)
    labels = RF.step_labels(r.task, tokens=r.task.test.tokens[2])
    pins = [("RNN", np.full(len(labels), 1e-30)), ("other", [0.1, 0.2])]
    fig = _valid(RF.gradient_figure(ins["norms"], ins["at"], labels, pins))
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert min(fig["data"][2]["y"]) > 0  # log axis: zeros are floored
    assert len(fig["data"][3]["x"]) == 2  # a shorter pinned curve is aligned at the end
    assert fig["data"][0]["customdata"][-1] == 0 and fig["data"][0]["customdata"][0] == ins["at"]


def test_prediction_figures(runs):
    _valid(RF.forecast_figure(runs["sines"].predictions(1)))
    m = runs["memory"]
    fig = _valid(RF.memory_figure(m.memory_overview(), m.task.out_symbols))
    assert np.array(fig["data"][0]["z"]).shape == (4, 16)
    c = runs["chars"]
    fig = _valid(RF.chars_figure(c.predictions(0), c.task.out_symbols))
    assert len(fig["data"][0]["text"][0]) == c.task.test.T


def test_loss_figure_handles_nan_and_one_point(runs):
    fig = _valid(RF.loss_figure([(0, 1.0, 1.1)], chance=0.9))
    assert all(t["mode"] == "markers" for t in fig["data"][:2])
    fig = _valid(RF.loss_figure([(0, 1.0, 1.1), (5, float("nan"), float("inf"))], chance=0.9))
    assert fig["data"][0]["y"][1] is None
    assert fig["layout"]["xaxis"]["title"]["text"] == "training step"


@pytest.mark.parametrize("task", ["sines", "memory", "chars"])
def test_unroll_figure_shows_the_first_steps(runs, task):
    r = runs[task]
    u = r.inside(0)["unrolled"]
    fig = _valid(unroll_figure(u, r.task, r.task.test.mask, layer=0))
    k = min(MAX_COLUMNS, u.T)
    per_column = 2 if r.model.kind == "lstm" else 1
    assert len(fig["data"][0]["x"]) == k * min(8, MAX_UNITS) * per_column
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert sum(t.startswith("x<sub>") for t in texts) == k
    assert sum(t.startswith("y<sub>") for t in texts) == k
    # the squares carry the hidden values of the first steps
    np.testing.assert_allclose(fig["data"][0]["marker"]["color"][-1], float(u.h[0][k - 1, 7]), atol=1e-3)


def test_captions_match_the_task():
    assert "distractors" in RF.hidden_caption("memory") and "symbol" in RF.hidden_caption("memory")
    for task in ("sines", "chars"):                  # no symbols and no distractors in these tasks
        text = RF.hidden_caption(task) + RF.gates_caption("lstm", task)
        assert "distractor" not in text and "symbol" not in text
    assert "distractors" in RF.gates_caption("lstm", "memory")
    assert "update gate" in RF.gates_caption("gru", "sines")

"""The tiny transformer learns reverse (seeded, bounded steps) and its attention shows how."""
import numpy as np
import pytest
import torch

from playground.transformer import tiny as TT


@pytest.fixture(autouse=True)
def float32():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    yield
    torch.set_default_dtype(old)


def test_reverse_is_learned_within_300_steps_and_attention_is_the_anti_diagonal():
    run = TT.TinyRun(TT.Settings(task="reverse", length=6, layers=1, heads=2, seed=0))
    assert run.token_acc < 0.3                                   # starts near guessing
    for _ in range(12):
        run.step(25)
        if run.token_acc >= 0.99:
            break
    assert run.steps <= 300 and run.token_acc >= 0.99 and run.seq_acc >= 0.95
    digits = [3, 1, 4, 1, 5, 9]
    pred, conf, maps = run.run_on(digits)
    assert pred == digits[::-1] and maps.shape == (1, 2, 6, 6)
    np.testing.assert_allclose(maps.sum(-1), 1, atol=1e-5)
    anti = run.expected_attention(digits)
    best = max((maps[0, h] * anti).sum() / 6 for h in range(2))
    assert best > 0.5                                            # most weight on position n-1-i
    assert [h[0] for h in run.history] == sorted(h[0] for h in run.history)


def test_seeded_runs_repeat_and_settings_are_clamped():
    a = TT.TinyRun(TT.Settings(task="copy", length=5, seed=3))
    b = TT.TinyRun(TT.Settings(task="copy", length=5, seed=3))
    a.step(10)
    b.step(10)
    assert a.history == b.history
    s = TT.Settings(task="nope", length=99, layers=5, heads=9).clean()
    assert (s.task, s.length, s.layers, s.heads) == ("reverse", TT.MAX_LEN, 2, 4)


def test_targets_and_parsing():
    x = torch.tensor([[3, 1, 2]])
    assert TT.target("reverse", x).tolist() == [[2, 1, 3]]
    assert TT.target("sort", x).tolist() == [[1, 2, 3]]
    assert TT.target("copy", x).tolist() == [[3, 1, 2]]
    assert TT.parse("3 1, 2", 3) == [3, 1, 2]
    with pytest.raises(ValueError, match="exactly 3"):
        TT.parse("12", 3)
    with pytest.raises(ValueError, match="only the digits"):
        TT.parse("1a2", 3)
    run = TT.TinyRun(TT.Settings(task="sort", length=4, layers=2, heads=4))
    m = run.expected_attention([2, 0, 2, 1])
    assert m[0].tolist() == [0, 1, 0, 0] and m[2].tolist() == [0.5, 0, 0.5, 0]
    assert run.run_on([2, 0, 2, 1])[2].shape == (2, 4, 4, 4)
    assert run.step(100, max_seconds=0.0) == 1                   # a time budget stops a chunk


def test_status_line_has_no_nan_before_training():
    run = TT.TinyRun(TT.Settings(length=4, seed=0))
    assert "nan" not in run.status() and "not trained yet" in run.status()
    run.step(1)
    assert f"{run.loss:.4f}" in run.status() and "not trained" not in run.status()


def test_accuracy_axis_has_round_ticks():
    from playground.transformer import figures as F
    y2 = F.learning_curve([(1, 2.3, 0.1), (2, 2.0, 0.3)])["layout"]["yaxis2"]
    assert y2["tickmode"] == "array" and y2["tickvals"] == [0, 0.25, 0.5, 0.75, 1.0]   # not 26/51/77 %


def test_one_evaluation_is_drawn_as_dots_more_as_lines():
    from playground.transformer import figures as F
    assert {t["mode"] for t in F.learning_curve([(2, 2.3, 0.1)])["data"]} == {"markers"}
    assert {t["mode"] for t in F.learning_curve([(1, 2.3, 0.1), (2, 2.0, 0.3)])["data"]} == {"lines"}

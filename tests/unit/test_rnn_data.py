"""Sequence tasks: seeded, deterministic, well-formed, and bounded against bad input."""
import numpy as np
import pytest
import torch

from playground.rnn import data as D
from playground.rnn import settings as S


def test_sines_are_seeded_and_targets_are_the_future():
    a = D.sines(8, 30, 4, (3, 7), 0.1, seed=5)
    b = D.sines(8, 30, 4, (3, 7), 0.1, seed=5)
    c = D.sines(8, 30, 4, (3, 7), 0.1, seed=6)
    assert np.array_equal(a.values, b.values) and np.array_equal(a.targets, b.targets)
    assert not np.allclose(a.values, c.values)
    assert a.values.shape == a.targets.shape == (8, 30) and a.clean.shape == (8, 34)
    # the target at step t is the (noisy) input at step t + horizon
    np.testing.assert_array_equal(a.targets[:, :-4], a.values[:, 4:])
    assert a.mask.all() and a.kind == "regression"
    assert a.inputs([0, 1]).shape == (2, 30, 1)


def test_sines_noise_and_frequencies():
    clean = D.sines(4, 50, 1, (5, 0), 0.0, seed=1)
    np.testing.assert_allclose(clean.values, clean.clean[:, :50], atol=1e-6)
    assert np.abs(clean.values).max() <= 1.0 + 1e-6
    # f = 5 cycles per 100 steps: the clean signal repeats every 20 steps
    np.testing.assert_allclose(clean.clean[:, :30], clean.clean[:, 20:50], atol=1e-5)
    noisy = D.sines(4, 50, 1, (5, 0), 0.3, seed=1)
    assert 0.2 < np.std(noisy.values - noisy.clean[:, :50]) < 0.4


def test_memory_task_structure():
    m = D.memory(64, 12, seed=3)
    assert np.array_equal(m.tokens, D.memory(64, 12, seed=3).tokens)
    T = 13
    assert m.tokens.shape == (64, T) and m.mask.tolist() == [False] * 12 + [True]
    assert ((m.tokens[:, 0] >= 0) & (m.tokens[:, 0] < 4)).all()            # a symbol A-D
    assert ((m.tokens[:, 1:-1] >= 4) & (m.tokens[:, 1:-1] < 8)).all()      # distractors w-z
    assert (m.tokens[:, -1] == 8).all()                                     # the question '?'
    assert np.array_equal(m.targets[:, -1], m.tokens[:, 0])                # answer: N steps back
    assert len(set(m.tokens[:, 0].tolist())) == 4
    x = m.inputs([0])
    assert x.shape == (1, T, 9) and torch.all(x.sum(-1) == 1)
    one = D.memory(4, 1, seed=0)  # N = 1: the symbol, then the question
    assert one.tokens.shape == (4, 2) and (one.tokens[:, 1] == 8).all()


def test_clean_text_limits_and_notices():
    text, notes = D.clean_text("")
    assert text == D.EXAMPLE_TEXT and "empty" in notes[0]
    text, notes = D.clean_text("   \n ")
    assert text == D.EXAMPLE_TEXT and notes
    text, notes = D.clean_text("short")
    assert text == D.EXAMPLE_TEXT and "shorter" in notes[0]
    text, notes = D.clean_text(None)
    assert text == D.EXAMPLE_TEXT
    huge = "abc defg " * 10_000
    text, notes = D.clean_text(huge)
    assert len(text) == D.MAX_TEXT and "90,000" in notes[0]
    text, notes = D.clean_text("Hello\x00 world\r\nline two\tend \x1b[31m of text here")
    assert "\x00" not in text and "\r" not in text and "\t" not in text and "\x1b" not in text
    assert "\n" in text and not notes


def test_vocabulary_is_capped():
    text = "".join(chr(0x4E00 + k) * (k + 1) for k in range(200))  # 200 distinct characters
    vocab, notes = D.vocabulary(text)
    assert len(vocab) == D.MAX_VOCAB and vocab[-1] == D.UNKNOWN and notes
    codes = D.encode(text, vocab)
    assert codes.min() >= 0 and codes.max() < len(vocab)
    assert (codes == vocab.index(D.UNKNOWN)).sum() > 0


def test_char_task_windows_and_split():
    task = D.chars("the quick brown fox jumps over the lazy dog. " * 40, 16, seed=0)
    v = task.in_symbols
    tr = task.train
    assert tr.tokens.shape[1] == 16 and task.n_in == task.n_out == len(v)
    # target = the next character, at every step
    np.testing.assert_array_equal(tr.targets[:, :-1], tr.tokens[:, 1:])
    decoded = "".join(v[k] for k in tr.tokens[3]) + v[tr.targets[3, -1]]
    assert decoded in task.text
    assert len(task.test) > 0 and len(task.test) <= D.N_TEST
    again = D.chars("the quick brown fox jumps over the lazy dog. " * 40, 16, seed=0)
    assert np.array_equal(again.train.tokens, tr.tokens)


def test_char_task_on_tiny_text_is_bounded():
    task = D.chars("abcabcabcabcabcabcabcab", 100, seed=0)  # 23 characters, window 100
    assert task.train.T == len(task.text) - 1
    assert any("Window shortened" in n for n in task.notices)
    assert any("too short to hold" in n for n in task.notices)


@pytest.mark.parametrize("task", ["sines", "memory", "chars"])
def test_make_task_from_default_settings(task):
    cfg = S.normalize({"task": task})
    t = D.make_task({**cfg, "text": None})
    assert t.key == task and len(t.train) > 0 and len(t.test) > 0
    x = t.train.inputs([0, 1])
    assert x.shape[0] == 2 and x.shape[-1] == t.n_in and torch.isfinite(x).all()


def test_settings_bound_what_a_url_can_ask_for():
    values, warnings = S.from_query({"task": "memory", "delay": "100000", "seq_len": "-5",
                                     "hidden": "1000", "layers": "99", "lr": "nan", "model": "bert",
                                     "clip": "maybe", "unrelated": "x"})
    assert values["delay"] == D.MAX_DELAY and values["seq_len"] == 10
    assert values["hidden"] == max(S.HIDDEN_SIZES) and values["layers"] == 3
    assert "lr" not in values and "model" not in values and "clip" not in values
    assert len(warnings) == 7
    cfg = S.normalize(values)
    assert cfg["model"] == "lstm" and cfg["lr"] == S.BY_KEY["lr"].default


def test_settings_url_round_trip():
    cfg = S.normalize({"task": "chars", "char_len": 40, "lr": 0.01, "clip": False, "hidden": 32})
    q = S.to_query(cfg)
    assert q == {"task": "chars", "char_len": "40", "lr": "0.01", "clip": "false", "hidden": "32"}
    back, warnings = S.from_query(q)
    assert S.normalize(back) == cfg and not warnings
    assert S.to_query(S.defaults()) == {}


def test_run_key_changes_only_with_structure():
    a = S.normalize({"task": "sines"})
    assert S.run_key(a) == S.run_key({**a, "lr": 0.1, "speed": 50, "delay": 7})
    assert S.run_key(a) != S.run_key({**a, "horizon": 9})
    c = S.normalize({"task": "chars"})
    assert S.run_key(c, "abc") != S.run_key(c, "abd")
    assert S.run_key({**a, "model": "rnn"}) == S.run_key({**a, "model": "rnn", "forget_bias": 0.0})
    assert S.run_key(a) != S.run_key({**a, "forget_bias": 0.0})

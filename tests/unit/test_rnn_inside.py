"""The step-by-step re-implementation against torch.nn, and BPTT by hand against torch.autograd."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground.rnn import inside as I
from playground.rnn.models import SeqModel
from playground.rnn.train import SeqRun
from playground.rnn import settings as S

KINDS = ["rnn", "lstm", "gru"]


def _x(T=25, n_in=5, seed=0):
    return torch.randn(T, n_in, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("layers", [1, 2])
def test_unroll_reproduces_torch_nn(kind, layers):
    m = SeqModel(kind, 5, 7, layers, 3, seed=4)
    x = _x()
    u = I.unroll(m, x)
    with torch.no_grad():
        out, top = m(x[None])
        _, state = m.rnn(x[None])
    torch.testing.assert_close(u.h[-1], top[0], atol=1e-6, rtol=0)
    torch.testing.assert_close(u.out, out[0], atol=1e-6, rtol=0)
    h_n = state[0] if kind == "lstm" else state
    for l in range(layers):  # every layer's last hidden state (nn only returns these)
        torch.testing.assert_close(u.h[l][-1], h_n[l, 0], atol=1e-6, rtol=0)
    if kind == "lstm":  # the cell state is not squashed (|c| can exceed 1): relative tolerance
        for l in range(layers):
            torch.testing.assert_close(u.c[l][-1], state[1][l, 0], atol=1e-6, rtol=1e-6)


def test_lstm_gates_are_the_ones_torch_uses():
    """Gates from weight_ih_l0 etc. rebuild nn.LSTM's cell and hidden states at every step."""
    m = SeqModel("lstm", 4, 6, 1, 2, seed=7)
    x = _x(T=30, n_in=4, seed=1)
    u = I.unroll(m, x)
    g = u.gates[0]
    for name in ("input", "forget", "output"):
        assert g[name].shape == (30, 6) and (g[name] > 0).all() and (g[name] < 1).all()
    c_prev = torch.zeros(6, dtype=torch.float32)
    for t in range(30):  # the LSTM equations, step by step, from the reported gates
        c = g["forget"][t] * c_prev + g["input"][t] * g["cell candidate"][t]
        torch.testing.assert_close(u.c[0][t], c, atol=1e-6, rtol=1e-6)
        torch.testing.assert_close(u.h[0][t], g["output"][t] * torch.tanh(c), atol=1e-6, rtol=0)
        c_prev = c
    # and the nn.LSTM cell, run one step at a time, gives the same states
    state = None
    with torch.no_grad():
        for t in range(30):
            _, state = m.rnn(x[t][None, None], state)
            torch.testing.assert_close(u.h[0][t], state[0][0, 0], atol=1e-6, rtol=0)
            torch.testing.assert_close(u.c[0][t], state[1][0, 0], atol=1e-6, rtol=1e-6)


def test_forget_bias_sets_the_starting_forget_gate():
    m = SeqModel("lstm", 3, 8, 2, 2, seed=0, forget_bias=3.0)
    u = I.unroll(m, torch.zeros(5, 3, dtype=torch.float32))
    f = u.gates[0]["forget"]
    assert float(f.mean()) == pytest.approx(1 / (1 + np.exp(-3.0)), abs=0.05)
    m0 = SeqModel("lstm", 3, 8, 2, 2, seed=0, forget_bias=0.0)
    assert float(I.unroll(m0, torch.zeros(5, 3, dtype=torch.float32)).gates[0]["forget"].mean()) < 0.6


def _loss(out_at, target, kind):
    if kind == "classification":
        return F.cross_entropy(out_at[None], torch.tensor([int(target)]))
    return (out_at[0] - float(target)) ** 2


def _autograd(m, x, target, kind, at):
    """torch.autograd through the nn module: ∂loss/∂x_t for every t."""
    xr = x.clone().requires_grad_(True)
    out, _ = m(xr[None])
    loss = _loss(out[0, at], target, kind)
    loss.backward()
    return xr.grad, float(loss.detach())


def _autograd_hidden(m, x, target, kind, at):
    """∂loss/∂h_t through every path (read-out and next step), stepping the nn module."""
    state, hs = None, []
    for t in range(at + 1):
        _, state = m.rnn(x[t][None, None], state)
        h = state[0] if m.kind == "lstm" else state
        h.retain_grad()
        hs.append(h)
    loss = _loss(m.head(hs[-1][0, 0]), target, kind)
    loss.backward()
    return torch.stack([h.grad[0, 0] for h in hs])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("loss", ["classification", "regression"])
def test_gradient_through_time_matches_autograd(kind, layers, loss):
    n_out = 3 if loss == "classification" else 1
    m = SeqModel(kind, 5, 6, layers, n_out, seed=layers)
    x = _x(T=20, seed=2)
    target = 2 if loss == "classification" else 0.7
    for at in (None, 11):
        g = I.input_gradients(m, x, target, loss, at=at)
        step = 19 if at is None else at
        dx, ref_loss = _autograd(m, x, target, loss, step)
        assert g["loss"] == pytest.approx(ref_loss, rel=1e-5)
        assert float(dx.abs().max()) > 1e-4  # a real gradient to compare
        torch.testing.assert_close(g["dx"], dx, atol=1e-7, rtol=1e-4)
        if layers == 1:
            dh = _autograd_hidden(m, x, target, loss, step)
            torch.testing.assert_close(g["dh"][0][:step + 1], dh, atol=1e-7, rtol=1e-4)
        assert (g["dx"][step + 1:] == 0).all()  # later inputs cannot change an earlier loss
        norms = I.gradient_norms(g)
        np.testing.assert_allclose(norms["dx"], dx.norm(dim=1).numpy(), rtol=1e-4, atol=1e-9)


def test_vanilla_rnn_gradient_vanishes_where_the_lstm_keeps_it():
    """On the memory task (N = 40), untrained: how much of the gradient reaches the symbol."""
    def reach(kind, forget_bias=3.0):
        run = SeqRun(S.normalize({"task": "memory", "delay": 40, "model": kind, "hidden": 16, "seed": 0,
                                  "forget_bias": forget_bias}))
        ratios = []
        for i in range(8):
            d = run.inside(i)["norms"]["dx"]
            ratios.append(d[0] / d[-1])  # the symbol (40 steps back) vs the question
        return float(np.median(ratios))
    rnn, lstm = reach("rnn"), reach("lstm")
    assert rnn < 1e-6          # vanished: nothing of the loss reaches 40 steps back
    assert lstm > 1e-3         # the cell path carries it
    assert lstm / rnn > 1e4
    assert reach("lstm", forget_bias=0.0) < 1e-6  # an LSTM that forgets half per step loses it too


def test_memory_span():
    assert I.memory_span(np.array([1e-9, 1e-3, 0.5, 1.0]), 3) == 1
    assert I.memory_span(np.array([1e-9, 0.02, 0.5, 1.0]), 3) == 2
    assert I.memory_span(np.array([1.0, 1.0, 1.0]), 2) == 2
    assert I.memory_span(np.zeros(4), 3) == 0

"""Inside the model: the recurrence step by step, and back-propagation through time by hand.

torch.nn's RNN / LSTM / GRU run the whole sequence in one call and do not expose the gates.
:func:`unroll` re-implements one time step at a time from the module's own weights
(``weight_ih_l0`` ...), keeping every hidden state, cell state and gate activation; the tests
check that it reproduces torch.nn's hidden states. :func:`input_gradients` then walks the same
steps backwards (the chain rule written out, no autograd) to get ∂loss/∂x_t for every earlier
input x_t: the answer to "how far back does the model still look?".

PyTorch's gate order: LSTM (input i, forget f, cell candidate g, output o); GRU (reset r,
update z, new n):

* RNN:  h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
* LSTM: c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
* GRU:  n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .models import SeqModel


@dataclass
class Unrolled:
    """One sequence run step by step. Per layer: h (T, H), c (T, H) for LSTM, gates {name: (T, H)}."""
    kind: str
    x: torch.Tensor                      # (T, n_in)
    h: list = field(default_factory=list)
    c: list = field(default_factory=list)
    gates: list = field(default_factory=list)
    out: torch.Tensor | None = None      # (T, n_out) read-out (logits or values)

    @property
    def T(self) -> int:
        return self.x.shape[0]


def unroll(model: SeqModel, x: torch.Tensor) -> Unrolled:
    """Run one sequence ``x (T, n_in)`` one step at a time with the model's own weights."""
    sig, tanh = torch.sigmoid, torch.tanh
    u = Unrolled(model.kind, x.detach())
    dt = model.head.weight.dtype  # float32, whatever torch's default dtype is
    with torch.no_grad():
        inp = x.detach().to(dt)
        T, H = inp.shape[0], model.hidden
        for layer in range(model.layers):
            W = model.weights(layer)
            xi = inp @ W["weight_ih"].T + W["bias_ih"]  # input part of every step at once
            h, c = torch.zeros(H, dtype=dt), torch.zeros(H, dtype=dt)
            hs, cs = torch.zeros(T, H, dtype=dt), torch.zeros(T, H, dtype=dt)
            names = {"rnn": (), "lstm": ("input", "forget", "cell candidate", "output"),
                     "gru": ("reset", "update", "new", "hn")}[model.kind]
            gates = {n: torch.zeros(T, H, dtype=dt) for n in names}
            for t in range(T):
                hh = W["weight_hh"] @ h + W["bias_hh"]
                if model.kind == "rnn":
                    h = tanh(xi[t] + hh)
                elif model.kind == "lstm":
                    a = xi[t] + hh
                    i, f, g, o = sig(a[:H]), sig(a[H:2 * H]), tanh(a[2 * H:3 * H]), sig(a[3 * H:])
                    c = f * c + i * g
                    h = o * tanh(c)
                    cs[t] = c
                    for n, v in zip(names, (i, f, g, o)):
                        gates[n][t] = v
                else:
                    r = sig(xi[t, :H] + hh[:H])
                    z = sig(xi[t, H:2 * H] + hh[H:2 * H])
                    n_ = tanh(xi[t, 2 * H:] + r * hh[2 * H:])
                    h = (1 - z) * n_ + z * h
                    for n, v in zip(names, (r, z, n_, hh[2 * H:])):
                        gates[n][t] = v
                hs[t] = h
            u.h.append(hs)
            u.c.append(cs if model.kind == "lstm" else None)
            u.gates.append(gates)
            inp = hs
        u.out = inp @ model.head.weight.T + model.head.bias
    return u


def step_loss(out: torch.Tensor, target, kind: str):
    """(loss, ∂loss/∂out) for one step: cross-entropy on logits, or squared error on a value."""
    if kind == "classification":
        p = torch.softmax(out, dim=0)
        d = p.clone()
        d[int(target)] -= 1.0
        return float(-torch.log(p[int(target)].clamp_min(1e-30))), d
    diff = out - float(target)
    return float((diff ** 2).sum()), 2 * diff


def input_gradients(model: SeqModel, x: torch.Tensor, target, kind: str, at: int | None = None) -> dict:
    """Back-propagation through time by hand for the loss at step ``at`` (default: the last).

    Returns ``dx`` (T, n_in): ∂loss/∂x_t; ``dh``: per layer (T, H) ∂loss/∂h_t (through every
    path: the layer above and the next time step); ``loss``; ``unrolled``.
    """
    u = unroll(model, x)
    T, H = u.T, model.hidden
    at = T - 1 if at is None else int(at)
    loss, dout = step_loss(u.out[at], target, kind)
    dt = u.out.dtype

    def zeros(*shape):
        return torch.zeros(*shape, dtype=dt)

    with torch.no_grad():
        from_above = zeros(T, H)
        from_above[at] = model.head.weight.T @ dout
        dhs = [None] * model.layers
        for layer in reversed(range(model.layers)):
            W = model.weights(layer)
            Wih, Whh = W["weight_ih"], W["weight_hh"]
            hs, g = u.h[layer], u.gates[layer]
            dinp = zeros(T, Wih.shape[1])
            dh_total = zeros(T, H)
            dh_next, dc_next = zeros(H), zeros(H)
            for t in reversed(range(T)):
                dh = from_above[t] + dh_next
                dh_total[t] = dh
                h_prev = hs[t - 1] if t > 0 else zeros(H)
                if model.kind == "rnn":
                    da = dh * (1 - hs[t] ** 2)
                    dinp[t], dh_next = Wih.T @ da, Whh.T @ da
                elif model.kind == "lstm":
                    i, f, gg, o = g["input"][t], g["forget"][t], g["cell candidate"][t], g["output"][t]
                    c_t = u.c[layer][t]
                    c_prev = u.c[layer][t - 1] if t > 0 else zeros(H)
                    tc = torch.tanh(c_t)
                    dc = dc_next + dh * o * (1 - tc ** 2)
                    da = torch.cat([dc * gg * i * (1 - i), dc * c_prev * f * (1 - f),
                                    dc * i * (1 - gg ** 2), dh * tc * o * (1 - o)])
                    dc_next = dc * f
                    dinp[t], dh_next = Wih.T @ da, Whh.T @ da
                else:
                    r, z, n, hn = g["reset"][t], g["update"][t], g["new"][t], g["hn"][t]
                    dan = dh * (1 - z) * (1 - n ** 2)
                    dar = dan * hn * r * (1 - r)
                    daz = dh * (h_prev - n) * z * (1 - z)
                    dinp[t] = Wih.T @ torch.cat([dar, daz, dan])
                    dh_next = dh * z + Whh.T @ torch.cat([dar, daz, dan * r])
            dhs[layer] = dh_total
            from_above = dinp
    return {"dx": from_above, "dh": dhs, "loss": loss, "unrolled": u, "at": at}


def gradient_norms(grads: dict) -> dict:
    """Per-time-step sizes: ‖∂L/∂x_t‖ and ‖∂L/∂h_t‖ of the first layer, as NumPy arrays."""
    return {"dx": grads["dx"].norm(dim=1).numpy().astype(float),
            "dh": grads["dh"][0].norm(dim=1).numpy().astype(float)}


def memory_span(norms: np.ndarray, at: int, fraction: float = 0.01) -> int:
    """How many steps back from ``at`` the input gradient stays above ``fraction`` of its peak."""
    v = np.asarray(norms[:at + 1], float)
    if not np.isfinite(v).all() or v.max() <= 0:
        return 0
    above = np.nonzero(v >= fraction * v.max())[0]
    return int(at - above.min())

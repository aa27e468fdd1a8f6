"""The model: a torch.nn recurrent layer stack (RNN, LSTM or GRU) and a linear read-out per step."""
from __future__ import annotations

import torch
from torch import nn

KINDS = {"rnn": "Vanilla RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
MAX_HIDDEN, MAX_LAYERS = 64, 3
FORGET_BIAS = 3.0


class SeqModel(nn.Module):
    """``x (B, T, n_in) → (outputs (B, T, n_out), top-layer hidden states (B, T, hidden))``.

    The initial weights depend only on ``seed`` (the global torch RNG is left untouched).
    An LSTM's forget-gate bias starts at ``forget_bias`` (default 3: f = σ(3) ≈ 0.95, so the cell
    keeps most of what it stored for tens of steps until it learns what to forget; 1 is the
    classic choice of Gers et al. 2000 / Jozefowicz et al. 2015, larger values follow the
    "chrono" initialisation of Tallec & Ollivier 2018 for long time lags).
    """

    def __init__(self, kind: str, n_in: int, hidden: int, layers: int, n_out: int, seed: int = 0,
                 forget_bias: float = FORGET_BIAS):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"unknown model kind {kind!r}")
        self.kind, self.n_in, self.hidden, self.layers, self.n_out = kind, n_in, hidden, layers, n_out
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            # float32 whatever torch's default dtype is (a test may have changed it globally)
            self.rnn = cls(n_in, hidden, num_layers=layers, batch_first=True, dtype=torch.float32)
            self.head = nn.Linear(hidden, n_out, dtype=torch.float32)
        if kind == "lstm":
            with torch.no_grad():
                for l in range(layers):  # PyTorch's gate order: input, forget, cell, output
                    getattr(self.rnn, f"bias_ih_l{l}")[hidden:2 * hidden] = float(forget_bias)
                    getattr(self.rnn, f"bias_hh_l{l}")[hidden:2 * hidden] = 0.0

    def forward(self, x: torch.Tensor, state=None):
        out, state = self.rnn(x, state)
        return self.head(out), out

    def step_state(self, x: torch.Tensor, state=None):
        """Like forward but also returns the final recurrent state (for sampling)."""
        out, state = self.rnn(x, state)
        return self.head(out), state

    def weights(self, layer: int) -> dict:
        """The layer's parameters as named by torch.nn (weight_ih, weight_hh, bias_ih, bias_hh)."""
        return {name: getattr(self.rnn, f"{name}_l{layer}")
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

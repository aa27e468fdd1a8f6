"""A small neural Q-network on the grid world (DQN-style: replay memory and a target network).

The input is the agent's row and column, one-hot each (rows + columns numbers), so the network
must share what it learns between cells of the same row or column, unlike the table.
"""
from __future__ import annotations

import numpy as np
import torch

from ..threads import few_threads

HIDDEN = 32
REPLAY = 2000
BATCH = 32
SYNC_EVERY = 50   # updates between copies of the network into the target network


def features(rows: int, cols: int) -> torch.Tensor:
    """(cells, rows + cols) one-hot row and column of every cell."""
    r, c = np.divmod(np.arange(rows * cols), cols)
    x = np.zeros((rows * cols, rows + cols), dtype=np.float32)
    x[np.arange(rows * cols), r] = 1
    x[np.arange(rows * cols), rows + c] = 1
    return torch.from_numpy(x)


def make_net(n_in: int, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(n_in, HIDDEN), torch.nn.ReLU(),
                               torch.nn.Linear(HIDDEN, 4))


class NetLearner:
    kind = "network"

    def __init__(self, maze, lr: float, gamma: float, seed: int):
        rows, cols = maze.shape
        self.x = features(rows, cols)
        self.net = make_net(rows + cols, seed)
        self.target = make_net(rows + cols, seed)
        self.target.load_state_dict(self.net.state_dict())
        self.opt = torch.optim.Adam(self.net.parameters(), lr=float(lr))
        self.gamma = float(gamma)
        self.mem = np.zeros((REPLAY, 5), dtype=np.float64)   # s, a, r, t, done
        self.n_mem = self.updates = 0
        self._rng = np.random.default_rng(seed + 7)
        self._q = None   # cached Q table (invalidated by each update)

    def q_table(self) -> np.ndarray:
        if self._q is None:
            with torch.inference_mode(), few_threads():
                self._q = self.net(self.x).double().numpy()
        return self._q

    def act(self, s: int, eps: float, rng: np.random.Generator) -> int:
        if rng.random() < eps:
            return int(rng.integers(4))
        q = self.q_table()[s]
        if not np.all(np.isfinite(q)):
            return int(rng.integers(4))
        return int(rng.choice(np.flatnonzero(q == q.max())))

    def update(self, s: int, a: int, r: float, t: int, done: bool) -> float:
        self.mem[self.n_mem % REPLAY] = (s, a, r, t, float(done))
        self.n_mem += 1
        k = min(self.n_mem, REPLAY)
        idx = self._rng.integers(k, size=min(BATCH, k))
        b = torch.from_numpy(self.mem[idx])
        si, ai, ti = b[:, 0].long(), b[:, 1].long(), b[:, 3].long()
        with few_threads():
            with torch.no_grad():
                nxt = self.target(self.x[ti]).max(1).values.double()
                y = b[:, 2] + self.gamma * nxt * (1 - b[:, 4])
            q = self.net(self.x[si]).gather(1, ai[:, None])[:, 0].double()
            loss = torch.mean((q - y) ** 2)
            if not torch.isfinite(loss):
                return float("nan")
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
        self.updates += 1
        if self.updates % SYNC_EVERY == 0:
            self.target.load_state_dict(self.net.state_dict())
        self._q = None          # recomputed when next needed
        return float(loss.item()) ** 0.5          # the batch's RMS TD error

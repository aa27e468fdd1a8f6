"""A value network that learns tic-tac-toe by playing against itself.

The network reads a board just after a move, from the mover's side (18 inputs: my marks, the
opponent's marks) and outputs the probabilities that the mover wins, draws or loses. The agent
plays the move whose resulting board has the best P(win) − P(loss). Learning is one-step
minimax bootstrapping (Q-learning on after-states): the target for a board is the opponent's
best reply, seen from the other side; boards that end the game teach the exact result.
"""
from __future__ import annotations

import numpy as np
import torch

from ..threads import few_threads
from . import tictactoe as T
from .budget import Stepped
from .health import weights_problem

HIDDEN = 128
UPDATES = 4         # gradient steps per round of self-play games
BUFFER = 20_000
BATCH_GAMES = 16     # self-play games per update
SAMPLE = 256         # boards per update
EXACT = {"win": (1.0, 0.0, 0.0), "draw": (0.0, 1.0, 0.0)}


def encode(boards: np.ndarray, mover: np.ndarray) -> torch.Tensor:
    b = np.asarray(boards).reshape(-1, 9)
    m = np.asarray(mover).reshape(-1, 1)
    return torch.from_numpy(np.concatenate([b == m, b == -m], 1).astype(np.float32))


def value_net(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(18, HIDDEN), torch.nn.ReLU(),
                               torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
                               torch.nn.Linear(HIDDEN, 3))


class SelfPlay(Stepped):
    def __init__(self, lr: float = 0.003, eps: float = 0.3, seed: int = 0):
        self.seed, self.eps = int(seed), float(eps)
        self.net = value_net(self.seed)
        self.lr = float(lr)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=self.lr)
        self.rng = np.random.default_rng(self.seed)
        self.buf = np.zeros((BUFFER, 9), np.int8)
        self.n_buf = self.games = self.updates = 0
        self.history: list[dict] = []      # evaluations during training
        self.status, self.message = "ready", ""

    # ---- what the network thinks ----------------------------------------------------------
    def outcome_probs(self, boards: np.ndarray, grad: bool = False) -> torch.Tensor:
        """(N, 3) P(win, draw, loss) for the player who just moved on each board; exact for
        finished boards."""
        boards = np.asarray(boards, dtype=np.int8).reshape(-1, 9)
        mover = -T.to_move(boards)
        with torch.set_grad_enabled(grad), few_threads():
            p = torch.softmax(self.net(encode(boards, mover)), -1)
        w = T.winner(boards)
        full = (boards != 0).all(-1)
        exact = torch.tensor(np.where((w != 0)[:, None], EXACT["win"], EXACT["draw"]), dtype=p.dtype)
        done = torch.from_numpy((w != 0) | full)[:, None]
        return torch.where(done, exact, p)

    def move_values(self, board) -> np.ndarray:
        """(9, 3) P(win, draw, loss) for the player to move after each cell; NaN where illegal."""
        kids, ok = T.children(np.asarray(board)[None])
        out = np.full((9, 3), np.nan)
        if ok[0].any():
            out[ok[0]] = self.outcome_probs(kids[0][ok[0]]).numpy()
        return out

    def _choose(self, kids: np.ndarray, ok: np.ndarray) -> np.ndarray:
        """Greedy cells for (N, 9, 9) children."""
        p = self.outcome_probs(kids.reshape(-1, 9)).numpy().reshape(len(kids), 9, 3)
        score = np.where(ok, p[..., 0] - p[..., 2], -np.inf)
        return score.argmax(1)

    def choose(self, boards: np.ndarray) -> np.ndarray:
        """The greedy cell for each of many boards at once."""
        kids, ok = T.children(boards)
        return self._choose(kids, ok)

    def agent(self, board, rng=None) -> int:
        kids, ok = T.children(np.asarray(board)[None])
        return int(self._choose(kids, ok)[0])

    # ---- learning -------------------------------------------------------------------------
    def self_play(self, n: int = BATCH_GAMES):
        boards = np.zeros((n, 9), np.int8)
        for _ in range(9):
            live = ~T.finished(boards)
            if not live.any():
                break
            kids, ok = T.children(boards[live])
            cells = self._choose(kids, ok)
            explore = self.rng.random(len(cells)) < self.eps
            for i in np.flatnonzero(explore):
                cells[i] = self.rng.choice(np.flatnonzero(ok[i]))
            new = kids[np.arange(len(cells)), cells]
            boards[live] = new
            keep = new[~T.finished(new)]
            for b in keep:
                self.buf[self.n_buf % BUFFER] = b
                self.n_buf += 1
        self.games += n

    def learn(self) -> float:
        k = min(self.n_buf, BUFFER)
        if k == 0:
            return 0.0
        boards = self.buf[self.rng.integers(k, size=min(SAMPLE, k))]
        kids, ok = T.children(boards)                       # the opponent's replies
        with torch.no_grad():
            p = self.outcome_probs(kids.reshape(-1, 9)).reshape(len(boards), 9, 3)
            score = torch.where(torch.from_numpy(ok), p[..., 0] - p[..., 2], torch.tensor(-np.inf))
            best = p[torch.arange(len(boards)), score.argmax(1)]
            target = best.flip(-1)                          # their win is my loss
        mover = -T.to_move(boards)
        with few_threads():
            logits = self.net(encode(boards, mover))
            loss = -(target * torch.log_softmax(logits, -1)).sum(-1).mean()
            if not torch.isfinite(loss):
                return float("nan")
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
        return float(loss.item())

    def unit(self) -> bool:
        """One unit of training: 16 self-play games and 4 updates."""
        return self.train_step()

    def train_step(self) -> bool:
        for group in self.opt.param_groups:    # a decaying step size settles the values
            group["lr"] = self.lr / (1 + self.games / 2000)
        self.self_play()
        for _ in range(UPDATES):
            loss = self.learn()
            if not np.isfinite(loss):
                break
        self.updates += 1
        problem = "its loss became NaN" if not np.isfinite(loss) else weights_problem(self.net)
        if problem:
            self.status = "diverged"
            self.message = (f"Training diverged after {self.games:,} games: {problem}. The learning "
                            "rate is too high: lower it and press Reset.")
            return False
        self.status = "training"
        return True

    # ---- evaluation -----------------------------------------------------------------------
    def evaluate(self, random_games: int = 200, perfect_games: int = 20, seed: int = 12345) -> dict:
        """Rates against a random player and against minimax; recorded in ``history``."""
        r = T.match_batch(self.choose, T.random_move, random_games, seed)
        p = T.match_batch(self.choose, T.perfect_move, perfect_games, seed + 1)
        row = {"games": self.games, "random": r, "perfect": p}
        if not self.history or self.history[-1]["games"] != self.games:
            self.history.append(row)
        return row

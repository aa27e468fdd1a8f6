"""A tiny transformer (1-2 layers, 1-4 heads) trained in the session on digit tasks whose
attention has a known right answer: reverse (the anti-diagonal), copy (the diagonal) and sort.

The model is an encoder: position i of the output is predicted from the whole input, so to
reverse a sequence of length n, position i must look at position n-1-i, and a trained head's
attention map shows exactly that. Seeded: the same settings give the same run. Everything is
CPU PyTorch on a few thousand parameters, so a chunk of steps takes milliseconds.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..threads import few_threads

TASKS = {"reverse": "Reverse the digits (answer: the anti-diagonal)",
         "copy": "Copy the digits (answer: the diagonal)",
         "sort": "Sort the digits (attention must find each rank)"}
VOCAB = 10                     # the digits 0-9
MIN_LEN, MAX_LEN = 3, 10
N_TEST = 256


@dataclass(frozen=True)
class Settings:
    task: str = "reverse"
    length: int = 6
    layers: int = 1
    heads: int = 2
    d_model: int = 64
    lr: float = 1e-3
    batch: int = 64
    seed: int = 0

    def clean(self) -> "Settings":
        return Settings(self.task if self.task in TASKS else "reverse",
                        int(np.clip(self.length, MIN_LEN, MAX_LEN)), int(np.clip(self.layers, 1, 2)),
                        int(np.clip(self.heads, 1, 4)), self.d_model, self.lr, self.batch, int(self.seed))


def target(task: str, x: torch.Tensor) -> torch.Tensor:
    if task == "reverse":
        return x.flip(-1)
    if task == "sort":
        return x.sort(dim=-1).values
    return x.clone()


class Block(nn.Module):
    """Post-norm encoder block that returns its per-head attention weights."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))

    def forward(self, h):
        y, w = self.attn(h, h, h, need_weights=True, average_attn_weights=False)
        h = self.ln1(h + y)
        return self.ln2(h + self.ff(h)), w


class TinyTransformer(nn.Module):
    def __init__(self, s: Settings):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, s.d_model)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, s.d_model) * 0.5)
        self.blocks = nn.ModuleList(Block(s.d_model, s.heads) for _ in range(s.layers))
        self.out = nn.Linear(s.d_model, VOCAB)

    def forward(self, x):
        """Logits (N, T, 10) and the attention of every layer (layers, N, heads, T, T)."""
        h = self.embed(x) + self.pos[: x.shape[1]]
        maps = []
        for b in self.blocks:
            h, w = b(h)
            maps.append(w)
        return self.out(h), torch.stack(maps)


def parse(text: str, length: int) -> list[int]:
    """Digits typed by a user (spaces and commas allowed); ValueError with a clear message."""
    text = (text or "").strip()
    if re.search(r"[^0-9\s,;]", text):
        raise ValueError("Use only the digits 0-9 (spaces or commas between them are fine).")
    digits = [int(c) for c in re.sub(r"[\s,;]", "", text)]
    if len(digits) != length:
        raise ValueError(f"Type exactly {length} digits (you typed {len(digits)}): the model was "
                         f"trained on sequences of length {length}.")
    return digits


class TinyRun:
    """One training run: model, optimizer, seeded data stream, history of (step, loss, acc)."""

    def __init__(self, settings: Settings):
        self.s = settings.clean()
        torch.manual_seed(self.s.seed)
        self.model = TinyTransformer(self.s)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=self.s.lr)
        self.gen = torch.Generator().manual_seed(self.s.seed + 1)
        test_gen = torch.Generator().manual_seed(10_000 + self.s.seed)
        self.test_x = torch.randint(0, VOCAB, (N_TEST, self.s.length), generator=test_gen)
        self.test_y = target(self.s.task, self.test_x)
        self.steps = 0
        self.history: list[tuple[int, float, float]] = []     # (step, train loss, test accuracy)
        self.loss = float("nan")
        # Live frames on a busy server train a step or two each: with ``eval_seconds`` > 0 a
        # time-limited chunk evaluates the test set at most that often (``catch_up()`` on Pause).
        self.eval_seconds, self._eval_t, self.evaluated_at, self._losses = 0.0, 0.0, 0, []
        self.token_acc, self.seq_acc = self.evaluate()

    def train_step(self) -> float:
        x = torch.randint(0, VOCAB, (self.s.batch, self.s.length), generator=self.gen)
        y = target(self.s.task, x)
        self.model.train()
        logits, _ = self.model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.steps += 1
        return float(loss.detach())

    def step(self, n: int, max_seconds: float | None = None) -> int:
        """Train up to ``n`` mini-batch steps (fewer if ``max_seconds`` runs out), then evaluate.
        Returns the number of steps done."""
        t0, done = time.perf_counter(), 0
        with few_threads():   # a tiny model: one thread is fastest (see playground.threads)
            for _ in range(max(int(n), 0)):
                self._losses.append(self.train_step())
                done += 1
                if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                    break
            if done and (max_seconds is None or time.perf_counter() - self._eval_t >= self.eval_seconds):
                self.catch_up()
        return done

    def catch_up(self):
        """Evaluate now if steps ran since the last evaluation (e.g. when the page pauses)."""
        if self._losses:
            with few_threads():
                self.loss = float(np.mean(self._losses))
                self._losses = []
                self.token_acc, self.seq_acc = self.evaluate()
            self._eval_t, self.evaluated_at = time.perf_counter(), self.steps
            self.history.append((self.steps, self.loss, self.token_acc))

    @torch.no_grad()
    def evaluate(self) -> tuple[float, float]:
        """(token accuracy, whole-sequence accuracy) on the fixed test set; its cross-entropy is
        kept as ``test_loss``."""
        self.model.eval()
        logits = self.model(self.test_x)[0]
        self.test_loss = float(nn.functional.cross_entropy(logits.reshape(-1, VOCAB), self.test_y.reshape(-1)))
        pred = logits.argmax(-1)
        ok = pred == self.test_y
        return float(ok.float().mean()), float(ok.all(-1).float().mean())

    @torch.no_grad()
    def run_on(self, digits: list[int]) -> tuple[list[int], list[float], np.ndarray]:
        """(predicted digits, their probabilities, attention (layers, heads, T, T))."""
        self.model.eval()
        with few_threads():   # called from a fresh script thread every frame
            logits, maps = self.model(torch.tensor([digits]))
        p = logits[0].softmax(-1)
        conf, pred = p.max(-1)
        return pred.tolist(), conf.tolist(), maps[:, 0].numpy()

    def expected_attention(self, digits: list[int]) -> np.ndarray | None:
        """(T, T) where the right answer is found: for reverse and copy the one position holding
        it; for sort the position(s) holding the i-th smallest digit. None if no single answer."""
        n = len(digits)
        m = np.zeros((n, n), dtype=np.float32)
        if self.s.task == "reverse":
            m[np.arange(n), n - 1 - np.arange(n)] = 1
        elif self.s.task == "copy":
            m[np.arange(n), np.arange(n)] = 1
        else:
            for i, d in enumerate(sorted(digits)):
                hits = [j for j, v in enumerate(digits) if v == d]
                m[i, hits] = 1.0 / len(hits)
        return m

    def example(self, k: int = 0) -> list[int]:
        return self.test_x[k % N_TEST].tolist()

    def status(self) -> str:
        """The status line (Markdown): no loss before the first training step, not "nan"."""
        loss = (f"train loss **{self.loss:.4f}**" if self.steps and np.isfinite(self.loss) else
                "train loss **—** (not trained yet)")
        return (f"Training step **{self.steps:,}** · {loss} · test loss **{self.test_loss:.4f}**, "
                f"accuracy **{self.token_acc:.1%}** "
                f"of digits, **{self.seq_acc:.1%}** of whole sequences (guessing: 10 %)")

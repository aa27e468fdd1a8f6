"""A small CNN (two convolutions, max-pooling, one linear layer) trained live on digits.

One :class:`CNNRun` per browser session: the model, its optimizer, a seeded mini-batch order,
the history of losses and accuracies, and what the page shows about it (filters, every layer's
feature maps, the confusion matrix, the most confidently wrong test images).
"""
from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..threads import few_threads
from .digits import DigitData

CHANNELS = (2, 4, 8, 16, 32)
KERNELS = (3, 5)
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
BATCHES = (16, 32, 64, 128)
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD with momentum"}
DIVERGED_LOSS = 1e3     # cross-entropy beyond this (a guess scores ln 10 ≈ 2.3): diverged
STAGES = ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2")
STAGE_LABELS = {"input": "Input", "conv1": "Conv 1", "relu1": "ReLU 1", "pool1": "Max-pool 1",
                "conv2": "Conv 2", "relu2": "ReLU 2", "pool2": "Max-pool 2"}


class SmallCNN(nn.Module):
    """conv(k, c1) → ReLU → 2×2 max-pool → conv(k, c2) → ReLU → 2×2 max-pool → linear.

    "Same" padding keeps the size through each convolution: 8×8 → 4×4 → 2×2 (digits) or
    28×28 → 14×14 → 7×7 (MNIST)."""

    def __init__(self, size: int = 8, c1: int = 8, c2: int = 16, k: int = 3, n_classes: int = 10):
        super().__init__()
        self.size, self.c1, self.c2, self.k = size, c1, c2, k
        self.conv1 = nn.Conv2d(1, c1, k, padding=k // 2)
        self.conv2 = nn.Conv2d(c1, c2, k, padding=k // 2)
        self.fc = nn.Linear(c2 * (size // 4) ** 2, n_classes)

    def forward(self, x: torch.Tensor, keep: bool = False):
        maps, h = {}, x
        pool = lambda t: F.max_pool2d(t, 2)  # noqa: E731
        for name, fn in zip(STAGES, (self.conv1, F.relu, pool, self.conv2, F.relu, pool)):
            h = maps[name] = fn(h)
        logits = self.fc(h.flatten(1))
        return (logits, maps) if keep else logits


def shapes(size: int, c1: int, c2: int) -> list[tuple[str, str]]:
    """(stage, "channels × height × width") from the input to the linear layer."""
    s1, s2 = size // 2, size // 4
    return [("Input", f"1 × {size} × {size}"), ("Conv 1 + ReLU", f"{c1} × {size} × {size}"),
            ("Max-pool 1", f"{c1} × {s1} × {s1}"), ("Conv 2 + ReLU", f"{c2} × {s1} × {s1}"),
            ("Max-pool 2", f"{c2} × {s2} × {s2}"), ("Linear → 10 classes", "10")]


class CNNRun:
    """One training run; ``step`` trains a chunk of mini-batches then evaluates on the test set."""

    def __init__(self, data: DigitData, c1: int = 8, c2: int = 16, k: int = 3, lr: float = 0.003,
                 batch: int = 32, seed: int = 0, optimizer: str = "adam"):
        self.data, self.seed = data, seed
        with torch.random.fork_rng(devices=[]):          # seeded init, global RNG untouched
            torch.manual_seed(seed)
            self.model = SmallCNN(data.size, c1, c2, k, len(data.classes))
        self.kind, self.batch = optimizer, batch
        self.opt = (torch.optim.Adam(self.model.parameters(), lr=lr) if optimizer == "adam" else
                    torch.optim.SGD(self.model.parameters(), lr=lr, momentum=0.9))
        self.gen = torch.Generator().manual_seed(seed + 1)
        self.order, self.pos = torch.randperm(len(data.y_train), generator=self.gen), 0
        self.steps, self.seen = 0, 0
        self.history: list[tuple[int, float, float, float, float]] = []  # step, train/test loss, train/test acc
        self.status, self.message = "ready", ""
        self._acc = [0.0, 0, 0]                           # loss sum, right, count since last eval
        # Live frames on a busy server train a few mini-batches each: evaluating the whole test
        # set after every frame would cost more than the training. With ``eval_seconds`` > 0 a
        # time-limited chunk evaluates at most that often (``evaluated_at`` says at which step).
        self.eval_seconds, self._eval_t = 0.0, 0.0
        self.evaluate()

    # ---- training ----------------------------------------------------------------------
    def set_lr(self, lr: float):
        for g in self.opt.param_groups:
            g["lr"] = lr

    def _batch(self):
        n = len(self.order)
        if self.pos + self.batch > n:
            self.order, self.pos = torch.randperm(n, generator=self.gen), 0
        idx = self.order[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return self.data.x_train[idx], self.data.y_train[idx]

    def step(self, n: int = 1, max_seconds: float | None = None) -> int:
        """Train up to ``n`` mini-batches (stopping early after ``max_seconds``); returns how many.

        One intra-op thread: a model this small gains nothing from parallel kernels, and
        Streamlit calls from a new thread every rerun, where OpenMP teams start anew."""
        if self.status == "diverged":
            return 0
        with few_threads():
            return self._train(n, max_seconds)

    def _train(self, n: int, max_seconds: float | None) -> int:
        t0 = time.perf_counter()
        self.model.train()
        done = 0
        with torch.enable_grad():
            for _ in range(max(0, int(n))):
                x, y = self._batch()
                logits = self.model(x)
                loss = F.cross_entropy(logits, y)
                if not torch.isfinite(loss) or float(loss.detach()) > DIVERGED_LOSS:
                    self.status = "diverged"
                    self.message = (f"The loss exploded ({float(loss.detach()):.3g}; a guess "
                                    f"scores {np.log(len(self.data.classes)):.2f}): the learning "
                                    "rate is too high for this network. Lower it and press Reset.")
                    break
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
                self.opt.step()
                self._acc[0] += float(loss.detach()) * len(y)
                self._acc[1] += int((logits.argmax(1) == y).sum())
                self._acc[2] += len(y)
                done += 1
                if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                    break
        self.steps += done
        self.seen += done * self.batch
        if done and (max_seconds is None or self.status == "diverged" or
                     time.perf_counter() - self._eval_t >= self.eval_seconds):
            self.evaluate()
        return done

    def catch_up(self):
        """Evaluate now if steps ran since the last evaluation (e.g. when the page pauses)."""
        if self.evaluated_at != self.steps:
            self.evaluate()

    @property
    def epoch(self) -> float:
        return self.seen / max(1, len(self.data.y_train))

    def evaluate(self):
        self._eval_t, self.evaluated_at = time.perf_counter(), self.steps
        self.model.eval()
        with few_threads(), torch.inference_mode():
            logits = self.model(self.data.x_test)
            self.test_loss = float(F.cross_entropy(logits, self.data.y_test))
            self.test_pred = logits.softmax(1)
        self.test_acc = float((self.test_pred.argmax(1) == self.data.y_test).float().mean())
        s, right, cnt = self._acc
        if cnt:
            self.train_loss, self.train_acc = s / cnt, right / cnt
        else:                                               # before the first step
            with torch.inference_mode():
                lt = self.model(self.data.x_train[:512])
            self.train_loss = float(F.cross_entropy(lt, self.data.y_train[:512]))
            self.train_acc = float((lt.argmax(1) == self.data.y_train[:512]).float().mean())
        self._acc = [0.0, 0, 0]
        self.history.append((self.steps, self.train_loss, self.test_loss, self.train_acc,
                             self.test_acc))
        del self.history[:-2000]

    # ---- what the page shows -----------------------------------------------------------
    def confusion(self) -> np.ndarray:
        k = len(self.data.classes)
        pred = self.test_pred.argmax(1).numpy()
        cm = np.zeros((k, k), dtype=int)
        np.add.at(cm, (self.data.y_test.numpy(), pred), 1)
        return cm

    def most_confused(self, k: int = 8) -> list[tuple[int, int, int, float]]:
        """The ``k`` wrong test answers the model is surest of: (index, true, predicted, p)."""
        p, pred = self.test_pred.max(1)
        wrong = torch.nonzero(pred != self.data.y_test).flatten()
        order = wrong[p[wrong].argsort(descending=True)][:k]
        return [(int(i), int(self.data.y_test[i]), int(pred[i]), float(p[i])) for i in order]

    def predict(self, x: torch.Tensor) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Class probabilities and every stage's feature maps for one image (1, 1, H, W)."""
        self.model.eval()
        with few_threads(), torch.inference_mode():
            logits, maps = self.model(x, keep=True)
        return logits.softmax(1)[0].numpy(), {"input": x[0].numpy(),
                                              **{k: v[0].numpy() for k, v in maps.items()}}

    def filters(self) -> np.ndarray:
        """The first layer's kernels, (c1, k, k)."""
        return self.model.conv1.weight.detach()[:, 0].numpy().copy()


def train_for(run: CNNRun, steps: int | None = None, seconds: float | None = None,
              chunk: int = 20) -> CNNRun:
    """Train ``steps`` mini-batches or for ``seconds`` (benchmarks and tests)."""
    t0 = time.perf_counter()
    while (steps is None or run.steps < steps) and (seconds is None or
                                                     time.perf_counter() - t0 < seconds):
        n = chunk if steps is None else min(chunk, steps - run.steps)
        if run.step(n) == 0:
            break
    return run

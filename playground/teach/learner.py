"""The teachable classifier: pictures kept small, a seeded hold-out split, a small head trained on
frozen features, and what can truthfully be said about the result.

Pictures live only in the student's session, as JPEG bytes of at most :data:`STORE_SIDE` pixels
(≈ 15 kB each, at most :data:`MAX_PER_CLASS` per class): nothing is written to disk.
"""
from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from ..threads import few_threads

MIN_CLASSES, MAX_CLASSES = 2, 5
MAX_PER_CLASS = 30
MIN_TO_TRAIN = 2             # pictures per class before training is possible
STORE_SIDE = 256             # longer side of a stored picture
TEST_SHARE = 0.25            # held out per class once a class has MIN_FOR_TEST pictures
MIN_FOR_TEST = 4
EPOCHS = (10, 20, 50, 100, 200)
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01)
HIDDEN = 100                 # Teachable Machine's dense layer has 100 units


@dataclass(frozen=True)
class Sample:
    jpeg: bytes
    digest: str

    @property
    def image(self) -> Image.Image:
        return Image.open(io.BytesIO(self.jpeg)).convert("RGB")


def shrink(img: Image.Image, side: int = STORE_SIDE, quality: int = 90) -> Sample:
    """A clean RGB picture → a small JPEG kept in the session (its digest names the pixels)."""
    small = img.convert("RGB")
    small.thumbnail((side, side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="JPEG", quality=quality)
    data = buf.getvalue()
    return Sample(data, hashlib.sha1(data).hexdigest()[:16])


def split(labels, seed: int = 0, share: float = TEST_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices): per class, a seeded ``share`` held out (at least one)
    once the class has :data:`MIN_FOR_TEST` pictures; smaller classes train on everything."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = max(1, int(round(len(idx) * share))) if len(idx) >= MIN_FOR_TEST else 0
        test += idx[:n_test].tolist()
        train += idx[n_test:].tolist()
    return np.sort(np.array(train, dtype=int)), np.sort(np.array(test, dtype=int))


class Head(nn.Module):
    """Standardise the features, one hidden layer of ReLUs, one logit per class."""

    def __init__(self, dim: int, n_classes: int, hidden: int = HIDDEN):
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))
        self.hidden = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.hidden((f - self.mean) / self.std)))


class TeachRun:
    """One training run of the head on fixed features; ``step(n)`` trains ``n`` epochs."""

    def __init__(self, feats: torch.Tensor, labels, names, seed: int = 0, lr: float = 0.001,
                 batch: int = 16, hidden: int = HIDDEN):
        self.names = list(names)
        self.x = feats.detach().float()
        self.y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
        self.train_idx, self.test_idx = split(self.y.numpy(), seed)
        self.seed, self.batch = seed, batch
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.head = Head(self.x.shape[1], len(self.names), hidden)
        xt = self.x[self.train_idx]
        self.head.mean.copy_(xt.mean(0))
        self.head.std.copy_(xt.std(0, unbiased=False).clamp_min(1e-3) if len(xt) > 1
                            else torch.ones(xt.shape[1]))
        self.opt = torch.optim.Adam(self.head.parameters(), lr=lr)
        self.gen = torch.Generator().manual_seed(seed + 1)
        self.epochs, self.seconds = 0, 0.0
        self.history: list[tuple] = []          # epoch, train/test loss, train/test accuracy
        self.status, self.message = "ready", ""
        self.evaluate()

    @property
    def has_test(self) -> bool:
        return len(self.test_idx) > 0

    def step(self, n: int = 1, max_seconds: float | None = None) -> int:
        """Train ``n`` epochs of shuffled mini-batches (stopping after ``max_seconds``)."""
        if self.status == "diverged":
            return 0
        t0 = time.perf_counter()
        done = 0
        with few_threads(), torch.enable_grad():
            self.head.train()
            for _ in range(int(n)):
                order = self.train_idx[torch.randperm(len(self.train_idx), generator=self.gen).numpy()]
                for i in range(0, len(order), self.batch):
                    b = order[i:i + self.batch]
                    loss = F.cross_entropy(self.head(self.x[b]), self.y[b])
                    if not torch.isfinite(loss):
                        self.status = "diverged"
                        self.message = ("The loss became NaN or infinite: the learning rate is too "
                                        "high. Lower it and train again.")
                        break
                    self.opt.zero_grad(set_to_none=True)
                    loss.backward()
                    self.opt.step()
                if self.status == "diverged":
                    break
                done += 1
                self.epochs += 1
                self.evaluate()
                if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                    break
        self.seconds += time.perf_counter() - t0
        return done

    def _scores(self, idx):
        with torch.inference_mode():
            logits = self.head(self.x[idx])
            loss = float(F.cross_entropy(logits, self.y[idx])) if len(idx) else float("nan")
            acc = float((logits.argmax(1) == self.y[idx]).float().mean()) if len(idx) else float("nan")
        return loss, acc

    def evaluate(self):
        self.head.eval()
        tr_loss, tr_acc = self._scores(self.train_idx)
        te_loss, te_acc = self._scores(self.test_idx)
        self.history.append((self.epochs, tr_loss, te_loss, tr_acc, te_acc))
        self.train_acc, self.test_acc = tr_acc, te_acc

    def probs(self, feats: torch.Tensor) -> np.ndarray:
        self.head.eval()
        with torch.inference_mode():
            return torch.softmax(self.head(feats.float()), dim=1).numpy()

    def confusion(self) -> tuple[np.ndarray, str]:
        """(matrix rows = true, cols = predicted, on which pictures): the held-out pictures
        when there are any, else the training pictures."""
        idx, which = (self.test_idx, "held-out") if self.has_test else (self.train_idx, "training")
        k = len(self.names)
        cm = np.zeros((k, k), dtype=int)
        if len(idx):
            pred = self.probs(self.x[idx]).argmax(1)
            np.add.at(cm, (self.y[idx].numpy(), pred), 1)
        return cm, which


def describe(cm: np.ndarray, names, which: str) -> list[str]:
    """Sentences about a confusion matrix, every number taken from it."""
    n, right = int(cm.sum()), int(np.trace(cm))
    if n == 0:
        return ["There are no pictures to measure accuracy on yet."]
    out = []
    if which == "held-out":
        out.append(f"On the {n} held-out pictures it never trained on, it got {right} of {n} "
                   f"right ({right / n:.0%}).")
    else:
        out.append(f"Every picture was used for training (a class needs {MIN_FOR_TEST} pictures "
                   f"before some are held out), so this is accuracy on pictures it has seen: "
                   f"{right} of {n} ({right / n:.0%}). It says little about new pictures.")
    off = cm.copy()
    np.fill_diagonal(off, 0)
    if off.sum() == 0:
        out.append("It mixed up no classes on these pictures.")
    else:
        t, p = np.unravel_index(int(off.argmax()), off.shape)
        times = int(off[t, p])
        out.append(f"Most common mistake: “{names[t]}” taken for “{names[p]}” "
                   f"({times} time{'s' if times != 1 else ''}).")
    per = cm.sum(1)
    weak = [(names[i], int(cm[i, i]), int(per[i])) for i in range(len(names))
            if per[i] and cm[i, i] < per[i]]
    if weak:
        worst = min(weak, key=lambda w: w[1] / w[2])
        out.append(f"Weakest class: “{worst[0]}” ({worst[1]} of {worst[2]} right); more varied "
                   "pictures of it would help.")
    return out


def verdict(probs: np.ndarray, names) -> str:
    """One sentence about a prediction, from its probabilities."""
    order = np.argsort(-probs)
    best, p = names[order[0]], float(probs[order[0]])
    if len(order) > 1 and p - float(probs[order[1]]) < 0.2:
        return (f"Unsure: “{best}” ({p:.0%}) or “{names[order[1]]}” "
                f"({float(probs[order[1]]):.0%}).")
    return f"It says “{best}” ({p:.0%})."


def clean_names(names, max_len: int = 30) -> list[str]:
    """Class names as shown and exported: printable, at most ``max_len`` characters, never
    empty, all different ("Class 2" for an empty name, "cat (2)" for a second "cat")."""
    out = []
    for i, n in enumerate(names):
        text = "".join(ch for ch in str(n) if ch.isprintable()).strip()[:max_len] or f"Class {i + 1}"
        base, k = text, 2
        while text in out:
            text, k = f"{base} ({k})", k + 1
        out.append(text)
    return out

"""One training run of a recurrent model on one task, advanced a chunk of steps at a time.

A page keeps one :class:`SeqRun` in the user's session and calls :meth:`SeqRun.step` once per
animation frame. Everything is seeded: the same settings give the same data, the same initial
weights and the same mini-batches, hence the same run.
"""
from __future__ import annotations

import functools
import math
import time

import numpy as np
import torch
import torch.nn.functional as Fn

from ..threads import few_threads
from . import data as D
from . import inside as I
from .models import FORGET_BIAS, SeqModel

HISTORY_MAX = 600
MAX_WORK = 400_000  # batch × time steps × hidden units × layers per training step (memory bound)
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD"}


def _threads(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with few_threads():
            return method(*args, **kwargs)
    return wrapper


def bounded_batch(batch: int, T: int, hidden: int, layers: int) -> int:
    """The largest batch ≤ ``batch`` whose activations stay within MAX_WORK (at least 1)."""
    return int(max(1, min(batch, MAX_WORK // max(1, T * hidden * layers))))


class SeqRun:
    def __init__(self, cfg: dict):
        self.cfg = dict(cfg)
        self.task = D.make_task(cfg)
        self.notices = list(self.task.notices)
        self.model = SeqModel(cfg["model"], self.task.n_in, int(cfg["hidden"]), int(cfg["layers"]),
                              self.task.n_out, seed=int(cfg["seed"]),
                              forget_bias=float(cfg.get("forget_bias", FORGET_BIAS)))
        self._gen = torch.Generator().manual_seed(int(cfg["seed"]) + 1)
        self.opt = None
        self.set_hyper(cfg)
        self.steps = 0
        self.status, self.message = "ready", ""
        self.history: list[tuple[int, float, float]] = []
        self._chunk_losses: list[float] = []
        # A busy server's live frames train a few steps each: evaluating the test set after
        # every frame would cost more than the training. With ``eval_seconds`` > 0 a
        # time-limited chunk evaluates at most that often (``evaluated_at``: at which step).
        self.eval_seconds, self._eval_t, self.evaluated_at = 0.0, 0.0, 0
        self.test_loss, self.test_accuracy = self.evaluate()
        self.history.append((0, self.test_loss_on("train"), self.test_loss))

    # ---- settings that apply without a restart ----------------------------------------------
    def set_hyper(self, cfg: dict):
        for key in ("lr", "optimizer", "clip", "batch"):
            if key in cfg:
                self.cfg[key] = cfg[key]
        name = self.cfg.get("optimizer", "adam")
        if self.opt is None or getattr(self, "_opt_name", None) != name:
            cls = torch.optim.Adam if name == "adam" else torch.optim.SGD
            self.opt, self._opt_name = cls(self.model.parameters(), lr=float(self.cfg["lr"])), name
        for group in self.opt.param_groups:
            group["lr"] = float(self.cfg["lr"])
        self.batch = bounded_batch(int(self.cfg.get("batch", 32)), self.task.train.T,
                                   self.model.hidden, self.model.layers)

    # ---- training ---------------------------------------------------------------------------
    def loss_of(self, out: torch.Tensor, target: torch.Tensor, mask: np.ndarray) -> torch.Tensor:
        m = torch.from_numpy(mask)
        if self.task.kind == "classification":
            return Fn.cross_entropy(out[:, m].reshape(-1, out.shape[-1]), target[:, m].reshape(-1))
        return Fn.mse_loss(out[:, m, 0], target[:, m])

    @_threads
    def step(self, n: int = 1, max_seconds: float | None = None) -> int:
        """Train ``n`` mini-batch steps (fewer if ``max_seconds`` run out first, so an animation
        frame stays short); returns how many ran (0 once diverged)."""
        if self.status in ("diverged", "error"):
            return 0
        tr = self.task.train
        ran = 0
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.model.train()
        for _ in range(max(int(n), 0)):
            if deadline is not None and ran and time.monotonic() > deadline:
                break
            idx = torch.randint(len(tr), (self.batch,), generator=self._gen).numpy()
            try:
                out, _ = self.model(tr.inputs(idx))
                loss = self.loss_of(out, tr.target(idx), tr.mask)
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
            except (MemoryError, RuntimeError) as exc:  # out of memory on a small server
                if not isinstance(exc, MemoryError) and "memory" not in str(exc).lower():
                    raise  # a bug, not the server's limits: let the tests see it
                self.status = "error"
                self.message = ("Training stopped: the server ran out of memory. Choose a shorter "
                                "sequence, fewer hidden units or a smaller batch, then press Reset.")
                return ran
            if self.cfg.get("clip", True):
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.opt.step()
            self.steps += 1
            ran += 1
            value = float(loss.detach())
            self._chunk_losses.append(value)
            if not math.isfinite(value) or not self._params_finite():
                self._record()   # at once: the divergence message
                return ran
        if ran and (max_seconds is None or time.perf_counter() - self._eval_t >= self.eval_seconds):
            self._record()
        return ran

    def catch_up(self):
        """Evaluate now if steps ran since the last evaluation (e.g. when the page pauses)."""
        if self._chunk_losses:
            self._record()

    def _params_finite(self) -> bool:
        return all(bool(torch.isfinite(p).all()) and float(p.detach().abs().max()) < 1e6
                   for p in self.model.parameters())

    def _record(self):
        self._eval_t, self.evaluated_at = time.perf_counter(), self.steps
        train = float(np.mean(self._chunk_losses)) if self._chunk_losses else float("nan")
        self._chunk_losses = []
        self.test_loss, self.test_accuracy = self.evaluate()
        self.history.append((self.steps, train, self.test_loss))
        if len(self.history) > HISTORY_MAX:  # keep the first point, thin the rest
            self.history = self.history[:1] + self.history[2::2]
        self.status = "training"
        what = self._divergence(train)
        if what:
            c = self.cfg
            self.status = "diverged"
            self.message = (
                f"Training diverged at step {self.steps}: {what}. The learning rate "
                f"({float(c['lr']):g}) is too high for this network"
                f"{'' if c.get('clip', True) else ' without gradient clipping'}: each update "
                "overshoots, and in a recurrent network an overshoot is multiplied again at every "
                "time step. Lower the learning rate"
                + ("" if c.get("clip", True) else " or turn gradient clipping on")
                + ", then press Reset.")

    def _divergence(self, train: float) -> str:
        """Why the run counts as diverged ('' if it does not)."""
        if not (math.isfinite(train) and math.isfinite(self.test_loss) and self._params_finite()):
            return "the loss became NaN or infinite (or the weights exploded)"
        start = self.history[0][1]
        if train > 10 * start + 1:
            return (f"the loss exploded to {train:.3g}, far above where it started "
                    f"({start:.3g})")
        return ""

    # ---- evaluation -------------------------------------------------------------------------
    @_threads
    def evaluate(self, split: str = "test") -> tuple[float, float]:
        """(loss, accuracy) on the whole split; accuracy is NaN for regression."""
        d = self.task.test if split == "test" else self.task.train
        self.model.eval()
        with torch.inference_mode():
            idx = np.arange(min(len(d), D.N_TEST))
            out, _ = self.model(d.inputs(idx))
            y = d.target(idx)
            loss = float(self.loss_of(out, y, d.mask))
            if self.task.kind != "classification":
                return loss, float("nan")
            m = torch.from_numpy(d.mask)
            acc = float((out[:, m].argmax(-1) == y[:, m]).float().mean())
        return loss, acc

    def test_loss_on(self, split: str) -> float:
        return self.evaluate(split)[0]

    @property
    def train_loss(self) -> float:
        return self.history[-1][1]

    def chance(self) -> dict:
        """The best a model without memory can do: predict from the current input alone.

        Regression: the least-squares line through (x_t, target); classification: the training
        frequencies of each answer given the current symbol (memory task: the current symbol is
        always '?', so this is chance). Computed on the test set, to read the numbers against.
        """
        cached = getattr(self, "_chance", None)
        if cached is not None:
            return cached
        tr, te = self.task.train, self.task.test
        if self.task.kind == "regression":
            x, y = tr.values[:, tr.mask].ravel(), tr.targets[:, tr.mask].ravel()
            a, b = np.polyfit(x.astype(float), y.astype(float), 1)
            pred = a * te.values[:, te.mask] + b
            self._chance = {"loss": float(np.mean((pred - te.targets[:, te.mask]) ** 2))}
            return self._chance
        k_in, k_out = tr.n_symbols, self.task.n_out
        counts = np.full((k_in, k_out), 0.5)
        np.add.at(counts, (tr.tokens[:, tr.mask].ravel(), tr.targets[:, tr.mask].ravel()), 1)
        p = counts / counts.sum(1, keepdims=True)
        tok, tgt = te.tokens[:, te.mask].ravel(), te.targets[:, te.mask].ravel()
        self._chance = {"loss": float(-np.log(p[tok, tgt]).mean()),
                        "accuracy": float((p[tok].argmax(1) == tgt).mean())}
        return self._chance

    # ---- one example, looked at closely ------------------------------------------------------
    def example(self, i: int) -> tuple[torch.Tensor, object]:
        d = self.task.test
        i = int(np.clip(i, 0, len(d) - 1))
        x = d.inputs([i])[0]
        return x, d.targets[i][-1]

    @_threads
    def predictions(self, i: int) -> dict:
        """The model's outputs for test example ``i`` next to the truth."""
        d = self.task.test
        i = int(np.clip(i, 0, len(d) - 1))
        self.model.eval()
        with torch.inference_mode():
            out, _ = self.model(d.inputs([i]))
        out = out[0]
        if self.task.kind == "regression":
            return {"input": d.values[i].tolist(), "truth": d.targets[i].tolist(),
                    "prediction": out[:, 0].tolist(), "clean": d.clean[i].tolist(),
                    "horizon": self.task.horizon}
        return {"tokens": d.tokens[i].tolist(), "truth": d.targets[i].tolist(),
                "probs": torch.softmax(out, -1).numpy(), "mask": d.mask}

    @_threads
    def memory_overview(self, n: int = 16) -> dict:
        """Memory task: predicted probabilities for the first ``n`` test sequences."""
        d = self.task.test
        self.model.eval()
        with torch.inference_mode():
            out, _ = self.model(d.inputs(np.arange(n)))
        return {"probs": torch.softmax(out[:, -1], -1).numpy(), "truth": d.targets[:n, -1]}

    @_threads
    def inside(self, i: int) -> dict:
        """Hidden states, gates and gradients through time for test example ``i``."""
        x, target = self.example(i)
        g = I.input_gradients(self.model, x, target, self.task.kind)
        norms = I.gradient_norms(g)
        return {**g, "norms": norms, "span": I.memory_span(norms["dx"], g["at"])}

    # ---- characters: write a continuation ----------------------------------------------------
    @_threads
    def sample(self, prompt: str, length: int, temperature: float, seed: int = 0) -> tuple[str, list[str]]:
        """Continue ``prompt`` by ``length`` sampled characters; returns (text, notices)."""
        vocab = self.task.in_symbols
        index = {ch: k for k, ch in enumerate(vocab)}
        notes = []
        prompt = (prompt or "")[-200:]
        kept = "".join(ch for ch in prompt if ch in index)
        if len(kept) < len(prompt):
            notes.append("Characters that do not occur in the training text were left out of the "
                         "prompt.")
        if not kept:
            kept = self.task.text[0]
            notes.append(f"Empty prompt: starting from {kept!r}, the first character of the text.")
        temperature = float(np.clip(temperature, 0.05, 5.0))
        length = int(np.clip(length, 1, 1000))
        gen = torch.Generator().manual_seed(int(seed))
        codes = torch.tensor([index[ch] for ch in kept])
        self.model.eval()
        result = []
        with torch.inference_mode():
            out, state = self.model.step_state(Fn.one_hot(codes, len(vocab)).float()[None])
            for _ in range(length):
                p = torch.softmax(out[0, -1] / temperature, -1)
                k = int(torch.multinomial(p, 1, generator=gen))
                result.append(vocab[k])
                out, state = self.model.step_state(Fn.one_hot(torch.tensor([[k]]), len(vocab)).float(),
                                                   state)
        return kept + "".join(result), notes

"""A denoising diffusion model trained live, on 2-D points or on 8×8 digits.

Forward process (fixed): q(x_t | x_{t−1}) = N(√(1−β_t) x_{t−1}, β_t I), so in closed form
q(x_t | x_0) = N(√ᾱ_t x_0, (1−ᾱ_t) I) with ᾱ_t = Π_{s≤t} (1−β_s). A small network ε̂(x_t, t, c)
learns to predict the noise that was added (mean squared error). Reverse process: DDPM
(ancestral, every step) or DDIM (deterministic, any number of sampler steps). On digits the
class c is dropped 10 % of the time in training, so classifier-free guidance can mix
ε̂ = ε̂(x, t, ∅) + w·(ε̂(x, t, c) − ε̂(x, t, ∅)).
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from . import data2d as D2
from ..threads import few_threads
from .live import FRAME_BUDGET_S, diverged_message, finite, params_finite, run_budgeted, thin

SCHEDULES = {"linear": "Linear β (DDPM)", "cosine": "Cosine ᾱ (improved DDPM)"}
STEPS = (10, 20, 50, 100, 200, 500)
LRS = (3e-4, 1e-3, 3e-3, 1e-2)
EMA_DECAY = 0.99             # samples come from the weights' moving average: steadier pictures
P_UNCOND = 0.1                  # share of training examples with the class dropped (for CFG)
N_CLASSES = 10


def betas(schedule: str, T: int) -> torch.Tensor:
    """β_1..β_T (float64). Linear: DDPM's 1e-4..0.02 for T = 1000, stretched to T steps."""
    if schedule == "linear":
        scale = 1000.0 / T
        b = torch.linspace(1e-4 * scale, 0.02 * scale, T, dtype=torch.float64)
    elif schedule == "cosine":
        s = 0.008
        t = torch.arange(T + 1, dtype=torch.float64) / T
        f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
        b = 1 - f[1:] / f[:-1]
    else:
        raise ValueError(f"unknown schedule {schedule!r}")
    return b.clamp(1e-5, 0.999)


def alpha_bar(schedule: str, T: int) -> torch.Tensor:
    """ᾱ_t for t = 1..T (float64)."""
    return torch.cumprod(1 - betas(schedule, T), 0)


def q_moments(x0, schedule: str, T: int, t: int):
    """The closed-form mean and variance of q(x_t | x_0) (t in 1..T)."""
    ab = float(alpha_bar(schedule, T)[t - 1])
    return math.sqrt(ab) * np.asarray(x0), 1 - ab


def forward_steps(x0: np.ndarray, schedule: str, T: int, seed: int, keep=None) -> dict[int, np.ndarray]:
    """Noise added one step at a time: x_t = √(1−β_t) x_{t−1} + √β_t ε. Returns {t: x_t} for t in keep."""
    b = betas(schedule, T).numpy()
    rng = np.random.default_rng(seed)
    keep = set(range(T + 1) if keep is None else keep)
    x = np.asarray(x0, np.float64)
    out = {0: x.astype(np.float32)} if 0 in keep else {}
    for t in range(1, T + 1):
        x = np.sqrt(1 - b[t - 1]) * x + np.sqrt(b[t - 1]) * rng.standard_normal(x.shape)
        if t in keep:
            out[t] = x.astype(np.float32)
    return out


class Denoiser(nn.Module):
    """ε̂(x_t, t, class): an MLP on [x, sinusoidal embedding of t, class embedding]."""

    def __init__(self, dim: int, width: int, depth: int, classes: int = 0, t_dim: int = 32):
        super().__init__()
        self.t_dim, self.classes = t_dim, classes
        self.cls = nn.Embedding(classes + 1, t_dim) if classes else None   # index `classes` = ∅
        layers, d = [], dim + t_dim
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.SiLU()]
            d = width
        layers.append(nn.Linear(d, dim))
        self.net = nn.Sequential(*layers)

    def embed_t(self, t: torch.Tensor, T: int) -> torch.Tensor:
        half = self.t_dim // 2
        freqs = torch.exp(-math.log(1000.0) * torch.arange(half) / half)
        a = (t.float() / T * 1000.0)[:, None] * freqs[None] / 10
        return torch.cat([a.sin(), a.cos()], 1)

    def forward(self, x, t, T: int, c=None):
        e = self.embed_t(t, T)
        if self.cls is not None:
            if c is None:
                c = torch.full((len(x),), self.classes, dtype=torch.long)
            e = e + self.cls(c)
        return self.net(torch.cat([x, e], 1))


@dataclass(frozen=True)
class Settings:
    data: str = "moons"          # a data2d target or "digits"
    T: int = 100
    schedule: str = "cosine"
    width: int = 128
    depth: int = 3
    lr: float = 3e-3
    batch: int = 256
    seed: int = 0

    @property
    def digits(self) -> bool:
        return self.data == "digits"


class DiffusionRun:
    def __init__(self, s: Settings, images: torch.Tensor | None = None, labels: torch.Tensor | None = None,
                 points: np.ndarray | None = None):
        """2-D: ``points`` only for an uploaded target. Digits: ``images`` (N, 1, H, W) in [0, 1]."""
        self.s, self.points = s, points
        torch.manual_seed(s.seed)
        self.rng = np.random.default_rng(s.seed)
        self.gen = torch.Generator().manual_seed(s.seed)
        if s.digits:
            self.side = int(images.shape[-1])
            self.x = images.flatten(1) * 2 - 1              # pixels in [−1, 1]
            self.y = labels
            self.dim = self.x.shape[1]
        else:
            self.side, self.dim, self.y = 0, 2, None
            self.real_eval = D2.sample(s.data, 400,
                                       np.random.default_rng(s.seed + 3), points)
        self.model = Denoiser(self.dim, s.width, s.depth, N_CLASSES if s.digits else 0)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=s.lr)
        self.ema = Denoiser(self.dim, s.width, s.depth, N_CLASSES if s.digits else 0)
        self.ema.load_state_dict(self.model.state_dict())
        self.ema.requires_grad_(False)
        self.ab = alpha_bar(s.schedule, s.T).float()
        self.b = betas(s.schedule, s.T).float()
        self.steps, self.loss = 0, float("nan")
        self.history: list[tuple] = []      # (step, loss averaged over the chunk)
        self._acc = [0.0, 0]
        self.status, self.message = "ok", ""

    def set_lr(self, lr: float):
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.s = replace(self.s, lr=lr)

    def _batch(self):
        n = self.s.batch
        if self.s.digits:
            idx = torch.randint(0, len(self.x), (n,), generator=self.gen)
            c = self.y[idx].clone()
            c[torch.rand(n, generator=self.gen) < P_UNCOND] = N_CLASSES
            return self.x[idx], c
        return torch.from_numpy(D2.sample(self.s.data, n, self.rng, self.points)), None

    def _one(self) -> bool:
        x0, c = self._batch()
        t = torch.randint(1, self.s.T + 1, (len(x0),), generator=self.gen)
        eps = torch.randn(x0.shape, generator=self.gen)
        ab = self.ab[t - 1][:, None]
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        loss = ((self.model(xt, t, self.s.T, c) - eps) ** 2).mean()
        v = float(loss.detach())
        if not finite(v):
            self.status = "diverged"
            self.message = diverged_message("denoising loss", v, "The updates were too large.")
            return False
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        with torch.no_grad():   # sampling uses an exponential moving average of the weights
            torch._foreach_lerp_(list(self.ema.parameters()), list(self.model.parameters()),
                                 1 - EMA_DECAY if self.steps > 100 else 0.5)
        if not params_finite(self.model):
            self.status = "diverged"
            self.message = diverged_message("denoiser's weights", float("nan"), "One update was too large.")
            return False
        self.steps += 1
        self._acc[0] += v
        self._acc[1] += 1
        return True

    def step(self, n: int = 1, max_seconds: float | None = FRAME_BUDGET_S) -> int:
        if self.status != "ok":
            return 0
        done = run_budgeted(self._one, n, max_seconds)
        if self._acc[1]:
            self.loss = self._acc[0] / self._acc[1]
            self.history.append((self.steps, self.loss))
            self.history = thin(self.history)
            self._acc = [0.0, 0]
        return done

    # ---- sampling -----------------------------------------------------------------------------
    def eps(self, x, t: int, c: int | None = None, guidance: float = 0.0, model=None) -> torch.Tensor:
        tt, m = torch.full((len(x),), t, dtype=torch.long), model or self.ema
        if c is None or not self.s.digits:
            return m(x, tt, self.s.T)
        cc = torch.full((len(x),), int(c), dtype=torch.long)
        e_c = m(x, tt, self.s.T, cc)
        if guidance == 0:
            return e_c
        e_u = m(x, tt, self.s.T)
        return e_u + (1 + guidance) * (e_c - e_u)

    def sample(self, n: int, seed: int, sampler_steps: int | None = None, c: int | None = None,
               guidance: float = 0.0, keep: int = 0) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
        """n samples. ``sampler_steps`` None or = T: DDPM over every step; fewer: DDIM on evenly
        spaced steps. Returns the samples and ``keep`` snapshots (t, x_t) along the way
        (the first is pure noise, the last the samples)."""
        rev = Reverse(self, n, seed, sampler_steps, c, guidance, keep)
        rev.advance()
        return rev.result()

    def _out(self, x: torch.Tensor) -> np.ndarray:
        x = x.numpy()
        if self.s.digits:
            return ((x + 1) / 2).reshape(-1, self.side, self.side)
        return x

    def field(self, t: int, n: int = 17) -> tuple[np.ndarray, np.ndarray]:
        """(n², 2) grid points and the model's denoising direction there at step t: the
        estimated score −ε̂/√(1−ᾱ_t) (it points towards likelier x_t)."""
        xs = np.linspace(-D2.VIEW, D2.VIEW, n, dtype=np.float32)
        gx, gy = np.meshgrid(xs, xs)
        p = np.column_stack([gx.ravel(), gy.ravel()])
        with torch.inference_mode():
            e = self.eps(torch.from_numpy(p), int(t)).numpy()
        return p, -e / math.sqrt(1 - float(self.ab[t - 1]))

    def quality(self, seed: int = 7, sampler_steps: int | None = None) -> float:
        """MMD (data2d.distance) between 400 samples and 400 target points (2-D only)."""
        x, _ = self.sample(400, seed, sampler_steps)
        if not np.isfinite(x).all():
            return float("inf")
        return D2.distance(x, self.real_eval)


class Reverse:
    """One run of the reverse process (``DiffusionRun.sample``), resumable: ``advance(seconds)``
    does as many denoising steps as fit in that time, so a live page can spread one sampling
    over several frames and every frame stays within its share of the server. ``frozen=True``
    samples from a copy of the EMA weights taken now (training may go on between two slices);
    the numbers are those of one uninterrupted ``sample`` call with the same weights."""

    def __init__(self, run: DiffusionRun, n: int, seed: int, sampler_steps: int | None = None,
                 c: int | None = None, guidance: float = 0.0, keep: int = 0, frozen: bool = False):
        self.run, self.c, self.guidance, self.keep = run, c, float(guidance), int(keep)
        self.model = copy.deepcopy(run.ema) if frozen else run.ema
        self.at = run.steps                       # the training step whose weights it samples
        self.g = torch.Generator().manual_seed(seed)
        T = run.s.T
        self.S = T if not sampler_steps or sampler_steps >= T else int(sampler_steps)
        self.ts = np.unique(np.round(np.linspace(T, 1, self.S)).astype(int))[::-1]
        self.x = torch.randn(n, run.dim, generator=self.g)
        self.snaps = [(T, self.x.clone())]
        self.i = 0

    @property
    def done(self) -> bool:
        return self.i >= len(self.ts)

    @property
    def progress(self) -> float:
        return self.i / max(1, len(self.ts))

    def advance(self, max_seconds: float | None = None, cancel=None) -> bool:
        """Denoising steps until done, ``max_seconds`` passed (at least one step) or ``cancel()``."""
        t0 = time.perf_counter()
        with few_threads(), torch.inference_mode():
            while not self.done:
                self._one()
                if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                    break
                if cancel is not None and cancel():
                    break
        return self.done

    def _one(self):
        run, ts, i, x = self.run, self.ts, self.i, self.x
        t = int(ts[i])
        t_prev = int(ts[i + 1]) if i + 1 < len(ts) else 0
        e = run.eps(x, t, self.c, self.guidance, self.model)
        ab = run.ab[t - 1]
        ab_prev = run.ab[t_prev - 1] if t_prev > 0 else torch.tensor(1.0)
        x0 = (x - (1 - ab).sqrt() * e) / ab.sqrt()
        # the data's range: near t = T, ᾱ_t ≈ 0 and dividing by √ᾱ_t amplifies ε̂'s error
        x0 = x0.clamp(-1, 1) if run.s.digits else x0.clamp(-D2.VIEW - 1, D2.VIEW + 1)
        if self.S == run.s.T:   # DDPM ancestral step: the posterior mean plus its noise
            beta = run.b[t - 1]
            mean = (ab_prev.sqrt() * beta / (1 - ab)) * x0 + \
                ((1 - beta).sqrt() * (1 - ab_prev) / (1 - ab)) * x
            var = beta * (1 - ab_prev) / (1 - ab)
            x = mean + (var.sqrt() * torch.randn(x.shape, generator=self.g) if t_prev > 0 else 0)
        else:                   # DDIM (η = 0): jump straight to t_prev along the predicted noise
            e = (x - ab.sqrt() * x0) / (1 - ab).sqrt()
            x = ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * e
        self.x = x
        self.snaps.append((t_prev, x.clone()))
        self.i += 1

    def result(self) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
        """The samples and ``keep`` snapshots (t, x_t) from noise to samples (once done)."""
        snaps = self.snaps
        if self.keep:
            pick = np.unique(np.round(np.linspace(0, len(snaps) - 1, self.keep)).astype(int))
            snaps = [snaps[i] for i in pick]
        else:
            snaps = []
        return self.run._out(self.x), [(t, self.run._out(v)) for t, v in snaps]

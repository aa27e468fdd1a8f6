"""A GAN on 2-D points, stepped like GAN Lab: the discriminator D and the generator G can be
trained separately (Step D, Step G) or alternately (k steps of D per step of G).

D(x) is the probability that x is real. Losses: D minimises BCE on real (label 1) and
generated (label 0) points; G minimises the non-saturating loss −log D(G(z)). The arrows on
the generated points are −∂L_G/∂x: where each point is being pushed by D's current opinion.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from ..threads import few_threads
from . import data2d as D2
from .live import (FRAME_BUDGET_S, diverged_message, finite, mlp, params_finite, run_budgeted,
                   thin)

LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
WIDTHS = (8, 16, 32, 64, 128)
SHOWN = 512                      # generated points drawn (fixed z: they move smoothly)
QUALITY_N = 400                  # points compared with the target for the quality number


@dataclass(frozen=True)
class Settings:
    target: str = "ring"
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    d_steps: int = 1             # discriminator updates per generator update
    latent: int = 2
    width: int = 64              # units per hidden layer, both networks
    depth: int = 2               # hidden layers, both networks
    optimizer: str = "adam"      # "adam" (β₁ = 0.5, as DCGAN) or "sgd"
    batch: int = 128
    seed: int = 0


PRESETS = {
    "learns": ("Learns the ring", Settings()),
    "collapse": ("Mode collapse", Settings(lr_g=3e-3, lr_d=1e-4, latent=1, width=32)),
    "oscillate": ("Never settles (oscillation)", Settings(target="gaussian", lr_g=3e-2, lr_d=3e-2,
                                                          width=32, depth=1)),
}
PRESET_TEXT = {
    "learns": "A balanced setup: equal learning rates, one D step per G step. With seed 0 the "
              "generated points spread over all 8 Gaussians of the ring within about 3 000 steps; "
              "other seeds can take longer or keep wobbling (GANs are like that).",
    "collapse": "The generator learns 30 times faster than the discriminator and has only one "
                "latent number. It finds one place D currently believes in and sends all points "
                "there; D then learns that place is fake and G jumps to another. Watch the count of "
                "covered modes stay low.",
    "oscillate": "Learning rates 30 times the default on a single Gaussian. G and D keep overshooting "
                 "each other: the generated cloud circles around the target instead of settling, and "
                 "the losses swing up and down instead of levelling off.",
}


class GANRun:
    """One seeded GAN training run on a 2-D target."""

    def __init__(self, s: Settings, points: np.ndarray | None = None):
        self.s, self.points = s, points
        torch.manual_seed(s.seed)
        self.rng = np.random.default_rng(s.seed)
        self.G = mlp(s.latent, s.width, s.depth, 2)
        self.D = mlp(2, s.width, s.depth, 1)
        self.opt_g = self._opt(self.G, s.lr_g)
        self.opt_d = self._opt(self.D, s.lr_d)
        self.gen = torch.Generator().manual_seed(s.seed + 1)
        self.z_shown = torch.randn(SHOWN, s.latent, generator=self.gen)
        self.real_shown = D2.sample(s.target, SHOWN, np.random.default_rng(s.seed + 2), points)
        self.real_eval = D2.sample(s.target, QUALITY_N, np.random.default_rng(s.seed + 3), points)
        self.steps_g = self.steps_d = 0
        self.loss_d = self.loss_g = float("nan")
        self.history: list[tuple] = []       # (G steps, D steps, loss D, loss G, D(real), D(fake))
        self.quality: list[tuple] = []       # (G steps, MMD to the target, modes covered)
        self.status, self.message = "ok", ""
        self.floor = D2.baseline_distance(s.target, QUALITY_N, points=points)
        # The quality number costs more than a few rounds of training: with ``eval_seconds`` > 0
        # a time-limited chunk evaluates at most that often (``catch_up`` when the page pauses)
        self.eval_seconds, self._eval_t, self.evaluated_at = 0.0, 0.0, -1
        self.evaluate()

    def _opt(self, net, lr):
        if self.s.optimizer == "sgd":
            return torch.optim.SGD(net.parameters(), lr=lr)
        return torch.optim.Adam(net.parameters(), lr=lr, betas=(0.5, 0.999))

    def set_lrs(self, lr_g: float, lr_d: float):
        for g in self.opt_g.param_groups:
            g["lr"] = lr_g
        for g in self.opt_d.param_groups:
            g["lr"] = lr_d
        self.s = replace(self.s, lr_g=lr_g, lr_d=lr_d)

    # ---- one update of each network -----------------------------------------------------------
    def _real(self, n: int) -> torch.Tensor:
        return torch.from_numpy(D2.sample(self.s.target, n, self.rng, self.points))

    def _z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.s.latent, generator=self.gen)

    def _d_update(self) -> bool:
        real = self._real(self.s.batch)
        with torch.no_grad():
            fake = self.G(self._z(self.s.batch))
        lr, lf = self.D(real), self.D(fake)
        loss = F.binary_cross_entropy_with_logits(lr, torch.ones_like(lr)) + \
            F.binary_cross_entropy_with_logits(lf, torch.zeros_like(lf))
        if not self._ok("discriminator's loss", loss):
            return False
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        self.loss_d = float(loss.detach())
        self.d_real = float(torch.sigmoid(lr.detach()).mean())
        self.d_fake = float(torch.sigmoid(lf.detach()).mean())
        self.steps_d += 1
        return self._ok_params(self.D, "discriminator's weights")

    def _g_update(self) -> bool:
        lf = self.D(self.G(self._z(self.s.batch)))
        loss = F.binary_cross_entropy_with_logits(lf, torch.ones_like(lf))  # −log D(G(z))
        if not self._ok("generator's loss", loss):
            return False
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.loss_g = float(loss.detach())
        self.steps_g += 1
        return self._ok_params(self.G, "generator's weights")

    def _ok(self, what: str, loss: torch.Tensor) -> bool:
        v = float(loss.detach())
        if finite(v):
            return True
        self.status = "diverged"
        self.message = diverged_message(what, v, "One network overpowered the other so much that "
                                        "its numbers overflowed.")
        return False

    def _ok_params(self, net, what: str) -> bool:
        if params_finite(net):
            return True
        self.status = "diverged"
        self.message = diverged_message(what, float("nan"), "An update was so large that the weights "
                                        "overflowed.")
        return False

    def _round(self) -> bool:
        for _ in range(self.s.d_steps):
            if not self._d_update():
                return False
        ok = self._g_update()
        self._log()
        return ok

    def _log(self):
        if finite(self.loss_d, self.loss_g):
            self.history.append((self.steps_g, self.steps_d, self.loss_d, self.loss_g,
                                 getattr(self, "d_real", np.nan), getattr(self, "d_fake", np.nan)))
            self.history = thin(self.history)

    # ---- the page's buttons -------------------------------------------------------------------
    def step(self, n: int = 1, max_seconds: float | None = FRAME_BUDGET_S) -> int:
        """Up to ``n`` rounds of (d_steps × D, 1 × G) within the time budget."""
        if self.status != "ok":
            return 0
        done = run_budgeted(self._round, n, max_seconds)
        if max_seconds is None or time.perf_counter() - self._eval_t >= self.eval_seconds:
            self.evaluate()
        return done

    def catch_up(self):
        """Evaluate now if the generator moved since the last evaluation (e.g. on Pause)."""
        if self.evaluated_at != self.steps_g:
            self.evaluate()

    def step_d(self, n: int = 1, max_seconds: float | None = FRAME_BUDGET_S) -> int:
        if self.status != "ok":
            return 0
        done = run_budgeted(self._d_update, n, max_seconds)
        self._log()
        return done

    def step_g(self, n: int = 1, max_seconds: float | None = FRAME_BUDGET_S) -> int:
        if self.status != "ok":
            return 0
        done = run_budgeted(self._g_update, n, max_seconds)
        self._log()
        self.evaluate()
        return done

    # ---- what the page shows ------------------------------------------------------------------
    def generated(self, n: int | None = None) -> np.ndarray:
        with torch.inference_mode():
            z = self.z_shown if n is None else torch.randn(n, self.s.latent, generator=self.gen)
            return self.G(z).numpy()

    def evaluate(self):
        """MMD to the target and the modes covered, on a fixed set of points."""
        if self.status != "ok":
            return
        self._eval_t, self.evaluated_at = time.perf_counter(), self.steps_g
        with few_threads():
            x = self.generated()[:QUALITY_N]
        if not np.isfinite(x).all():
            return
        dist = D2.distance(x, self.real_eval)
        centres = D2.modes_of(self.s.target)
        covered = int(D2.modes_covered(x, centres).sum()) if centres is not None else -1
        if not self.quality or self.quality[-1][0] != self.steps_g:
            self.quality.append((self.steps_g, dist, covered))
            self.quality = thin(self.quality, 400)

    def d_map(self, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
        """D's probability of "real" on an n×n grid over the view: (axis values, (n, n) map)."""
        xs = np.linspace(-D2.VIEW, D2.VIEW, n, dtype=np.float32)
        gx, gy = np.meshgrid(xs, xs)
        with torch.inference_mode():
            p = torch.sigmoid(self.D(torch.from_numpy(np.column_stack([gx.ravel(), gy.ravel()]))))
        return xs, p.numpy().reshape(n, n)

    def g_arrows(self, k: int = 128) -> tuple[np.ndarray, np.ndarray]:
        """The first ``k`` shown generated points and −∂L_G/∂x at each (where G pushes them)."""
        with torch.enable_grad():
            x = self.G(self.z_shown[:k]).detach().requires_grad_(True)
            loss = F.binary_cross_entropy_with_logits(self.D(x), torch.ones(k, 1), reduction="sum")
            (g,) = torch.autograd.grad(loss, x)
        return x.detach().numpy(), -g.numpy()


def describe(run: GANRun) -> list[str]:
    """Plain sentences about the run, each derived from the numbers it states."""
    out = []
    if not run.quality:
        return out
    step, dist, covered = run.quality[-1]
    floor = run.floor
    if D2.matches(dist, floor):
        out.append(f"MMD to the target {dist:.4f}: about as close as two samples of the "
                   f"target itself are to each other ({floor:.4f}). The generator matches it.")
    else:
        out.append(f"MMD to the target {dist:.4f} (0 = identical; two samples of the "
                   f"target itself: {floor:.4f}).")
    centres = D2.modes_of(run.s.target)
    if covered >= 0:
        n = len(centres)
        if covered < n and run.steps_g >= 500:
            out.append(f"Only {covered} of {n} modes hold generated points after {run.steps_g:,} "
                       "generator steps: mode collapse. The generator found a few places D "
                       "believes in and ignores the rest.")
        else:
            out.append(f"{covered} of {n} modes covered.")
    osc = oscillation(run)
    if osc is not None:
        swing, trend = osc
        if swing > max(0.02, 5 * run.floor) and trend > -0.25 * swing:
            out.append(f"Not converging: over the last {OSC_WINDOW} generator steps the MMD to "
                       f"the target swung by {swing:.3f} without a downward trend; G and D keep "
                       "overshooting each other.")
    return out


OSC_WINDOW = 1000


def oscillation(run: GANRun) -> tuple[float, float] | None:
    """(range, net change) of the MMD over the last OSC_WINDOW generator steps."""
    q = [r for r in run.quality if r[0] >= run.steps_g - OSC_WINDOW]
    if run.steps_g < OSC_WINDOW or len(q) < 8:
        return None
    d = np.array([r[1] for r in q])
    return float(d.max() - d.min()), float(d[-len(d) // 4:].mean() - d[:len(d) // 4].mean())

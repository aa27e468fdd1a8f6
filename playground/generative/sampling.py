"""The diffusion page's samples while it trains: one sampling spread over several frames.

Sampling runs the denoiser once per sampler step (T = 10-500 for DDPM) for every point: far
more than one frame's share of a server that a class of 30 shares (a 2-D sampling of 200
points over 100 steps is ~125 ms of a core; digits over 500 steps more than a second).
``LiveSamples`` keeps what the page shows (the last finished sampling, with the training step
whose weights it used) and the one in progress, which advances by a slice of time per frame
(``Reverse.advance``) from a copy of the weights taken when it began. What is shown is exactly
what one ``DiffusionRun.sample`` call on those weights returns: same seed, same numbers.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import data2d as D2
from .diffusion import DiffusionRun, Reverse


@dataclass
class Finished:
    """One finished sampling: ``parts`` holds (samples, snapshots) per requested sampling."""
    run: DiffusionRun
    key: tuple
    at: int                       # the training step whose (EMA) weights were sampled
    parts: list
    dist: float | None = None     # 2-D: MMD of the first part's samples to the target
    floor: float | None = None    # ...and of two samples of the target itself (same size)


class LiveSamples:
    """The samples a page shows for ``(run, key)`` and the sampling in progress."""

    def __init__(self):
        self.shown: Finished | None = None
        self.job: tuple | None = None          # (run, key, [Reverse, ...])
        self._floors: dict = {}

    def showing(self, run: DiffusionRun, key: tuple) -> Finished | None:
        """The last finished sampling of this run with these settings (maybe of older weights)."""
        s = self.shown
        return s if s is not None and s.run is run and s.key == key else None

    def pending(self, run: DiffusionRun, key: tuple) -> bool:
        """True while the shown samples are not those of the run's current weights."""
        s = self.showing(run, key)
        return s is None or s.at != run.steps

    def progress(self) -> float:
        """How far the sampling in progress is (0…1), 0 when none runs."""
        if self.job is None:
            return 0.0
        parts = self.job[2]
        total = sum(len(p.ts) for p in parts)
        return sum(p.i for p in parts) / max(1, total)

    def update(self, run: DiffusionRun, key: tuple, specs: list[dict],
               max_seconds: float | None = None, cancel=None) -> bool:
        """Advance the sampling for ``key`` (``specs``: ``Reverse`` arguments per part), starting
        one from the current weights when the shown samples are older; at least one denoising
        step unless ``cancel()``. True when a sampling finished in this call."""
        if self.shown is not None and self.showing(run, key) is None:
            self.shown = None
        if self.job is not None and (self.job[0] is not run or self.job[1] != key):
            self.job = None
        if cancel is not None and cancel():
            return False
        if self.job is None:
            if not self.pending(run, key):
                return False
            self.job = (run, key, [Reverse(run, frozen=True, **sp) for sp in specs])
        parts = self.job[2]
        t0 = time.perf_counter()
        for p in parts:
            if p.done:
                continue
            left = None if max_seconds is None else max(0.0, max_seconds - (time.perf_counter() - t0))
            if not p.advance(left, cancel):
                return False
        self.shown = self._finish(run, key, parts)
        self.job = None
        return True

    def _finish(self, run: DiffusionRun, key: tuple, parts: list[Reverse]) -> Finished:
        out = Finished(run, key, parts[0].at, [p.result() for p in parts])
        if not run.s.digits:
            x = out.parts[0][0]
            n = len(x)
            out.dist = D2.distance(x, run.real_eval[:n]) if np.isfinite(x).all() else float("inf")
            fk = (run.s.data, n, D2.fingerprint(run.points))
            if fk not in self._floors:
                self._floors[fk] = D2.baseline_distance(run.s.data, n, points=run.points)
            out.floor = self._floors[fk]
        return out

"""What every live generative run shares: a time budget per frame, NaN checks, a history.

Each page trains one chunk per animation frame. The chunk is bounded by TIME, not by a count
(a busy classroom server makes each step slower; the frame must still end quickly so Pause
answers at once). :func:`run_budgeted` is the one place that does it for this package; a shared
budget mechanism for the whole app can replace it without touching the runs.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..threads import few_threads

FRAME_BUDGET_S = 0.15          # the most training work one frame (or one Step click) does
MAX_HISTORY = 2000             # loss rows kept per run (older rows are thinned, not dropped)


def run_budgeted(one: Callable[[], bool], n: int, max_seconds: float | None = FRAME_BUDGET_S) -> int:
    """Call ``one()`` up to ``n`` times, stopping after ``max_seconds`` or when it returns False.

    Returns how many calls completed. One intra-op thread (tiny models; see few_threads)."""
    t0, done = time.perf_counter(), 0
    with few_threads(), torch.enable_grad():
        for _ in range(max(0, int(n))):
            if not one():
                break
            done += 1
            if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                break
    return done


def finite(*values) -> bool:
    return all(np.isfinite(float(v)) for v in values)


def thin(history: list, limit: int = MAX_HISTORY) -> list:
    """Keep a long history bounded: drop every other old row once it is over ``limit``."""
    if len(history) > limit:
        half = len(history) // 2
        return history[:half:2] + history[half:]
    return history


def mlp(n_in: int, width: int, depth: int, n_out: int, act=nn.LeakyReLU) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units."""
    layers, d = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), act()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def params_finite(module: nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


def diverged_message(what: str, value: float, hint: str) -> str:
    shown = "NaN" if np.isnan(value) else ("∞" if np.isinf(value) else f"{value:.3g}")
    return (f"Training stopped: the {what} became {shown}. {hint} Lower the learning rate and "
            "press Reset.")

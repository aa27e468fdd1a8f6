"""A frame's time budget: do up to ``n`` units of work, but stop when the time is up.

Live pages call one chunk per animation frame; a busy server (a class of 30) must still answer
Pause within a second, so a chunk is bounded by time, not only by a count. Kept tiny and local
so it can be swapped for a shared mechanism later.
"""
from __future__ import annotations

import time
from typing import Callable


def run_for(work: Callable[[], object], n: int, max_seconds: float | None = None) -> int:
    """Call ``work()`` up to ``n`` times (at least once if n ≥ 1); returns how many ran.

    ``work`` may return False to stop early (e.g. the run diverged)."""
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    done = 0
    for _ in range(max(0, int(n))):
        if work() is False:
            return done + 1
        done += 1
        if deadline is not None and time.monotonic() >= deadline:
            break
    return done


class Stepped:
    """A run trained one unit at a time (an episode, a batch of episodes, a round of games):
    ``step(n, max_seconds)`` calls ``self.unit()`` up to n times within the time budget; a run
    whose ``status`` is "diverged" or "error" does nothing."""
    status = "ready"

    def unit(self) -> bool:     # pragma: no cover - every run defines it
        raise NotImplementedError

    def step(self, n: int = 1, max_seconds: float | None = None) -> int:
        if self.status in ("diverged", "error"):
            return 0
        return run_for(self.unit, n, max_seconds)

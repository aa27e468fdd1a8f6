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

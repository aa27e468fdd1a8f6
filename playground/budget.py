"""Sharing one server between a class: how much training each live frame may do.

Every page that trains live (Train a CNN, recurrent networks, the tiny transformer, gradient
flow, data efficiency) runs on the one server all students share. A fixed amount of work per
frame (e.g. 50 mini-batches) that looks fine for one student is 30 times that for a class, and
every student's screen freezes. Instead each frame gets a *time budget*:

    budget = cores × frame_seconds × train_share / active players     (clamped)

so with one student a frame trains for up to ``max_chunk`` seconds, and with 30 students on a
2-core server each frame trains for a few milliseconds (fewer mini-batches), and the rest of
the CPU draws everybody's frames. ``gate()`` lets at most ``cores`` sessions train at the same
moment; the others wait for a slot without holding the GIL, so a click (Pause) in any session
is served between two training slices instead of queueing behind 30 of them.

A player counts as active while it keeps asking for frames (``idle_after`` seconds): a tab that
was closed stops asking and drops out of the count at once.

Pure Python (no Streamlit): one ``FrameBudget`` per server process, tested without a server.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time

import numpy as np


def server_cores() -> int:
    """CPU cores this process may use (the affinity mask / cgroup quota where they say less)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    try:   # cgroup v2 CPU quota (containers, Community Cloud)
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            n = min(n, max(1, int(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, n)


class FrameBudget:
    """The server-wide training budget of live frames (thread-safe).

    - ``seconds(player)`` registers a frame of ``player`` (any hashable: a session id) and
      returns how long this frame may train.
    - ``gate()`` is a context manager: at most ``slots`` frames train at once;
      ``run_gate()`` the same for whole script runs (page loads, clicks).
    - ``active()`` counts players seen within ``idle_after`` seconds; ``forget(player)`` drops
      one at once (Pause, a closed tab).
    """

    def __init__(self, cores: int | None = None, frame_seconds: float = 0.4,
                 train_share: float = 0.5, max_chunk: float = 0.2, min_chunk: float = 0.004,
                 idle_after: float = 2.5, slots: int | None = None, clock=time.monotonic):
        if frame_seconds <= 0 or not 0 < train_share <= 1 or not 0 < min_chunk <= max_chunk:
            raise ValueError("need frame_seconds > 0, 0 < train_share ≤ 1, 0 < min_chunk ≤ max_chunk")
        self.cores = int(cores or server_cores())
        self.frame_seconds, self.train_share = float(frame_seconds), float(train_share)
        self.max_chunk, self.min_chunk, self.idle_after = float(max_chunk), float(min_chunk), float(idle_after)
        self.slots = int(slots or self.cores)
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict = {}                      # player -> last frame time
        self._credit: dict = {}                    # player -> training seconds owed (< 0) or left
        self._sem = threading.BoundedSemaphore(self.slots)
        self._run_sem = threading.BoundedSemaphore(self.slots)   # whole script runs (run_gate)
        self._local, self._run_local = threading.local(), threading.local()   # re-entrancy
        self.frames = 0                            # frames budgeted since start (benchmarks)
        self.spent = {"train": 0.0, "frame": 0.0, "wait": 0.0, "n": 0}   # seconds, summed
        self.busy = 0.0                            # recent seconds a frame holds its slot (EMA)

    # ---- who is playing -------------------------------------------------------------------
    def _prune(self, now: float):
        old = [p for p, t in self._seen.items() if now - t > self.idle_after]
        for p in old:
            del self._seen[p]

    def active(self) -> int:
        with self._lock:
            self._prune(self._clock())
            return len(self._seen)

    def forget(self, player):
        with self._lock:
            self._seen.pop(player, None)
            self._credit.pop(player, None)

    # ---- the budget -----------------------------------------------------------------------
    def share(self, active: int) -> float:
        """Training seconds per frame when ``active`` players share the server."""
        per = self.cores * self.frame_seconds * self.train_share / max(1, int(active))
        return min(self.max_chunk, max(self.min_chunk, per))

    def interval(self, base: float, most: float) -> float:
        """Seconds between a student's frames that the server can keep up with: the active
        players' frames, each holding a slot for ``busy`` seconds, share ``slots`` slots
        (never below ``base``, never above ``most``)."""
        with self._lock:
            self._prune(self._clock())
            need = len(self._seen) * self.busy / self.slots
        return min(most, max(base, need))

    def seconds(self, player) -> float:
        """Register a frame of ``player``; return its training budget in seconds."""
        with self._lock:
            now = self._clock()
            self._seen[player] = now
            self._prune(now)
            self.frames += 1
            return self.share(len(self._seen))

    def allowance(self, player, seconds: float) -> float:
        """This frame's training time for ``player`` given its share ``seconds``: the share
        plus what earlier frames left unused, minus what they overran (capped at ``max_chunk``).
        0 means: no training in this frame, only drawing. A run whose smallest unit of work (an
        episode batch, a round of self-play games) takes longer than a frame's share then trains
        in every k-th frame instead of overrunning every frame, and the class's screens still
        update on time; over time every student gets the same share of the server."""
        with self._lock:
            c = min(self.max_chunk, self._credit.get(player, 0.0) + seconds)
            self._credit[player] = c
            return c if c > 0 else 0.0

    def spend(self, player, seconds: float):
        """Charge ``seconds`` of training to ``player`` (after a frame's ``allowance``)."""
        with self._lock:
            self._credit[player] = self._credit.get(player, 0.0) - seconds

    def record(self, wait: float, train: float, frame: float):
        """Add one finished frame's seconds (waiting for a slot, training, whole frame)."""
        with self._lock:
            sp = self.spent
            sp["wait"] += wait
            sp["train"] += train
            sp["frame"] += frame
            sp["n"] += 1
            held = max(0.0, frame - wait)
            self.busy = held if sp["n"] == 1 else 0.9 * self.busy + 0.1 * held

    def report(self) -> str:
        """One line for the server log: frames and their mean cost so far."""
        with self._lock:
            sp, n = self.spent, max(1, self.spent["n"])
            return (f"frames={sp['n']} active={len(self._seen)} mean_wait_ms={1000 * sp['wait'] / n:.1f} "
                    f"mean_train_ms={1000 * sp['train'] / n:.1f} mean_frame_ms={1000 * sp['frame'] / n:.1f}")

    def acquire(self, timeout: float | None = None, cancel=None) -> bool:
        """Wait for one of the ``slots`` (at most ``timeout`` s); True if obtained.

        Re-entrant per thread (a frame drawn inside a run that already holds a slot does not
        wait for a second one). ``cancel()`` is asked every ``POLL`` s while waiting: once it
        is True the wait ends without a slot (a Pause click is pending: the frame is dropped)."""
        return _acquire(self._sem, self._local, timeout, cancel)

    def release(self):
        _release(self._sem, self._local)

    @contextlib.contextmanager
    def gate(self, timeout: float | None = None, cancel=None):
        """Train inside: at most ``slots`` frames at once. Yields whether a slot was obtained
        (False only after ``timeout`` seconds of waiting or when ``cancel()`` said so)."""
        got = self.acquire(timeout, cancel)
        try:
            yield got
        finally:
            if got:
                self.release()

    @contextlib.contextmanager
    def run_gate(self, timeout: float = 1.0):
        """Around a whole script run (a page load, a click's rerun): at most ``slots`` runs
        execute Python at once; the others wait without holding the GIL, so the server's event
        loop (which sends every student's frames and receives every click) keeps its share of
        the CPU when a class clicks at once, and the runs finish first-come first-served
        instead of all together at the end. After ``timeout`` s a run goes ahead anyway (a
        long page load never blocks the class)."""
        got = _acquire(self._run_sem, self._run_local, timeout, None)
        try:
            yield got
        finally:
            if got:
                _release(self._run_sem, self._run_local)


POLL = 0.02   # seconds between two looks at ``cancel()`` while waiting for a slot


def _acquire(sem, local, timeout, cancel) -> bool:
    depth = getattr(local, "depth", 0)
    if depth:
        local.depth = depth + 1
        return True
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        if cancel is not None and cancel():
            return False
        wait = POLL if cancel is not None else None
        if end is not None:
            left = end - time.monotonic()
            if left <= 0:
                return False
            wait = left if wait is None else min(wait, left)
        if sem.acquire(timeout=wait) if wait is not None else sem.acquire():
            local.depth = 1
            return True


def _release(sem, local):
    local.depth = getattr(local, "depth", 1) - 1
    if local.depth <= 0:
        local.depth = 0
        sem.release()


class Paced:
    """Give a run whose ``step(n)`` has no time limit (the MLP engine's ``Run``) the
    ``step(n, max_seconds=...)`` of the other live runs.

    It measures how long one unit (an epoch) takes and asks for as many as fit in the time
    left, at least one. The work done is the same units in the same order, only cut into
    different chunks, so a seeded run ends with the same weights whatever the budget."""

    def __init__(self, run, unit_seconds: float = 0.0):
        self.run = run
        self.unit_seconds = float(unit_seconds)   # running estimate (0 = not measured yet)

    def __getattr__(self, name):
        return getattr(self.run, name)

    def step(self, n: int = 1, max_seconds: float | None = None) -> int:
        n = max(0, int(n))
        if max_seconds is None or n == 0:
            return self.run.step(n)
        done, t_end = 0, time.perf_counter() + max_seconds
        while done < n:
            left = t_end - time.perf_counter()
            if done and left <= 0:
                break
            k = 1 if self.unit_seconds <= 0 else int(max(1.0, left / self.unit_seconds))
            k = min(k, n - done)
            t0 = time.perf_counter()
            ran = self.run.step(k)
            if ran:
                per = (time.perf_counter() - t0) / ran
                self.unit_seconds = per if self.unit_seconds <= 0 else 0.7 * self.unit_seconds + 0.3 * per
            done += ran
            if ran < k or getattr(self.run, "status", "") in ("diverged", "done", "error"):
                break
        return done


def _round(v, fmt: str):
    if isinstance(v, float):
        return float(fmt.format(v))
    if isinstance(v, np.ndarray) and v.dtype.kind == "f":
        return np.array([float(fmt.format(x)) for x in v.ravel()]).reshape(v.shape)
    return v


def thin(rows, k: int = 150, digits: int = 4) -> list:
    """At most ``k`` of ``rows`` (a run's history: tuples of numbers or arrays), evenly
    spread, first and last kept, floats rounded to ``digits`` significant digits.

    What a live frame sends must stay small (30 students share a school's Wi-Fi): a curve of
    150 points looks the same on screen as one of 2,000 and costs a tenth of the bytes."""
    rows = list(rows)
    if k >= 2 and len(rows) > k:
        step = (len(rows) - 1) / (k - 1)
        rows = [rows[round(i * step)] for i in range(k)]
    fmt = f"{{:.{digits}g}}"
    return [tuple(_round(v, fmt) for v in r) if isinstance(r, tuple) else _round(r, fmt) for r in rows]


def thin_columns(k: int, *columns, digits: int = 3) -> list[list]:
    """``thin`` for parallel columns (e.g. epochs, per-layer gradient sizes, update ratios)."""
    rows = thin(list(zip(*columns)), k, digits)
    return [[r[i] for r in rows] for i in range(len(columns))]

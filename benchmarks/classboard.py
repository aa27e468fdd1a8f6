"""Class board benchmark: a class of students submitting at the same moment, from threads and
from separate processes, on SQLite (the default file) and on PostgreSQL when given.
Prints JSON. Run:

    python benchmarks/classboard.py                       # SQLite in a temp folder
    python benchmarks/classboard.py --pg postgresql://…   # and PostgreSQL (e.g. $(bash .ci/postgres.sh))

For each database: join + submit latency (median and worst) of N students released together by
a barrier, total wall time, whether every submission arrived, and the leaderboard's read time.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from playground.classboard import Board  # noqa: E402


def one_student(url: str, code: str, i: int, runs: int) -> list[float]:
    b = Board(url)
    t0 = time.perf_counter()
    s = b.join(code, f"student {i}")
    times = [time.perf_counter() - t0]
    for r in range(runs):
        t0 = time.perf_counter()
        b.submit(s, "cnn_train", f"/cnn_train?seed={i}&r={r}", 0.1 + (i * runs + r) / 1e4, 0.9,
                 1000 + i, 1.0)
        times.append(time.perf_counter() - t0)
    return times


def _proc(args):
    url, code, i, runs, start = args
    while time.time() < start:      # released together
        time.sleep(0.001)
    return one_student(url, code, i, runs)


def measure(url: str, students: int, runs: int, processes: int) -> dict:
    board = Board(url)
    code, _ = board.create_class("benchmark")
    barrier, times, lock = threading.Barrier(students), [], threading.Lock()

    def go(i):
        barrier.wait()
        t = one_student(url, code, i, runs)
        with lock:
            times.extend(t)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=go, args=(i,)) for i in range(students)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall_threads = time.perf_counter() - t0
    ctx = mp.get_context("spawn")
    with ctx.Pool(processes) as pool:
        start = time.time() + 2.0
        t0 = time.perf_counter()
        proc_times = pool.map(_proc, [(url, code, students + i, runs, start) for i in range(students)])
        wall_procs = time.perf_counter() - t0 - 2.0
    flat = [x for t in proc_times for x in t]
    t0 = time.perf_counter()
    ranked = board.leaderboard(code)
    read = time.perf_counter() - t0
    expected = 2 * students * runs
    got = len(board.submissions(code))
    return {"database": "postgresql" if board.pg else "sqlite", "students": 2 * students,
            "runs_each": runs, "submissions_expected": expected, "submissions_stored": got,
            "lost": expected - got, "leaderboard_rows": len(ranked),
            "threads_wall_s": round(wall_threads, 3), "processes_wall_s": round(wall_procs, 3),
            "threads_op_median_ms": round(1000 * statistics.median(times), 1),
            "threads_op_worst_ms": round(1000 * max(times), 1),
            "processes_op_median_ms": round(1000 * statistics.median(flat), 1),
            "processes_op_worst_ms": round(1000 * max(flat), 1),
            "leaderboard_read_ms": round(1000 * read, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=30, help="per kind (threads, then processes)")
    ap.add_argument("--runs", type=int, default=3, help="submissions per student (≤ rate limit)")
    ap.add_argument("--processes", type=int, default=6)
    ap.add_argument("--pg", default=os.environ.get("PLAYGROUND_TEST_PG"))
    a = ap.parse_args()
    urls = [os.path.join(tempfile.mkdtemp(prefix="dlp-bench-"), "classes.sqlite3")]
    if a.pg:
        urls.append(a.pg)
    print(json.dumps([measure(u, a.students, a.runs, a.processes) for u in urls], indent=1))


if __name__ == "__main__":
    main()

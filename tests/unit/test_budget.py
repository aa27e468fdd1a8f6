"""The class-sharing budget of live frames, and seeded runs that do not depend on it."""
import threading
import time

import numpy as np
import pytest
import torch

from playground.budget import FrameBudget, Paced, server_cores, thin


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_budget_shrinks_with_the_class_and_stays_in_bounds():
    clock = Clock()
    b = FrameBudget(cores=2, frame_seconds=0.4, train_share=0.5, max_chunk=0.2, min_chunk=0.004,
                    clock=clock)
    assert b.seconds("alice") == pytest.approx(0.2)        # alone: the whole chunk (capped)
    for i in range(29):
        b.seconds(f"s{i}")
    assert b.active() == 30
    assert b.seconds("alice") == pytest.approx(2 * 0.4 * 0.5 / 30)   # 30 share 2 cores
    assert b.share(10_000) == pytest.approx(0.004)        # never below the minimum
    clock.t += 3.0                                         # everybody else stops asking
    assert b.seconds("alice") == pytest.approx(0.2) and b.active() == 1
    b.forget("alice")
    assert b.active() == 0


def test_a_closed_tab_drops_out_of_the_count_at_once_when_forgotten():
    clock = Clock()
    b = FrameBudget(cores=1, frame_seconds=1.0, train_share=1.0, max_chunk=1.0, clock=clock)
    b.seconds("a"), b.seconds("b")
    assert b.share(b.active()) == pytest.approx(0.5)
    b.forget("b")
    assert b.share(b.active()) == pytest.approx(1.0)


def _peak(gate, n: int = 12) -> int:
    """How many of n threads were inside ``gate()`` at the same time, at most."""
    inside, peak, lock = [0], [0], threading.Lock()

    def frame():
        with gate():
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=frame) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return peak[0]


def test_gate_lets_at_most_slots_frames_in_at_once():
    b = FrameBudget(cores=2, slots=2)
    assert _peak(b.gate) == 2
    held = []
    for _ in range(2):    # two other sessions hold both slots (one per thread: re-entrant)
        t = threading.Thread(target=lambda: held.append(b.acquire(timeout=0.01)))
        t.start(), t.join()
    assert held == [True, True]
    assert not b.acquire(timeout=0.01)                     # both slots taken: times out


def test_bad_budget_settings_are_refused():
    with pytest.raises(ValueError):
        FrameBudget(cores=1, frame_seconds=0)
    with pytest.raises(ValueError):
        FrameBudget(cores=1, min_chunk=0.5, max_chunk=0.1)
    assert server_cores() >= 1


def test_thin_keeps_first_last_and_at_most_k():
    rows = list(range(2001))
    out = thin(rows, 150)
    assert len(out) == 150 and out[0] == 0 and out[-1] == 2000 and out == sorted(out)
    assert thin(rows[:10], 150) == rows[:10]


class Counter:
    """A run whose units take a known time."""

    def __init__(self, unit=0.002):
        self.unit, self.epoch, self.calls, self.status = unit, 0, 0, "ready"

    def step(self, n=1):
        self.calls += 1
        time.sleep(self.unit * n)
        self.epoch += n
        return n


def test_paced_fits_the_units_into_the_time_and_always_does_one():
    r = Paced(Counter(0.002))
    assert r.step(1000, max_seconds=0.0) == 1
    t0 = time.perf_counter()
    done = r.step(1000, max_seconds=0.05)
    assert 5 <= done < 1000 and time.perf_counter() - t0 < 0.2
    assert r.step(3) == 3 and r.epoch == 1 + done + 3      # no limit: exactly n


# ---- same seed ⇒ same numbers, whatever each frame's budget --------------------------------
def _chunked(run, total, budgets):
    """Train ``total`` steps in frames of the given budgets (seconds), like a busy server."""
    i = 0
    while run.steps < total:
        run.step(total - run.steps, max_seconds=budgets[i % len(budgets)])
        i += 1
    return i


def _params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _cnn(seed=3):
    from playground.cnn import digits as D, train as T
    return T.CNNRun(D.load("digits8", seed), 4, 8, 3, 0.003, 16, seed, "adam")


def _rnn(seed=3):
    from playground.rnn import settings as S
    from playground.rnn.train import SeqRun
    return SeqRun({**S.normalize({"task": "memory", "model": "lstm", "hidden": 16, "seed": seed}),
                   "text": ""})


def _tiny(seed=3):
    from playground.transformer import tiny as TT
    return TT.TinyRun(TT.Settings(task="reverse", length=5, layers=1, heads=2, lr=1e-3, seed=seed))


@pytest.mark.parametrize("make", [_cnn, _rnn, _tiny], ids=["cnn", "rnn", "tiny_transformer"])
def test_same_seed_same_weights_whatever_the_frame_budget(make):
    total = 24
    alone = make()
    alone.step(total)                                       # one student: one big frame
    busy = make()
    busy.eval_seconds = 1e9             # while playing the pages evaluate at most every 0.5 s; here: never
    frames = _chunked(busy, total, [1e-6, 0.003, 1e-6, 0.01])   # a busy class: tiny frames
    assert busy.evaluated_at < total                         # the last frames did not evaluate
    busy.catch_up()                                         # what the pages do on Pause
    assert frames > 3 and busy.steps == alone.steps == total
    assert torch.equal(_params(alone.model), _params(busy.model))
    shown = lambda r: (getattr(r, "test_loss", None), getattr(r, "token_acc", None))  # noqa: E731
    assert shown(alone) == shown(busy)                      # the numbers on screen too
    other = make(seed=4)
    other.step(total)
    assert not torch.equal(_params(alone.model), _params(other.model))   # the test can fail


def test_gradient_flow_run_same_weights_whatever_the_frame_budget():
    from playground.mlp import gradflow_demo as D
    values = {**D.DEFAULTS, "act": "tanh", "depth": 4}
    alone = Paced(D.build(values))
    alone.step(30)
    busy = Paced(D.build(values))
    while busy.epoch < 30:
        busy.step(30 - busy.epoch, max_seconds=1e-6)
    assert busy.epoch == alone.epoch == 30
    assert np.array_equal(alone.net.theta, busy.net.theta)
    assert alone.history[-1][1:] == busy.history[-1][1:]


def test_frames_come_less_often_when_the_server_cannot_keep_up():
    clock = Clock()
    b = FrameBudget(cores=2, clock=clock)
    assert b.interval(0.15, 0.45) == 0.15                   # nobody yet
    for i in range(30):
        b.seconds(f"s{i}")
        b.record(wait=0.0, train=0.01, frame=0.02)          # each frame holds a slot 20 ms
    assert b.interval(0.15, 0.45) == pytest.approx(30 * 0.02 / 2)
    for _ in range(50):
        b.record(wait=0.5, train=0.05, frame=0.6)           # 100 ms each: can't keep up
    assert b.interval(0.15, 0.45) == 0.45                   # capped: still ≥ 2 asked per second
    clock.t += 10                                           # the class went home
    assert b.interval(0.15, 0.45) == 0.15


def test_a_thread_that_holds_a_slot_does_not_wait_for_a_second_one():
    b = FrameBudget(cores=1, slots=1)
    assert b.acquire(timeout=0.01)
    assert b.acquire(timeout=0.01)      # a frame drawn inside a run that holds the slot
    b.release()
    other = []
    t = threading.Thread(target=lambda: other.append(b.acquire(timeout=0.05)))
    t.start(), t.join()
    assert other == [False]             # still held by the outer level
    b.release()
    t = threading.Thread(target=lambda: other.append(b.acquire(timeout=0.05)))
    t.start(), t.join()
    assert other == [False, True]       # free after the outer release
    # (that thread ended holding it; a fresh budget for the rest)


def test_a_pending_click_ends_the_wait_for_a_slot():
    b = FrameBudget(cores=1, slots=1)
    assert b.acquire()                  # another session trains
    asked, got = [], []
    click = threading.Event()

    def frame():
        got.append(b.acquire(timeout=None, cancel=lambda: asked.append(1) or click.is_set()))

    t = threading.Thread(target=frame, daemon=True)
    t.start()
    t.join(0.1)
    assert t.is_alive() and asked       # waiting (no timeout), and asking
    click.set()
    t.join(5.0)
    assert not t.is_alive() and got == [False]   # the click ended the wait, without a slot
    b.release()


def test_run_gate_lets_at_most_slots_runs_in_at_once_and_times_out_to_go_ahead():
    b = FrameBudget(cores=2, slots=2)
    assert _peak(lambda: b.run_gate(timeout=10.0)) == 2
    assert _peak(b.gate) == 2            # frames have their own slots, free of the runs' ones
    b = FrameBudget(cores=1, slots=1)
    with b.run_gate(), b.run_gate():    # re-entrant in one thread
        res = []
        t = threading.Thread(target=lambda: res.append(b.run_gate(timeout=0.05).__enter__()))
        t.start(), t.join()
        assert res == [False]           # both taken: after the timeout the run goes ahead


def test_rerun_pending_sees_a_click_but_not_a_fragment_timer():
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

    from playground.ui.live import rerun_pending

    req = ScriptRequests()
    assert not rerun_pending(req)
    req.request_rerun(RerunData(fragment_id="f1", is_auto_rerun=True))
    assert not rerun_pending(req)       # a fragment's timer: the frame goes on
    req.request_rerun(RerunData(query_string=""))
    assert rerun_pending(req)           # a click: the whole page reruns next


def test_a_unit_longer_than_the_share_trains_in_every_kth_frame_and_keeps_the_share():
    clock = Clock()
    b = FrameBudget(cores=2, frame_seconds=0.25, train_share=0.5, max_chunk=0.2, clock=clock)
    for i in range(29):
        b.seconds(f"s{i}")
    unit, trained, frames = 0.030, 0.0, 300      # a 30 ms episode batch; the share is ~4 ms
    trains = []
    for _ in range(frames):
        allowed = b.allowance("me", b.seconds("me"))
        trains.append(allowed > 0)
        if allowed > 0:
            b.spend("me", unit)                   # at least one unit, however small the allowance
            trained += unit
    share = b.share(30)
    assert 0 < sum(trains) < frames               # some frames only draw
    assert abs(trained - share * frames) <= unit  # and over time the student gets the share
    b.forget("me")
    assert b.allowance("me", share) == pytest.approx(share)   # a new start owes nothing

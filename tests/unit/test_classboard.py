"""The class board's storage, for real on SQLite and on PostgreSQL (CI starts one)."""
import multiprocessing as mp
import os
import sqlite3
import threading
import time

import pytest

from playground.classboard import Board, BoardError
from playground.classboard import rules as R
from playground.classboard.db import RATE_LIMIT, RATE_WINDOW

PG_ENV = "PLAYGROUND_TEST_PG"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if IN_CI:
            pytest.fail(f"CI must start PostgreSQL and set {PG_ENV} (see .ci/postgres.sh)")
        pytest.skip(f"no PostgreSQL: run `export {PG_ENV}=$(bash .ci/postgres.sh)`")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return str(tmp_path / "board.sqlite3") if request.param == "sqlite" else _pg_url()


@pytest.fixture
def board(url):
    return Board(url)


def test_a_class_survives_a_restart_and_the_secret_is_stored_hashed(url):
    code, secret = Board(url).create_class("Physics 3b")
    Board(url).submit(Board(url).join(code, "Ana"), "cnn_train", "/cnn_train?c1=4", 0.5, 0.8, 100, 1)
    again = Board(url)   # a new server process: nothing kept in memory
    assert again.info(code)["title"] == "Physics 3b"
    assert [s["nickname"] for s in again.submissions(code)] == ["Ana"]
    assert again.check_secret(code, secret) and not again.check_secret(code, secret + "x")
    if not again.pg:
        stored = sqlite3.connect(again.path).execute("SELECT secret_hash FROM classes").fetchone()[0]
        assert secret not in stored and len(stored) == 64


def test_leaderboard_lowest_loss_then_fewest_parameters(board):
    code, _ = board.create_class("c")
    a, b, c = (board.join(code, n) for n in ("a", "b", "c"))
    board.submit(a, "p", "/p?x=1", 0.30, 0.9, 500, 1)
    board.submit(b, "p", "/p?x=2", 0.20, 0.9, 900, 1)
    board.submit(c, "p", "/p?x=3", 0.20, 0.9, 400, 1)
    board.submit(a, "p", "/p?x=4", 0.10, 0.9, 800, 1)   # a's best counts once
    big = board.join(code, "big")
    board.submit(big, "p", "/p?x=5", 0.123456789, 0.9, 25_000_000_000, 1)   # beyond 32 bits
    ranked = board.leaderboard(code)
    assert [(s["nickname"], s["rank"]) for s in ranked] == [("a", 1), ("big", 2), ("c", 3), ("b", 4)]
    assert ranked[1]["test_loss"] == 0.123456789 and ranked[1]["params"] == 25_000_000_000
    assert ranked[0]["link"] == "/p?x=4"


def test_rules_accuracy_and_smallest_network():
    subs = [dict(id=1, student_id=1, test_loss=0.5, test_acc=0.95, params=300),
            dict(id=2, student_id=2, test_loss=0.1, test_acc=0.85, params=100),
            dict(id=3, student_id=3, test_loss=0.4, test_acc=0.95, params=200)]
    assert [s["id"] for s in R.rank(subs, "accuracy")] == [3, 1, 2]
    assert [s["id"] for s in R.rank(subs, "small")] == [3, 1]     # 85 % does not count
    assert [s["id"] for s in R.rank(subs, "loss")] == [2, 3, 1]


def test_teacher_hides_names_removes_and_closes_students_cannot(board):
    code, secret = board.create_class("c")
    ana, ben = board.join(code, "Ana"), board.join(code, "Ben")
    sid = board.submit(ana, "p", "/p", 0.2, None, 10, 1)
    with pytest.raises(BoardError, match="teacher secret"):
        board.remove(code, "guess", sid)
    with pytest.raises(BoardError, match="teacher secret"):
        board.close_class(code, ben["token"])
    forged = {**ben, "student_id": ana["student_id"]}      # Ben claims to be Ana
    with pytest.raises(BoardError, match="not in this class"):
        board.submit(forged, "p", "/p", 0.0, None, 1, 1)
    board.set_hide_names(code, secret, True)
    assert board.info(code)["hide_names"]
    assert R.display_name(board.leaderboard(code)[0], True) == f"Student {ana['student_id']}"
    board.remove(code, secret, sid)
    assert board.leaderboard(code) == []
    board.close_class(code, secret)
    with pytest.raises(BoardError, match="closed"):
        board.submit(ana, "p", "/p", 0.1, None, 1, 1)
    with pytest.raises(BoardError, match="closed"):
        board.join(code, "Cleo")


@pytest.mark.parametrize("nick, message", [
    ("", "type a nickname"), ("   ", "type a nickname"), ("x" * 10_000, "too long"),
    ("<b>hi</b>", "cannot contain <"), ("a\x00b", "control characters"),
])
def test_bad_nicknames_get_a_clear_message(board, nick, message):
    code, _ = board.create_class("c")
    with pytest.raises(BoardError, match=message):
        board.join(code, nick)


def test_emoji_and_other_scripts_are_fine_duplicates_are_not(board):
    code, _ = board.create_class("c")
    assert board.join(code, "  Zoë 🚀  ")["nickname"] == "Zoë 🚀"
    assert board.join(code, "李雷")["nickname"] == "李雷"
    with pytest.raises(BoardError, match="already uses"):
        board.join(code, "zoë 🚀")


@pytest.mark.parametrize("code", ["", "NOPE42", "x" * 500, "' OR 1=1 --"])
def test_wrong_class_codes(board, code):
    with pytest.raises(BoardError, match="no class with that code"):
        board.join(code, "Ana")


@pytest.mark.parametrize("kwargs, message", [
    (dict(link="https://evil.example/x"), "page of this app"), (dict(link=""), "no settings link"),
    (dict(test_loss=float("nan")), "between"), (dict(test_acc=1.5), "between"),
    (dict(test_loss=None, test_acc=None), "test loss or a test accuracy"),
    (dict(params="many"), "not a number"),
])
def test_bad_runs_are_refused(board, kwargs, message):
    code, _ = board.create_class("c")
    s = board.join(code, "Ana")
    run = dict(page="p", link="/p?x=1", test_loss=0.2, test_acc=0.9, params=10, epochs=1) | kwargs
    with pytest.raises(BoardError, match=message):
        board.submit(s, **run)


def test_a_hundred_submissions_a_minute_hit_the_rate_limit(board):
    code, _ = board.create_class("c")
    s = board.join(code, "Speedy")
    ok, refused = 0, []
    for i in range(100):
        try:
            board.submit(s, "p", f"/p?i={i}", 0.5, None, 10, 1)
            ok += 1
        except BoardError as exc:
            refused.append(str(exc))
    assert ok == RATE_LIMIT and len(refused) == 100 - RATE_LIMIT
    assert "at most" in refused[0]
    # a minute later the student may submit again
    board.submit(s, "p", "/p", 0.4, None, 10, 1, now=time.time() + RATE_WINDOW + 1)


def _student(url, code, i, results):
    b = Board(url)
    s = b.join(code, f"student {i}")
    results.append(b.submit(s, "cnn_train", f"/cnn_train?seed={i}", (i + 1) / 1000, 0.5, 100 + i, 1))


def _process_student(args):
    url, code, i = args
    out = []
    _student(url, code, i, out)
    return out[0]


def test_thirty_students_at_once_in_threads_and_processes_lose_nothing(url):
    code, _ = Board(url).create_class("c")
    barrier, results = threading.Barrier(30), []

    def go(i):
        barrier.wait()
        _student(url, code, i, results)
    threads = [threading.Thread(target=go, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with mp.get_context("spawn").Pool(6) as pool:   # other server processes
        ids = pool.map(_process_student, [(url, code, 100 + i) for i in range(30)])
    subs = Board(url).submissions(code)
    assert len(results) == 30 and len(ids) == 30 and len(subs) == 60
    assert {s["id"] for s in subs} == set(results) | set(ids)
    assert Board(url).leaderboard(code)[0]["nickname"] == "student 0"


def test_an_unreachable_database_is_a_clear_message(tmp_path):
    board = Board(str(tmp_path / "b.sqlite3"))
    code, _ = board.create_class("c")
    board.path = str(tmp_path / "missing" / "dir" / "b.sqlite3")   # the file went away
    with pytest.raises(BoardError, match="cannot be reached"):
        board.info(code)
    if os.environ.get(PG_ENV):
        down = Board.__new__(Board)
        down.url, down.pg = "postgresql://nobody:x@127.0.0.1:1/none", True
        down._local = threading.local()
        with pytest.raises(BoardError, match="cannot be reached"):
            down.info(code)

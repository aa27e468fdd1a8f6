"""Class board challenges on a page's own score (cartpole, grid world, GAN) and the tiny
transformer's test loss: each ranked in its right direction, stored on SQLite and PostgreSQL,
and an older board file without the score column gains it."""
import math
import sqlite3

import numpy as np
import pytest
import torch

from playground.classboard import Board, BoardError
from playground.classboard import db as DB
from playground.classboard import rules as R
from playground.games import gridworld as G
from playground.transformer import tiny as TT
from tests.unit.test_classboard import board, url   # noqa: F401  (fixtures: SQLite and PostgreSQL)


def sub(i, page, score=None, loss=None, acc=None, epochs=100, student=None, params=10):
    return dict(id=i, student_id=student or i, page=page, score=score, test_loss=loss,
                test_acc=acc, params=params, epochs=epochs)


def ids(subs, challenge):
    return [s["id"] for s in R.rank(subs, challenge)]


def test_cartpole_longer_episodes_rank_first_then_fewer_episodes():
    subs = [sub(1, "cartpole", 80.0, epochs=100), sub(2, "cartpole", 150.0, epochs=400),
            sub(3, "cartpole", 150.0, epochs=200), sub(4, "grid_world", 999.0),
            sub(5, "cartpole", None, loss=0.01)]
    assert ids(subs, "cartpole") == [3, 2, 1]      # lowest-first would put the 80-step run on top


def test_grid_world_higher_return_ranks_first_and_only_grid_runs_count():
    subs = [sub(1, "grid_world", -0.3), sub(2, "grid_world", 0.82, epochs=300),
            sub(3, "grid_world", 0.5), sub(4, "cartpole", 190.0), sub(5, "grid_world", 0.82, epochs=90)]
    assert ids(subs, "grid_world") == [5, 2, 3, 1]


def test_gan_lower_mmd_ranks_first():
    subs = [sub(1, "gan", 0.050), sub(2, "gan", 0.004, epochs=2000), sub(3, "gan", 0.012),
            sub(4, "diffusion", 0.0001)]
    assert ids(subs, "gan") == [2, 3, 1]           # highest-first would crown the worst generator


def test_tiny_transformer_on_the_loss_and_accuracy_challenges():
    subs = [sub(1, "tiny_transformer", loss=0.9, acc=0.6), sub(2, "tiny_transformer", loss=0.05, acc=0.99),
            sub(3, "tiny_transformer", loss=0.4, acc=0.8), sub(4, "cartpole", 150.0)]
    assert ids(subs, "loss") == [2, 3, 1] and ids(subs, "accuracy") == [2, 3, 1]
    subs[0]["test_acc"] = 1.0                       # accuracy and loss disagree: each its own way
    assert ids(subs, "loss")[0] == 2 and ids(subs, "accuracy")[0] == 1


def test_every_scored_challenge_names_a_direction_and_a_rule():
    for challenge, (page, label, higher, unit) in R.SCORED.items():
        assert challenge in R.CHALLENGES and page and label and unit and isinstance(higher, bool)


def test_scores_are_stored_and_ranked_on_the_database(board):   # noqa: F811
    code, _ = board.create_class("RL", challenge="cartpole")
    a, b, c = (board.join(code, n) for n in ("a", "b", "c"))
    board.submit(a, "cartpole", "/cartpole?lr=0.003", params=226, epochs=320, score=41.5)
    board.submit(b, "cartpole", "/cartpole?lr=0.01", params=226, epochs=320, score=187.25)
    board.submit(c, "grid_world", "/grid_world", params=64, epochs=50, score=0.9)   # not this challenge
    board.submit(a, "tiny_transformer", "/tiny_transformer", 0.3, 0.9, 9000, 200)   # no score
    ranked = board.leaderboard(code)
    assert [(s["nickname"], s["score"]) for s in ranked] == [("b", 187.25), ("a", 41.5)]
    with pytest.raises(BoardError, match="score"):
        board.submit(c, "cartpole", "/cartpole", params=1, epochs=1, score=math.inf)


OLD_ROWS = ("INSERT INTO classes VALUES ('ABCDEF', 't', 'loss', 's', 'h', 0, 0, 1.0)",
            "INSERT INTO students (code, nickname, nick_key, token_hash, created) "
            "VALUES ('ABCDEF', 'Ana', 'ana', 'x', 1.0)",
            "INSERT INTO submissions (code, student_id, page, link, test_loss, test_acc, params, "
            "epochs, created) SELECT 'ABCDEF', id, 'p', '/p', 0.5, 0.9, 10, 1, 1.0 FROM students")


def _old_board(url, tmp_path) -> str:   # noqa: F811
    """A board database made before the score column existed (PostgreSQL: in its own schema)."""
    pg = url.startswith("postgresql")
    old = DB.SCHEMA.replace(", score DOUBLE PRECISION", "").format(
        pk="BIGSERIAL PRIMARY KEY" if pg else "INTEGER PRIMARY KEY AUTOINCREMENT")
    assert "score" not in old
    if not pg:
        con = sqlite3.connect(tmp_path / "old.sqlite3")
        con.executescript(old + ";".join(OLD_ROWS))
        con.commit()
        con.close()
        return str(tmp_path / "old.sqlite3")
    import psycopg

    schema = f"old_{tmp_path.name.lower().replace('-', '_')}"[:60]
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(f"SET search_path TO {schema}")
        for stmt in [*old.split(";"), *OLD_ROWS]:
            if stmt.strip():
                con.execute(stmt)
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def test_an_older_board_database_gains_the_score_column(url, tmp_path):   # noqa: F811
    board = Board(_old_board(url, tmp_path))
    assert board.submissions("ABCDEF")[0]["score"] is None
    code, _ = board.create_class("new", challenge="gan")
    s = board.join(code, "Bo")
    board.submit(s, "gan", "/gan", params=100, epochs=10, score=0.02)
    assert board.leaderboard(code)[0]["score"] == 0.02


def test_grid_world_score_is_the_discounted_return_along_the_arrows():
    maze = G.parse("S..G\n....")
    dyn = G.Dynamics.of(maze, 0.0, -0.04)
    right = np.zeros((maze.n, 4))
    right[:, 1] = 1.0                                   # every cell: go right
    want = -0.04 + 0.9 * -0.04 + 0.81 * (1 - 0.04)
    assert G.greedy_return(maze, dyn, right, 0.9) == pytest.approx(want)
    left = np.zeros((maze.n, 4))
    left[:, 3] = 1.0                                    # into the wall: never arrives, no score
    assert G.greedy_return(maze, dyn, left, 0.9) is None


def test_tiny_transformer_test_loss_is_the_cross_entropy_on_its_test_set():
    run = TT.TinyRun(TT.Settings(task="reverse", length=4, seed=1))
    with torch.no_grad():
        logits = run.model(run.test_x)[0]
    want = torch.nn.functional.cross_entropy(logits.reshape(-1, TT.VOCAB), run.test_y.reshape(-1))
    assert run.test_loss == pytest.approx(float(want), rel=1e-5)
    before = run.test_loss
    run.step(150)
    assert run.test_loss < before

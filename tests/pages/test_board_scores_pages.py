""""Submit this run" on the tiny transformer (test loss), cartpole (average episode length),
grid world (return along the arrows) and the GAN (MMD to the target): the number the page
measured reaches the class board, and a scored challenge shows it in its own column."""
import numpy as np
import pytest

from playground.classboard import Board
from playground.classboard.rules import SCORED
from playground.games import gridworld as G


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "classes.sqlite3"
    monkeypatch.setenv("PLAYGROUND_DB", str(path))
    return Board(str(path))


def submit(at, key, code, nick):
    at.text_input(key=f"{key}_code").set_value(code)
    at.text_input(key=f"{key}_nick").set_value(nick)
    next(b for b in at.get("form_submit_button") if b.form_id == f"{key}_join").click()
    at.run()
    assert not at.exception and not at.error
    at.button(key=f"{key}_submit").click()
    at.run()
    assert not at.exception and "Submitted" in at.success[0].value


def cartpole_score(run):
    return float(np.mean(run.returns[-100:]))


def grid_score(run):
    return G.greedy_return(run.maze, run.dyn, run.q_table(), run.gamma)


# page, query, Step clicks, board key, challenge, run key, the page's score from its run
CASES = [
    ("cartpole", {"speed": "16"}, 1, "cart_board", "cartpole", "cart_run", cartpole_score),
    ("grid_world", {"speed": "100", "eps": "0.3"}, 2, "grid_board", "grid_world", "grid_run", grid_score),
    ("gan", {"speed": "50"}, 1, "gan_board", "gan", "gan_run", lambda run: run.quality[-1][1]),
]


@pytest.mark.parametrize("page, query, steps, key, challenge, run_key, score", CASES,
                         ids=[c[0] for c in CASES])
def test_a_scored_run_reaches_the_board(open_page, db, page, query, steps, key, challenge, run_key,
                                        score):
    code, _ = db.create_class("c", challenge=challenge)
    at = open_page(f"pages/{page}.py", query=query)
    with pytest.raises(KeyError):
        at.button(key=f"{key}_submit")                     # nothing to submit before training
    for _ in range(steps):
        next(b for b in at.button if b.label == "Step").click()
        at.run()
    submit(at, key, code, "Ana")
    sub = db.submissions(code)[0]
    run = at.session_state[run_key]
    assert sub["page"] == page and sub["score"] == pytest.approx(score(run))
    assert sub["test_loss"] is None and sub["link"].startswith(f"/{page}?")
    at.switch_page("pages/board.py")                       # the student's class, its score column
    at.run()
    table = at.dataframe[0].value
    assert list(table["Name"]) == ["Ana"] and table[SCORED[challenge][1]][0] == pytest.approx(sub["score"])
    assert "Test loss" not in table.columns and table[SCORED[challenge][3]][0] == sub["epochs"]


def test_tiny_transformer_submits_its_test_loss_and_accuracy(open_page, db):
    code, _ = db.create_class("c", challenge="loss")
    at = open_page("pages/tiny_transformer.py", query={"task": "copy"})
    next(b for b in at.button if b.label == "Step").click()
    at.run()
    submit(at, "tiny_board", code, "Bo")
    sub, run = db.submissions(code)[0], at.session_state["tiny_run"]
    assert sub["test_loss"] == pytest.approx(run.test_loss) and sub["test_acc"] == pytest.approx(run.token_acc)
    assert sub["epochs"] == run.steps and sub["link"] == "/tiny_transformer?task=copy"
    assert db.leaderboard(code)[0]["nickname"] == "Bo"

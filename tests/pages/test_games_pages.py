"""AppTest: the three Learning-to-play pages (grid world, cart-pole, tic-tac-toe)."""
import numpy as np
import pytest

from playground.games import tictactoe as T
from tests.unit.test_games import one_thread  # noqa: F401  (the fixture: torch on one thread)

GRID, CART, TTT = "pages/grid_world.py", "pages/cartpole.py", "pages/tictactoe.py"


def _measured(at, key: str) -> bool:
    """The cost panel, measured on request (never on Pause): press its button unless this
    server measured the model already."""
    if any(b.key == key for b in at.button):
        at.button(key=key).click().run()
    return {"Parameters", "MACs per input"} <= {m.label for m in at.metric}


def test_grid_world_trains_and_compares_settings(open_page):
    at = open_page(GRID)
    assert at.session_state["grid_run"].episodes == 0
    at.button(key="grid_step").click().run()
    run = at.session_state["grid_run"]
    assert run.episodes == 5 and not at.exception
    assert any(f"Episode **5**" in m.value for m in at.markdown)
    assert any("choose" in m.value and "path" in m.value for m in at.markdown)   # γ / step reward
    at.radio(key="grid_method").set_value("network").run()
    at.button(key="grid_step").click().run()
    assert at.session_state["grid_run"].learner.kind == "network" and not at.exception
    assert _measured(at, "grid_cost")


@pytest.mark.parametrize("maze, words", [("S#\n#G", "No path"), ("##\n##", "all walls"),
                                         ("S.x\n..G", "Unknown cell")])
def test_grid_world_bad_mazes_are_explained(open_page, maze, words):
    at = open_page(GRID)
    at.selectbox(key="grid_preset").set_value("custom").run()
    at.text_area(key="grid_maze").input(maze).run()
    assert not at.exception and any(words in e.value for e in at.error)


def test_grid_world_link_settings_gamma_one_and_an_absurd_rate(open_page):
    at = open_page(GRID, query={"gamma": "1", "step_reward": "0", "lr": "1e9", "method": "network",
                                "seed": "banana"})
    assert any("seed" in w.value for w in at.warning)                    # ignored, explained
    assert any("γ = 1" in i.value for i in at.info)
    run = at.session_state["grid_run"]
    assert run.gamma == 0.99 and run.s.lr == 10.0                        # clamped to the options
    for _ in range(4):
        at.button(key="grid_step").click().run()
    assert not at.exception


def test_cartpole_trains_and_a_student_plays(open_page):
    at = open_page(CART, query={"speed": "1"})
    at.button(key="cart_step").click().run()
    assert at.session_state["cart_run"].episodes == 8 and not at.exception
    assert any("average return of the last 8" in m.value for m in at.markdown)
    at.button(key="cart_you_start").click().run()
    game = at.session_state["cart_you"]
    at.button(key="cart_you_left").click().run()
    assert at.session_state["cart_you_dir"] == 0 and game.steps >= 1 and not at.exception
    assert at.session_state["cart_you_live"]
    assert _measured(at, "cart_cost")


def test_tictactoe_play_a_move_and_bad_clicks(open_page):
    at = open_page(TTT)
    at.button(key="ttt_step").click().run()
    assert at.session_state["ttt_run"].games == 10 * 16 and not at.exception
    at.button(key="ttt_cell_4").click().run()                 # you: X in the centre
    board = at.session_state["ttt_board"]
    assert board[4] == 1 and (board == -1).sum() == 1        # the agent answered
    at.button(key="ttt_cell_4").click().run()                 # a taken cell
    assert any("taken" in w.value for w in at.warning) and not at.exception
    at.session_state["ttt_board"] = np.array([1, 1, 1, -1, -1, 0, 0, 0, 0], np.int8)
    at.run()
    at.button(key="ttt_cell_8").click().run()                 # after the game ended
    assert any("game is over" in w.value for w in at.warning)
    assert any("You won" in s.value for s in at.success)
    at.button(key="ttt_new").click().run()
    assert not at.session_state["ttt_board"].any() and not at.exception


def test_tictactoe_agent_starts_when_asked(open_page):
    at = open_page(TTT, query={"first": "agent"})
    b = at.session_state["ttt_board"]
    assert (b == 1).sum() == 1 and T.to_move(b) == -1
    assert any("You play **O**" in m.value for m in at.markdown)
    at.radio(key="ttt_first").set_value("you").run()          # switching sides starts a new game
    assert not at.session_state["ttt_board"].any()
    assert any("You play **X**" in m.value for m in at.markdown) and not at.exception


def test_grid_world_painted_maze_is_used(open_page):
    """The click itself is tested in the browser (tests/e2e/test_games_browser.py)."""
    from playground.games import gridworld as G
    assert G.paint("S.\n.G", 1, "#") == "S#\n.G"
    assert G.paint("S.\n.G", 2, "S") == "..\nSG"               # one start only
    assert G.paint("S.x", 0, "#") == "S.x" and G.loose("S.x") is None
    at = open_page(GRID)
    assert at.radio(key="grid_paint").value == "#"
    at.session_state["grid_maze"] = G.paint(G.PRESETS["maze4"][1], 1, "#")
    at.session_state["grid_preset"] = "custom"
    at.run()
    assert at.session_state["grid_run"].maze.rows[0] == "S#.." and not at.exception

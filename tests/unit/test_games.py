"""Learning to play: grid world, cart-pole physics and learning, tic-tac-toe self-play."""
import math

import numpy as np
import pytest
import torch

from playground.games import cartpole as C, gridworld as G, tictactoe as T
from playground.games.budget import run_for
from playground.games.reinforce import Reinforce, describe_policy
from playground.games.selfplay import SelfPlay

MAZE4 = G.PRESETS["maze4"][1]


@pytest.fixture(autouse=True)
def one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


# ---- grid world ---------------------------------------------------------------------------
def test_q_learning_finds_the_optimal_policy_on_the_4x4_maze():
    run = G.GridRun(G.GridSettings(maze=MAZE4, slip=0.0, gamma=0.9, step_reward=-0.04, seed=3))
    before = run.policy_matches_optimal()
    assert not before.all()                          # untrained: some cells are wrong
    run.step(1500)
    assert run.policy_matches_optimal().all()
    path, end = G.greedy_path(run.maze, run.q_table())
    assert end == "goal" and len(path) - 1 == 6      # the shortest way round the walls
    assert np.allclose(run.q_table().max(1)[run.maze.start], run.optimal_q().max(1)[run.maze.start],
                       atol=1e-3)


def test_value_iteration_knows_the_exact_values():
    dyn = G.Dynamics.of(G.parse("SG\n##"), 0.0, -0.1)
    Q = G.value_iteration(dyn, 0.9)
    assert Q[0, 1] == pytest.approx(0.9)             # step right: −0.1 + 1
    assert Q[0, 3] == pytest.approx(-0.1 + 0.9 * 0.9)  # bump into the border, then go


def test_step_reward_and_discount_change_the_chosen_path():
    maze = G.parse(G.PRESETS["cliff"][1])
    paths = {}
    for name, step in (("patient", -0.01), ("hurried", -0.2)):
        Q = G.value_iteration(G.Dynamics.of(maze, 0.1, step), 0.9)
        paths[name] = G.greedy_path(maze, Q)
    assert paths["patient"][1] == paths["hurried"][1] == "goal"
    assert len(paths["patient"][0]) > len(paths["hurried"][0])   # the safe detour is longer
    text = G.describe_paths(paths)
    assert "different paths" in text and f"{len(paths['hurried'][0]) - 1} steps" in text
    short_sighted = G.greedy_path(maze, G.value_iteration(G.Dynamics.of(maze, 0.1, -0.01), 0.6))
    assert short_sighted[1] == "loop"                            # γ = 0.6: the goal is too far
    assert "never arrives" in G.describe_paths({"a": short_sighted})
    same = G.describe_paths({"a": paths["patient"], "b": paths["patient"]})
    assert "the same path" in same


def test_neural_q_network_learns_the_small_maze():
    run = G.GridRun(G.GridSettings(maze=MAZE4, method="network", slip=0.0, gamma=0.9, lr=0.01, seed=0))
    run.step(150)
    assert G.greedy_path(run.maze, run.q_table())[1] == "goal"
    assert run.status == "training"


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("S#\n#G", "No path"), ("####\n####", "all walls"), ("S.G\n..", "same number"),
    ("S.x\n..G", "Unknown cell 'X'"), ("..\n.G", "one start"), ("S.\n..", "goal"),
    ("STG\n###", "No path"), ("S" + "." * 20 + "G", "2 to 10"),
])
def test_bad_mazes_are_explained(text, words):
    with pytest.raises(G.MazeError, match=words):
        G.parse(text)


def test_gamma_one_without_a_cost_per_step_is_refused_and_absurd_rates_diverge_cleanly():
    g, note = G.check_discount(1.0, 0.0)
    assert g < 1 and "γ = 1" in note
    assert G.check_discount(1.0, -0.1) == (1.0, "")
    run = G.GridRun(G.GridSettings(maze=MAZE4, method="network", lr=1e6, seed=0))
    run.step(200)
    assert run.status == "diverged" and "learning rate" in run.message
    assert run.step(5) == 0


def test_time_budget_stops_early():
    calls = []
    assert run_for(lambda: calls.append(1), 10**9, max_seconds=0.01) == len(calls) < 10**9
    assert run_for(lambda: False, 5) == 1


# ---- cart-pole ----------------------------------------------------------------------------
def reference_accelerations(state, force):
    """The cart-pole's equations of motion (Barto, Sutton & Anderson 1983, no friction) in their
    Lagrangian form, solved as a 2×2 linear system:
        (M + m) ẍ + m l cosθ θ̈ = F + m l θ̇² sinθ
        cosθ ẍ + (4/3) l θ̈ = g sinθ
    """
    x, x_dot, th, om = state
    m, M, l, g = 0.1, 1.0, 0.5, 9.8
    A = np.array([[M + m, m * l * math.cos(th)], [math.cos(th), 4 / 3 * l]])
    b = np.array([force + m * l * om ** 2 * math.sin(th), g * math.sin(th)])
    return np.linalg.solve(A, b)


def test_cartpole_dynamics_match_the_reference_equations():
    rng = np.random.default_rng(0)
    for _ in range(200):
        s = rng.uniform([-2.4, -3, -0.5, -3], [2.4, 3, 0.5, 3])
        a = int(rng.integers(2))
        xa, ta = C.accelerations(s, a)
        ref = reference_accelerations(s, 10.0 if a else -10.0)
        assert np.allclose([xa, ta], ref, rtol=1e-12, atol=1e-12)
        nxt = C.step(s, a)   # explicit Euler, 0.02 s, positions from the old velocities
        assert np.allclose(nxt, [s[0] + 0.02 * s[1], s[1] + 0.02 * ref[0], s[2] + 0.02 * s[3],
                                 s[3] + 0.02 * ref[1]])


def test_cartpole_termination_and_a_falling_pole():
    assert C.fallen([0, 0, math.radians(12.1), 0]) and not C.fallen([0, 0, math.radians(11.9), 0])
    assert C.fallen([2.41, 0, 0, 0]) and not C.fallen([-2.39, 0, 0, 0])
    game = C.Game(seed=0)
    while game.push(1):   # always pushing right: the pole falls over to the left
        pass
    assert 5 < game.steps < 60 and game.state[2] < -C.THETA_LIMIT
    assert "pole leaned" in game.ending and not game.push(0)
    upright = np.zeros(4)   # no lean, no speed: symmetric pushes, symmetric results
    l, r = C.step(upright, 0), C.step(upright, 1)
    assert np.allclose(l, -r) and r[1] > 0 and r[3] < 0


def test_reinforce_learns_to_balance():
    agent = Reinforce(seed=2)
    first = agent.average()
    assert "not yet found" in describe_policy(*agent.policy_grid(11)[::2])
    agent.step(25)
    assert agent.episodes == 200 and agent.average(50) > max(60.0, 3 * np.mean(agent.returns[:16]))
    assert first == 0.0
    th, om, p = agent.policy_grid(11)
    assert p.shape == (11, 11) and p[0, 0] < 0.5 < p[-1, -1]   # falling left → push left
    text = describe_policy(th, p)
    assert "it has found that" in text and f"**{p[:, th > 0].mean():.0%}**" in text


def test_reinforce_absurd_learning_rate_is_caught():
    agent = Reinforce(lr=1e12, seed=0)
    agent.step(30)
    assert agent.status == "diverged" and "learning rate" in agent.message
    assert agent.step(1) == 0
    sane = Reinforce(lr=10.0, seed=0)         # the largest rate the page offers: Adam stays bounded
    sane.step(3)
    assert sane.status == "training"
    ttt = SelfPlay(lr=1e12, seed=0)
    ttt.step(10)
    assert ttt.status == "diverged" and "learning rate" in ttt.message


# ---- tic-tac-toe --------------------------------------------------------------------------
def test_rules_and_minimax():
    assert T.value(np.zeros(9)) == 0                       # perfect play draws
    b = np.array([1, 1, 0, -1, -1, 0, 0, 0, 0])
    assert T.best_moves(b) == [2] and T.value(b) == 1      # X wins at once
    with pytest.raises(T.MoveError, match="taken"):
        T.play(b, 0)
    won = T.play(b, 2)
    with pytest.raises(T.MoveError, match="over"):
        T.play(won, 5)
    with pytest.raises(T.MoveError, match="9 cells"):
        T.play(b, 9)
    assert T.match(T.perfect_move, T.perfect_move, 10, 0)["draw"] == 1.0


def test_self_play_agent_never_loses_to_random_and_draws_against_minimax():
    agent = SelfPlay(seed=0)
    agent.step(400)                                # 6 400 self-play games
    vs_random = T.match_batch(agent.choose, T.random_move, 1000, seed=2024)
    assert vs_random["loss"] == 0 and vs_random["win"] > 0.85
    vs_perfect = T.match_batch(agent.choose, T.perfect_move, 40, seed=7)
    assert vs_perfect["draw"] == 1.0
    one_by_one = T.match(agent.agent, T.random_move, 200, seed=5)   # the same agent, game by game
    assert one_by_one["loss"] == 0
    values = agent.move_values([1, 1, 0, -1, -1, 0, 0, 0, 0])
    assert np.isnan(values[0]).all() and values[2, 0] == 1.0   # the winning move is certain


def test_untrained_agent_loses_sometimes():
    untrained = SelfPlay(seed=0)
    vs_random = T.match_batch(untrained.choose, T.random_move, 200, seed=2024)
    assert vs_random["loss"] > 0
    assert vs_random == T.match_batch(untrained.choose, T.random_move, 200, seed=2024)   # seeded
    perfect = T.match_batch(lambda bs: [T.best_moves(b)[0] for b in bs], T.random_move, 100, 1)
    assert perfect["loss"] == 0 and perfect["win"] > 0.8 and perfect["games"] == 100


def test_the_costs_page_lists_and_measures_the_game_networks():
    from playground import catalog as K

    keys = {e.key for e in K.entries()}
    assert {"games:grid_qnet", "games:cart_policy", "games:ttt_value"} <= keys
    ttt = K.measure_entry("games:ttt_value", repeats=2)
    assert ttt.macs == 18 * 128 + 128 * 128 + 128 * 3 and ttt.params == 19 * 128 + 129 * 128 + 129 * 3
    grid = K.measure_entry("games:grid_qnet", repeats=2)
    assert grid.macs == 8 * 32 + 32 * 4 and grid.input_desc == "one cell (8 one-hot inputs)"
    cart = K.measure_entry("games:cart_policy", repeats=2)
    assert cart.macs == 4 * 32 + 32 and cart.params == 5 * 32 + 33


def test_settings_round_trip_through_the_url():
    from playground.games import settings as S

    values = {**S.GRID_DEFAULTS, "preset": "custom", "maze": "S.#\n..G", "gamma": 0.9, "lr": 0.01}
    q = S.to_query(values, S.GRID_DEFAULTS)
    assert q == {"preset": "custom", "maze": "S.#/..G", "gamma": "0.9", "lr": "0.01"}
    back, warnings = S.from_query(q, S.GRID_PARSERS)
    assert not warnings and {**S.GRID_DEFAULTS, **back} == values
    assert S.to_query(S.GRID_DEFAULTS, S.GRID_DEFAULTS) == {}
    odd, warnings = S.from_query({"lr": "1e99", "eps": "nan", "first": "robot", "speed": "7"}, S.TTT_PARSERS)
    assert odd == {"lr": 10.0, "speed": 5} and len(warnings) == 2      # clamped / ignored with a reason
    assert S.from_query({"maze": "/".join(["S" * 11] * 2)}, S.GRID_PARSERS)[1]  # too wide: ignored


def test_a_long_episode_is_paused_by_the_time_budget_and_resumed():
    maze = "S" + "." * 9 + "\n" + "." * 9 + "G"
    run = G.GridRun(G.GridSettings(maze=maze, method="network", eps=1.0, seed=0))
    run.step(1, max_seconds=0.0)             # out of time after the first move
    assert run.episodes == 0 and run.steps == 1
    while run.episodes == 0:
        run.step(1, max_seconds=0.001)
    assert len(run.returns) == 1 and run.steps == len(run.last_path) - 1   # one whole episode

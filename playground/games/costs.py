"""What the Learning-to-play networks cost, measured with the app's one cost module; also their
entries for the costs page's catalog (``playground.catalog``)."""
from __future__ import annotations

import copy

import torch

from .. import cost

# catalog key: (label, page, note)
NETWORKS = {
    "games:grid_qnet": ("Grid-world Q-network (4×4 maze)", "Grid world: values and policies",
                        "Row and column one-hot → 32 ReLU → 4 Q-values; one update per move."),
    "games:cart_policy": ("CartPole policy network", "Balance a pole",
                          "4 state numbers → 32 tanh → P(push right); REINFORCE trains it live."),
    "games:ttt_value": ("Tic-tac-toe value network", "Play against it: tic-tac-toe",
                        "A board (18 inputs) → 128 → 128 → P(win, draw, loss); self-play trains it."),
}


def probe(net: torch.nn.Module, n_in: int, desc: str):
    """(module, fn, description): one input through a copy of ``net`` (costs do not depend on
    the weights' values)."""
    net = copy.deepcopy(net).eval()
    x = torch.zeros(1, n_in)

    def once():
        with torch.inference_mode():
            return net(x)
    return net, once, desc


def q_network_probe(learner):
    n_in = learner.x.shape[1]
    return probe(learner.net, n_in, f"one cell ({n_in} one-hot inputs)")


def policy_probe(agent):
    return probe(agent.policy, 4, "one state (4 numbers)")


def value_probe(agent):
    return probe(agent.net, 18, "one board (18 inputs)")


def build(key: str):
    """(module, fn, description) of a catalog entry, freshly initialised with default settings."""
    if key == "games:grid_qnet":
        from .gridworld import PRESETS, parse
        from .qnet import NetLearner
        return q_network_probe(NetLearner(parse(PRESETS["maze4"][1]), 1e-3, 0.9, 0))
    if key == "games:cart_policy":
        from .reinforce import Reinforce
        return policy_probe(Reinforce())
    if key == "games:ttt_value":
        from .selfplay import SelfPlay
        return value_probe(SelfPlay())
    raise KeyError(key)


def _measure(name: str, built) -> "cost.Cost":
    return cost.measure(name, *built)


def q_network_cost(learner) -> "cost.Cost":
    return _measure(NETWORKS["games:grid_qnet"][0].split(" (")[0], q_network_probe(learner))


def policy_cost(agent) -> "cost.Cost":
    return _measure(NETWORKS["games:cart_policy"][0], policy_probe(agent))


def value_cost(agent) -> "cost.Cost":
    return _measure(NETWORKS["games:ttt_value"][0], value_probe(agent))

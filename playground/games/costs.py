"""What the pages' small networks cost, measured with the app's one cost module."""
from __future__ import annotations

import copy

import torch

from .. import cost


def _measure(name: str, net: torch.nn.Module, n_in: int, desc: str) -> "cost.Cost":
    net = copy.deepcopy(net).eval()       # costs do not depend on the weights' values
    x = torch.zeros(1, n_in)

    def once():
        with torch.inference_mode():
            return net(x)
    return cost.measure(name, net, once, desc)


def q_network_cost(learner) -> "cost.Cost":
    n_in = learner.x.shape[1]
    return _measure("Grid-world Q-network", learner.net, n_in, f"one cell ({n_in} one-hot inputs)")


def policy_cost(agent) -> "cost.Cost":
    return _measure("Cart-pole policy network", agent.policy, 4, "one state (4 numbers)")


def value_cost(agent) -> "cost.Cost":
    return _measure("Tic-tac-toe value network", agent.net, 18, "one board (18 inputs)")

"""Two independent ways to get a network's gradient, to check the engine's backpropagation.

* :func:`torch_gradient` writes the same network and loss with PyTorch and lets
  ``torch.autograd`` differentiate it (float64).
* :func:`finite_difference_gradient` nudges every parameter by ±h and measures how the loss
  changes: (L(θ + h e_k) − L(θ − h e_k)) / 2h. No calculus at all, only forward passes.

Both are computed live from the network you pass; nothing is stored or hard-coded.
"""
from __future__ import annotations

import numpy as np
import torch

TORCH_ACT = {
    "relu": torch.relu, "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "elu": torch.nn.functional.elu,
    "gelu": lambda z: torch.nn.functional.gelu(z, approximate="tanh"),
    "silu": torch.nn.functional.silu, "softplus": torch.nn.functional.softplus,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda z: z,
}


def torch_gradient(net, X, T, reg: str = "none", rate: float = 0.0) -> tuple[float, np.ndarray]:
    """(loss, gradient as a theta-shaped vector) from torch.autograd for ``net`` on rows X."""
    theta = torch.tensor(np.asarray(net.theta, dtype=np.float64), requires_grad=True)
    a, p = torch.tensor(np.asarray(X, dtype=np.float64)), 0
    for l in range(1, net.n_layers + 1):
        n_in, n_out = net.sizes[l - 1], net.sizes[l]
        W = theta[p:p + n_in * n_out].reshape(n_in, n_out)
        b = theta[p + n_in * n_out:p + n_in * n_out + n_out]
        p += n_in * n_out + n_out
        z = a @ W + b
        last = l == net.n_layers and net.loss == "cross_entropy"
        a = z if last else TORCH_ACT[net.activations[l - 1]](z)
    t = torch.tensor(np.asarray(T, dtype=np.float64))
    if net.loss == "cross_entropy":
        data = -(t * torch.log_softmax(a, dim=1)).sum(1).mean()
    else:
        data = (0.5 * (a - t) ** 2).sum(1).mean()
    w = theta[torch.tensor(net._mask)]
    pen = {"none": 0.0, "l1": w.abs().sum(), "l2": 0.5 * (w ** 2).sum()}[reg]
    loss = data + rate * pen
    loss.backward()
    return float(loss.item()), theta.grad.numpy().copy()


def finite_difference_gradient(net, X, T, h: float = 1e-5) -> np.ndarray:
    """Central differences of the mean data loss, one parameter at a time."""
    probe = net.copy()
    grad = np.zeros_like(net.theta)
    for k in range(net.theta.size):
        old = probe.theta[k]
        probe.theta[k] = old + h
        up = probe.data_loss(X, T)
        probe.theta[k] = old - h
        down = probe.data_loss(X, T)
        probe.theta[k] = old
        grad[k] = (up - down) / (2 * h)
    return grad

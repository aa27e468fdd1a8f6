"""The training kernel: one example at a time, the way TF Playground's nn.ts does it.

All parameters of a network live in one flat vector ``theta``; layer ``l`` (1..L) stores its
weight matrix W[l] (shape sizes[l-1] x sizes[l], row-major, W[i, j] links input i to neuron j)
followed by its bias vector b[l]. :class:`playground.mlp.network.Network` hands out NumPy views of
those pieces, so editing a weight by hand edits ``theta``.

The loops below are plain Python, compiled to machine code by numba so that a small net trains
thousands of epochs per second. Read them as the lesson:

    forward   z_j = b_j + sum_i a_i W_ij,      a_j = f(z_j)
    output    delta = dL/dz  (squared error: (a - t) f'(z);  softmax + cross-entropy: p - t)
    backward  dL/dW_ij = a_i delta_j,  dL/db_j = delta_j,  delta_i = f'(z_i) sum_j W_ij delta_j
    update    theta <- optimizer(theta, mean gradient over the batch + regularization)
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import activations as A

LOSS_SQUARED, LOSS_CROSS_ENTROPY = 0, 1
REG_NONE, REG_L1, REG_L2 = 0, 1, 2
OPT_SGD, OPT_MOMENTUM, OPT_RMSPROP, OPT_ADAM = 0, 1, 2, 3
# hyper-parameter vector for the optimizers: momentum, beta1, beta2, eps, rmsprop alpha
DEFAULT_HYPER = np.array([0.9, 0.9, 0.999, 1e-8, 0.99])

_JIT = dict(cache=True, nogil=True)  # nogil: sessions can train on both cores at once
_j = njit(**_JIT)
_f = [_j(a.f) for a in A.BY_CODE]
_df = [_j(a.df) for a in A.BY_CODE]
(_relu, _leaky, _elu, _gelu, _silu, _softplus, _tanh, _sigmoid, _linear) = _f
(_drelu, _dleaky, _delu, _dgelu, _dsilu, _dsoftplus, _dtanh, _dsigmoid, _dlinear) = _df
assert [a.key for a in A.BY_CODE] == [
    "relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "tanh", "sigmoid", "linear"]


@njit(**_JIT)
def act(code, x):
    """f(x) for the activation with this code (the order of activations.ACTIVATIONS)."""
    if code == 0:
        return _relu(x)
    if code == 1:
        return _leaky(x)
    if code == 2:
        return _elu(x)
    if code == 3:
        return _gelu(x)
    if code == 4:
        return _silu(x)
    if code == 5:
        return _softplus(x)
    if code == 6:
        return _tanh(x)
    if code == 7:
        return _sigmoid(x)
    return _linear(x)


@njit(**_JIT)
def dact(code, x, y):
    """f'(x) for the activation with this code, given y = f(x)."""
    if code == 0:
        return _drelu(x, y)
    if code == 1:
        return _dleaky(x, y)
    if code == 2:
        return _delu(x, y)
    if code == 3:
        return _dgelu(x, y)
    if code == 4:
        return _dsilu(x, y)
    if code == 5:
        return _dsoftplus(x, y)
    if code == 6:
        return _dtanh(x, y)
    if code == 7:
        return _dsigmoid(x, y)
    return _dlinear(x, y)


@njit(**_JIT)
def forward_one(theta, sizes, acts, loss_code, x, z, a):
    """Forward pass of one example; fills z (pre-activations) and a (outputs) for every node.

    Node n of layer l sits at index sum(sizes[:l]) + n in z and a; layer 0 is the input.
    """
    n_layers = sizes.shape[0] - 1
    for i in range(sizes[0]):
        a[i] = x[i]
    p = 0  # position in theta
    a_in = 0  # first node of the previous layer
    for l in range(1, n_layers + 1):
        n_in, n_out = sizes[l - 1], sizes[l]
        a_out = a_in + n_in
        b = p + n_in * n_out
        for j in range(n_out):
            s = theta[b + j]
            for i in range(n_in):
                s += a[a_in + i] * theta[p + i * n_out + j]
            z[a_out + j] = s
            a[a_out + j] = act(acts[l - 1], s)
        p = b + n_out
        a_in = a_out
    if loss_code == LOSS_CROSS_ENTROPY:  # softmax over the output layer
        n_out = sizes[n_layers]
        m = z[a_in]
        for j in range(1, n_out):
            m = max(m, z[a_in + j])
        total = 0.0
        for j in range(n_out):
            a[a_in + j] = math.exp(z[a_in + j] - m)
            total += a[a_in + j]
        for j in range(n_out):
            a[a_in + j] /= total
    return a_in


@njit(**_JIT)
def backward_one(theta, sizes, acts, loss_code, t, z, a, delta, grad):
    """Adds dLoss/dtheta of one example (after forward_one) to grad; returns its loss."""
    n_layers = sizes.shape[0] - 1
    a_out = 0
    for l in range(n_layers):
        a_out += sizes[l]
    n_out = sizes[n_layers]
    loss = 0.0
    for j in range(n_out):
        o = a[a_out + j]
        if loss_code == LOSS_CROSS_ENTROPY:
            if t[j] > 0:
                loss -= t[j] * math.log(max(o, 1e-300))
            delta[a_out + j] = o - t[j]
        else:
            loss += 0.5 * (o - t[j]) ** 2
            delta[a_out + j] = (o - t[j]) * dact(acts[n_layers - 1], z[a_out + j], o)
    p_end = theta.shape[0]
    for l in range(n_layers, 0, -1):
        n_in, n_o = sizes[l - 1], sizes[l]
        b = p_end - n_o
        p = b - n_in * n_o
        a_in = a_out - n_in
        for j in range(n_o):
            grad[b + j] += delta[a_out + j]
        for i in range(n_in):
            back = 0.0
            ai = a[a_in + i]
            for j in range(n_o):
                d = delta[a_out + j]
                grad[p + i * n_o + j] += ai * d
                back += theta[p + i * n_o + j] * d
            if l > 1:
                delta[a_in + i] = back * dact(acts[l - 2], z[a_in + i], ai)
        p_end = p
        a_out = a_in
    return loss


@njit(**_JIT)
def batch_gradient(theta, sizes, acts, loss_code, X, T, start, stop, reg_code, reg_rate,
                   reg_mask, grad, z, a, delta):
    """grad <- mean gradient of rows start:stop plus the regularization gradient.

    Returns the mean data loss of those rows plus the regularization penalty."""
    grad[:] = 0.0
    loss = 0.0
    for r in range(start, stop):
        forward_one(theta, sizes, acts, loss_code, X[r], z, a)
        loss += backward_one(theta, sizes, acts, loss_code, T[r], z, a, delta, grad)
    n = stop - start
    loss /= n
    penalty = 0.0
    for k in range(theta.shape[0]):
        grad[k] /= n
        if reg_code != REG_NONE and reg_mask[k]:
            w = theta[k]
            if reg_code == REG_L1:
                penalty += abs(w)
                grad[k] += reg_rate * ((w > 0) * 1.0 - (w < 0) * 1.0)
            else:
                penalty += 0.5 * w * w
                grad[k] += reg_rate * w
    return loss + reg_rate * penalty


@njit(**_JIT)
def optimizer_step(theta, grad, opt_code, lr, hyper, m, v, step):
    """One update of theta with the same rules as torch.optim (step counts from 1)."""
    momentum, beta1, beta2, eps, alpha = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4]
    for k in range(theta.shape[0]):
        g = grad[k]
        if opt_code == OPT_SGD:
            theta[k] -= lr * g
        elif opt_code == OPT_MOMENTUM:
            m[k] = momentum * m[k] + g if step > 1 else g
            theta[k] -= lr * m[k]
        elif opt_code == OPT_RMSPROP:
            v[k] = alpha * v[k] + (1 - alpha) * g * g
            theta[k] -= lr * g / (math.sqrt(v[k]) + eps)
        else:
            m[k] = beta1 * m[k] + (1 - beta1) * g
            v[k] = beta2 * v[k] + (1 - beta2) * g * g
            m_hat = m[k] / (1 - beta1 ** step)
            v_hat = v[k] / (1 - beta2 ** step)
            theta[k] -= lr * m_hat / (math.sqrt(v_hat) + eps)


@njit(**_JIT)
def train_epoch(theta, sizes, acts, loss_code, X, T, batch_size, reg_code, reg_rate, reg_mask,
                opt_code, lr, hyper, m, v, step, grad, z, a, delta):
    """One pass over X in order, one optimizer step per mini-batch.

    Returns (mean batch loss, optimizer step count)."""
    n = X.shape[0]
    total = 0.0
    batches = 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        total += batch_gradient(theta, sizes, acts, loss_code, X, T, start, stop, reg_code,
                                reg_rate, reg_mask, grad, z, a, delta)
        step += 1
        optimizer_step(theta, grad, opt_code, lr, hyper, m, v, step)
        batches += 1
    return total / max(batches, 1), step

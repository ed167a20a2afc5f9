"""The forward pass and the costs on validated 2-D batches: the kernels MLP and its checks share.

Inputs are already validated here (:mod:`bpcore.network._inputs`); examples are rows.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bpcore.activations import Activation

COSTS = ("squared_error", "cross_entropy")
"""Costs understood by :meth:`MLP.cost` and :meth:`MLP.backward`."""


def _forward(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    act: Activation,
    out_act: Activation,
    X: np.ndarray,
    keep_z: bool = True,
) -> tuple[list[np.ndarray | None], list[np.ndarray]]:
    """Forward pass on a validated batch.

    With ``keep_z=False`` the hidden z^(l) whose f' can be computed from a^(l) are dropped
    (entry ``None``) as soon as a^(l) exists, so their memory is reused by the next layer;
    z^(n_l) is always kept (the cross-entropy cost needs it).
    """
    drop_hidden = not keep_z and act.deriv_from_output is not None
    zs: list[np.ndarray | None] = []
    acts: list[np.ndarray] = [X]
    last = len(weights) - 1
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        zk = acts[-1] @ W.T
        zk += b
        acts.append((out_act if k == last else act).func(zk))
        zs.append(None if drop_hidden and k < last else zk)
    return zs, acts


def _fprime(f: Activation, zk: np.ndarray | None, ak: np.ndarray) -> np.ndarray:
    if f.deriv_from_output is not None:
        return f.deriv_from_output(ak)
    return f.deriv(zk)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _cost_value(cost: str, z_out: np.ndarray, a_out: np.ndarray, Y: np.ndarray) -> float:
    m = Y.shape[0]
    if cost == "squared_error":
        r = a_out - Y
        return float(0.5 * np.vdot(r, r) / m)
    # cross entropy with a sigmoid output, from z for stability:
    # −log σ(z) = softplus(−z), −log(1 − σ(z)) = softplus(z).
    return float(np.sum(Y * _softplus(-z_out) + (1.0 - Y) * _softplus(z_out)) / m)


def _output_delta(
    out_act: Activation, cost: str, z_out: np.ndarray, a_out: np.ndarray, Y: np.ndarray
) -> np.ndarray:
    """δ^(n_l): (a − y) ⊙ f'(z^(n_l)) for squared error, a − y for cross entropy."""
    delta = a_out - Y
    if cost == "squared_error":
        delta *= _fprime(out_act, z_out, a_out)
    return delta


def _weight_gradients(
    deltas: list[np.ndarray], acts: list[np.ndarray]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """∂J/∂W^(l) = (1/m) Σ_i δ^(l+1) a^(l)ᵀ and ∂J/∂b^(l) = (1/m) Σ_i δ^(l+1), l = 1, …, n_l − 1.

    ``deltas = [δ^(2), …, δ^(n_l)]`` and ``acts = [a^(1), …, a^(n_l−1)]``, batches of m rows.
    """
    grad_W = []
    grad_b = []
    inv_m = 1.0 / deltas[0].shape[0]
    for delta, a in zip(deltas, acts, strict=True):  # δ^(l+1) with a^(l)
        # Scale the (m, s_{l+1}) factor, not the (s_{l+1}, s_l) product: fewer flops.
        scaled = delta * inv_m
        grad_W.append(scaled.T @ a)
        grad_b.append(scaled.sum(axis=0))
    return grad_W, grad_b

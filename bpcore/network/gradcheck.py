"""Checking gradients: the relative error of two arrays and a central-difference gradient.

Chapter 2 checks backprop against finite differences, the product form and PyTorch with
:func:`relative_error`; :func:`numerical_gradient` is the finite-difference reference.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

import numpy as np

from bpcore._validate import check_real
from bpcore.network._inputs import _check_cost, _check_X, _check_Y
from bpcore.network._kernels import _cost_value, _forward
from bpcore.network.mlp import MLP

__all__ = ["numerical_gradient", "relative_error"]


def relative_error(a: object, b: object) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖) over all entries (Frobenius norm); 0 when both vanish.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients), whose
    checks compare backprop with finite differences, the product form and PyTorch with it.
    Symmetric in a and b, and at most 2.

    Parameters
    ----------
    a, b : arrays of the same shape (real or complex, finite)

    Examples
    --------
    >>> from bpcore.network import relative_error
    >>> round(relative_error([3.0, 4.0], [3.0, 4.0001]), 8)
    2e-05
    >>> relative_error([0.0], [0.0])
    0.0
    """
    arrays = []
    for value, name in ((a, "a"), (b, "b")):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
        arrays.append(arr)
    a, b = arrays
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def numerical_gradient(
    mlp: MLP,
    X: object,
    Y: object,
    eps: float = 1e-6,
    cost: str = "squared_error",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central-difference gradient of J with respect to every W^(l) and b^(l).

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    ∂J/∂θ ≈ (J(θ + ε) − J(θ − ε)) / (2ε) for each parameter θ in turn: a reference for
    testing :meth:`MLP.backward`. It loops over the parameters, so it costs 2·(#params) forward
    passes — O(#params) — and is meant for small networks only. Truncation error O(ε²),
    rounding error O(machine-ε · J / ε); ε ≈ 1e-6…1e-5 balances them in float64. Near a kink
    of relu / leaky relu (|z| ≲ ε) the difference quotient is meaningless.

    Parameters
    ----------
    mlp : MLP
    X, Y : arrays as for :meth:`MLP.backward`
    eps : float > 0
    cost : {"squared_error", "cross_entropy"}

    Returns
    -------
    (grad_W, grad_b) : lists of arrays shaped like ``mlp.weights`` and ``mlp.biases``.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.network import MLP, numerical_gradient, relative_error
    >>> net, x, y = MLP.random([2, 3, 1], "tanh", seed=0), np.array([1.0, -1.0]), np.array([0.5])
    >>> grad_W, grad_b = numerical_gradient(net, x, y)
    >>> relative_error(grad_W[0], net.backward(x, y).grad_W_of(1)) < 1e-8
    True
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be an MLP, got {type(mlp).__name__}")
    h = check_real(eps, "eps", low=0.0, low_open=True)
    X2, single = _check_X(mlp.sizes, X)
    Y2 = _check_Y(mlp.sizes, Y, X2.shape[0], single)
    kind = _check_cost(mlp.output_activation, cost, Y2)
    weights = [W.copy() for W in mlp.weights]
    biases = [b.copy() for b in mlp.biases]

    def J() -> float:
        zs, acts = _forward(weights, biases, mlp.activation, mlp.output_activation, X2)
        return _cost_value(kind, zs[-1], acts[-1], Y2)

    def grad_of(P: np.ndarray) -> np.ndarray:
        G = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            old = P[idx]
            P[idx] = old + h
            j_plus = J()
            P[idx] = old - h
            j_minus = J()
            P[idx] = old
            G[idx] = (j_plus - j_minus) / (2.0 * h)
        return G

    return [grad_of(W) for W in weights], [grad_of(b) for b in biases]

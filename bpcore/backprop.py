"""The asker's recurrence, exactly as written, and nothing else.

In Andrew Ng's notation a network has layers l = 1, …, n_l with s_l units; W^(l) has shape
(s_{l+1}, s_l) and maps layer l to layer l+1. Backpropagation computes

    δ^(l)_i = ( Σ_j W^(l)_ji δ^(l+1)_j ) · f'(z^(l)_i),
    i.e.  δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)).

This module is the single place where that step is implemented; every other module (the
network, the linear closed forms, the widgets) calls it. Vectors are stored as rows, so a batch
of m examples is an (m, s) array and W^(l)ᵀ δ becomes ``delta @ W``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bpcore._validate import check_real_array

__all__ = ["delta_recursion", "delta_step"]


def _operand(value: object, name: str, ndim: int | None = None) -> np.ndarray:
    """A float64 operand (validated), or an object array passed through for exact arithmetic."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        if ndim is not None and value.ndim != ndim:
            raise ValueError(f"{name} must be a {ndim}-D array, got {value.ndim}-D")
        return value
    return check_real_array(value, name, ndim=ndim)


def delta_step(
    W: np.ndarray, delta_next: np.ndarray, fprime_z: np.ndarray | None = None
) -> np.ndarray:
    """One step of the recurrence: δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)).

    Introduced in chapter 0 ("The question").

    Parameters
    ----------
    W : (s_{l+1}, s_l) array
        The weight matrix W^(l) that maps layer l to layer l+1.
    delta_next : (s_{l+1},) or (m, s_{l+1}) array
        δ^(l+1), one row per example.
    fprime_z : (s_l,) or (m, s_l) array, optional
        f'(z^(l)); omitted means f is the identity (f' = 1).

    Returns
    -------
    (s_l,) or (m, s_l) array
        δ^(l).

    Notes
    -----
    Exact arithmetic: numpy arrays of dtype ``object`` (entries int, ``Fraction``, sympy numbers
    or ``sympy.Poly``) are passed through unconverted and the same step runs in Python's exact
    arithmetic; chapter 4 (:mod:`bpcore.symbolic`) and chapter 5 use this for exact δ's. Any
    other input is validated as finite float64.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.backprop import delta_step
    >>> W = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]])
    >>> delta_step(W, np.array([1.0, 0.0, 1.0]), np.array([0.5, 1.0]))
    array([2., 1.])
    """
    W = _operand(W, "W", ndim=2)
    delta_next = _operand(delta_next, "delta_next")
    if delta_next.ndim not in (1, 2) or delta_next.shape[-1] != W.shape[0]:
        raise ValueError(
            f"delta_next must have {W.shape[0]} entries per example (W has shape {W.shape}, "
            f"so it maps {W.shape[1]} units to {W.shape[0]}), got shape {delta_next.shape}"
        )
    out = delta_next @ W
    if fprime_z is None:
        return out
    fprime_z = _operand(fprime_z, "fprime_z")
    if fprime_z.shape[-1] != W.shape[1] or fprime_z.ndim > 2:
        raise ValueError(
            f"fprime_z must have {W.shape[1]} entries per example (one per unit of layer l), "
            f"got shape {fprime_z.shape}"
        )
    if fprime_z.shape == out.shape and out.dtype != object:
        out *= fprime_z  # in place: `out` is a fresh array from the product above
        return out
    return out * fprime_z


def delta_recursion(
    weights: Sequence[np.ndarray],
    delta_out: np.ndarray,
    fprimes: Sequence[np.ndarray | None] | None = None,
) -> list[np.ndarray]:
    """Run the recurrence backwards from the output layer.

    Introduced in chapter 0 ("The question").

    Parameters
    ----------
    weights : sequence of arrays [W^(1), …, W^(L)]
        W^(l) has shape (s_{l+1}, s_l).
    delta_out : array
        δ^(L+1), the error at the output layer (one row per example for a batch).
    fprimes : sequence [f'(z^(1)), …, f'(z^(L))], optional
        Entry l may be ``None`` (identity activation). Omitted: a linear network.

    Returns
    -------
    list of arrays
        ``[δ^(1), δ^(2), …, δ^(L+1)]``: entry l−1 is δ^(l); the last entry is ``delta_out``.
        (Backprop never needs δ^(1), the input layer, but it is what the closed forms of the
        later chapters describe, so it is returned too.)

    Examples
    --------
    >>> from fractions import Fraction
    >>> import numpy as np
    >>> from bpcore.backprop import delta_recursion
    >>> W = np.array([[Fraction(1, 2), 1], [0, 2]], dtype=object)
    >>> deltas = delta_recursion([W, W], np.array([Fraction(1), Fraction(0)], dtype=object))
    >>> [[str(x) for x in d] for d in deltas]
    [['1/4', '5/2'], ['1/2', '1'], ['1', '0']]
    """
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
        raise TypeError("weights must be a list of 2-D arrays [W^(1), …, W^(L)]")
    if len(weights) == 0:
        raise ValueError("weights must contain at least one matrix")
    if fprimes is None:
        fprimes = [None] * len(weights)
    elif len(fprimes) != len(weights):
        raise ValueError(
            f"fprimes must have one entry per weight matrix ({len(weights)}), got {len(fprimes)}"
        )
    deltas = [_operand(delta_out, "delta_out")]
    for layer in range(len(weights) - 1, -1, -1):
        deltas.append(delta_step(weights[layer], deltas[-1], fprimes[layer]))
    return deltas[::-1]

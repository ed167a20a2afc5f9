"""How fast δ grows or shrinks with depth in a linear network: ρ(W), ‖(Wᵀ)ᵏ δ‖, Gelfand, timing.

Introduced in chapter 3 (Linear networks).

``spectral_radius`` gives the eventual rate, ``delta_norms`` and ``linear_delta_norms`` the
norms layer by layer from the recurrence itself, ``gelfand_sequence`` ‖Wᵏ‖^{1/k} → ρ(W), and
``time_tied_delta`` what the closed form costs against the recursion. Random products are in
:mod:`bpcore.linear.lyapunov`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from bpcore._timing import min_call_time
from bpcore._validate import check_int, check_real, check_square_matrix
from bpcore.backprop import delta_recursion, delta_step
from bpcore.linear._powers import _check_delta_out, _log2_scaled_power
from bpcore.linear.closed_forms import tied_delta

__all__ = [
    "delta_norms",
    "gelfand_sequence",
    "linear_delta_norms",
    "spectral_radius",
    "time_tied_delta",
]


def spectral_radius(W: np.ndarray) -> float:
    """ρ(W) = max |λ_i(W)|.

    Introduced in chapter 3 (Linear networks).

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import spectral_radius
    >>> spectral_radius(np.array([[0.0, 2.0], [0.5, 0.0]]))
    1.0
    """
    W = check_square_matrix(W, "W")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def delta_norms(W: np.ndarray, delta_out: np.ndarray, k_max: int) -> np.ndarray:
    """‖(Wᵀ)ᵏ δ_out‖₂ for k = 0, …, k_max, by running the recurrence (``delta_step``).

    Introduced in chapter 3 (Linear networks).

    Parameters
    ----------
    W : (n, n) array
    delta_out : (n,) or (m, n) array
    k_max : int ≥ 0

    Returns
    -------
    (k_max + 1,) array, or (k_max + 1, m) for a batch (one column per example).

    Raises
    ------
    OverflowError
        If δ overflows float64 before k_max steps (the message names the step and k_max).

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import delta_norms
    >>> W = np.array([[0.0, 2.0], [0.5, 0.0]])  # ρ(W) = 1, but ‖W‖₂ = 2
    >>> delta_norms(W, np.array([1.0, 0.0]), 3)
    array([1., 2., 1., 2.])
    """
    W = check_square_matrix(W, "W")
    delta = _check_delta_out(delta_out, W.shape[0])
    k_max = check_int(k_max, "k_max", minimum=0)
    deltas = np.empty((k_max + 1, *delta.shape))
    deltas[0] = delta
    for step in range(1, k_max + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            current = delta_step(W, deltas[step - 1])  # previous steps are finite (checked)
        if not np.all(np.isfinite(current)):
            raise OverflowError(
                f"δ overflows float64 at step {step} of k_max={k_max}; use a smaller k_max"
            )
        deltas[step] = current
    return np.linalg.norm(deltas, axis=-1)


def gelfand_sequence(W: np.ndarray, k_values: Sequence[int] | np.ndarray) -> np.ndarray:
    """‖Wᵏ‖₂^{1/k} for each k, which converges to ρ(W) (Gelfand's formula).

    Introduced in chapter 3 (Linear networks).

    Wᵏ is computed by binary powering with exact power-of-two rescaling, so large k neither
    overflows nor underflows. Always ‖Wᵏ‖^{1/k} ≥ ρ(W); the gap closes like O(log(C)/k) for a
    diagonalizable W.

    Parameters
    ----------
    W : (n, n) array
    k_values : sequence of ints ≥ 1

    Returns
    -------
    array of floats, one per k.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import gelfand_sequence
    >>> gelfand_sequence(np.array([[1.0, 1.0], [0.0, 1.0]]), [1, 10, 100]).round(4)  # → ρ = 1
    array([1.618 , 1.2602, 1.0471])
    """
    W = check_square_matrix(W, "W")
    if isinstance(k_values, str | bytes) or not isinstance(k_values, Sequence | np.ndarray):
        raise TypeError(f"k_values must be a sequence of integers >= 1, got {type(k_values)}")
    ks = [check_int(kv, "k_values", minimum=1) for kv in np.asarray(k_values).ravel().tolist()]
    out = np.empty(len(ks))
    for i, kv in enumerate(ks):
        M, E = _log2_scaled_power(W, kv)
        norm = float(np.linalg.norm(M, 2))
        out[i] = 0.0 if norm == 0.0 else math.exp((math.log(norm) + E * math.log(2.0)) / kv)
    return out


def _bare_tied_recursion(W: np.ndarray, delta: np.ndarray, k: int) -> np.ndarray:
    """(Wᵀ)ᵏ δ by k bare products ``delta @ W``, without input checks: a timing kernel only.

    ``delta_recursion`` runs the same product per step but validates its inputs at every step
    (about 10 µs per step, several times the product itself at small widths).
    :func:`time_tied_delta` times this loop as well, so that the cost of the recursion's
    arithmetic can be told apart from the cost of its checks; it verifies that both give
    identical results before timing.
    """
    for _ in range(k):
        delta = delta @ W
    return delta


def time_tied_delta(
    W: np.ndarray,
    k_values: Sequence[int] | np.ndarray,
    delta_out: np.ndarray,
    repeats: int = 3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wall-clock seconds for (Wᵀ)ᵏ δ_out by three methods, for each k in ``k_values``.

    Introduced in chapter 3 (Linear networks).

    * bare loop: k products ``delta @ W`` in a plain Python loop (no input checks);
    * ``delta_recursion([W] * k, delta_out)``: the course's recurrence, which validates its
      inputs at every step (the lists ``[W] * k`` are built before timing);
    * ``tied_delta(W, k, delta_out)``: the closed form (one decomposition, whatever k).

    The bare loop and ``delta_recursion`` are checked to give identical results before timing
    (they perform the same floating-point operations). Timing on a shared machine: the
    measurement runs ``repeats`` rounds over all k and all three methods (round-robin, so that
    a slow period hits different k in different rounds); in each round a call is repeated until
    10 ms are spent and the shortest call of the round is kept; the result is the median over
    the rounds (robust to one slow round). Timings are machine-dependent: compare methods at
    the same k, and do not read an ordering into ratios close to 1.

    Parameters
    ----------
    W : (n, n) array
    k_values : non-empty sequence of ints ≥ 1
    delta_out : (n,) or (m, n) array
    repeats : int ≥ 1
        Number of rounds.

    Returns
    -------
    (t_bare, t_recursion, t_closed) : three float arrays of shape (len(k_values),), in seconds.

    Raises
    ------
    OverflowError
        If (Wᵀ)ᵏ δ_out overflows float64 for some k (from ``tied_delta``).

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import time_tied_delta
    >>> t_bare, t_recursion, t_closed = time_tied_delta(np.eye(2), [1, 5], np.array([1.0, 0.0]), 1)
    >>> t_closed.shape, bool(np.all(t_closed > 0))  # seconds: machine-dependent
    ((2,), True)
    """
    W = check_square_matrix(W, "W")
    delta = _check_delta_out(delta_out, W.shape[0])
    if isinstance(k_values, str | bytes) or not isinstance(k_values, Sequence | np.ndarray):
        raise TypeError(f"k_values must be a sequence of integers >= 1, got {type(k_values)}")
    ks = [check_int(kv, "k_values", minimum=1) for kv in np.asarray(k_values).ravel().tolist()]
    if not ks:
        raise ValueError("k_values must contain at least one integer >= 1, got an empty sequence")
    repeats = check_int(repeats, "repeats", minimum=1)
    methods = []
    for kv in ks:
        layers = [W] * kv
        by_bare = functools.partial(_bare_tied_recursion, W, delta, kv)
        by_recursion = functools.partial(_delta_recursion_first, layers, delta)
        by_closed = functools.partial(tied_delta, W, kv, delta)
        by_closed()  # warm-up; raises OverflowError if the result overflows
        with np.errstate(over="ignore", invalid="ignore"):
            if not np.array_equal(by_bare(), by_recursion()):  # pragma: no cover - a bug
                raise RuntimeError("the bare loop and delta_recursion disagree")
        methods.append((by_bare, by_recursion, by_closed))
    rounds = np.empty((repeats, 3, len(ks)))
    for r in range(repeats):
        for i, triple in enumerate(methods):
            for j, fn in enumerate(triple):
                rounds[r, j, i] = min_call_time(fn, 0.01)
    median = np.median(rounds, axis=0)
    return median[0], median[1], median[2]


def _delta_recursion_first(layers: list[np.ndarray], delta: np.ndarray) -> np.ndarray:
    """δ after len(layers) steps by ``delta_recursion`` (its first entry)."""
    return delta_recursion(layers, delta)[0]


def linear_delta_norms(
    depth: int, weight_scale: float, width: int = 32, tied: bool = True, seed: int = 0
) -> np.ndarray:
    """‖δ^(l)‖ for l = 1, …, depth+1 in a linear network with Gaussian weights.

    Introduced in chapter 0 ("The question"). The weights have entries N(0, σ_w²/width); tied
    means one matrix W for every layer (the setting of the Q&A reply). δ at the output layer is
    a fixed unit vector. Returns an array of length ``depth + 1``; entry 0 is ‖δ^(1)‖. The
    chapter 0 explorer (``bpcore.widgets.depth_explorer``) draws it.

    Examples
    --------
    >>> from bpcore.linear import linear_delta_norms
    >>> linear_delta_norms(3, 1.0, width=4, seed=0).round(4)  # ‖δ^(1)‖, …, ‖δ^(4)‖ = 1
    array([0.647 , 0.5933, 0.9197, 1.    ])
    """
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    weight_scale = check_real(weight_scale, "weight_scale", low=0, low_open=True)
    rng = np.random.default_rng(seed)
    n_matrices = 1 if tied else depth
    Ws = rng.standard_normal((n_matrices, width, width)) * weight_scale / np.sqrt(width)
    weights = [Ws[0]] * depth if tied else list(Ws)
    delta_out = np.ones(width) / np.sqrt(width)
    with np.errstate(over="raise", invalid="raise"):
        try:
            deltas = delta_recursion(weights, delta_out)
        except FloatingPointError as exc:
            raise OverflowError(f"‖δ‖ overflows float64 at depth {depth}") from exc
    return np.linalg.norm(np.stack(deltas), axis=1)

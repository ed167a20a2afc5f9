"""Input checks of :class:`~bpcore.network.MLP`: parameters, batches, targets and costs.

Each check raises ``TypeError``/``ValueError`` naming the parameter (see :mod:`bpcore._validate`)
and returns the validated float64 arrays; ``sizes`` is the network's [s_1, …, s_{n_l}].

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from bpcore._validate import check_int, check_real, check_real_array
from bpcore.activations import Activation
from bpcore.network._kernels import COSTS


def _check_parameters(
    weights: Sequence[object], biases: Sequence[object]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """float64 copies of [W^(1), …] and [b^(1), …], with shapes that chain."""
    for name, seq in (("weights", weights), ("biases", biases)):
        if isinstance(seq, str | bytes | np.ndarray) or not isinstance(seq, Sequence):
            raise TypeError(
                f"{name} must be a list of arrays (one per layer transition), got "
                f"{type(seq).__name__}"
            )
    if len(weights) == 0:
        raise ValueError("weights must contain at least one matrix W^(1) (n_l >= 2 layers)")
    if len(biases) != len(weights):
        raise ValueError(
            f"biases must have one vector per weight matrix ({len(weights)}), got {len(biases)}"
        )
    Ws: list[np.ndarray] = []
    bs: list[np.ndarray] = []
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        Wk = np.array(check_real_array(W, f"weights[{k}]", ndim=2), dtype=np.float64)
        if Wk.shape[0] == 0 or Wk.shape[1] == 0:
            raise ValueError(f"weights[{k}] must have positive dimensions, got {Wk.shape}")
        if k > 0 and Wk.shape[1] != Ws[-1].shape[0]:
            raise ValueError(
                f"weights[{k}] has shape {Wk.shape} but weights[{k - 1}] maps to "
                f"{Ws[-1].shape[0]} units, so weights[{k}] must have {Ws[-1].shape[0]} "
                f"columns"
            )
        bk = np.array(check_real_array(b, f"biases[{k}]", ndim=1), dtype=np.float64)
        if bk.shape[0] != Wk.shape[0]:
            raise ValueError(
                f"biases[{k}] has shape {bk.shape} but weights[{k}] has shape {Wk.shape}, "
                f"so biases[{k}] must have {Wk.shape[0]} entries"
            )
        Ws.append(Wk)
        bs.append(bk)
    return Ws, bs


def _random_parameters(
    sizes: Sequence[int], weight_scale: float, bias_scale: float, init: str, seed: int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The weights and biases of :meth:`MLP.random` (see there for the distributions)."""
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(
            f"sizes must list at least 2 layer widths [s_1, ..., s_n_l], got {list(sizes)}"
        )
    s = [check_int(v, f"sizes[{k}]", minimum=1) for k, v in enumerate(sizes)]
    sw = check_real(weight_scale, "weight_scale", low=0.0)
    sb = check_real(bias_scale, "bias_scale", low=0.0)
    if init not in ("gaussian", "orthogonal"):
        raise ValueError(f"init must be 'gaussian' or 'orthogonal', got {init!r}")
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    weights = []
    biases = []
    for fan_in, fan_out in itertools.pairwise(s):
        if init == "gaussian":
            W = rng.standard_normal((fan_out, fan_in)) * (sw / np.sqrt(fan_in))
        else:
            big, small = max(fan_in, fan_out), min(fan_in, fan_out)
            Q, R = np.linalg.qr(rng.standard_normal((big, small)))
            Q *= np.where(np.diag(R) < 0, -1.0, 1.0)
            W = sw * (Q if fan_out >= fan_in else Q.T)
        weights.append(W)
        biases.append(rng.standard_normal(fan_out) * sb)
    return weights, biases


def _check_X(sizes: list[int], X: object, name: str = "X") -> tuple[np.ndarray, bool]:
    """(the batch as a 2-D array, whether a single 1-D example was passed)."""
    arr = check_real_array(X, name)
    s1 = sizes[0]
    if arr.ndim == 1:
        if arr.shape[0] != s1:
            raise ValueError(
                f"{name} must have s_1 = {s1} entries (a single example), got shape {arr.shape}"
            )
        return arr[None, :], True
    if arr.ndim != 2 or arr.shape[1] != s1:
        raise ValueError(
            f"{name} must have shape (m, {s1}) (one example per row, s_1 = {s1} columns) "
            f"or ({s1},), got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one example, got shape {arr.shape}")
    return arr, False


def _check_Y(sizes: list[int], Y: object, m: int, single: bool, name: str = "Y") -> np.ndarray:
    """The targets as a 2-D array matching a batch of m examples."""
    arr = check_real_array(Y, name)
    s_out = sizes[-1]
    expected = (s_out,) if single else (m, s_out)
    if arr.shape != expected:
        raise ValueError(
            f"{name} must have shape {expected} to match the input and the s_{len(sizes)}"
            f" = {s_out} output units, got shape {arr.shape}"
        )
    return arr[None, :] if single else arr


def _check_cost(output_activation: Activation, cost: object, Y: np.ndarray) -> str:
    """The cost's name; cross entropy needs a sigmoid output and Y in [0, 1]."""
    if not isinstance(cost, str) or cost not in COSTS:
        raise ValueError(f"cost must be one of {', '.join(COSTS)}, got {cost!r}")
    if cost == "cross_entropy":
        if output_activation.name != "sigmoid":
            raise ValueError(
                "cost='cross_entropy' needs a sigmoid output activation, got "
                f"output_activation={output_activation.label}"
            )
        if np.any((Y < 0) | (Y > 1)):
            raise ValueError("Y must lie in [0, 1] for cost='cross_entropy'")
    return str(cost)


def _check_single(sizes: list[int], x: object, name: str) -> np.ndarray:
    """One example x as a (1, s_1) batch; a batch is refused."""
    arr = check_real_array(x, name)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be a single example, a 1-D array of length s_1 = {sizes[0]}, "
            f"got shape {arr.shape}; use the *_batch method for a batch"
        )
    return _check_X(sizes, arr, name)[0]

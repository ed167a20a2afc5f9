"""‖δ^(l)‖ layer by layer and the coefficients f'(z^(l)) of a random network, for a batch.

Backprop is the linear recurrence δ^(l) = M_l δ^(l+1) with M_l = D_l W^(l)ᵀ and
D_l = diag f'(z^(l)); :func:`delta_profile` returns both halves of that statement for a random
network: the size of δ in every layer and the diagonals of the D_l. Chapter 2's explorer
(:func:`bpcore.widgets.network_explorer`) draws them.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from bpcore._validate import check_int, check_real
from bpcore.activations import get_activation
from bpcore.backprop import delta_recursion
from bpcore.network.mlp import MLP

__all__ = ["delta_profile"]


@lru_cache(maxsize=8)
def _unit_network(depth: int, width: int, seed: int) -> MLP:
    # Gaussian weights with σ_w = 1; every other σ_w is a multiple (MLP.random scales the same
    # standard normals), so the widget draws the random numbers once per depth and width.
    return MLP.random([width] * (depth + 1), "identity", weight_scale=1.0, seed=seed)


def delta_profile(
    depth: int,
    width: int,
    weight_scale: float,
    activation: str = "tanh",
    batch: int = 32,
    seed: int = 0,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """‖δ^(l)‖ of every layer and the coefficients f'(z^(l)) for a batch of random examples.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    The network is ``MLP.random([width] * (depth + 1), activation, weight_scale, seed=seed)``
    (Gaussian weights N(0, σ_w²/width), zero biases, f also at the output layer); the inputs
    x and targets y have i.i.d. N(0, 1) entries (seeded with ``seed + 1``). The cost is the
    squared error, δ^(n_l) = (a^(n_l) − y) ⊙ f'(z^(n_l)), and the other δ's come from
    :func:`bpcore.backprop.delta_recursion` — the same numbers as
    :meth:`bpcore.network.MLP.backward`, without computing the weight gradients.

    Parameters
    ----------
    depth : int >= 2
        Number of weight matrices n_l − 1 (so there are hidden layers 2, …, n_l − 1).
    width : int >= 1
        s_l for every layer.
    weight_scale : float > 0
        σ_w.
    activation : str
        A name for :func:`bpcore.activations.get_activation`.
    batch : int >= 1
        Number of examples m.
    seed : int >= 0

    Returns
    -------
    norms : (m, n_l − 1) array
        ``norms[i, l − 2]`` = ‖δ^(l)‖ for example i, l = 2, …, n_l.
    fprimes : list of (m, width) arrays
        ``[f'(z^(2)), …, f'(z^(n_l−1))]``: the diagonals of D_2, …, D_{n_l−1}.

    Raises
    ------
    OverflowError
        If a pre-activation or δ overflows float64.

    Examples
    --------
    >>> from bpcore.network import delta_profile
    >>> norms, fprimes = delta_profile(4, 8, 1.0, "relu", batch=2, seed=0)
    >>> norms.shape, [fp.shape for fp in fprimes]
    ((2, 4), [(2, 8), (2, 8), (2, 8)])
    >>> sorted(set(fprimes[0].ravel().tolist()))
    [0.0, 1.0]
    """
    depth = check_int(depth, "depth", minimum=2)
    width = check_int(width, "width", minimum=1)
    weight_scale = check_real(weight_scale, "weight_scale", low=0.0, low_open=True)
    act = get_activation(activation, "activation")
    batch = check_int(batch, "batch", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    unit = _unit_network(depth, width, seed)
    net = MLP([weight_scale * W for W in unit.weights], unit.biases, act)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((batch, width))
    Y = rng.standard_normal((batch, width))
    n_l = net.n_layers
    with np.errstate(over="raise", invalid="raise"):
        try:
            # One forward pass, then the recurrence itself (what MLP.backward does, without
            # the weight gradients the figure does not need): half the work of backward().
            forward = net.forward(X)
            fprimes = [act.df(forward.z_of(l)) for l in range(2, n_l)]
            delta_out = (forward.output - Y) * act.df(forward.z_of(n_l))
            deltas = delta_recursion(net.weights[1:], delta_out, fprimes)
            norms = np.linalg.norm(np.stack(deltas, axis=1), axis=2)
        except FloatingPointError as exc:
            raise OverflowError(
                f"the forward pass or δ overflows float64 (σ_w = {weight_scale:.3g}, depth {depth})"
            ) from exc
    return norms, fprimes

"""The forward pass of a tied-weight network as a dynamical system: its orbit, factors and δ's.

With the same W and b at every layer the forward pass is the iteration z ↦ g(z) = W f(z) + b,
and backprop multiplies by the derivative of the iterated map,
δ^(l) = (∂z^(l+1)/∂z^(l))ᵀ δ^(l+1) with ∂z^(l+1)/∂z^(l) = W diag f'(z^(l)); the δ's come from
:mod:`bpcore.backprop`, the one source of the step.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import (
    check_int,
    check_real,
    check_real_array,
    check_square_matrix,
)
from bpcore.activations import Activation, get_activation
from bpcore.backprop import delta_recursion

__all__ = ["TiedOrbit", "tied_chain", "tied_network"]


# ---------------------------------------------------------------------------------------------
# the tied forward pass and its δ's


@dataclass(frozen=True, eq=False)
class TiedOrbit:
    """Forward orbit, per-layer factors and δ's of a tied network z ↦ W f(z) + b.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    zs : (depth+1,) or (depth+1, n) array
        z^(0) = z0, …, z^(depth); z^(l+1) = W f(z^(l)) + b.
    factors : (depth,) or (depth, n, n) array
        factors[l] = ∂z^(l+1)/∂z^(l) = W diag f'(z^(l)).
    deltas : (depth+1,) or (depth+1, n, n) array
        deltas[l] = ∂z^(depth)/∂z^(l) (for width n: row i is δ^(l) for the unit δ = e_i at the
        top), computed by :func:`bpcore.backprop.delta_recursion`; deltas[depth] is the unit.
        For width 1, deltas[0] is the product of all factors.
    activation : str
        Label of the activation.
    depth : int
        Number of layers.

    Examples
    --------
    >>> from bpcore.dynamics import tied_chain
    >>> orbit = tied_chain("tanh", 0.5, 0.5, 0.5, 3)
    >>> orbit
    TiedOrbit(activation=tanh, width=1, depth=3, z_top=0.835306, delta_bottom=0.033051)
    >>> orbit.zs.round(4), orbit.deltas.round(4)
    (array([0.5   , 0.7311, 0.8119, 0.8353]), array([0.0331, 0.0841, 0.2751, 1.    ]))
    """

    zs: np.ndarray
    factors: np.ndarray
    deltas: np.ndarray
    activation: str
    depth: int

    @property
    def width(self) -> int:
        """Number of units per layer."""
        return 1 if self.zs.ndim == 1 else int(self.zs.shape[1])

    def __repr__(self) -> str:
        return (
            f"TiedOrbit(activation={self.activation}, width={self.width}, depth={self.depth}, "
            f"z_top={short_array(self.zs[-1])}, delta_bottom={short_array(self.deltas[0])})"
        )


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def tied_network(
    W: np.ndarray,
    b: np.ndarray,
    activation: str | Activation,
    z0: np.ndarray,
    depth: int,
) -> TiedOrbit:
    """Run z^(l+1) = W f(z^(l)) + b for ``depth`` layers and backpropagate a unit δ.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    W : (n, n) array
        The tied weight matrix (Ng's W^(l), the same at every layer).
    b : (n,) array
        The tied bias.
    activation : str or Activation
        A name known to :func:`bpcore.activations.get_activation` (``"softsign"`` among them) or an
        :class:`~bpcore.activations.Activation`.
    z0 : (n,) array
        The first pre-activation (z^(2) in Ng's numbering).
    depth : int
        Number of layers, ≥ 0.

    Returns
    -------
    TiedOrbit
        The z's, the factors W diag f'(z^(l)) and the Jacobians ∂z^(depth)/∂z^(l); the latter
        are the δ's of :func:`bpcore.backprop.delta_recursion` for the batch of unit δ's
        e_1, …, e_n at the top (weights [W]*depth, f'(z^(l)) as the fprimes).

    Raises
    ------
    TypeError, ValueError
        For a non-square or non-finite W, b or z0 of the wrong length, depth not an integer ≥ 0,
        or an unknown activation.
    OverflowError
        If the forward orbit, or the δ's, leave the float range.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.dynamics import tied_network
    >>> orbit = tied_network(0.5 * np.eye(2), np.zeros(2), "tanh", np.array([1.0, -1.0]), 2)
    >>> orbit.zs.shape, orbit.factors.shape, orbit.deltas.shape
    ((3, 2), (2, 2, 2), (3, 2, 2))
    >>> orbit.deltas[0].round(6)
    array([[0.091128, 0.      ],
           [0.      , 0.091128]])
    """
    W = check_square_matrix(W, "W")
    n = W.shape[0]
    b = check_real_array(b, "b", ndim=1)
    z0 = check_real_array(z0, "z0", ndim=1)
    if b.shape != (n,):
        raise ValueError(f"b must have {n} entries (W is {n}×{n}), got shape {b.shape}")
    if z0.shape != (n,):
        raise ValueError(f"z0 must have {n} entries (W is {n}×{n}), got shape {z0.shape}")
    depth = check_int(depth, "depth", minimum=0)
    act = get_activation(activation, "activation")
    zs = np.empty((depth + 1, n))
    zs[0] = z0
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):  # inherently sequential: a loop over layers
            zs[layer + 1] = W @ act.f(zs[layer]) + b
    if not np.all(np.isfinite(zs)):
        raise OverflowError("the forward orbit left the float range; reduce depth or W")
    fprimes = act.df(zs[:-1]) if depth else np.empty((0, n))
    factors = W[None, :, :] * fprimes[:, None, :]
    if depth == 0:
        deltas = np.eye(n)[None, :, :]
    else:
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                deltas = np.stack(delta_recursion([W] * depth, np.eye(n), list(fprimes)))
        except ValueError as exc:  # delta_step refuses the non-finite δ an overflow produced
            raise OverflowError(
                f"the δ's of this {depth}-layer orbit leave the float range (they grow like "
                "the product of the factors); reduce depth, or take logarithms of the factors "
                "as bpcore.chaos.lyapunov_from_orbit does"
            ) from exc
    return TiedOrbit(_readonly(zs), _readonly(factors), _readonly(deltas), act.label, depth)


def tied_chain(
    activation: str | Activation, w: float, b: float, z0: float, depth: int
) -> TiedOrbit:
    """Width-1 tied chain z^(l+1) = w f(z^(l)) + b: scalars in, 1-D arrays out.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    activation : str or Activation
        As in :func:`tied_network`.
    w, b, z0 : float
        Weight, bias and first pre-activation (finite reals).
    depth : int
        Number of layers, ≥ 0.

    Returns
    -------
    TiedOrbit
        ``zs`` (depth+1,), ``factors`` (depth,) = w f'(z^(l)), ``deltas`` (depth+1,) with
        deltas[l] = ∏_{k ≥ l} factors[k]; deltas[0] is the derivative of the depth-fold map.

    See Also
    --------
    tied_network : the same for width n.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.dynamics import tied_chain
    >>> orbit = tied_chain("tanh", 0.5, 0.5, 0.5, 3)
    >>> bool(np.isclose(orbit.deltas[0], np.prod(orbit.factors)))
    True
    >>> orbit.deltas.round(4)
    array([0.0331, 0.0841, 0.2751, 1.    ])
    """
    w = check_real(w, "w")
    b = check_real(b, "b")
    z0 = check_real(z0, "z0")
    res = tied_network(np.array([[w]]), np.array([b]), activation, np.array([z0]), depth)
    return TiedOrbit(
        _readonly(res.zs[:, 0].copy()),
        _readonly(res.factors[:, 0, 0].copy()),
        _readonly(res.deltas[:, 0, 0].copy()),
        res.activation,
        res.depth,
    )

"""The closed form inside one region: the affine map x ↦ A x + c of a fixed activation pattern.

Its A comes from :func:`bpcore.backprop.delta_recursion` with the masks as f'.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_real_array
from bpcore.backprop import delta_recursion
from bpcore.regions.relu_network import ReluNetwork, _forward, _points, _readonly

__all__ = ["RegionMap", "region_affine_map"]


# ---------------------------------------------------------------------------------------------
# the closed form inside one region


@dataclass(frozen=True, eq=False)
class RegionMap:
    """The affine map of one activation region: net(y) = A y + c for y in the region.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    A : (n_L, n_0) array
        W_L D_{L−1} W_{L−1} ⋯ D_1 W_1 with D_l = diag(mask_l); row i is δ^(input) for the
        output unit δ = e_i, computed by :func:`bpcore.backprop.delta_recursion`.
    c : (n_L,) array
        net(x) − A x.
    pattern : (hidden_neurons,) bool array
        The masks, layer 1 first (unit on iff z > 0).
    masks : tuple of (n_l,) float arrays
        The same masks per hidden layer, as the f'(z) fed to the recurrence.
    x : (n_0,) array
        The point whose region this is.

    Examples
    --------
    >>> from bpcore.regions import region_affine_map, sawtooth_network
    >>> region = region_affine_map(sawtooth_network(3), 0.1)
    >>> region
    RegionMap(units_on=3/6, A=[[8.]], c=[0.])
    >>> region.masks[0]
    array([1., 0.])
    """

    A: np.ndarray
    c: np.ndarray
    pattern: np.ndarray
    masks: tuple[np.ndarray, ...]
    x: np.ndarray

    def __call__(self, y: object) -> np.ndarray:
        """A y + c for y of shape (n_0,) or (m, n_0)."""
        n0 = self.A.shape[1]
        arr = check_real_array(y, "y")
        if arr.ndim == 0 and n0 == 1:
            arr = arr.reshape(1)
        if arr.ndim not in (1, 2) or arr.shape[-1] != n0:
            raise ValueError(f"y must have shape ({n0},) or (m, {n0}), got {arr.shape}")
        return arr @ self.A.T + self.c

    def __repr__(self) -> str:
        on = int(np.count_nonzero(self.pattern))
        return (
            f"RegionMap(units_on={on}/{self.pattern.size}, A={short_array(self.A)}, "
            f"c={short_array(self.c)})"
        )


def region_affine_map(net: ReluNetwork, x: object) -> RegionMap:
    """The closed form inside x's activation region: a product of fixed masked matrices.

    Introduced in chapter 4 (Nonlinear activations).

    With the masks D_l = diag(z_l(x) > 0) frozen, the network is y ↦ A y + c with
    A = W_L D_{L−1} ⋯ D_1 W_1. A is computed by running the backprop recurrence
    (:func:`bpcore.backprop.delta_recursion`) from the unit δ's at the output with f' = the
    masks: the δ's inside a region are these fixed products. The identity holds for every y
    with the same pattern as x (if x lies on a boundary, some z = 0 and those units count as
    off, relu'(0) = 0).

    Parameters
    ----------
    net : ReluNetwork
    x : (n_0,) array (a scalar when n_0 = 1)

    Returns
    -------
    RegionMap

    Raises
    ------
    TypeError / ValueError
        ``net`` not a ReluNetwork; ``x`` of the wrong shape or non-finite.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.regions import he_relu_network, region_affine_map
    >>> net = he_relu_network([2, 8, 8, 1], seed=1)
    >>> x = np.array([0.3, -0.2])
    >>> region = region_affine_map(net, x)
    >>> y = x + 1e-6
    >>> region.A.shape, bool(np.allclose(region.A @ y + region.c, net(y)))
    ((1, 2), True)
    """
    if not isinstance(net, ReluNetwork):
        raise TypeError(f"net must be a ReluNetwork, got {type(net).__name__}")
    X, single = _points(net, x, "x")
    if not single:
        raise ValueError(f"x must be one point of shape ({net.widths[0]},), got {X.shape}")
    pattern, out = _forward(net, X)
    pattern, out, xv = pattern[0], out[0], X[0]
    sizes = np.cumsum(net.widths[1:-1])[:-1]
    masks = tuple(m.astype(np.float64) for m in np.split(pattern, sizes)) if net.depth else ()
    n_out = net.widths[-1]
    deltas = delta_recursion(list(net.weights), np.eye(n_out), [None, *masks])
    A = np.asarray(deltas[0], dtype=np.float64).reshape(n_out, net.widths[0])
    c = out - A @ xv
    return RegionMap(
        A=_readonly(A),
        c=_readonly(c),
        pattern=_readonly(pattern.copy()),
        masks=tuple(_readonly(m) for m in masks),
        x=_readonly(xv.copy()),
    )

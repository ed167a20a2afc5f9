"""Counting the linear regions a segment crosses: exact breakpoints and a dense-grid reference.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real, check_real_array
from bpcore.regions.relu_network import ReluNetwork, _forward, _readonly

__all__ = ["RegionCount", "brute_force_regions", "count_regions"]


# ---------------------------------------------------------------------------------------------
# counting regions along a segment


@dataclass(frozen=True, eq=False)
class RegionCount:
    """Activation regions and linear pieces of a ReLU network along a segment.

    Introduced in chapter 4 (Nonlinear activations).

    The segment is x(t) = x0 + t (x1 − x0), t ∈ [0, 1].

    Attributes
    ----------
    breakpoints : (pieces − 1,) array
        Sorted t ∈ (0, 1) where the activation pattern changes.
    pieces : int
        Number of activation regions crossed, len(breakpoints) + 1.
    linear_pieces : int
        Pieces of the function t ↦ net(x(t)) after merging neighbours with the same affine map
        (the same slope; the function is continuous). This is what Telgarsky's 2^L counts.
    patterns : (pieces, hidden_neurons) bool array
        Row k: which units are on (z > 0) inside piece k (layer 1's units first).
    slopes : (pieces, n_L) array
        d net(x(t)) / dt inside each piece: A_k (x1 − x0) with A_k the region's masked product.
    t_grid : (pieces + 1,) array
        0, the breakpoints, 1.
    values : (pieces + 1, n_L) array
        net(x(t)) at ``t_grid``; joining them by straight lines is the exact graph.
    x0, x1 : (n_0,) arrays
        The segment's end points.

    Examples
    --------
    >>> from bpcore.regions import count_regions, sawtooth_network
    >>> rc = count_regions(sawtooth_network(2), 0.0, 1.0)
    >>> rc
    RegionCount(pieces=4, linear_pieces=4, breakpoints=[0.25 0.5  0.75])
    >>> rc.slopes.ravel()
    array([ 4., -4.,  4., -4.])
    """

    breakpoints: np.ndarray
    pieces: int
    linear_pieces: int
    patterns: np.ndarray
    slopes: np.ndarray
    t_grid: np.ndarray
    values: np.ndarray
    x0: np.ndarray
    x1: np.ndarray

    def __repr__(self) -> str:
        return (
            f"RegionCount(pieces={self.pieces}, linear_pieces={self.linear_pieces}, "
            f"breakpoints={short_array(self.breakpoints)})"
        )


def _segment(net: ReluNetwork, x0: object, x1: object) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(net, ReluNetwork):
        raise TypeError(f"net must be a ReluNetwork, got {type(net).__name__}")
    n0 = net.widths[0]
    ends = []
    for name, x in (("x0", x0), ("x1", x1)):
        arr = check_real_array(x, name)
        if arr.ndim == 0 and n0 == 1:
            arr = arr.reshape(1)
        if arr.shape != (n0,):
            raise ValueError(
                f"{name} must have shape ({n0},) (a point of the input space), got {arr.shape}"
            )
        ends.append(arr)
    if np.array_equal(ends[0], ends[1]):
        raise ValueError("x0 and x1 must differ (the segment from x0 to x1 has length 0)")
    return ends[0], ends[1]


def _masked_slopes(net: ReluNetwork, patterns: np.ndarray, d: np.ndarray) -> np.ndarray:
    """A_k d for each row of ``patterns``: push the direction d through the fixed masks."""
    v = np.broadcast_to(d, (patterns.shape[0], d.shape[0]))
    start = 0
    for w in net.weights[:-1]:
        n = w.shape[0]
        v = (v @ w.T) * patterns[:, start : start + n]
        start += n
    return v @ net.weights[-1].T


def count_regions(
    net: ReluNetwork,
    x0: object,
    x1: object,
    *,
    guard: float = 1e-12,
    max_pieces: int = 1_000_000,
) -> RegionCount:
    """Exact count of the activation regions (and linear pieces) crossed by a segment.

    Introduced in chapter 4 (Nonlinear activations).

    Breakpoint tracking, one layer at a time. After layer l − 1 the segment [0, 1] is cut at
    nodes 0 = t_0 < ⋯ < t_K = 1 and the layer's input is affine in t between nodes, so every
    pre-activation z_i(t) of layer l is affine there too and is known by its values at the
    nodes. A unit whose values at t_k and t_{k+1} have strictly opposite signs crosses zero
    once, at t_k + (t_{k+1} − t_k) z_i(t_k) / (z_i(t_k) − z_i(t_{k+1})) (exact for an affine
    function); these zeros become new nodes, z is interpolated there, and relu(z) is the next
    layer's input. A unit that only touches zero, or is zero on a whole piece, adds no node.
    Finally the pattern of each piece is evaluated by a forward pass at its midpoint (a unit is
    on iff z > 0, i.e. relu'(0) = 0) and neighbouring pieces with equal patterns are merged.

    Guard rule: a new zero closer than ``guard`` (in t) to an existing node or to another new
    zero of the same layer is DROPPED (no node is added; the neighbouring piece then contains a
    unit that switches inside it, which makes the interpolated z downstream wrong by at most
    about slope · guard; chained drops can lose zeros up to a few guards apart). So pieces
    shorter than ``guard`` · |x1 − x0| can be missed, and several units switching at the same
    point (as in the sawtooth) give one breakpoint, as they should. Neighbouring pieces count
    as one linear piece when their slopes agree to a relative 1e-9
    (‖s_k − s_{k+1}‖ ≤ 1e-9 · max(‖s_k‖, ‖s_{k+1}‖), or both are 0).

    Parameters
    ----------
    net : ReluNetwork
    x0, x1 : (n_0,) arrays (scalars when n_0 = 1)
        End points of the segment; they must differ and be finite.
    guard : float
        Merge distance in t, 0 ≤ guard < 0.5.
    max_pieces : int
        Stop with ValueError when a layer would create more nodes than this (memory bound;
        the sawtooth of depth L has 2^L pieces).

    Returns
    -------
    RegionCount

    Raises
    ------
    TypeError / ValueError
        ``net`` not a ReluNetwork; ``x0``/``x1`` of the wrong shape, non-finite or equal;
        ``guard`` outside [0, 0.5); ``max_pieces`` < 1 or exceeded.

    Examples
    --------
    >>> from bpcore.regions import count_regions, sawtooth_network
    >>> [count_regions(sawtooth_network(L), 0.0, 1.0).linear_pieces for L in range(1, 6)]
    [2, 4, 8, 16, 32]
    """
    x0, x1 = _segment(net, x0, x1)
    guard = check_real(guard, "guard", low=0.0, high=0.5, high_open=True)
    max_pieces = check_int(max_pieces, "max_pieces", minimum=1)
    d = x1 - x0
    t = np.array([0.0, 1.0])
    h = np.vstack([x0, x1])  # layer input at the nodes
    for layer, (w, b) in enumerate(zip(net.weights[:-1], net.biases[:-1], strict=True)):
        z = h @ w.T + b  # (K+1, n): pre-activations at the nodes
        za, zb = z[:-1], z[1:]
        k, i = np.nonzero(((za > 0) & (zb < 0)) | ((za < 0) & (zb > 0)))
        if k.size:
            frac = za[k, i] / (za[k, i] - zb[k, i])
            tl, tr = t[k], t[k + 1]
            tn = tl + (tr - tl) * frac
            ok = (tn - tl > guard) & (tr - tn > guard)
            k, frac, tn = k[ok], frac[ok], tn[ok]
            order = np.argsort(tn, kind="stable")
            k, frac, tn = k[order], frac[order], tn[order]
            keep = np.ones(tn.shape, dtype=bool)
            keep[1:] = np.diff(tn) > guard
            k, frac, tn = k[keep], frac[keep], tn[keep]
            if t.size + tn.size - 1 > max_pieces:
                raise ValueError(
                    f"max_pieces ({max_pieces}) exceeded at hidden layer {layer + 1}: the "
                    f"segment has at least {t.size + tn.size - 1} pieces; raise max_pieces"
                )
            # recompute the new nodes' z exactly from the affine pieces (interpolation)
            zfrac = (tn - t[k]) / (t[k + 1] - t[k])
            zn = za[k] + zfrac[:, None] * (zb[k] - za[k])
            t_all = np.concatenate([t, tn])
            z_all = np.concatenate([z, zn])
            order = np.argsort(t_all, kind="stable")
            t, z = t_all[order], z_all[order]
        h = np.maximum(z, 0.0)

    mids = 0.5 * (t[:-1] + t[1:])
    pats = _forward(net, x0 + mids[:, None] * d)[0]
    change = np.any(pats[1:] != pats[:-1], axis=1)
    breakpoints = t[1:-1][change]
    first = np.concatenate([[True], change])
    patterns = pats[first]
    slopes = _masked_slopes(net, patterns, d)
    diff = np.linalg.norm(slopes[1:] - slopes[:-1], axis=1)
    scale = np.maximum(np.linalg.norm(slopes[1:], axis=1), np.linalg.norm(slopes[:-1], axis=1))
    linear_pieces = 1 + int(np.count_nonzero(diff > 1e-9 * scale))
    t_grid = np.concatenate([[0.0], breakpoints, [1.0]])
    values = _forward(net, x0 + t_grid[:, None] * d)[1]
    return RegionCount(
        breakpoints=_readonly(breakpoints),
        pieces=int(breakpoints.size + 1),
        linear_pieces=linear_pieces,
        patterns=_readonly(patterns),
        slopes=_readonly(slopes),
        t_grid=_readonly(t_grid),
        values=_readonly(values),
        x0=_readonly(x0),
        x1=_readonly(x1),
    )


def brute_force_regions(net: ReluNetwork, x0: object, x1: object, samples: int = 100_000) -> int:
    """Independent reference: runs of identical activation patterns on a dense uniform grid.

    Introduced in chapter 4 (Nonlinear activations).

    The pattern (unit on iff z > 0) is evaluated by a plain forward pass at the cell midpoints
    t_j = (j + 1/2) / samples, j = 0, …, samples − 1, and the maximal runs of equal patterns
    are counted. Every piece longer than 1 / samples (in t) contains a sample, so the count
    equals :func:`count_regions`' ``pieces`` whenever all pieces are longer than that; shorter
    pieces can be missed (the count is then lower). Processed in chunks, so memory stays small.

    Parameters
    ----------
    net : ReluNetwork
    x0, x1 : (n_0,) arrays (scalars when n_0 = 1)
        End points of the segment; they must differ and be finite.
    samples : int
        Grid size, 2 ≤ samples ≤ 10^8.

    Returns
    -------
    int
        Number of runs.

    Raises
    ------
    TypeError / ValueError
        As for :func:`count_regions`; ``samples`` not an integer in [2, 10^8].

    Examples
    --------
    >>> from bpcore.regions import brute_force_regions, count_regions, he_relu_network
    >>> net = he_relu_network([1, 8, 8, 1], seed=0)
    >>> brute_force_regions(net, -2.0, 2.0, samples=20_000) == count_regions(net, -2.0, 2.0).pieces
    True
    """
    x0, x1 = _segment(net, x0, x1)
    samples = check_int(samples, "samples", minimum=2)
    if samples > 10**8:
        raise ValueError(f"samples must be <= 10**8, got {samples}")
    d = x1 - x0
    chunk = max(1, 2**22 // max(1, net.hidden_neurons + net.widths[0]))
    runs, last = 0, None
    for start in range(0, samples, chunk):
        j = np.arange(start, min(samples, start + chunk), dtype=np.float64)
        pats = _forward(net, x0 + ((j + 0.5) / samples)[:, None] * d)[0]
        runs += int(np.count_nonzero(np.any(pats[1:] != pats[:-1], axis=1)))
        if last is None or np.any(pats[0] != last):
            runs += 1
        last = pats[-1]
    return runs

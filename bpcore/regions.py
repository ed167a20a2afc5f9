"""Linear regions of ReLU networks: where the closed form is a product of fixed masked matrices.

A ReLU network is piecewise affine. Fix the activation pattern (which units are on) and every
ReLU becomes a fixed 0/1 mask D_l = diag(mask_l); the network is then the affine map
x ↦ A x + c with A = W_L D_{L−1} W_{L−1} ⋯ D_1 W_1, and the δ's of backprop are the rows of
those fixed products. So inside one activation region backprop *has* a closed form; what varies
is how many regions an input path crosses. This module counts them exactly along a segment
(breakpoint tracking, layer by layer), gives an independent dense-grid count, builds
Telgarsky's sawtooth (2^L pieces from 2L units) and He-initialised random networks, and returns
the affine map of one region (its A computed by :func:`bpcore.backprop.delta_recursion` with
the masks as f').

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real, check_real_array
from bpcore.backprop import delta_recursion

__all__ = [
    "RegionCount",
    "RegionMap",
    "ReluNetwork",
    "brute_force_regions",
    "count_regions",
    "he_relu_network",
    "product_bound",
    "region_affine_map",
    "sawtooth_network",
]


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


# ---------------------------------------------------------------------------------------------
# the network


@dataclass(frozen=True, eq=False)
class ReluNetwork:
    """A fully connected ReLU network: ReLU on every hidden layer, the last layer affine.

    Introduced in chapter 4 (Nonlinear activations).

    Layer l (l = 1, …, L) maps R^{n_{l−1}} → R^{n_l} by h ↦ W_l h + b_l; a ReLU follows every
    layer except the last, so the network is x ↦ W_L relu(⋯ relu(W_1 x + b_1) ⋯) + b_L.
    (In Ng's numbering the input is layer 1; here the list index is what matters.)

    Attributes
    ----------
    weights : tuple of (n_l, n_{l−1}) arrays
        W_1, …, W_L (lists are accepted and stored as a tuple of read-only float arrays).
    biases : tuple of (n_l,) arrays
        b_1, …, b_L.

    Raises
    ------
    TypeError
        ``weights``/``biases`` not sequences of real arrays.
    ValueError
        No layers, shapes that do not chain, a length mismatch, or non-finite entries.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    def __post_init__(self) -> None:
        for name in ("weights", "biases"):
            value = getattr(self, name)
            if isinstance(value, np.ndarray) or not isinstance(value, Sequence):
                raise TypeError(f"{name} must be a list or tuple of arrays, one per layer")
        if len(self.weights) == 0:
            raise ValueError("weights must contain at least one matrix (the output layer)")
        if len(self.biases) != len(self.weights):
            raise ValueError(
                f"biases must have one vector per weight matrix ({len(self.weights)}), "
                f"got {len(self.biases)}"
            )
        ws, bs = [], []
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            w = check_real_array(w, f"weights[{i}]", ndim=2)
            b = check_real_array(b, f"biases[{i}]", ndim=1)
            if 0 in w.shape:
                raise ValueError(
                    f"weights[{i}] must have at least one row and column, got {w.shape}"
                )
            if ws and w.shape[1] != ws[-1].shape[0]:
                raise ValueError(
                    f"weights[{i}] must have {ws[-1].shape[0]} columns (weights[{i - 1}] has "
                    f"{ws[-1].shape[0]} rows), got shape {w.shape}"
                )
            if b.shape != (w.shape[0],):
                raise ValueError(
                    f"biases[{i}] must have shape ({w.shape[0]},) to match weights[{i}] "
                    f"{w.shape}, got {b.shape}"
                )
            ws.append(_readonly(w.copy()))
            bs.append(_readonly(b.copy()))
        object.__setattr__(self, "weights", tuple(ws))
        object.__setattr__(self, "biases", tuple(bs))

    @property
    def widths(self) -> list[int]:
        """[n_0, n_1, …, n_L]: input width, hidden widths, output width."""
        return [int(self.weights[0].shape[1])] + [int(w.shape[0]) for w in self.weights]

    @property
    def depth(self) -> int:
        """Number of hidden (ReLU) layers, L − 1."""
        return len(self.weights) - 1

    @property
    def hidden_neurons(self) -> int:
        """Total number of ReLU units, n_1 + ⋯ + n_{L−1}."""
        return int(sum(self.widths[1:-1]))

    def __call__(self, x: object) -> np.ndarray:
        """The output for x of shape (n_0,) or (m, n_0) (a scalar when n_0 = 1)."""
        X, single = _points(self, x, "x")
        out = _forward(self, X)[1]
        return out[0] if single else out

    def __repr__(self) -> str:
        return f"ReluNetwork(widths={self.widths}, hidden_neurons={self.hidden_neurons})"


def _points(net: ReluNetwork, x: object, name: str) -> tuple[np.ndarray, bool]:
    """Input points as an (m, n_0) array; also whether a single point was given."""
    n0 = net.widths[0]
    arr = check_real_array(x, name)
    if arr.ndim == 0 and n0 == 1:
        return arr.reshape(1, 1), True
    if arr.ndim == 1 and arr.shape[0] == n0:
        return arr[None, :], True
    if arr.ndim == 2 and arr.shape[1] == n0:
        return arr, False
    raise ValueError(
        f"{name} must have shape ({n0},) (one input) or (m, {n0}) (a batch), got shape {arr.shape}"
    )


def _forward(net: ReluNetwork, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Activation pattern (m, hidden_neurons) bool (unit on iff z > 0) and output (m, n_L)."""
    h = X
    masks = []
    for w, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        z = h @ w.T + b
        on = z > 0
        masks.append(on)
        h = np.where(on, z, 0.0)
    out = h @ net.weights[-1].T + net.biases[-1]
    pattern = np.concatenate(masks, axis=1) if masks else np.zeros((X.shape[0], 0), dtype=bool)
    return pattern, out


def _check_widths(widths: object, name: str = "widths") -> list[int]:
    if isinstance(widths, str | bytes):
        raise TypeError(f"{name} must be a sequence of integers [n_0, …, n_L], got {widths!r}")
    if isinstance(widths, np.ndarray):
        widths = widths.tolist()
    if not isinstance(widths, Sequence):
        raise TypeError(f"{name} must be a sequence of integers [n_0, …, n_L], got {widths!r}")
    if len(widths) < 2:
        raise ValueError(
            f"{name} must list at least the input and output widths [n_0, …, n_L], got {widths!r}"
        )
    return [check_int(n, f"{name}[{i}]", minimum=1) for i, n in enumerate(widths)]


def he_relu_network(widths: Sequence[int], seed: int = 0, bias_scale: float = 1.0) -> ReluNetwork:
    """A random ReLU network with He initialisation.

    Introduced in chapter 4 (Nonlinear activations).

    Weights W_l have i.i.d. N(0, 2 / n_{l−1}) entries (He et al. 2015, which keeps the mean
    square pre-activation constant through ReLU layers); biases have i.i.d. N(0, bias_scale²)
    entries. The biases set the length scale of the regions: with bias_scale = 0 the network
    is positively homogeneous and a 1-D input has a single kink at 0; the default 1.0 puts the
    breakpoints of a 1-D input at distances of order 1 from the origin.

    Parameters
    ----------
    widths : sequence of int
        [n_0, n_1, …, n_L], all ≥ 1, at least two entries (n_0 and n_L).
    seed : int
        Seed for ``np.random.default_rng``.
    bias_scale : float
        Standard deviation of the biases, ≥ 0.

    Returns
    -------
    ReluNetwork

    Raises
    ------
    TypeError / ValueError
        ``widths`` too short or with non-positive entries, ``seed`` not an integer ≥ 0,
        ``bias_scale`` negative or not finite.
    """
    ws = _check_widths(widths)
    seed = check_int(seed, "seed", minimum=0)
    bias_scale = check_real(bias_scale, "bias_scale", low=0.0)
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in itertools.pairwise(ws):
        weights.append(rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in)))
        biases.append(rng.normal(0.0, 1.0, size=fan_out) * bias_scale)
    return ReluNetwork(tuple(weights), tuple(biases))


def sawtooth_network(depth: int) -> ReluNetwork:
    """Telgarsky's sawtooth: the tent map t(x) = 2 relu(x) − 4 relu(x − 1/2), ``depth`` times.

    Introduced in chapter 4 (Nonlinear activations).

    On [0, 1] the tent map is t(x) = 2 min(x, 1 − x), and its ``depth``-fold composition is
    t^L(x) = 2 dist(2^{L−1} x, ℤ) = arccos(cos(2^L π x)) / π: a sawtooth with exactly 2^L
    linear pieces, breakpoints k / 2^L, built from only 2L ReLU units (Telgarsky 2016,
    "Benefits of depth in neural networks"). Widths [1, 2, …, 2, 1]; all weights (1, 2, −4)
    and biases (0, −1/2) are dyadic, so float64 evaluates it exactly at dyadic inputs.

    Parameters
    ----------
    depth : int
        L ≥ 1, the number of tent maps (hidden layers of two units).

    Returns
    -------
    ReluNetwork

    Raises
    ------
    TypeError / ValueError
        ``depth`` not an integer ≥ 1.
    """
    depth = check_int(depth, "depth", minimum=1)
    tent_in = np.array([[2.0, -4.0]])  # combines (relu(x), relu(x − 1/2)) into t(x)
    hidden_b = np.array([0.0, -0.5])
    weights = [np.array([[1.0], [1.0]])]
    for _ in range(depth - 1):
        weights.append(np.vstack([tent_in, tent_in]))
    weights.append(tent_in.copy())
    biases = [hidden_b.copy() for _ in range(depth)] + [np.zeros(1)]
    return ReluNetwork(tuple(weights), tuple(biases))


def product_bound(widths: Sequence[int] | ReluNetwork) -> int:
    """The trivial bound ∏_{hidden l} (n_l + 1) on the number of pieces along a 1-D path.

    Introduced in chapter 4 (Nonlinear activations).

    Each hidden layer is affine on every piece of the previous layer, so its n_l units can cut
    a piece into at most n_l + 1 sub-pieces; multiplying over layers bounds the pieces of any
    segment (and of a 1-D input network).

    Parameters
    ----------
    widths : sequence of int or ReluNetwork
        [n_0, …, n_L] (or a network, whose ``widths`` are used).

    Returns
    -------
    int
        ∏_{l=1}^{L−1} (n_l + 1) (1 for a network without hidden layers), an exact Python int.
    """
    ws = widths.widths if isinstance(widths, ReluNetwork) else _check_widths(widths)
    out = 1
    for n in ws[1:-1]:
        out *= n + 1
    return out


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

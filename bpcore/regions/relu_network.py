"""ReLU networks: the network, He-initialised and sawtooth instances, and the product bound.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bpcore._validate import check_int, check_real, check_real_array

__all__ = ["ReluNetwork", "he_relu_network", "product_bound", "sawtooth_network"]


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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.regions import ReluNetwork
    >>> weights = (np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]]))
    >>> net = ReluNetwork(weights, (np.zeros(2), np.zeros(1)))
    >>> net, net.widths, net.hidden_neurons
    (ReluNetwork(widths=[1, 2, 1], hidden_neurons=2), [1, 2, 1], 2)
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

    Examples
    --------
    >>> from bpcore.regions import count_regions, he_relu_network
    >>> net = he_relu_network([1, 8, 8, 1], seed=0)
    >>> net
    ReluNetwork(widths=[1, 8, 8, 1], hidden_neurons=16)
    >>> count_regions(net, -2.0, 2.0).pieces
    8
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

    Examples
    --------
    >>> from bpcore.regions import count_regions, sawtooth_network
    >>> net = sawtooth_network(3)
    >>> net
    ReluNetwork(widths=[1, 2, 2, 2, 1], hidden_neurons=6)
    >>> count_regions(net, 0.0, 1.0).linear_pieces
    8
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

    Examples
    --------
    >>> from bpcore.regions import he_relu_network, product_bound
    >>> product_bound([1, 4, 4, 1])
    25
    >>> product_bound(he_relu_network([1, 16, 16, 16, 1]))
    4913
    """
    ws = widths.widths if isinstance(widths, ReluNetwork) else _check_widths(widths)
    out = 1
    for n in ws[1:-1]:
        out *= n + 1
    return out

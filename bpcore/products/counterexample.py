"""The spectral radius of each factor says nothing about the product: ρ(A) = ρ(B) = 0, ρ(AB) = 4.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_square_matrix
from bpcore.products.ordered import _MAX_STEPS

__all__ = [
    "RhoCounterexample",
    "alternating_growth",
    "rho_counterexample",
    "rho_counterexample_network",
]


# ---------------------------------------------------------------------------------------------
# the spectral radius of each factor says nothing about the product


def rho_counterexample() -> tuple[np.ndarray, np.ndarray]:
    """Two backprop factors with ρ(A) = ρ(B) = 1/2 < 1 < ρ(AB) = 4, taken from a real network.

    Introduced in chapter 4 (Nonlinear activations).

    A and B are the two backward factors D_l Wᵀ of ONE tied leaky-ReLU network (slope α = 1/16
    for z < 0), W = [[0, 2], [2, 0]], b = (−7/8, −7/8), on its 2-cycle
    (7/8, −1) ↦ (−1, 7/8) ↦ (7/8, −1) (exact in binary floating point). On the cycle the
    derivative diagonals are D_1 = diag(1, 1/16) and D_2 = diag(1/16, 1), the roles of the two
    units swapping between layers:

        A = D_1 Wᵀ = [[0, 2], [1/8, 0]],   B = D_2 Wᵀ = [[0, 1/8], [2, 0]],
        AB = [[4, 0], [0, 1/64]].

    For backprop this means: two layers whose factors would each, repeated alone, shrink δ
    (ρ = 1/2 per layer), but alternating them multiplies ‖δ‖ by 4 per pair (checked by running
    the network with :meth:`bpcore.network.MLP.backward`; see :func:`rho_counterexample_network`,
    which also gives the plain-ReLU variant with ρ(A) = ρ(B) = 0). The spectral radii of the
    layers' factors do not bound the growth of δ (the joint spectral radius, chapter 5, does);
    what matters is the ordered product. Dynamically, ρ(AB) = 4 > 1 says the forward 2-cycle
    repels.

    Returns
    -------
    A, B : (2, 2) arrays
        Exact dyadic entries.

    Examples
    --------
    >>> from bpcore.products import rho_counterexample
    >>> A, B = rho_counterexample()
    >>> A
    array([[0.   , 2.   ],
           [0.125, 0.   ]])
    >>> B @ A
    array([[0.015625, 0.      ],
           [0.      , 4.      ]])
    """
    net = rho_counterexample_network()
    return net.A.copy(), net.B.copy()


@dataclass(frozen=True, eq=False)
class RhoCounterexample:
    """A tied two-unit network whose backward factors on a 2-cycle have ρ(A), ρ(B) < 1 < ρ(AB).

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    W, b : arrays
        The tied weight matrix and bias: every layer is z ↦ W f(z) + b.
    activation : str
        ``"leaky_relu"`` with ``alpha`` (1/16) or ``"relu"`` (alpha 0).
    alpha : float
        Slope of the activation for z < 0.
    cycle : (2, 2) array
        The 2-cycle: rows z_1, z_2 with W f(z_1) + b = z_2 and W f(z_2) + b = z_1.
    masks : (2, 2, 2) array
        D_1 = diag f'(z_1), D_2 = diag f'(z_2) (0/1 masks for ReLU).
    A, B : (2, 2) arrays
        The backward factors D_1 Wᵀ and D_2 Wᵀ (δ at z_1 = A δ at z_2, and so on).
    rho_A, rho_B, rho_AB : float
        Spectral radii of A, B and AB.

    Examples
    --------
    >>> from bpcore.products import rho_counterexample_network
    >>> ex = rho_counterexample_network()
    >>> ex.rho_A, ex.rho_B, ex.rho_AB
    (0.5, 0.5, 4.0)
    >>> ex.cycle
    array([[ 0.875, -1.   ],
           [-1.   ,  0.875]])
    """

    W: np.ndarray
    b: np.ndarray
    activation: str
    alpha: float
    cycle: np.ndarray
    masks: np.ndarray
    A: np.ndarray
    B: np.ndarray
    rho_A: float
    rho_B: float
    rho_AB: float

    def __repr__(self) -> str:
        return (
            f"RhoCounterexample(activation={self.activation}, alpha={self.alpha:g}, "
            f"W={short_array(self.W)}, b={short_array(self.b)}, cycle={short_array(self.cycle)}, "
            f"rho_A={self.rho_A:.6g}, rho_B={self.rho_B:.6g}, rho_AB={self.rho_AB:.6g})"
        )


def rho_counterexample_network(activation: str = "leaky_relu") -> RhoCounterexample:
    """The tied network behind :func:`rho_counterexample`, with its cycle, masks and factors.

    Introduced in chapter 4 (Nonlinear activations).

    W = [[0, 2], [2, 0]] at every layer. With f(z) = z for z > 0 and α z for z ≤ 0 and the tied
    bias b = (β, β), the points p = −β > 0 and q = β/(1 − 2α) < 0 form the 2-cycle
    (p, q) ↔ (q, p) (for α < 1/2), the factors are A = diag(1, α) Wᵀ, B = diag(α, 1) Wᵀ, so
    ρ(A) = ρ(B) = 2√α and AB = diag(4, 4α²), ρ(AB) = 4.

    * ``"leaky_relu"``: α = 1/16, β = −7/8, cycle (7/8, −1) ↔ (−1, 7/8); ρ(A) = ρ(B) = 1/2.
    * ``"relu"``: α = 0, β = −1, cycle (1, −1) ↔ (−1, 1); D_1 = diag(1, 0), D_2 = diag(0, 1)
      are genuine 0/1 masks and ρ(A) = ρ(B) = 0 (A, B nilpotent).

    The cycle, masks and factors are computed by running the layer z ↦ W f(z) + b (the masks
    are ``Activation.df`` on the cycle), not typed in.

    Parameters
    ----------
    activation : {"leaky_relu", "relu"}

    Returns
    -------
    RhoCounterexample

    Raises
    ------
    ValueError
        For another activation.

    Examples
    --------
    >>> from bpcore.products import rho_counterexample_network
    >>> ex = rho_counterexample_network("relu")
    >>> ex.activation, ex.rho_A, ex.rho_B, ex.rho_AB
    ('relu', 0.0, 0.0, 4.0)
    """
    from bpcore.activations import get_activation, leaky_relu
    from bpcore.linear import spectral_radius

    if activation == "leaky_relu":
        alpha, beta, act = 1 / 16, -7 / 8, leaky_relu(1 / 16)
    elif activation == "relu":
        alpha, beta, act = 0.0, -1.0, get_activation("relu")
    else:
        raise ValueError(f"activation must be 'leaky_relu' or 'relu', got {activation!r}")
    W = np.array([[0.0, 2.0], [2.0, 0.0]])
    b = np.array([beta, beta])
    z1 = np.array([-beta, beta / (1.0 - 2.0 * alpha)])
    z2 = W @ act.f(z1) + b
    if not np.array_equal(W @ act.f(z2) + b, z1):  # exact dyadic arithmetic
        raise RuntimeError("internal error: the 2-cycle does not close")
    cycle = np.stack([z1, z2])
    masks = np.stack([np.diag(act.df(z1)), np.diag(act.df(z2))])
    A, B = masks[0] @ W.T, masks[1] @ W.T
    for arr in (W, b, cycle, masks, A, B):
        arr.setflags(write=False)
    return RhoCounterexample(
        W,
        b,
        activation,
        alpha,
        cycle,
        masks,
        A,
        B,
        float(spectral_radius(A)),
        float(spectral_radius(B)),
        float(spectral_radius(A @ B)),
    )


def alternating_growth(A: np.ndarray, B: np.ndarray, n: int) -> np.ndarray:
    """ln ‖(AB)^k‖₂ for k = 0, …, n: the growth of the alternating product A B A B ⋯.

    Introduced in chapter 4 (Nonlinear activations).

    The product is accumulated factor by factor (A, then B, …) and renormalised by a power of
    two after each factor, so the log-norms stay exact to rounding far past the float range;
    slope ≈ ln ρ(AB) per pair.

    Parameters
    ----------
    A, B : (k, k) arrays
    n : int
        Number of pairs, 0 ≤ n ≤ 10⁷.

    Returns
    -------
    (n+1,) array
        ln ‖(AB)^k‖₂ (spectral norm); −inf once the product is exactly zero.

    Raises
    ------
    TypeError, ValueError
        For non-square, non-finite or mismatched A, B, or n out of range.

    Examples
    --------
    >>> from bpcore.products import alternating_growth, rho_counterexample
    >>> A, B = rho_counterexample()
    >>> alternating_growth(A, B, 3).round(4)
    array([0.    , 1.3863, 2.7726, 4.1589])
    """
    A = check_square_matrix(A, "A")
    B = check_square_matrix(B, "B")
    if A.shape != B.shape:
        raise ValueError(f"B must have the shape of A {A.shape}, got {B.shape}")
    n = check_int(n, "n", minimum=0)
    if n > _MAX_STEPS:
        raise ValueError(f"n must be <= {_MAX_STEPS}, got {n}")
    out = np.empty(n + 1)
    P, E = np.eye(A.shape[0]), 0
    out[0] = 0.0
    for k in range(1, n + 1):  # a loop over layers
        P = P @ A @ B
        peak = np.max(np.abs(P))
        if peak == 0:
            out[k:] = -np.inf
            break
        _, e = np.frexp(peak)
        P, E = np.ldexp(P, -int(e)), E + int(e)
        out[k] = np.log(np.linalg.norm(P, 2)) + E * np.log(2.0)
    return out

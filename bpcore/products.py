"""Ordered products of matrices, and the structured families where the product collapses.

Backprop is the costate (adjoint) equation of a linear time-varying system: with the factors
M_l = D_l W^(l)ᵀ, D_l = diag f'(z^(l)), the recurrence δ^(l) = M_l δ^(l+1) is solved by

    δ^(1) = M_1 M_2 ⋯ M_L δ^(L+1),

and the ordered product M_1 ⋯ M_L is the state-transition matrix of that system. That product
always *is* the closed form; the question is when it collapses to something shorter than L
matrix products. It does when the family has structure: conjugated factors M_k = R^k A R^{−k}
(:func:`conjugated_product`), periodic factors (:func:`floquet_product`, Floquet theory),
commuting factors (:func:`commuting_product`: a common eigenbasis turns the product into
products of numbers) and simultaneously triangularisable ones (:func:`triangular_product`:
variation of constants), the discrete shadow of Wei & Norman's (1963) theorem that a solvable
Lie algebra makes the state-transition matrix a finite product of exponentials of quadratures.
Without such structure the classical tool is an approximation, the Magnus expansion (Magnus
1954; Blanes et al. 2009), not a collapse. The last two functions show why the spectral radius
of each factor alone says nothing about the product (:func:`rho_counterexample`,
:func:`alternating_growth`).

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real_array, check_square_matrix

__all__ = [
    "RhoCounterexample",
    "TriangularProduct",
    "alternating_growth",
    "common_eigenbasis",
    "commuting_product",
    "conjugated_factors",
    "conjugated_product",
    "floquet_multipliers",
    "floquet_product",
    "ordered_product",
    "rho_counterexample",
    "rho_counterexample_network",
    "triangular_product",
]

_MAX_STEPS = 10**7


def _check_stack(factors: object, name: str = "factors") -> np.ndarray:
    """A finite (n, k, k) float stack with n ≥ 1, k ≥ 1."""
    if isinstance(factors, str | bytes):
        raise TypeError(f"{name} must be an (n, k, k) stack of square matrices, got a string")
    if isinstance(factors, Sequence) and not isinstance(factors, np.ndarray):
        if len(factors) == 0:
            raise ValueError(f"{name} must contain at least one matrix, got an empty sequence")
        shapes = {np.shape(m) for m in factors}
        if len(shapes) != 1:
            raise ValueError(
                f"{name} must be square matrices of one common size, got shapes {sorted(shapes)}"
            )
    arr = check_real_array(factors, name)
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or arr.shape[1] == 0:
        raise ValueError(f"{name} must be an (n, k, k) stack of square matrices, got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one matrix, got shape {arr.shape}")
    return arr


def _finite(out: np.ndarray, what: str) -> np.ndarray:
    if not np.all(np.isfinite(out)):
        raise OverflowError(f"{what} left the float range; use fewer factors")
    return out


# ---------------------------------------------------------------------------------------------
# the reference


def ordered_product(factors: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """The ordered product M_1 M_2 ⋯ M_n (the state-transition matrix); the reference.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    factors : (n, k, k) array or sequence of n (k, k) arrays
        M_1, …, M_n in that order; for backprop M_l = D_l W^(l)ᵀ, so the product applied to
        δ^(L+1) is δ^(1).

    Returns
    -------
    (k, k) array
        M_1 ⋯ M_n, by n − 1 matrix products from the left.

    Raises
    ------
    TypeError, ValueError
        If ``factors`` is not a non-empty finite stack of equal square matrices.
    OverflowError
        If the product leaves the float range.
    """
    M = _check_stack(factors)
    out = M[0].copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for Mk in M[1:]:  # inherently sequential: a loop over layers
            out = out @ Mk
    return _finite(out, "the ordered product")


# ---------------------------------------------------------------------------------------------
# conjugated factors


def _check_R_A(R: object, A: object, n: object) -> tuple[np.ndarray, np.ndarray, int]:
    R = check_square_matrix(R, "R")
    A = check_square_matrix(A, "A")
    if A.shape != R.shape:
        raise ValueError(f"A must have the shape of R {R.shape}, got {A.shape}")
    n = check_int(n, "n", minimum=1)
    if n > _MAX_STEPS:
        raise ValueError(f"n must be <= {_MAX_STEPS}, got {n}")
    cond = np.linalg.cond(R)
    if not np.isfinite(cond) or cond > 1e12:
        raise ValueError(
            f"R must be invertible (well conditioned), got condition number {cond:.3g}"
        )
    return R, A, n


def conjugated_factors(R: np.ndarray, A: np.ndarray, n: int) -> np.ndarray:
    """The stack M_k = R^k A R^{−k}, k = 1, …, n (the factors change layer by layer).

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    R, A : (k, k) arrays
        R invertible (condition number ≤ 1e12).
    n : int
        Number of factors, ≥ 1.

    Returns
    -------
    (n, k, k) array
        M_1, …, M_n.

    Raises
    ------
    TypeError, ValueError
        For non-square, non-finite or mismatched R and A, a singular R, or n < 1.
    """
    R, A, n = _check_R_A(R, A, n)
    Rinv = np.linalg.inv(R)
    out = np.empty((n, *A.shape))
    P, Pinv = np.eye(A.shape[0]), np.eye(A.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(n):  # a loop over layers
            P, Pinv = R @ P, Pinv @ Rinv
            out[k] = P @ A @ Pinv
    return _finite(out, "the conjugated factors")


def conjugated_product(R: np.ndarray, A: np.ndarray, n: int) -> np.ndarray:
    """Closed form of M_1 ⋯ M_n for M_k = R^k A R^{−k}: (RA)^n R^{−n}.

    Introduced in chapter 4 (Nonlinear activations).

    The inner R^{−k} R^{k+1} telescope to R, so the product is R A R A ⋯ R A R^{−n}: two matrix
    powers (binary powering, O(log n) products) instead of n products.

    Parameters
    ----------
    R, A, n
        As in :func:`conjugated_factors`.

    Returns
    -------
    (k, k) array
        (RA)^n R^{−n}.

    Raises
    ------
    TypeError, ValueError
        As in :func:`conjugated_factors`.
    OverflowError
        If a power leaves the float range.
    """
    R, A, n = _check_R_A(R, A, n)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.linalg.matrix_power(R @ A, n) @ np.linalg.matrix_power(np.linalg.inv(R), n)
    return _finite(out, "(RA)^n R^(-n)")


# ---------------------------------------------------------------------------------------------
# periodic factors (Floquet)


def floquet_product(period: np.ndarray | Sequence[np.ndarray], n: int) -> np.ndarray:
    """Product of the first n factors of a periodic family: P^q · M_1 ⋯ M_r, n = q p + r.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    period : (p, k, k) array
        M_1, …, M_p; the family is M_{j+p} = M_j (e.g. layers that repeat with period p).
    n : int
        Number of factors, ≥ 0 (n = 0 gives the identity).

    Returns
    -------
    (k, k) array
        M_1 ⋯ M_n = P^q M_1 ⋯ M_r with P = M_1 ⋯ M_p (the monodromy matrix); P^q by binary
        powering. Its eigenvalues are the Floquet multipliers (:func:`floquet_multipliers`).

    Raises
    ------
    TypeError, ValueError
        For a bad stack or n < 0.
    OverflowError
        If P^q leaves the float range.
    """
    M = _check_stack(period, "period")
    n = check_int(n, "n", minimum=0)
    q, r = divmod(n, M.shape[0])
    P = ordered_product(M)
    head = ordered_product(M[:r]) if r else np.eye(M.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.linalg.matrix_power(P, q) @ head
    return _finite(out, "P^q M_1...M_r")


def floquet_multipliers(period: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """Floquet multipliers μ_i = eigenvalues of the one-period product P = M_1 ⋯ M_p.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    period : (p, k, k) array
        As in :func:`floquet_product`.

    Returns
    -------
    (k,) complex array
        The μ_i sorted by decreasing modulus; ‖M_1 ⋯ M_n‖ grows like max|μ|^(n/p), i.e. at the
        rate (1/p) ln max|μ| per layer.
    """
    ev = np.linalg.eigvals(ordered_product(_check_stack(period, "period")))
    return ev[np.argsort(-np.abs(ev), kind="stable")]


# ---------------------------------------------------------------------------------------------
# commuting and triangular families


def _commutator_size(M: np.ndarray) -> float:
    """max_{i,j} ‖M_i M_j − M_j M_i‖_F / (‖M_i‖_F ‖M_j‖_F) (vectorised over pairs)."""
    C = np.einsum("iab,jbc->ijac", M, M)
    comm = np.linalg.norm(C - C.transpose(1, 0, 2, 3), axis=(2, 3))
    norms = np.linalg.norm(M, axis=(1, 2))
    scale = np.outer(norms, norms)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(scale > 0, comm / np.where(scale > 0, scale, 1.0), 0.0)
    return float(np.max(rel))


def common_eigenbasis(
    factors: np.ndarray | Sequence[np.ndarray], *, tol: float = 1e-10, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A common eigenbasis V of a commuting, diagonalisable family: V⁻¹ M_j V = diag(λ_j).

    Introduced in chapter 4 (Nonlinear activations).

    V diagonalises a random combination Σ c_j M_j (``seed``); for a commuting family whose
    joint eigenvalues separate, that combination has distinct eigenvalues and its eigenvectors
    diagonalise every M_j.

    Parameters
    ----------
    factors : (n, k, k) array
    tol : float
        Relative tolerance for the commutators and for the off-diagonal part of V⁻¹ M_j V.
    seed : int
        Seed of the random combination.

    Returns
    -------
    V : (k, k) complex array
    eigenvalues : (n, k) complex array
        Row j holds the eigenvalues of M_j in the order of V's columns.

    Raises
    ------
    ValueError
        If the family does not commute (the message gives the measured relative commutator
        size), or is not simultaneously diagonalisable (e.g. a Jordan block: use
        :func:`triangular_product`).
    """
    M = _check_stack(factors)
    size = _commutator_size(M)
    if size > tol:
        raise ValueError(
            "factors must commute: max ‖M_i M_j − M_j M_i‖/(‖M_i‖‖M_j‖) = "
            f"{size:.3g} > tol = {tol:g}"
        )
    rng = np.random.default_rng(check_int(seed, "seed"))
    combo = np.einsum("j,jab->ab", rng.normal(size=M.shape[0]), M)
    _, V = np.linalg.eig(combo)
    cond = np.linalg.cond(V)
    if not np.isfinite(cond) or cond > 1 / tol:
        raise ValueError(
            f"factors must be simultaneously diagonalisable; the common eigenvector matrix has "
            f"condition number {cond:.3g} (a Jordan block?): use triangular_product"
        )
    Vinv = np.linalg.inv(V)
    T = np.einsum("ab,jbc,cd->jad", Vinv, M, V)
    diag = np.einsum("jaa->ja", T)
    off = np.linalg.norm(T - diag[:, :, None] * np.eye(M.shape[1]), axis=(1, 2))
    scale = np.maximum(np.linalg.norm(M, axis=(1, 2)), np.finfo(float).tiny) * cond
    if np.max(off / scale) > tol:
        raise ValueError(
            "factors must be simultaneously diagonalisable; V⁻¹ M_j V keeps a relative "
            f"off-diagonal part {np.max(off / scale):.3g}: use triangular_product"
        )
    return V, diag


def commuting_product(
    factors: np.ndarray | Sequence[np.ndarray], *, tol: float = 1e-10, seed: int = 0
) -> np.ndarray:
    """Closed form of M_1 ⋯ M_n for a commuting family: V diag(∏_j λ_j) V⁻¹.

    Introduced in chapter 4 (Nonlinear activations).

    In the common eigenbasis (:func:`common_eigenbasis`) every factor is diagonal, so the
    product of matrices becomes k products of numbers (ln of the product = Σ ln λ_j: the
    "linear system in disguise").

    Parameters
    ----------
    factors : (n, k, k) array
    tol, seed
        As in :func:`common_eigenbasis`.

    Returns
    -------
    (k, k) array
        The product (real for real factors; the imaginary rounding residue is dropped).

    Raises
    ------
    ValueError
        If the family does not commute (message gives the measured commutator size) or is not
        simultaneously diagonalisable.
    OverflowError
        If the product leaves the float range.
    """
    V, lam = common_eigenbasis(factors, tol=tol, seed=seed)
    with np.errstate(over="ignore", invalid="ignore"):
        out = (V * np.prod(lam, axis=0)[None, :]) @ np.linalg.inv(V)
    return _finite(np.real(out), "the product of eigenvalues")


@dataclass(frozen=True, eq=False)
class TriangularProduct:
    """Closed form of the product of 2×2 upper-triangular factors [[a_j, c_j], [0, d_j]].

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    product : (2, 2) array
        [[∏ a_j, Σ_k (∏_{j<k} a_j) c_k (∏_{j>k} d_j)], [0, ∏ d_j]].
    eigenvalues : (2,) array
        ∏ a_j and ∏ d_j: the eigenvalues of the product are the products of the diagonals.
    terms : (n,) array
        The variation-of-constants terms (∏_{j<k} a_j) c_k (∏_{j>k} d_j), k = 1, …, n.
    """

    product: np.ndarray
    eigenvalues: np.ndarray
    terms: np.ndarray

    def __repr__(self) -> str:
        return (
            f"TriangularProduct(n={self.terms.size}, eigenvalues={short_array(self.eigenvalues)}, "
            f"offdiagonal={self.product[0, 1]:.10g})"
        )


def triangular_product(
    factors: np.ndarray | Sequence[np.ndarray], *, tol: float = 0.0
) -> TriangularProduct:
    """Closed form of M_1 ⋯ M_n for 2×2 upper-triangular factors (variation of constants).

    Introduced in chapter 4 (Nonlinear activations).

    Upper-triangular matrices form a solvable Lie algebra; the product is solved by nested sums
    (the discrete analogue of Wei & Norman's quadratures): the diagonal entries multiply, and
    the corner is Σ_k (∏_{j<k} a_j) c_k (∏_{j>k} d_j), computed with cumulative products.

    Parameters
    ----------
    factors : (n, 2, 2) array
        Upper triangular: |M_j[1, 0]| ≤ tol · ‖M_j‖ (default: exactly 0).
    tol : float
        Relative tolerance for the lower entry.

    Returns
    -------
    TriangularProduct

    Raises
    ------
    ValueError
        If the factors are not 2×2 or not upper triangular.
    OverflowError
        If the product leaves the float range.
    """
    M = _check_stack(factors)
    if M.shape[1] != 2:
        raise ValueError(f"factors must be 2×2 upper-triangular matrices, got {M.shape[1:]}")
    lower = np.abs(M[:, 1, 0])
    if np.any(lower > tol * np.linalg.norm(M, axis=(1, 2))):
        raise ValueError(
            f"factors must be upper triangular (M[1, 0] = 0); largest lower entry {lower.max():.3g}"
        )
    a, c, d = M[:, 0, 0], M[:, 0, 1], M[:, 1, 1]
    with np.errstate(over="ignore", invalid="ignore"):
        before = np.concatenate(([1.0], np.cumprod(a)[:-1]))  # ∏_{j<k} a_j
        after = np.concatenate((np.cumprod(d[::-1])[::-1][1:], [1.0]))  # ∏_{j>k} d_j
        terms = before * c * after
        prod_a, prod_d = np.prod(a), np.prod(d)
        product = np.array([[prod_a, np.sum(terms)], [0.0, prod_d]])
    _finite(product, "the triangular product")
    return TriangularProduct(product, np.array([prod_a, prod_d]), terms)


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

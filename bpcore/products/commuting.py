"""Commuting and simultaneously triangularisable factors: products of numbers.

A common eigenbasis turns the ordered product into products of eigenvalues; triangular
factors give it by variation of constants (the discrete shadow of Wei & Norman 1963).

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int
from bpcore.products.ordered import _check_stack, _finite

__all__ = ["TriangularProduct", "common_eigenbasis", "commuting_product", "triangular_product"]


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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import common_eigenbasis
    >>> family = [np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([[1.0, 3.0], [3.0, 1.0]])]
    >>> V, lam = common_eigenbasis(family)
    >>> np.sort(lam, axis=1)
    array([[ 1.,  3.],
           [-2.,  4.]])
    >>> bool(np.allclose(np.linalg.inv(V) @ family[1] @ V, np.diag(lam[1])))
    True
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import commuting_product
    >>> family = [np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([[1.0, 3.0], [3.0, 1.0]])]
    >>> commuting_product(family).round(6)
    array([[5., 7.],
           [7., 5.]])
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import triangular_product
    >>> factors = [np.array([[2.0, 1.0], [0.0, 0.5]]), np.array([[1.0, 1.0], [0.0, 3.0]])]
    >>> tri = triangular_product(factors)
    >>> tri
    TriangularProduct(n=2, eigenvalues=[2.  1.5], offdiagonal=5)
    >>> tri.product
    array([[2. , 5. ],
           [0. , 1.5]])
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import ordered_product, triangular_product
    >>> factors = [np.array([[2.0, 1.0], [0.0, 0.5]]), np.array([[1.0, 1.0], [0.0, 3.0]])]
    >>> bool(np.allclose(triangular_product(factors).product, ordered_product(factors)))
    True
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

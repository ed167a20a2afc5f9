"""Products of matrices: brute-force bounds on the joint spectral radius.

:func:`jsr_bounds` brackets the joint spectral radius by brute force over all products of
length k, and counts the products it formed; :func:`relu_backward_factors` gives the backward
factors D Wᵀ of a tied ReLU net, whose products are what backprop multiplies δ by.

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bpcore._validate import check_int, check_real_array, check_square_matrix

__all__ = ["JSRBounds", "jsr_bounds", "jsr_bounds_by_length", "relu_backward_factors"]


@dataclass(frozen=True)
class JSRBounds:
    """Brute-force bounds on the joint spectral radius from all products of length k.

    Introduced in chapter 5 (What can be proved impossible).

    For every k: max_P ρ(P)^(1/k) ≤ JSR ≤ max_P ‖P‖₂^(1/k), P over the m^k products of
    length k (Rota & Strang 1960; Jungers 2009, ch. 1).

    Attributes
    ----------
    lower, upper : float
    k : int
        Product length.
    products : int
        m^k, the products of length k examined.
    multiplications : int
        Matrix products formed so far to reach length k (m² + … + m^k).
    word : tuple of int
        Indices (left to right) of a product attaining ``lower``.

    Examples
    --------
    >>> from bpcore.impossibility import jsr_bounds
    >>> bounds = jsr_bounds([[[1, 1], [0, 1]], [[1, 0], [0, 0]]], 4)
    >>> bounds
    JSRBounds(lower=1, upper=1.43463, k=4, products=16)
    >>> bounds.word, bounds.multiplications
    ((0, 0, 0, 0), 28)
    """

    lower: float
    upper: float
    k: int
    products: int
    multiplications: int
    word: tuple[int, ...]

    def __repr__(self) -> str:
        return (
            f"JSRBounds(lower={self.lower:.6g}, upper={self.upper:.6g}, k={self.k}, "
            f"products={self.products})"
        )


def _check_matrix_set(matrices: object) -> np.ndarray:
    if isinstance(matrices, np.ndarray):
        arr = check_real_array(matrices, "matrices", ndim=3)
    elif isinstance(matrices, Sequence) and not isinstance(matrices, str | bytes):
        if len(matrices) == 0:
            raise ValueError("matrices must contain at least one matrix, got an empty set")
        mats = [check_square_matrix(A, f"matrices[{k}]") for k, A in enumerate(matrices)]
        if len({A.shape for A in mats}) != 1:
            raise ValueError(
                f"matrices must all have the same shape, got {sorted({A.shape for A in mats})}"
            )
        arr = np.stack(mats)
    else:
        raise TypeError(
            f"matrices must be a list of square matrices, got {type(matrices).__name__}"
        )
    if arr.shape[0] == 0:
        raise ValueError("matrices must contain at least one matrix, got an empty set")
    if arr.shape[1] != arr.shape[2] or arr.shape[1] == 0:
        raise ValueError(f"matrices must be square n×n, got shape {arr.shape[1:]}")
    return arr


def jsr_bounds_by_length(
    matrices: object, k_max: int, *, max_products: int = 2_000_000
) -> tuple[JSRBounds, ...]:
    """:func:`jsr_bounds` for every k = 1, …, k_max, sharing one product tree.

    Introduced in chapter 5 (What can be proved impossible).

    Parameters
    ----------
    matrices : sequence of (n, n) arrays or an (m, n, n) array
        A non-empty finite set of real square matrices of one size.
    k_max : int >= 1
    max_products : int >= 1
        Refuse (ValueError naming k_max) if m^k_max exceeds this: the cost is exponential.

    Returns
    -------
    tuple of JSRBounds
        Entry k − 1 is for length k.

    Examples
    --------
    >>> from bpcore.impossibility import jsr_bounds_by_length
    >>> table = jsr_bounds_by_length([[[1, 1], [0, 1]], [[1, 0], [0, 0]]], 4)
    >>> [round(b.upper, 4) for b in table]  # JSR = 1: the upper bound closes slowly
    [1.618, 1.5538, 1.4892, 1.4346]
    """
    A = _check_matrix_set(matrices)
    k_max = check_int(k_max, "k_max", minimum=1)
    max_products = check_int(max_products, "max_products", minimum=1)
    m, n = A.shape[0], A.shape[1]
    if m**k_max > max_products:
        raise ValueError(
            f"k_max must keep m^k_max <= max_products = {max_products} (m = {m} matrices), got "
            f"k_max = {k_max}: {m}^{k_max} = {m**k_max} products"
        )
    out = []
    P = A.copy()
    mults = 0
    for k in range(1, k_max + 1):
        if k > 1:
            P = np.matmul(P[:, None, :, :], A[None, :, :, :]).reshape(-1, n, n)
            mults += P.shape[0]
        if not np.all(np.isfinite(P)):
            raise OverflowError(f"products of length {k} overflow float64; scale the matrices")
        rho = np.max(np.abs(np.linalg.eigvals(P)), axis=1)
        norm = np.linalg.norm(P, ord=2, axis=(1, 2))
        best = int(np.argmax(rho))
        word = tuple(int(d) for d in np.unravel_index(best, (m,) * k)) if k > 1 else (best,)
        out.append(
            JSRBounds(
                lower=float(rho[best]) ** (1.0 / k),
                upper=float(norm.max()) ** (1.0 / k),
                k=k,
                products=m**k,
                multiplications=mults,
                word=word,
            )
        )
    return tuple(out)


def jsr_bounds(matrices: object, k: int, *, max_products: int = 2_000_000) -> JSRBounds:
    """Bounds on the joint spectral radius from all m^k products of length k.

    Introduced in chapter 5 (What can be proved impossible).

    ρ(Σ) = lim_k max_P ‖P‖^(1/k) over products P of k matrices from Σ. For every k,
    max ρ(P)^(1/k) ≤ ρ(Σ) ≤ max ‖P‖₂^(1/k); both bounds converge, but the work is m^k and the
    gap can close arbitrarily slowly (for {[[1, 1], [0, 1]], [[1, 0], [0, 0]]}, JSR 1, the
    upper bound is still ≈ 1.16 at k = 20). Computing or approximating the JSR is NP-hard
    (Tsitsiklis & Blondel 1997) and boundedness of all products is undecidable (Blondel &
    Tsitsiklis 2000).

    Parameters
    ----------
    matrices, max_products : see :func:`jsr_bounds_by_length`
    k : int >= 1

    Returns
    -------
    JSRBounds

    Examples
    --------
    >>> from bpcore.impossibility import jsr_bounds
    >>> jsr_bounds([[[1, 1], [0, 1]], [[1, 0], [1, 1]]], 2)
    JSRBounds(lower=1.61803, upper=1.61803, k=2, products=4)
    """
    A = _check_matrix_set(matrices)
    k = check_int(k, "k", minimum=1)
    max_products = check_int(max_products, "max_products", minimum=1)
    if A.shape[0] ** k > max_products:
        raise ValueError(
            f"k must keep m^k <= max_products = {max_products} (m = {A.shape[0]} matrices), got "
            f"k = {k}: {A.shape[0] ** k} products"
        )
    return jsr_bounds_by_length(A, k, max_products=max_products)[-1]


def relu_backward_factors(W: object, patterns: object = None) -> np.ndarray:
    """The backward factors D Wᵀ of a tied ReLU layer, one per activation pattern.

    Introduced in chapter 5 (What can be proved impossible).

    Backprop through a tied ReLU net multiplies δ by M = D Wᵀ with D = diag(pattern), the
    pattern being which units are on at that layer; which products occur depends on the input.
    Over *all* patterns the set always contains 0 (all off) and Wᵀ (all on), so its JSR is at
    least ρ(W).

    Parameters
    ----------
    W : (n, n) array
    patterns : (p, n) array of 0/1, optional
        The patterns to use; default all 2^n (n ≤ 10).

    Returns
    -------
    (p, n, n) array
        Entry k is diag(patterns[k]) Wᵀ; default order: pattern k has bit j = (k >> j) & 1.

    Examples
    --------
    >>> from bpcore.impossibility import relu_backward_factors
    >>> factors = relu_backward_factors([[1, 2], [3, 4]])
    >>> factors.shape
    (4, 2, 2)
    >>> factors[1]  # pattern 1: only unit 0 on, so only row 0 of Wᵀ survives
    array([[1., 3.],
           [0., 0.]])
    """
    W = check_square_matrix(W, "W")
    n = W.shape[0]
    if patterns is None:
        if n > 10:
            raise ValueError(f"W must be at most 10×10 for all 2^n patterns, got n = {n}")
        D = ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)
    else:
        D = check_real_array(patterns, "patterns", ndim=2)
        if D.shape[1] != n or D.shape[0] == 0:
            raise ValueError(f"patterns must have shape (p, {n}) with p >= 1, got {D.shape}")
        if not np.all((D == 0) | (D == 1)):
            raise ValueError("patterns must contain only 0 and 1")
    return D[:, :, None] * W.T[None, :, :]

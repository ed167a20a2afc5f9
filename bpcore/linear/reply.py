"""The Q&A reply's formulas, reproduced so the chapters can show where they hold.

Introduced in chapter 0 (The question); used again in chapter 3 (Linear networks).

A Q&A reply wrote δ^(n) = (W^(m−n))ᵀ with W = RᵀDR: that drops the factor δ^(m) and needs W
symmetric. ``reply_formula``, ``rtdr_formula`` and ``rtdr_from_symmetric`` compute exactly what
it wrote; the correct closed form is :func:`bpcore.linear.closed_forms.tied_delta`.
"""

from __future__ import annotations

import numpy as np

from bpcore._validate import check_int, check_real_array, check_square_matrix
from bpcore.linear._powers import _overflow

__all__ = ["reply_formula", "rtdr_formula", "rtdr_from_symmetric"]

#: ``rtdr_from_symmetric`` accepts max|W − Wᵀ| ≤ this · max|W|.
_SYMMETRY_RTOL = 1e-12


def reply_formula(W: np.ndarray, k: int) -> np.ndarray:
    """(Wᵏ)ᵀ exactly as the reply wrote it — a matrix, not the vector δ.

    Introduced in chapter 0 (The question); used again in chapter 3 (Linear networks).

    (Wᵏ)ᵀ = (Wᵀ)ᵏ is the correct *operator*, but δ^(n) is that matrix applied to δ^(m):
    ``reply_formula(W, k) @ delta_out`` equals ``tied_delta(W, k, delta_out).delta``.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import reply_formula
    >>> reply_formula(np.array([[1.0, 1.0], [0.0, 1.0]]), 3)  # a matrix, not δ
    array([[1., 0.],
           [3., 1.]])
    """
    W = check_square_matrix(W, "W")
    k = check_int(k, "k", minimum=0)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.linalg.matrix_power(W, k).T
    if not np.all(np.isfinite(out)):
        raise _overflow(k, "W^k")
    return out


def rtdr_formula(R: np.ndarray, D: np.ndarray, k: int) -> np.ndarray:
    """Rᵀ Dᵏ R, the reply's W^k for W = Rᵀ D R.

    Introduced in chapter 3 (Linear networks).

    Equals Wᵏ only when R is orthogonal (R⁻¹ = Rᵀ), i.e. W symmetric; no check is made here,
    so the chapter can show what goes wrong otherwise.

    Parameters
    ----------
    R : (n, n) array
    D : (n,) array of diagonal entries or (n, n) diagonal matrix
    k : int ≥ 0

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import rtdr_formula
    >>> rtdr_formula(np.eye(2), np.array([2.0, 3.0]), 2)
    array([[4., 0.],
           [0., 9.]])
    """
    R = check_square_matrix(R, "R")
    k = check_int(k, "k", minimum=0)
    D = check_real_array(D, "D")
    n = R.shape[0]
    if D.ndim == 2:
        if D.shape != (n, n) or np.any(D - np.diag(np.diag(D))):
            raise ValueError(f"D must be a diagonal {n}×{n} matrix (or its diagonal), got {D}")
        D = np.diag(D)
    if D.shape != (n,):
        raise ValueError(f"D must have {n} diagonal entries to match R, got shape {D.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        out = R.T @ (D[:, None] ** k * R)
    if not np.all(np.isfinite(out)):
        raise _overflow(k, "Rᵀ D^k R")
    return out


def rtdr_from_symmetric(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, D) with W = Rᵀ D R, R orthogonal and D diagonal, from numpy.linalg.eigh.

    Introduced in chapter 3 (Linear networks).

    Raises ValueError for a non-symmetric W (max|W − Wᵀ| > 1e-12 · max|W|): Rᵀ D R is
    always symmetric ((RᵀDR)ᵀ = RᵀDᵀR = RᵀDR), so no such factorisation exists.

    Returns
    -------
    R : (n, n) orthogonal array (rows are eigenvectors)
    D : (n, n) diagonal array of eigenvalues

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import rtdr_from_symmetric
    >>> W = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> R, D = rtdr_from_symmetric(W)
    >>> np.diag(D).round(4).tolist(), bool(np.allclose(R.T @ D @ R, W))
    ([1.0, 3.0], True)
    """
    W = check_square_matrix(W, "W")
    if np.max(np.abs(W - W.T)) > _SYMMETRY_RTOL * np.max(np.abs(W)):
        raise ValueError(
            "W must be symmetric for W = RᵀΛR: RᵀΛR is always symmetric, so a non-symmetric W "
            f"(max|W − Wᵀ| = {np.max(np.abs(W - W.T)):.3g}) has no such factorisation"
        )
    lam, Q = np.linalg.eigh((W + W.T) / 2)
    return Q.T, np.diag(lam)

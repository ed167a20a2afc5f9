"""The ordered product M_1 ⋯ M_L, and where it collapses by conjugation or by a period.

Conjugated factors M_k = R^k A R^{−k} give (RA)^n R^{−n}; periodic factors give Floquet's
form (one period's product to a power).

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bpcore._validate import check_int, check_real_array, check_square_matrix

__all__ = [
    "conjugated_factors",
    "conjugated_product",
    "floquet_multipliers",
    "floquet_product",
    "ordered_product",
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import ordered_product
    >>> A = np.array([[0.5, 1.0], [0.0, 0.5]])
    >>> ordered_product([A, A, A])
    array([[0.125, 0.75 ],
           [0.   , 0.125]])
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import conjugated_factors
    >>> R, A = np.array([[0.0, -1.0], [1.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 1.0]])
    >>> factors = conjugated_factors(R, A, 2)
    >>> factors.shape, factors[0].round(6)
    ((2, 2, 2), array([[1., 0.],
           [0., 2.]]))
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import conjugated_factors, conjugated_product, ordered_product
    >>> R, A = np.array([[0.0, -1.0], [1.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 1.0]])
    >>> conjugated_product(R, A, 5).round(6)
    array([[4., 0.],
           [0., 8.]])
    >>> bool(np.allclose(conjugated_product(R, A, 5), ordered_product(conjugated_factors(R, A, 5))))
    True
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import floquet_product, ordered_product
    >>> period = [np.diag([2.0, 0.5]), np.array([[0.0, 1.0], [1.0, 0.0]])]
    >>> floquet_product(period, 5)
    array([[2. , 0. ],
           [0. , 0.5]])
    >>> bool(np.allclose(floquet_product(period, 5), ordered_product((period * 3)[:5])))
    True
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.products import floquet_multipliers
    >>> period = [np.diag([2.0, 0.5]), np.array([[0.0, 1.0], [1.0, 0.0]])]
    >>> np.sort(floquet_multipliers(period).real)
    array([-1.,  1.])
    """
    ev = np.linalg.eigvals(ordered_product(_check_stack(period, "period")))
    return ev[np.argsort(-np.abs(ev), kind="stable")]

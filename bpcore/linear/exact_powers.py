"""(Wᵀ)ᵏ exactly, as a sympy matrix in the symbol k, from the Jordan form of Wᵀ.

Introduced in chapter 3 (Linear networks).

The float64 power of :func:`bpcore.linear.closed_forms.tied_delta` is a number for one k; this
is the closed form for every k at once, for W with exact rational entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._validate import check_exact_number
from bpcore.linear._powers import _jordan_power

__all__ = ["symbolic_tied_delta"]


def _exact_matrix(W: object) -> sp.Matrix:
    """W as an exact sympy Matrix of Rationals; TypeError for floats, ValueError for shape."""
    if isinstance(W, sp.MatrixBase):
        rows = W.tolist()
    elif isinstance(W, np.ndarray):
        if W.dtype.kind == "f" or W.dtype.kind == "c":
            raise TypeError(
                "W must have exact entries (integers, fractions.Fraction or sympy Rationals), "
                f"got a float array of dtype {W.dtype}; use an integer array or Fractions"
            )
        rows = W.tolist()
    elif isinstance(W, Sequence) and not isinstance(W, str):
        rows = [list(r) if isinstance(r, Sequence | np.ndarray) else r for r in W]
    else:
        raise TypeError(f"W must be a square matrix of exact numbers, got {type(W).__name__}")
    if (
        not rows
        or not all(isinstance(r, list) for r in rows)
        or any(len(r) != len(rows) for r in rows)
    ):
        shape = (len(rows), len(rows[0]) if rows and isinstance(rows[0], list) else 0)
        raise ValueError(f"W must be a square n×n matrix (n ≥ 1), got shape {shape}")
    out = []
    for i, row in enumerate(rows):
        out_row = []
        for j, x in enumerate(row):
            value = check_exact_number(x, f"W[{i}, {j}]")
            if isinstance(value, Fraction):
                value = sp.Rational(value.numerator, value.denominator)
            value = sp.sympify(value)
            if not value.is_Rational:
                raise TypeError(
                    f"W[{i}, {j}] must be rational (int, Fraction or sympy Rational), got "
                    f"{value!r}; floats are not accepted — write 1/3 as Fraction(1, 3)"
                )
            out_row.append(value)
        out.append(out_row)
    return sp.Matrix(out)


def symbolic_tied_delta(W: object, k: sp.Symbol | None = None) -> sp.Matrix:
    """(Wᵀ)ᵏ as an exact sympy Matrix in the symbol k, via the Jordan form of Wᵀ.

    Introduced in chapter 3 (Linear networks).

    Wᵀ = P J P⁻¹ (sympy ``jordan_form``; diagonalizable or not), so (Wᵀ)ᵏ = P Jᵏ P⁻¹ where a
    Jordan block of size b with eigenvalue λ contributes C(k, j) λ^{k−j} on its j-th
    superdiagonal (j < b); for λ = 0 that term is written KroneckerDelta(k, j). δ after k
    steps is this matrix times δ_out. Substitute with ``.subs(k, value)``; irrational or
    complex eigenvalues appear as radicals, so simplify (``sp.nsimplify``/``sp.simplify``)
    after substituting.

    Parameters
    ----------
    W : square matrix of exact rationals
        Nested lists of ints/``Fraction``/sympy Rationals, a numpy integer array or a sympy
        Matrix. Floats are rejected (TypeError): pass ``Fraction(1, 10)`` instead of 0.1.
    k : sympy Symbol, optional
        Default ``sympy.Symbol('k', integer=True, nonnegative=True)``.

    Returns
    -------
    sympy.Matrix
        (Wᵀ)ᵏ as a function of k (valid for every integer k ≥ 0).

    Examples
    --------
    >>> from bpcore.linear import symbolic_tied_delta
    >>> symbolic_tied_delta([[1, 1], [0, 1]])  # (Wᵀ)ᵏ for a Jordan block
    Matrix([
    [1, 0],
    [k, 1]])
    >>> symbolic_tied_delta([[2, 0], [0, 3]])
    Matrix([
    [2**k,    0],
    [   0, 3**k]])
    """
    if k is None:
        k = sp.Symbol("k", integer=True, nonnegative=True)
    elif not isinstance(k, sp.Symbol):
        raise TypeError(
            f"k must be a sympy Symbol (or None for the default), got {type(k).__name__}; "
            "substitute numbers afterwards with .subs(k, value)"
        )
    M = _exact_matrix(W).T
    P, J = M.jordan_form()
    P_inv = P.inv()
    n = M.shape[0]
    # Collect P Jᵏ P⁻¹ = Σ_(λ, j) C(k, j) λ^{k−j} · P S_(λ,j) P⁻¹, where S_(λ,j) marks the j-th
    # superdiagonals of the blocks with eigenvalue λ: constant coefficient matrices (simplified
    # once) times the k-dependent terms, so the result reads as a spectral sum.
    Jk = _jordan_power(J, k)
    selectors: dict[sp.Expr, sp.Matrix] = {}
    for a in range(n):
        for b in range(a, n):
            if Jk[a, b] != 0:
                selectors.setdefault(Jk[a, b], sp.zeros(n, n))[a, b] = 1
    out = sp.zeros(n, n)
    for term, S in selectors.items():
        coefficient = (P * S * P_inv).applyfunc(lambda e: sp.simplify(sp.radsimp(e)))
        out += coefficient * term
    return out

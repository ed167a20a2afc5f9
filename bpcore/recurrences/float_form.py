"""The closed form of a linear recurrence in float64: fast, with exact multiplicities, self-checked.

Introduced in chapter 1 (Linear recurrences), for the interactive figure, which needs a
closed form at every redraw and cannot wait for the exact sympy one.

These are the steps behind ``LinearRecurrence.numeric_fast`` and ``roots_float``. Algorithm,
exact where float64 would guess:

1. The sequence's *minimal* polynomial μ, a divisor of χ, is found exactly (cancel the
   generating function P/Q; ``_minimal_characteristic_polynomial``). This matters:
   a(n) = (−1)ⁿ also satisfies a(n) = 2a(n−1) + 3a(n−2), whose χ has the root 3, but its
   constant is exactly 0; float round-off would make it about 10⁻¹⁷, and 10⁻¹⁷·3ⁿ swamps
   (−1)ⁿ by n ≈ 40.
2. μ is split exactly into squarefree factors over ℚ, so every root's multiplicity m is known
   exactly (repeated roots are not guessed from float coincidences); the simple roots of each
   factor come from ``np.roots`` (``_float_roots``).
3. A root of multiplicity m contributes the columns tⁱ·rᵗ (i < m) of a confluent Vandermonde
   system for t = 0, …, d−1 (d = deg μ), whose solution gives the constants
   (``_float_form``); then a(n) = Σ constant·nⁱ·rⁿ. Complex roots come in conjugate pairs,
   so the imaginary part is round-off and is dropped.

The result is checked before it is returned (``_check_float_form``): at t = k, …, 2k−1 and at
the k consecutive indices ending at the largest requested n (the first k if it is < k) it must
agree with the exact ``term`` to a relative 10⁻⁸ of the largest of those k exact terms (k
consecutive terms are the whole state, so this measures the error against the size of the
sequence there). Roots that float64 cannot separate (distinct but nearly equal, e.g. 1 and
1 + 10⁻⁹) fail this check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from bpcore.recurrences._exact import _CHAR_X, Exact, _to_sympy

__all__: list[str] = []  # machinery of LinearRecurrence.numeric_fast and roots_float

# Largest condition number of the confluent Vandermonde system, and the relative tolerance of
# the self-check against exact terms.
_FAST_MAX_COND = 1e12
_FAST_RTOL = 1e-8

#: (roots, powers, constants) with a(n) = Σ_j constants_j·n^powers_j·roots_jⁿ.
FloatForm = tuple[np.ndarray, np.ndarray, np.ndarray]


def _minimal_characteristic_polynomial(
    coefficients: Sequence[Exact], initial: Sequence[Exact]
) -> sp.Poly | None:
    """The characteristic polynomial of the shortest recurrence the sequence satisfies.

    The generating function is Σ a(n)xⁿ = P(x)/Q(x) with Q(x) = 1 − c₁x − … − c_k·xᵏ and
    deg P < k (P's coefficients are a(j) − Σ_{i≤j} cᵢ·a(j−i)). Cancelling g = gcd(P, Q)
    (exact, over ℚ) leaves Q/g, whose reversal xᵈ·(Q/g)(1/x) is the minimal polynomial
    of the sequence: the roots of χ it lacks have constant exactly 0 in the closed form.
    ``None`` for the zero sequence.
    """
    k = len(coefficients)
    a0, c = initial, coefficients
    p_asc = [a0[j] - sum(c[i - 1] * a0[j - i] for i in range(1, j + 1)) for j in range(k)]
    if all(v == 0 for v in p_asc):
        return None
    q_asc = [1, *(-v for v in c)]
    P = sp.Poly([_to_sympy(v) for v in reversed(p_asc)], _CHAR_X, domain=sp.QQ)
    Q = sp.Poly([_to_sympy(v) for v in reversed(q_asc)], _CHAR_X, domain=sp.QQ)
    q_min = Q.quo(P.gcd(Q))
    q_min_asc = list(reversed(q_min.all_coeffs()))
    return sp.Poly([v / q_min_asc[0] for v in q_min_asc], _CHAR_X, domain=sp.QQ)


def _float_roots(poly: sp.Poly) -> tuple[np.ndarray, np.ndarray]:
    """Distinct roots (np.roots of each exact squarefree factor) and exact multiplicities."""
    roots: list[complex] = []
    mults: list[int] = []
    for factor, m in poly.sqf_list()[1]:
        found = np.roots([float(v) for v in factor.all_coeffs()])
        roots.extend(complex(r) for r in found)
        mults.extend([m] * len(found))
    return np.array(roots, dtype=np.complex128), np.array(mults, dtype=np.int64)


def _float_form(mu: sp.Poly | None, initial: Sequence[Exact], coefficient_text: str) -> FloatForm:
    """(roots, powers, constants) with a(n) = Σ_j constants_j·n^powers_j·roots_jⁿ, float64.

    Built on the sequence's minimal polynomial μ (degree d ≤ k), so no root gets a
    constant that is exactly 0. Multiplicities are exact: μ is split into squarefree
    factors over ℚ (sympy ``sqf_list``); each factor has simple roots, found by
    ``np.roots``. The constants solve the d×d confluent Vandermonde system
    V[t, j] = t^powers_j·roots_jᵗ, t < d, with right-hand side a(0), …, a(d−1).
    """
    if mu is None:  # the zero sequence: an empty sum
        empty = np.zeros(0, dtype=np.complex128)
        return empty, np.zeros(0, dtype=np.int64), empty
    distinct, mults = _float_roots(mu)
    r_arr = np.repeat(distinct, mults)
    p_arr = np.concatenate([np.arange(m, dtype=np.int64) for m in mults])
    d = len(r_arr)
    t = np.arange(d)
    V = t[:, None].astype(np.float64) ** p_arr[None, :] * r_arr[None, :] ** t[:, None]
    cond = np.linalg.cond(V)
    if not np.isfinite(cond) or cond > _FAST_MAX_COND:
        raise ValueError(
            f"coefficients ({coefficient_text}) give characteristic roots too "
            "close together to separate in float64 (condition number "
            f"{cond:.1e} of the root system); use term(n) or numeric(n) instead"
        )
    initial_f = np.array([float(v) for v in initial[:d]], dtype=np.float64)
    constants = np.linalg.solve(V, initial_f.astype(np.complex128))
    return r_arr, p_arr, constants


def _float_values(form: FloatForm, n: np.ndarray) -> np.ndarray:
    """Σ_j constants_j·n^powers_j·roots_jⁿ at the integers ``n`` (complex, unchecked)."""
    roots, powers, constants = form
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        terms = (
            constants[None, :]
            * n.astype(np.float64)[:, None] ** powers[None, :]
            * roots[None, :] ** n[:, None]
        )
        return terms.sum(axis=1)


def _check_float_form(
    form: FloatForm, k: int, n_hi: int, term: Callable[[int], Exact], coefficient_text: str
) -> None:
    """Compare the float form with the exact ``term`` on the two blocks of k indices described
    in the module docstring; ``ValueError`` if it is off by more than a relative 10⁻⁸."""
    for block in (range(k, 2 * k), range(max(0, n_hi - k + 1), max(n_hi, k - 1) + 1)):
        got = _float_values(form, np.array(block, dtype=np.int64)).real
        try:
            exact = np.array([float(term(m)) for m in block], dtype=np.float64)
        except OverflowError:
            exact = np.array([np.inf])
        size = float(np.max(np.abs(exact)))
        err = float(np.max(np.abs(got - exact))) if np.isfinite(size) else np.inf
        if not err <= _FAST_RTOL * size:
            raise ValueError(
                f"coefficients ({coefficient_text}) give a closed form that "
                "float64 cannot evaluate accurately (nearly equal roots?): it is off by "
                f"a relative {err / size if size else err:.1e} at n = {block[-1]}; use "
                "term(n) or numeric(n) instead"
            )

"""Matrix powers in float64 without spurious overflow, and Jordan-block powers (exact).

Introduced in chapter 3 (Linear networks).

Shared by :mod:`bpcore.linear.closed_forms` (``tied_delta``), :mod:`bpcore.linear.exact_powers`
(``symbolic_tied_delta``) and :mod:`bpcore.linear.growth` (``gelfand_sequence``). Row
convention: vectors are rows, so (Wᵀ)ᵏ δ is ``delta @ W**k``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._validate import check_real_array

__all__: list[str] = []  # helpers; the public names are in the concept modules

#: Unit round-off of float64 (2⁻⁵³).
_U = 2.0**-53


def _check_delta_out(delta_out: object, n: int) -> np.ndarray:
    delta = check_real_array(delta_out, "delta_out")
    if delta.ndim not in (1, 2) or delta.shape[-1] != n:
        raise ValueError(
            f"delta_out must be a vector of length {n} or a batch (m, {n}) of rows (W is "
            f"{n}×{n}), got shape {delta.shape}"
        )
    return delta


def _overflow(k: int, what: str = "(Wᵀ)^k δ_out") -> OverflowError:
    return OverflowError(
        f"{what} overflows float64 for k={k}: the entries grow like ρ(W)^k beyond 1.8e308; "
        "use a smaller k, rescale W, or symbolic_tied_delta for the exact closed form"
    )


def _normalise(X: np.ndarray) -> tuple[np.ndarray, int]:
    """Return (X · 2^−e, e) with max|X · 2^−e| in [0.5, 1) (exact scaling); e = 0 for X = 0."""
    peak = float(np.max(np.abs(X)))
    if peak == 0.0:
        return X, 0
    e = math.frexp(peak)[1]
    if np.iscomplexobj(X):
        return np.ldexp(X.real, -e) + 1j * np.ldexp(X.imag, -e), e
    return np.ldexp(X, -e), e


def _log2_scaled_power(W: np.ndarray, k: int) -> tuple[np.ndarray, int]:
    """W^k = 2^E · M by binary powering with exact power-of-two rescaling; returns (M, E)."""
    result, e_result = np.eye(W.shape[0]), 0
    base, e_base = _normalise(W)
    while k > 0:
        if k & 1:
            result, e = _normalise(result @ base)
            e_result += e + e_base
        k >>= 1
        if k:
            base, e = _normalise(base @ base)
            e_base = 2 * e_base + e
    return result, e_result


def _apply_power_of_two(y: np.ndarray, E: int, k: int) -> np.ndarray:
    """y · 2^E, raising OverflowError (naming k) on genuine overflow."""
    with np.errstate(over="ignore", under="ignore"):
        out = np.ldexp(y, int(np.clip(E, -4000, 4000)))
    if not np.all(np.isfinite(out)):
        raise _overflow(k)
    return out


def _scale_by_power(y: np.ndarray, rho: float, k: int) -> np.ndarray:
    """y · ρ^k without spurious overflow/underflow of the intermediate ρ^k."""
    with np.errstate(over="ignore", under="ignore"):
        scale = float(np.power(np.float64(rho), k)) if rho > 0 else 0.0
    if rho == 0.0:
        return y * (1.0 if k == 0 else 0.0)
    if np.isfinite(scale) and scale >= np.finfo(np.float64).tiny:
        out = y * scale
    else:
        with np.errstate(divide="ignore", over="ignore", under="ignore"):
            out = np.sign(y) * np.exp(np.log(np.abs(y)) + k * math.log(rho))
    if not np.all(np.isfinite(out)):
        raise _overflow(k)
    return out


def _to_float_matrix(entries: list[list[object]], k: int) -> np.ndarray:
    """Round exact rationals (Fraction or sympy Rational) correctly to float64."""

    def rounded(x: object) -> float:
        if isinstance(x, sp.Rational):  # sympy's float() returns inf instead of raising
            x = Fraction(int(x.p), int(x.q))
        return float(x)  # int / int true division: correctly rounded, OverflowError if too big

    try:
        return np.array([[rounded(x) for x in row] for row in entries], dtype=np.float64)
    except OverflowError as exc:
        raise _overflow(k, "W^k") from exc


def _jordan_power(J: sp.Matrix, k: int | sp.Symbol) -> sp.Matrix:
    """J^k for a Jordan matrix: entry (a, a+j) of a block with eigenvalue λ is C(k, j) λ^{k−j}."""
    n = J.shape[0]
    Jk = sp.zeros(n, n)
    start = 0
    while start < n:
        stop = start + 1
        while stop < n and J[stop - 1, stop] == 1:
            stop += 1
        lam = J[start, start]
        for j in range(stop - start):
            if isinstance(k, int):
                term = sp.binomial(k, j) * lam ** (k - j) if k >= j else sp.Integer(0)
            elif lam == 0:
                term = sp.KroneckerDelta(k, j)
            else:
                term = sp.expand_func(sp.binomial(k, j)) * lam ** (k - j)
            for a in range(start, stop - j):
                Jk[a, a + j] = term
        start = stop
    return Jk

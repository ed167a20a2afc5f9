"""Divide-and-conquer recurrences T(x) = Σ aᵢ·T(bᵢx) + g(x) evaluated numerically.

Introduced in chapter 1 (Linear recurrences).

The chapter compares these values with the Akra–Bazzi bound (:mod:`bpcore.recurrences.akra_bazzi`):
``akra_bazzi_evaluate`` fills a table of T(n) with floors ⌊bᵢn⌋, ``akra_bazzi_real`` sums the
recursion tree of T at real x without rounding the arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._validate import check_int, check_real, check_real_array
from bpcore.recurrences.akra_bazzi import _check_g, _check_terms, x

__all__ = ["akra_bazzi_evaluate", "akra_bazzi_real"]


def akra_bazzi_evaluate(
    terms: Sequence[tuple[object, object]],
    g: sp.Expr,
    n_max: int,
    base: float = 1.0,
    n0: int = 1,
) -> np.ndarray:
    """T(0), …, T(n_max) for T(n) = Σ aᵢ·T(⌊bᵢn⌋) + g(n), with T(n) = ``base`` for n ≤ n0.

    Introduced in chapter 1 (Linear recurrences).

    Since every bᵢ < 1, ⌊bᵢn⌋ < n for n ≥ 1, so the table is filled upwards without recursion.
    It is filled in blocks [lo, hi) with max(bᵢ)·(hi − 1) < lo, inside which every ⌊bᵢn⌋ points
    below the block, so each block is one vectorised numpy step (O(log n_max) blocks). The
    chapter plots T(n)/bound(n) against n to show it levelling off.

    Parameters
    ----------
    terms, g
        As in ``akra_bazzi``.
    n_max : int
        Largest n, ≥ 1.
    base : float
        Value of T on 0, …, n0.
    n0 : int
        Last index of the base case, ≥ 0 (default 1: T(0) = T(1) = base).

    Returns
    -------
    float64 array of length n_max + 1

    Examples
    --------
    >>> import sympy as sp
    >>> from bpcore.recurrences import akra_bazzi_evaluate, x
    >>> akra_bazzi_evaluate([(2, sp.Rational(1, 2))], x, 8)  # T(n) = 2T(⌊n/2⌋) + n
    array([ 1.,  1.,  4.,  5., 12., 13., 16., 17., 32.])
    """
    pairs = _check_terms(terms)
    g = _check_g(g)
    n_max = check_int(n_max, "n_max", minimum=1)
    base = check_real(base, "base")
    n0 = check_int(n0, "n0", minimum=0)
    g_fun: Callable[[np.ndarray], np.ndarray] = sp.lambdify(x, g, "numpy")
    T = np.empty(n_max + 1, dtype=np.float64)
    T[: min(n0, n_max) + 1] = base
    b_max = max(float(bi) for _, bi in pairs)
    lo = n0 + 1
    while lo <= n_max:
        hi = min(n_max + 1, max(lo + 1, math.ceil(lo / b_max)))
        while hi - 1 > lo and b_max * (hi - 1) >= lo:  # guard against float rounding
            hi -= 1
        idx = np.arange(lo, hi, dtype=np.int64)
        vals = np.broadcast_to(np.asarray(g_fun(idx.astype(np.float64)), np.float64), idx.shape)
        block = vals.copy()
        for ai, bi in pairs:
            if bi.is_Rational:
                src = (idx * int(bi.p)) // int(bi.q)
            else:
                src = np.floor(float(bi) * idx).astype(np.int64)
            block += float(ai) * T[src]
        T[lo:hi] = block
        lo = hi
    return T


def _exact_fraction(v: sp.Expr) -> Fraction:
    """A sympy real number as an exact Fraction (a Float is the binary fraction it stores)."""
    if isinstance(v, sp.Rational):
        return Fraction(int(v.p), int(v.q))
    return Fraction(float(v))


def _exceeds_exactly(xs: np.ndarray, threshold: Fraction) -> np.ndarray:
    """Boolean array xs > threshold, exact: floats near the threshold are compared as Fractions."""
    t = float(threshold)
    out = xs > t
    near = np.flatnonzero(np.abs(xs - t) <= 1e-12 * abs(t))  # float(threshold) may be rounded
    for i in near:
        out[i] = Fraction(float(xs[i])) > threshold
    return out


def akra_bazzi_real(
    terms: Sequence[tuple[object, object]],
    g: sp.Expr,
    xs: np.ndarray | Sequence[float],
    base: float = 1.0,
) -> np.ndarray:
    """T(x) at real x for T(x) = Σ aᵢ·T(bᵢx) + g(x) (no rounding), with T(x) = ``base`` for x ≤ 1.

    Introduced in chapter 1 (Linear recurrences).

    Every argument reached from x is x·∏ bᵢ^{kᵢ} for a vector of exponents k, so T(x) is a
    sum over the nodes k of the recursion tree. The nodes are visited once each (memoised on
    k), and each visit handles all of ``xs`` at once as one numpy array. Whether a node is a
    leaf (x·∏ bᵢ^{kᵢ} ≤ 1) is decided in exact rational arithmetic, so an argument that is
    exactly 1, such as x = 2³⁰ after 30 halvings, is a leaf and not 1 + ε. With two terms and
    x ≤ 10¹⁵ there are about a thousand nodes. The chapter uses it to compare the lattice
    case (all log bᵢ rational multiples of one number), where T(x)/x^p keeps oscillating, with
    the non-lattice case, where the renewal theorem makes it converge.

    Parameters
    ----------
    terms, g
        As in ``akra_bazzi`` (aᵢ > 0, 0 < bᵢ < 1, g ≥ 0 a sympy expression in ``x``).
    xs : array of float
        Points x ≥ 1 at which T is wanted (1-D).
    base : float
        Value of T on x ≤ 1.

    Returns
    -------
    float64 array, the same shape as ``xs``

    Examples
    --------
    >>> import sympy as sp
    >>> from bpcore.recurrences import akra_bazzi_real, x
    >>> akra_bazzi_real([(2, sp.Rational(1, 2))], x, [1.0, 2.0, 4.0, 8.0])  # T(2ʲ) = (j + 1)·2ʲ
    array([ 1.,  4., 12., 32.])
    """
    pairs = _check_terms(terms)
    g = _check_g(g)
    xs = check_real_array(xs, "xs", ndim=1)
    if xs.size and xs.min() < 1:
        raise ValueError(f"xs must contain only x >= 1, got min(xs) = {xs.min():.3g}")
    base = check_real(base, "base")
    g_fun: Callable[[np.ndarray], np.ndarray] = sp.lambdify(x, g, "numpy")
    a = [float(ai) for ai, _ in pairs]
    b_exact = [_exact_fraction(bi) for _, bi in pairs]
    memo: dict[tuple[int, ...], np.ndarray] = {}

    def node(k: tuple[int, ...]) -> np.ndarray:
        if k in memo:
            return memo[k]
        scale = math.prod((bi**ki for bi, ki in zip(b_exact, k, strict=True)), start=Fraction(1))
        arg = xs * float(scale)
        out = np.full(xs.shape, base, dtype=np.float64)
        live = _exceeds_exactly(xs, 1 / scale)  # x·∏ bᵢ^kᵢ > 1, decided without rounding
        if live.any():
            total = np.broadcast_to(np.asarray(g_fun(arg), np.float64), xs.shape).copy()
            for i, ai in enumerate(a):
                child = (*k[:i], k[i] + 1, *k[i + 1 :])
                total += ai * node(child)
            out[live] = total[live]
        memo[k] = out
        return out

    return node((0,) * len(pairs)).copy()

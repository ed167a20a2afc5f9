"""Holonomic sequences: the tied quadratic chain against the P-recursive growth bound.

:func:`quadratic_chain` runs the tied width-1 network z ↦ w z² + b in exact integers (or
Fractions), with its δ's from :func:`bpcore.backprop.delta_recursion`, and
:func:`growth_certificate` compares a sequence with the bound |a_n| ≤ (n!)^c K^n that every
P-recursive sequence obeys: a doubly exponential orbit beats every such bound.

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from bpcore._validate import check_int, check_real
from bpcore.backprop import delta_recursion
from bpcore.impossibility._exact import exact_rational

__all__ = ["GrowthCertificate", "QuadraticChain", "growth_certificate", "quadratic_chain"]


@dataclass(frozen=True, eq=False)
class QuadraticChain:
    """The tied width-1 quadratic network z_{l+1} = w z_l² + b, exact, with its δ's.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    zs : tuple of int or Fraction
        z_0, …, z_depth.
    deltas : tuple of int or Fraction
        deltas[l] = ∂z_depth/∂z_l = ∏_{k=l}^{depth−1} 2 w z_k (the backprop δ for a unit
        error at the top); deltas[depth] = 1.
    derivatives : tuple of int or Fraction
        derivatives[N] = ∂z_N/∂z_0 = ∏_{k<N} 2 w z_k for N = 0, …, depth: the bottom δ as a
        function of the depth, the sequence the holonomic theorem is about.
    w, b : int or Fraction

    Examples
    --------
    >>> from bpcore.impossibility import quadratic_chain
    >>> chain = quadratic_chain(3)
    >>> chain
    QuadraticChain(w=1, b=1, z0=1, depth=3, z_top has 5 bits)
    >>> chain.zs, chain.deltas, chain.derivatives
    ((1, 2, 5, 26), (80, 40, 10, 1), (1, 2, 8, 80))
    """

    zs: tuple[int | Fraction, ...]
    deltas: tuple[int | Fraction, ...]
    derivatives: tuple[int | Fraction, ...]
    w: int | Fraction
    b: int | Fraction

    @property
    def depth(self) -> int:
        """Number of layers."""
        return len(self.zs) - 1

    def __repr__(self) -> str:
        top = self.zs[-1]
        bits = abs(top.numerator).bit_length() if top else 0
        return (
            f"QuadraticChain(w={self.w}, b={self.b}, z0={self.zs[0]}, depth={self.depth}, "
            f"z_top has {bits} bits)"
        )


def quadratic_chain(depth: int, *, w: object = 1, b: object = 1, z0: object = 1) -> QuadraticChain:
    """Run z_{l+1} = w z_l² + b for ``depth`` layers in exact arithmetic, with its δ's.

    Introduced in chapter 5 (What can be proved impossible).

    The activation f(z) = z² with tied weight w and bias b. For w = b = z0 = 1 the orbit is
    1, 2, 5, 26, 677, … and z_N ≈ C^(2^N) (C ≈ 1.5028), so log log z_N grows linearly in N
    with slope log 2. The δ's are computed by :func:`bpcore.backprop.delta_recursion` itself,
    on object arrays, so they are exact Python ints (or Fractions): the products of the
    factors w f'(z_l) = 2 w z_l (the tests compare them with those products and with sympy).

    Parameters
    ----------
    depth : int >= 0
        Sizes double every layer: depth 30 already means a ~10⁹-bit integer; keep it ≲ 25.
    w, b, z0 : int or Fraction, keyword-only
        Exact (floats are rejected).

    Returns
    -------
    QuadraticChain

    Examples
    --------
    >>> from bpcore.impossibility import quadratic_chain
    >>> quadratic_chain(4).zs
    (1, 2, 5, 26, 677)
    """
    depth = check_int(depth, "depth", minimum=0)
    if depth > 40:
        raise ValueError(f"depth must be <= 40 (z_depth has ~2^depth bits), got {depth}")
    w_, b_, z = (exact_rational(v, n) for v, n in ((w, "w"), (b, "b"), (z0, "z0")))
    zs = [z]
    for _ in range(depth):  # inherently sequential: a loop over layers
        z = w_ * z * z + b_
        zs.append(z)
    # The δ's come from the one backprop step of the course, bpcore.backprop.delta_recursion,
    # run on 1×1 object arrays so that Python's exact ints and Fractions pass through: layer l
    # has weight w and f'(z_l) = 2 z_l.
    weights = [np.array([[w_]], dtype=object)] * depth
    fprimes = [np.array([2 * zl], dtype=object) for zl in zs[:-1]]
    deltas = [d[0] for d in delta_recursion(weights, np.array([1], dtype=object), fprimes)]
    # derivatives[N] = ∂z_N/∂z_0 is the bottom δ of the chain cut at depth N, i.e. the product
    # of the first N factors; the factors are the ratios of consecutive δ's of the full chain.
    derivatives = [1]
    for f in fprimes:
        derivatives.append(derivatives[-1] * (w_ * f[0]))
    return QuadraticChain(tuple(zs), tuple(deltas), tuple(derivatives), w_, b_)


def _log_abs(v: int | Fraction) -> float:
    if v == 0:
        return -math.inf
    if isinstance(v, Fraction):
        return math.log(abs(v.numerator)) - math.log(v.denominator)
    return math.log(abs(v))


@dataclass(frozen=True, eq=False)
class GrowthCertificate:
    """A sequence's growth against the P-recursive bound |a_n| ≤ (n!)^c K^n.

    Introduced in chapter 5 (What can be proved impossible).

    An illustration of the theorem, not its proof: the values are exact, the logarithms are
    computed from them (``math.log`` of exact ints, to double precision).

    Attributes
    ----------
    log_abs : (N,) array
        log |a_n| (natural log; −inf for a_n = 0).
    loglog : (N,) array
        log log |a_n| where |a_n| > 1, NaN elsewhere; linear in n for doubly exponential growth.
    loglog_slope : float
        Least-squares slope of ``loglog`` against n over the second half of the indices
        (log 2 ≈ 0.693 for squaring maps); NaN if fewer than two finite values there.
    log_bound : (N,) array
        log((n!)^c K^n) = c log n! + n log K.
    c_needed : (N,) array
        (log |a_n| − n log K) / log n! for n ≥ 2 (NaN for n < 2): the least c for which the
        bound holds at n with this K. Unbounded growth of it means that no c works.
    violated_from : int or None
        The least n such that log |a_m| > log_bound[m] for every m ≥ n in the data (None if
        the last term obeys the bound).
    c, K : float
        The constants tested.

    Examples
    --------
    >>> from bpcore.impossibility import growth_certificate, quadratic_chain
    >>> cert = growth_certificate(quadratic_chain(12), c=2, K=10)
    >>> cert
    GrowthCertificate(n=13, c=2, K=10, loglog_slope=0.6931, violated_from=7)
    >>> round(float(cert.c_needed[-1]), 1)  # the exponent c that n = 12 would need
    82.1
    """

    log_abs: np.ndarray
    loglog: np.ndarray
    loglog_slope: float
    log_bound: np.ndarray
    c_needed: np.ndarray
    violated_from: int | None
    c: float
    K: float

    def __repr__(self) -> str:
        return (
            f"GrowthCertificate(n={len(self.log_abs)}, c={self.c:g}, K={self.K:g}, "
            f"loglog_slope={self.loglog_slope:.4f}, violated_from={self.violated_from})"
        )


def growth_certificate(
    sequence: Sequence[object] | QuadraticChain, c: float = 1.0, K: float = 2.0
) -> GrowthCertificate:
    """Compare an exact sequence with the bound |a_n| ≤ (n!)^c K^n of P-recursive sequences.

    Introduced in chapter 5 (What can be proved impossible).

    Every P-recursive (holonomic) sequence — one satisfying Σ_{i=0}^{r} p_i(n) a_{n+i} = 0
    with polynomial p_i, p_r ≠ 0 — has constants c, K with |a_n| ≤ (n!)^c K^n for all large n
    (the chapter proves it). A doubly exponential sequence beats every such bound; this
    function shows where it beats the given one and how the needed exponent c grows.

    Parameters
    ----------
    sequence : sequence of exact numbers, or QuadraticChain
        a_0, a_1, … (at least 2 terms; ints, Fractions or sympy Rationals). A
        :class:`QuadraticChain` means its ``zs``.
    c : float > 0
    K : float >= 1

    Returns
    -------
    GrowthCertificate

    Examples
    --------
    >>> from bpcore.impossibility import growth_certificate, quadratic_chain
    >>> growth_certificate(quadratic_chain(12), c=2, K=10).violated_from
    7
    """
    if isinstance(sequence, QuadraticChain):
        values = list(sequence.zs)
    else:
        if isinstance(sequence, str | bytes) or not isinstance(sequence, Sequence | np.ndarray):
            raise TypeError(
                f"sequence must be a sequence of exact numbers or a QuadraticChain, got "
                f"{type(sequence).__name__}"
            )
        values = [exact_rational(v, f"sequence[{k}]") for k, v in enumerate(sequence)]
    if len(values) < 2:
        raise ValueError(f"sequence must have at least 2 terms, got {len(values)}")
    c = check_real(c, "c", low=0.0, low_open=True)
    K = check_real(K, "K", low=1.0)
    n = np.arange(len(values))
    log_abs = np.array([_log_abs(v) for v in values])
    with np.errstate(invalid="ignore", divide="ignore"):
        loglog = np.where(log_abs > 0, np.log(np.where(log_abs > 0, log_abs, 1.0)), np.nan)
        log_fact = np.array([math.lgamma(k + 1) for k in n])
        log_bound = c * log_fact + n * math.log(K)
        c_needed = np.where(
            n >= 2, (log_abs - n * math.log(K)) / np.where(n >= 2, log_fact, 1.0), np.nan
        )
    half = n >= len(values) // 2
    ok = half & np.isfinite(loglog)
    slope = float(np.polyfit(n[ok], loglog[ok], 1)[0]) if ok.sum() >= 2 else math.nan
    above = log_abs > log_bound
    violated_from: int | None = None
    if above[-1]:
        below = np.flatnonzero(~above)
        violated_from = int(below[-1] + 1) if below.size else 0
    for arr in (log_abs, loglog, log_bound, c_needed):
        arr.setflags(write=False)
    return GrowthCertificate(log_abs, loglog, slope, log_bound, c_needed, violated_from, c, K)

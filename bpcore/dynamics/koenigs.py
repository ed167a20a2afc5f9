"""Koenigs linearisation: the local closed form of δ near an attracting fixed point.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpcore._validate import (
    check_int,
    check_real,
)

__all__ = ["KoenigsResult", "koenigs", "koenigs_delta"]


# ---------------------------------------------------------------------------------------------
# Koenigs linearisation near an attracting fixed point


@dataclass(frozen=True, eq=False)
class KoenigsResult:
    """Koenigs function h and h' at a point, with error estimates.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    h : float
        h(z) = lim λ^(−n)(gⁿ(z) − z*), with h(z*) = 0, h'(z*) = 1, h∘g = λ h; NaN if
        ``with_h=False`` was passed.
    dh : float
        h'(z) = ∏_{k≥0} g'(g^k z)/λ (0.0 exactly if the orbit passes a critical point of g).
    multiplier : float
        λ = g'(z*).
    z, z_star : float
        The point and the fixed point (``z_star`` after Newton polishing).
    iterations : int
        Number of factors K + 1 in the truncated product for h' (K = the stopping index).
    h_error : float
        Estimated absolute error of ``h``: the difference of two Gauss–Legendre rules plus the
        round-off estimate (see :func:`koenigs`); NaN with ``with_h=False``.
    dh_error : float
        Error bar for ``dh`` (absolute): twice the geometric tail estimate |ε_K| |λ|/(1 − |λ|)
        plus a first-order round-off model, times |dh| (see :func:`koenigs`).

    Examples
    --------
    >>> from bpcore.dynamics import koenigs
    >>> koenigs(lambda z: 0.5 * z, lambda z: 0.5, 0.0, 1.0)  # g linear: h(z) = z
    KoenigsResult(z=1, z_star=0, multiplier=0.5, h=1, dh=1, iterations=23)
    """

    h: float
    dh: float
    multiplier: float
    z: float
    z_star: float
    iterations: int
    h_error: float
    dh_error: float

    def __repr__(self) -> str:
        return (
            f"KoenigsResult(z={self.z:.6g}, z_star={self.z_star:.10g}, "
            f"multiplier={self.multiplier:.10g}, h={self.h:.12g}, dh={self.dh:.12g}, "
            f"iterations={self.iterations})"
        )


_EPS = float(np.finfo(float).eps)
_GL_LOW = np.polynomial.legendre.leggauss(12)
_GL_HIGH = np.polynomial.legendre.leggauss(20)
_H_START = 0.1  # h is integrated from the first orbit point with |g'(z_k)/λ − 1| ≤ this


def _check_map(g: object, dg: object, z_star: object) -> tuple[float, float]:
    for name, fn in (("g", g), ("dg", dg)):
        if not callable(fn):
            raise TypeError(f"{name} must be a callable float -> float, got {fn!r}")
    z_star = check_real(z_star, "z_star")
    lam = check_real(dg(z_star), "dg(z_star)")
    if lam == 0.0 or abs(lam) >= 1.0:
        raise ValueError(
            f"the multiplier lambda = dg(z_star) must satisfy 0 < |lambda| < 1 (an attracting, "
            f"not superattracting, fixed point), got {lam}"
        )
    gz = check_real(g(z_star), "g(z_star)")
    if abs(gz - z_star) > 1e-12 * (1.0 + abs(z_star)):
        raise ValueError(
            f"z_star must be a fixed point of g, but g(z_star) - z_star = {gz - z_star}"
        )
    for _ in range(3):  # Newton polishing: an error Δ in z* would cost Δ λ^(−k) in h
        slope = float(dg(z_star)) - 1.0
        step = (float(g(z_star)) - z_star) / slope
        if not math.isfinite(step) or abs(step) > 1e-12 * (1.0 + abs(z_star)):
            break
        z_star -= step
    return z_star, float(dg(z_star))


def _dh_product(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    lam: float,
    z: float,
    tol: float,
    max_iter: int,
) -> tuple[list[float], list[float], float]:
    """Orbit z_0..z_K, partial products P_k = ∏_{j<k} g'(z_j)/λ (P_{K+1} last), ε_K.

    Stops at the first K with |ε_K| ≤ max(tol (1 − |λ|), 4 eps) and |z_K − z*| ≤ √tol (1 + |z*|),
    ε_K = g'(z_K)/λ − 1. Raises ValueError naming the failure otherwise.
    """
    f_tol = max(tol * (1.0 - abs(lam)), 4.0 * _EPS)
    z_tol = math.sqrt(tol) * (1.0 + abs(z_star))
    orbit, prod = [z], [1.0]
    cur = z
    for _ in range(max_iter + 1):  # sequential in the layer index
        try:
            ratio = float(dg(cur)) / lam
            nxt = float(g(cur))
        except OverflowError:  # Python floats raise instead of returning inf: an escape
            nxt = math.inf
            ratio = math.nan
        if not (math.isfinite(nxt) and math.isfinite(ratio)):
            raise ValueError(
                f"z = {z} is not in the basin of z_star = {z_star}: its orbit escapes to "
                f"infinity (|z_k| > 1.8e308 after {len(orbit) - 1} steps)"
            )
        prod.append(prod[-1] * ratio)
        eps_k = ratio - 1.0
        if abs(eps_k) <= f_tol and abs(cur - z_star) <= z_tol:
            return orbit, prod, eps_k
        if abs(nxt - cur) <= 4.0 * _EPS * (1.0 + abs(cur)) and abs(cur - z_star) > z_tol:
            raise ValueError(
                f"z = {z} is not in the basin of z_star = {z_star}: its orbit converges to "
                f"another fixed point near {cur:.12g} (step {len(orbit) - 1})"
            )
        if len(orbit) > max_iter:
            break
        orbit.append(nxt)
        cur = nxt
    e_first, e_last = abs(orbit[0] - z_star), abs(orbit[-1] - z_star)
    e_prev = abs(orbit[-2] - z_star) if len(orbit) > 1 else e_first
    if e_last < e_first and e_last <= 0.5 * (1.0 + abs(lam)) * e_prev:  # contracting like λ
        raise ValueError(
            f"slow convergence: the orbit of z = {z} approaches z_star = {z_star} "
            f"(|z_k - z_star| = {e_last:.3g} after {max_iter} steps, multiplier {lam:.6g}) but "
            f"the factors g'(z_k)/lambda are not yet within tol of 1; increase max_iter "
            f"(about log(tol)/log|lambda| steps are needed) or tol"
        )
    raise ValueError(
        f"z = {z} is not in the basin of z_star = {z_star}: its orbit does not converge to it "
        f"within max_iter = {max_iter} steps (a cycle, chaos, or another attractor; "
        f"|z_k - z_star| = {e_last:.3g})"
    )


def _curvature(dg: Callable[[float], float], u: float) -> float:
    """|g''(u)/g'(u)| by a one-sided difference of dg (0.0 at a critical point or on failure)."""
    d0 = float(dg(u))
    if d0 == 0.0:
        return 0.0
    eta = math.sqrt(_EPS) * (1.0 + abs(u))
    try:
        d1 = float(dg(u + eta))
    except (OverflowError, ValueError):
        return 0.0
    c = abs(d1 - d0) / (eta * abs(d0))
    return c if math.isfinite(c) else 0.0


def _dh_roundoff(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    lam: float,
    orbit: list[float],
) -> float:
    """First-order relative round-off model of ∏ g'(z_k)/λ along ``orbit`` (see koenigs)."""
    total, drift = 0.0, 0.0
    for k, u in enumerate(orbit):
        c = _curvature(dg, u)
        total += _EPS * (4.0 + c * (1.0 + abs(u))) + c * drift
        if k + 1 < len(orbit):
            drift = abs(float(dg(u))) * drift + 2.0 * _EPS * (1.0 + abs(orbit[k + 1]))
    c_star = _curvature(dg, z_star)
    per_factor = _EPS * (2.0 + c_star * (1.0 + abs(z_star)) / (1.0 - abs(lam)))
    return total + len(orbit) * per_factor


def koenigs(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    z: float,
    tol: float = 1e-13,
    max_iter: int = 10_000,
    *,
    with_h: bool = True,
) -> KoenigsResult:
    """Koenigs linearisation h(z) and h'(z) of g at an attracting fixed point z*.

    Introduced in chapter 4 (Nonlinear activations).

    For 0 < |λ| < 1, λ = g'(z*), the limit h(z) = lim λ^(−n)(gⁿ(z) − z*) exists on the basin
    and conjugates g to multiplication by λ: h(g(z)) = λ h(z). Then (gⁿ)'(z) = λⁿ h'(z)/h'(gⁿz).

    **h'.** h'(z) = ∏_{k≥0} g'(z_k)/λ, z_k = g^k(z), truncated after the factor of the first K
    with both

    * |ε_K| ≤ max(tol·(1 − |λ|), 4·eps), ε_K = g'(z_K)/λ − 1, and
    * |z_K − z*| ≤ √tol·(1 + |z*|) (so that a factor close to 1 by accident far from z* does
      not stop the product).

    If the ε_k decayed exactly geometrically with ratio |λ| (they are O(|z_k − z*|)), the
    neglected tail would be |ε_K| |λ|/(1 − |λ|) ≤ tol·|λ| relative to first order; the ratio
    ε_(k+1)/ε_k is λ only up to O(z_k − z*), and the measured tail does exceed this estimate
    by a factor 1 + O(|ε_K|), so ``dh_error`` counts it twice. Its round-off part is a
    first-order model, not a proved bound: each factor carries (4 + κ_k (1 + |z_k|))·eps,
    κ = |g''/g'| estimated by a one-sided difference of ``dg`` (one extra call per factor),
    plus κ_k times the propagated orbit error d_k (d_(k+1) = |g'(z_k)| d_k +
    2·eps·(1 + |z_(k+1)|)); and every factor divides by the same rounded λ, which adds
    (K + 1)·(2 + κ* (1 + |z*|)/(1 − |λ|))·eps. It assumes that g and dg are evaluated to a few
    ulps. Measured against 200-digit references (9 maps w tanh z + b, 41 points each,
    tol = 1e−13 and 1e−8), the true error of ``dh`` stayed below 0.51·``dh_error``; the
    earlier estimate (tail once plus (K + 1)·eps) was exceeded up to 2.8-fold, at
    3 tanh z + 0.5. For |λ| close to 1 the 4·eps floor can dominate:
    the relative error is then about 4·eps·|λ|/(1 − |λ|) (4e-13 at λ = 0.999). If g'(z_k) = 0
    for some k (the orbit passes a critical point of g), h'(z) = 0 exactly and dh = 0.0.

    **h.** h(z) = λ^(−k) h(z_k) = λ^(−k) ∫_{z*}^{z_k} h'(s) ds with h' computed by the same
    product at Gauss–Legendre nodes s, at the first k with |g'(z_k)/λ − 1| ≤ 0.1; if the 12- and
    20-node rules differ by more than tol·|h|, k is increased (the segment shrinks towards z*)
    up to K. This avoids the cancellation in λ^(−n)(z_n − z*), whose relative error grows like
    eps/|z_n − z*|. ``h_error`` = |λ^(−k)|·|I₂₀ − I₁₂| + (k + 2)·eps·|h| +
    eps·(1 + |z*|)·|λ^(−k)|/(1 − |λ|) (the round-off of z_k) + (2(k + 2)·eps + the nodes'
    h' error)·|h|.

    Measured (tests/test_dynamics.py; reference: mpmath at 60 digits, h as the defining limit
    λ^(−n)(gⁿz − z*) with |gⁿz − z*| < 1e−30, h' as an mpmath central difference of that h), for
    g = 1.5 tanh z + 0.1 (λ ≈ 0.3015, z* ≈ 1.44078), default tol = 1e−13:

    ==================  ===============  ===============  ==========
    z                   rel. error of h  rel. error of h'  h_error/|h|
    ==================  ===============  ===============  ==========
    z* + 1e−6           5.3e−12          1.1e−14          7.8e−10
    z* ± 1e−3           1.6e−14          3.1e−14          8.1e−13
    1.45, 1.5           1.8e−14          2.5e−14          1.2e−13
    −0.1, 0.1, 1, 3     2.1e−14          1.7e−14          8.1e−14
    ==================  ===============  ===============  ==========

    Next to z* the float z* itself (rounded to eps·|z*|) limits h to ≈ eps (1 + |z*|)/|z − z*|
    relative; that is the 5e−12 at |z − z*| = 1e−6, and ``h_error`` covers it. With tol = 1e−10
    the errors are ≈ 1e−11 to 4e−11 (w tanh z, w = 0.5, 0.8, 0.95, z = 1).

    Parameters
    ----------
    g, dg : callable float -> float
        The map and its derivative.
    z_star : float
        The fixed point, |g(z*) − z*| ≤ 1e−12 (1 + |z*|) (checked); polished by up to three
        Newton steps before use.
    z : float
        A point of the basin.
    tol : float
        Target relative error of h' (and of h), > 0.
    max_iter : int
        Maximal number of steps along the orbit.
    with_h : bool, keyword-only
        False: skip h (``h`` and ``h_error`` are NaN); h' alone costs K + 1 steps.

    Raises
    ------
    ValueError
        If λ = 0 or |λ| ≥ 1, z_star is not a fixed point, or the orbit of z does not reach the
        stopping rule; the message says which: it escapes to infinity, it converges to another
        fixed point, it approaches z_star too slowly for max_iter ("slow convergence"), or it
        does not converge (cycle, chaos).

    Examples
    --------
    >>> import math
    >>> from bpcore.dynamics import chain_fixed_point, koenigs
    >>> g, dg = (lambda z: 0.5 * math.tanh(z) + 0.5), (lambda z: 0.5 / math.cosh(z) ** 2)
    >>> z_star, lam = chain_fixed_point("tanh", 0.5, 0.5, 0.5)
    >>> k0, k1 = koenigs(g, dg, z_star, 0.5), koenigs(g, dg, z_star, g(0.5))
    >>> abs(k1.h / k0.h - lam) < 1e-12
    True
    """
    z_star, lam = _check_map(g, dg, z_star)
    z = check_real(z, "z")
    tol = check_real(tol, "tol", low=0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    orbit, prod, eps_last = _dh_product(g, dg, z_star, lam, z, tol, max_iter)
    dh = prod[-1]
    n_steps = len(orbit)
    tail = abs(eps_last) * abs(lam) / (1.0 - abs(lam))
    dh_error = abs(dh) * (2.0 * tail + _dh_roundoff(g, dg, z_star, lam, orbit))
    if not with_h:
        return KoenigsResult(math.nan, dh, lam, z, z_star, n_steps, math.nan, dh_error)
    start = next(
        (k for k in range(n_steps) if abs(float(dg(orbit[k])) / lam - 1.0) <= _H_START),
        n_steps - 1,
    )
    h = h_err = math.nan
    for k in range(start, n_steps):
        e_k = orbit[k] - z_star
        rules = []
        for x, wts in (_GL_LOW, _GL_HIGH):
            nodes = z_star + 0.5 * e_k * (1.0 + x)
            vals, node_err = [], 0.0
            for s_node in nodes:
                o_s, p_s, e_s = _dh_product(g, dg, z_star, lam, float(s_node), tol, max_iter)
                vals.append(p_s[-1])
                node_err = max(node_err, abs(e_s) * abs(lam) / (1.0 - abs(lam)) + len(o_s) * _EPS)
            rules.append(0.5 * e_k * float(np.dot(wts, vals)))
        scale = lam ** (-k)
        h = scale * rules[1]
        h_err = (
            abs(scale) * abs(rules[1] - rules[0])
            + (2 * (k + 2) * _EPS + node_err) * abs(h)
            + _EPS * (1.0 + abs(z_star)) * abs(scale) / (1.0 - abs(lam))
        )
        if abs(rules[1] - rules[0]) <= tol * abs(rules[1]):
            break
    return KoenigsResult(h, dh, lam, z, z_star, n_steps, h_err, dh_error)


def koenigs_delta(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    z2: float,
    n: int,
    *,
    asymptotic: bool = False,
) -> float:
    """Koenigs' local form of δ^(2)/δ^(n_l) = (gⁿ)'(z^(2)) for a tied width-1 chain.

    Introduced in chapter 4 (Nonlinear activations).

    * ``asymptotic=False`` (default): the exact identity λⁿ h'(z^(2))/h'(gⁿ z^(2)). With h'
      computed (as here) by the product of g'/λ along the orbit, the two infinite tails cancel
      and this is the recurrence ∏_{k<n} g'(z_k) rearranged (plus rounding): a consistency check
      of h', not a cheaper formula (it costs n forward steps plus two h' products).
    * ``asymptotic=True``: the asymptotic law δ ≈ λⁿ h'(z^(2)), with h'(z^(2)) computed once;
      its cost does not depend on n (no forward pass to layer n_l). Its relative error is
      |1/h'(z_n) − 1| = |h''(z*)|·|λ|ⁿ·|h(z^(2))| (1 + o(1)), i.e. C|λ|ⁿ.

    Parameters
    ----------
    g, dg, z_star
        As in :func:`koenigs`.
    z2 : float
        z^(2), a point of the basin.
    n : int
        Number of layers n_l − 2, ≥ 0 (n = 0 gives 1.0).
    asymptotic : bool, keyword-only
        Which form (above).

    Returns
    -------
    float
        (gⁿ)'(z2) (exact form, to rounding), or λⁿ h'(z2) (asymptotic law).

    Raises
    ------
    ValueError
        As :func:`koenigs`; and, for the exact form, if h'(gⁿ z2) = 0 (the orbit of z_n passes a
        critical point of g, g'(z_k) = 0 for some k ≥ n): the identity is then 0/0.

    Examples
    --------
    >>> import math
    >>> from bpcore.dynamics import chain_fixed_point, koenigs_delta, tied_chain
    >>> g, dg = (lambda z: 0.5 * math.tanh(z) + 0.5), (lambda z: 0.5 / math.cosh(z) ** 2)
    >>> z_star, _ = chain_fixed_point("tanh", 0.5, 0.5, 0.5)
    >>> delta_2 = tied_chain("tanh", 0.5, 0.5, 0.5, 20).deltas[0]
    >>> round(float(koenigs_delta(g, dg, z_star, 0.5, 20) / delta_2), 10)
    1.0
    """
    z_star, lam = _check_map(g, dg, z_star)
    z2 = check_real(z2, "z2")
    n = check_int(n, "n", minimum=0)
    if n == 0:
        return 1.0
    dh2 = koenigs(g, dg, z_star, z2, with_h=False).dh
    if asymptotic:
        return lam**n * dh2
    zn = z2
    try:
        for _ in range(n):
            zn = float(g(zn))
    except OverflowError:
        zn = math.inf
    if not math.isfinite(zn):
        raise ValueError(f"z2 = {z2} is not in the basin of z_star: its orbit diverged")
    dhn = koenigs(g, dg, z_star, zn, with_h=False).dh
    if dhn == 0.0:
        raise ValueError(
            f"h'(z_n) = 0 at z_n = g^{n}(z2) = {zn}: the orbit passes a critical point of g "
            "(g' = 0) at or after layer n, so lambda^n h'(z2)/h'(z_n) is 0/0; use the recurrence"
        )
    return lam**n * dh2 / dhn

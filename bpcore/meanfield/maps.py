"""The mean-field maps: the length map, its fixed point q*, χ₁ and the correlation map.

q^(l+1) = σ_w² E[f(√q^(l) Z)²] + σ_b² (:func:`length_map`) settles at q* (:func:`fixed_point`);
χ₁ = σ_w² E[f'(√q* Z)²] (:func:`chi1`) is the average factor by which backprop multiplies
‖δ‖² per layer; the correlation map (:func:`correlation_map`) says how the correlation of two
inputs moves from layer to layer (Poole et al. 2016; Schoenholz et al. 2017).

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from bpcore._validate import check_int, check_real, check_real_array
from bpcore.activations import Activation
from bpcore.meanfield.gaussian import (
    DEFAULT_ORDER,
    _activation,
    _corr_closed,
    _deriv_moment,
    _length_closed,
    _length_quad,
    _method,
    _order,
    _out,
    _pair_expect,
    _q_array,
    _sigmas,
    _use_closed,
)

__all__ = [
    "chi1",
    "correlation_map",
    "derivative_moment",
    "fixed_point",
    "length_map",
]

# ---------------------------------------------------------------------------------------------
# the one-dimensional maps


def length_map(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    q: float | np.ndarray,
    *,
    order: int = DEFAULT_ORDER,
    method: str = "auto",
) -> float | np.ndarray:
    """The length map q ↦ σ_w² E[f(√q Z)²] + σ_b², Z ~ N(0, 1).

    Introduced in chapter 6 (Approximations that work).

    q^(l) = E[(z^(l)_i)²] is the variance of a pre-activation of a wide random layer
    (W_ij ~ N(0, σ_w²/s_l), b_i ~ N(0, σ_b²)); the map gives q^(l+1) from q^(l).

    Parameters
    ----------
    activation : str or Activation
        Any name of :func:`bpcore.activations.get_activation`, ``"erf"`` or an Activation.
    sigma_w : float > 0
    sigma_b : float >= 0
    q : float or array of floats >= 0
    order : int, default :data:`DEFAULT_ORDER` (96)
        Quadrature order, 2 … 400: order · max(1, 2q) Gauss–Hermite nodes (see
        :data:`DEFAULT_ORDER`).
    method : {"auto", "quadrature", "closed_form"}
        ``"auto"`` uses the closed form where one exists — relu / leaky relu / identity:
        σ_w² (1 + α²) q/2 + σ_b² (α = 0 for relu, 1 for identity); erf: σ_w² (2/π)
        arcsin(2q/(1 + 2q)) + σ_b² — and quadrature otherwise.

    Returns
    -------
    float or array (the shape of q)

    Raises
    ------
    TypeError, ValueError
        sigma_w <= 0, sigma_b < 0, q < 0 or not finite, an unknown activation, an order out of
        range, ``method="closed_form"`` for an activation without one.

    Examples
    --------
    >>> from bpcore.meanfield import length_map
    >>> round(length_map("relu", 2**0.5, 0.0, 1.5), 4)  # He initialisation: σ_w² q/2 = q
    1.5
    >>> round(length_map("tanh", 1.0, 0.05, 1.0), 4)
    0.3968
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    n = _order(order)
    kind = _use_closed(act, _method(method))
    qa, scalar = _q_array(q)
    out = _length_closed(kind, sw, sb, qa) if kind else _length_quad(act, sw, sb, qa, n)
    return _out(out, scalar)


def derivative_moment(
    activation: str | Activation,
    q: float | np.ndarray,
    k: int = 1,
    *,
    order: int = DEFAULT_ORDER,
    method: str = "auto",
) -> float | np.ndarray:
    """μ_k(q) = E[f'(√q Z)^{2k}], the moments of the squared diagonal D_l² of backprop.

    Introduced in chapter 6 (Approximations that work).

    χ₁ = σ_w² μ_1(q*); μ_2/μ_1² − 1 enters the free-probability spread of the Jacobian spectrum.
    Closed forms: relu/leaky relu (1 + α^{2k})/2 (relu'(0) = 0, a null set), identity 1, erf
    (4/π)^k/√(1 + 4kq).

    Parameters
    ----------
    activation : str or Activation
    q : float or array >= 0
    k : int >= 1
    order, method : see :func:`length_map`

    Examples
    --------
    >>> from bpcore.meanfield import derivative_moment
    >>> derivative_moment("relu", 1.0)  # relu'(z)² = 1{z > 0} has mean 1/2
    0.5
    >>> round(derivative_moment("erf", 0.5, k=2), 4)  # (4/π)²/√(1 + 4·2·0.5)
    0.725
    """
    act = _activation(activation)
    k = check_int(k, "k", minimum=1)
    n = _order(order)
    m = _method(method)
    qa, scalar = _q_array(q)
    return _out(_deriv_moment(act, qa, k, n, m), scalar)


def fixed_point(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    *,
    order: int = DEFAULT_ORDER,
    method: str = "auto",
) -> float:
    """q*, the attracting fixed point of the length map (the largest root of L(q) = q).

    Introduced in chapter 6 (Approximations that work).

    q^(l) decreases to q* from every q^(1) above it (the length map is increasing for the
    usual activations); for σ_b = 0 and an odd f with σ_w² f'(0)² ≤ 1 (e.g. tanh, σ_w ≤ 1)
    q* = 0. Found by a geometric scan of g(q) = L(q) − q downward from a point where g < 0,
    then Brent's method on the last sign change (tolerance 1e-14 relative). Closed form for
    relu / leaky relu / identity: q* = σ_b²/(1 − a), a = σ_w² (1 + α²)/2 < 1.

    Parameters
    ----------
    activation, sigma_w, sigma_b, order, method : see :func:`length_map`

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As for :func:`length_map`, and when q^(l) grows without bound (no finite attracting
        fixed point: relu with σ_w² ≥ 2, identity with σ_w ≥ 1, and any map with L(q) > q up
        to q = 1e12). At a = 1 with σ_b = 0 every q is fixed; that also raises (there is no
        single q*).

    Examples
    --------
    >>> from bpcore.meanfield import fixed_point
    >>> round(fixed_point("relu", 1.0, 0.5), 4), round(fixed_point("tanh", 1.0, 0.05), 4)
    (0.5, 0.0371)

    (relu: q* = σ_b²/(1 − σ_w²/2) = 0.25/0.5.)
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    n = _order(order)
    kind = _use_closed(act, _method(method))
    if kind is not None and kind[0] == "pwlin":
        a = sw * sw * (1.0 + kind[1] ** 2) / 2.0
        if a < 1.0:
            return sb * sb / (1.0 - a)
        raise ValueError(
            f"sigma_w = {sw:.6g} gives a = sigma_w^2 (1 + alpha^2)/2 = {a:.6g} >= 1 for "
            f"{act.label}: the length map q -> a q + sigma_b^2 has no attracting fixed point "
            "(q grows without bound, or every q is fixed when a = 1 and sigma_b = 0)"
        )

    def L(q: np.ndarray) -> np.ndarray:
        return _length_closed(kind, sw, sb, q) if kind else _length_quad(act, sw, sb, q, n)

    hi = max(1.0, 2.0 * sb * sb)
    while L(np.asarray(hi)) - hi >= 0.0:
        hi *= 4.0
        if hi > 1e12:
            raise ValueError(
                f"sigma_w = {sw:.6g}, sigma_b = {sb:.6g}: the length map of {act.label} has "
                "L(q) > q up to q = 1e12, so q grows without bound (no finite fixed point)"
            )
    grid = hi * 2.0 ** (-np.arange(0, 240) / 4.0)  # hi … hi·1e-18, decreasing
    grid = np.concatenate([grid[grid > sb * sb], [sb * sb]])
    g = L(grid) - grid
    # g below 1e-13·q is rounding, not a root (tanh at σ_w = 1, σ_b = 0: L(q) − q ≈ −2q²
    # rounds to +6e-34 at q = 1e-18); treating it as negative snaps q* = 0 there
    g = np.where(np.abs(g) <= 1e-13 * grid, -1.0, g) if sb == 0.0 else g
    nonneg = np.nonzero(g >= 0.0)[0]
    if nonneg.size == 0:  # σ_b = 0 and g < 0 all the way down to 1e-18·hi: q* = 0
        return 0.0
    i = int(nonneg[0])
    if g[i] == 0.0:
        return float(grid[i])
    return float(
        optimize.brentq(
            lambda q: float(L(np.asarray(q))) - q,
            grid[i],
            grid[i - 1],
            xtol=1e-300,
            rtol=1e-14,
        )
    )


def _q_or_fixed(act, sw, sb, q, n, method) -> float:
    if q is None:
        return fixed_point(act, sw, sb, order=n, method=method)
    return check_real(q, "q", low=0.0)


def chi1(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    *,
    q: float | None = None,
    order: int = DEFAULT_ORDER,
    method: str = "auto",
) -> float:
    """χ₁ = σ_w² E[f'(√q* Z)²]: the average factor by which backprop multiplies ‖δ‖² per layer.

    Introduced in chapter 6 (Approximations that work).

    Under the gradient-independence assumption and equal widths, E‖δ^(l)‖² = χ₁ E‖δ^(l+1)‖²,
    so E‖δ^(l)‖² = χ₁^{n_l − l} E‖δ^(n_l)‖². χ₁ is also the slope of the correlation map at
    c = 1. ReLU exactly: χ₁ = σ_w²/2 for every q (relu'(z)² = 1{z > 0} has mean ½), so no
    fixed point is needed.

    Parameters
    ----------
    activation, sigma_w, sigma_b, order, method : see :func:`length_map`
    q : float >= 0, optional
        The variance at which f' is averaged; default q* (:func:`fixed_point`).

    Examples
    --------
    >>> from bpcore.meanfield import chi1
    >>> [round(chi1(f, sw, 0.05), 4) for f, sw in [("relu", 2**0.5), ("tanh", 1.0)]]
    [1.0, 0.9341]

    (relu: σ_w²/2, so He initialisation is critical; tanh at σ_w = 1 is ordered.)
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    n = _order(order)
    m = _method(method)
    kind = _use_closed(act, m)
    if kind is not None and kind[0] == "pwlin":
        if q is not None:
            check_real(q, "q", low=0.0)
        return sw * sw * (1.0 + kind[1] ** 2) / 2.0
    qq = _q_or_fixed(act, sw, sb, q, n, m)
    return sw * sw * float(_deriv_moment(act, np.asarray(qq), 1, n, m))


def correlation_map(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    c: float | np.ndarray,
    q: float | None = None,
    *,
    order: int = DEFAULT_ORDER,
    method: str = "auto",
) -> float | np.ndarray:
    """The correlation map c ↦ (σ_w² E[f(u) f(v)] + σ_b²)/L(q) of two inputs.

    Introduced in chapter 6 (Approximations that work).

    (u, v) = √q (Z₁, c Z₁ + √(1 − c²) Z₂): two pre-activations of the same layer, both of
    variance q and correlation c; the value is their correlation one layer up (the covariance
    divided by the new variance L(q) = :func:`length_map`). At q = q* (the default) this is the
    map of Poole et al. 2016 / Schoenholz et al. 2017; c = 1 is always a fixed point and its
    slope there is χ₁. The two-dimensional Gauss–Hermite rule has order² nodes; closed forms
    (arc-cosine kernels for relu / leaky relu / identity, arcsine kernel for erf) under
    ``method="auto"``.

    Parameters
    ----------
    activation, sigma_w, sigma_b, order, method : see :func:`length_map`
    c : float or array in [−1, 1]
    q : float > 0, optional
        Default q* (:func:`fixed_point`); needed explicitly for relu at σ_w² ≥ 2 (the
        correlation map of relu does not depend on q when σ_b = 0).

    Returns
    -------
    float or array (the shape of c)

    Examples
    --------
    >>> from bpcore.meanfield import correlation_map
    >>> correlation_map("relu", 2**0.5, 0.0, [0.0, 1.0], q=1.0).round(4).tolist()
    [0.3183, 1.0]

    (Orthogonal inputs come out at correlation 1/π; c = 1 is always a fixed point.)
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    n = _order(order)
    m = _method(method)
    kind = _use_closed(act, m)
    ca = check_real_array(c, "c")
    if np.any(np.abs(ca) > 1.0):
        raise ValueError(f"c must lie in [-1, 1] (a correlation), got max |c| = {np.abs(ca).max()}")
    qq = _q_or_fixed(act, sw, sb, q, n, m)
    if qq <= 0.0:
        raise ValueError(
            f"q must be > 0 for the correlation map (q = {qq:.6g}: both inputs are 0 and have "
            "no correlation); pass q explicitly"
        )
    if kind is not None:
        cov = _corr_closed(kind, qq, ca, deriv=False)
        new_q = float(_length_closed(kind, sw, sb, np.asarray(qq)))
    else:
        cov = _pair_expect(act, act.func, act.func, qq, ca, n)
        new_q = float(_length_quad(act, sw, sb, np.asarray(qq), n))
    out = (sw * sw * cov + sb * sb) / new_q
    return _out(np.asarray(out), ca.ndim == 0)


def _chi_c(act, sw, sb, q, c, n, kind) -> float:
    if kind is not None:
        return sw * sw * float(_corr_closed(kind, q, np.asarray(c), deriv=True))
    return sw * sw * float(_pair_expect(act, act.deriv, act.deriv, q, np.asarray(c), n))


def _q_orbit(act: Activation, sw: float, sb: float, q_in: float, n: int, order: int) -> np.ndarray:
    """q^(2), …, q^(n+1): the length map iterated from q^(2) = q_in (the variances of z^(l))."""
    kind = _use_closed(act, "auto")
    out = np.empty(n)
    q = float(q_in)
    for i in range(n):
        out[i] = q
        qa = np.asarray(q)
        q = float(
            _length_closed(kind, sw, sb, qa) if kind else _length_quad(act, sw, sb, qa, order)
        )
    return out


def _chi_along(act: Activation, sw: float, q: np.ndarray, k: int, order: int) -> np.ndarray:
    """σ_w² μ_k(q_l)-type factors: E[f'(√q_l Z)^{2k}] at every q_l of an orbit."""
    return np.array([float(_deriv_moment(act, np.asarray(v), k, order, "auto")) for v in q])


def _at_fixed_point(act: Activation, sw: float, sb: float, q: float) -> bool:
    """Whether the inputs start at a fixed point q* > 0 (or f'² does not depend on q)."""
    kind = _use_closed(act, "auto")
    if kind is not None and kind[0] == "pwlin":
        return True
    try:
        qs = fixed_point(act, sw, sb)
    except ValueError:
        return False
    return qs > 0.0 and q == qs

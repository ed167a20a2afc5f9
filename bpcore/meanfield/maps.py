"""Mean-field theory of deep random networks: what backprop does on average, in closed form.

For a random network in Ng's notation — W^(l)_ij ~ N(0, σ_w²/s_l), b^(l)_i ~ N(0, σ_b²),
``bpcore.network.MLP.random(sizes, activation, weight_scale=σ_w, bias_scale=σ_b)`` — the
pre-activations z^(l) of a wide layer are approximately i.i.d. Gaussian with variance q^(l),
and q follows a one-dimensional deterministic map, the *length map* (Poole et al. 2016;
Schoenholz et al. 2017):

    q^(l+1) = σ_w² E[f(√q^(l) Z)²] + σ_b²,   Z ~ N(0, 1).

Its attracting fixed point q* is where signals of any input settle. Under the
*gradient-independence assumption* (the W^(l)ᵀ of the backward pass treated as independent of
the W^(l) of the forward pass — true on average when the output error does not depend on the
weights, e.g. a random read-out vector) the backprop recurrence δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙
f'(z^(l)) has the averaged closed form

    E‖δ^(l)‖² = χ₁^{n_l − l} E‖δ^(n_l)‖²,   χ₁ = σ_w² E[f'(√q* Z)²]

(equal widths): a geometric sequence, the "Binet formula" of backprop on average. χ₁ < 1 is
the ordered phase (gradients vanish with depth scale ξ = −1/ln χ₁), χ₁ > 1 the chaotic phase,
χ₁ = 1 the critical line. This module computes the maps by Gauss–Hermite quadrature (closed
forms for ReLU, identity, leaky ReLU and erf), simulates real networks built with
:class:`bpcore.network.MLP` with backprop from :mod:`bpcore.backprop`, and adds the two
random-matrix results of the chapter: the spectrum of the input–output Jacobian (Fuss–Catalan
moments for Gaussian products, free-probability moments for nonlinear networks; Pennington,
Schoenholz & Ganguli 2017, 2018) and an exact finite-width law for the fluctuations of
log‖J u‖² in He-initialised ReLU networks (the per-layer law is derived in chapter 6; cf.
Hanin 2018 for bounds controlled by β = Σ 1/n_l, Hanin & Nica 2020 for the log-normal limit).

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy import optimize, special

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real, check_real_array
from bpcore.activations import Activation, get_activation
from bpcore.activations import z as _z
from bpcore.backprop import delta_recursion
from bpcore.network import MLP

__all__ = [
    "DEFAULT_ORDER",
    "ERF",
    "DepthScales",
    "GradientNorms",
    "JacobianSpectrum",
    "LogNormVariance",
    "chi1",
    "correlation_map",
    "critical_sigma_w",
    "depth_scales",
    "derivative_moment",
    "fixed_point",
    "fuss_catalan",
    "gradient_norms",
    "hanin_V",
    "jacobian_spectrum",
    "length_map",
    "log_norm_variance",
    "predicted_jacobian_moments",
]

DEFAULT_ORDER = 96
"""Default quadrature order (number of Gauss–Hermite nodes at q ≤ ½).

One-dimensional expectations E[g(√q Z)] use the Gauss–Hermite rule with n = order · max(1, 2q)
nodes (even, at most 20 000): f(√q z) varies on the scale 1/√q in z, and a fixed n loses
accuracy as q grows (at q = 5, 96 nodes give only ~1e-3 for E[tanh'²]); with the scaling the
relative error stays below ~1e-9 for tanh, erf and sigmoid (measured against 4× the nodes).
An even n puts no node at 0, so the ReLU kink is split symmetrically and the one-dimensional
ReLU maps are exact up to rounding (E[relu(√q Z)²] = q/2, E[relu'(√q Z)²] = ½).
Two-dimensional expectations (the correlation map) use the product trapezoidal rule for
smooth activations (step 24/(order √max(q, 1)) on |z| ≤ 8.5, spectrally accurate) and the
order × order Gauss–Hermite product rule for activations with kinks (algebraic convergence:
~1e-3 at 96 nodes for relu).
"""

READOUTS = ("random", "squared_error")
INITS = ("gaussian", "orthogonal")
_MAX_ORDER = 400


def _erf_f(x: np.ndarray) -> np.ndarray:
    return special.erf(x)


def _erf_df(x: np.ndarray) -> np.ndarray:
    return (2.0 / math.sqrt(math.pi)) * np.exp(-(x * x))


ERF = Activation(name="erf", func=_erf_f, deriv=_erf_df, sympy_expr=sp.erf(_z))
"""f(z) = erf z, f'(z) = (2/√π) e^{−z²}: a smooth sigmoid with closed-form mean-field maps.

Introduced in chapter 6 (Approximations that work). For Gaussian u, v with variances q and
covariance q c (Williams 1998, the arcsine kernel): E[erf(u) erf(v)] = (2/π) arcsin(2qc/(1 +
2q)) and E[f'(u)²] = (4/π)/√(1 + 4q). Used as an independent reference for the quadrature
(erf is not in :mod:`bpcore.activations`; pass ``bpcore.meanfield.ERF`` wherever an
activation is expected, including :class:`bpcore.network.MLP`).
"""


# ---------------------------------------------------------------------------------------------
# validation


def _activation(activation: object) -> Activation:
    if isinstance(activation, str) and activation.strip().lower() == "erf":
        return ERF
    return get_activation(activation, "activation")


def _sigmas(sigma_w: object, sigma_b: object) -> tuple[float, float]:
    sw = check_real(sigma_w, "sigma_w", low=0.0, low_open=True)
    sb = check_real(sigma_b, "sigma_b", low=0.0)
    return sw, sb


def _order(order: object) -> int:
    n = check_int(order, "order", minimum=2)
    if n > _MAX_ORDER:
        raise ValueError(f"order must be <= {_MAX_ORDER} Gauss–Hermite nodes, got {n}")
    return n


def _method(method: object) -> str:
    if method not in ("auto", "quadrature", "closed_form"):
        raise ValueError(f"method must be 'auto', 'quadrature' or 'closed_form', got {method!r}")
    return str(method)


def _closed_kind(act: Activation) -> tuple[str, float] | None:
    """('pwlin', α) for x ↦ x on x > 0 and α x on x ≤ 0 (relu: α = 0, identity: 1), ('erf', 0)."""
    if act.name == "relu" and not act.params:
        return ("pwlin", 0.0)
    if act.name == "identity":
        return ("pwlin", 1.0)
    if act.name == "leaky_relu":
        return ("pwlin", float(dict(act.params)["alpha"]))
    if act is ERF or (act.name == "erf" and act.sympy_expr == ERF.sympy_expr):
        return ("erf", 0.0)
    return None


def _use_closed(act: Activation, method: str) -> tuple[str, float] | None:
    kind = _closed_kind(act)
    if method == "closed_form" and kind is None:
        raise ValueError(
            f"method='closed_form' is available for relu, leaky_relu, identity and erf only, "
            f"got activation={act.label}; use method='quadrature'"
        )
    return None if method == "quadrature" else kind


# ---------------------------------------------------------------------------------------------
# Gauss–Hermite quadrature for E[g(Z)], Z ~ N(0, 1)


@functools.lru_cache(maxsize=64)
def _gh(order: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = special.roots_hermitenorm(order)
    w = w / math.sqrt(2.0 * math.pi)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def _n_eff(order: int, q: float) -> int:
    """Nodes actually used at variance q: order · max(1, 2q), at most 20 000 (see DEFAULT_ORDER)."""
    n = math.ceil(order * max(1.0, 2.0 * q))
    n += n % 2  # keep it even: no node at the kink 0 of relu-type activations
    return min(n, 20_000)


def _expect(g, q: np.ndarray, order: int) -> np.ndarray:
    """E[g(√q Z)] for every entry of q (vectorised over q)."""
    q = np.asarray(q, dtype=float)
    out = np.empty(q.shape)
    flat_q, flat_out = q.reshape(-1), out.reshape(-1)
    for n in np.unique([_n_eff(order, float(v)) for v in flat_q]):
        sel = np.array([_n_eff(order, float(v)) == n for v in flat_q])
        x, w = _gh(int(n))
        flat_out[sel] = g(np.sqrt(flat_q[sel])[:, None] * x) @ w
    return out


def _length_quad(act: Activation, sw: float, sb: float, q: np.ndarray, order: int) -> np.ndarray:
    return sw * sw * _expect(lambda u: act.func(u) ** 2, q, order) + sb * sb


def _length_closed(kind: tuple[str, float], sw: float, sb: float, q: np.ndarray) -> np.ndarray:
    name, alpha = kind
    if name == "pwlin":
        return sw * sw * (1.0 + alpha * alpha) / 2.0 * q + sb * sb
    return sw * sw * (2.0 / np.pi) * np.arcsin(2.0 * q / (1.0 + 2.0 * q)) + sb * sb


def _deriv_moment(act: Activation, q: np.ndarray, k: int, order: int, method: str) -> np.ndarray:
    kind = _use_closed(act, method)
    if kind is not None and kind[0] == "pwlin":
        return np.full(np.shape(q), (1.0 + kind[1] ** (2 * k)) / 2.0)
    if kind is not None:  # erf: E[((2/√π) e^{−qZ²})^{2k}] = (4/π)^k / √(1 + 4kq)
        return (4.0 / np.pi) ** k / np.sqrt(1.0 + 4.0 * k * q)
    return _expect(lambda u: act.deriv(u) ** (2 * k), q, order)


def _q_array(q: object, name: str = "q") -> tuple[np.ndarray, bool]:
    arr = check_real_array(q, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (a variance), got min {arr.min():.6g}")
    return arr, arr.ndim == 0


def _out(arr: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(arr) if scalar else arr


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


# ---------------------------------------------------------------------------------------------
# the correlation map


@functools.lru_cache(maxsize=64)
def _trap(h: float) -> tuple[np.ndarray, np.ndarray]:
    x = h * np.arange(-math.ceil(8.5 / h), math.ceil(8.5 / h) + 1)
    w = h * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def _pair_expect(act: Activation, fa, fb, q: float, c: np.ndarray, order: int) -> np.ndarray:
    """E[fa(u) fb(v)], (u, v) Gaussian with variances q and correlation c.

    Activations without kinks: the product trapezoidal rule on |z| ≤ 8.5 with step
    h = 24/(order √max(q, 1)) (0.25 at the default order), spectrally accurate for integrands
    analytic in a strip (error ~ exp(−π²/(h√q)) for tanh). Activations with kinks: the
    order × order Gauss–Hermite product rule (even order, no node on the kink), which converges
    only algebraically there.
    """
    if act.kinks:
        x, w = _gh(order)
    else:
        x, w = _trap(round(24.0 / (order * math.sqrt(max(q, 1.0))), 12))
    z1 = x[:, None]
    z2 = x[None, :]
    ww = w[:, None] * w[None, :]
    s = math.sqrt(q)
    fu = fa(s * z1)  # (nodes, 1)
    out = np.empty(c.shape)
    for idx, cc in np.ndenumerate(c):
        v = s * (cc * z1 + math.sqrt(max(1.0 - cc * cc, 0.0)) * z2)
        out[idx] = np.sum(fu * fb(v) * ww)
    return out


def _corr_closed(kind, q: float, c: np.ndarray, deriv: bool) -> np.ndarray:
    """E[f(u)f(v)] (deriv=False) or E[f'(u)f'(v)] (deriv=True) in closed form."""
    name, alpha = kind
    c = np.clip(c, -1.0, 1.0)
    if name == "pwlin":
        # arc-cosine kernels (Cho & Saul 2009): for relu E[u+ v+] = q (sin θ + (π − θ) c)/2π,
        # E[1{u>0}1{v>0}] = (π − θ)/2π, θ = arccos c; f(x) = relu(x) − α relu(−x).
        th = np.arccos(c)
        if deriv:
            same = (np.pi - th) / (2 * np.pi)
            cross = th / (2 * np.pi)  # P(u > 0, v < 0)
            return (1 + alpha * alpha) * same + 2 * alpha * cross
        same = q * (np.sin(th) + (np.pi - th) * c) / (2 * np.pi)
        cross = q * (np.sin(th) - th * c) / (2 * np.pi)  # E[u+ v−] with v− = max(−v, 0)
        return (1 + alpha * alpha) * same - 2 * alpha * cross  # f = relu(x) − α relu(−x)
    if deriv:  # erf': (4/π) E[e^{−u²−v²}] = (4/π)/√((1 + 2q)² − 4q²c²)
        return (4.0 / np.pi) / np.sqrt((1 + 2 * q) ** 2 - (2 * q * c) ** 2)
    return (2.0 / np.pi) * np.arcsin(2 * q * c / (1 + 2 * q))


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


@dataclass(frozen=True, eq=False)
class DepthScales:
    """The depth scales of a random network at (σ_w, σ_b) (Schoenholz et al. 2017).

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    activation : str
    sigma_w, sigma_b : float
    q_star : float
        The fixed point of the length map.
    chi1 : float
        σ_w² E[f'(√q* Z)²].
    xi_grad : float
        −1/ln χ₁: E‖δ^(l)‖² ∝ exp(−(n_l − l)/ξ). Positive in the ordered phase (gradients
        vanish), negative in the chaotic phase (they grow with scale |ξ|), ``inf`` at χ₁ = 1.
    c_star : float
        The attracting fixed point of the correlation map: 1 in the ordered phase, < 1 in the
        chaotic phase (nearby inputs decorrelate).
    chi_c : float
        σ_w² E[f'(u) f'(v)] at c*, the slope of the correlation map there.
    xi_c : float
        −1/ln χ_c, the depth over which correlations approach c* (``inf`` at χ_c = 1: the
        critical line, where the approach is algebraic).
    """

    activation: str
    sigma_w: float
    sigma_b: float
    q_star: float
    chi1: float
    xi_grad: float
    c_star: float
    chi_c: float
    xi_c: float

    @property
    def phase(self) -> str:
        """ "ordered" (χ₁ < 1), "chaotic" (χ₁ > 1) or "critical" (|χ₁ − 1| < 1e-9)."""
        if abs(self.chi1 - 1.0) < 1e-9:
            return "critical"
        return "ordered" if self.chi1 < 1.0 else "chaotic"

    def __repr__(self) -> str:
        return (
            f"DepthScales({self.activation}, sigma_w={self.sigma_w:.6g}, "
            f"sigma_b={self.sigma_b:.6g}: q*={self.q_star:.6g}, chi1={self.chi1:.6g} "
            f"({self.phase}), xi_grad={self.xi_grad:.6g}, c*={self.c_star:.6g}, "
            f"chi_c={self.chi_c:.6g}, xi_c={self.xi_c:.6g})"
        )


def _xi(chi: float) -> float:
    if abs(chi - 1.0) < 1e-12:
        return math.inf
    return -1.0 / math.log(chi)


def depth_scales(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    *,
    order: int = DEFAULT_ORDER,
    method: str = "auto",
) -> DepthScales:
    """χ₁, ξ_∇ = −1/ln χ₁, the correlation fixed point c* and ξ_c = −1/ln χ_c.

    Introduced in chapter 6 (Approximations that work).

    c* is found by iterating the correlation map from c = 0 (at most 20 000 steps, stopping at
    |Δc| < 1e-13) in the chaotic phase (χ₁ > 1, where c = 1 repels); in the ordered and
    critical phases c* = 1 and χ_c = χ₁.

    Parameters
    ----------
    activation, sigma_w, sigma_b, order, method : see :func:`length_map`

    Raises
    ------
    ValueError
        As for :func:`fixed_point` (no finite q*).
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    n = _order(order)
    m = _method(method)
    kind = _use_closed(act, m)
    q = fixed_point(act, sw, sb, order=n, method=m)
    x1 = chi1(act, sw, sb, q=q, order=n, method=m)
    if x1 <= 1.0 + 1e-12 or q == 0.0:
        c_star, chi_c = 1.0, x1
    else:
        c = 0.0
        for _ in range(20_000):
            c_new = float(correlation_map(act, sw, sb, c, q, order=n, method=m))
            if abs(c_new - c) < 1e-13:
                c = c_new
                break
            c = c_new
        c_star = c
        chi_c = _chi_c(act, sw, sb, q, c_star, n, kind)
    return DepthScales(
        activation=act.label,
        sigma_w=sw,
        sigma_b=sb,
        q_star=q,
        chi1=x1,
        xi_grad=_xi(x1),
        c_star=c_star,
        chi_c=chi_c,
        xi_c=_xi(chi_c),
    )


def critical_sigma_w(
    activation: str | Activation,
    sigma_b: float,
    *,
    order: int = DEFAULT_ORDER,
    method: str = "auto",
) -> float:
    """The σ_w on the critical line χ₁(σ_w, σ_b) = 1 (the edge of chaos).

    Introduced in chapter 6 (Approximations that work).

    relu: √2 for every σ_b (χ₁ = σ_w²/2 exactly; for σ_b > 0 q* diverges as σ_w → √2, so the
    critical point with a finite q* is (√2, 0), He initialisation); leaky relu
    √(2/(1 + α²)); identity 1. Otherwise Brent's method on χ₁(σ_w) − 1 after a geometric scan
    of σ_w ∈ [0.05, 50] for the first sign change (rtol 1e-13).

    Parameters
    ----------
    activation, order, method : see :func:`length_map`
    sigma_b : float >= 0

    Raises
    ------
    ValueError
        If χ₁ does not cross 1 for σ_w in [0.05, 50] (e.g. an activation with f' → 0).
    """
    act = _activation(activation)
    sb = check_real(sigma_b, "sigma_b", low=0.0)
    n = _order(order)
    m = _method(method)
    kind = _use_closed(act, m)
    if kind is not None and kind[0] == "pwlin":
        return math.sqrt(2.0 / (1.0 + kind[1] ** 2))

    def h(sw: float) -> float:
        return chi1(act, sw, sb, order=n, method=m) - 1.0

    grid = 0.05 * 1000.0 ** (np.arange(61) / 60.0)
    prev = h(float(grid[0]))
    for lo, hi in itertools.pairwise(grid):
        cur = h(float(hi))
        if prev < 0.0 <= cur:
            return float(optimize.brentq(h, float(lo), float(hi), xtol=1e-15, rtol=1e-13))
        prev = cur
    raise ValueError(
        f"chi1 of activation={act.label} at sigma_b={sb:.6g} does not cross 1 for sigma_w in "
        "[0.05, 50]: no critical sigma_w found"
    )


# ---------------------------------------------------------------------------------------------
# simulation helpers


def _input_q(act: Activation, sw: float, sb: float) -> float:
    """The variance at which to start the inputs: q* if it exists and is > 0, else 1."""
    try:
        q = fixed_point(act, sw, sb)
    except ValueError:
        return 1.0
    return q if q > 0.0 else 1.0


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


def _inputs_at(act, sw, sb, q: float, width: int, m: int, rng) -> np.ndarray:
    """m inputs a^(1) with ‖a‖²/width = (q − σ_b²)/σ_w² exactly, so that E z^(2)² = q."""
    target = max(q - sb * sb, 0.0) / (sw * sw)
    if target <= 0.0:
        target = 1.0
    X = rng.standard_normal((m, width))
    X *= np.sqrt(target / np.mean(X * X, axis=1, keepdims=True))
    return X


def _check_readout(readout: object) -> str:
    if readout not in READOUTS:
        raise ValueError(f"readout must be 'random' or 'squared_error', got {readout!r}")
    return str(readout)


def _check_init(init: object) -> str:
    if init not in INITS:
        raise ValueError(f"init must be 'gaussian' or 'orthogonal', got {init!r}")
    return str(init)


@dataclass(frozen=True, eq=False)
class GradientNorms:
    """Simulated E‖δ^(l)‖² by layer against the mean-field prediction χ₁^{n_l − l}.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    layers : (depth,) int array
        Ng's layer numbers l = 2, …, n_l (n_l = depth + 1).
    mean : (depth,) array
        E‖δ^(l)‖² / E‖δ^(n_l)‖² — the mean over all nets and inputs of ‖δ^(l)‖², divided by the
        same mean at the output layer (so ``mean[-1] = 1``).
    stderr : (depth,) array
        Standard error of ``mean`` over the ``n_nets`` networks (each network's mean over its
        inputs is one sample; delta method for the ratio; NaN when n_nets = 1).
    predicted : (depth,) array
        The mean-field prediction Π_{k=l}^{n_l − 1} σ_w² E[f'(√q^(k) Z)²] along the actual
        layer variances ``q_layers``; this is χ₁^{n_l − l} when the inputs start at a fixed
        point q* > 0 (or for relu / identity, whose f'² does not depend on q). Where q* = 0
        (tanh with σ_b = 0, σ_w ≤ 1) or no finite q* exists, the inputs start at q = 1 and q
        moves layer by layer; the prediction follows that orbit instead of silently using χ₁.
    chi1 : float
        The mean-field χ₁ at (σ_w, σ_b) (σ_w²/2 for relu), i.e. at q*.
    rate : float
        The measured per-layer factor: (mean[0]/mean[-1])^{1/(depth − 1)}, the geometric mean
        of E‖δ^(l)‖²/E‖δ^(l+1)‖² over the depth − 1 steps (NaN for depth 1).
    top_ratio : float
        E‖δ^(n_l − 1)‖²/E‖δ^(n_l)‖², the first backward step, where ``readout="squared_error"``
        departs most from χ₁.
    q_in : float
        The variance of z^(2) the inputs were scaled to (q* if q* > 0, else 1).
    q_layers : (depth,) array
        q^(2), …, q^(n_l): the length map iterated from q_in (all equal to q* when q_in = q*).
    activation, readout : str
    sigma_w, sigma_b : float
    width, depth, n_nets, n_inputs : int
    """

    layers: np.ndarray
    mean: np.ndarray
    stderr: np.ndarray
    predicted: np.ndarray
    chi1: float
    rate: float
    top_ratio: float
    q_in: float
    q_layers: np.ndarray
    activation: str
    readout: str
    sigma_w: float
    sigma_b: float
    width: int
    depth: int
    n_nets: int
    n_inputs: int

    @property
    def ratio_error(self) -> float:
        """rate/χ₁ − 1, the relative error of the measured per-layer factor."""
        return self.rate / self.chi1 - 1.0

    def __repr__(self) -> str:
        return (
            f"GradientNorms({self.activation}, sigma_w={self.sigma_w:.6g}, "
            f"sigma_b={self.sigma_b:.6g}, readout={self.readout!r}, width={self.width}, "
            f"depth={self.depth}, {self.n_nets} nets x {self.n_inputs} inputs: "
            f"rate={self.rate:.6g} vs chi1={self.chi1:.6g}, top_ratio={self.top_ratio:.6g}, "
            f"mean[0]={self.mean[0]:.6g} vs predicted {self.predicted[0]:.6g})"
        )


def gradient_norms(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    width: int,
    depth: int,
    *,
    n_nets: int = 4,
    n_inputs: int = 16,
    readout: str = "random",
    init: str = "gaussian",
    seed: int = 0,
) -> GradientNorms:
    """E‖δ^(l)‖² by layer in real random networks, next to the prediction χ₁^{n_l − l}.

    Introduced in chapter 6 (Approximations that work).

    Each of ``n_nets`` networks is ``MLP.random([width] * (depth + 1), activation,
    weight_scale=σ_w, bias_scale=σ_b, init=init, seed=seed + i)`` (f at every layer, the
    output included, as in Ng's convention): depth weight matrices, layers l = 1, …, n_l =
    depth + 1. Its ``n_inputs`` inputs are Gaussian vectors rescaled so that z^(2) has variance
    exactly q* (pitfall 1: inputs at another length pass through a transient of the length map
    and bias the top layers by several per cent). The δ's come from
    :func:`bpcore.backprop.delta_recursion` (the one backprop step):

    * ``readout="random"``: δ^(n_l) = v ⊙ f'(z^(n_l)) with v ~ N(0, I) drawn independently of
      the weights — the gradient of the random linear read-out J = vᵀ h(x). The output error
      does not depend on the weights, which is what the gradient-independence assumption needs;
      the per-layer factor then matches χ₁.
    * ``readout="squared_error"``: ``MLP.backward`` with the cost ½‖h − y‖², y = 0 (so
      δ^(n_l) = h ⊙ f'(z^(n_l))). h depends on W^(n_l − 1), which the first backward step
      multiplies by again: the assumption fails and the top layers run well above χ₁ (pitfall
      2; for a critical relu net the norm grows over depth instead of staying flat).

    Parameters
    ----------
    activation : str or Activation
    sigma_w : float > 0
    sigma_b : float >= 0
    width : int >= 2
    depth : int >= 1
        Number of weight matrices (n_l − 1).
    n_nets, n_inputs : int >= 1
    readout : {"random", "squared_error"}
    init : {"gaussian", "orthogonal"}
        See :meth:`bpcore.network.MLP.random`; χ₁ and the prediction are the same for both.
    seed : int >= 0

    Returns
    -------
    GradientNorms
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    width = check_int(width, "width", minimum=2)
    depth = check_int(depth, "depth", minimum=1)
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1)
    kind = _check_readout(readout)
    init = _check_init(init)
    seed = check_int(seed, "seed", minimum=0)
    x1 = chi1(act, sw, sb)
    q_in = _input_q(act, sw, sb)
    per_net = np.empty((n_nets, depth))
    for i in range(n_nets):
        net = MLP.random(
            [width] * (depth + 1), act, weight_scale=sw, bias_scale=sb, init=init, seed=seed + i
        )
        rng = np.random.default_rng([seed, i, 1])
        X = _inputs_at(act, sw, sb, q_in, width, n_inputs, rng)
        if kind == "random":
            fp = net.forward(X)
            fprimes = [act.deriv(z) for z in fp.z]  # f'(z^(2)), …, f'(z^(n_l))
            delta_out = rng.standard_normal((n_inputs, width)) * fprimes[-1]
            deltas = (
                delta_recursion(net.weights[1:], delta_out, fprimes[:-1])
                if depth > 1
                else [delta_out]
            )
        else:
            deltas = net.backward(X, np.zeros((n_inputs, width))).deltas
        per_net[i] = [float(np.mean(np.sum(d * d, axis=1))) for d in deltas]
    tot = per_net.mean(axis=0)
    mean = tot / tot[-1]
    if n_nets > 1:
        # delta method for the ratio of two means over nets
        r = per_net / tot[-1] - mean[None, :] * (per_net[:, -1:] / tot[-1])
        stderr = r.std(axis=0, ddof=1) / math.sqrt(n_nets)
    else:
        stderr = np.full(depth, np.nan)
    layers = np.arange(2, depth + 2)
    q_layers = _q_orbit(act, sw, sb, q_in, depth, DEFAULT_ORDER)
    if _at_fixed_point(act, sw, sb, q_in):
        predicted = x1 ** (depth + 1 - layers).astype(float)
    else:  # follow the orbit: factor σ_w² μ₁(q^(k)) for each backward step k = l … n_l − 1
        fac = sw * sw * _chi_along(act, sw, q_layers, 1, DEFAULT_ORDER)
        predicted = np.append(np.cumprod(fac[-2::-1])[::-1], 1.0) if depth > 1 else np.ones(1)
    rate = float(mean[0] ** (1.0 / (depth - 1))) if depth > 1 else math.nan
    top = float(mean[-2]) if depth > 1 else math.nan
    return GradientNorms(
        layers=layers,
        mean=mean,
        stderr=stderr,
        predicted=predicted,
        chi1=x1,
        rate=rate,
        top_ratio=top,
        q_in=q_in,
        q_layers=q_layers,
        activation=act.label,
        readout=kind,
        sigma_w=sw,
        sigma_b=sb,
        width=width,
        depth=depth,
        n_nets=n_nets,
        n_inputs=n_inputs,
    )


# ---------------------------------------------------------------------------------------------
# spectra of the input–output Jacobian


def fuss_catalan(L: int, k: int) -> int:
    """The Fuss–Catalan number FC_L(k) = binom((L + 1)k, k)/(Lk + 1), an exact integer.

    Introduced in chapter 6 (Approximations that work).

    Index convention: for X = G_L ⋯ G_1, a product of L independent N × N Gaussian matrices
    with entries N(0, 1/N), the k-th moment of the spectrum of XXᵀ is
    lim_{N→∞} (1/N) E tr (XXᵀ)^k = FC_L(k) (k = 0, 1, 2, …). L = 1 gives the Catalan numbers
    (Marchenko–Pastur at aspect ratio 1); L = 2: 1, 1, 3, 12, 55 (k = 0…4); L = 3: 1, 1, 4, 22,
    140. L = 0 (no matrix: X = I) gives 1 for every k.

    Parameters
    ----------
    L : int >= 0
    k : int >= 0
    """
    L = check_int(L, "L", minimum=0)
    k = check_int(k, "k", minimum=0)
    num = math.comb((L + 1) * k, k)
    q, r = divmod(num, L * k + 1)
    if r:  # pragma: no cover - a theorem, not bad input
        raise RuntimeError("binom((L+1)k, k) not divisible by Lk + 1")
    return q


def predicted_jacobian_moments(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    depth: int,
    *,
    init: str = "gaussian",
    q: float | None = None,
    order: int = DEFAULT_ORDER,
) -> tuple[float, float]:
    """Free-probability moments (m₁, m₂) of JJᵀ, J = D_L W_L ⋯ D_1 W_1 (Pennington et al.).

    Introduced in chapter 6 (Approximations that work).

    z^(2) has variance q^(2) = q (default: q* where q* > 0, else 1) and z^(l+1) the variance
    q^(l+1) = L(q^(l)) of the length map; the D_l² have moments μ_k(q^(l)) =
    E[f'(√q^(l) Z)^{2k}] (:func:`derivative_moment`). Treating the D_l and W_l as
    asymptotically free, the S-transform of JJᵀ is the product of the layers' S-transforms;
    expanding S(w) = (1/m₁)(1 − (m₂/m₁² − 1) w + O(w²)) (the O(w) coefficients add) gives
    (Pennington, Schoenholz & Ganguli 2017, 2018)

        m₁ = Π_l σ_w² μ₁(q^(l)),   m₂/m₁² − 1 = Σ_l (μ₂/μ₁²(q^(l)) − 1 + s),

    which is m₁ = χ₁^L, m₂/m₁² − 1 = L (μ₂/μ₁² − 1 + s) when q is a fixed point q* (every
    z at variance q*). Where q* = 0 (tanh, σ_b = 0, σ_w ≤ 1) or does not exist, q moves
    layer by layer and the orbit — not χ₁ — is the prediction (a fixed-q formula would be off
    by orders of magnitude: tanh σ_w = 0.9, L = 10 from q = 1).

    with s = 1 for Gaussian W (WᵀW is Marchenko–Pastur, m₂ = 2σ_w⁴) and s = 0 for orthogonal
    W. Linear Gaussian: m₂ = L + 1 = FC_L(2); orthogonal linear: m₂ = 1 (dynamical isometry).

    Parameters
    ----------
    activation, sigma_w, sigma_b, order : see :func:`length_map`
    depth : int >= 1
        L, the number of factors D_l W_l.
    init : {"gaussian", "orthogonal"}
    q : float >= 0, optional
        The variance of z^(2), the start of the orbit. Default: q* where q* > 0, else 1 (for
        relu / identity the μ_k do not depend on q).

    Returns
    -------
    (m1, m2) : tuple of float
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    L = check_int(depth, "depth", minimum=1)
    init = _check_init(init)
    n = _order(order)
    qq = _input_q(act, sw, sb) if q is None else check_real(q, "q", low=0.0)
    s = 1.0 if init == "gaussian" else 0.0
    if _at_fixed_point(act, sw, sb, qq):
        mu1 = float(_deriv_moment(act, np.asarray(qq), 1, n, "auto"))
        mu2 = float(_deriv_moment(act, np.asarray(qq), 2, n, "auto"))
        m1 = (sw * sw * mu1) ** L
        m2 = m1 * m1 * (1.0 + L * (mu2 / (mu1 * mu1) - 1.0 + s))
        return m1, m2
    qs = _q_orbit(act, sw, sb, qq, L, n)
    mu1 = _chi_along(act, sw, qs, 1, n)
    mu2 = _chi_along(act, sw, qs, 2, n)
    m1 = float(np.prod(sw * sw * mu1))
    m2 = m1 * m1 * (1.0 + float(np.sum(mu2 / (mu1 * mu1) - 1.0 + s)))
    return m1, m2


@dataclass(frozen=True, eq=False)
class JacobianSpectrum:
    """Squared singular values of the input–output Jacobian of random networks.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    sq_singular_values : (n_nets · width,) array
        The eigenvalues of JJᵀ, J = ∂a^(n_l)/∂a^(1) = D_{n_l} W^(n_l − 1) ⋯ D_2 W^(1), pooled
        over the networks, sorted ascending.
    moments : (4,) array
        (1/N) tr (JJᵀ)^k for k = 1 … 4, averaged over the networks.
    moments_stderr : (4,) array
        Their standard errors over the networks (NaN for one network).
    predicted : (2,) array
        The free-probability (m₁, m₂) of :func:`predicted_jacobian_moments`.
    fuss_catalan : (4,) array or None
        FC_L(k), k = 1 … 4, scaled by σ_w^{2Lk}, for the linear Gaussian case (None otherwise).
    activation, init : str
    sigma_w, sigma_b, q_in : float
    width, depth, n_nets : int
    """

    sq_singular_values: np.ndarray
    moments: np.ndarray
    moments_stderr: np.ndarray
    predicted: np.ndarray
    fuss_catalan: np.ndarray | None
    activation: str
    init: str
    sigma_w: float
    sigma_b: float
    q_in: float
    width: int
    depth: int
    n_nets: int

    @property
    def relative_error(self) -> np.ndarray:
        """moments[:2]/predicted − 1."""
        return self.moments[:2] / self.predicted - 1.0

    def __repr__(self) -> str:
        return (
            f"JacobianSpectrum({self.activation}, {self.init}, sigma_w={self.sigma_w:.6g}, "
            f"sigma_b={self.sigma_b:.6g}, width={self.width}, depth={self.depth}, "
            f"n_nets={self.n_nets}: moments={short_array(self.moments)}, "
            f"predicted m1, m2={short_array(self.predicted)})"
        )


def jacobian_spectrum(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    width: int,
    depth: int,
    *,
    init: str = "gaussian",
    n_nets: int = 1,
    seed: int = 0,
) -> JacobianSpectrum:
    """The spectrum of JJᵀ for random networks built with ``MLP.random``, and its predictions.

    Introduced in chapter 6 (Approximations that work).

    For each network ``MLP.random([width] * (depth + 1), activation, σ_w, σ_b, init=init,
    seed=seed + i)`` and one input with z^(2) at variance q* (q* > 0; else 1, and the prediction
    follows the length map's orbit, as in :func:`gradient_norms`),
    the rows of J = ∂a^(n_l)/∂a^(1) are the δ^(1) of the ``width`` unit read-outs
    δ^(n_l) = e_i ⊙ f'(z^(n_l)), computed by :func:`bpcore.backprop.delta_recursion` as one
    batch; the eigenvalues of JJᵀ follow from its singular values. Cost O(depth · width³).

    Parameters
    ----------
    activation, sigma_w, sigma_b : see :func:`length_map`
    width : int >= 2
    depth : int >= 1
    init : {"gaussian", "orthogonal"}
    n_nets : int >= 1
    seed : int >= 0

    Returns
    -------
    JacobianSpectrum
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    width = check_int(width, "width", minimum=2)
    depth = check_int(depth, "depth", minimum=1)
    init = _check_init(init)
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    q_in = _input_q(act, sw, sb)
    evs = []
    mom = np.empty((n_nets, 4))
    for i in range(n_nets):
        net = MLP.random(
            [width] * (depth + 1), act, weight_scale=sw, bias_scale=sb, init=init, seed=seed + i
        )
        rng = np.random.default_rng([seed, i, 2])
        x = _inputs_at(act, sw, sb, q_in, width, 1, rng)
        fp = net.forward(x)
        fprimes = [act.deriv(z[0]) for z in fp.z]
        delta_out = np.diag(fprimes[-1])  # row i: e_i ⊙ f'(z^(n_l))
        J = delta_recursion(net.weights, delta_out, [None, *fprimes[:-1]])[0]
        ev = np.linalg.svd(J, compute_uv=False) ** 2
        evs.append(ev)
        mom[i] = [np.mean(ev**k) for k in range(1, 5)]
    moments = mom.mean(axis=0)
    se = mom.std(axis=0, ddof=1) / math.sqrt(n_nets) if n_nets > 1 else np.full(4, np.nan)
    pred = np.array(predicted_jacobian_moments(act, sw, sb, depth, init=init, q=q_in))
    fc = None
    if act.name == "identity" and init == "gaussian":
        fc = np.array([fuss_catalan(depth, k) * sw ** (2 * depth * k) for k in range(1, 5)])
    return JacobianSpectrum(
        sq_singular_values=np.sort(np.concatenate(evs)),
        moments=moments,
        moments_stderr=se,
        predicted=pred,
        fuss_catalan=fc,
        activation=act.label,
        init=init,
        sigma_w=sw,
        sigma_b=sb,
        q_in=q_in,
        width=width,
        depth=depth,
        n_nets=n_nets,
    )


# ---------------------------------------------------------------------------------------------
# Hanin's finite-width law


def _hanin_V(n: int) -> float:
    k = np.arange(1, n + 1)
    logp = (
        special.gammaln(n + 1)
        - special.gammaln(k + 1)
        - special.gammaln(n - k + 1)
        - n * math.log(2)
    )
    p = np.exp(logp)
    p /= p.sum()  # condition on K >= 1
    psi = special.digamma(k / 2.0)
    mean = float(p @ psi)
    return float(p @ special.polygamma(1, k / 2.0) + p @ (psi - mean) ** 2)


def hanin_V(n: int | Sequence[int] | np.ndarray) -> float | np.ndarray:
    """V(n) = Var[log((2/n) χ²_K)], K ~ Binomial(n, ½) conditioned on K ≥ 1: one ReLU layer.

    Introduced in chapter 6 (Approximations that work).

    The exact per-layer law is the course's own derivation (chapter 6); Hanin (2018, NeurIPS,
    "Which neural net architectures give rise to exploding and vanishing gradients?") shows
    that the fluctuations are controlled by β = Σ 1/n_l (bounds of the form exp(Cβ) on the
    moments of the Jacobian entries), and Hanin & Nica (2020, Comm. Math. Phys. 376, "Products
    of many large random matrices and gradients in deep neural networks") give the log-normal
    limit. Derivation: a He-initialised ReLU layer without biases, W_ij ~ N(0, 2/n_in),
    maps a tangent vector v to D W v, D = diag 1{W a > 0}. Write v = α â + w with w ⊥ a.
    Given the signs of g_i = (W â)_i, the |g_i| are independent half-normals and h_i = (W w)_i
    independent symmetric Gaussians, and (α|g_i| + h_i)² has the law of (α g_i + h_i)², a
    squared N(0, 2‖v‖²/n_in) (flip the sign of h). Hence ‖D W v‖² = (2/n_in) ‖v‖² χ²_K with
    K ~ Binomial(n_out, ½) active units, independent of everything before — the layers are
    independent and log‖J u‖² is a sum of independent terms, Var log‖J u‖² = Σ_l V(n_l)
    exactly. With E log χ²_k = ψ(k/2) + log 2 and Var log χ²_k = ψ'(k/2) (ψ the digamma
    function), the law of total variance gives

        V(n) = E[ψ'(K/2)] + Var[ψ(K/2)]  (the offset log(2/n) drops out),

    and V(n) = 5/n + O(1/n²) (ψ'(x) ≈ 1/x gives 4/n, Var ψ(K/2) ≈ 1/n). K = 0 (probability
    2^{−n}) kills the layer: J u = 0 and log‖J u‖² = −∞, so the unconditioned variance is
    infinite; V(n) is the variance given K ≥ 1, and :func:`log_norm_variance` discards (and
    counts) samples with a dead layer, which is the same conditioning.

    Parameters
    ----------
    n : int >= 1 or a sequence of them
        The number of units of the layer (the output width of the layer).

    Returns
    -------
    float or array
    """
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        return _hanin_V(check_int(n, "n", minimum=1))
    if isinstance(n, str | bytes) or not isinstance(n, Sequence | np.ndarray):
        raise TypeError(f"n must be an integer or a sequence of integers, got {type(n).__name__}")
    return np.array([_hanin_V(check_int(v, f"n[{i}]", minimum=1)) for i, v in enumerate(n)])


@dataclass(frozen=True, eq=False)
class LogNormVariance:
    """Simulated Var log‖J u‖² of He ReLU networks vs the exact per-layer law and its limit.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    widths : tuple of int
        [s_1, …, s_{n_l}] (input first).
    variance : float
        Sample variance of log‖J u‖² over the live samples.
    stderr : float
        Its standard error, by the jackknife over networks (leave one network out), since the
        inputs of one network share its weights.
    exact : float
        Σ_{l=2}^{n_l} V(s_l) (:func:`hanin_V`).
    asymptotic : float
        5 Σ_{l=2}^{n_l} 1/s_l.
    mean_log : float
        Sample mean of log‖J u‖² over the live samples. (Unconditionally
        E‖J u‖² = Π_l s_l/s_{l−1} = s_{n_l}/s_1 — 1 only for equal first and last widths;
        conditioned on "alive" it differs again.)
    n_samples : int
        Live samples used.
    n_dead : int
        Samples discarded because some layer had no active unit (J u = 0).
    log_sq_norms : (n_samples,) array
        The live samples log‖J u‖² themselves (for medians, histograms, …).
    network : (n_samples,) int array
        Which network (0 … n_nets − 1) each sample came from.
    sq_norm_mean : float
        Mean of ‖J u‖² over all samples, dead ones included as 0 (unbiased for s_{n_l}/s_1).
    sq_norm_stderr : float
        Its standard error over networks (each network's mean over its inputs is one sample:
        the inputs of one network share its weights; NaN for one network).
    expected_sq_norm : float
        s_{n_l}/s_1, the exact E‖J u‖² (unconditional).
    """

    widths: tuple[int, ...]
    variance: float
    stderr: float
    exact: float
    asymptotic: float
    mean_log: float
    n_samples: int
    n_dead: int
    log_sq_norms: np.ndarray
    network: np.ndarray
    sq_norm_mean: float
    sq_norm_stderr: float
    expected_sq_norm: float

    @property
    def median_sq_norm(self) -> float:
        """Median of ‖J u‖² over all samples (dead ones as 0)."""
        full = np.concatenate([np.exp(self.log_sq_norms), np.zeros(self.n_dead)])
        return float(np.median(full))

    def __repr__(self) -> str:
        return (
            f"LogNormVariance(widths={list(self.widths)}, variance={self.variance:.6g} ± "
            f"{self.stderr:.2g}, exact={self.exact:.6g}, asymptotic={self.asymptotic:.6g}, "
            f"n_samples={self.n_samples}, n_dead={self.n_dead})"
        )


def log_norm_variance(
    widths: Sequence[int],
    *,
    n_nets: int = 200,
    n_inputs: int = 8,
    seed: int = 0,
) -> LogNormVariance:
    """Var log‖J u‖² for He-initialised ReLU networks (σ_w = √2, σ_b = 0) by simulation.

    Introduced in chapter 6 (Approximations that work).

    Each network is ``MLP.random(widths, "relu", weight_scale=√2, bias_scale=0, seed=seed + i)``
    (relu also at the output, so J = ∂a^(n_l)/∂a^(1) = D_{n_l} W^(n_l − 1) ⋯ D_2 W^(1));
    each of its ``n_inputs`` (x, u) pairs has a Gaussian input x and an independent unit
    direction u, and J u is pushed forward layer by layer (v ← f'(z) ⊙ W v, a Jacobian–vector
    product). The result is compared with the exact Σ_l V(s_l) (:func:`hanin_V`, the course's
    derivation) and with the large-width limit 5 Σ_l 1/s_l (cf. Hanin 2018 for the role of
    β = Σ 1/s_l, Hanin & Nica 2020 for the log-normal limit). The samples themselves are
    returned (``log_sq_norms``, ``network``), with the mean of ‖J u‖² and its standard error
    over networks.

    Parameters
    ----------
    widths : sequence of ints >= 1, length >= 2
        [s_1, …, s_{n_l}].
    n_nets, n_inputs : int >= 1
    seed : int >= 0

    Returns
    -------
    LogNormVariance
    """
    if isinstance(widths, str | bytes) or not isinstance(widths, Sequence | np.ndarray):
        raise TypeError(f"widths must be a sequence of layer widths, got {type(widths).__name__}")
    if len(widths) < 2:
        raise ValueError(f"widths must list at least 2 layer widths, got {list(widths)}")
    s = tuple(check_int(v, f"widths[{i}]", minimum=1) for i, v in enumerate(widths))
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    logs = []
    per_net_sq = np.empty(n_nets)
    dead = 0
    for i in range(n_nets):
        net = MLP.random(list(s), "relu", weight_scale=math.sqrt(2.0), seed=seed + i)
        rng = np.random.default_rng([seed, i, 3])
        X = rng.standard_normal((n_inputs, s[0]))
        U = rng.standard_normal((n_inputs, s[0]))
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        fp = net.forward(X)
        V = U
        for W, z in zip(net.weights, fp.z, strict=True):
            V = (V @ W.T) * (z > 0)
        nrm = np.sum(V * V, axis=1)
        alive = nrm > 0
        per_net_sq[i] = float(nrm.mean())
        dead += int(np.count_nonzero(~alive))
        logs.append(np.log(nrm[alive]))
    x = np.concatenate(logs)
    N = x.size
    if N < 3 or sum(len(v) > 0 for v in logs) < 2:
        raise ValueError(
            f"only {N} of {n_nets * n_inputs} samples (from fewer than 2 networks) have no dead "
            "layer; raise n_nets or the widths"
        )
    var = float(np.var(x, ddof=1))
    # jackknife over networks (the inputs of one network share its weights)
    n_i = np.array([len(v) for v in logs], dtype=float)
    s1 = np.array([v.sum() for v in logs])
    s2 = np.array([(v * v).sum() for v in logs])
    keep = N - n_i
    ok = keep >= 2
    loo = ((s2.sum() - s2[ok]) - (s1.sum() - s1[ok]) ** 2 / keep[ok]) / (keep[ok] - 1)
    g = loo.size
    se = math.sqrt((g - 1) / g * float(np.sum((loo - loo.mean()) ** 2)))
    return LogNormVariance(
        widths=s,
        variance=var,
        stderr=se,
        exact=float(np.sum(hanin_V(list(s[1:])))),
        asymptotic=5.0 * sum(1.0 / n for n in s[1:]),
        mean_log=float(x.mean()),
        n_samples=N,
        n_dead=dead,
        log_sq_norms=_ro(x),
        network=_ro(np.concatenate([np.full(len(v), i) for i, v in enumerate(logs)])),
        sq_norm_mean=float(per_net_sq.mean()),
        sq_norm_stderr=(
            float(per_net_sq.std(ddof=1) / math.sqrt(n_nets)) if n_nets > 1 else math.nan
        ),
        expected_sq_norm=s[-1] / s[0],
    )


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a

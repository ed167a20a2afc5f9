"""Gaussian expectations for the mean-field maps: quadrature, and closed forms where they exist.

Every mean-field map of :mod:`bpcore.meanfield` is an expectation over Gaussian
pre-activations. This module holds the one place where they are computed: the Gauss–Hermite
rule for one-dimensional expectations (:data:`DEFAULT_ORDER` says how many nodes and why), the
trapezoidal / Gauss–Hermite product rules for pairs (u, v) of correlation c, and the closed
forms — arc-cosine kernels for relu / leaky relu / identity (Cho & Saul 2009), the arcsine
kernel for erf (Williams 1998) — with the shared input checks of the package.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from scipy import special

from bpcore._validate import check_int, check_real, check_real_array
from bpcore.activations import Activation, get_activation
from bpcore.activations import z as _z

__all__ = ["DEFAULT_ORDER", "ERF"]

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


def _relu_arccos(
    k12: np.ndarray, k11: np.ndarray, k22: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(E[relu(u) relu(v)], E[relu'(u) relu'(v)]), (u, v) ~ N(0, [[k11, k12], [k12, k22]]).

    The package's one ReLU arc-cosine step (Cho & Saul 2009, degrees 1 and 0, their
    normalisation divided by 2): with cos θ = k12/√(k11 k22), √(k11 k22) (sin θ + (π − θ) cos θ)/2π
    and (π − θ)/2π; both 0 where k11 k22 = 0. Unchecked: :func:`bpcore.ntk.relu_arccos_step` is
    the checked public form; :func:`_corr_closed` builds every piecewise-linear f from it.
    """
    k12, k11, k22 = np.broadcast_arrays(k12, k11, k22)
    norm = np.sqrt(k11 * k22)
    positive = norm > 0
    safe = np.where(positive, norm, 1.0)
    cos = np.clip(np.where(positive, k12 / safe, 0.0), -1.0, 1.0)
    theta = np.arccos(cos)
    sin = np.sqrt(np.maximum(1.0 - cos * cos, 0.0))
    e_phi = np.where(positive, norm * (sin + (np.pi - theta) * cos) / (2 * np.pi), 0.0)
    e_dphi = np.where(positive, (np.pi - theta) / (2 * np.pi), 0.0)
    return e_phi, e_dphi


def _corr_closed(kind, q: float, c: np.ndarray, deriv: bool) -> np.ndarray:
    """E[f(u)f(v)] (deriv=False) or E[f'(u)f'(v)] (deriv=True) in closed form."""
    name, alpha = kind
    c = np.clip(c, -1.0, 1.0)
    if name == "pwlin":
        # f(x) = relu(x) − α relu(−x), so E[f(u)f(v)] = (1 + α²) E[u₊v₊] − 2α E[u₊v₋]
        # (v₋ = relu(−v)) and E[f'(u)f'(v)] = (1 + α²) P(u, v > 0) + 2α P(u > 0 > v): the
        # ReLU step at correlation c and at −c (E[u₊v₋] = q (sin θ − θ c)/2π, θ = arccos c)
        same, d_same = _relu_arccos(q * c, q, q)
        cross, d_cross = _relu_arccos(-q * c, q, q)
        if deriv:
            return (1 + alpha * alpha) * d_same + 2 * alpha * d_cross
        return (1 + alpha * alpha) * same - 2 * alpha * cross
    if deriv:  # erf': (4/π) E[e^{−u²−v²}] = (4/π)/√((1 + 2q)² − 4q²c²)
        return (4.0 / np.pi) / np.sqrt((1 + 2 * q) ** 2 - (2 * q * c) ** 2)
    return (2.0 / np.pi) * np.arcsin(2 * q * c / (1 + 2 * q))

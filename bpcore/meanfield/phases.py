"""Order and chaos: the depth scales ξ of a random network and the critical line χ₁ = 1.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from bpcore._validate import check_real
from bpcore.activations import Activation
from bpcore.meanfield.gaussian import (
    DEFAULT_ORDER,
    _activation,
    _method,
    _order,
    _sigmas,
    _use_closed,
)
from bpcore.meanfield.maps import (
    _chi_c,
    chi1,
    correlation_map,
    fixed_point,
)

__all__ = ["DepthScales", "critical_sigma_w", "depth_scales"]


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

    Examples
    --------
    >>> from bpcore.meanfield import depth_scales
    >>> s = depth_scales("tanh", 2.5, 0.3)
    >>> s.phase, round(s.chi1, 4), round(s.c_star, 4)  # chaotic: nearby inputs decorrelate
    ('chaotic', 1.5852, 0.1221)
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

    Examples
    --------
    >>> from bpcore.meanfield import depth_scales
    >>> s = depth_scales("tanh", 1.0, 0.05)
    >>> s.phase, round(s.chi1, 4), round(s.xi_grad, 2)  # ξ = −1/ln χ₁ layers
    ('ordered', 0.9341, 14.66)
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

    Examples
    --------
    >>> from bpcore.meanfield import critical_sigma_w
    >>> round(critical_sigma_w("relu", 0.3), 4)  # √2 for every σ_b
    1.4142
    >>> round(critical_sigma_w("tanh", 0.05), 4)
    1.1225
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

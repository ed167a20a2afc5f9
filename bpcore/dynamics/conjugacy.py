"""Maps conjugate to linear ones: logistic r = 4 and 2, Chebyshev z ↦ z² − 2, power map w z².

Each orbit k = 0, …, n has a closed form through the conjugacy (Böttcher coordinates for the
last two).

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from bpcore._validate import (
    check_int,
    check_real,
)

__all__ = ["chebyshev_closed_form", "logistic_closed_form", "power_map_closed_form"]


# ---------------------------------------------------------------------------------------------
# maps conjugate to linear ones (orbits k = 0, …, n)


def _angles(theta: object, n: object) -> tuple[np.ndarray, int]:
    theta = check_real(theta, "theta")
    n = check_int(n, "n", minimum=0)
    with np.errstate(over="ignore"):
        ang = np.ldexp(theta, np.arange(n + 1))  # 2^k θ, exact in binary floating point
    if not np.all(np.isfinite(ang)):
        raise ValueError(f"n must be small enough that 2**n * theta is finite, got n={n}")
    return ang, n


def logistic_closed_form(
    theta: float | None, n: int, r: int = 4, *, x0: object = None
) -> np.ndarray | list[Fraction]:
    """Closed-form orbit x_0, …, x_n of the logistic map x ↦ r x (1 − x) for r = 4 or r = 2.

    Introduced in chapter 4 (Nonlinear activations).

    r = 4: x = sin²θ conjugates the map to the doubling θ ↦ 2θ, so x_k = sin²(2ᵏθ).
    r = 2: 1 − 2x ↦ (1 − 2x)², so x_k = (1 − (1 − 2x_0)^(2ᵏ))/2 with x_0 = sin²θ.

    Parameters
    ----------
    theta : float or None
        The angle; x_0 = sin²θ.
    n : int
        Last index, ≥ 0.
    r : {4, 2}
    x0 : real or exact number, keyword-only
        Instead of θ (then ``theta`` must be None). For r = 2 an exact x0 (int or Fraction)
        gives an exact list of Fractions (its size doubles each step: keep n small); for r = 4,
        0 ≤ x0 ≤ 1 and θ = arcsin √x0.

    Returns
    -------
    (n+1,) float array, or list of Fraction

    Examples
    --------
    >>> from fractions import Fraction
    >>> from bpcore.dynamics import logistic_closed_form
    >>> logistic_closed_form(0.3, 3).round(6)
    array([0.087332, 0.318821, 0.868697, 0.456251])
    >>> logistic_closed_form(None, 3, r=2, x0=Fraction(1, 3))
    [Fraction(1, 3), Fraction(4, 9), Fraction(40, 81), Fraction(3280, 6561)]
    """
    r = check_int(r, "r")
    if r not in (2, 4):
        raise ValueError(f"r must be 4 or 2 (the conjugate-to-linear cases), got {r}")
    if (theta is None) == (x0 is None):
        raise TypeError("give exactly one of theta and x0")
    if x0 is not None and r == 2 and isinstance(x0, int | Fraction) and not isinstance(x0, bool):
        n = check_int(n, "n", minimum=0)
        y = 1 - 2 * Fraction(x0)
        return [(1 - y ** (2**k)) / 2 for k in range(n + 1)]
    if x0 is not None:
        x = check_real(x0, "x0", low=0.0, high=1.0) if r == 4 else check_real(x0, "x0")
        if r == 2:
            n = check_int(n, "n", minimum=0)
            with np.errstate(over="ignore"):
                out = (1.0 - np.power(1.0 - 2.0 * x, np.ldexp(1.0, np.arange(n + 1)))) / 2.0
            if not np.all(np.isfinite(out)):
                raise OverflowError("the orbit left the float range (|1 - 2 x0| > 1)")
            return out
        theta = math.asin(math.sqrt(x))
    ang, n = _angles(theta, n)
    if r == 4:
        return np.array([math.sin(a) ** 2 for a in ang])  # libm: exact argument reduction
    return np.array([(1.0 - math.cos(2.0 * ang[0]) ** (2**k)) / 2.0 for k in range(n + 1)])


def chebyshev_closed_form(theta: float, n: int) -> np.ndarray:
    """Closed-form orbit of the quadratic chain z ↦ z² − 2 from z_0 = 2cos θ: z_k = 2cos(2ᵏθ).

    Introduced in chapter 4 (Nonlinear activations).

    z = 2cos θ conjugates z² − 2 (the Chebyshev polynomial T₂ rescaled) to θ ↦ 2θ.

    Parameters
    ----------
    theta : float
    n : int
        Last index, ≥ 0.

    Returns
    -------
    (n+1,) float array

    Examples
    --------
    >>> from bpcore.dynamics import chebyshev_closed_form
    >>> z = chebyshev_closed_form(0.3, 3)
    >>> z.round(6), bool(abs(z[1] - (z[0] ** 2 - 2)) < 1e-12)
    (array([ 1.910673,  1.650671,  0.724716, -1.474787]), True)
    """
    ang, _ = _angles(theta, n)
    return np.array([2.0 * math.cos(a) for a in ang])


def power_map_closed_form(w: object, z0: object, n: int) -> np.ndarray | list[Fraction]:
    """Closed-form orbit of the power map z ↦ w z²: z_k = w^(2ᵏ−1) z0^(2ᵏ) = (w z0)^(2ᵏ)/w.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    w, z0 : real, or both exact (int / Fraction) for an exact list of Fractions
    n : int
        Last index, ≥ 0 (exact sizes double each step: keep n small).

    Raises
    ------
    OverflowError
        If the float orbit leaves the float range.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from bpcore.dynamics import power_map_closed_form
    >>> power_map_closed_form(Fraction(1, 2), Fraction(3), 3)
    [Fraction(3, 1), Fraction(9, 2), Fraction(81, 8), Fraction(6561, 128)]
    """
    n = check_int(n, "n", minimum=0)
    exact = all(isinstance(v, int | Fraction) and not isinstance(v, bool) for v in (w, z0))
    if exact:
        fw, fz = Fraction(w), Fraction(z0)
        return [fw ** (2**k - 1) * fz ** (2**k) for k in range(n + 1)]
    w = check_real(w, "w")
    z0 = check_real(z0, "z0")
    p = np.ldexp(1.0, np.arange(n + 1))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = np.power(w * z0, p) / w if w != 0 else np.where(p == 1, z0, 0.0)
    if not np.all(np.isfinite(out)):
        raise OverflowError("the orbit left the float range (|w z0| > 1 grows as 2^(2^k))")
    return out

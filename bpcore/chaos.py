"""Chaos in a tied network: Lyapunov exponents from the δ's, and what chaos does to float64.

A tied network z ↦ W f(z) + b is a dynamical system and its δ's are products of the factors
W diag f'(z^(l)) along the orbit; the Lyapunov exponent is the growth rate of that product,
λ = lim (1/L) ln|δ^(bottom)/δ^(top)|. A positive λ (chaos) does NOT mean there is no closed
form: the logistic map r = 4 is chaotic with λ = ln 2 and still has the exact closed form
x_n = sin²(2ⁿθ). What chaos does is make every finite-precision evaluation lose about
λ / ln 2 bits per layer, so float64 iteration is garbage after ≈ 52 layers while the closed
form, evaluated at high precision, stays exact. :func:`logistic_precision` measures both.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from bpcore._validate import check_int, check_real
from bpcore.activations import polynomial
from bpcore.dynamics import TiedOrbit, tied_chain

__all__ = ["PrecisionLoss", "log_jacobian_norm", "logistic_precision", "lyapunov_from_orbit"]

# the fit window for the bits lost per layer: float64 errors between these bounds grow cleanly
_FIT_LOW, _FIT_HIGH = 1e-13, 1e-3


def log_jacobian_norm(orbit: TiedOrbit) -> float:
    """ln ‖∂z^(L)/∂z^(0)‖ from the orbit's factors, without overflow.

    Introduced in chapter 4 (Nonlinear activations).

    Width 1: Σ_l ln|factors[l]| = ln|deltas[0]| (the δ at the bottom for a unit δ at the top).
    Width n: ln σ_max(factors[L−1] ⋯ factors[0]) = ln σ_max(deltas[0]), the largest singular
    value of the accumulated Jacobian; the product is accumulated layer by layer and rescaled
    by a power of two after each layer, so it never overflows (deltas[0] itself overflows
    float64 for long chaotic orbits, ≈ 2^L for the logistic map).

    Parameters
    ----------
    orbit : TiedOrbit
        From :func:`bpcore.dynamics.tied_chain` or :func:`bpcore.dynamics.tied_network`,
        depth ≥ 1.

    Returns
    -------
    float
        −inf if a factor (or the product) is exactly zero, e.g. a dead ReLU layer.

    Raises
    ------
    TypeError
        If ``orbit`` is not a TiedOrbit.
    ValueError
        If its depth is 0.

    Examples
    --------
    >>> import math
    >>> from bpcore.chaos import log_jacobian_norm
    >>> from bpcore.dynamics import tied_chain
    >>> orbit = tied_chain("identity", 2.0, 0.0, 1.0, 10)  # z ↦ 2z: the Jacobian is 2^10
    >>> round(log_jacobian_norm(orbit), 4), round(10 * math.log(2), 4)
    (6.9315, 6.9315)
    """
    if not isinstance(orbit, TiedOrbit):
        raise TypeError(
            f"orbit must be a bpcore.dynamics.TiedOrbit (from tied_chain or tied_network), "
            f"got {type(orbit).__name__}"
        )
    if orbit.depth < 1:
        raise ValueError("orbit must have depth >= 1 (the exponent is a rate per layer)")
    F = np.asarray(orbit.factors)
    if F.ndim == 1:
        with np.errstate(divide="ignore"):
            return float(np.sum(np.log(np.abs(F))))
    J, E = np.eye(F.shape[1]), 0
    for Fl in F:  # a loop over layers: J = factors[l] ⋯ factors[0]
        J = Fl @ J
        peak = np.max(np.abs(J))
        if peak == 0:
            return -math.inf
        _, e = np.frexp(peak)
        J, E = np.ldexp(J, -int(e)), E + int(e)
    return float(np.log(np.linalg.norm(J, 2)) + E * math.log(2.0))


def lyapunov_from_orbit(orbit: TiedOrbit) -> float:
    """Finite-depth Lyapunov exponent of a tied network, from its orbit's factors/δ's.

    Introduced in chapter 4 (Nonlinear activations).

    Width 1: (1/L) Σ_l ln|w f'(z^(l))| = (1/L) ln|δ^(bottom)/δ^(top)|. Width n: (1/L) ln of the
    largest singular value of the accumulated Jacobian ∂z^(L)/∂z^(0) (= orbit.deltas[0]), i.e.
    the top Lyapunov exponent. Computed as a sum of logarithms by :func:`log_jacobian_norm`
    (the same numbers as the δ's, without their float64 overflow).

    Parameters
    ----------
    orbit : TiedOrbit
        Depth L ≥ 1.

    Returns
    -------
    float
        > 0: nearby inputs separate (chaos); < 0: they contract (for an orbit near an attracting
        fixed point z*, → ln|g'(z*)|); −inf if some factor is zero. For the logistic map r = 4
        it tends to ln 2 for Lebesgue-almost every θ (x_0 = sin²θ), since δ^(0) =
        2ⁿ sin(2ⁿ⁺¹θ)/sin(2θ); exceptional θ give other limits: θ = π/4 (x_0 = 1/2, the critical
        point) gives −inf, θ = π/2 (x_0 = 1, then the fixed point 0 with factor 4) gives ln 4,
        rational multiples of π whose orbit lands on a repelling cycle give that cycle's
        exponent.

    Raises
    ------
    TypeError, ValueError
        As in :func:`log_jacobian_norm`.

    Examples
    --------
    >>> import math
    >>> from bpcore.activations import polynomial
    >>> from bpcore.chaos import lyapunov_from_orbit
    >>> from bpcore.dynamics import tied_chain
    >>> orbit = tied_chain(polynomial([0, 1, -1]), 4.0, 0.0, math.sin(0.7) ** 2, 1000)
    >>> round(lyapunov_from_orbit(orbit), 2), round(math.log(2), 2)  # the logistic map r = 4
    (0.69, 0.69)
    """
    total = log_jacobian_norm(orbit)  # validates `orbit`
    return total / orbit.depth


@dataclass(frozen=True, eq=False)
class PrecisionLoss:
    """The logistic map r = 4 as a tied network, in float64, at high precision and closed form.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    theta : float
        The angle; x_0 = sin²θ.
    depth, dps : int
        Number of layers and mpmath's decimal digits.
    float_orbit : (depth+1,) array
        tied_chain(polynomial([0, 1, −1]), 4, 0, sin²θ, depth).zs (float64).
    mp_orbit, closed_form : tuple of mpmath.mpf
        x ↦ 4x(1 − x) iterated at ``dps`` digits from sin²θ, and sin²(2ᵏθ) at ``dps`` digits.
    errors : (depth+1,) array
        |float_orbit[k] − closed_form[k]|.
    mp_errors : (depth+1,) array
        |mp_orbit[k] − closed_form[k]| (≈ 10^(−dps) · 2^k).
    bits_lost_per_layer : float
        Slope of log2 errors[k] against k, least squares over the steps with
        1e−13 ≤ error ≤ 1e−3 (after the first step in that band, before the first step above
        it); NaN if fewer than 5 steps qualify. ≈ λ/ln 2 = 1.
    fit_steps : (2,) tuple of int
        First and last step of that fit.
    step_off : int or None
        First step with error > 0.1 (None if none).
    lyapunov : float
        :func:`lyapunov_from_orbit` of the float64 orbit (≈ ln 2).

    Examples
    --------
    >>> from bpcore.chaos import logistic_precision
    >>> loss = logistic_precision(0.7, 60)
    >>> round(loss.bits_lost_per_layer, 1), loss.step_off, bool(loss.mp_errors.max() < 1e-80)
    (1.0, 50, True)
    """

    theta: float
    depth: int
    dps: int
    float_orbit: np.ndarray
    mp_orbit: tuple
    closed_form: tuple
    errors: np.ndarray
    mp_errors: np.ndarray
    bits_lost_per_layer: float
    fit_steps: tuple[int, int]
    step_off: int | None
    lyapunov: float

    def __repr__(self) -> str:
        return (
            f"PrecisionLoss(theta={self.theta:.6g}, depth={self.depth}, dps={self.dps}, "
            f"bits_lost_per_layer={self.bits_lost_per_layer:.4f}, step_off={self.step_off}, "
            f"max_mp_error={float(np.max(self.mp_errors)):.3g}, lyapunov={self.lyapunov:.4f})"
        )


def logistic_precision(theta: float, depth: int, *, dps: int = 120) -> PrecisionLoss:
    """Measure float64's loss of precision on the chaotic logistic network against its closed form.

    Introduced in chapter 4 (Nonlinear activations).

    The network is the width-1 tied chain z ↦ 4 f(z) with f(z) = z − z² (so z ↦ 4z(1 − z)),
    input x_0 = sin²θ; its closed form is x_k = sin²(2ᵏθ). The reference orbits use the float
    θ exactly (2ᵏθ is exact in binary), so the float64 orbit differs from them only by the
    rounding of sin²θ and of each step.

    Parameters
    ----------
    theta : float
        Finite; a generic value (not a rational multiple of π) gives a typical orbit.
    depth : int
        Number of layers, 1 ≤ depth ≤ 1000 (the orbit's δ's are ≈ 2^depth: float64 overflows
        beyond ≈ 1020).
    dps : int, keyword-only
        mpmath decimal digits, at least 0.302 · depth + 20: the high-precision ORBIT loses
        log10 2 digits per layer to chaos. (The closed form sin²(2ᵏθ) does not: 2ᵏθ is exact
        in binary and mpmath reduces the argument exactly, so it needs only the output digits.)

    Returns
    -------
    PrecisionLoss

    Raises
    ------
    TypeError, ValueError
        For a non-finite theta, depth out of range or too few dps.

    Examples
    --------
    >>> from bpcore.chaos import logistic_precision
    >>> loss = logistic_precision(0.7, 60)
    >>> round(loss.bits_lost_per_layer, 1), round(loss.lyapunov, 2)  # ≈ 1 bit and ln 2
    (1.0, 0.69)
    >>> float(loss.errors[60]) > 0.1  # float64 after 60 layers: no correct digit left
    True
    """
    theta = check_real(theta, "theta")
    depth = check_int(depth, "depth", minimum=1)
    if depth > 1000:
        raise ValueError(f"depth must be <= 1000 (the δ's overflow float64 beyond), got {depth}")
    dps = check_int(dps, "dps")
    need = math.ceil(depth * math.log10(2) + 20)
    if dps < need:
        raise ValueError(f"dps must be >= {need} for depth {depth}, got {dps}")
    orbit = tied_chain(polynomial([0, 1, -1]), 4.0, 0.0, math.sin(theta) ** 2, depth)
    with mpmath.workdps(dps):
        th = mpmath.mpf(theta)
        x = mpmath.sin(th) ** 2
        mp_orbit = [x]
        for _ in range(depth):  # a loop over layers
            x = 4 * x * (1 - x)
            mp_orbit.append(x)
        closed = [mpmath.sin(mpmath.ldexp(th, k)) ** 2 for k in range(depth + 1)]
        errors = np.array(
            [float(abs(mpmath.mpf(v) - c)) for v, c in zip(orbit.zs, closed, strict=True)]
        )
        mp_errors = np.array([float(abs(v - c)) for v, c in zip(mp_orbit, closed, strict=True)])
    bits, window = _fit_bits(errors)
    above = np.flatnonzero(errors > 0.1)
    return PrecisionLoss(
        theta=theta,
        depth=depth,
        dps=dps,
        float_orbit=orbit.zs,
        mp_orbit=tuple(mp_orbit),
        closed_form=tuple(closed),
        errors=errors,
        mp_errors=mp_errors,
        bits_lost_per_layer=bits,
        fit_steps=window,
        step_off=int(above[0]) if above.size else None,
        lyapunov=lyapunov_from_orbit(orbit),
    )


def _fit_bits(errors: np.ndarray) -> tuple[float, tuple[int, int]]:
    """Least-squares slope of log2 error over the band [_FIT_LOW, _FIT_HIGH] (see PrecisionLoss)."""
    in_band = np.flatnonzero(errors >= _FIT_LOW)
    if in_band.size == 0:
        return math.nan, (0, 0)
    start = int(in_band[0])
    high = np.flatnonzero(errors[start:] > _FIT_HIGH)
    stop = start + int(high[0]) - 1 if high.size else errors.size - 1
    if stop - start + 1 < 5:
        return math.nan, (start, stop)
    k = np.arange(start, stop + 1)
    with np.errstate(divide="ignore"):
        y = np.log2(errors[start : stop + 1])
    ok = np.isfinite(y)
    if ok.sum() < 5:
        return math.nan, (start, stop)
    slope = np.polyfit(k[ok], y[ok], 1)[0]
    return float(slope), (start, stop)

"""Tests for bpcore.chaos: Lyapunov exponents from the δ's, and float64 against the closed form.

References: independent mpmath evaluations of sin²(2ᵏθ) at 200 digits, the orbit's own δ's
(``deltas[0]``, where it does not overflow), numpy's SVD, scipy root finding for the tanh fixed
point, and the known exponents ln 2 (logistic r = 4) and ln|g'(z*)| (attracting fixed point).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import optimize

from bpcore.activations import polynomial
from bpcore.chaos import log_jacobian_norm, logistic_precision, lyapunov_from_orbit
from bpcore.dynamics import tied_chain, tied_network

GENERIC_THETAS = (0.7, 1.0, 2.0, 0.3141)  # not rational multiples of π


def logistic_orbit(theta: float, depth: int):
    return tied_chain(polynomial([0, 1, -1]), 4.0, 0.0, math.sin(theta) ** 2, depth)


# --- logistic r = 4: closed form, high precision, float64 ----------------------------------------


@pytest.mark.parametrize("theta", GENERIC_THETAS)
def test_closed_form_agrees_with_120_digit_orbit(theta: float) -> None:
    res = logistic_precision(theta, 100, dps=120)
    assert float(np.max(res.mp_errors)) < 1e-90
    # the closed form itself against an independent 200-digit evaluation
    with mpmath.workdps(200):
        th = mpmath.mpf(theta)
        for k in (0, 10, 50, 100):
            ref = mpmath.sin(th * 2**k) ** 2
            assert abs(res.closed_form[k] - ref) < mpmath.mpf(10) ** -85
            assert abs(float(res.closed_form[k]) - float(ref)) <= 1e-16
            assert res.errors[k] == pytest.approx(float(abs(mpmath.mpf(res.float_orbit[k]) - ref)))


@pytest.mark.parametrize("theta", GENERIC_THETAS)
def test_float64_loses_one_bit_per_layer(theta: float) -> None:
    res = logistic_precision(theta, 100)
    assert res.bits_lost_per_layer == pytest.approx(1.0, abs=0.15)
    start, stop = res.fit_steps
    assert stop - start >= 20
    assert res.errors[0] < 1e-16  # only the rounding of sin²θ
    assert res.errors[30] < 1e-6
    assert res.step_off is not None
    assert 45 <= res.step_off <= 60
    assert res.errors[res.step_off] > 0.1 >= np.max(res.errors[: res.step_off])
    np.testing.assert_array_equal(res.float_orbit, logistic_orbit(theta, 100).zs)
    assert "PrecisionLoss(theta=" in repr(res)


def test_measured_numbers_theta_one() -> None:
    """The numbers quoted in the chapter (θ = 1): float64 is off by > 0.1 from step 51."""
    res = logistic_precision(1.0, 100)
    assert res.step_off == 51
    assert res.errors[40] < 1e-4 < res.errors[50] < 0.1 < res.errors[52]
    assert float(np.max(res.mp_errors)) < 1e-92


def test_logistic_lyapunov_is_ln2_from_deltas() -> None:
    for theta in GENERIC_THETAS:
        orbit = logistic_orbit(theta, 1000)  # δ's ≈ 2^1000: still finite in float64
        lam = lyapunov_from_orbit(orbit)
        assert lam == pytest.approx(math.log(2), abs=0.05)
        # the sum of log|factors| is log|δ^(bottom)| (one source of truth: the δ's)
        assert lam * 1000 == pytest.approx(math.log(abs(orbit.deltas[0])), rel=1e-12)
    assert logistic_precision(1.0, 100).lyapunov == pytest.approx(math.log(2), abs=0.05)


# --- contracting tanh chain ----------------------------------------------------------------------


def test_tanh_chain_lyapunov_is_log_fixed_point_slope() -> None:
    w, b = 1.5, 0.1
    z_star = optimize.brentq(lambda x: w * math.tanh(x) + b - x, 1.0, 2.0, xtol=1e-15)
    lam = w / math.cosh(z_star) ** 2
    assert lam == pytest.approx(0.3015, abs=1e-4)
    at_fixed_point = lyapunov_from_orbit(tied_chain("tanh", w, b, z_star, 200))
    assert at_fixed_point == pytest.approx(math.log(lam), abs=1e-12)
    long = lyapunov_from_orbit(tied_chain("tanh", w, b, 0.3, 2000))
    assert long == pytest.approx(math.log(lam), abs=0.01)
    # the transient contributes a finite total: L·(λ_L − ln λ) converges
    excess = [
        L * (lyapunov_from_orbit(tied_chain("tanh", w, b, 0.3, L)) - math.log(lam))
        for L in (500, 1000)
    ]
    assert excess[0] == pytest.approx(excess[1], abs=1e-9)


# --- width n ------------------------------------------------------------------------------------


def test_width_n_uses_largest_singular_value_of_jacobian() -> None:
    rng = np.random.default_rng(0)
    W, bias, z0 = rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=3)
    orbit = tied_network(W, bias, "tanh", z0, 30)
    sigma = np.linalg.svd(orbit.deltas[0], compute_uv=False)[0]
    assert lyapunov_from_orbit(orbit) == pytest.approx(math.log(sigma) / 30, rel=1e-10)
    assert log_jacobian_norm(orbit) == pytest.approx(math.log(sigma), rel=1e-10)


def test_width_n_linear_rotation_exact_rate() -> None:
    c, s = math.cos(0.4), math.sin(0.4)
    W = 3.0 * np.array([[c, -s], [s, c]])  # σ_max(W^L) = 3^L exactly
    orbit = tied_network(W, np.zeros(2), "identity", np.zeros(2), 500)
    assert lyapunov_from_orbit(orbit) == pytest.approx(math.log(3.0), rel=1e-12)


def test_dead_relu_gives_minus_infinity() -> None:
    assert lyapunov_from_orbit(tied_chain("relu", 1.0, -1.0, 0.5, 5)) == -math.inf
    W = np.eye(2)
    assert lyapunov_from_orbit(tied_network(W, -np.ones(2), "relu", -np.ones(2), 3)) == -math.inf


# --- bad inputs ---------------------------------------------------------------------------------


def test_bad_inputs() -> None:
    with pytest.raises(TypeError, match=r"orbit must be a bpcore\.dynamics\.TiedOrbit"):
        lyapunov_from_orbit(np.ones(3))
    with pytest.raises(ValueError, match="orbit must have depth >= 1"):
        lyapunov_from_orbit(tied_chain("tanh", 1.0, 0.0, 0.1, 0))
    with pytest.raises(ValueError, match="dps must be >= 51"):
        logistic_precision(1.0, 100, dps=50)
    with pytest.raises(TypeError, match="dps must be an integer"):
        logistic_precision(1.0, 100, dps=120.0)
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        logistic_precision(1.0, 0)
    with pytest.raises(ValueError, match="depth must be <= 1000"):
        logistic_precision(1.0, 1001, dps=400)
    with pytest.raises(ValueError, match="theta must be finite"):
        logistic_precision(math.inf, 10)
    with pytest.raises(TypeError, match="theta must be a real number"):
        logistic_precision("1", 10)


def test_logistic_lyapunov_exceptional_theta() -> None:
    """ln 2 holds for almost every θ only: x0 = 1 (θ = π/2) lands on the fixed point 0 with
    factor 4, so every |factor| is 4 and the exponent is ln 4 exactly; x0 = 1/2 (θ = π/4) hits
    the critical point (factor 0): −inf."""
    logistic = polynomial([0, 1, -1])
    assert lyapunov_from_orbit(tied_chain(logistic, 4.0, 0.0, 1.0, 40)) == pytest.approx(
        math.log(4.0), abs=1e-14
    )
    assert lyapunov_from_orbit(tied_chain(logistic, 4.0, 0.0, 0.5, 40)) == -math.inf

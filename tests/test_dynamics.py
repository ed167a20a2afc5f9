"""Tests for bpcore.dynamics: tied forward passes as dynamical systems and their closed forms.

References: finite differences, exact Fraction iteration, mpmath iteration at 60 digits, the
recurrence itself (``tied_chain``, which calls ``bpcore.backprop``) and scipy quadrature.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import optimize

from bpcore.activations import polynomial
from bpcore.dynamics import (
    chebyshev_closed_form,
    koenigs,
    koenigs_delta,
    logistic_closed_form,
    mobius_closed_form,
    mobius_closed_form_symbolic,
    power_map_closed_form,
    tied_chain,
    tied_network,
)


def g_tanh(x: float) -> float:
    return 1.5 * math.tanh(x) + 0.1


def dg_tanh(x: float) -> float:
    return 1.5 / math.cosh(x) ** 2


Z_STAR = optimize.brentq(lambda x: g_tanh(x) - x, 1.0, 2.0, xtol=1e-15)


# --- the tied forward pass and its δ's -------------------------------------------------------


def test_tied_network_deltas_are_jacobians_by_finite_differences() -> None:
    rng = np.random.default_rng(0)
    W, b, z0 = rng.normal(size=(3, 3)) * 0.8, rng.normal(size=3), rng.normal(size=3)
    res = tied_network(W, b, "tanh", z0, 4)
    h = 1e-6
    for layer in range(4):
        J = np.empty((3, 3))
        for j in range(3):
            e = np.zeros(3)
            e[j] = h
            up = tied_network(W, b, "tanh", res.zs[layer] + e, 4 - layer).zs[-1]
            dn = tied_network(W, b, "tanh", res.zs[layer] - e, 4 - layer).zs[-1]
            J[:, j] = (up - dn) / (2 * h)
        np.testing.assert_allclose(res.deltas[layer], J, atol=1e-8)
    np.testing.assert_allclose(res.factors[0], W * (1 - np.tanh(z0) ** 2)[None, :])
    np.testing.assert_array_equal(res.deltas[-1], np.eye(3))
    assert "TiedOrbit(activation=tanh, width=3, depth=4" in repr(res)


def test_tied_chain_product_of_factors_and_depth_zero() -> None:
    res = tied_chain("sigmoid", 2.0, -0.5, 0.3, 6)
    np.testing.assert_allclose(res.deltas[0], np.prod(res.factors), rtol=1e-14)
    assert res.zs.shape == (7,)
    assert res.factors.shape == (6,)
    res0 = tied_chain("tanh", 1.0, 0.0, 0.3, 0)
    assert res0.deltas.tolist() == [1.0]
    assert res0.zs.tolist() == [0.3]


# --- Möbius -----------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    w=st.floats(0.05, 5.0),
    b=st.one_of(st.just(0.0), st.floats(0.0, 3.0)),  # b = 0 included: A = [[w, 0], [1, 1]]
    z0=st.floats(0.01, 10.0),
    depth=st.integers(0, 40),
)
@example(w=1.0, b=0.0, z0=0.5, depth=40)  # the Jordan block: z_n = z0/(1 + n z0)
def test_mobius_equals_recurrence(w: float, b: float, z0: float, depth: int) -> None:
    chain = tied_chain("softsign", w, b, z0, depth)
    mob = mobius_closed_form(w, b, z0, depth)
    prod = float(np.prod(chain.factors))
    # relative 1e-12: each of ≤ 40 factors and the closed form carry a few ulps
    assert mob.derivative == pytest.approx(prod, rel=1e-12)
    assert mob.derivative == pytest.approx(chain.deltas[0], rel=1e-12)
    assert mob.z == pytest.approx(chain.zs[-1], rel=1e-12)


def test_mobius_b_zero_parabolic_case() -> None:
    """w = 1, b = 0: g(z) = z/(1 + z), z_n = z0/(1 + n z0), derivative 1/(1 + n z0)²."""
    m = mobius_closed_form(1.0, 0.0, 0.5, 1000)
    assert m.z == pytest.approx(0.5 / 501, rel=1e-13)
    assert m.derivative == pytest.approx(1 / 501**2, rel=1e-13)
    sym = mobius_closed_form_symbolic(1, 0)
    assert sp.simplify(sym.z - sym.z0 / (1 + sym.n * sym.z0)) == 0
    assert sym.eigenvalues == (1, 1)


def test_mobius_no_overflow_deep() -> None:
    m = mobius_closed_form(3.0, 2.0, 1.0, 5000)
    assert math.isfinite(m.z)
    assert m.derivative >= 0.0
    assert "MobiusClosedForm(w=3, b=2" in repr(m)


@pytest.mark.parametrize(
    ("w", "b", "z0"),
    [
        (3, 1, Fraction(1, 2)),
        (Fraction(3, 2), 2, 1),
        (Fraction(1, 2), 0, 3),
        (1, 0, Fraction(2, 3)),
    ],
)
def test_mobius_symbolic_equals_fraction_iteration(w: object, b: object, z0: object) -> None:
    sym = mobius_closed_form_symbolic(w, b, z0)
    fw, fb, z, d = Fraction(w), Fraction(b), Fraction(z0), Fraction(1)
    for k in range(11):
        zk = sp.nsimplify(sym.z.subs(sym.n, k))
        dk = sym.derivative.subs(sym.n, k)
        assert sp.simplify(zk - sp.Rational(z.numerator, z.denominator)) == 0
        assert sp.simplify(dk - sp.Rational(d.numerator, d.denominator)) == 0
        d *= fw / (1 + z) ** 2
        z = fw * z / (1 + z) + fb
    lp, lm = sym.eigenvalues
    assert sp.simplify(lp * lm - sp.nsimplify(w)) == 0


def test_mobius_symbolic_in_z0_matches_numeric() -> None:
    sym = mobius_closed_form_symbolic(2, Fraction(1, 3))
    val = sym.derivative.subs({sym.n: 7, sym.z0: sp.Rational(3, 4)})
    num = mobius_closed_form(2.0, 1 / 3, 0.75, 7).derivative
    assert float(val) == pytest.approx(num, rel=1e-13)


# --- conjugate to linear ------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(w=st.fractions(-3, 3, max_denominator=7), z0=st.fractions(-3, 3, max_denominator=7))
def test_power_map_exact(w: Fraction, z0: Fraction) -> None:
    orbit, z = power_map_closed_form(w, z0, 6), z0
    for zk in orbit:
        assert zk == z
        z = w * z * z


@settings(max_examples=50, deadline=None)
@given(x0=st.fractions(-2, 3, max_denominator=9))
def test_logistic_r2_exact(x0: Fraction) -> None:
    orbit, x = logistic_closed_form(None, 6, r=2, x0=x0), x0
    for xk in orbit:
        assert xk == x
        x = 2 * x * (1 - x)


def test_logistic_r2_theta_matches_iteration() -> None:
    orbit, x = logistic_closed_form(0.4, 10, r=2), math.sin(0.4) ** 2
    for xk in orbit:
        assert xk == pytest.approx(x, abs=1e-14)
        x = 2 * x * (1 - x)


@settings(max_examples=50, deadline=None)
@given(theta=st.floats(0.01, 3.1))
def test_logistic_r4_and_chebyshev_float_iteration_small_n(theta: float) -> None:
    # The maps are chaotic (Lyapunov exponent ln 2): float iteration loses about one bit per
    # step, so after n ≤ 20 steps its error is ~2^20 · 1e-16 ≈ 1e-10 (times the orbit's local
    # stretching); 1e-6 leaves a wide margin without making the test vacuous.
    x, z = math.sin(theta) ** 2, 2 * math.cos(theta)
    xs, zs = logistic_closed_form(theta, 20), chebyshev_closed_form(theta, 20)
    for k in range(21):
        assert xs[k] == pytest.approx(x, abs=1e-6)
        assert zs[k] == pytest.approx(z, abs=4e-6)
        x, z = 4 * x * (1 - x), z * z - 2


@pytest.mark.parametrize("theta", [0.3, 1.0, 2.7])
def test_logistic_r4_and_chebyshev_mpmath_60_digits(theta: float) -> None:
    # 60 digits ≈ 200 bits; 100 chaotic steps spend ≈ 100 of them, leaving ≈ 30 digits.
    with mpmath.workdps(60):
        t = mpmath.mpf(theta)  # the float θ exactly
        x, z = mpmath.sin(t) ** 2, 2 * mpmath.cos(t)
        xs, zs = logistic_closed_form(theta, 100), chebyshev_closed_form(theta, 100)
        for k in range(101):
            assert abs(xs[k] - float(x)) <= 1e-14
            assert abs(zs[k] - float(z)) <= 4e-14
            x, z = 4 * x * (1 - x), z * z - 2


def test_logistic_x0_float_r4() -> None:
    xs = logistic_closed_form(None, 3, x0=0.3)
    assert xs[0] == pytest.approx(0.3, abs=1e-15)
    assert xs[1] == pytest.approx(4 * 0.3 * 0.7, abs=1e-14)


# --- Koenigs --------------------------------------------------------------------------------


def test_koenigs_constants() -> None:
    assert pytest.approx(1.440783, abs=1e-6) == Z_STAR
    k = koenigs(g_tanh, dg_tanh, Z_STAR, 0.55)
    assert k.multiplier == pytest.approx(0.301534, abs=1e-6)
    assert "KoenigsResult(z=0.55" in repr(k)


MP_DPS = 60
mpmath.mp.dps = MP_DPS
_ZS_MP = mpmath.findroot(lambda x: 1.5 * mpmath.tanh(x) + mpmath.mpf("0.1") - x, Z_STAR)
_LAM_MP = 1.5 / mpmath.cosh(_ZS_MP) ** 2


def h_reference(z: float, gm=None, zs=None, lam=None) -> mpmath.mpf:
    """h(z) = λ^(−n)(gⁿz − z*) in mpmath at 60 digits, n with |gⁿz − z*| < 1e−30 (rel. err ~1e−30).

    Independent of bpcore: no products, no quadrature, the defining limit only.
    """
    gm = gm or (lambda x: 1.5 * mpmath.tanh(x) + mpmath.mpf("0.1"))
    zs, lam = (_ZS_MP, _LAM_MP) if zs is None else (zs, lam)
    with mpmath.workdps(MP_DPS):
        x, n = mpmath.mpf(z), 0
        while abs(x - zs) > mpmath.mpf(10) ** -30 and n < 10_000:
            x, n = gm(x), n + 1
        return (x - zs) / lam**n


def dh_reference(z: float, **kw: object) -> mpmath.mpf:
    """h'(z) by a central difference of h_reference, step 1e−14 (truncation ~1e−28)."""
    with mpmath.workdps(MP_DPS):
        s = mpmath.mpf(10) ** -14
        return (h_reference(mpmath.mpf(z) + s, **kw) - h_reference(mpmath.mpf(z) - s, **kw)) / (
            2 * s
        )


KOENIGS_POINTS = [Z_STAR + 1e-6, Z_STAR - 1e-3, Z_STAR + 1e-3, 1.45, 1.5, 0.1, 1.0, 3.0, -0.1]


@pytest.mark.parametrize("z", KOENIGS_POINTS)
def test_koenigs_against_mpmath_reference(z: float) -> None:
    """h and h' against the 60-digit limit and its finite difference; the error bars hold."""
    k = koenigs(g_tanh, dg_tanh, Z_STAR, z)
    h_ref, dh_ref = h_reference(z), dh_reference(z)
    h_err, dh_err = float(abs(k.h - h_ref)), float(abs(k.dh - dh_ref))
    # h: 1e-13 relative, except that the float z* itself (rounding ≤ eps |z*|) limits h to
    # ≈ eps (1 + |z*|)/|z − z*| relative right next to z*
    assert h_err <= max(1e-13, 4 * 2.2e-16 * (1 + Z_STAR) / abs(z - Z_STAR)) * float(abs(h_ref))
    assert h_err <= k.h_error  # the reported error bar is honest
    assert dh_err <= 1e-13 * float(abs(dh_ref))
    assert dh_err <= k.dh_error


@pytest.mark.parametrize("z", [2.0, 3.0, 3.7, 4.6])
def test_koenigs_dh_error_covers_roundoff(z: float) -> None:
    """g = 3 tanh z + 0.5 (λ ≈ 0.011, K ≈ 8): round-off dominates, and the bar still holds.

    The former estimate (K + 1)·eps was exceeded 2.7-fold here: the shared rounded λ and the
    conditioning |z g''/g'| of each factor were missing.
    """
    with mpmath.workdps(MP_DPS):

        def gm(x: mpmath.mpf) -> mpmath.mpf:
            return 3 * mpmath.tanh(x) + mpmath.mpf("0.5")

        zs = mpmath.findroot(lambda x: gm(x) - x, 3.39)
        lam = 3 / mpmath.cosh(zs) ** 2
        ref = dh_reference(z, gm=gm, zs=zs, lam=lam)
    k = koenigs(lambda x: 3 * math.tanh(x) + 0.5, lambda x: 3 / math.cosh(x) ** 2, float(zs), z)
    err = float(abs(k.dh - ref))
    assert err <= k.dh_error
    assert k.dh_error <= 1e-13 * abs(k.dh)  # and it is not vacuous


@pytest.mark.parametrize("z", [0.1, 1.0, Z_STAR + 1e-3, 3.0])
def test_koenigs_functional_equation(z: float) -> None:
    """h∘g = λh, checked on the reference at 60 digits and on koenigs to 1e-13."""
    with mpmath.workdps(MP_DPS):
        zm = mpmath.mpf(z)
        lhs = h_reference(1.5 * mpmath.tanh(zm) + mpmath.mpf("0.1"))
        assert abs(lhs - _LAM_MP * h_reference(z)) < mpmath.mpf(10) ** -28
    k, kg = koenigs(g_tanh, dg_tanh, Z_STAR, z), koenigs(g_tanh, dg_tanh, Z_STAR, g_tanh(z))
    assert kg.h == pytest.approx(k.multiplier * k.h, rel=1e-13)


@pytest.mark.parametrize("n", [1, 5, 20, 40])
def test_koenigs_delta_exact_identity(n: int) -> None:
    """λⁿ h'(z2)/h'(z_n) = the recurrence; an identity (the tails of the products cancel)."""
    chain = tied_chain("tanh", 1.5, 0.1, 0.55, n)
    local = koenigs_delta(g_tanh, dg_tanh, Z_STAR, 0.55, n)
    assert local == pytest.approx(float(np.prod(chain.factors)), rel=1e-13)


def test_koenigs_asymptotic_law_error_is_c_lambda_n() -> None:
    """δ ≈ λⁿ h'(z2): relative error |h''(z*)| |λ|ⁿ |h(z2)| (1 + o(1)), h'' = g''/(λ(1 − λ))."""
    z2 = 0.55
    zs = float(_ZS_MP)
    lam = float(_LAM_MP)
    g2 = -3.0 * math.tanh(zs) / math.cosh(zs) ** 2  # g''(z*) for 1.5 tanh z + 0.1
    c = abs(g2 / (lam * (1 - lam))) * float(abs(h_reference(z2)))
    for n in range(8, 21):
        rec = float(np.prod(tied_chain("tanh", 1.5, 0.1, z2, n).factors))
        law = koenigs_delta(g_tanh, dg_tanh, Z_STAR, z2, n, asymptotic=True)
        ratio = abs(rec / law - 1.0) / (c * abs(lam) ** n)
        assert 0.8 < ratio < 1.25, (n, ratio)


def test_koenigs_stopping_rule_is_tied_to_tol() -> None:
    """K = first k with |g'(z_k)/λ − 1| ≤ tol (1 − |λ|) and |z_k − z*| ≤ √tol (1 + |z*|)."""
    for w in (0.5, 0.8, 0.95):
        for tol in (1e-6, 1e-10, 1e-14):
            k = koenigs(
                lambda x, w=w: w * math.tanh(x),
                lambda x, w=w: w / math.cosh(x) ** 2,
                0.0,
                1.0,
                tol=tol,
            )
            x, K = 1.0, 0
            while not (
                abs(1 / math.cosh(x) ** 2 - 1) <= max(tol * (1 - w), 8.9e-16)
                and abs(x) <= math.sqrt(tol)
            ):
                x, K = w * math.tanh(x), K + 1
            assert k.iterations == K + 1


def test_koenigs_critical_point_gives_zero_derivative() -> None:
    """g(z) = −z² + 1/4: g'(0) = 0, so h'(0) = h'(0.5) = 0 (0.5 ↦ 0); h from the reference."""
    zs = (math.sqrt(2) - 1) / 2
    g, dg = (lambda x: -x * x + 0.25), (lambda x: -2 * x)
    with mpmath.workdps(MP_DPS):
        zsm = (mpmath.sqrt(2) - 1) / 2
        kw = {"gm": lambda x: -x * x + mpmath.mpf(1) / 4, "zs": zsm, "lam": -2 * zsm}
    for z in (0.0, 0.5):
        k = koenigs(g, dg, zs, z)
        assert k.dh == 0.0
        assert float(abs(k.h - h_reference(z, **kw))) <= 1e-13 * float(abs(h_reference(z, **kw)))
    assert koenigs_delta(g, dg, zs, 0.5, 0) == 1.0
    assert koenigs_delta(g, dg, zs, 0.5, 3) == 0.0  # = g'(0.5) g'(0) g'(1/4) = 0
    assert koenigs_delta(g, dg, zs, 0.3, 2) == pytest.approx(0.6 * 0.32, rel=1e-13)
    with pytest.raises(ValueError, match="0/0"):
        koenigs_delta(g, dg, zs, -0.5, 1)  # z_1 = 0 is the critical point


def test_koenigs_failure_messages() -> None:
    with pytest.raises(ValueError, match="slow convergence"):
        koenigs(lambda x: 0.999 * math.tanh(x), lambda x: 0.999 / math.cosh(x) ** 2, 0.0, 0.5)
    with pytest.raises(ValueError, match=r"converges to another fixed point near -1\.1016"):
        koenigs(g_tanh, dg_tanh, Z_STAR, -1.0)
    with pytest.raises(ValueError, match="escapes to infinity"):
        koenigs(lambda x: x / 2 + x**3 / 2, lambda x: 0.5 + 1.5 * x * x, 0.0, 1.5)
    with pytest.raises(ValueError, match="does not converge to it"):
        # g(x) = x/2 − 1.5 x³ has z* = 0 (λ = 1/2) and the repelling 2-cycle 1 ↔ −1
        koenigs(lambda x: 0.5 * x - 1.5 * x**3, lambda x: 0.5 - 4.5 * x * x, 0.0, 1.0, max_iter=50)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.0, 1.0, 1.0, 3), "w must be >"),
        ((-1.0, 1.0, 1.0, 3), "w must be >"),
        ((1.0, -0.5, 1.0, 3), "b must be >= 0"),
        ((1.0, -1e-300, 1.0, 3), "b must be >= 0"),
        ((1.0, 1.0, -2.0, 3), "z0 must be >"),
        ((1.0, 1.0, 1.0, -1), "depth must be"),
        ((math.inf, 1.0, 1.0, 3), "w must be finite"),
        ((1.0, math.nan, 1.0, 3), "b must be finite"),
    ],
)
def test_mobius_bad_values(args: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mobius_closed_form(*args)


def test_mobius_bad_types() -> None:
    with pytest.raises(TypeError, match="depth must be an integer"):
        mobius_closed_form(1.0, 1.0, 1.0, 2.0)
    with pytest.raises(TypeError, match="w must be exact"):
        mobius_closed_form_symbolic(1.5, 1)
    with pytest.raises(ValueError, match="b must be >= 0"):
        mobius_closed_form_symbolic(1, -1)
    with pytest.raises(ValueError, match="w must be > 0"):
        mobius_closed_form_symbolic(0, 1)
    with pytest.raises(ValueError, match="z0 must be > 0"):
        mobius_closed_form_symbolic(1, 1, 0)


def test_tied_bad_input() -> None:
    with pytest.raises(ValueError, match="depth must be"):
        tied_chain("tanh", 1.0, 0.0, 0.1, -1)
    with pytest.raises(ValueError, match="z0 must be finite"):
        tied_chain("tanh", 1.0, 0.0, math.nan, 2)
    with pytest.raises(ValueError, match="W must be a square"):
        tied_network(np.ones((2, 3)), [0, 0], "tanh", [0, 0], 2)
    with pytest.raises(ValueError, match="b must have 2 entries"):
        tied_network(np.eye(2), [0, 0, 0], "tanh", [0, 0], 2)
    with pytest.raises(ValueError, match="z0 must have 2 entries"):
        tied_network(np.eye(2), [0, 0], "tanh", [0], 2)
    with pytest.raises(ValueError, match="activation"):
        tied_chain("nope", 1.0, 0.0, 0.1, 2)
    with pytest.raises(OverflowError, match="forward orbit"):
        tied_chain("identity", 1e200, 0.0, 1e200, 3)
    # a bounded chaotic orbit whose δ's grow like 2^L: a named OverflowError, no numpy warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match="δ's of this 1100-layer orbit"):
            tied_chain(polynomial([0, 1, -1]), 4.0, 0.0, 0.3, 1100)


def test_conjugacy_bad_input() -> None:
    with pytest.raises(ValueError, match="r must be 4 or 2"):
        logistic_closed_form(0.3, 3, r=3)
    with pytest.raises(TypeError, match="exactly one of theta and x0"):
        logistic_closed_form(0.3, 3, x0=0.2)
    with pytest.raises(ValueError, match="x0 must be <= 1"):
        logistic_closed_form(None, 3, x0=1.5)
    with pytest.raises(ValueError, match="n must be"):
        chebyshev_closed_form(0.3, -1)
    with pytest.raises(ValueError, match="theta must be finite"):
        chebyshev_closed_form(math.inf, 3)
    with pytest.raises(ValueError, match="n must be small enough"):
        chebyshev_closed_form(0.3, 2000)
    with pytest.raises(OverflowError, match="float range"):
        power_map_closed_form(2.0, 3.0, 20)
    with pytest.raises(ValueError, match="z0 must be finite"):
        power_map_closed_form(2.0, math.nan, 3)


def test_koenigs_bad_input() -> None:
    with pytest.raises(ValueError, match=r"must satisfy 0 < \|lambda\| < 1"):
        koenigs(lambda x: 2 * x, lambda x: 2.0, 0.0, 0.1)
    with pytest.raises(ValueError, match="multiplier lambda"):
        koenigs(lambda x: x * x, lambda x: 2 * x, 0.0, 0.1)  # λ = 0: superattracting
    with pytest.raises(ValueError, match="z_star must be a fixed point"):
        koenigs(g_tanh, dg_tanh, 1.44, 0.5)
    with pytest.raises(ValueError, match="not in the basin"):
        # g(x) = x/2 + x^3/2 has z* = 0 (λ = 1/2) but orbits from |x| > 1 escape
        koenigs(lambda x: x / 2 + x**3 / 2, lambda x: 0.5 + 1.5 * x * x, 0.0, 1.5)
    with pytest.raises(ValueError, match="not in the basin"):
        koenigs(g_tanh, dg_tanh, Z_STAR, -3.0, max_iter=3)
    with pytest.raises(TypeError, match="g must be a callable"):
        koenigs(1.0, dg_tanh, Z_STAR, 0.5)
    with pytest.raises(ValueError, match="n must be"):
        koenigs_delta(g_tanh, dg_tanh, Z_STAR, 0.55, -1)

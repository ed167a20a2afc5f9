"""Tests for bpcore.meanfield: mean-field maps, simulated gradients, Jacobian spectra, Hanin's law.

References: closed forms (ReLU / leaky ReLU / identity arc-cosine kernels, the erf arcsine
kernel), seeded Monte Carlo with error bars for tanh, the published values of the course's
measured facts (tanh q*, χ₁, the critical line), exact integers for the Fuss–Catalan numbers
(a second formula and the Catalan numbers), an explicit matrix product for the Jacobian of a
linear network, and a direct Monte Carlo of Hanin's per-layer law.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from bpcore import meanfield as mf
from bpcore.activations import Activation, leaky_relu, z
from bpcore.network import MLP

SETTINGS = settings(max_examples=25, deadline=None)
FLAT = Activation("flat", lambda x: 1e-3 * np.tanh(x), lambda x: 1e-3 / np.cosh(x) ** 2, z)


# ---------------------------------------------------------------------------------------------
# values to reproduce


@pytest.mark.parametrize(
    ("sw", "sb", "q_star", "chi"),
    [(1.0, 0.05, 0.0371, 0.934), (1.5, 0.05, None, 1.137), (2.5, 0.3, None, 1.585)],
)
def test_tanh_values(sw, sb, q_star, chi):
    if q_star is not None:
        assert round(mf.fixed_point("tanh", sw, sb), 4) == q_star
    assert round(mf.chi1("tanh", sw, sb), 3) == chi


@pytest.mark.parametrize(("sb", "swc"), [(0.05, 1.1225), (0.3, 1.3956), (1.0, 1.8556)])
def test_tanh_critical_line(sb, swc):
    s = mf.critical_sigma_w("tanh", sb)
    assert round(s, 4) == swc
    assert mf.chi1("tanh", s, sb) == pytest.approx(1.0, abs=1e-11)


def test_relu_critical_and_identity():
    assert mf.critical_sigma_w("relu", 0.0) == math.sqrt(2.0)
    assert mf.critical_sigma_w("identity", 0.3) == 1.0
    assert mf.critical_sigma_w(leaky_relu(0.5), 0.0) == pytest.approx(math.sqrt(2 / 1.25))
    # quadrature for a smooth activation without a closed form still finds χ₁ = 1
    s = mf.critical_sigma_w("softsign", 0.1)
    assert mf.chi1("softsign", s, 0.1) == pytest.approx(1.0, abs=1e-10)


# ---------------------------------------------------------------------------------------------
# closed forms vs quadrature


@SETTINGS
@given(
    sw=st.floats(0.1, 3.0),
    sb=st.floats(0.0, 2.0),
    q=st.floats(0.0, 20.0),
)
def test_relu_length_map_closed_form_and_quadrature(sw, sb, q):
    closed = mf.length_map("relu", sw, sb, q)
    assert closed == sw * sw * q / 2 + sb * sb
    quad = mf.length_map("relu", sw, sb, q, method="quadrature")
    assert quad == pytest.approx(closed, rel=1e-12, abs=1e-14)
    assert mf.chi1("relu", sw, sb, q=q if q > 0 else None) == sw * sw / 2


@SETTINGS
@given(sw=st.floats(0.1, 1.4), sb=st.floats(0.0, 2.0))
def test_relu_chi1_exact_and_fixed_point(sw, sb):
    assert mf.chi1("relu", sw, sb) == sw * sw / 2  # exact, every (σ_w, σ_b)
    assert mf.derivative_moment("relu", 1.7, method="quadrature") == pytest.approx(0.5, abs=1e-14)
    q = mf.fixed_point("relu", sw, sb)
    assert q == pytest.approx(sb * sb / (1 - sw * sw / 2), rel=1e-12, abs=1e-300)


@SETTINGS
@given(
    act=st.sampled_from(["relu", "identity", "leaky"]),
    sw=st.floats(0.2, 0.95),
    sb=st.floats(0.05, 1.0),
    c=st.floats(-1.0, 1.0),
)
def test_piecewise_linear_correlation_map_quadrature(act, sw, sb, c):
    a = leaky_relu(0.3) if act == "leaky" else act
    closed = mf.correlation_map(a, sw, sb, c)
    quad = mf.correlation_map(a, sw, sb, c, order=200, method="quadrature")
    # the kink at 0 makes the 2-D Gauss–Hermite rule converge algebraically
    assert quad == pytest.approx(closed, abs=2e-3)


def test_piecewise_linear_closed_forms_are_the_relu_step_at_c_and_minus_c():
    # f = relu(x) − α relu(−x) through the one ReLU arc-cosine step, against the arc-cosine
    # formulas written out (Cho & Saul 2009): E[u₊v₊] = q (sin θ + (π − θ) c)/2π,
    # E[u₊v₋] = q (sin θ − θ c)/2π, P(u, v > 0) = (π − θ)/2π, P(u > 0 > v) = θ/2π
    from bpcore.meanfield.gaussian import _corr_closed

    c = np.linspace(-1.0, 1.0, 41)
    th = np.arccos(c)
    for alpha in (0.0, 0.3, 1.0):
        for q in (0.5, 2.0, 40.0):
            same = q * (np.sin(th) + (np.pi - th) * c) / (2 * np.pi)
            cross = q * (np.sin(th) - th * c) / (2 * np.pi)
            value = (1 + alpha**2) * same - 2 * alpha * cross
            deriv = ((1 + alpha**2) * (np.pi - th) + 2 * alpha * th) / (2 * np.pi)
            got = _corr_closed(("pwlin", alpha), q, c, deriv=False)
            np.testing.assert_allclose(got, value, rtol=1e-12, atol=1e-14 * q)
            got = _corr_closed(("pwlin", alpha), q, c, deriv=True)
            np.testing.assert_allclose(got, deriv, rtol=1e-12, atol=1e-15)


@SETTINGS
@given(
    sw=st.floats(0.2, 3.0),
    sb=st.floats(0.0, 1.0),
    q=st.floats(0.01, 5.0),
    c=st.floats(-1.0, 1.0),
)
def test_erf_closed_forms_vs_quadrature(sw, sb, q, c):
    for fn in (
        lambda m: mf.length_map("erf", sw, sb, q, method=m),
        lambda m: mf.chi1(mf.ERF, sw, sb, q=q, method=m),
        lambda m: mf.correlation_map("erf", sw, sb, c, q, method=m),
        lambda m: mf.derivative_moment("erf", q, 2, method=m),
    ):
        assert fn("quadrature") == pytest.approx(fn("closed_form"), rel=1e-9, abs=1e-12)


def test_erf_closed_form_formula():
    q = 0.7
    assert mf.length_map("erf", 1.0, 0.0, q) == pytest.approx(
        2 / np.pi * np.arcsin(2 * q / (1 + 2 * q)), rel=1e-14
    )
    assert mf.ERF.f(0.3) == pytest.approx(special.erf(0.3))


def test_length_map_is_vectorised():
    q = np.array([[0.1, 1.0], [2.0, 5.0]])
    out = mf.length_map("tanh", 1.3, 0.2, q)
    assert out.shape == (2, 2)
    assert out[1, 0] == pytest.approx(mf.length_map("tanh", 1.3, 0.2, 2.0), rel=1e-15)


# ---------------------------------------------------------------------------------------------
# Monte Carlo for tanh (no closed form)

MC = 400_000


def _mc(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


@pytest.mark.parametrize(("sw", "sb", "q"), [(1.0, 0.05, 0.0371), (1.5, 0.3, 1.0), (2.5, 0.3, 4.0)])
def test_tanh_maps_vs_monte_carlo(sw, sb, q):
    rng = np.random.default_rng(12)
    z1, z2 = rng.standard_normal((2, MC))
    m, se = _mc(sw * sw * np.tanh(math.sqrt(q) * z1) ** 2 + sb * sb)
    assert abs(mf.length_map("tanh", sw, sb, q) - m) < 5 * se
    m, se = _mc(sw * sw / np.cosh(math.sqrt(q) * z1) ** 4)
    assert abs(mf.chi1("tanh", sw, sb, q=q) - m) < 5 * se
    c = 0.6
    u = math.sqrt(q) * z1
    v = math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2)
    m, se = _mc(sw * sw * np.tanh(u) * np.tanh(v) + sb * sb)
    Lq = mf.length_map("tanh", sw, sb, q)
    assert abs(mf.correlation_map("tanh", sw, sb, c, q) - m / Lq) < 5 * se / Lq


# ---------------------------------------------------------------------------------------------
# fixed points, correlation map, depth scales


@SETTINGS
@given(
    act=st.sampled_from(["tanh", "sigmoid", "softsign", "erf"]),
    sw=st.floats(0.3, 4.0),
    sb=st.floats(0.0, 1.5),
)
def test_fixed_point_is_attracting_fixed_point(act, sw, sb):
    q = mf.fixed_point(act, sw, sb)
    assert mf.length_map(act, sw, sb, q) == pytest.approx(q, rel=1e-11, abs=1e-15)
    # iterating the map from q = 3 converges to it (the largest root, attracting from above)
    x = 3.0 + q
    for _ in range(500):
        x = mf.length_map(act, sw, sb, x)
    assert x == pytest.approx(q, rel=1e-4, abs=5e-3)


def test_tanh_ordered_without_bias_has_zero_fixed_point():
    assert mf.fixed_point("tanh", 0.9, 0.0) == 0.0
    assert mf.fixed_point("tanh", 1.0, 0.0) == 0.0  # the critical edge snaps to 0 too
    assert mf.fixed_point("tanh", 1.02, 0.0) > 0.005
    assert mf.chi1("tanh", 0.9, 0.0) == pytest.approx(0.81, rel=1e-14)
    assert mf.fixed_point("tanh", 1.5, 0.0) > 0.1


@SETTINGS
@given(sw=st.floats(0.5, 3.0), sb=st.floats(0.01, 1.0))
def test_correlation_map_fixed_at_one_with_slope_chi1(sw, sb):
    assert mf.correlation_map("tanh", sw, sb, 1.0) == pytest.approx(1.0, abs=1e-12)
    h = 1e-4
    slope = (1.0 - mf.correlation_map("tanh", sw, sb, 1.0 - h)) / h
    assert slope == pytest.approx(mf.chi1("tanh", sw, sb), rel=2e-3)


def test_depth_scales_phases():
    d = mf.depth_scales("tanh", 1.0, 0.05)
    assert d.phase == "ordered"
    assert d.c_star == 1.0
    assert d.chi_c == d.chi1
    assert d.xi_grad == pytest.approx(-1 / math.log(0.9340590695), rel=1e-8)
    d = mf.depth_scales("tanh", 2.5, 0.3)
    assert d.phase == "chaotic"
    assert 0 < d.c_star < 1
    assert d.xi_grad < 0
    assert mf.correlation_map("tanh", 2.5, 0.3, d.c_star) == pytest.approx(d.c_star, abs=1e-10)
    assert 0 < d.chi_c < 1
    assert d.xi_c == pytest.approx(-1 / math.log(d.chi_c))
    s = mf.critical_sigma_w("tanh", 0.3)
    assert mf.depth_scales("tanh", s, 0.3).xi_grad > 1e9
    assert "chaotic" in repr(mf.depth_scales("tanh", 2.5, 0.3))


# ---------------------------------------------------------------------------------------------
# gradient norms in simulated networks


@pytest.mark.parametrize(
    ("act", "sw", "sb"),
    [("tanh", 1.0, 0.05), ("tanh", 1.5, 0.05), ("tanh", 2.5, 0.3), ("relu", math.sqrt(2), 0.0)],
)
def test_gradient_norms_random_readout_match_chi1(act, sw, sb):
    r = mf.gradient_norms(act, sw, sb, 300, 30, n_nets=4, n_inputs=16, seed=0)
    assert abs(r.ratio_error) <= 0.01
    assert r.mean[-1] == 1.0
    assert np.allclose(r.predicted, r.chi1 ** (r.depth + 1 - r.layers))
    assert r.rate == pytest.approx(r.mean[0] ** (1 / (r.depth - 1)), rel=1e-12)
    if act == "tanh":  # light tails: the simulation against χ₁ layer by layer
        # 4 s.e. plus an O(1/n) finite-width bias per backward step (3/width per step allowed)
        steps = r.depth + 1 - r.layers
        tol = 4 * r.stderr + (3 / r.width) * steps * r.predicted
        assert np.all(np.abs(r.mean - r.predicted) <= tol), r.mean / r.predicted - 1
    assert np.all(np.isfinite(r.stderr))
    assert np.all(r.stderr[:-1] > 0)


def test_gradient_norms_rate_exponent_at_small_depth():
    # depth 3: two backward steps, rate = mean[0]^(1/2); the exponent 1/3 would miss by 4 %
    r = mf.gradient_norms("tanh", 1.5, 0.05, 400, 3, n_nets=16, n_inputs=16, seed=3)
    assert r.rate == pytest.approx(r.mean[0] ** 0.5, rel=1e-12)
    assert r.rate == pytest.approx(r.chi1, rel=0.015)


def test_gradient_norms_zero_fixed_point_follows_the_orbit():
    # q* = 0: inputs start at q = 1 and q decays; the prediction must follow q^(l), not χ₁(0)
    r = mf.gradient_norms("tanh", 0.9, 0.0, 128, 8, n_nets=8, n_inputs=8, seed=0)
    assert r.q_in == 1.0
    assert r.q_layers[0] == 1.0
    assert r.q_layers[1] == pytest.approx(mf.length_map("tanh", 0.9, 0.0, 1.0))
    assert np.all(np.diff(r.q_layers) < 0)
    assert not np.allclose(r.predicted, r.chi1 ** (r.depth + 1 - r.layers), rtol=0.1)
    z = (r.mean[:-1] - r.predicted[:-1]) / r.stderr[:-1]
    assert np.all(np.abs(z) < 5), z
    assert np.all(np.abs(r.mean[:-1] / r.predicted[:-1] - 1) < 0.1)


def _calibration(estimates, stderrs):
    """mean(se²)/var(estimate) over replicates: ≈ 1 for honest standard errors."""
    est = np.asarray(estimates)
    return float(np.mean(np.asarray(stderrs) ** 2) / np.var(est, ddof=1))


def test_gradient_norms_stderr_is_calibrated():
    # 30 independent replicates (disjoint seeds); a ×3 inflation of the s.e. gives a ratio ~9
    runs = [mf.gradient_norms("tanh", 1.2, 0.05, 32, 4, n_nets=8, n_inputs=4, seed=50 * k)
            for k in range(30)]  # fmt: skip
    ratio = _calibration([r.mean[0] for r in runs], [r.stderr[0] for r in runs])
    assert 0.5 < ratio < 2.0, ratio


def test_gradient_norms_squared_error_breaks_independence():
    r = mf.gradient_norms("tanh", 1.0, 0.05, 200, 20, readout="squared_error")
    assert r.top_ratio / r.chi1 > 1.5  # the first backward step is far above χ₁
    r = mf.gradient_norms("relu", math.sqrt(2), 0.0, 200, 40, readout="squared_error")
    assert r.mean[0] > 10  # a critical net grows instead of staying flat
    flat = mf.gradient_norms("relu", math.sqrt(2), 0.0, 200, 40)
    assert 0.7 < flat.mean[0] < 1.4
    assert "squared_error" in repr(r)


def test_gradient_norms_deltas_are_backprop():
    """One net, squared error: the simulated norms are those of MLP.backward's δ's."""
    r = mf.gradient_norms("tanh", 1.3, 0.1, 20, 4, n_nets=1, n_inputs=3, readout="squared_error")
    net = MLP.random([20] * 5, "tanh", weight_scale=1.3, bias_scale=0.1, seed=0)
    X = np.random.default_rng([0, 0, 1]).standard_normal((3, 20))
    q = mf.fixed_point("tanh", 1.3, 0.1)
    X *= np.sqrt((q - 0.01) / 1.69 / np.mean(X * X, axis=1, keepdims=True))
    deltas = net.backward(X, np.zeros((3, 20))).deltas
    norms = np.array([np.mean(np.sum(d * d, axis=1)) for d in deltas])
    assert np.allclose(r.mean, norms / norms[-1], rtol=1e-12)
    assert np.isnan(r.stderr).all()


# ---------------------------------------------------------------------------------------------
# Fuss–Catalan and Jacobian spectra


def test_fuss_catalan_values():
    assert [mf.fuss_catalan(2, k) for k in range(1, 5)] == [1, 3, 12, 55]
    assert [mf.fuss_catalan(3, k) for k in range(1, 5)] == [1, 4, 22, 140]
    assert [mf.fuss_catalan(1, k) for k in range(7)] == [1, 1, 2, 5, 14, 42, 132]  # Catalan
    assert mf.fuss_catalan(0, 5) == 1
    assert isinstance(mf.fuss_catalan(5, 30), int)


@SETTINGS
@given(L=st.integers(0, 12), k=st.integers(1, 40))
def test_fuss_catalan_second_formula(L, k):
    # FC_L(k) = binom((L+1)k, k−1)/k
    assert mf.fuss_catalan(L, k) * k == math.comb((L + 1) * k, k - 1)


@pytest.mark.parametrize("L", [2, 3])
def test_linear_gaussian_moments_fuss_catalan(L):
    r = mf.jacobian_spectrum("identity", 1.0, 0.0, 500, L, n_nets=2, seed=3)
    assert np.allclose(r.moments[:3], r.fuss_catalan[:3], rtol=0.03)
    assert r.predicted[1] == mf.fuss_catalan(L, 2) == L + 1


def test_linear_jacobian_is_the_weight_product():
    r = mf.jacobian_spectrum("identity", 1.2, 0.4, 30, 3, seed=5)
    net = MLP.random([30] * 4, "identity", weight_scale=1.2, bias_scale=0.4, seed=5)
    J = net.weights[2] @ net.weights[1] @ net.weights[0]
    ev = np.sort(np.linalg.eigvalsh(J @ J.T))
    assert np.allclose(r.sq_singular_values, ev, rtol=1e-9, atol=1e-12)


def test_orthogonal_linear_is_isometric():
    r = mf.jacobian_spectrum("identity", 1.0, 0.0, 200, 10, init="orthogonal")
    assert np.allclose(r.sq_singular_values, 1.0, atol=1e-10)
    assert tuple(r.predicted) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("act", "init"),
    [("tanh", "orthogonal"), ("tanh", "gaussian"), ("relu", "gaussian"), ("relu", "orthogonal")],
)
def test_nonlinear_moments_vs_free_probability(act, init):
    sb = 0.05 if act == "tanh" else 0.0
    sw = mf.critical_sigma_w(act, sb)
    r = mf.jacobian_spectrum(act, sw, sb, 200, 4, init=init, n_nets=16, seed=1)
    z = (r.moments[:2] - r.predicted) / r.moments_stderr[:2]
    assert np.all(np.abs(z) < 4)  # per-net fluctuations ~ √(L/N): compare in standard errors
    assert np.all(np.abs(r.relative_error) < 0.15)


def test_jacobian_moments_stderr_is_calibrated():
    runs = [mf.jacobian_spectrum("tanh", 1.2, 0.05, 32, 3, init="orthogonal", n_nets=8,
                                 seed=50 * k) for k in range(30)]  # fmt: skip
    for j in range(2):
        ratio = _calibration([r.moments[j] for r in runs], [r.moments_stderr[j] for r in runs])
        assert 0.5 < ratio < 2.0, (j, ratio)


def test_jacobian_zero_fixed_point_follows_the_orbit():
    # tanh σ_w = 0.9, σ_b = 0: q* = 0; the fixed-q formula would be off by a factor ~300
    r = mf.jacobian_spectrum("tanh", 0.9, 0.0, 128, 10, init="orthogonal", n_nets=8, seed=0)
    assert r.q_in == 1.0
    z = (r.moments[:2] - r.predicted) / r.moments_stderr[:2]
    assert np.all(np.abs(z) < 4), z
    assert np.all(np.abs(r.relative_error) < 0.1)
    fixed_q = (0.81 * mf.derivative_moment("tanh", 1.0)) ** 10
    assert r.predicted[0] > 10 * fixed_q


def test_predicted_moments_closed_forms():
    for L in (1, 5, 20):
        assert mf.predicted_jacobian_moments("relu", math.sqrt(2), 0.0, L) == pytest.approx(
            (1.0, 1.0 + 2 * L)
        )
        assert mf.predicted_jacobian_moments(
            "relu", math.sqrt(2), 0.0, L, init="orthogonal"
        ) == pytest.approx((1.0, 1.0 + L))
    # tanh at criticality with orthogonal weights: spread L(μ₂/μ₁² − 1) ≪ L (near isometry)
    s = mf.critical_sigma_w("tanh", 0.05)
    m1, m2 = mf.predicted_jacobian_moments("tanh", s, 0.05, 10, init="orthogonal")
    assert m1 == pytest.approx(1.0, abs=1e-10)
    assert 1.0 < m2 < 2.0


# ---------------------------------------------------------------------------------------------
# Hanin's law


def test_hanin_V_values_and_limit():
    assert round(4 * mf.hanin_V(4), 1) == 11.7
    assert round(32 * mf.hanin_V(32), 1) == 5.7
    assert round(256 * mf.hanin_V(256), 2) == 5.07
    assert 8192 * mf.hanin_V(8192) == pytest.approx(5.0, abs=3e-3)
    assert mf.hanin_V(1) == pytest.approx(math.pi**2 / 2, rel=1e-13)  # ψ'(1/2), K = 1 surely
    assert np.allclose(mf.hanin_V([4, 32]), [mf.hanin_V(4), mf.hanin_V(32)])


@pytest.mark.parametrize("n", [3, 10])
def test_hanin_V_vs_direct_monte_carlo(n):
    rng = np.random.default_rng(n)
    K = rng.binomial(n, 0.5, size=400_000)
    K = K[K >= 1]
    x = np.log(rng.chisquare(K) * 2 / n)
    v = x.var(ddof=1)
    se = math.sqrt((np.mean((x - x.mean()) ** 4) - v * v) / x.size)
    assert abs(v - mf.hanin_V(n)) < 5 * se


@pytest.mark.parametrize(("widths", "n_nets"), [([4] * 8, 200), ([16, 32, 24, 32], 150)])
def test_log_norm_variance_vs_exact(widths, n_nets):
    r = mf.log_norm_variance(widths, n_nets=n_nets, n_inputs=16, seed=2)
    assert abs(r.variance - r.exact) < 4 * r.stderr
    assert r.exact == pytest.approx(sum(mf.hanin_V(n) for n in widths[1:]))
    assert r.asymptotic == pytest.approx(5 * sum(1 / n for n in widths[1:]))
    if widths[0] == 4:  # P(all 7 layers alive) = (15/16)^7
        alive = r.n_samples / (r.n_samples + r.n_dead)
        assert alive == pytest.approx((15 / 16) ** 7, abs=0.04)
    assert "exact=" in repr(r)
    assert r.log_sq_norms.shape == (r.n_samples,)
    assert r.network.shape == (r.n_samples,)
    assert r.mean_log == pytest.approx(r.log_sq_norms.mean())
    assert r.expected_sq_norm == widths[-1] / widths[0]
    assert abs(r.sq_norm_mean - r.expected_sq_norm) < 4 * r.sq_norm_stderr


def test_log_norm_variance_unequal_widths_mean():
    # E‖J u‖² = s_{n_l}/s_1 (2/3 here), dead samples counted as 0
    r = mf.log_norm_variance([3, 6, 2], n_nets=400, n_inputs=8, seed=1)
    assert abs(r.sq_norm_mean - 2 / 3) < 4 * r.sq_norm_stderr
    assert r.median_sq_norm < r.sq_norm_mean


def test_log_norm_variance_stderr_is_calibrated():
    runs = [mf.log_norm_variance([8] * 4, n_nets=20, n_inputs=8, seed=50 * k) for k in range(30)]
    assert 0.5 < _calibration([r.variance for r in runs], [r.stderr for r in runs]) < 2.0
    ratio = _calibration([r.sq_norm_mean for r in runs], [r.sq_norm_stderr for r in runs])
    assert 0.5 < ratio < 2.0


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: mf.length_map("tanh", 0.0, 0.1, 1.0), ValueError, "sigma_w must"),
        (lambda: mf.length_map("tanh", -1.0, 0.1, 1.0), ValueError, "sigma_w must"),
        (lambda: mf.length_map("tanh", 1.0, -0.1, 1.0), ValueError, "sigma_b must"),
        (lambda: mf.length_map("tanh", 1.0, 0.1, -1.0), ValueError, "q must"),
        (lambda: mf.length_map("tanh", 1.0, 0.1, np.nan), ValueError, "q must"),
        (lambda: mf.length_map("tanh", "1", 0.1, 1.0), TypeError, "sigma_w must"),
        (lambda: mf.length_map("tanh", 1.0, 0.1, 1.0, order=1), ValueError, "order must"),
        (lambda: mf.length_map("tanh", 1.0, 0.1, 1.0, order=1000), ValueError, "order must"),
        (lambda: mf.length_map("tanh", 1.0, 0.1, 1.0, order=2.5), TypeError, "order must"),
        (lambda: mf.length_map("cosine", 1.0, 0.1, 1.0), ValueError, "activation must"),
        (lambda: mf.length_map(3, 1.0, 0.1, 1.0), TypeError, "activation must"),
        (lambda: mf.length_map("tanh", 1, 0, 1, method="closed_form"), ValueError, "method="),
        (lambda: mf.length_map("tanh", 1, 0, 1, method="exact"), ValueError, "method must"),
        (lambda: mf.fixed_point("relu", 1.5, 0.1), ValueError, "sigma_w"),
        (lambda: mf.fixed_point("identity", 1.0, 0.0), ValueError, "sigma_w"),
        (lambda: mf.fixed_point("softplus", 3.0, 0.1), ValueError, "grows without bound"),
        (lambda: mf.chi1("tanh", 1.0, 0.1, q=-1.0), ValueError, "q must"),
        (lambda: mf.correlation_map("tanh", 1, 0.1, 1.5), ValueError, "c must"),
        (lambda: mf.correlation_map("tanh", 1, 0.0, 0.5, 0.0), ValueError, "q must"),
        (lambda: mf.derivative_moment("tanh", 1.0, 0), ValueError, "k must"),
        (lambda: mf.critical_sigma_w("tanh", -0.1), ValueError, "sigma_b must"),
        (lambda: mf.critical_sigma_w(FLAT, 0.0), ValueError, "does not cross"),
        (lambda: mf.gradient_norms("tanh", 1, 0.1, 10, 0), ValueError, "depth must"),
        (lambda: mf.gradient_norms("tanh", 1, 0.1, 1, 3), ValueError, "width must"),
        (lambda: mf.gradient_norms("tanh", 1, 0.1, 10, 3, n_nets=0), ValueError, "n_nets must"),
        (lambda: mf.gradient_norms("tanh", 1, 0.1, 10, 3, n_inputs=0), ValueError, "n_inputs"),
        (lambda: mf.gradient_norms("tanh", 1, 0.1, 10, 3, readout="x"), ValueError, "readout"),
        (lambda: mf.gradient_norms("tanh", 1, 0.1, 10, 3, init="x"), ValueError, "init must"),
        (lambda: mf.gradient_norms("tanh", 1, 0.1, 10, 3, seed=-1), ValueError, "seed must"),
        (lambda: mf.gradient_norms("tanh", 0, 0.1, 10, 3), ValueError, "sigma_w must"),
        (lambda: mf.fuss_catalan(-1, 2), ValueError, "L must"),
        (lambda: mf.fuss_catalan(2, -1), ValueError, "k must"),
        (lambda: mf.fuss_catalan(2.0, 1), TypeError, "L must"),
        (lambda: mf.jacobian_spectrum("tanh", 1, 0.1, 10, 0), ValueError, "depth must"),
        (lambda: mf.jacobian_spectrum("tanh", 1, 0.1, 10, 2, init="he"), ValueError, "init"),
        (lambda: mf.jacobian_spectrum("tanh", 1, -1, 10, 2), ValueError, "sigma_b must"),
        (lambda: mf.predicted_jacobian_moments("tanh", 1, 0.1, 0), ValueError, "depth must"),
        (lambda: mf.hanin_V(0), ValueError, "n must"),
        (lambda: mf.hanin_V([3, 0]), ValueError, r"n\[1\] must"),
        (lambda: mf.hanin_V("4"), TypeError, "n must"),
        (lambda: mf.log_norm_variance([4]), ValueError, "widths must"),
        (lambda: mf.log_norm_variance(4), TypeError, "widths must"),
        (lambda: mf.log_norm_variance([4, 0]), ValueError, r"widths\[1\] must"),
        (lambda: mf.log_norm_variance([4, 4], n_nets=0), ValueError, "n_nets must"),
        (lambda: mf.log_norm_variance([1, 1], n_nets=1, n_inputs=1), ValueError, "raise n_nets"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()

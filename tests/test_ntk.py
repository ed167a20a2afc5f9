"""Tests for bpcore.ntk: closed-form ReLU kernels, empirical NTK, linearised training."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcore.network import MLP
from bpcore.ntk import (
    CatapultRun,
    NTKComparison,
    NTKNetwork,
    catapult_run,
    compare_with_linearized,
    empirical_ntk,
    kernel_error_by_width,
    linearized_training,
    parameter_jacobian,
    relu_arccos_step,
    relu_kernels,
    relu_nngp,
    relu_ntk,
    train_gd,
)

GRID = np.linspace(-1.0, 1.0, 16)[:, None]
TARGET = np.sin(np.pi * GRID[:, 0])


def _gauss_points(m: int = 6, d: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((m, d))


# ---------------------------------------------------------------------------------------------
# closed-form kernels


def test_arccos_step_special_angles() -> None:
    q = 2.5
    e_phi, e_dphi = relu_arccos_step(q, q, q)  # θ = 0: the length map q/2 and χ₁/σ_w² = 1/2
    assert e_phi == pytest.approx(q / 2, rel=1e-12)
    assert e_dphi == pytest.approx(0.5, rel=1e-12)
    e_phi, e_dphi = relu_arccos_step(-q, q, q)  # θ = π: relu(u) relu(−u) = 0
    assert abs(e_phi) < 1e-12
    assert abs(e_dphi) < 1e-12
    e_phi, e_dphi = relu_arccos_step(0.0, 1.0, 4.0)  # θ = π/2: √(k11 k22)/2π and 1/4
    assert e_phi == pytest.approx(2 / (2 * np.pi), rel=1e-12)
    assert e_dphi == pytest.approx(0.25, rel=1e-12)
    e_phi, e_dphi = relu_arccos_step(0.0, 0.0, 1.0)  # a zero variance
    assert e_phi == 0.0
    assert e_dphi == 0.0


def test_arccos_step_against_monte_carlo() -> None:
    rng = np.random.default_rng(1)
    k11, k22, k12 = 1.3, 0.7, 0.5
    L = np.linalg.cholesky(np.array([[k11, k12], [k12, k22]]))
    uv = rng.standard_normal((400_000, 2)) @ L.T
    u, v = uv[:, 0], uv[:, 1]
    e_phi, e_dphi = relu_arccos_step(k12, k11, k22)
    mc_phi = np.maximum(u, 0) * np.maximum(v, 0)
    mc_dphi = (u > 0) & (v > 0)
    assert abs(mc_phi.mean() - e_phi) < 5 * mc_phi.std() / np.sqrt(len(u))
    assert abs(mc_dphi.mean() - e_dphi) < 5 * mc_dphi.std() / np.sqrt(len(u))


def _monte_carlo_recursion(
    X: np.ndarray, depth: int, W_std: float, b_std: float, samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The NNGP/NTK recursion with each Gaussian expectation replaced by a sample mean."""
    rng = np.random.default_rng(seed)
    K = W_std**2 * X @ X.T / X.shape[1] + b_std**2
    T = K.copy()
    for _ in range(depth):
        L = np.linalg.cholesky(K + 1e-12 * np.eye(len(K)))
        u = rng.standard_normal((samples, len(K))) @ L.T
        phi, dphi = np.maximum(u, 0), (u > 0).astype(float)
        K_new = W_std**2 * phi.T @ phi / samples + b_std**2
        T = K_new + W_std**2 * (dphi.T @ dphi / samples) * T
        K = K_new
    return K, T


def test_closed_form_against_monte_carlo_of_the_recursion() -> None:
    X = _gauss_points(5, 3)
    for depth, sw, sb in ((1, 1.0, 0.0), (3, np.sqrt(2.0), 0.3)):
        mc_K, mc_T = _monte_carlo_recursion(X, depth, sw, sb, 200_000, seed=depth)
        k = relu_kernels(X, depth=depth, W_std=sw, b_std=sb)
        # 2e5 Monte Carlo samples: a few standard errors of the entries (at most ~0.005)
        np.testing.assert_allclose(k.nngp, mc_K, rtol=0.02, atol=0.01)
        np.testing.assert_allclose(k.ntk, mc_T, rtol=0.02, atol=0.01)


def test_one_hidden_layer_matches_the_folded_bias_formula() -> None:
    # Θ(x, x') = ‖x̃‖‖x̃'‖(sin θ + (π − θ) cos θ)/2π + (x̃·x̃')(π − θ)/2π, x̃ = (x/√d, 1),
    # for W_std = b_std = 1, plus b_std² = 1 from the read-out bias.
    X = _gauss_points(7, 4)
    Xt = np.hstack([X / np.sqrt(X.shape[1]), np.ones((len(X), 1))])
    norms = np.linalg.norm(Xt, axis=1)
    G = Xt @ Xt.T
    cos = np.clip(G / np.outer(norms, norms), -1, 1)
    th = np.arccos(cos)
    course = np.outer(norms, norms) * (np.sin(th) + (np.pi - th) * cos) / (2 * np.pi)
    course += G * (np.pi - th) / (2 * np.pi)
    # the diagonal's θ = arccos(1 − ε) carries √ε round-off in both computations
    np.testing.assert_allclose(relu_ntk(X, W_std=1.0, b_std=1.0) - 1.0, course, atol=1e-7)


def test_documented_values_and_length_map_diagonal() -> None:
    np.testing.assert_allclose(
        relu_nngp(np.eye(2)), [[0.25, 1 / (4 * np.pi)], [1 / (4 * np.pi), 0.25]], rtol=1e-12
    )
    np.testing.assert_allclose(
        relu_ntk(np.eye(2)), [[0.5, 1 / (4 * np.pi)], [1 / (4 * np.pi), 0.5]], rtol=1e-12
    )
    X = _gauss_points(4, 3)
    sw, sb, depth = 1.7, 0.4, 4
    q = sw**2 * np.sum(X * X, axis=1) / 3 + sb**2
    for _ in range(depth):
        q = sw**2 * q / 2 + sb**2  # the ReLU length map
    np.testing.assert_allclose(
        np.diag(relu_nngp(X, depth=depth, W_std=sw, b_std=sb)), q, rtol=1e-10
    )


@settings(max_examples=30, deadline=None)
@given(
    depth=st.integers(1, 5),
    W_std=st.floats(0.3, 3.0),
    b_std=st.floats(0.0, 2.0),
    seed=st.integers(0, 1000),
)
def test_kernels_symmetric_psd_and_blockwise(
    depth: int, W_std: float, b_std: float, seed: int
) -> None:
    X = _gauss_points(6, 3, seed)
    k = relu_kernels(X, depth=depth, W_std=W_std, b_std=b_std)
    for M in (k.nngp, k.ntk):
        np.testing.assert_allclose(M, M.T, rtol=1e-12, atol=1e-14)
        assert np.linalg.eigvalsh(M)[0] >= -1e-10 * np.abs(M).max()
    # the NTK dominates the NNGP (Θ = K + a PSD term) and the cross kernel is a block
    assert np.linalg.eigvalsh(k.ntk - k.nngp)[0] >= -1e-10 * np.abs(k.ntk).max()
    cross = relu_ntk(X[:2], X[2:], depth=depth, W_std=W_std, b_std=b_std)
    np.testing.assert_allclose(cross, k.ntk[:2, 2:], rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# the finite network


def test_network_is_mlp_random_and_parameters_round_trip() -> None:
    net = NTKNetwork.random(3, 7, 2, W_std=1.3, b_std=0.6, seed=4)
    ref = MLP.random([3, 7, 7, 1], "relu", 1.3, 0.6, seed=4, output_activation="identity")
    X = _gauss_points(5, 3)
    np.testing.assert_array_equal(net.predict(X), ref.predict(X)[:, 0])
    theta = net.parameters()
    assert theta.shape == (net.n_params,)
    np.testing.assert_allclose(net.with_parameters(theta).predict(X), net.predict(X), rtol=1e-13)
    assert "NTKNetwork(sizes=[3, 7, 7, 1]" in repr(net)


@pytest.mark.parametrize("b_std", [0.0, 0.8])
def test_parameter_jacobian_against_finite_differences(b_std: float) -> None:
    net = NTKNetwork.random(3, 5, 2, W_std=1.2, b_std=b_std, seed=2)
    X = _gauss_points(4, 3, seed=3)
    J = parameter_jacobian(net, X)
    theta = net.parameters()
    h = 1e-6
    fd = np.empty_like(J)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        fd[:, k] = (
            net.with_parameters(theta + e).predict(X) - net.with_parameters(theta - e).predict(X)
        ) / (2 * h)
    np.testing.assert_allclose(J, fd, atol=1e-8)
    np.testing.assert_allclose(empirical_ntk(net, X), J @ J.T, rtol=1e-12, atol=1e-12)
    X2 = _gauss_points(3, 3, seed=5)
    np.testing.assert_allclose(
        empirical_ntk(net, X, X2), J @ parameter_jacobian(net, X2).T, rtol=1e-12, atol=1e-12
    )


def test_empirical_kernel_approaches_closed_form_like_one_over_sqrt_width() -> None:
    widths = [256, 1024, 4096]
    scan = kernel_error_by_width(GRID, widths, W_std=1.0, b_std=1.0, n_nets=8, seed=0)
    # measured rms·√n ≈ 1.0 (n = 256 … 8192); allow twice that
    assert np.all(scan.rms * np.sqrt(widths) < 2.0)
    assert -0.8 < scan.slope < -0.3
    assert "KernelWidthScan(depth=1" in repr(scan)
    # depth 2 at one width, a smaller network, the same scaling constant order
    net = NTKNetwork.random(3, 1024, 2, W_std=np.sqrt(2), b_std=0.1, seed=1)
    X = _gauss_points(6, 3)
    K = relu_ntk(X, depth=2, W_std=np.sqrt(2), b_std=0.1)
    E = empirical_ntk(net, X)
    assert np.linalg.norm(E - K) / np.linalg.norm(K) < 6.0 / np.sqrt(1024)
    assert np.linalg.eigvalsh(E)[0] >= -1e-10 * np.abs(E).max()
    np.testing.assert_allclose(E, E.T, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# training


def _explicit_recursion(
    K: np.ndarray, f0: np.ndarray, Y: np.ndarray, lr: float, steps: int
) -> np.ndarray:
    m = len(K)
    out = [f0]
    for _ in range(steps):
        out.append(out[-1] - (lr / m) * K @ (out[-1] - Y))
    return np.array(out)


@settings(max_examples=25, deadline=None)
@given(ratio=st.floats(0.05, 2.5), steps=st.integers(0, 40), seed=st.integers(0, 1000))
def test_linearized_training_matches_explicit_recursion(
    ratio: float, steps: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((6, 2))
    K = relu_ntk(X, depth=2, W_std=1.4, b_std=0.3)
    Xt = rng.standard_normal((3, 2))
    Kt = relu_ntk(Xt, X, depth=2, W_std=1.4, b_std=0.3)
    f0, Y, ft0 = rng.standard_normal(6), rng.standard_normal(6), rng.standard_normal(3)
    lr = ratio * 6 / np.linalg.eigvalsh(K)[-1]
    run = linearized_training(K, f0, Y, lr, steps, K_test=Kt, f0_test=ft0)
    ref = _explicit_recursion(K, f0, Y, lr, steps)
    scale = np.abs(ref).max() + 1.0
    np.testing.assert_allclose(run.train, ref, atol=1e-9 * scale)
    # the matrix closed form f_t = f_0 + (I − (I − ηK/m)^t)(Y − f_0)
    A = np.eye(6) - lr * K / 6
    closed = f0 + (np.eye(6) - np.linalg.matrix_power(A, steps)) @ (Y - f0)
    np.testing.assert_allclose(run.train[-1], closed, atol=1e-9 * scale)
    # test points: f_{t+1}(x) = f_t(x) − (η/m) K(x, X)(f_t − Y)
    test = [ft0]
    for t in range(steps):
        test.append(test[-1] - (lr / 6) * Kt @ (ref[t] - Y))
    np.testing.assert_allclose(run.test, np.array(test), atol=1e-9 * scale)
    if abs(ratio - 2.0) > 1e-9:  # at ηλ_max/m = 2 exactly, rounding decides (see below)
        assert run.stable == (ratio < 2.0)
    # the gradient-flow limit
    cont = linearized_training(K, f0, Y, lr, steps, continuous=True)
    expm = f0 + (np.eye(6) - scipy.linalg.expm(-lr * steps * K / 6)) @ (Y - f0)
    np.testing.assert_allclose(cont.train[-1], expm, atol=1e-9 * scale)
    assert "continuous (gradient-flow limit)" in repr(cont)


def test_stability_limit_itself_is_decided_by_rounding() -> None:
    # regression (hypothesis, ratio=2.0, seed=13): η = 2m/λ_max computed from eigvalsh(K)
    # gives ηλ_max/m = 1.9999999999999993 with linearized_training's own eigenvalues, so
    # ``stable`` is True there; the limit is checked to rounding, not as a strict inequality
    rng = np.random.default_rng(13)
    K = relu_ntk(rng.standard_normal((6, 2)), depth=2, W_std=1.4, b_std=0.3)
    lr = 2.0 * 6 / np.linalg.eigvalsh(K)[-1]
    run = linearized_training(K, np.zeros(6), np.ones(6), lr, 0)
    assert abs(run.lr_ratio - 2.0) < 1e-12


def test_linearized_training_singular_kernel_and_several_outputs() -> None:
    K = np.array([[1.0, 1.0], [1.0, 1.0]])  # λ = 0 and 2
    f0 = np.array([[0.0, 1.0], [2.0, 0.0]])
    Y = np.array([[1.0, 1.0], [0.0, 3.0]])
    Kt = np.array([[0.5, 0.2]])
    run = linearized_training(K, f0, Y, 0.3, 7, K_test=Kt)
    ref = [f0]
    test = [np.zeros((1, 2))]
    for _ in range(7):
        test.append(test[-1] - 0.15 * Kt @ (ref[-1] - Y))
        ref.append(ref[-1] - 0.15 * K @ (ref[-1] - Y))
    np.testing.assert_allclose(run.train, np.array(ref), atol=1e-12)
    np.testing.assert_allclose(run.test, np.array(test), atol=1e-12)


def test_train_gd_steps_are_gradient_steps_on_the_ntk_parameters() -> None:
    net = NTKNetwork.random(1, 32, 2, W_std=1.3, b_std=0.5, seed=0)
    before = net.parameters().copy()
    run = train_gd(net, GRID, TARGET, 0.05, 3, X_test=GRID[::4])
    np.testing.assert_array_equal(net.parameters(), before)  # input not modified
    # one step by hand: θ ← θ − η J_θᵀ (f − y)/m
    J = parameter_jacobian(net, GRID)
    theta1 = before - 0.05 * J.T @ (net.predict(GRID) - TARGET) / len(GRID)
    one = train_gd(net, GRID, TARGET, 0.05, 1)
    np.testing.assert_allclose(one.net.parameters(), theta1, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(run.train[1], one.train[1], rtol=1e-12)
    np.testing.assert_allclose(run.train[-1], run.net.predict(GRID), rtol=1e-12)
    np.testing.assert_allclose(run.test[-1], run.net.predict(GRID[::4]), rtol=1e-12)
    np.testing.assert_allclose(run.loss[-1], run.net.mlp.cost(GRID, TARGET[:, None]))
    assert run.loss[-1] < run.loss[0]
    assert not run.diverged


def test_wide_network_follows_discrete_closed_form_not_continuous() -> None:
    # measured: relative error 2.6e-2 (n = 4096, mean over 4 seeds, 1.0e-2 at 16384)
    net = NTKNetwork.random(1, 4096, 1, W_std=1.0, b_std=1.0, seed=0)
    K = relu_ntk(GRID, W_std=1.0, b_std=1.0)
    m = len(GRID)
    lr = m / np.linalg.eigvalsh(K)[-1]  # η λ_max / m = 1
    f0 = net.predict(GRID)
    run = train_gd(net, GRID, TARGET, lr, 100)
    disc = linearized_training(K, f0, TARGET, lr, 100)
    cont = linearized_training(K, f0, TARGET, lr, 100, continuous=True)
    err = np.linalg.norm(run.train - disc.train) / np.linalg.norm(disc.train)
    err_cont = np.linalg.norm(run.train - cont.train) / np.linalg.norm(disc.train)
    assert err < 0.06
    assert err_cont > 3 * err
    # the continuous limit misses the residual by O(1) along the top eigenvector at t = 1
    resid = np.linalg.norm(cont.train[1] - disc.train[1]) / np.linalg.norm(f0 - TARGET)
    assert resid > 0.1


def test_catapult_above_two_m_over_lambda_max() -> None:
    c = catapult_run(GRID, TARGET, width=512, lr_factor=1.2, steps=100, W_std=1.0, b_std=1.0)
    assert isinstance(c, CatapultRun)
    assert c.linear_loss[-1] > 1e20  # the linearised model diverges
    assert c.peak_loss > 10 * c.net_loss[0]  # the network's loss shoots up
    assert c.net_loss[-1] < c.net_loss[0]  # ... and comes back down
    assert c.kernel_shrink < 0.8  # because its kernel moved
    assert c.lambda_max[-1] < 2 * len(GRID) / c.lr
    assert not c.diverged
    assert c.alive_fraction > 0.5
    assert c.net_loss[-1] < 0.5 * c.null_loss  # a fit, not a collapse to the zero predictor
    below = catapult_run(GRID, TARGET, width=512, lr_factor=0.5, steps=100, W_std=1.0, b_std=1.0)
    assert below.peak_loss == below.net_loss[0]
    assert abs(below.net_loss[-1] - below.linear_loss[-1]) < 0.2 * below.linear_loss[-1]
    assert abs(below.kernel_shrink - 1) < 0.05
    assert "CatapultRun(width=512" in repr(c)
    assert not below.diverged


def test_catapult_run_flags_a_blow_up() -> None:
    c = catapult_run(GRID, TARGET, width=512, lr_factor=2.5, steps=40, W_std=1.0, b_std=1.0)
    assert c.diverged
    assert "diverged=True" in repr(c)


def test_compare_with_linearized_is_train_gd_next_to_the_closed_form() -> None:
    # the same computation done by hand: Θ from relu_ntk, η from its λ_max, train_gd and
    # linearized_training with the network's own f_0
    X = np.column_stack([GRID[::3, 0], np.ones(len(GRID[::3]))])
    Y = TARGET[::3]
    X_test = np.column_stack([np.linspace(-1.5, 1.5, 7), np.ones(7)])
    net = NTKNetwork.random(2, 64, 1, W_std=1.0, b_std=0.5, seed=3)
    for frac in (0.5, 1.5):
        c = compare_with_linearized(net, X, Y, frac, 30, X_test=X_test)
        assert isinstance(c, NTKComparison)
        K = relu_ntk(X, depth=1, W_std=1.0, b_std=0.5)
        lam = np.linalg.eigvalsh(K)[-1]
        lr = frac * 2 * len(X) / lam
        run = train_gd(net, X, Y, lr, 30, X_test=X_test)
        lin = linearized_training(
            K, net.predict(X), Y, lr, 30,
            K_test=relu_ntk(X_test, X, depth=1, W_std=1.0, b_std=0.5), f0_test=net.predict(X_test),
        )  # fmt: skip
        assert c.lr == pytest.approx(lr, rel=1e-12)
        assert c.lambda_max == pytest.approx(lam, rel=1e-12)
        assert c.width == 64
        np.testing.assert_allclose(c.net.loss, run.loss, rtol=1e-10)
        np.testing.assert_allclose(c.init_grid, run.test[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(c.net_grid, run.test[-1], rtol=0, atol=1e-10)
        np.testing.assert_allclose(c.linear.test, lin.test, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(
            c.linear_loss, 0.5 * np.mean((lin.train - Y) ** 2, axis=1), rtol=1e-10
        )
        assert c.linear.stable == (frac < 1)
        assert c.null_loss == pytest.approx(0.5 * np.mean(Y**2), rel=1e-12)
        assert 0.0 < c.alive_fraction <= 1.0
        assert c.lambda_max_final == pytest.approx(
            np.linalg.eigvalsh(empirical_ntk(run.net, X))[-1], rel=1e-10
        )
    assert repr(c).startswith("NTKComparison(width=64, lr_fraction=1.5")
    default = compare_with_linearized(net, X, Y, 0.5, 2)  # X_test defaults to X
    np.testing.assert_allclose(default.init_grid, net.predict(X), rtol=0, atol=0)


def test_compare_with_linearized_reports_a_divergence() -> None:
    net = NTKNetwork.random(1, 64, 1, W_std=1.0, b_std=1.0, seed=0)
    c = compare_with_linearized(net, GRID, TARGET, 40.0, 100)
    assert c.net.diverged
    assert not c.collapsed
    assert np.all(np.isnan(c.net_grid))
    assert np.isnan(c.lambda_max_final)
    assert np.isnan(c.alive_fraction)
    assert np.isinf(c.linear_loss[-1])


# ---------------------------------------------------------------------------------------------
# bad input


def test_bad_inputs() -> None:
    X = _gauss_points(3, 2)
    with pytest.raises(ValueError, match="depth must"):
        relu_ntk(X, depth=0)
    with pytest.raises(TypeError, match="depth must"):
        relu_nngp(X, depth=1.5)
    with pytest.raises(ValueError, match="W_std must"):
        relu_ntk(X, W_std=0.0)
    with pytest.raises(ValueError, match="b_std must"):
        relu_nngp(X, b_std=-0.1)
    with pytest.raises(ValueError, match="X2 must"):
        relu_ntk(X, np.ones((2, 3)))
    with pytest.raises(ValueError, match="X1 must"):
        relu_ntk(np.ones(3))
    with pytest.raises(ValueError, match="k11 and k22"):
        relu_arccos_step(0.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="width must"):
        NTKNetwork.random(2, 0)
    with pytest.raises(TypeError, match="mlp must"):
        NTKNetwork("net")
    with pytest.raises(ValueError, match="mlp must"):
        NTKNetwork(MLP.random([2, 3, 1], "tanh"))
    net = NTKNetwork.random(2, 4)
    with pytest.raises(TypeError, match="net must"):
        empirical_ntk("net", X)
    with pytest.raises(ValueError, match="X must"):
        empirical_ntk(net, np.ones((3, 5)))
    with pytest.raises(ValueError, match="theta must"):
        net.with_parameters(np.ones(3))
    K = relu_ntk(X)
    with pytest.raises(ValueError, match="lr must"):
        linearized_training(K, np.zeros(3), np.ones(3), 0.0, 5)
    with pytest.raises(ValueError, match="steps must"):
        linearized_training(K, np.zeros(3), np.ones(3), 0.1, -1)
    with pytest.raises(ValueError, match="K must"):
        linearized_training(np.ones((3, 2)), np.zeros(3), np.ones(3), 0.1, 1)
    with pytest.raises(ValueError, match="K must be symmetric"):
        linearized_training(np.triu(np.ones((3, 3))), np.zeros(3), np.ones(3), 0.1, 1)
    with pytest.raises(ValueError, match="Y must"):
        linearized_training(K, np.zeros(3), np.ones(2), 0.1, 1)
    with pytest.raises(ValueError, match="f0 must"):
        linearized_training(K, np.zeros(4), np.ones(4), 0.1, 1)
    with pytest.raises(ValueError, match="K_test must"):
        linearized_training(K, np.zeros(3), np.ones(3), 0.1, 1, K_test=np.ones((2, 2)))
    with pytest.raises(TypeError, match="continuous must"):
        linearized_training(K, np.zeros(3), np.ones(3), 0.1, 1, continuous="yes")
    with pytest.raises(ValueError, match="lr must"):
        train_gd(net, X, np.ones(3), -1.0, 5)
    with pytest.raises(ValueError, match="steps must"):
        train_gd(net, X, np.ones(3), 0.1, -2)
    with pytest.raises(ValueError, match="Y must"):
        train_gd(net, X, np.ones(4), 0.1, 1)
    with pytest.raises(ValueError, match="X_test must"):
        train_gd(net, X, np.ones(3), 0.1, 1, X_test=np.ones((2, 3)))
    with pytest.raises(ValueError, match="lr_factor must"):
        catapult_run(X, np.ones(3), lr_factor=0.0)
    for bad in (np.ones((0, 2)), np.ones((3, 0))):  # one check for every X of the package
        with pytest.raises(ValueError, match="X must have at least one row and one column"):
            catapult_run(bad, np.ones(len(bad)))
        with pytest.raises(ValueError, match="X must have at least one row and one column"):
            kernel_error_by_width(bad, [4])
        with pytest.raises(ValueError, match="X1 must have at least one row and one column"):
            relu_ntk(bad)
    Y, bad_test = np.ones(3), np.ones((2, 3))
    for error, match, args, kwargs in [
        (TypeError, "net must", ("net", X, Y, 0.5, 1), {}),
        (ValueError, "lr_fraction must", (net, X, Y, 0.0, 1), {}),
        (ValueError, "steps must", (net, X, Y, 0.5, -1), {}),
        (ValueError, "Y must", (net, X, np.ones(4), 0.5, 1), {}),
        (ValueError, "X_test must", (net, X, Y, 0.5, 1), {"X_test": bad_test}),
    ]:
        with pytest.raises(error, match=match):
            compare_with_linearized(*args, **kwargs)
    with pytest.raises(ValueError, match="widths must"):
        kernel_error_by_width(X, [])
    with pytest.raises(ValueError, match="n_nets must"):
        kernel_error_by_width(X, [4], n_nets=0)


def test_divergence_is_reported_not_raised() -> None:
    net = NTKNetwork.random(1, 64, 1, W_std=1.0, b_std=1.0, seed=0)
    run = train_gd(net, GRID, TARGET, 50.0, 200)
    assert run.diverged
    assert np.isnan(run.loss[-1])

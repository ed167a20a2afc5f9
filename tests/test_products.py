"""Tests for bpcore.products: ordered products and the structured families where they collapse.

References: the ordered product itself (n matrix products, `ordered_product`, checked against
sympy), exact sympy/Fraction arithmetic, exact sympy eigenvalues, and `bpcore.backprop`
(the one source of the backprop step).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcore.activations import leaky_relu
from bpcore.backprop import delta_recursion
from bpcore.network import MLP
from bpcore.products import (
    alternating_growth,
    common_eigenbasis,
    commuting_product,
    conjugated_factors,
    conjugated_product,
    floquet_multipliers,
    floquet_product,
    ordered_product,
    rho_counterexample,
    rho_counterexample_network,
    triangular_product,
)

RTOL = 1e-10  # relative (Frobenius) tolerance of every closed form against the ordered product


def rel_err(X: np.ndarray, Y: np.ndarray) -> float:
    return float(np.linalg.norm(X - Y) / max(np.linalg.norm(Y), 1e-300))


def orthogonal(rng: np.random.Generator, k: int) -> np.ndarray:
    Q, _ = np.linalg.qr(rng.normal(size=(k, k)))
    return Q


def well_conditioned(rng: np.random.Generator, k: int) -> np.ndarray:
    """Q diag(s) Qᵀ-type matrix with singular values in [0.9, 1.1] (condition number ≤ 1.23)."""
    return orthogonal(rng, k) @ np.diag(rng.uniform(0.9, 1.1, size=k)) @ orthogonal(rng, k)


seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 4)


# --- the reference ------------------------------------------------------------------------------


def test_ordered_product_matches_exact_sympy_product() -> None:
    rng = np.random.default_rng(1)
    M = rng.integers(-3, 4, size=(6, 3, 3))
    exact = sp.eye(3)
    for Mk in M:
        exact = exact * sp.Matrix(Mk.tolist())
    np.testing.assert_array_equal(ordered_product(M), np.array(exact.tolist(), dtype=float))
    np.testing.assert_array_equal(ordered_product(list(M[:1])), M[0])


def test_ordered_product_is_backprop_bottom_delta() -> None:
    """δ^(1) = M_1 ⋯ M_L δ^(L+1) with M_l = D_l W^(l)ᵀ (bpcore.backprop's recurrence)."""
    rng = np.random.default_rng(2)
    Ws = [rng.normal(size=(3, 3)) for _ in range(5)]
    fps = [rng.uniform(0, 1, size=3) for _ in range(5)]
    delta = rng.normal(size=3)
    M = np.stack([np.diag(d) @ W.T for W, d in zip(Ws, fps, strict=True)])
    np.testing.assert_allclose(
        ordered_product(M) @ delta, delta_recursion(Ws, delta, fps)[0], rtol=1e-12
    )


# --- conjugated factors -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=seeds, k=sizes, n=st.integers(1, 12))
def test_conjugated_product_equals_ordered_product(seed: int, k: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    R, A = well_conditioned(rng, k), rng.normal(size=(k, k))
    M = conjugated_factors(R, A, n)
    Rinv = np.linalg.inv(R)
    np.testing.assert_allclose(M[0], R @ A @ Rinv, rtol=1e-12, atol=1e-12)
    assert rel_err(conjugated_product(R, A, n), ordered_product(M)) < RTOL


def test_conjugated_product_exact_sympy() -> None:
    R, A, n = sp.Matrix([[1, 1], [0, 1]]), sp.Matrix([[1, 2], [3, 4]]), 6
    exact = sp.eye(2)
    for k in range(1, n + 1):
        exact = exact * R**k * A * R ** (-k)
    assert exact == (R * A) ** n * R ** (-n)  # the identity, exactly
    Rf, Af = np.array(R.tolist(), dtype=float), np.array(A.tolist(), dtype=float)
    np.testing.assert_allclose(
        conjugated_product(Rf, Af, n), np.array(exact.tolist(), dtype=float), rtol=1e-12
    )


# --- Floquet ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=seeds, k=sizes, p=st.integers(1, 4), n=st.integers(0, 25))
def test_floquet_product_equals_ordered_product(seed: int, k: int, p: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    period = np.stack([well_conditioned(rng, k) for _ in range(p)])
    expected = ordered_product(np.tile(period, (n // p + 1, 1, 1))[:n]) if n else np.eye(k)
    assert rel_err(floquet_product(period, n), expected) < RTOL


def test_floquet_multipliers_give_the_growth_rate() -> None:
    rng = np.random.default_rng(3)
    period = rng.normal(size=(3, 2, 2))
    mu = floquet_multipliers(period)
    np.testing.assert_allclose(
        np.sort_complex(mu), np.sort_complex(np.linalg.eigvals(ordered_product(period)))
    )
    assert abs(mu[0]) >= abs(mu[1])
    # ‖M_1⋯M_n‖^(1/n) → max|μ|^(1/p) (Gelfand), checked at n = 300 to 2 %
    n = 300
    growth = np.linalg.norm(floquet_product(period / abs(mu[0]) ** (1 / 3), n), 2)
    assert growth ** (1 / n) == pytest.approx(1.0, abs=0.02)


# --- commuting and triangular families ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=seeds, k=sizes, n=st.integers(1, 10))
def test_commuting_product_equals_ordered_product(seed: int, k: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    V = well_conditioned(rng, k)
    lam = rng.uniform(0.5, 1.5, size=(n, k)) * rng.choice([-1.0, 1.0], size=(n, k))
    M = np.einsum("ab,jb,bc->jac", V, lam, np.linalg.inv(V))
    assert rel_err(commuting_product(M), ordered_product(M)) < RTOL
    _, ev = common_eigenbasis(M)
    np.testing.assert_allclose(
        np.sort(np.prod(ev, axis=0).real), np.sort(np.prod(lam, axis=0)), rtol=1e-9
    )


def test_commuting_product_polynomials_in_one_matrix_exact() -> None:
    """Polynomials in one integer matrix commute; the exact product comes from sympy."""
    S = sp.Matrix([[2, 1], [1, 3]])
    family = [S, S**2 - 3 * S, sp.eye(2) + S, 2 * S - sp.eye(2)]
    exact = sp.eye(2)
    for F in family:
        exact = exact * F
    M = np.array([np.array(F.tolist(), dtype=float) for F in family])
    np.testing.assert_allclose(
        commuting_product(M), np.array(exact.tolist(), dtype=float), rtol=1e-12
    )


def test_commuting_product_refuses_non_commuting_family() -> None:
    A, B = np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0]])
    size = np.sqrt(2) / 3  # ‖AB − BA‖_F = √2, ‖A‖_F = ‖B‖_F = √3
    with pytest.raises(ValueError, match=rf"factors must commute: .* = {size:.3g} > tol"):
        commuting_product(np.stack([A, B]))
    with pytest.raises(ValueError, match="factors must commute"):
        commuting_product(np.stack([A, A + 1e-6 * B]))


def test_commuting_product_refuses_jordan_block() -> None:
    J = np.array([[2.0, 1.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="simultaneously diagonalisable"):
        commuting_product(np.stack([J, J @ J]))
    assert triangular_product(np.stack([J, J @ J])).product[0, 1] == pytest.approx(
        (J @ J @ J)[0, 1], rel=1e-14
    )


@settings(max_examples=60, deadline=None)
@given(seed=seeds, n=st.integers(1, 30))
def test_triangular_product_equals_ordered_product(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    M = np.zeros((n, 2, 2))
    M[:, 0, 0], M[:, 1, 1] = rng.uniform(0.5, 1.5, size=(2, n)) * rng.choice([-1, 1], (2, n))
    M[:, 0, 1] = rng.normal(size=n)
    res = triangular_product(M)
    P = ordered_product(M)
    np.testing.assert_allclose(res.product, P, rtol=1e-10, atol=1e-12 * np.linalg.norm(P))
    np.testing.assert_allclose(
        np.sort(res.eigenvalues), np.sort(np.linalg.eigvals(P).real), rtol=1e-9
    )
    assert res.terms.shape == (n,)


def test_triangular_product_exact_fractions() -> None:
    rng = np.random.default_rng(4)
    a, c, d = (rng.integers(-4, 5, size=7) for _ in range(3))
    exact = sp.eye(2)
    for j in range(7):
        exact = exact * sp.Matrix(
            [[Fraction(int(a[j]), 2), int(c[j])], [0, Fraction(int(d[j]), 4)]]
        )
    M = np.array([[[a[j] / 2, c[j]], [0.0, d[j] / 4]] for j in range(7)])
    res = triangular_product(M)
    np.testing.assert_array_equal(res.product, np.array(exact.tolist(), dtype=float))
    assert "TriangularProduct(n=7" in repr(res)


# --- the spectral radius of each factor says nothing about the product --------------------------


def test_rho_counterexample_exact_eigenvalues() -> None:
    A, B = rho_counterexample()
    As = sp.Matrix(A.tolist()).applyfunc(sp.nsimplify)
    Bs = sp.Matrix(B.tolist()).applyfunc(sp.nsimplify)

    def rho(M: sp.Matrix) -> sp.Expr:
        return sp.Max(*[sp.Abs(ev) for ev in M.eigenvals()])

    assert rho(As) == sp.Rational(1, 2)
    assert rho(Bs) == sp.Rational(1, 2)
    assert rho(As * Bs) == 4
    assert rho(As) < 1 < rho(As * Bs)
    # the network form D_l Wᵀ with one tied W and two derivative diagonals
    W = np.array([[0.0, 2.0], [2.0, 0.0]])
    np.testing.assert_array_equal(A, np.diag([1, 1 / 16]) @ W.T)
    np.testing.assert_array_equal(B, np.diag([1 / 16, 1]) @ W.T)


def test_rho_counterexample_is_two_backprop_layers() -> None:
    """bpcore.backprop with tied W and alternating f' diagonals multiplies δ by (AB)^k."""
    A, B = rho_counterexample()
    W = np.array([[0.0, 2.0], [2.0, 0.0]])
    fps = [np.array([1, 1 / 16]), np.array([1 / 16, 1])] * 10
    delta_out = np.array([1.0, 1.0])
    bottom = delta_recursion([W] * 20, delta_out, fps)[0]
    np.testing.assert_allclose(bottom, np.linalg.matrix_power(A @ B, 10) @ delta_out, rtol=1e-14)
    assert np.linalg.norm(bottom) > 4**9  # grows although each factor has ρ = 1/2


@pytest.mark.parametrize(
    ("activation", "alpha", "rho"), [("leaky_relu", 1 / 16, 0.5), ("relu", 0.0, 0.0)]
)
def test_rho_counterexample_is_a_real_tied_network(
    activation: str, alpha: float, rho: float
) -> None:
    """The cycle, masks and ρ's by hand (exact), and MLP.backward running the actual network."""
    ex = rho_counterexample_network(activation)
    W = np.array([[0.0, 2.0], [2.0, 0.0]])
    beta = -7 / 8 if activation == "leaky_relu" else -1.0

    def f(z):
        return np.where(z > 0, z, alpha * z)

    p, q = -beta, beta / (1 - 2 * alpha)
    np.testing.assert_array_equal(ex.cycle, [[p, q], [q, p]])
    np.testing.assert_array_equal(W @ f(ex.cycle[0]) + ex.b, ex.cycle[1])  # a genuine 2-cycle
    np.testing.assert_array_equal(W @ f(ex.cycle[1]) + ex.b, ex.cycle[0])
    np.testing.assert_array_equal(ex.masks, [np.diag([1, alpha]), np.diag([alpha, 1])])
    As, Bs = (sp.Matrix(M.tolist()).applyfunc(sp.nsimplify) for M in (ex.A, ex.B))
    radius = lambda M: sp.Max(*[sp.Abs(ev) for ev in M.eigenvals()])  # noqa: E731
    assert radius(As) == radius(Bs) == sp.nsimplify(rho)
    assert radius(As * Bs) == 4
    assert (ex.rho_A, ex.rho_B, ex.rho_AB) == pytest.approx((rho, rho, 4.0), abs=1e-12)
    # run the network: 21 tied layers from x with W f(x) + b = cycle[0], zero target
    act = leaky_relu(alpha) if activation == "leaky_relu" else "relu"
    layers = 21
    net = MLP([W] * layers, [ex.b] * layers, act)
    x = f(ex.cycle[1])
    fp = net.forward(x)
    for k, z in enumerate(fp.z):
        np.testing.assert_array_equal(z, ex.cycle[k % 2])  # the orbit sits on the cycle
    grads = net.backward(x, np.zeros(2))
    norms = [np.linalg.norm(grads.delta_of(l)) for l in range(2, layers + 2)]
    ratios = [norms[k] / norms[k + 2] for k in range(layers - 2)]
    # δ grows ×4 per pair of layers (the 1/64 component of δ at the top dies out after a pair)
    np.testing.assert_allclose(ratios[:-2], 4.0, rtol=1e-9)
    np.testing.assert_allclose(norms[0] / norms[-1], 4.0**10, rtol=1e-4)
    assert "RhoCounterexample(activation=" in repr(ex)


def test_rho_counterexample_matches_network_and_bad_activation() -> None:
    A, B = rho_counterexample()
    ex = rho_counterexample_network()
    np.testing.assert_array_equal(A, ex.A)
    np.testing.assert_array_equal(B, ex.B)
    with pytest.raises(ValueError, match="activation must be 'leaky_relu' or 'relu'"):
        rho_counterexample_network("tanh")


def test_alternating_growth_exact_rate_and_past_overflow() -> None:
    A, B = rho_counterexample()
    n = 1000  # 4^1000 overflows float64; the log-norms do not
    logs = alternating_growth(A, B, n)
    np.testing.assert_allclose(logs, np.arange(n + 1) * np.log(4.0), rtol=1e-13, atol=1e-13)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, k=sizes, n=st.integers(0, 15))
def test_alternating_growth_matches_ordered_product(seed: int, k: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(2, k, k))
    logs = alternating_growth(A, B, n)
    for j in range(n + 1):
        ref = np.linalg.norm(ordered_product(np.stack([A, B] * j)), 2) if j else 1.0
        assert logs[j] == pytest.approx(np.log(ref), abs=1e-9 * max(1.0, abs(np.log(ref))))


def test_alternating_growth_slope_is_log_rho_ab() -> None:
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(2, 3, 3))
    logs = alternating_growth(A, B, 2000)
    rho = np.max(np.abs(np.linalg.eigvals(A @ B)))
    assert (logs[2000] - logs[1000]) / 1000 == pytest.approx(np.log(rho), abs=1e-3)


def test_alternating_growth_zero_product() -> None:
    A = np.array([[0.0, 1.0], [0.0, 0.0]])
    logs = alternating_growth(A, A, 3)
    assert logs[0] == 0
    assert np.all(np.isneginf(logs[1:]))


# --- bad inputs ---------------------------------------------------------------------------------


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="factors must contain at least one"):
        ordered_product([])
    with pytest.raises(ValueError, match="factors must be an"):
        ordered_product(np.ones((3, 2, 3)))
    with pytest.raises(ValueError, match="factors must be square matrices of one common size"):
        ordered_product([np.eye(2), np.eye(3)])
    with pytest.raises(TypeError, match="factors must be"):
        ordered_product("abc")
    with pytest.raises(ValueError, match="factors must contain only finite"):
        ordered_product(np.full((2, 2, 2), np.nan))
    with pytest.raises(OverflowError, match="ordered product"):
        ordered_product(np.full((200, 2, 2), 1e10))
    with pytest.raises(ValueError, match="R must be invertible"):
        conjugated_product(np.zeros((2, 2)), np.eye(2), 3)
    with pytest.raises(ValueError, match="A must have the shape of R"):
        conjugated_factors(np.eye(2), np.eye(3), 3)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        conjugated_product(np.eye(2), np.eye(2), 0)
    with pytest.raises(TypeError, match="n must be an integer"):
        conjugated_product(np.eye(2), np.eye(2), 2.0)
    with pytest.raises(ValueError, match="period must be an"):
        floquet_product(np.eye(2), 3)
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        floquet_product(np.eye(2)[None], -1)
    with pytest.raises(ValueError, match="factors must be 2×2"):
        triangular_product(np.triu(np.ones((2, 3, 3))))
    with pytest.raises(ValueError, match="factors must be upper triangular"):
        triangular_product(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="B must have the shape of A"):
        alternating_growth(np.eye(2), np.eye(3), 2)
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        alternating_growth(np.eye(2), np.eye(2), -1)
    with pytest.raises(ValueError, match="A must be a square"):
        alternating_growth(np.ones((2, 3)), np.eye(2), 2)

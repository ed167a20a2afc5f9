"""Tests for bpcore.linear: closed forms of the linear recurrence and of Saxe's training dynamics.

References used: exact rational arithmetic (fractions / sympy), ``delta_recursion`` (the
recurrence itself), sympy differentiation, scipy's solve_ivp and quad, and the published
closed forms (Newman 1986; Saxe, McClelland & Ganguli 2014).
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import event, given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from bpcore.backprop import delta_recursion
from bpcore.linear import (
    ACCURACY_TARGET,
    TiedDelta,
    _bare_tied_recursion,
    _descent_directions,
    delta_norms,
    gelfand_sequence,
    linear_delta_norms,
    lyapunov_exponent_gaussian,
    lyapunov_exponent_gaussian_exact,
    lyapunov_spectrum_gaussian,
    lyapunov_spectrum_gaussian_exact,
    reply_formula,
    rtdr_formula,
    rtdr_from_symmetric,
    saxe_deep_mode_ode,
    saxe_learning_time,
    saxe_mode_trajectory,
    saxe_simulation,
    spectral_radius,
    symbolic_tied_delta,
    tied_delta,
    time_tied_delta,
    train_linear_network,
    untied_delta,
)

RTOL = 1e-9  # the accuracy every tied_delta result must meet against exact arithmetic


# ---------------------------------------------------------------------------------------------
# Exact reference: every float is a dyadic rational, so (Wᵀ)^k δ can be computed exactly.
# ---------------------------------------------------------------------------------------------


def _exact_power(W: np.ndarray, k: int) -> np.ndarray:
    Wf = np.array([[Fraction(x) for x in row] for row in np.asarray(W, float).tolist()], object)
    n = Wf.shape[0]
    out = np.array([[Fraction(int(i == j)) for j in range(n)] for i in range(n)], object)
    base = Wf
    while k:  # exact binary powering
        if k & 1:
            out = out @ base
        k >>= 1
        if k:
            base = base @ base
    return out


def exact_tied(W: np.ndarray, k: int, delta: np.ndarray) -> tuple[np.ndarray, float]:
    """Exact delta @ W^k (rounded once to float) and the exact ‖W^k‖_F (as float)."""
    Mk = _exact_power(W, k)
    d = np.atleast_2d(np.asarray(delta, float))
    rows = [
        [float(v) for v in np.array([Fraction(x) for x in row], object) @ Mk] for row in d.tolist()
    ]
    norm = math.sqrt(float(sum(x * x for x in Mk.ravel())))
    out = np.array(rows)
    return (out[0] if np.ndim(delta) == 1 else out), norm


def assert_close_normwise(got: np.ndarray, want: np.ndarray, scale: float) -> None:
    err = float(np.linalg.norm(np.asarray(got) - want))
    assert err <= RTOL * scale, f"error {err:.3g} > {RTOL} * {scale:.3g}"


# ---------------------------------------------------------------------------------------------
# tied_delta
# ---------------------------------------------------------------------------------------------

_C, _S = math.cos(0.3), math.sin(0.3)
_ROT = np.array([[_C, -_S], [_S, _C]])

CASES = [
    # name, W, k, expected method
    ("symmetric", [[2.0, 1.0], [1.0, 3.0]], 30, "symmetric-eigh"),
    (
        "symmetric-3x3-float",
        [[0.3, 0.1, -0.2], [0.1, 0.7, 0.05], [-0.2, 0.05, 0.4]],
        50,
        "symmetric-eigh",
    ),
    ("diagonalizable", [[1.0, 2.0], [3.0, 0.0]], 30, "eigendecomposition"),
    ("diagonalizable-float", [[0.3, 0.7], [0.1, 0.45]], 40, "eigendecomposition"),
    ("rotation-scaling", [[3.0, -4.0], [4.0, 3.0]], 30, "eigendecomposition"),
    ("complex-non-normal", [[1.0, -2.0], [1.0, 1.0]], 25, "eigendecomposition"),
    ("rotation-float", (0.97 * _ROT).tolist(), 200, "eigendecomposition"),
    ("jordan-2x2", [[1.0, 1.0], [0.0, 1.0]], 30, "jordan"),
    ("jordan-3x3", [[2.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 0.0, 2.0]], 30, "jordan"),
    # S J S⁻¹ with unimodular S = [[2, 1], [1, 1]] and J = [[3, 1], [0, 3]]: dense, defective
    ("jordan-dense", [[1.0, 4.0], [-1.0, 5.0]], 20, "jordan"),
    ("jordan-halves", [[0.5, 0.0], [1.0, 0.5]], 60, "jordan"),
    # [[A, I], [0, A]] with A = [[0, 2], [1, 0]]: defective, eigenvalues ±√2 (irrational)
    (
        "defective-irrational",
        [[0.0, 2.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0]],
        21,
        "squaring",
    ),
    ("nearly-defective", [[1.0, 1.0], [1e-12, 1.0]], 30, "schur"),
    ("nearly-defective-1e-9", [[1.0, 1.0], [1e-9, 1.0]], 30, "schur"),
    ("defective-float", [[0.1, 1.0], [0.0, 0.1]], 50, "schur"),
    ("defective-float-lower", [[0.3, 0.0, 0.0], [1.0, 0.3, 0.0], [0.2, 1.0, 0.3]], 40, "schur"),
    (
        "defective-rotated",
        (_ROT @ np.array([[0.9, 1.0], [0.0, 0.9]]) @ _ROT.T).tolist(),
        20,
        "schur",
    ),
]


@pytest.mark.parametrize(("name", "W", "k", "method"), CASES, ids=[c[0] for c in CASES])
def test_tied_delta_matches_exact_power_and_reports_method(name, W, k, method):
    W = np.array(W)
    rng = np.random.default_rng(len(name))
    delta = rng.standard_normal(W.shape[0])
    result = tied_delta(W, k, delta)
    want, norm_Wk = exact_tied(W, k, delta)
    assert result.method == method
    # normwise relative to the exact answer itself (these cases have no cancellation) ...
    assert_close_normwise(result.delta, want, float(np.linalg.norm(want)))
    # ... and the same as running the recurrence k times
    np.testing.assert_allclose(
        result.delta, delta_recursion([W] * k, delta)[0], rtol=1e-6, atol=1e-9 * norm_Wk
    )


def test_tied_delta_condition_field():
    assert tied_delta([[2.0, 1.0], [1.0, 3.0]], 3, [1.0, 0.0]).condition == 1.0
    jordan = tied_delta([[1.0, 1.0], [0.0, 1.0]], 3, [1.0, 0.0])
    assert jordan.condition > 1e12  # the eigenvector matrix of a Jordan block is singular
    nearly = tied_delta([[1.0, 1.0], [1e-12, 1.0]], 3, [1.0, 0.0])
    assert 1e5 < nearly.condition < 1e7  # eigenvalues 1 ± 1e-6: cond(P) ≈ 2·10⁶


def test_tied_delta_batch_equals_rows():
    W = np.array([[0.3, 0.7], [0.1, 0.45]])
    batch = np.random.default_rng(1).standard_normal((5, 2))
    out = tied_delta(W, 17, batch)
    assert out.delta.shape == (5, 2)
    for row, got in zip(batch, out.delta, strict=True):
        np.testing.assert_allclose(got, tied_delta(W, 17, row).delta, rtol=1e-13)
    want, _ = exact_tied(W, 17, batch)
    assert_close_normwise(out.delta, want, float(np.linalg.norm(want)))


def test_tied_delta_large_k():
    # rotation by θ: δ_k = R(θ)^k applied (rows: δ @ R^k = δ R(kθ)), known in closed form
    theta = 0.3
    R = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    k = 10_000
    got = tied_delta(R, k, [1.0, 0.0])
    want = np.array([math.cos(k * theta), -math.sin(k * theta)])
    assert got.method == "eigendecomposition"
    np.testing.assert_allclose(got.delta, want, atol=1e-9)
    # a Jordan block: (Jᵀ)^k δ for J = [[1, 1], [0, 1]] is exactly [δ₁, kδ₁ + δ₂]
    jordan = tied_delta([[1.0, 1.0], [0.0, 1.0]], k, [1.0, 2.0])
    assert jordan.method == "jordan"
    np.testing.assert_array_equal(jordan.delta, [1.0, k + 2.0])
    # decaying: exact comparison at k = 10⁴
    W = np.array([[0.5, 0.25], [0.125, 0.75]])
    out = tied_delta(W, k, [1.0, -1.0])
    want, _ = exact_tied(W, k, [1.0, -1.0])
    assert_close_normwise(out.delta, want, float(np.linalg.norm(want)))


def test_tied_delta_no_spurious_overflow():
    # 3^600 · 1e-200 ≈ 1.9e86 fits although 3^600 alone does not
    out = tied_delta([[3.0]], 600, [1e-200])
    assert out.delta[0] == pytest.approx(3.0**200 * 3.0**400 * 1e-200, rel=1e-12)


@pytest.mark.parametrize(
    ("W", "k"),
    [
        ([[3.0]], 1000),
        ([[2.0, 1.0], [0.0, 2.0]], 10_000),
        ([[1.5, 1.0], [0.3, 1.2]], 5000),
        ([[1.1, 1.0], [0.0, 1.1]], 10_000),
    ],
)
def test_tied_delta_overflow_raises(W, k):
    with pytest.raises(OverflowError, match=f"k={k}"):
        tied_delta(W, k, np.ones(len(W)))


def test_tied_delta_refuses_hopelessly_ill_conditioned_w():
    # far from normal: eigenvalues 0.5, 0.9 with eigenvector condition ≈ 2·10⁷, rotated
    W = _ROT @ np.array([[0.5, 4e6], [0.0, 0.9]]) @ _ROT.T
    with pytest.raises(FloatingPointError, match="k=30"):
        tied_delta(W, 30, [1.0, 1.0])


def test_tied_delta_result_object():
    out = tied_delta([[1.0, 1.0], [0.0, 1.0]], 4, [1.0, 2.0])
    assert isinstance(out, TiedDelta)
    text = repr(out)
    assert "jordan" in text
    assert "k=4" in text
    assert "delta=" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.method = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        out.delta[0] = 0.0


small_ints = st.integers(min_value=-5, max_value=5)


@st.composite
def integer_problems(draw):
    n = draw(st.integers(1, 4))
    if draw(st.booleans()):  # a plain random integer matrix
        entries = draw(st.lists(small_ints, min_size=n * n, max_size=n * n))
        W = np.array(entries, dtype=np.int64).reshape(n, n)
    else:  # defective: S T S⁻¹, T triangular with a repeated eigenvalue, S unimodular
        lam = draw(st.integers(-2, 2))
        values = draw(st.lists(st.integers(-2, 2), min_size=n * n, max_size=n * n))
        T = np.triu(np.array(values, dtype=np.int64).reshape(n, n))
        T[0, 0] = lam
        if n > 1:
            T[1, 1] = lam
            T[0, 1] = draw(st.sampled_from([-1, 1, 2]))  # Jordan coupling: defective
        S, S_inv = np.eye(n, dtype=np.int64), np.eye(n, dtype=np.int64)
        for i, j, c in draw(
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(-2, 2)),
                max_size=3,
            )
        ):
            if i != j:  # elementary shear I + cE_ij, inverse I − cE_ij
                E = np.zeros((n, n), dtype=np.int64)
                E[i, j] = c
                S, S_inv = (
                    S @ (np.eye(n, dtype=np.int64) + E),
                    (np.eye(n, dtype=np.int64) - E) @ S_inv,
                )
        W = S @ T @ S_inv
    delta = np.array(draw(st.lists(small_ints, min_size=n, max_size=n)), float)
    return W.astype(float), draw(st.integers(0, 30)), delta


@settings(max_examples=120, deadline=None)
@given(integer_problems())
def test_tied_delta_random_integer_matrices(problem):
    W, k, delta = problem
    out = tied_delta(W, k, delta)
    event(out.method)
    want, norm_Wk = exact_tied(W, k, delta)
    assert_close_normwise(out.delta, want, norm_Wk * max(np.linalg.norm(delta), 1.0))
    if np.array_equal(W, W.T):
        assert out.method == "symmetric-eigh"
    else:
        assert out.method in ("eigendecomposition", "jordan", "squaring")


@st.composite
def float_problems(draw):
    n = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # eigenvector matrices from well to horribly conditioned
    S = rng.standard_normal((n, n))
    S[:, 1] = S[:, 0] + S[:, 1] * 10.0 ** (-draw(st.floats(0, 9)))
    lam = rng.uniform(-1.2, 1.2, n)
    if draw(st.booleans()):  # a nearly/exactly defective pair
        lam[1] = lam[0] + draw(st.sampled_from([0.0, 1e-12, 1e-6]))
    W = S @ np.diag(lam) @ np.linalg.inv(S)
    return W, draw(st.integers(0, 20)), rng.standard_normal(n)


@settings(max_examples=80, deadline=None)
@given(float_problems())
def test_tied_delta_float_matrices_never_wrong(problem):
    """Either an answer within ACCURACY_TARGET of exact arithmetic, or FloatingPointError."""
    W, k, delta = problem
    want, norm_Wk = exact_tied(W, k, delta)
    try:
        out = tied_delta(W, k, delta)
    except FloatingPointError:
        event("refused (FloatingPointError)")
        return
    except OverflowError:  # pragma: no cover - entries are O(1), k ≤ 20
        pytest.fail("unexpected overflow")
    event(out.method)
    err = float(np.linalg.norm(out.delta - want))
    assert err <= ACCURACY_TARGET * norm_Wk * np.linalg.norm(delta) + 1e-300


# ---------------------------------------------------------------------------------------------
# symbolic_tied_delta
# ---------------------------------------------------------------------------------------------

SYMBOLIC_CASES = [
    [[1, 1], [1, 0]],  # Fibonacci: irrational eigenvalues
    [[1, 1], [0, 1]],  # defective
    [[0, 1], [0, 0]],  # nilpotent (λ = 0 Jordan block)
    [[2, 1, 0], [0, 2, 1], [0, 0, 2]],  # 3×3 Jordan block
    [[0, -1], [1, 0]],  # rotation: eigenvalues ±i
    [[1, 2, 0], [0, 1, 0], [0, 0, 3]],  # mixed blocks
    [[Fraction(1, 2), 1], [0, Fraction(1, 2)]],  # Fractions
    [[sp.Rational(2, 3), 1], [sp.Rational(1, 3), 0]],  # sympy Rationals
    np.array([[3, -4], [4, 3]], dtype=np.int64),  # numpy integers
]


@pytest.mark.parametrize("W", SYMBOLIC_CASES, ids=range(len(SYMBOLIC_CASES)))
def test_symbolic_tied_delta_equals_exact_powers(W):
    k = sp.Symbol("k", integer=True, nonnegative=True)
    M = symbolic_tied_delta(W)
    assert M.free_symbols <= {k}
    Wt = sp.Matrix(
        [
            [sp.Rational(str(x)) if isinstance(x, Fraction) else x for x in row]
            for row in (W.tolist() if isinstance(W, np.ndarray) else W)
        ]
    ).T
    for kv in (0, 1, 2, 3, 7, 12):
        diff = (M.subs(k, kv) - Wt**kv).applyfunc(lambda e: sp.simplify(sp.expand(e)))
        assert diff == sp.zeros(*diff.shape), (kv, diff)


def test_symbolic_tied_delta_custom_symbol_and_jordan_terms():
    n = sp.Symbol("n", integer=True, nonnegative=True)
    M = symbolic_tied_delta([[2, 1, 0], [0, 2, 1], [0, 0, 2]], n)
    # (Jᵀ)^n for a 3×3 Jordan block: C(n, j) 2^{n−j} on the j-th subdiagonal
    assert sp.simplify(M[2, 0] - sp.binomial(n, 2).expand(func=True) * 2 ** (n - 2)) == 0
    assert sp.simplify(M[1, 0] - n * 2 ** (n - 1)) == 0
    # (Wᵀ)^k times δ_out gives δ: check against tied_delta
    delta = np.array([1.0, -2.0, 0.5])
    for kv in (5, 11):
        sym = np.array(M.subs(n, kv), dtype=float) @ delta
        np.testing.assert_allclose(
            sym, tied_delta([[2, 1, 0], [0, 2, 1], [0, 0, 2]], kv, delta).delta, rtol=1e-12
        )


@pytest.mark.parametrize(
    ("W", "exc", "pattern"),
    [
        ([[0.5, 1], [0, 1]], TypeError, r"W\[0, 0\] must be exact"),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), TypeError, "W must have exact entries"),
        ([[sp.Float(0.5), 1], [0, 1]], TypeError, r"W\[0, 0\] must be rational"),
        ([[sp.sqrt(2), 1], [0, 1]], TypeError, r"W\[0, 0\] must be rational"),
        ([[1, 2, 3], [4, 5, 6]], ValueError, "W must be a square"),
        ([], ValueError, "W must be a square"),
        ("abc", TypeError, "W must be a square matrix"),
        ([[True, 1], [0, 1]], TypeError, r"W\[0, 0\] must be an exact"),
    ],
)
def test_symbolic_tied_delta_bad_input(W, exc, pattern):
    with pytest.raises(exc, match=pattern):
        symbolic_tied_delta(W)


def test_symbolic_tied_delta_bad_k():
    with pytest.raises(TypeError, match="k must be a sympy Symbol"):
        symbolic_tied_delta([[1, 1], [0, 1]], 3)


# ---------------------------------------------------------------------------------------------
# untied_delta and the reply
# ---------------------------------------------------------------------------------------------


def test_untied_delta_matches_recursion():
    rng = np.random.default_rng(3)
    sizes = [3, 4, 5, 2]
    weights = [rng.standard_normal((sizes[i + 1], sizes[i])) for i in range(3)]
    for delta in (rng.standard_normal(2), rng.standard_normal((6, 2))):
        np.testing.assert_allclose(
            untied_delta(weights, delta), delta_recursion(weights, delta)[0], rtol=1e-12
        )


def test_untied_delta_exact():
    weights = [np.array([[1, 2], [0, 1], [3, -1]]), np.array([[1, 0, 2]])]
    # product W2 W1 = [[7, 0]]; δ^(1) = (W2 W1)ᵀ δ_out
    np.testing.assert_array_equal(untied_delta(weights, [2.0]), [14.0, 0.0])


@pytest.mark.parametrize(
    ("weights", "delta", "exc", "pattern"),
    [
        ([np.ones((3, 2)), np.ones((2, 4))], [1.0, 1.0], ValueError, r"weights\[1\] must have 3"),
        ([np.ones((3, 2))], [1.0, 1.0], ValueError, "delta_out must have 3"),
        (np.ones((2, 2)), [1.0, 1.0], TypeError, "weights must be"),
        ([], [1.0], TypeError, "weights must be"),
        ([np.ones(3)], [1.0], ValueError, r"weights\[0\] must be a 2-D"),
    ],
)
def test_untied_delta_bad_input(weights, delta, exc, pattern):
    with pytest.raises(exc, match=pattern):
        untied_delta(weights, delta)


def test_reply_formula_is_the_operator_not_the_vector():
    W = np.array([[1.0, 2.0], [3.0, 0.0]])  # not symmetric
    delta = np.array([0.5, -1.0])
    M = reply_formula(W, 5)
    assert M.shape == (2, 2)  # a matrix: the reply dropped δ^(m)
    np.testing.assert_array_equal(M, np.linalg.matrix_power(W, 5).T)
    # applied to δ_out it is right: (W^k)ᵀ δ = (Wᵀ)^k δ
    np.testing.assert_allclose(M @ delta, tied_delta(W, 5, delta).delta, rtol=1e-12)
    np.testing.assert_allclose(M @ delta, delta_recursion([W] * 5, delta)[0], rtol=1e-12)


def test_rtdr_holds_for_symmetric_w():
    A = np.random.default_rng(4).standard_normal((4, 4))
    W = (A + A.T) / 2
    R, D = rtdr_from_symmetric(W)
    np.testing.assert_allclose(R @ R.T, np.eye(4), atol=1e-12)
    assert np.count_nonzero(D - np.diag(np.diag(D))) == 0
    np.testing.assert_allclose(R.T @ D @ R, W, atol=1e-12)
    for k in (0, 1, 6):
        np.testing.assert_allclose(
            rtdr_formula(R, D, k), np.linalg.matrix_power(W, k), atol=1e-10 * 3.0**k
        )
        np.testing.assert_allclose(rtdr_formula(R, np.diag(D), k), rtdr_formula(R, D, k))
        np.testing.assert_allclose(reply_formula(W, k), rtdr_formula(R, D, k), atol=1e-10 * 3.0**k)


def test_rtdr_fails_for_non_symmetric_w():
    W = np.array([[2.0, 1.0], [0.0, 3.0]])
    with pytest.raises(ValueError, match=r"W must be symmetric.*always symmetric"):
        rtdr_from_symmetric(W)
    # diagonalise anyway: W = P Λ P⁻¹, i.e. W = R⁻¹ D R with R = P⁻¹ — not Rᵀ D R
    lam, P = np.linalg.eig(W)
    R = np.linalg.inv(P)
    reply = rtdr_formula(R, lam, 3)
    np.testing.assert_allclose(reply, reply.T)  # RᵀDᵏR is always symmetric …
    assert not np.allclose(reply, np.linalg.matrix_power(W, 3))  # … W³ is not


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: rtdr_formula(np.eye(2), [[1.0, 2.0], [0.0, 1.0]], 2), ValueError, "D must be"),
        (lambda: rtdr_formula(np.eye(2), [1.0, 2.0, 3.0], 2), ValueError, "D must have 2"),
        (lambda: rtdr_formula(np.eye(2), [1.0, 2.0], -1), ValueError, "k must"),
        (lambda: rtdr_formula(np.ones((2, 3)), [1.0, 2.0], 1), ValueError, "R must be a square"),
        (lambda: reply_formula(np.ones((2, 3)), 1), ValueError, "W must be a square"),
        (lambda: reply_formula(np.eye(2), 1.5), TypeError, "k must be an integer"),
        (lambda: reply_formula(3.0 * np.eye(2), 1000), OverflowError, "k=1000"),
        (lambda: rtdr_from_symmetric([[1.0, np.nan], [np.nan, 1.0]]), ValueError, "W must"),
    ],
)
def test_reply_helpers_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# ---------------------------------------------------------------------------------------------
# Growth: spectral radius, norms, Gelfand, Lyapunov
# ---------------------------------------------------------------------------------------------


def test_spectral_radius():
    assert spectral_radius(0.9 * _ROT) == pytest.approx(0.9, rel=1e-14)
    assert spectral_radius([[0.0, 2.0], [1.0, 0.0]]) == pytest.approx(math.sqrt(2), rel=1e-14)
    assert spectral_radius([[0.0, 5.0], [0.0, 0.0]]) == 0.0


def test_delta_norms_by_recursion():
    W = np.array([[0.5, 2.0], [-0.3, 0.9]])
    delta = np.array([1.0, -2.0])
    norms = delta_norms(W, delta, 12)
    assert norms.shape == (13,)
    recursion = delta_recursion([W] * 12, delta)[::-1]  # entry k: after k steps
    np.testing.assert_allclose(norms, [np.linalg.norm(d) for d in recursion], rtol=1e-14)
    for k in (0, 5, 12):
        assert norms[k] == pytest.approx(np.linalg.norm(tied_delta(W, k, delta).delta), rel=1e-12)
    batch = np.stack([delta, 2 * delta, -delta])
    np.testing.assert_allclose(delta_norms(W, batch, 12), np.outer(norms, [1, 2, 1]), rtol=1e-13)


def test_delta_norms_overflow():
    with pytest.raises(OverflowError, match="k_max=2000"):
        delta_norms(3.0 * np.eye(2), [1.0, 1.0], 2000)


def test_gelfand_sequence_converges_to_spectral_radius():
    W = np.array([[0.5, 10.0], [0.0, 0.4]])  # non-normal: ‖W‖ = 10 but ρ = 0.5
    ks = [1, 10, 100, 1000, 10_000]
    g = gelfand_sequence(W, ks)
    rho = spectral_radius(W)
    assert np.all(g >= rho * (1 - 1e-12))  # ‖W^k‖ ≥ ρ^k always
    gaps = g - rho
    assert np.all(np.diff(gaps) < 0)  # monotone convergence here
    assert gaps[-1] < 1e-3 * rho
    # exact check at small k against numpy
    assert g[1] == pytest.approx(np.linalg.norm(np.linalg.matrix_power(W, 10), 2) ** 0.1, rel=1e-12)
    # no overflow for large ρ, and a normal matrix gives ρ exactly
    assert gelfand_sequence(10.0 * _ROT, [10_000])[0] == pytest.approx(10.0, rel=1e-10)
    # nilpotent: ‖W^k‖ = 0 for k ≥ 2
    np.testing.assert_array_equal(gelfand_sequence([[0.0, 1.0], [0.0, 0.0]], [2, 5]), [0.0, 0.0])


@pytest.mark.parametrize(
    ("k_values", "exc", "pattern"),
    [
        ([0, 1], ValueError, "k_values must be an integer >= 1"),
        ([1.5], TypeError, "k_values"),
        ("12", TypeError, "k_values must be a sequence"),
    ],
)
def test_gelfand_bad_input(k_values, exc, pattern):
    with pytest.raises(exc, match=pattern):
        gelfand_sequence(np.eye(2), k_values)


def test_bare_tied_recursion_equals_delta_recursion_and_exact_power():
    W = np.array([[0.5, 0.25], [-0.75, 1.0]])  # dyadic: exact reference available
    for delta in (np.array([1.0, -2.0]), np.array([[1.0, 0.5], [0.25, -1.0]])):
        for k in (0, 1, 7, 30):
            bare = _bare_tied_recursion(W, delta, k)
            np.testing.assert_array_equal(bare, delta_recursion([W] * k, delta)[0] if k else delta)
            want, norm_wk = exact_tied(W, k, delta)
            err = float(np.linalg.norm(bare - want))
            assert err <= 1e-13 * norm_wk * float(np.linalg.norm(delta))


def test_linear_delta_norms_tied_equals_the_matrix_power() -> None:
    """Chapter 0's explorer's numbers: tied weights give ‖(Wᵀ)ᵏ δ‖ exactly (its proposition)."""
    depth, scale, width = 12, 1.3, 32
    norms = linear_delta_norms(depth, scale, width=width, tied=True, seed=0)
    rng = np.random.default_rng(0)
    W = rng.standard_normal((1, width, width))[0] * scale / np.sqrt(width)
    delta_out = np.ones(width) / np.sqrt(width)
    expected = [
        np.linalg.norm(np.linalg.matrix_power(W.T, depth - i) @ delta_out) for i in range(depth + 1)
    ]
    np.testing.assert_allclose(norms, expected, rtol=1e-10)
    assert norms[-1] == pytest.approx(1.0)


def test_linear_delta_norms_bad_input_and_overflow() -> None:
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        linear_delta_norms(0, 1.0)
    with pytest.raises(ValueError, match="weight_scale must be > 0"):
        linear_delta_norms(3, 0.0)
    with pytest.raises(OverflowError, match="overflows float64 at depth 2000"):
        linear_delta_norms(2000, 3.0)


def test_time_tied_delta_returns_positive_times_per_k():
    W = 0.9 * _ROT
    t_bare, t_rec, t_closed = time_tied_delta(W, [1, 3, 20], [1.0, 0.0], repeats=1)
    for t in (t_bare, t_rec, t_closed):
        assert t.shape == (3,)
        assert np.all(np.isfinite(t))
        assert np.all(t > 0)
    # ndarray input and a batch of two examples are accepted
    out = time_tied_delta(W, np.array([2]), np.ones((2, 2)), repeats=1)
    assert [t.shape for t in out] == [(1,), (1,), (1,)]


def test_time_tied_delta_overflow_raises():
    with pytest.raises(OverflowError, match="k=5000"):
        time_tied_delta([[3.0]], [1, 5000], [1.0], repeats=1)


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        ({"k_values": []}, ValueError, "k_values must contain"),
        ({"k_values": [0, 1]}, ValueError, "k_values must be an integer >= 1"),
        ({"k_values": [1.5]}, TypeError, "k_values"),
        ({"k_values": "12"}, TypeError, "k_values must be a sequence"),
        ({"k_values": 3}, TypeError, "k_values must be a sequence"),
        ({"repeats": 0}, ValueError, "repeats must be an integer >= 1"),
        ({"repeats": 1.0}, TypeError, "repeats must be an integer"),
        ({"W": np.ones((2, 3))}, ValueError, "W must be a square"),
        ({"delta_out": [1.0, 2.0, 3.0]}, ValueError, "delta_out must"),
    ],
)
def test_time_tied_delta_bad_input(kwargs, exc, pattern):
    args = {"W": np.eye(2), "k_values": [1], "delta_out": [1.0, 1.0], "repeats": 1} | kwargs
    with pytest.raises(exc, match=pattern):
        time_tied_delta(**args)


def test_newman_formula_matches_chi_square_expectation():
    # E log χ²_n by numerical integration against the chi-square density: an independent check of
    # E log χ²_n = log 2 + ψ(n/2), the identity behind λ₁ = log σ + ½[log(2/n) + ψ(n/2)]
    for n in (1, 3, 10):
        e_log = integrate.quad(lambda x, n=n: math.log(x) * stats.chi2.pdf(x, n), 0, np.inf)[0]
        assert e_log == pytest.approx(math.log(2) + special.digamma(n / 2), abs=1e-7)
        sigma = 1.7
        assert lyapunov_exponent_gaussian_exact(n, sigma) == pytest.approx(
            0.5 * (e_log + math.log(sigma**2 / n)), abs=1e-7
        )
    # n = 1: E log|N(0, 1)| = −(γ + log 2)/2
    assert lyapunov_exponent_gaussian_exact(1, 1.0) == pytest.approx(
        -(np.euler_gamma + math.log(2)) / 2, rel=1e-14
    )
    # large n: λ₁ ≈ log σ − 1/(2n)
    assert lyapunov_exponent_gaussian_exact(1000, 1.0) == pytest.approx(-1 / 2000, rel=1e-2)


@pytest.mark.parametrize(("n", "sigma"), [(1, 1.0), (4, 1.5), (20, 0.7)])
def test_lyapunov_simulation_matches_newman(n, sigma):
    sim = lyapunov_exponent_gaussian(n, sigma, n_steps=300, seed=n, n_runs=64)
    exact = lyapunov_exponent_gaussian_exact(n, sigma)
    assert abs(sim.estimate - exact) < 4 * sim.stderr
    # the growth factors are i.i.d. ½ log(σ²χ²_n/n): Var = ψ'(n/2)/4 per step
    se_theory = math.sqrt(special.polygamma(1, n / 2) / 4 / (64 * 300))
    assert sim.stderr == pytest.approx(se_theory, rel=0.3)
    assert "LyapunovEstimate" in repr(sim)
    assert sim.per_run.shape == (64,)


def test_lyapunov_simulation_is_deterministic():
    a = lyapunov_exponent_gaussian(3, 1.0, n_steps=20, seed=5, n_runs=4)
    b = lyapunov_exponent_gaussian(3, 1.0, n_steps=20, seed=5, n_runs=4)
    np.testing.assert_array_equal(a.per_run, b.per_run)


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        ({"n": 0, "sigma": 1.0}, ValueError, "n must"),
        ({"n": 2.0, "sigma": 1.0}, TypeError, "n must"),
        ({"n": 2, "sigma": 0.0}, ValueError, "sigma must"),
        ({"n": 2, "sigma": 1.0, "n_runs": 1}, ValueError, "n_runs must"),
        ({"n": 2, "sigma": 1.0, "n_steps": 0}, ValueError, "n_steps must"),
        ({"n": 2, "sigma": 1.0, "seed": -1}, ValueError, "seed must"),
    ],
)
def test_lyapunov_bad_input(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        lyapunov_exponent_gaussian(**kwargs)
    if set(kwargs) == {"n", "sigma"}:
        with pytest.raises(exc, match=pattern):
            lyapunov_exponent_gaussian_exact(**kwargs)


# ---------------------------------------------------------------------------------------------
# Saxe, McClelland & Ganguli (2014)
# ---------------------------------------------------------------------------------------------


def test_saxe_closed_form_solves_the_ode_symbolically():
    t, s, u0, tau = sp.symbols("t s u0 tau", positive=True)
    x = sp.exp(2 * s * t / tau)
    u = s * x / (x - 1 + s / u0)
    assert sp.simplify(tau * sp.diff(u, t) - 2 * u * (s - u)) == 0
    assert sp.simplify(u.subs(t, 0) - u0) == 0


def test_saxe_balanced_reduction_symbolically():
    a, b, s, tau = sp.symbols("a b s tau", positive=True)
    adot = b * (s - a * b) / tau  # τ ȧ = b(s − ab)
    bdot = a * (s - a * b) / tau  # τ ḃ = a(s − ab)
    udot = adot * b + a * bdot
    assert sp.simplify(tau * udot - (a**2 + b**2) * (s - a * b)) == 0
    assert sp.simplify((tau * udot).subs(b, a) - 2 * a**2 * (s - a**2)) == 0  # = 2u(s − u)


@pytest.mark.parametrize("n_layers", [3, 4, 5, 6])
def test_saxe_deep_exponent_symbolically(n_layers):
    a, s = sp.symbols("a s", positive=True)
    m = n_layers - 1
    u = a**m
    tau_adot = a ** (m - 1) * (s - u)  # τ ȧ = a^{N_l−2}(s − u)
    tau_udot = sp.diff(u, a) * tau_adot
    claimed = m * u ** (2 - sp.Rational(2, m)) * (s - u)
    assert sp.simplify(sp.powsimp(tau_udot - claimed, force=True)) == 0


def test_saxe_trajectory_values():
    t = np.linspace(-2, 10, 50)
    u = saxe_mode_trajectory(t, 3.0, 0.01, 1.5)
    x = np.exp(2 * 3.0 * t / 1.5)
    np.testing.assert_allclose(u, 3.0 * x / (x - 1 + 3.0 / 0.01), rtol=1e-12)
    assert saxe_mode_trajectory(0.0, 3.0, 0.01) == pytest.approx(0.01, rel=1e-15)
    assert saxe_mode_trajectory(1e6, 3.0, 0.01) == 3.0  # no overflow
    assert isinstance(saxe_mode_trajectory(0.5, 1.0, 0.1), float)


def test_saxe_learning_time_inverts_trajectory():
    for s, u0, uf, tau in [(3.0, 1e-3, 2.9, 1.0), (0.5, 0.2, 0.3, 4.0), (2.0, 1e-6, 1.0, 0.1)]:
        t_f = saxe_learning_time(s, u0, uf, tau)
        assert saxe_mode_trajectory(t_f, s, u0, tau) == pytest.approx(uf, rel=1e-12)
        # and the numerical ODE solve reaches u_f at the same time
        assert saxe_deep_mode_ode(t_f, s, u0, tau, 3) == pytest.approx(uf, rel=1e-7)


def test_saxe_closed_form_vs_solve_ivp():
    t = np.linspace(0, 5, 41)
    for s, u0, tau in [(3.0, 1e-3, 1.0), (1.0, 0.5, 2.0)]:
        ode = saxe_deep_mode_ode(t, s, u0, tau, n_layers=3)
        np.testing.assert_allclose(ode, saxe_mode_trajectory(t, s, u0, tau), atol=1e-8 * s)
    # independent solve_ivp on τ u̇ = 2u(s − u) in the form the paper writes
    sol = integrate.solve_ivp(
        lambda _, u: 2 * u * (2.0 - u), (0, 4), [0.01], t_eval=t[t <= 4], rtol=1e-11, atol=1e-14
    )
    np.testing.assert_allclose(sol.y[0], saxe_mode_trajectory(sol.t, 2.0, 0.01), atol=1e-8)


def test_saxe_deep_ode_other_depths():
    t = np.array([3.0, 0.0, 1.0, 1.0])  # unsorted with repeats: returned in input order
    # N_l = 2 (one weight matrix): τ u̇ = s − u, u = s − (s − u0) e^{−t/τ}
    np.testing.assert_allclose(
        saxe_deep_mode_ode(t, 2.0, 0.5, 1.5, n_layers=2),
        2.0 - 1.5 * np.exp(-t / 1.5),
        rtol=1e-9,
    )
    # N_l = 4: the time to reach u_f equals the quadrature of dt = τ du / (3 u^{4/3} (s − u))
    s, u0, uf = 1.5, 0.01, 1.0
    t_f = integrate.quad(lambda u: 1.0 / (3 * u ** (4 / 3) * (s - u)), u0, uf, epsabs=1e-13)[0]
    assert saxe_deep_mode_ode(t_f, s, u0, 1.0, n_layers=4) == pytest.approx(uf, rel=1e-7)
    assert saxe_deep_mode_ode(0.0, s, u0, 1.0, n_layers=4) == u0


def test_descent_directions_match_finite_differences():
    rng = np.random.default_rng(5)
    sigma31 = rng.standard_normal((3, 4))
    weights = [rng.standard_normal(shape) for shape in [(5, 4), (5, 5), (3, 5)]]

    def loss(ws):
        comp = ws[2] @ ws[1] @ ws[0]
        return 0.5 * np.sum((sigma31 - comp) ** 2)

    composite, directions = _descent_directions(weights, sigma31)
    np.testing.assert_allclose(composite, weights[2] @ weights[1] @ weights[0])
    h = 1e-6
    for layer in range(3):
        for idx in [(0, 0), (2, 1), (1, 3)]:
            if idx[1] >= weights[layer].shape[1]:
                continue
            plus = [w.copy() for w in weights]
            minus = [w.copy() for w in weights]
            plus[layer][idx] += h
            minus[layer][idx] -= h
            fd = (loss(plus) - loss(minus)) / (2 * h)
            assert -directions[layer][idx] == pytest.approx(fd, rel=1e-6, abs=1e-6)


def _sigma31(s, n_out=4, n_in=5, seed=0):
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.standard_normal((n_out, n_out)))[0][:, : len(s)]
    V = np.linalg.qr(rng.standard_normal((n_in, n_in)))[0][:, : len(s)]
    return U @ np.diag(s) @ V.T


def test_training_matches_saxe_closed_form():
    s = np.array([3.0, 2.0, 1.0])
    lr, u0 = 3e-3, 1e-3
    run = train_linear_network(_sigma31(s), 6, int(7 / lr), lr, u0=u0, record_every=10)
    np.testing.assert_allclose(run.singular_values, s, rtol=1e-12)
    np.testing.assert_allclose(run.modes[0], u0, rtol=1e-10)  # decoupled init: exactly u0
    closed = np.stack([saxe_mode_trajectory(run.times, si, u0) for si in s], axis=1)
    assert np.all(np.abs(run.modes - closed).max(axis=0) < 0.02 * s)
    # the discrepancy is the O(lr) Euler error: a 3× smaller lr gives ≈ 3× smaller error
    fine = train_linear_network(_sigma31(s), 6, int(7 / (lr / 3)), lr / 3, u0=u0, record_every=30)
    closed_fine = np.stack([saxe_mode_trajectory(fine.times, si, u0) for si in s], axis=1)
    ratio = np.abs(run.modes - closed).max() / np.abs(fine.modes - closed_fine).max()
    assert 2.5 < ratio < 3.5


def test_deep_training_matches_deep_ode():
    s = np.array([2.0, 1.0])
    lr, u0 = 4e-3, 0.05
    run = train_linear_network(
        _sigma31(s, 3, 3), 4, int(25 / lr), lr, depth=3, u0=u0, record_every=25
    )
    ode = np.stack([saxe_deep_mode_ode(run.times, si, u0, 1.0, n_layers=4) for si in s], axis=1)
    assert np.all(np.abs(run.modes - ode).max(axis=0) < 0.02 * s)
    assert np.all(np.abs(run.modes[-1] - s) < 1e-3 * s)


def _half_times(run):
    above = run.modes >= run.singular_values / 2
    return run.times[np.argmax(above, axis=0)]


@pytest.mark.parametrize("init", ["decoupled", "random"])
def test_modes_learned_in_order_of_singular_value(init):
    s = np.array([3.0, 2.0, 1.0])
    run = train_linear_network(
        _sigma31(s), 6, 3000, 3e-3, init_scale=0.03, seed=2, init=init, u0=1e-3, record_every=5
    )
    half = _half_times(run)
    assert np.all(np.diff(half) > 0), half  # stronger modes first
    assert np.all(np.abs(run.modes[-1] - s) < 0.01 * s)
    if init == "decoupled":  # and the half-way times are Saxe's learning times
        want = [saxe_learning_time(si, 1e-3, si / 2) for si in s]
        np.testing.assert_allclose(half, want, atol=0.05)


def test_training_run_record_and_per_mode_u0():
    s = np.array([2.0, 1.0])
    run = train_linear_network(
        _sigma31(s, 2, 3), 2, 101, 0.01, u0=[0.1, 0.2], record_every=25, depth=1
    )
    np.testing.assert_allclose(run.times, [0, 0.25, 0.5, 0.75, 1.0, 1.01])
    np.testing.assert_allclose(run.modes[0], [0.1, 0.2], rtol=1e-12)
    assert run.modes.shape == (6, 2)
    assert len(run.weights) == 1
    assert "LinearTrainingRun" in repr(run)
    assert "depth=1" in repr(run)


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: saxe_mode_trajectory(1.0, 0.0, 0.1), ValueError, "s must"),
        (lambda: saxe_mode_trajectory(1.0, -1.0, 0.1), ValueError, "s must"),
        (lambda: saxe_mode_trajectory(1.0, 1.0, 0.0), ValueError, "u0 must"),
        (lambda: saxe_mode_trajectory(1.0, 1.0, 1.5), ValueError, "u0 must"),
        (lambda: saxe_mode_trajectory(1.0, 1.0, 0.5, 0.0), ValueError, "tau must"),
        (lambda: saxe_mode_trajectory([1.0, np.nan], 1.0, 0.5), ValueError, "t must"),
        (lambda: saxe_mode_trajectory("x", 1.0, 0.5), TypeError, "t must"),
        (lambda: saxe_learning_time(1.0, 0.5, 0.4), ValueError, "uf must"),
        (lambda: saxe_learning_time(1.0, 0.5, 1.0), ValueError, "uf must"),
        (lambda: saxe_learning_time(1.0, 0.5, 0.9, -1.0), ValueError, "tau must"),
        (lambda: saxe_deep_mode_ode(1.0, 1.0, 0.5, 1.0, 1), ValueError, "n_layers must"),
        (lambda: saxe_deep_mode_ode(1.0, 1.0, 0.5, 1.0, 2.5), TypeError, "n_layers must"),
        (lambda: saxe_deep_mode_ode(-1.0, 1.0, 0.5), ValueError, "t must"),
        (lambda: saxe_deep_mode_ode(1.0, 1.0, 2.0), ValueError, "u0 must"),
        (lambda: train_linear_network(np.ones(3), 2, 10, 0.1), ValueError, "sigma31 must"),
        (lambda: train_linear_network(np.zeros((2, 2)), 2, 10, 0.1), ValueError, "sigma31 must"),
        (lambda: train_linear_network(np.eye(3), 2, 10, 0.1), ValueError, "n_hidden must"),
        (lambda: train_linear_network(np.eye(2), 2, 10, 0.0), ValueError, "lr must"),
        (lambda: train_linear_network(np.eye(2), 2, 0, 0.1), ValueError, "n_steps must"),
        (lambda: train_linear_network(np.eye(2), 2, 10, 0.1, depth=0), ValueError, "depth must"),
        (
            lambda: train_linear_network(np.eye(2), 2, 10, 0.1, init="zeros"),
            ValueError,
            "init must",
        ),
        (lambda: train_linear_network(np.eye(2), 2, 10, 0.1, u0=-1.0), ValueError, "u0 must"),
        (
            lambda: train_linear_network(np.eye(2), 2, 10, 0.1, u0=[0.1, 0.1, 0.1]),
            ValueError,
            "u0 must",
        ),
        (
            lambda: train_linear_network(np.eye(2), 2, 10, 0.1, record_every=0),
            ValueError,
            "record_every must",
        ),
        (
            lambda: train_linear_network(np.eye(2), 2, 10, 0.1, init="random", init_scale=0.0),
            ValueError,
            "init_scale must",
        ),
        (lambda: train_linear_network(100 * np.eye(2), 2, 200, 0.5, u0=1.0), ValueError, "lr=0.5"),
        (lambda: saxe_simulation(0.0, 0.1), ValueError, "s must be > 0"),
        (lambda: saxe_simulation(1.0, 1.0), ValueError, "u0 must be < 1"),
        (lambda: saxe_simulation(1.0, 0.0), ValueError, "u0 must be > 0"),
    ],
)
def test_saxe_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


@pytest.mark.parametrize(("s", "u0"), [(0.25, 1e-6), (1.0, 1e-3), (8.0, 1e-6), (8.0, 0.2)])
def test_saxe_simulation_follows_the_closed_form(s: float, u0: float) -> None:
    times, modes, lr = saxe_simulation(s, u0)
    assert lr * s <= 0.01 + 1e-12
    assert modes[0] == pytest.approx(u0, rel=1e-10)
    closed = saxe_mode_trajectory(times, s, u0)
    assert np.max(np.abs(modes - closed)) < 0.03 * s  # Euler error of gradient descent
    assert modes[-1] == pytest.approx(s, rel=0.02)  # learned by the end of the window
    assert times[-1] == pytest.approx(1.3 * saxe_learning_time(s, u0, 0.99 * s), rel=1e-9)


# ---------------------------------------------------------------------------------------------
# tied_delta / growth helpers: bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: tied_delta(np.ones((2, 3)), 1, [1.0, 1.0]), ValueError, "W must be a square"),
        (lambda: tied_delta(np.ones(3), 1, [1.0, 1.0]), ValueError, "W must be a 2-D"),
        (lambda: tied_delta([[1.0, np.inf], [0, 1]], 1, [1.0, 1.0]), ValueError, "W must contain"),
        (lambda: tied_delta(np.eye(2), -1, [1.0, 1.0]), ValueError, "k must be an integer >= 0"),
        (lambda: tied_delta(np.eye(2), 2.0, [1.0, 1.0]), TypeError, "k must be an integer"),
        (lambda: tied_delta(np.eye(2), True, [1.0, 1.0]), TypeError, "k must be an integer"),
        (lambda: tied_delta(np.eye(2), 1, [1.0, 1.0, 1.0]), ValueError, "delta_out must"),
        (lambda: tied_delta(np.eye(2), 1, np.ones((2, 2, 2))), ValueError, "delta_out must"),
        (lambda: tied_delta(np.eye(2), 1, ["a", "b"]), TypeError, "delta_out must"),
        (lambda: spectral_radius(np.ones((2, 3))), ValueError, "W must be a square"),
        (lambda: delta_norms(np.eye(2), [1.0, 1.0], -1), ValueError, "k_max must"),
        (lambda: delta_norms(np.eye(2), [1.0], 3), ValueError, "delta_out must"),
        (lambda: gelfand_sequence(np.ones((2, 3)), [1]), ValueError, "W must be a square"),
    ],
)
def test_tied_and_growth_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# -- Newman's full Lyapunov spectrum, non-whitened Saxe runs (chapter 3) -----------------------


def test_lyapunov_spectrum_exact_first_entry_is_top_exponent():
    for n, sigma in [(1, 1.0), (4, 1.0), (8, 1.5)]:
        spec = lyapunov_spectrum_gaussian_exact(n, sigma)
        assert spec.shape == (n,)
        assert spec[0] == pytest.approx(lyapunov_exponent_gaussian_exact(n, sigma), rel=1e-14)
        assert np.all(np.diff(spec) < 0)


def test_lyapunov_spectrum_sum_is_log_det_rate():
    # λ_1 + … + λ_n = E log|det A| = n log(σ/√n) + ½ Σ_j E log χ²_j (independent reference).
    n, sigma = 5, 1.3
    ref = n * math.log(sigma / math.sqrt(n)) + 0.5 * sum(
        math.log(2) + special.digamma(j / 2) for j in range(1, n + 1)
    )
    assert lyapunov_spectrum_gaussian_exact(n, sigma).sum() == pytest.approx(ref, rel=1e-12)


def test_lyapunov_spectrum_simulation_matches_newman():
    sim = lyapunov_spectrum_gaussian(4, 1.0, n_steps=20000, seed=3)
    assert np.all(np.abs(sim - lyapunov_spectrum_gaussian_exact(4, 1.0)) < 0.03)
    again = lyapunov_spectrum_gaussian(4, 1.0, n_steps=20000, seed=3)
    assert np.array_equal(sim, again)


def test_lyapunov_spectrum_bad_input():
    with pytest.raises(ValueError, match="n must"):
        lyapunov_spectrum_gaussian(0, 1.0)
    with pytest.raises(ValueError, match="sigma must"):
        lyapunov_spectrum_gaussian_exact(3, -1.0)


def test_train_non_whitened_converges_to_regression_map():
    rng = np.random.default_rng(0)
    U = np.linalg.qr(rng.standard_normal((4, 4)))[0][:, :3]
    V = np.linalg.qr(rng.standard_normal((5, 5)))[0][:, :3]
    sigma31 = U @ np.diag([3.0, 2.0, 1.0]) @ V.T
    L = np.eye(5) + 0.3 * rng.standard_normal((5, 5))
    sigma11 = L @ L.T
    run = train_linear_network(sigma31, 6, 20000, 2e-3, sigma11=sigma11)
    W1, W2 = run.weights
    target = sigma31 @ np.linalg.inv(sigma11)
    assert np.linalg.norm(W2 @ W1 - target) < 1e-6 * np.linalg.norm(target)
    whitened = train_linear_network(sigma31, 6, 10, 2e-3, sigma11=np.eye(5))
    plain = train_linear_network(sigma31, 6, 10, 2e-3)
    assert np.allclose(whitened.modes, plain.modes, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("sigma11", "pattern"),
    [(np.eye(4), "sigma11 must be a symmetric"), (-np.eye(5), "sigma11 must be positive")],
)
def test_train_sigma11_bad_input(sigma11, pattern):
    sigma31 = np.ones((3, 5))
    with pytest.raises(ValueError, match=pattern):
        train_linear_network(sigma31, 2, 5, 1e-3, sigma11=sigma11)

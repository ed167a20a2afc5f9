"""Tests for bpcore.symbolic: exact forward pass, δ's and degree growth of polynomial networks.

References: a naive forward pass with ``sympy.expand`` on expressions (independent of the Poly
code), ``sympy.diff`` / ``Matrix.jacobian``, the float forward pass and δ's of
``bpcore.dynamics.tied_network`` (which calls ``bpcore.backprop``), ``bpcore.backprop.delta_step``
and mpmath at 50 digits for the logistic closed form sin²(2^L θ).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcore.activations import identity, polynomial, relu, softsign, tanh
from bpcore.backprop import delta_step
from bpcore.dynamics import tied_network
from bpcore.symbolic import (
    DegreeGrowth,
    SymbolicNetwork,
    degree_growth,
    symbolic_network,
    tied_polynomial_chain,
)
from bpcore.symbolic.polynomial_network import _object_array

SMALL = st.integers(-3, 3)
NONZERO = st.integers(-3, 3).filter(lambda v: v != 0)
EXACT = st.one_of(SMALL, st.fractions(min_value=-2, max_value=2, max_denominator=4))


def coeffs_strategy(max_degree: int) -> st.SearchStrategy[list[int]]:
    return st.integers(1, max_degree).flatmap(
        lambda d: st.tuples(st.lists(SMALL, min_size=d, max_size=d), NONZERO).map(
            lambda t: [*t[0], t[1]]
        )
    )


def naive_forward(
    weights: list[list[list[object]]],
    biases: list[list[object]],
    coeffs: list[object],
    xs: list[sp.Symbol],
) -> list[sp.Expr]:
    """Reference: z ↦ W f(z) + b on plain sympy expressions, expanded at every layer."""

    def f(u: sp.Expr) -> sp.Expr:
        return sp.Add(*[sp.nsimplify(c) * u**k for k, c in enumerate(coeffs)])

    zcur = list(xs)
    for W, b in zip(weights, biases, strict=True):
        a = [f(u) for u in zcur]
        zcur = [
            sp.expand(
                sp.nsimplify(bi) + sum(sp.nsimplify(w) * aj for w, aj in zip(row, a, strict=True))
            )
            for row, bi in zip(W, b, strict=True)
        ]
    return zcur


def network_strategy() -> st.SearchStrategy[tuple]:
    """(widths, weights, biases, coeffs) with widths ≤ 3, depth ≤ 3, degree ≤ 2 (small outputs)."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple:
        widths = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
        weights = [
            draw(st.lists(st.lists(EXACT, min_size=n, max_size=n), min_size=m, max_size=m))
            for n, m in itertools.pairwise(widths)
        ]
        biases = [draw(st.lists(EXACT, min_size=m, max_size=m)) for m in widths[1:]]
        coeffs = draw(coeffs_strategy(2))
        return widths, weights, biases, coeffs

    return build()


# --- symbolic_network --------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(network_strategy())
def test_output_equals_naive_sympy_forward_pass(net: tuple) -> None:
    widths, weights, biases, coeffs = net
    res = symbolic_network(weights, biases, polynomial(coeffs))
    ref = naive_forward(weights, biases, coeffs, list(res.inputs))
    assert len(res.output) == widths[-1]
    for got, want in zip(res.output, ref, strict=True):
        assert sp.expand(got - want) == 0
    assert res.widths == widths
    assert res.depth == len(weights)
    assert res.degree == max(sp.Poly(e, *res.inputs).total_degree() for e in ref)


@settings(max_examples=15, deadline=None)
@given(network_strategy())
def test_deltas_are_jacobians_by_sympy_diff(net: tuple) -> None:
    """deltas[l] = ∂z^(L)/∂z^(l): differentiate the sub-network from layer l in fresh symbols."""
    widths, weights, biases, coeffs = net
    res = symbolic_network(weights, biases, polynomial(coeffs))
    L = len(weights)
    assert res.deltas[0] == res.deltas[0].applyfunc(sp.expand)
    J0 = sp.Matrix(res.output).jacobian(sp.Matrix(res.inputs))
    assert (res.deltas[0] - J0).applyfunc(sp.expand) == sp.zeros(*J0.shape)
    for layer in range(L + 1):
        u = sp.symbols(f"u1:{widths[layer] + 1}")
        sub = naive_forward(weights[layer:], biases[layer:], coeffs, list(u))
        J = sp.Matrix(sub).jacobian(sp.Matrix(u))
        J = J.xreplace(dict(zip(u, res.zs[layer], strict=True)))
        assert res.deltas[layer].shape == (widths[-1], widths[layer])
        assert (res.deltas[layer] - J).applyfunc(sp.expand) == sp.zeros(*J.shape)
    assert res.deltas[L] == sp.eye(widths[-1])


@settings(max_examples=30, deadline=None)
@given(
    coeffs_strategy(3),
    st.integers(1, 3),
    st.integers(0, 10_000),
)
def test_tied_output_and_delta_match_float_tied_network(
    coeffs: list[int], depth: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3))
    W = rng.integers(-2, 3, size=(n, n))
    b = rng.integers(-1, 2, size=n)
    res = symbolic_network([W] * depth, [b] * depth, polynomial(coeffs))
    for _ in range(3):
        x = rng.uniform(-0.6, 0.6, size=n)
        num = tied_network(W.astype(float), b.astype(float), polynomial(coeffs), x, depth)
        point = {s: sp.Rational(Fraction(float(v))) for s, v in zip(res.inputs, x, strict=True)}
        exact = np.array([float(p.subs(point)) for p in res.output])
        jac = np.array(res.deltas[0].subs(point).tolist(), dtype=float)
        scale = max(1.0, float(np.max(np.abs(exact))))
        np.testing.assert_allclose(num.zs[-1], exact, rtol=1e-9, atol=1e-9 * scale)
        jscale = max(1.0, float(np.max(np.abs(jac))))
        np.testing.assert_allclose(num.deltas[0], jac, rtol=1e-9, atol=1e-9 * jscale)


def test_exact_delta_step_agrees_with_backprop_delta_step_on_numbers() -> None:
    """backprop.delta_step on exact (object) arrays of constant polynomials = the float64 step."""
    rng = np.random.default_rng(3)
    x = sp.Symbol("x")
    for _ in range(5):
        W = rng.integers(-3, 4, size=(3, 2))
        dnext = rng.integers(-3, 4, size=(2, 3))
        fp = rng.integers(-3, 4, size=2)
        Wq = [[sp.Integer(int(v)) for v in row] for row in W]
        dq = [[sp.Poly(int(v), x, domain=sp.ZZ) for v in row] for row in dnext]
        fq = [sp.Poly(int(v), x, domain=sp.ZZ) for v in fp]
        exact = delta_step(_object_array(Wq), _object_array(dq), _object_array(fq))
        got = np.array([[float(p.as_expr()) for p in row] for row in exact])
        np.testing.assert_array_equal(got, delta_step(W.astype(float), dnext.astype(float), fp))


def test_identity_activation_is_the_product_of_the_affine_maps() -> None:
    W1, W2 = sp.Matrix([[1, 2], [3, -1]]), sp.Matrix([[Fraction(1, 2), 5]])
    b1, b2 = sp.Matrix([1, 0]), sp.Matrix([-2])
    res = symbolic_network([W1.tolist(), W2.tolist()], [list(b1), list(b2)], identity)
    x = sp.Matrix(res.inputs)
    want = W2 * (W1 * x + b1) + b2
    assert sp.expand(res.output[0] - want[0]) == 0
    assert res.degree == 1
    assert res.deltas[0] == W2 * W1


def test_custom_inputs_and_repr() -> None:
    t = sp.Symbol("t")
    res = symbolic_network([[[2]]], [[1]], polynomial([0, 0, 1]), inputs=[t])
    assert res.inputs == (t,)
    assert sp.expand(res.output[0] - (2 * t**2 + 1)) == 0
    assert res.terms == [2]
    assert isinstance(res, SymbolicNetwork)
    assert "degree=2" in repr(res)
    assert "widths=[1, 1]" in repr(res)
    assert res.output_polys[0] == sp.Poly(2 * t**2 + 1, t)


def test_symbolic_network_bad_inputs() -> None:
    sq = polynomial([0, 0, 1])
    for act in (tanh, relu, softsign, "tanh", "relu", "softsign", "sigmoid"):
        with pytest.raises(ValueError, match="activation must be a polynomial"):
            symbolic_network([[[1]]], [[0]], act)
    with pytest.raises(ValueError, match="activation must have exact rational coefficients"):
        symbolic_network([[[1]]], [[0]], polynomial([0, 0.5, 1]))
    with pytest.raises(TypeError, match="activation must be"):
        symbolic_network([[[1]]], [[0]], 3)
    with pytest.raises(TypeError, match=r"weights\[0\]\[0, 0\] must be exact"):
        symbolic_network([[[1.5]]], [[0]], sq)
    with pytest.raises(TypeError, match=r"biases\[0\]\[0\] must be exact"):
        symbolic_network([[[1]]], [[0.0]], sq)
    with pytest.raises(ValueError, match=r"weights\[0\]\[0, 0\] must be a rational"):
        symbolic_network([[[sp.sqrt(2)]]], [[0]], sq)
    with pytest.raises(TypeError, match="weights must be a list"):
        symbolic_network(np.eye(2, dtype=int), [[0, 0]], sq)
    with pytest.raises(ValueError, match="weights must contain at least one layer"):
        symbolic_network([], [], sq)
    with pytest.raises(ValueError, match="biases must have one entry per weight matrix"):
        symbolic_network([[[1]], [[1]]], [[0]], sq)
    with pytest.raises(ValueError, match=r"weights\[0\] must be a non-empty 2-D array"):
        symbolic_network([[1, 2]], [[0]], sq)
    with pytest.raises(ValueError, match=r"weights\[1\] must have 2 columns"):
        symbolic_network([[[1, 0], [0, 1]], [[1, 1, 1]]], [[0, 0], [0]], sq)
    with pytest.raises(ValueError, match=r"biases\[0\] must be a 1-D array with 2 entries"):
        symbolic_network([[[1], [2]]], [[0]], sq)
    x = sp.Symbol("x")
    with pytest.raises(ValueError, match="inputs must have 2 symbols"):
        symbolic_network([[[1, 1]]], [[0]], sq, inputs=[x])
    with pytest.raises(ValueError, match="inputs must be distinct"):
        symbolic_network([[[1, 1]]], [[0]], sq, inputs=[x, x])
    with pytest.raises(TypeError, match="inputs must be sympy Symbols"):
        symbolic_network([[[1, 1]]], [[0]], sq, inputs=[x, "y"])
    with pytest.raises(TypeError, match="inputs must be None or a sequence"):
        symbolic_network([[[1]]], [[0]], sq, inputs="x")
    with pytest.raises(ValueError, match="weights too large"):
        symbolic_network([[[1]]] * 20, [[0]] * 20, sq)


# --- degree growth -------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    coeffs_strategy(3),
    st.integers(0, 10_000),
    st.booleans(),
    st.integers(1, 2),
)
def test_degree_is_d_to_the_L(coeffs: list[int], seed: int, tied: bool, width: int) -> None:
    d = len(coeffs) - 1
    max_depth = {1: 6, 2: 5 if width == 1 else 4, 3: 3 if width == 1 else 2}[d]
    depths = list(range(max_depth + 1))
    g = degree_growth(coeffs, depths, width=width, seed=seed, tied=tied)
    assert g.degrees == tuple(d**L for L in depths)
    assert g.predicted == g.degrees
    assert len(g.weights) == (1 if tied else max_depth)


def test_affine_activation_keeps_degree_one() -> None:
    g = degree_growth([1, 3], [0, 1, 5, 20], width=2)
    assert g.degrees == (1, 1, 1, 1)
    assert g.predicted == (1, 1, 1, 1)
    assert all(t <= 3 for t in g.terms)


def test_degree_growth_table_matches_symbolic_network() -> None:
    """terms, count_ops, bits and δ terms recomputed from symbolic_network with the same weights."""
    for width, tied in ((1, True), (2, True), (2, False)):
        g = degree_growth([1, -1, 2], [1, 2, 3], width=width, seed=7, tied=tied)
        for k, L in enumerate(g.depths):
            Ws = [g.weights[0 if tied else j].tolist() for j in range(L)]
            bs = [list(g.biases[0 if tied else j]) for j in range(L)]
            net = symbolic_network(Ws, bs, polynomial([1, -1, 2]))
            out = net.output[0]
            poly = sp.Poly(out, *net.inputs)
            assert g.degrees[k] == poly.total_degree() == 2**L
            assert g.terms[k] == len(sp.Add.make_args(sp.expand(out)))
            assert g.count_ops[k] == sp.count_ops(sp.expand(out))
            assert g.coefficient_bits[k] == max(abs(int(c.p)).bit_length() for c in poly.coeffs())
            dx = sp.expand(sp.diff(out, net.inputs[0]))
            assert g.delta_terms[k] == len(sp.Add.make_args(dx))


def test_degree_growth_chapter_table_width_one_depth_ten() -> None:
    g = degree_growth([0, 1, 1], list(range(11)), deltas=False)
    assert g.degrees == tuple(2**L for L in range(11))
    assert g.terms[-1] in (1024, 1025)  # the constant term is present iff a bias is nonzero
    assert g.delta_terms is None
    assert g.rows()[-1][:3] == (10, 1024, 1024)
    assert g.rows()[-1][-1] == -1


def test_degree_growth_is_deterministic_and_readable() -> None:
    a = degree_growth([0, 0, 1], [1, 2, 3], width=2, seed=5)
    b = degree_growth([0, 0, 1], [1, 2, 3], width=2, seed=5)
    assert a.rows() == b.rows()
    assert [m.tolist() for m in a.weights] == [m.tolist() for m in b.weights]
    text = repr(a)
    assert text.startswith("DegreeGrowth(f(z) = z**2, width=2, tied, seed=5)")
    assert "count_ops" in text
    assert "delta terms" in text
    assert isinstance(a, DegreeGrowth)
    assert len(a.rows()) == 3
    assert len(a.rows()[0]) == len(DegreeGrowth.COLUMNS)


def test_degree_growth_bad_inputs() -> None:
    with pytest.raises(TypeError, match=r"coeffs\[1\] must be exact"):
        degree_growth([0, 0.5, 1], [1])
    with pytest.raises(TypeError, match="coeffs must be a sequence"):
        degree_growth("z**2", [1])
    with pytest.raises(ValueError, match="coeffs must have at least 2 entries"):
        degree_growth([3], [1])
    with pytest.raises(ValueError, match="coeffs must end with a nonzero coefficient"):
        degree_growth([0, 1, 0], [1])
    with pytest.raises(TypeError, match="depths must be a sequence"):
        degree_growth([0, 0, 1], 3)
    with pytest.raises(ValueError, match="depths must contain at least one depth"):
        degree_growth([0, 0, 1], [])
    with pytest.raises(ValueError, match="depths must be strictly increasing"):
        degree_growth([0, 0, 1], [2, 1])
    with pytest.raises(ValueError, match=r"depths\[0\] must be an integer >= 0"):
        degree_growth([0, 0, 1], [-1])
    with pytest.raises(TypeError, match=r"depths\[0\] must be an integer"):
        degree_growth([0, 0, 1], [1.0])
    with pytest.raises(ValueError, match="depths too large"):
        degree_growth([0, 0, 1], [30])
    with pytest.raises(ValueError, match="width must be between 1 and 4"):
        degree_growth([0, 0, 1], [1], width=5)
    with pytest.raises(ValueError, match="width must be an integer >= 1"):
        degree_growth([0, 0, 1], [1], width=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        degree_growth([0, 0, 1], [1], seed=0.5)
    with pytest.raises(TypeError, match="tied must be True or False"):
        degree_growth([0, 0, 1], [1], tied=1)
    with pytest.raises(TypeError, match="deltas must be True or False"):
        degree_growth([0, 0, 1], [1], deltas="yes")
    with pytest.raises(ValueError, match="W and b must be given together"):
        degree_growth([0, 0, 1], [1], W=[[4]])
    with pytest.raises(ValueError, match="require tied=True"):
        degree_growth([0, 0, 1], [1], W=[[4]], b=[0], tied=False)
    with pytest.raises(ValueError, match=r"W must have shape \(2, 2\)"):
        degree_growth([0, 0, 1], [1], W=[[4]], b=[0], width=2)
    with pytest.raises(TypeError, match=r"W\[0, 0\] must be exact"):
        degree_growth([0, 0, 1], [1], W=[[4.0]], b=[0])
    with pytest.raises(ValueError, match="b must be a 1-D array with 1 entries"):
        degree_growth([0, 0, 1], [1], W=[[4]], b=[0, 1])


# --- the logistic chain: degree 2^L and a closed form -----------------------------------------


def _horner_mp(poly: sp.Poly, x: mpmath.mpf) -> mpmath.mpf:
    acc = mpmath.mpf(0)
    for c in poly.all_coeffs():
        acc = acc * x + int(c)
    return acc


@settings(max_examples=20, deadline=None)
@given(st.floats(0.01, 3.1), st.integers(0, 8))
def test_logistic_chain_polynomial_is_sin_squared_of_doubled_angle(theta: float, L: int) -> None:
    p = tied_polynomial_chain([0, 1, -1], 4, 0, L)
    assert p.degree() == 2**L
    # The coefficients grow like (3 + 2√2)^(2^L) (shifted Chebyshev), i.e. 0.77 · 2^L digits,
    # and cancel in the sum: carry 2^L extra digits so that 50 digits survive.
    with mpmath.workdps(60 + 2**L):
        th = mpmath.mpf(theta)
        got = _horner_mp(p, mpmath.sin(th) ** 2)
        want = mpmath.sin(2**L * th) ** 2
        assert abs(got - want) < mpmath.mpf(10) ** -45


def test_logistic_chain_through_degree_growth_override() -> None:
    depths = [0, 1, 2, 3, 4, 5, 6]
    g = degree_growth([0, 1, -1], depths, W=[[4]], b=[0])
    assert g.degrees == tuple(2**L for L in depths)
    for k, L in enumerate(depths):
        p = tied_polynomial_chain([0, 1, -1], 4, 0, L)
        assert g.terms[k] == len(p.terms())
        assert g.count_ops[k] == sp.count_ops(p.as_expr())
    z0 = sp.Symbol("z0", real=True)
    assert tied_polynomial_chain([0, 1, -1], 4, 0, 1).as_expr() == sp.expand(4 * z0 * (1 - z0))


def test_tied_polynomial_chain_bad_inputs() -> None:
    with pytest.raises(TypeError, match="w must be exact"):
        tied_polynomial_chain([0, 1, -1], 4.0, 0, 2)
    with pytest.raises(TypeError, match="b must be exact"):
        tied_polynomial_chain([0, 1, -1], 4, 0.0, 2)
    with pytest.raises(ValueError, match="depth must be an integer >= 0"):
        tied_polynomial_chain([0, 1, -1], 4, 0, -1)
    with pytest.raises(ValueError, match="depth too large"):
        tied_polynomial_chain([0, 1, -1], 4, 0, 40)
    with pytest.raises(TypeError, match="z0 must be a sympy Symbol"):
        tied_polynomial_chain([0, 1, -1], 4, 0, 2, z0="z")
    with pytest.raises(ValueError, match="coeffs must end with a nonzero coefficient"):
        tied_polynomial_chain([0, 1, 0], 4, 0, 2)

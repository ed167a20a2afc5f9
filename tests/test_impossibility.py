"""Tests for bpcore.impossibility: Galois groups, growth, the stack network, JSR bounds, cost.

References: Galois groups from the literature (x⁵ − x − 1: S5; x⁵ + 20x + 16: A5; x⁵ − 5x + 12:
D5; the minimal polynomial of 2cos(2π/11): C5, the real subfield of ℚ(ζ₁₁)), exact sympy matrix
powers, exact integer comparisons, a plain Python stack machine, brute-force products over
itertools, and hand counts of multiply–adds.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcore.backprop import delta_recursion
from bpcore.impossibility import (
    OPS,
    READS,
    companion_matrix,
    dedekind_cycle_types,
    float64_failure,
    galois_group_of,
    gradient_flops,
    growth_certificate,
    jsr_bounds,
    jsr_bounds_by_length,
    matrix_power_entries,
    measure_cheap_gradient,
    quadratic_chain,
    relu_backward_factors,
    relu_embedding,
    reversal_run,
    reverse_program,
    run_reference,
    saturated_linear,
    stack_decode,
    stack_encode,
    stack_network,
    stack_nonempty,
    stack_pop,
    stack_push,
    stack_top,
)

X = sp.Symbol("x")
PHI = (1 + math.sqrt(5)) / 2
GOLDEN_PAIR = [np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0]])]
UNBOUNDED_PAIR = [np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 0.0]])]


def companion_of(poly: sp.Expr) -> sp.Matrix:
    coeffs = sp.Poly(poly, X).all_coeffs()[::-1][:-1]
    return companion_matrix([sp.Rational(c) for c in coeffs])


def tridiagonal(diagonal: list[int]) -> list[list[int]]:
    n = len(diagonal)
    return [[diagonal[i] if i == j else int(abs(i - j) == 1) for j in range(n)] for i in range(n)]


# --- radicals: Galois groups --------------------------------------------------------------


@pytest.mark.parametrize(
    ("poly", "group", "order", "solvable"),
    [
        (X**5 - X - 1, "S5", 120, False),
        (X**5 + 20 * X + 16, "A5", 60, False),
        (X**5 - 5 * X + 12, "D5", 10, True),
        (sp.minimal_polynomial(2 * sp.cos(2 * sp.pi / 11), X), "C5", 5, True),
        (X**3 - 3 * X - 1, "A3", 3, True),
        (X**4 + 1, "V", 4, True),
        (X**6 + X + 1, "S6", 720, False),
    ],
)
def test_galois_groups_of_known_polynomials(
    poly: sp.Expr, group: str, order: int, solvable: bool
) -> None:
    report = galois_group_of(companion_of(poly))
    assert sp.expand(report.charpoly.as_expr() - poly) == 0
    assert len(report.factors) == 1
    (factor,) = report.factors
    assert (factor.group, factor.order, factor.solvable_by_radicals) == (group, order, solvable)
    assert report.solvable_by_radicals is solvable
    assert group in repr(report)


def test_symmetric_tridiagonal_matrices_s5_and_c5() -> None:
    s5 = galois_group_of(tridiagonal([0, 0, 0, 1, 2]))
    assert [f.group for f in s5.factors] == ["S5"]
    # path with a loop at the end: eigenvalues 2cos((2k − 1)π/11), k = 1…5 — cyclic, solvable
    c5 = galois_group_of(tridiagonal([0, 0, 0, 0, 1]))
    assert [f.group for f in c5.factors] == ["C5"]
    assert c5.solvable_by_radicals
    expected = sorted(2 * math.cos((2 * k - 1) * math.pi / 11) for k in range(1, 6))
    got = sorted(float(sp.re(sp.N(r, 30))) for r in c5.eigenvalues)
    np.testing.assert_allclose(got, expected, atol=1e-14)


def test_eigenvalues_are_exact_crootof_matching_numpy() -> None:
    M = companion_of(X**5 - X - 1)
    report = galois_group_of(M)
    roots = report.eigenvalues
    assert all(isinstance(r, sp.CRootOf) for r in roots)
    for r in roots:  # exact: refined to 25 digits, it is a root to 25 digits
        v = r.evalf(25)
        assert abs(complex(sp.N(v**5 - v - 1, 25))) < 1e-20
    numeric = np.sort_complex(np.array([complex(sp.N(r, 20)) for r in roots]))
    ref = np.sort_complex(np.linalg.eigvals(np.array(M.tolist(), dtype=float)))
    np.testing.assert_allclose(numeric, ref, atol=1e-12)


def test_factorisation_with_multiplicities_and_fractions() -> None:
    W = [
        [Fraction(0), Fraction(2), 0, 0],
        [Fraction(1), Fraction(0), 0, 0],
        [0, 0, Fraction(1, 3), 0],
        [0, 0, 0, Fraction(1, 3)],
    ]
    report = galois_group_of(W)
    by_degree = {f.degree: f for f in report.factors}
    assert by_degree[2].group == "S2"
    assert sp.expand(by_degree[2].polynomial.as_expr() - (X**2 - 2)) == 0
    assert by_degree[1].multiplicity == 2
    assert by_degree[1].roots == (sp.Rational(1, 3),)
    assert len(report.eigenvalues) == 4
    assert report.solvable_by_radicals


def test_galois_group_of_sympy_matrix_and_numpy_int_array() -> None:
    M = companion_of(X**5 + 20 * X + 16)
    assert galois_group_of(np.array(M.tolist(), dtype=np.int64)).factors[0].group == "A5"
    assert galois_group_of(M).factors[0].group == "A5"


def test_galois_group_of_bad_input() -> None:
    with pytest.raises(TypeError, match="W must have exact entries"):
        galois_group_of(np.eye(3))
    with pytest.raises(TypeError, match=r"W\[0, 0\] must be"):
        galois_group_of([[0.5, 1], [1, 0]])
    with pytest.raises(ValueError, match="W must be a square"):
        galois_group_of([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="W must be a square"):
        galois_group_of([])
    with pytest.raises(TypeError, match="W must be"):
        galois_group_of("abc")
    with pytest.raises(ValueError, match=r"W has an irreducible factor of degree 7.*<= 6"):
        galois_group_of(companion_of(X**7 - X - 1))


# the cycle types of the transitive groups of degree 5 that occur below (as sorted partitions)
CYCLE_TYPES = {
    "S5": {(1, 1, 1, 1, 1), (1, 1, 1, 2), (1, 2, 2), (1, 1, 3), (2, 3), (1, 4), (5,)},
    "D5": {(1, 1, 1, 1, 1), (1, 2, 2), (5,)},
    "C5": {(1, 1, 1, 1, 1), (5,)},
}


def test_dedekind_cycle_types_of_known_quintics() -> None:
    s5 = dedekind_cycle_types(X**5 - X - 1)
    assert {(5,), (1, 2, 2), (1, 1, 1, 2)} <= s5 <= CYCLE_TYPES["S5"]
    assert all(sum(t) == 5 and list(t) == sorted(t) for t in s5)
    # by hand: x^5 + x + 1 = (x^2 + x + 1)(x^3 + x^2 + 1) over GF(2)
    assert dedekind_cycle_types(X**5 - X - 1, primes=[2]) == {(2, 3)}
    c5 = dedekind_cycle_types(sp.minimal_polynomial(2 * sp.cos(2 * sp.pi / 11), X))
    assert c5 == CYCLE_TYPES["C5"]
    d5 = dedekind_cycle_types(X**5 - 5 * X + 12)
    assert (1, 2, 2) in d5
    assert d5 <= CYCLE_TYPES["D5"]
    # the same polynomial as the characteristic polynomial of a path matrix, given as a Poly
    path = galois_group_of(tridiagonal([0, 0, 0, 0, 1])).charpoly
    assert dedekind_cycle_types(path) == CYCLE_TYPES["C5"]


def test_dedekind_cycle_types_of_quadratics_and_cubics() -> None:
    # x^2 + 1 splits mod p iff p = 1 (mod 4); p = 2 divides the discriminant -4
    for p in sp.primerange(2, 100):
        expected = set() if p == 2 else {(1, 1)} if p % 4 == 1 else {(2,)}
        assert dedekind_cycle_types(X**2 + 1, primes=[p]) == expected
    # rational coefficients are scaled to the primitive integer polynomial
    half = sp.Poly(X**2 / 2 + sp.Rational(1, 2), X)
    assert dedekind_cycle_types(half) == dedekind_cycle_types(X**2 + 1) == {(1, 1), (2,)}
    # A3 has no transposition, S3 has one
    assert dedekind_cycle_types(X**3 - 3 * X - 1) == {(1, 1, 1), (3,)}
    assert (1, 2) in dedekind_cycle_types(X**3 - 2)
    # 3x^2 + x + 1 has discriminant -11, but drops degree mod 3: that prime is skipped
    assert dedekind_cycle_types(3 * X**2 + X + 1, primes=[3]) == frozenset()
    assert dedekind_cycle_types(3 * X**2 + X + 1, primes=np.array([5, 7])) <= {(1, 1), (2,)}


def test_dedekind_cycle_types_bad_input() -> None:
    with pytest.raises(ValueError, match="repeated factor"):
        dedekind_cycle_types(X**2)
    with pytest.raises(ValueError, match="degree >= 1"):
        dedekind_cycle_types(sp.Poly(3, X))
    with pytest.raises(TypeError, match="one variable"):
        dedekind_cycle_types(X * sp.Symbol("y") + 1)
    with pytest.raises(TypeError, match="rational coefficients"):
        dedekind_cycle_types(0.5 * X**2 + 1)
    with pytest.raises(TypeError, match="poly must be"):
        dedekind_cycle_types(object())
    with pytest.raises(ValueError, match=r"primes\[1\] must be a prime"):
        dedekind_cycle_types(X**2 + 1, primes=[3, 4])
    with pytest.raises(TypeError, match="primes must be an iterable"):
        dedekind_cycle_types(X**2 + 1, primes=5)
    with pytest.raises(TypeError, match=r"primes\[0\]"):
        dedekind_cycle_types(X**2 + 1, primes=["a"])


def test_companion_matrix_bad_input() -> None:
    with pytest.raises(ValueError, match="coefficients must contain"):
        companion_matrix([])
    with pytest.raises(TypeError, match=r"coefficients\[1\] must be exact"):
        companion_matrix([1, 0.5])
    with pytest.raises(TypeError, match="coefficients must be a sequence"):
        companion_matrix(3)


@pytest.mark.parametrize(
    "W",
    [
        tridiagonal([0, 0, 0, 1, 2]),
        [[1, 1, 0], [0, 1, 1], [1, 0, 0]],
        [[Fraction(1, 2), 1], [Fraction(-1, 3), 2]],
    ],
)
def test_matrix_power_entries_exact(W: list[list[object]]) -> None:
    M = sp.Matrix([[sp.Rational(Fraction(v)) for v in row] for row in W])
    n = M.shape[0]
    got = matrix_power_entries(W, 0, n - 1, 40)
    P = sp.eye(n)
    for k in range(41):
        assert sp.Rational(got[k]) == P[0, n - 1], k
        P = P * M


def test_matrix_power_entries_integer_type_and_bad_input() -> None:
    vals = matrix_power_entries([[1, 1], [1, 0]], 0, 0, 90)
    assert vals[90] == 4660046610375530309  # F_91
    assert all(type(v) is int for v in vals)
    with pytest.raises(ValueError, match="i and j must be < 2"):
        matrix_power_entries([[1, 1], [1, 0]], 2, 0, 5)
    with pytest.raises(ValueError, match="k_max must be"):
        matrix_power_entries([[1, 1], [1, 0]], 0, 0, -1)


# --- holonomic: growth certificate --------------------------------------------------------


def test_quadratic_chain_exact_orbit_and_deltas() -> None:
    chain = quadratic_chain(6)
    assert chain.zs == (1, 2, 5, 26, 677, 458330, 210066388901)
    assert all(type(z) is int for z in chain.zs)
    # δ's against the one recurrence in bpcore.backprop (float, small depth: exact there)
    depth = 5
    short = quadratic_chain(depth)
    fprimes = [np.array([2.0 * z]) for z in short.zs[:-1]]
    ref = delta_recursion([np.array([[1.0]])] * depth, np.array([1.0]), fprimes)
    assert [float(d) for d in short.deltas] == [float(r[0]) for r in ref]
    # ... and exactly (Python ints) the chain-rule products, formed here independently
    assert all(type(d) is int for d in chain.deltas)
    assert list(chain.deltas) == [math.prod(2 * z for z in chain.zs[l:6]) for l in range(7)]
    assert chain.derivatives[6] == chain.deltas[0]
    # derivatives[N] = d z_N / d z_0, exactly, from sympy
    z0 = sp.Symbol("z0")
    expr = z0
    for N in range(5):
        assert sp.diff(expr, z0).subs(z0, 1) == short.derivatives[N]
        expr = sp.expand(expr**2 + 1)


def test_quadratic_chain_fractions_and_bad_input() -> None:
    chain = quadratic_chain(3, w=Fraction(1, 2), b=Fraction(1, 3), z0=2)
    z = Fraction(2)
    for zl in chain.zs:
        assert zl == z
        z = z * z / 2 + Fraction(1, 3)
    with pytest.raises(TypeError, match="w must be exact"):
        quadratic_chain(3, w=0.5)
    with pytest.raises(ValueError, match="depth must be <= 40"):
        quadratic_chain(41)
    with pytest.raises(ValueError, match="depth must be"):
        quadratic_chain(-1)


def test_growth_certificate_loglog_slope_and_exact_violation() -> None:
    chain = quadratic_chain(18)
    cert = growth_certificate(chain, c=3, K=100)
    assert cert.loglog_slope == pytest.approx(math.log(2), abs=1e-4)
    v = cert.violated_from
    assert v is not None
    # exact: z_n > (n!)^3 100^n from v on, and not at v − 1
    for n in range(v, 19):
        assert chain.zs[n] > math.factorial(n) ** 3 * 100**n
    assert chain.zs[v - 1] <= math.factorial(v - 1) ** 3 * 100 ** (v - 1)
    tail = cert.c_needed[v:]
    assert np.all(np.diff(tail) > 0)
    assert "violated_from" in repr(cert)


def test_growth_certificate_of_the_deltas() -> None:
    chain = quadratic_chain(16)
    cert = growth_certificate(list(chain.derivatives), c=2, K=10)
    assert cert.violated_from is not None
    # log D_N = Σ_{k<N} log 2z_k ≈ 2^N log C as well, approached more slowly
    assert cert.loglog_slope == pytest.approx(math.log(2), abs=1e-2)


@pytest.mark.parametrize(
    ("sequence", "c", "K"),
    [
        ([math.factorial(n) for n in range(40)], 1, 2),  # n! itself
        ([2**n for n in range(60)], 1, 2),
        ([math.comb(2 * n, n) // (n + 1) for n in range(60)], 1, 4),  # Catalan
        ([Fraction(1, n + 1) for n in range(20)], 1, 1),
    ],
)
def test_p_recursive_sequences_obey_the_bound(sequence: list[object], c: int, K: int) -> None:
    cert = growth_certificate(sequence, c=c, K=K)
    assert cert.violated_from is None
    assert np.all(cert.log_abs <= cert.log_bound + 1e-9)


def test_growth_certificate_bad_input() -> None:
    with pytest.raises(ValueError, match="sequence must have at least 2"):
        growth_certificate([5])
    with pytest.raises(TypeError, match=r"sequence\[1\] must be exact"):
        growth_certificate([1, 2.5, 3])
    with pytest.raises(TypeError, match="sequence must be"):
        growth_certificate(7)
    with pytest.raises(ValueError, match="c must be >"):
        growth_certificate([1, 2, 3], c=0)
    with pytest.raises(ValueError, match="K must be >="):
        growth_certificate([1, 2, 3], K=0.5)


# --- decidable vocabularies: the stack network --------------------------------------------

bits_st = st.lists(st.integers(0, 1), max_size=12)


@given(bits_st)
@settings(max_examples=60, deadline=None)
def test_stack_encoding_matches_a_python_list(bits: list[int]) -> None:
    q = stack_encode(bits)
    assert stack_decode(q) == tuple(bits)
    assert stack_top(q) == (bits[0] if bits else 0)
    assert stack_nonempty(q) == int(bool(bits))
    assert stack_pop(q) == stack_encode(bits[1:])
    for b in (0, 1):
        assert stack_push(q, b) == stack_encode([b, *bits])
    assert stack_encode("".join(map(str, bits))) == q


def test_stack_encoding_values_and_bad_input() -> None:
    assert stack_encode([1, 0]) == Fraction(13, 16)
    assert stack_pop(0) == 0  # popping the empty stack leaves it empty
    assert saturated_linear(Fraction(-3, 2)) == 0
    assert saturated_linear(Fraction(1, 3)) == Fraction(1, 3)
    assert saturated_linear(7) == 1
    np.testing.assert_array_equal(saturated_linear(np.array([-1.0, 0.5, 2.0])), [0, 0.5, 1])
    with pytest.raises(ValueError, match="q must be a stack code"):
        stack_decode(Fraction(1, 2))
    with pytest.raises(ValueError, match=r"q must be a stack code in \[0, 1\)"):
        stack_top(Fraction(5, 4))
    with pytest.raises(TypeError, match="q must be exact"):
        stack_top(0.5)
    with pytest.raises(ValueError, match="bit must be 0 or 1"):
        stack_push(0, 2)
    with pytest.raises(ValueError, match=r"bits\[1\] must be 0 or 1"):
        stack_encode([0, 3])
    with pytest.raises(ValueError, match="bits must be a string"):
        stack_encode("01a")
    with pytest.raises(TypeError, match="x must be a number"):
        saturated_linear("1")


def assert_exact_run_matches(program: dict, start: str, stacks: list, steps: int, K: int) -> None:
    net = stack_network(program, K)
    ref = run_reference(program, start, stacks, steps)
    zs = net.run(start, stacks, steps)
    for step, (z, conf) in enumerate(zip(zs, ref, strict=True)):
        assert net.decode(z) == conf, step
        assert all(isinstance(v, Fraction | int) for v in z)
        assert all(0 <= v <= 1 for v in z)
        # exactly one transition fires per layer (the gates are one-hot after layer 0)
        if step:
            assert sum(z[: len(net.transitions)]) == 1


@st.composite
def programs(draw: st.DrawFn) -> tuple[dict, str, list, int, int]:
    K = draw(st.integers(1, 2))
    n_states = draw(st.integers(1, 3))
    states = [f"s{k}" for k in range(n_states)]
    targets = [*states, "halt"]
    program = {}
    for s in states:
        for reads in itertools.product(READS, repeat=K):
            nxt = draw(st.sampled_from(targets))
            ops = tuple(draw(st.sampled_from(OPS)) for _ in range(K))
            program[(s, *reads)] = (nxt, *ops)
    stacks = [draw(bits_st.map(lambda b: b[:6])) for _ in range(K)]
    steps = draw(st.integers(0, 14))
    return program, "s0", stacks, steps, K


@given(programs())
@settings(max_examples=80, deadline=None)
def test_stack_network_matches_python_stack_machine_at_every_layer(
    case: tuple[dict, str, list, int, int],
) -> None:
    assert_exact_run_matches(*case)


def test_reverse_program_reverses_and_halts() -> None:
    bits = [1, 1, 0, 1, 0, 0, 0, 1]
    net = stack_network(reverse_program())
    zs = net.run("move", [bits, []], len(bits) + 3)
    final = net.decode(zs[-1])
    assert final.state == "halt"
    assert final.stacks == ((), tuple(reversed(bits)))
    assert_exact_run_matches(reverse_program(), "move", [bits, []], len(bits) + 3, 2)
    assert "StackNetwork(states=['move', 'halt']" in repr(net)


def test_one_layer_is_sigma_of_W_z_plus_b_with_rational_weights() -> None:
    net = stack_network(reverse_program())
    assert all(isinstance(v, Fraction | int) for v in net.W.ravel())
    assert all(isinstance(v, Fraction | int) for v in net.b)
    z = net.initial("move", ["1011", ""])
    for _ in range(5):
        dense = saturated_linear(net.W.dot(z) + net.b)
        fast = net.step(z)
        assert list(dense) == list(fast)
        z = fast


@given(programs())
@settings(max_examples=15, deadline=None)
def test_relu_embedding_carries_the_saturated_linear_network_exactly(
    case: tuple[dict, str, list, int, int],
) -> None:
    program, start, stacks, steps, K = case
    net = stack_network(program, K)
    W2, b2 = relu_embedding(net)
    N = net.n_units
    assert W2.shape == (2 * N, 2 * N)
    assert b2.shape == (2 * N,)
    zs = net.run(start, stacks, steps)
    r = np.concatenate([zs[0], np.array([Fraction(0)] * N, dtype=object)])
    for l in range(steps):
        nz = np.flatnonzero(r)
        r = np.array([max(v, 0) for v in W2[:, nz].dot(r[nz]) + b2], dtype=object)
        assert all(isinstance(v, Fraction | int) for v in r)
        assert list(r[:N] - r[N:]) == list(zs[l + 1])


def test_relu_identity_and_embedding_bad_input() -> None:
    xs = [Fraction(k, 4) for k in range(-8, 9)]
    assert all(saturated_linear(v) == max(v, 0) - max(v - 1, 0) for v in xs)
    with pytest.raises(TypeError, match="net must be a StackNetwork"):
        relu_embedding(np.eye(3))


def test_float64_stack_network_works_short_and_fails_long() -> None:
    net = stack_network(reverse_program())
    bits = [1, 0, 0, 1, 1, 0, 1, 0, 1, 1]
    ref = run_reference(reverse_program(), "move", [bits, []], 11)
    for z, conf in zip(net.run_float64("move", [bits, []], 11), ref, strict=True):
        assert net.decode(z) == conf
    failure = float64_failure(32, seed=0)
    assert failure.symbols is not None
    assert 20 <= failure.symbols <= 30
    assert len(failure.bits) == failure.symbols


def test_reversal_run_compares_exact_and_float64_layer_by_layer() -> None:
    # references: the plain Python machine (run_reference) and the exact input code
    bits = "".join(map(str, np.random.default_rng(0).integers(0, 2, 27)))
    run = reversal_run(bits[:26], 27)
    ref = run_reference(reverse_program(), "move", [bits[:26], ""], 27)
    assert run.bits == bits[:26]
    assert run.layers == 27
    assert list(run.decoded_exact) == ref
    assert [run.agrees(layer) for layer in range(28)] == [True] * 26 + [False] * 2
    assert repr(run) == "StackRun(n=26, layers 0..27, float64 first wrong at layer 26)"
    for layer in range(28):
        longest = max(len(stack) for conf in ref[: layer + 1] for stack in conf.stacks)
        assert run.longest_stack(layer) == longest
    assert run.max_error(0) == 0.0  # 26 symbols: a 52-bit code, exact in float64
    assert run.max_error(26) > 0.0
    assert not run.exact[0].flags.writeable
    assert run.network is reversal_run("0", 0).network  # compiled once
    # 27 symbols: the 54-bit input code is rounded once, by at most half an ulp of [1/2, 1)
    q = stack_encode(bits)
    error = reversal_run(bits, 0).max_error(0)
    assert error == float(abs(Fraction(float(q)) - q))
    assert 0 < error <= 2.0**-54


def test_reversal_run_bad_input() -> None:
    with pytest.raises(ValueError, match="bits must be a string of '0'/'1'"):
        reversal_run("012", 3)
    with pytest.raises(ValueError, match="layers must be"):
        reversal_run("01", -1)
    with pytest.raises(TypeError, match="layers must be an integer"):
        reversal_run("01", 1.0)


def test_stack_program_bad_input() -> None:
    with pytest.raises(TypeError, match="program must be a non-empty dict"):
        stack_network([("a", "empty")])
    with pytest.raises(TypeError, match="program must be a non-empty dict"):
        stack_network({})
    with pytest.raises(ValueError, match="program ops must be one of"):
        stack_network({("a", "*"): ("a", "jump")}, 1)
    with pytest.raises(ValueError, match="program reads must be one of"):
        stack_network({("a", "2"): ("a", "pop")}, 1)
    with pytest.raises(ValueError, match="program has no transition for"):
        stack_network({("a", "0"): ("a", "pop")}, 1)
    with pytest.raises(ValueError, match="program has two different transitions"):
        stack_network({("a", "*"): ("a", "pop"), ("a", "0"): ("a", "noop")}, 1)
    with pytest.raises(ValueError, match="program entries must map"):
        stack_network(reverse_program(), 1)
    with pytest.raises(ValueError, match="program states must be strings"):
        stack_network({(1, "*"): (1, "pop")}, 1)
    with pytest.raises(ValueError, match="n_stacks must be"):
        stack_network(reverse_program(), 0)
    net = stack_network(reverse_program())
    with pytest.raises(ValueError, match="start must be one of"):
        net.initial("nowhere", ["", ""])
    with pytest.raises(ValueError, match="stacks must be a list of 2"):
        net.initial("move", ["01"])
    with pytest.raises(ValueError, match="start must be a state"):
        run_reference(reverse_program(), "nowhere", ["", ""], 3)
    with pytest.raises(ValueError, match="z must be a"):
        net.step(np.zeros(3, dtype=object))
    with pytest.raises(TypeError, match="z must be an object array"):
        net.step(np.zeros(net.n_units))
    bad = np.array([Fraction(0)] * net.n_units, dtype=object)
    with pytest.raises(ValueError, match="z does not encode a control state"):
        net.decode(bad)


# --- products of matrices: JSR bounds -----------------------------------------------------


def test_golden_pair_tight_at_k2_and_bracketing() -> None:
    b2 = jsr_bounds(GOLDEN_PAIR, 2)
    assert b2.lower == pytest.approx(PHI, abs=1e-12)
    assert b2.upper == pytest.approx(PHI, abs=1e-12)
    assert b2.word in ((0, 1), (1, 0))
    for b in jsr_bounds_by_length(GOLDEN_PAIR, 10):
        assert b.lower <= PHI + 1e-12 <= b.upper + 2e-12


def test_unbounded_pair_jsr_one_bounds_stay_apart() -> None:
    bounds = jsr_bounds_by_length(UNBOUNDED_PAIR, 14)
    A = UNBOUNDED_PAIR[0]
    for b in bounds:
        assert b.lower == pytest.approx(1.0, abs=1e-12)
        # upper ≥ ‖A^k‖^(1/k) = (norm of [[1, k], [0, 1]])^(1/k) > 1
        assert b.upper >= np.linalg.norm(np.linalg.matrix_power(A, b.k), 2) ** (1 / b.k) - 1e-12
        assert b.upper > 1.2
    uppers = [b.upper for b in bounds]
    assert all(u1 > u2 for u1, u2 in itertools.pairwise(uppers))


def test_jsr_bounds_match_brute_force_over_words_and_count_products() -> None:
    rng = np.random.default_rng(3)
    mats = rng.standard_normal((3, 3, 3))
    for k in (1, 2, 3, 4):
        lower = upper = 0.0
        for word in itertools.product(range(3), repeat=k):
            P = np.eye(3)
            for i in word:
                P = P @ mats[i]
            lower = max(lower, max(abs(np.linalg.eigvals(P))) ** (1 / k))
            upper = max(upper, np.linalg.norm(P, 2) ** (1 / k))
        b = jsr_bounds(list(mats), k)
        assert b.lower == pytest.approx(lower, rel=1e-12)
        assert b.upper == pytest.approx(upper, rel=1e-12)
        assert b.products == 3**k
        assert b.multiplications == sum(3**j for j in range(2, k + 1))
        P = np.eye(3)
        for i in b.word:
            P = P @ mats[i]
        assert max(abs(np.linalg.eigvals(P))) ** (1 / k) == pytest.approx(b.lower, rel=1e-12)


def test_single_matrix_bounds_bracket_spectral_radius() -> None:
    W = np.array([[0.5, 2.0], [0.0, 0.9]])
    for b in jsr_bounds_by_length([W], 12):
        assert b.lower == pytest.approx(0.9, rel=1e-12)
        assert b.upper >= 0.9


def test_relu_backward_factors_and_their_jsr() -> None:
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 3))
    F = relu_backward_factors(W)
    assert F.shape == (8, 3, 3)
    np.testing.assert_array_equal(F[0], np.zeros((3, 3)))
    np.testing.assert_array_equal(F[7], W.T)
    np.testing.assert_array_equal(F[1], np.diag([1.0, 0, 0]) @ W.T)
    rho = max(abs(np.linalg.eigvals(W)))
    for b in jsr_bounds_by_length(F, 4):
        assert b.lower >= rho - 1e-12
        assert b.lower <= b.upper + 1e-12
    some = relu_backward_factors(W, patterns=[[1, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(some[0], np.diag([1.0, 0, 1]) @ W.T)


def test_jsr_bad_input() -> None:
    with pytest.raises(ValueError, match="matrices must contain at least one"):
        jsr_bounds([], 2)
    with pytest.raises(ValueError, match="matrices must contain at least one"):
        jsr_bounds(np.zeros((0, 2, 2)), 2)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        jsr_bounds(GOLDEN_PAIR, 0)
    with pytest.raises(TypeError, match="k must be an integer"):
        jsr_bounds(GOLDEN_PAIR, 2.0)
    with pytest.raises(ValueError, match="k must keep m"):
        jsr_bounds(GOLDEN_PAIR, 30)
    with pytest.raises(ValueError, match="k_max must keep m"):
        jsr_bounds_by_length(GOLDEN_PAIR, 5, max_products=10)
    with pytest.raises(ValueError, match="matrices must all have the same shape"):
        jsr_bounds([np.eye(2), np.eye(3)], 1)
    with pytest.raises(ValueError, match=r"matrices\[0\] must be a square"):
        jsr_bounds([np.ones((2, 3))], 1)
    with pytest.raises(ValueError, match="matrices must be square"):
        jsr_bounds(np.ones((2, 2, 3)), 1)
    with pytest.raises(TypeError, match="matrices must be a list"):
        jsr_bounds(5, 1)
    with pytest.raises(ValueError, match="patterns must contain only 0 and 1"):
        relu_backward_factors(np.eye(2), patterns=[[0.5, 1]])
    with pytest.raises(ValueError, match="patterns must have shape"):
        relu_backward_factors(np.eye(2), patterns=[[1, 1, 1]])
    with pytest.raises(ValueError, match="W must be at most 10"):
        relu_backward_factors(np.eye(11))
    with pytest.raises(ValueError, match="W must be a square"):
        relu_backward_factors(np.ones((2, 3)))


# --- cost: the cheap gradient principle ---------------------------------------------------


@pytest.mark.parametrize("L", [1, 2, 4, 8])
def test_gradient_flops_model_exact(L: int) -> None:
    f = gradient_flops([50] * (L + 1), m=3)
    assert f.forward == 3 * L * 2500
    assert f.ratio == Fraction(3) - Fraction(1, L)


def test_gradient_flops_hand_count() -> None:
    f = gradient_flops([2, 3, 4], m=2)
    # forward: 2·(2·3 + 3·4) = 36; + weight gradients 36; + δ^(2) = W^(2)ᵀ δ^(3): 2·12 = 24
    assert (f.forward, f.backward, f.ratio) == (36, 96, Fraction(96, 36))


def test_measure_cheap_gradient_in_a_fresh_process() -> None:
    res = measure_cheap_gradient([[64] * 4], batches=[8, 256], repeats=3, min_time=0.02)
    assert res.ratio.shape == res.forward_seconds.shape == res.flop_ratio.shape == (1, 2)
    assert res.batches == (8, 256)
    # backward runs its own forward pass and then more matrix products: physically > 1.5
    assert np.all(res.ratio > 1.5)
    assert np.all(res.ratio < 20.0)
    assert np.all(res.flop_ratio == pytest.approx(3 - 1 / 3))
    assert np.all(res.forward_seconds > 0)
    assert np.all(res.backward_seconds > res.forward_seconds)
    assert not res.ratio.flags.writeable
    assert repr(res).startswith("CheapGradient(widths=[64], batches=[8, 256], ratio=")


def test_cheap_gradient_bad_input() -> None:
    with pytest.raises(ValueError, match="sizes must list at least 2"):
        gradient_flops([3])
    with pytest.raises(ValueError, match="m must be"):
        gradient_flops([3, 3], m=0)
    with pytest.raises(ValueError, match=r"sizes\[1\] must be"):
        gradient_flops([3, 0])
    with pytest.raises(TypeError, match="sizes must be a non-empty list"):
        measure_cheap_gradient([])
    with pytest.raises(ValueError, match="batch must be"):
        measure_cheap_gradient([[4, 4]], batches=[8, 0])
    with pytest.raises(TypeError, match="batches must be a non-empty list"):
        measure_cheap_gradient([[4, 4]], batches=[])
    with pytest.raises(TypeError, match="batches must be a non-empty list"):
        measure_cheap_gradient([[4, 4]], batches=8)

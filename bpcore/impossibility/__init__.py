"""What can be proved impossible: the computations behind chapter 5's four theorems.

Each theorem of the chapter fixes a vocabulary and proves that no closed form exists in it;
this module computes what the theorems talk about, exactly where exactness matters.

* **Radicals.** :func:`galois_group_of` factors the characteristic polynomial of an exact
  rational matrix and computes the Galois group of every irreducible factor (sympy's
  ``Poly.galois_group``, degree ≤ 6), so an S5 factor shows that the eigenvalues of a tied
  linear network of width 5 have no expression in radicals (Abel–Ruffini); the eigenvalues stay
  exact as ``CRootOf``. :func:`matrix_power_entries` checks a power entry exactly through the
  integer recurrence that the characteristic polynomial gives (Cayley–Hamilton).
* **Holonomic sequences.** :func:`quadratic_chain` runs the tied width-1 network
  z ↦ w z² + b in exact integers (or Fractions) and :func:`growth_certificate` compares a
  sequence with the bound |a_n| ≤ (n!)^c K^n that every P-recursive sequence obeys.
* **Decidable vocabularies.** The Siegelmann–Sontag stack encoding (base 4, digits 1 and 3)
  with the saturated-linear σ(x) = min(1, max(0, x)), exact in ``fractions.Fraction``:
  :func:`stack_network` compiles a finite-control stack program into ONE tied layer
  a ↦ σ(W a + b) with rational W, b — one layer per machine step — and
  :meth:`StackNetwork.decode` reads the machine configuration off any layer's activations;
  :func:`float64_failure` measures how many symbols float64 survives.
* **Products of matrices.** :func:`jsr_bounds` brackets the joint spectral radius by brute
  force over all products of length k, and counts the products it formed;
  :func:`relu_backward_factors` gives the backward factors D Wᵀ of a tied ReLU net.
* **Cost.** :func:`gradient_flops` is the multiply–add model of forward vs forward+backward for
  :class:`bpcore.network.MLP`; :func:`measure_cheap_gradient` times both in a fresh process.

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._repr import short_array
from bpcore._validate import (
    check_exact_number,
    check_int,
    check_real,
    check_real_array,
    check_square_matrix,
)
from bpcore.backprop import delta_recursion
from bpcore.linear import _exact_matrix

__all__ = [
    "OPS",
    "READS",
    "CheapGradient",
    "Configuration",
    "FloatFailure",
    "GaloisFactor",
    "GaloisReport",
    "GradientFlops",
    "GrowthCertificate",
    "JSRBounds",
    "QuadraticChain",
    "StackNetwork",
    "companion_matrix",
    "dedekind_cycle_types",
    "float64_failure",
    "galois_group_of",
    "gradient_flops",
    "growth_certificate",
    "jsr_bounds",
    "jsr_bounds_by_length",
    "matrix_power_entries",
    "measure_cheap_gradient",
    "quadratic_chain",
    "relu_backward_factors",
    "relu_embedding",
    "reverse_program",
    "run_reference",
    "saturated_linear",
    "stack_decode",
    "stack_encode",
    "stack_network",
    "stack_nonempty",
    "stack_pop",
    "stack_push",
    "stack_top",
]

#: sympy's ``Poly.galois_group`` handles irreducible polynomials up to this degree.
GALOIS_MAX_DEGREE = 6

# ---------------------------------------------------------------------------------------------
# Radicals: Galois groups of characteristic polynomials
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GaloisFactor:
    """One irreducible factor of a characteristic polynomial and its Galois group over ℚ.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    polynomial : sympy.Poly
        The monic irreducible factor over ℚ.
    multiplicity : int
        Its exponent in the characteristic polynomial.
    group : str
        sympy's name of the Galois group as a transitive subgroup of S_d (``"S5"``, ``"A5"``,
        ``"D5"``, ``"C5"``, ``"S1"`` for a linear factor, …).
    order : int
        The order of the group (the degree of the splitting field over ℚ).
    solvable_by_radicals : bool
        Whether the group is solvable, i.e. (Galois) whether the roots are expressible in
        radicals over ℚ.
    roots : tuple of sympy numbers
        The exact roots, ``CRootOf`` objects (Rationals for linear factors), real ones first.
    """

    polynomial: sp.Poly
    multiplicity: int
    group: str
    order: int
    solvable_by_radicals: bool
    roots: tuple[sp.Expr, ...]

    @property
    def degree(self) -> int:
        """Degree of the factor."""
        return int(self.polynomial.degree())

    def __repr__(self) -> str:
        power = f"^{self.multiplicity}" if self.multiplicity > 1 else ""
        return (
            f"GaloisFactor(({sp.sstr(self.polynomial.as_expr())}){power}, group={self.group}, "
            f"order={self.order}, solvable_by_radicals={self.solvable_by_radicals})"
        )


@dataclass(frozen=True, eq=False)
class GaloisReport:
    """The characteristic polynomial of an exact matrix, factored, with a Galois group per factor.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    matrix : sympy.Matrix
        The matrix, with Rational entries.
    charpoly : sympy.Poly
        det(x I − W), monic, in the symbol ``x``.
    factors : tuple of GaloisFactor
        The irreducible factors over ℚ, in sympy's order.
    """

    matrix: sp.Matrix
    charpoly: sp.Poly
    factors: tuple[GaloisFactor, ...]

    @property
    def solvable_by_radicals(self) -> bool:
        """True iff every eigenvalue is expressible in radicals (every factor's group solvable)."""
        return all(f.solvable_by_radicals for f in self.factors)

    @property
    def eigenvalues(self) -> tuple[sp.Expr, ...]:
        """All eigenvalues, exact (``CRootOf`` or Rational), repeated by multiplicity."""
        return tuple(r for f in self.factors for r in f.roots for _ in range(f.multiplicity))

    def __repr__(self) -> str:
        groups = ", ".join(f"{f.group}" for f in self.factors)
        return (
            f"GaloisReport(charpoly={sp.sstr(self.charpoly.as_expr())}, groups=[{groups}], "
            f"solvable_by_radicals={self.solvable_by_radicals})"
        )


def companion_matrix(coefficients: Sequence[object]) -> sp.Matrix:
    """The companion matrix of the monic polynomial xⁿ + c_{n−1} xⁿ⁻¹ + … + c_0.

    Introduced in chapter 5 (What can be proved impossible).

    Its characteristic polynomial is that polynomial, so ``galois_group_of(companion_matrix(…))``
    computes the polynomial's Galois group: every monic rational polynomial is the
    characteristic polynomial of a tied linear network.

    Parameters
    ----------
    coefficients : sequence of exact numbers
        [c_0, c_1, …, c_{n−1}] (lowest degree first, the leading 1 omitted), n ≥ 1; ints,
        ``Fraction`` or sympy Rationals (floats are rejected).

    Returns
    -------
    sympy.Matrix
        n × n, ones on the subdiagonal and −c_0, …, −c_{n−1} in the last column.

    Examples
    --------
    >>> from bpcore.impossibility import companion_matrix
    >>> companion_matrix([-1, -1, 0, 0, 0]).charpoly().as_expr()
    lambda**5 - lambda - 1
    """
    if isinstance(coefficients, str | bytes) or not isinstance(coefficients, Sequence | np.ndarray):
        raise TypeError(
            f"coefficients must be a sequence [c_0, …, c_(n-1)], got {type(coefficients).__name__}"
        )
    if len(coefficients) == 0:
        raise ValueError("coefficients must contain at least one number (degree n >= 1)")
    cs = []
    for k, c in enumerate(coefficients):
        v = check_exact_number(c, f"coefficients[{k}]")
        v = sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.sympify(v)
        if not v.is_Rational:
            raise TypeError(f"coefficients[{k}] must be rational, got {v!r}")
        cs.append(v)
    n = len(cs)
    M = sp.zeros(n, n)
    for i in range(1, n):
        M[i, i - 1] = 1
    for i in range(n):
        M[i, n - 1] = -cs[i]
    return M


def galois_group_of(W: object) -> GaloisReport:
    """Characteristic polynomial, its factors over ℚ and the Galois group of each factor.

    Introduced in chapter 5 (What can be proved impossible).

    The eigenvalues of a tied linear network W are the roots of det(x I − W). Over ℚ this
    polynomial factors into irreducibles; the roots of a factor are expressible in radicals iff
    the factor's Galois group is solvable (Galois). sympy's ``Poly.galois_group`` computes the
    group for degree ≤ 6 (Cohen's resolvent method); S5, A5 and S6, A6 are not solvable.

    Parameters
    ----------
    W : square matrix of exact rationals
        Nested lists of ints/``Fraction``/sympy Rationals, a numpy integer (or object) array
        or a sympy Matrix. Floats are rejected (TypeError).

    Returns
    -------
    GaloisReport

    Raises
    ------
    TypeError
        W with float (or irrational) entries, or not a matrix.
    ValueError
        W not square, or an irreducible factor of degree > 6 (beyond sympy's Galois-group
        support; its roots are still available as ``CRootOf``).

    Examples
    --------
    >>> from bpcore.impossibility import companion_matrix, galois_group_of
    >>> galois_group_of(companion_matrix([-1, -1, 0, 0, 0]))
    GaloisReport(charpoly=x**5 - x - 1, groups=[S5], solvable_by_radicals=False)
    """
    M = _exact_matrix(W)
    x = sp.Symbol("x")
    charpoly = sp.Poly(M.charpoly(x).as_expr(), x, domain="QQ")
    _, factor_list = charpoly.factor_list()
    too_big = [f for f, _ in factor_list if f.degree() > GALOIS_MAX_DEGREE]
    if too_big:
        f = too_big[0]
        raise ValueError(
            f"W has an irreducible factor of degree {f.degree()} in its characteristic "
            f"polynomial ({sp.sstr(f.as_expr())}); sympy's Poly.galois_group supports degree "
            f"<= {GALOIS_MAX_DEGREE} only (its roots are still exact as CRootOf)"
        )
    factors = []
    for f, mult in factor_list:
        monic = f.monic()
        _, integral = monic.clear_denoms(convert=True)
        if integral.degree() == 1:
            group_name, order, solvable = "S1", 1, True
        else:
            G, _ = integral.galois_group(by_name=True)
            perm = G.get_perm_group()
            group_name, order, solvable = G.name, int(perm.order()), bool(perm.is_solvable)
        roots = tuple(sp.Poly(integral.as_expr(), x).all_roots())
        factors.append(GaloisFactor(monic, int(mult), group_name, order, solvable, roots))
    return GaloisReport(M, charpoly, tuple(factors))


def dedekind_cycle_types(poly: object, primes: object = None) -> frozenset[tuple[int, ...]]:
    """Factor-degree patterns of a rational polynomial mod p: cycle types in its Galois group.

    Introduced in chapter 5 (What can be proved impossible).

    Dedekind's theorem: let f ∈ ℤ[x] be squarefree of degree n and p a prime that divides
    neither the discriminant of f nor its leading coefficient. If f ≡ f_1 ⋯ f_r (mod p) with
    distinct irreducible f_i of degrees d_1 ≤ … ≤ d_r, then the Galois group of f, acting on
    its n roots, contains a permutation with cycle type (d_1, …, d_r). The patterns found are
    therefore a check of a Galois group that is independent of sympy's ``galois_group``: for
    an irreducible quintic, a pattern (1, 1, 1, 2) is a transposition, and a transitive
    subgroup of S_5 with a transposition is S_5; a cyclic group C_5 allows only (1, 1, 1, 1, 1)
    and (5,). The factorisation is sympy's over GF(p).

    Parameters
    ----------
    poly : sympy.Poly or sympy expression
        A polynomial in one variable with rational coefficients, of degree ≥ 1 and with
        nonzero discriminant (no repeated factor). It is scaled to a primitive integer
        polynomial first.
    primes : iterable of int, optional
        The primes to try; default all primes below 200. Primes that divide the discriminant
        or the leading coefficient are skipped.

    Returns
    -------
    frozenset of tuple of int
        The patterns (degrees in increasing order, repeated factors impossible) over the
        primes used; empty if every given prime was skipped.

    Raises
    ------
    TypeError
        poly not a polynomial in one variable with rational coefficients, or a prime not an
        integer.
    ValueError
        degree 0, zero discriminant, or an entry of ``primes`` that is not a prime.

    Examples
    --------
    >>> import sympy as sp
    >>> from bpcore.impossibility import dedekind_cycle_types
    >>> x = sp.Symbol("x")
    >>> sorted(dedekind_cycle_types(x**5 - x - 1))
    [(1, 1, 1, 2), (1, 1, 3), (1, 2, 2), (1, 4), (2, 3), (5,)]
    """
    if isinstance(poly, sp.Poly):
        P = poly
    else:
        try:
            expr = sp.sympify(poly, strict=True)
        except (sp.SympifyError, TypeError) as err:
            raise TypeError(
                f"poly must be a sympy Poly or expression, got {type(poly).__name__}"
            ) from err
        gens = sorted(expr.free_symbols, key=str)
        if len(gens) != 1:
            raise TypeError(f"poly must be a polynomial in one variable, got {expr!r}")
        try:
            P = sp.Poly(expr, gens[0])
        except sp.PolynomialError as err:
            raise TypeError(f"poly must be a polynomial, got {expr!r}") from err
    if len(P.gens) != 1:
        raise TypeError(f"poly must be a polynomial in one variable, got {P!r}")
    if not all(c.is_Rational for c in P.all_coeffs()):
        raise TypeError(f"poly must have rational coefficients, got {P!r}")
    if P.degree() < 1:
        raise ValueError(f"poly must have degree >= 1, got {P!r}")
    _, Z = P.clear_denoms(convert=True)
    Z = Z.primitive()[1]
    disc = int(Z.discriminant())
    if disc == 0:
        raise ValueError(f"poly has a repeated factor (discriminant 0): {P!r}")
    lead = int(Z.LC())
    if primes is None:
        primes = sp.primerange(2, 200)
    elif isinstance(primes, str | bytes) or not hasattr(primes, "__iter__"):
        raise TypeError(f"primes must be an iterable of primes, got {type(primes).__name__}")
    types = set()
    for k, p in enumerate(primes):
        p = check_int(p, f"primes[{k}]", minimum=2)
        if not sp.isprime(p):
            raise ValueError(f"primes[{k}] must be a prime, got {p}")
        if disc % p == 0 or lead % p == 0:
            continue
        factors = sp.Poly(Z.as_expr(), Z.gen, modulus=p).factor_list()[1]
        types.add(tuple(sorted(int(f.degree()) for f, e in factors for _ in range(e))))
    return frozenset(types)


def matrix_power_entries(W: object, i: int, j: int, k_max: int) -> list[int | Fraction]:
    """(W^k)_{ij} for k = 0, …, k_max, exactly, by the recurrence of the characteristic polynomial.

    Introduced in chapter 5 (What can be proved impossible).

    Cayley–Hamilton: if det(x I − W) = xⁿ + c_{n−1}xⁿ⁻¹ + … + c_0 then W^{k+n} =
    −Σ_{m<n} c_m W^{k+m}, so every entry sequence a_k = (W^k)_{ij} obeys the same linear
    recurrence with rational (integer, for integer W) coefficients. Only the first n powers
    are formed; the rest costs n operations per k, all exact. This is the exact check of a
    matrix-power entry that float sums of eigenvalue powers cannot give at large k.

    Parameters
    ----------
    W : square matrix of exact rationals (as for :func:`galois_group_of`)
    i, j : int
        Row and column, 0 ≤ i, j < n.
    k_max : int >= 0

    Returns
    -------
    list of int or Fraction
        [a_0, …, a_{k_max}]; ints when W has integer entries.
    """
    M = _exact_matrix(W)
    n = M.shape[0]
    i = check_int(i, "i", minimum=0)
    j = check_int(j, "j", minimum=0)
    if i >= n or j >= n:
        raise ValueError(f"i and j must be < {n} (W is {n}×{n}), got i={i}, j={j}")
    k_max = check_int(k_max, "k_max", minimum=0)
    x = sp.Symbol("x")
    coeffs = sp.Poly(M.charpoly(x).as_expr(), x).all_coeffs()[::-1]  # c_0, …, c_{n−1}, 1

    def exact(v: sp.Expr) -> int | Fraction:
        r = sp.Rational(v)
        return int(r) if r.q == 1 else Fraction(int(r.p), int(r.q))

    c = [exact(v) for v in coeffs[:-1]]
    out: list[int | Fraction] = []
    P = sp.eye(n)
    for _ in range(min(n, k_max + 1)):
        out.append(exact(P[i, j]))
        P = P * M
    for k in range(n, k_max + 1):
        out.append(-sum(c[m] * out[k - n + m] for m in range(n)))
    return out


# ---------------------------------------------------------------------------------------------
# Holonomic sequences: the growth certificate
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class QuadraticChain:
    """The tied width-1 quadratic network z_{l+1} = w z_l² + b, exact, with its δ's.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    zs : tuple of int or Fraction
        z_0, …, z_depth.
    deltas : tuple of int or Fraction
        deltas[l] = ∂z_depth/∂z_l = ∏_{k=l}^{depth−1} 2 w z_k (the backprop δ for a unit
        error at the top); deltas[depth] = 1.
    derivatives : tuple of int or Fraction
        derivatives[N] = ∂z_N/∂z_0 = ∏_{k<N} 2 w z_k for N = 0, …, depth: the bottom δ as a
        function of the depth, the sequence the holonomic theorem is about.
    w, b : int or Fraction
    """

    zs: tuple[int | Fraction, ...]
    deltas: tuple[int | Fraction, ...]
    derivatives: tuple[int | Fraction, ...]
    w: int | Fraction
    b: int | Fraction

    @property
    def depth(self) -> int:
        """Number of layers."""
        return len(self.zs) - 1

    def __repr__(self) -> str:
        top = self.zs[-1]
        bits = abs(top.numerator).bit_length() if top else 0
        return (
            f"QuadraticChain(w={self.w}, b={self.b}, z0={self.zs[0]}, depth={self.depth}, "
            f"z_top has {bits} bits)"
        )


def _exact_rational(value: object, name: str) -> int | Fraction:
    v = check_exact_number(value, name)
    if isinstance(v, int | Fraction):
        return v
    r = sp.sympify(v)
    if not r.is_Rational:
        raise TypeError(f"{name} must be rational (int or Fraction), got {value!r}")
    return int(r) if r.q == 1 else Fraction(int(r.p), int(r.q))


def quadratic_chain(depth: int, *, w: object = 1, b: object = 1, z0: object = 1) -> QuadraticChain:
    """Run z_{l+1} = w z_l² + b for ``depth`` layers in exact arithmetic, with its δ's.

    Introduced in chapter 5 (What can be proved impossible).

    The activation f(z) = z² with tied weight w and bias b. For w = b = z0 = 1 the orbit is
    1, 2, 5, 26, 677, … and z_N ≈ C^(2^N) (C ≈ 1.5028), so log log z_N grows linearly in N
    with slope log 2. The δ's are computed by :func:`bpcore.backprop.delta_recursion` itself,
    on object arrays, so they are exact Python ints (or Fractions): the products of the
    factors w f'(z_l) = 2 w z_l (the tests compare them with those products and with sympy).

    Parameters
    ----------
    depth : int >= 0
        Sizes double every layer: depth 30 already means a ~10⁹-bit integer; keep it ≲ 25.
    w, b, z0 : int or Fraction, keyword-only
        Exact (floats are rejected).

    Returns
    -------
    QuadraticChain

    Examples
    --------
    >>> from bpcore.impossibility import quadratic_chain
    >>> quadratic_chain(4).zs
    (1, 2, 5, 26, 677)
    """
    depth = check_int(depth, "depth", minimum=0)
    if depth > 40:
        raise ValueError(f"depth must be <= 40 (z_depth has ~2^depth bits), got {depth}")
    w_, b_, z = (_exact_rational(v, n) for v, n in ((w, "w"), (b, "b"), (z0, "z0")))
    zs = [z]
    for _ in range(depth):  # inherently sequential: a loop over layers
        z = w_ * z * z + b_
        zs.append(z)
    # The δ's come from the one backprop step of the course, bpcore.backprop.delta_recursion,
    # run on 1×1 object arrays so that Python's exact ints and Fractions pass through: layer l
    # has weight w and f'(z_l) = 2 z_l.
    weights = [np.array([[w_]], dtype=object)] * depth
    fprimes = [np.array([2 * zl], dtype=object) for zl in zs[:-1]]
    deltas = [d[0] for d in delta_recursion(weights, np.array([1], dtype=object), fprimes)]
    # derivatives[N] = ∂z_N/∂z_0 is the bottom δ of the chain cut at depth N, i.e. the product
    # of the first N factors; the factors are the ratios of consecutive δ's of the full chain.
    derivatives = [1]
    for f in fprimes:
        derivatives.append(derivatives[-1] * (w_ * f[0]))
    return QuadraticChain(tuple(zs), tuple(deltas), tuple(derivatives), w_, b_)


def _log_abs(v: int | Fraction) -> float:
    if v == 0:
        return -math.inf
    if isinstance(v, Fraction):
        return math.log(abs(v.numerator)) - math.log(v.denominator)
    return math.log(abs(v))


@dataclass(frozen=True, eq=False)
class GrowthCertificate:
    """A sequence's growth against the P-recursive bound |a_n| ≤ (n!)^c K^n.

    Introduced in chapter 5 (What can be proved impossible).

    An illustration of the theorem, not its proof: the values are exact, the logarithms are
    computed from them (``math.log`` of exact ints, to double precision).

    Attributes
    ----------
    log_abs : (N,) array
        log |a_n| (natural log; −inf for a_n = 0).
    loglog : (N,) array
        log log |a_n| where |a_n| > 1, NaN elsewhere; linear in n for doubly exponential growth.
    loglog_slope : float
        Least-squares slope of ``loglog`` against n over the second half of the indices
        (log 2 ≈ 0.693 for squaring maps); NaN if fewer than two finite values there.
    log_bound : (N,) array
        log((n!)^c K^n) = c log n! + n log K.
    c_needed : (N,) array
        (log |a_n| − n log K) / log n! for n ≥ 2 (NaN for n < 2): the least c for which the
        bound holds at n with this K. Unbounded growth of it means that no c works.
    violated_from : int or None
        The least n such that log |a_m| > log_bound[m] for every m ≥ n in the data (None if
        the last term obeys the bound).
    c, K : float
        The constants tested.
    """

    log_abs: np.ndarray
    loglog: np.ndarray
    loglog_slope: float
    log_bound: np.ndarray
    c_needed: np.ndarray
    violated_from: int | None
    c: float
    K: float

    def __repr__(self) -> str:
        return (
            f"GrowthCertificate(n={len(self.log_abs)}, c={self.c:g}, K={self.K:g}, "
            f"loglog_slope={self.loglog_slope:.4f}, violated_from={self.violated_from})"
        )


def growth_certificate(
    sequence: Sequence[object] | QuadraticChain, c: float = 1.0, K: float = 2.0
) -> GrowthCertificate:
    """Compare an exact sequence with the bound |a_n| ≤ (n!)^c K^n of P-recursive sequences.

    Introduced in chapter 5 (What can be proved impossible).

    Every P-recursive (holonomic) sequence — one satisfying Σ_{i=0}^{r} p_i(n) a_{n+i} = 0
    with polynomial p_i, p_r ≠ 0 — has constants c, K with |a_n| ≤ (n!)^c K^n for all large n
    (the chapter proves it). A doubly exponential sequence beats every such bound; this
    function shows where it beats the given one and how the needed exponent c grows.

    Parameters
    ----------
    sequence : sequence of exact numbers, or QuadraticChain
        a_0, a_1, … (at least 2 terms; ints, Fractions or sympy Rationals). A
        :class:`QuadraticChain` means its ``zs``.
    c : float > 0
    K : float >= 1

    Returns
    -------
    GrowthCertificate

    Examples
    --------
    >>> from bpcore.impossibility import growth_certificate, quadratic_chain
    >>> growth_certificate(quadratic_chain(12), c=2, K=10).violated_from
    7
    """
    if isinstance(sequence, QuadraticChain):
        values = list(sequence.zs)
    else:
        if isinstance(sequence, str | bytes) or not isinstance(sequence, Sequence | np.ndarray):
            raise TypeError(
                f"sequence must be a sequence of exact numbers or a QuadraticChain, got "
                f"{type(sequence).__name__}"
            )
        values = [_exact_rational(v, f"sequence[{k}]") for k, v in enumerate(sequence)]
    if len(values) < 2:
        raise ValueError(f"sequence must have at least 2 terms, got {len(values)}")
    c = check_real(c, "c", low=0.0, low_open=True)
    K = check_real(K, "K", low=1.0)
    n = np.arange(len(values))
    log_abs = np.array([_log_abs(v) for v in values])
    with np.errstate(invalid="ignore", divide="ignore"):
        loglog = np.where(log_abs > 0, np.log(np.where(log_abs > 0, log_abs, 1.0)), np.nan)
        log_fact = np.array([math.lgamma(k + 1) for k in n])
        log_bound = c * log_fact + n * math.log(K)
        c_needed = np.where(
            n >= 2, (log_abs - n * math.log(K)) / np.where(n >= 2, log_fact, 1.0), np.nan
        )
    half = n >= len(values) // 2
    ok = half & np.isfinite(loglog)
    slope = float(np.polyfit(n[ok], loglog[ok], 1)[0]) if ok.sum() >= 2 else math.nan
    above = log_abs > log_bound
    violated_from: int | None = None
    if above[-1]:
        below = np.flatnonzero(~above)
        violated_from = int(below[-1] + 1) if below.size else 0
    for arr in (log_abs, loglog, log_bound, c_needed):
        arr.setflags(write=False)
    return GrowthCertificate(log_abs, loglog, slope, log_bound, c_needed, violated_from, c, K)


# ---------------------------------------------------------------------------------------------
# Decidable vocabularies: the Siegelmann–Sontag stack network
# ---------------------------------------------------------------------------------------------

#: Stack operations a program may use (per stack, per step).
OPS = ("noop", "push0", "push1", "pop")
#: What a step reads from each stack: empty, top symbol 0, top symbol 1 ("*" = any, in programs).
READS = ("empty", "0", "1")


def saturated_linear(x: object) -> object:
    """σ(x) = min(1, max(0, x)), the saturated-linear activation; exact for Fractions.

    Introduced in chapter 5 (What can be proved impossible).

    A Fraction or int gives a Fraction or int (no rounding); a float array gives np.clip(x, 0, 1).
    """
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            return np.array([saturated_linear(v) for v in x.ravel()], dtype=object).reshape(x.shape)
        return np.clip(x, 0.0, 1.0)
    if isinstance(x, bool) or not isinstance(x, int | float | Fraction):
        raise TypeError(f"x must be a number or an array, got {type(x).__name__}")
    return 0 if x <= 0 else (1 if x >= 1 else x)


def _check_bits(bits: object, name: str) -> tuple[int, ...]:
    if isinstance(bits, str):
        if any(ch not in "01" for ch in bits):
            raise ValueError(
                f"{name} must be a string of '0'/'1' or a sequence of 0/1, got {bits!r}"
            )
        return tuple(int(ch) for ch in bits)
    if not isinstance(bits, Sequence | np.ndarray):
        raise TypeError(f"{name} must be a sequence of bits 0/1, got {type(bits).__name__}")
    out = []
    for k, v in enumerate(bits):
        b = check_int(v, f"{name}[{k}]", minimum=0)
        if b > 1:
            raise ValueError(f"{name}[{k}] must be 0 or 1, got {b}")
        out.append(b)
    return tuple(out)


def stack_encode(bits: object) -> Fraction:
    """Siegelmann–Sontag encoding of a stack: q = Σ_i (2 s_i + 1) / 4^i, top symbol s_1 first.

    Introduced in chapter 5 (What can be proved impossible).

    The base-4 digits are 1 (for 0) and 3 (for 1), so the codes form a Cantor set: an empty
    stack is 0, a stack with top 0 lies in [1/4, 1/2), with top 1 in [3/4, 1). These gaps let
    σ read the top exactly (:func:`stack_top`).

    Parameters
    ----------
    bits : sequence of 0/1 or a string of '0'/'1'
        The stack contents, top first.

    Examples
    --------
    >>> from bpcore.impossibility import stack_encode
    >>> stack_encode([1, 0])
    Fraction(13, 16)
    """
    q = Fraction(0)
    for s in reversed(_check_bits(bits, "bits")):
        q = q / 4 + Fraction(2 * s + 1, 4)
    return q


def _check_code(q: object, name: str = "q") -> Fraction:
    v = check_exact_number(q, name)
    if not isinstance(v, int | Fraction):
        v = _exact_rational(v, name)
    v = Fraction(v)
    if not 0 <= v < 1:
        raise ValueError(f"{name} must be a stack code in [0, 1), got {v}")
    return v


def stack_top(q: object) -> int:
    """Top symbol of the stack coded by q: σ(4q − 2) (0 for the empty stack).

    Introduced in chapter 5 (What can be proved impossible).
    """
    return int(saturated_linear(4 * _check_code(q) - 2))


def stack_nonempty(q: object) -> int:
    """1 if the stack coded by q is non-empty, else 0: σ(4q).

    Introduced in chapter 5 (What can be proved impossible).
    """
    return int(saturated_linear(4 * _check_code(q)))


def stack_push(q: object, bit: int) -> Fraction:
    """Push ``bit`` onto the stack coded by q: q/4 + (2 bit + 1)/4 (affine; no σ needed).

    Introduced in chapter 5 (What can be proved impossible).
    """
    b = check_int(bit, "bit", minimum=0)
    if b > 1:
        raise ValueError(f"bit must be 0 or 1, got {b}")
    return _check_code(q) / 4 + Fraction(2 * b + 1, 4)


def stack_pop(q: object) -> Fraction:
    """Pop the stack coded by q: σ(4q − 2 top(q) − 1) (popping the empty stack leaves it empty).

    Introduced in chapter 5 (What can be proved impossible).
    """
    v = _check_code(q)
    return Fraction(saturated_linear(4 * v - 2 * stack_top(v) - 1))


def stack_decode(q: object, *, max_symbols: int | None = None) -> tuple[int, ...]:
    """The stack (top first) coded by q; ValueError if q is not a code.

    Introduced in chapter 5 (What can be proved impossible).

    Exact for a Fraction (every code is a finite base-4 expansion with digits 1 and 3). For a
    float the decision thresholds sit in the middle of the gaps (nonempty iff q ≥ 1/8, top 1
    iff q ≥ 1/2) and at most ``max_symbols`` (default 64) symbols are read, so a corrupted
    float code decodes to *something* that can be compared with the exact run.
    """
    if isinstance(q, float | np.floating):
        limit = 64 if max_symbols is None else check_int(max_symbols, "max_symbols", minimum=0)
        x = float(q)
        out = []
        while x >= 0.125 and len(out) < limit:
            t = 1 if x >= 0.5 else 0
            out.append(t)
            x = 4 * x - 2 * t - 1
        return tuple(out)
    v = _check_code(q)
    out = []
    while v != 0:
        t = 1 if v >= Fraction(3, 4) else 0
        if not (Fraction(1, 4) <= v < Fraction(1, 2) or v >= Fraction(3, 4)):
            raise ValueError(f"q must be a stack code (base-4 digits 1 and 3), got {Fraction(q)}")
        out.append(t)
        v = 4 * v - 2 * t - 1
    return tuple(out)


@dataclass(frozen=True)
class Configuration:
    """A stack machine's configuration: control state and stacks (each a tuple, top first).

    Introduced in chapter 5 (What can be proved impossible).
    """

    state: str
    stacks: tuple[tuple[int, ...], ...]

    def __repr__(self) -> str:
        stacks = ", ".join("".join(map(str, s)) or "∅" for s in self.stacks)
        return f"Configuration(state={self.state!r}, stacks=[{stacks}])"


def _read(stack: Sequence[int]) -> str:
    return "empty" if not stack else str(stack[0])


def _apply(op: str, stack: tuple[int, ...]) -> tuple[int, ...]:
    if op == "noop":
        return stack
    if op == "pop":
        return stack[1:]
    return (int(op[-1]), *stack)


def _normalise_program(
    program: object, n_stacks: int
) -> tuple[list[str], dict[tuple[str, ...], tuple[str, ...]]]:
    """Validate and expand a program: wildcards out, halting states get no-op self-loops."""
    if not isinstance(program, Mapping) or not program:
        raise TypeError(
            "program must be a non-empty dict {(state, read_1, …, read_K): (next_state, op_1, "
            f"…, op_K)}}, got {type(program).__name__}"
        )
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    states: list[str] = []
    for key, value in program.items():
        if (
            not isinstance(key, tuple)
            or not isinstance(value, tuple)
            or len(key) != n_stacks + 1
            or len(value) != n_stacks + 1
        ):
            raise ValueError(
                f"program entries must map (state, {n_stacks} reads) to (next_state, "
                f"{n_stacks} ops), got {key!r}: {value!r}"
            )
        state, *reads = key
        nxt, *ops = value
        for s in (state, nxt):
            if not isinstance(s, str):
                raise ValueError(f"program states must be strings, got {s!r} in {key!r}")
            if s not in states:
                states.append(s)
        for r in reads:
            if r not in (*READS, "*"):
                raise ValueError(
                    f"program reads must be one of {(*READS, '*')}, got {r!r} in {key!r}"
                )
        for op in ops:
            if op not in OPS:
                raise ValueError(f"program ops must be one of {OPS}, got {op!r} in {key!r}")
        choices = [READS if r == "*" else (r,) for r in reads]
        for combo in itertools.product(*choices):
            full = (state, *combo)
            if full in table and table[full] != (nxt, *ops):
                raise ValueError(f"program has two different transitions for {full!r}")
            table[full] = (nxt, *ops)
    acting = {k[0] for k in table}
    for state in states:
        for combo in itertools.product(READS, repeat=n_stacks):
            full = (state, *combo)
            if full in table:
                continue
            if state in acting:
                raise ValueError(f"program has no transition for {full!r} (state {state!r})")
            table[full] = (state, *("noop",) * n_stacks)  # a halting state: stay put
    return states, table


def run_reference(
    program: Mapping[tuple[str, ...], tuple[str, ...]],
    start: str,
    stacks: Sequence[object],
    steps: int,
) -> list[Configuration]:
    """The same stack machine as :func:`stack_network`, with plain Python tuples as stacks.

    Introduced in chapter 5 (What can be proved impossible).

    Returns the configurations after 0, 1, …, ``steps`` steps (the reference the network is
    checked against). Popping an empty stack leaves it empty; a state without transitions
    halts (stays put).
    """
    n_stacks = len(stacks)
    states, table = _normalise_program(program, n_stacks)
    if start not in states:
        raise ValueError(f"start must be a state of the program {states}, got {start!r}")
    steps = check_int(steps, "steps", minimum=0)
    st = tuple(_check_bits(s, f"stacks[{k}]") for k, s in enumerate(stacks))
    conf = Configuration(start, st)
    out = [conf]
    for _ in range(steps):
        nxt, *ops = table[(conf.state, *(_read(s) for s in conf.stacks))]
        conf = Configuration(
            nxt, tuple(_apply(op, s) for op, s in zip(ops, conf.stacks, strict=True))
        )
        out.append(conf)
    return out


def reverse_program() -> dict[tuple[str, ...], tuple[str, ...]]:
    """A two-stack program that reverses the bit string on stack 1 onto stack 2.

    Introduced in chapter 5 (What can be proved impossible).

    State ``"move"``: if stack 1 is empty go to ``"halt"``, else pop its top s and push s on
    stack 2. From stacks (s_1 … s_n, ∅) it halts after n + 1 steps with (∅, s_n … s_1), i.e.
    stack 2 read top first is the reversed string.
    """
    return {
        ("move", "empty", "*"): ("halt", "noop", "noop"),
        ("move", "0", "*"): ("move", "pop", "push0"),
        ("move", "1", "*"): ("move", "pop", "push1"),
    }


@dataclass(frozen=True, eq=False)
class StackNetwork:
    """A tied saturated-linear network a ↦ σ(W a + b) that runs a stack machine, one step per layer.

    Introduced in chapter 5 (What can be proved impossible).

    Built by :func:`stack_network`. For every transition i = (state s, reads r_1 … r_K) of the
    program there are 1 + 3K units: a gate g_i and, for each stack j, the candidate code c_ij,
    top t_ij and non-empty flag e_ij of stack j *after* the transition. Exactly one transition
    fires per step; the others' units are 0. One more group of 1 + 3K input units per state
    holds the input activations a^(1) (layer 1, :meth:`initial`); their rows of W and b are 0, so
    they are 0 from layer 2 on.
    The machine state is a linear read-out
    u = R a: p_s = Σ_{i → s} g_i (one-hot control), q_j = Σ_i c_ij, top_j = Σ_i t_ij,
    nonempty_j = Σ_i e_ij. With the indicators [read_j = 1] = top_j, [read_j = 0] =
    nonempty_j − top_j, [read_j = empty] = 1 − nonempty_j and the gate
    γ_i = p_s + Σ_j [read_j = r_ij] − K (1 iff transition i fires, ≤ 0 otherwise),

        g_i = σ(γ_i),  c_ij = σ(A_ij + γ_i − 1),  t_ij = σ(4A_ij − 2 + 2(γ_i − 1)),
        e_ij = σ(4A_ij + 4(γ_i − 1)),

    where A_ij is the affine stack update of the transition's op: q_j (noop),
    q_j/4 + (2s+1)/4 (push s), 4q_j − 2top_j − 1 (pop). All of these are affine in u, hence
    W = B R with rational B, R, and σ makes every unit exact (Siegelmann & Sontag 1995 use
    the same encoding; this compilation with one layer per step is ours).

    Attributes
    ----------
    W : (N, N) object array of Fraction
        The tied weight matrix, W = B R.
    b : (N,) object array of Fraction
        The tied bias.
    R : (S + 3K, N) int array
        The read-out (0/1 entries): rows p_1…p_S, q_1…q_K, top_1…top_K, nonempty_1…nonempty_K.
    B : (N, S + 3K) object array of Fraction
        W = B R; :meth:`step` evaluates W a as B (R a), the same rational numbers.
    states : tuple of str
    transitions : tuple of tuples
        (state, reads…, next_state, ops…) per transition, in unit order.
    n_stacks : int
    """

    b: np.ndarray
    R: np.ndarray
    B: np.ndarray
    states: tuple[str, ...]
    transitions: tuple[tuple[str, ...], ...]
    n_stacks: int

    @property
    def n_units(self) -> int:
        """Width N of the layer."""
        return int(self.B.shape[0])

    @functools.cached_property
    def W(self) -> np.ndarray:
        """The tied weight matrix W = B R, an (N, N) object array of Fractions (formed once)."""
        W = self.B.dot(self.R.astype(object))
        W.setflags(write=False)
        return W

    def __repr__(self) -> str:
        return (
            f"StackNetwork(states={list(self.states)}, stacks={self.n_stacks}, "
            f"transitions={len(self.transitions)}, units={self.n_units})"
        )

    def _check_z(self, z: object, exact: bool) -> np.ndarray:
        if not isinstance(z, np.ndarray) or z.shape != (self.n_units,):
            raise ValueError(
                f"z must be a ({self.n_units},) array of activations of this network, got "
                f"{getattr(z, 'shape', type(z).__name__)}"
            )
        if exact and z.dtype != object:
            raise TypeError("z must be an object array of Fractions (use step_float64 for floats)")
        return z

    def initial(self, start: str, stacks: Sequence[object]) -> np.ndarray:
        """Activations a^(1) (layer 1, the input) of the configuration (start, stacks), exact.

        Introduced in chapter 5 (What can be proved impossible).

        The input group of ``start`` carries the configuration (gate 1, the stack codes, tops
        and flags); all other units are 0, so R a^(1) reads it back. An object array of
        Fractions.
        """
        if start not in self.states:
            raise ValueError(f"start must be one of the states {list(self.states)}, got {start!r}")
        if isinstance(stacks, str | bytes) or len(stacks) != self.n_stacks:
            raise ValueError(
                f"stacks must be a list of {self.n_stacks} bit sequences, got {stacks!r}"
            )
        codes = [stack_encode(_check_bits(s, f"stacks[{k}]")) for k, s in enumerate(stacks)]
        G, K = len(self.transitions) + len(self.states), self.n_stacks
        i = len(self.transitions) + self.states.index(start)  # the input group of `start`
        z = np.array([Fraction(0)] * self.n_units, dtype=object)
        z[i] = Fraction(1)
        for j, q in enumerate(codes):
            z[G + j * G + i] = q
            z[G + (K + j) * G + i] = Fraction(stack_top(q))
            z[G + (2 * K + j) * G + i] = Fraction(stack_nonempty(q))
        return z

    def step(self, z: np.ndarray) -> np.ndarray:
        """One layer, exactly: a^(l+1) = σ(W a^(l) + b) for a^(l) = ``z``, in Fractions (sparse).

        Introduced in chapter 5 (What can be proved impossible).
        """
        z = self._check_z(z, exact=True)
        groups, rows = self._sparse
        u = [sum((z[k] for k in idx if z[k]), Fraction(0)) for idx in groups]  # u = R z
        out = np.empty(self.n_units, dtype=object)
        for r, (entries, const) in enumerate(rows):  # B u + b, skipping zeros
            out[r] = saturated_linear(sum((v * u[c] for c, v in entries if u[c]), const))
        return out

    @functools.cached_property
    def _sparse(self) -> tuple[list[list[int]], list[tuple[list[tuple[int, Fraction]], Fraction]]]:
        groups = [list(np.flatnonzero(row)) for row in self.R]
        rows = [
            ([(c, v) for c, v in enumerate(self.B[r]) if v], Fraction(self.b[r]))
            for r in range(self.n_units)
        ]
        return groups, rows

    def step_float64(self, z: np.ndarray) -> np.ndarray:
        """One layer in float64: np.clip(W a + b, 0, 1) for a = ``z``, W and b rounded to float64.

        Introduced in chapter 5 (What can be proved impossible).
        """
        z = self._check_z(z, exact=False)
        return np.clip(self._W64 @ np.asarray(z, dtype=np.float64) + self._b64, 0.0, 1.0)

    @functools.cached_property
    def _W64(self) -> np.ndarray:
        return self.B.astype(np.float64) @ self.R.astype(np.float64)  # exact: B has dyadic entries

    @functools.cached_property
    def _b64(self) -> np.ndarray:
        return self.b.astype(np.float64)

    def run(self, start: str, stacks: Sequence[object], steps: int) -> list[np.ndarray]:
        """Activations a^(1), …, a^(steps+1), exact (a^(t+1): the configuration after t steps).

        Introduced in chapter 5 (What can be proved impossible).
        """
        steps = check_int(steps, "steps", minimum=0)
        zs = [self.initial(start, stacks)]
        for _ in range(steps):  # inherently sequential: one layer per machine step
            zs.append(self.step(zs[-1]))
        return zs

    def run_float64(self, start: str, stacks: Sequence[object], steps: int) -> list[np.ndarray]:
        """Activations a^(1), …, a^(steps+1) in float64 (a^(1) is the exact one, rounded).

        Introduced in chapter 5 (What can be proved impossible).
        """
        steps = check_int(steps, "steps", minimum=0)
        W64, b64 = self._W64, self._b64
        zs = [self.initial(start, stacks).astype(np.float64)]
        for _ in range(steps):
            zs.append(np.clip(W64 @ zs[-1] + b64, 0.0, 1.0))
        return zs

    def decode(self, z: np.ndarray) -> Configuration:
        """The machine configuration that the activations z encode.

        Introduced in chapter 5 (What can be proved impossible).

        Exact z (object array): the read-out must be a one-hot control and valid stack codes
        whose tops and flags agree with the read-out (ValueError otherwise). Float z: the
        control is the largest p_s and the stacks are decoded with mid-gap thresholds
        (:func:`stack_decode`), so a float run can be compared with the exact one.
        """
        S, K = len(self.states), self.n_stacks
        if isinstance(z, np.ndarray) and z.dtype != object:
            z = self._check_z(z, exact=False)
            u = self.R.astype(np.float64) @ z
            state = self.states[int(np.argmax(u[:S]))]
            stacks = tuple(stack_decode(float(u[S + j])) for j in range(K))
            return Configuration(state, stacks)
        z = self._check_z(z, exact=True)
        u = self.R.dot(z)
        p = list(u[:S])
        if sorted(p) != [0] * (S - 1) + [1]:
            raise ValueError(f"z does not encode a control state: p = {[str(v) for v in p]}")
        stacks = []
        for j in range(K):
            q = Fraction(u[S + j])
            s = stack_decode(q)
            if u[S + K + j] != stack_top(q) or u[S + 2 * K + j] != stack_nonempty(q):
                raise ValueError(f"z: the top/nonempty units of stack {j} disagree with its code")
            stacks.append(s)
        return Configuration(self.states[p.index(1)], tuple(stacks))


def stack_network(
    program: Mapping[tuple[str, ...], tuple[str, ...]], n_stacks: int = 2
) -> StackNetwork:
    """Compile a finite-control stack program into one tied saturated-linear layer.

    Introduced in chapter 5 (What can be proved impossible).

    Parameters
    ----------
    program : dict
        {(state, read_1, …, read_K): (next_state, op_1, …, op_K)} with reads in
        ``READS`` = ("empty", "0", "1") or "*" (any), ops in ``OPS`` =
        ("noop", "push0", "push1", "pop"). A state that has transitions must have one for every
        combination of reads; a state without any (e.g. "halt") halts: it stays put.
    n_stacks : int >= 1
        K, the number of stacks.

    Returns
    -------
    StackNetwork
        See its docstring for the construction; (S·3^K + S) groups of (1 + 3K) units.

    Raises
    ------
    TypeError, ValueError
        A program that is not such a dict, an unknown op or read, missing or conflicting
        transitions ("a program the stack machine does not understand").

    Examples
    --------
    >>> from bpcore.impossibility import reverse_program, stack_network
    >>> net = stack_network(reverse_program())
    >>> net.decode(net.run("move", ["110", ""], 4)[-1])
    Configuration(state='halt', stacks=[∅, 011])
    """
    K = check_int(n_stacks, "n_stacks", minimum=1)
    if K > 4:
        raise ValueError(f"n_stacks must be <= 4 (the layer has S·3^K·(1+3K) units), got {K}")
    states, table = _normalise_program(program, K)
    S = len(states)
    trans = [(*key, *val) for key, val in table.items()]
    T = len(trans)
    G = T + S  # unit groups: one per transition, then one input group per state
    N = G * (1 + 3 * K)
    R = np.zeros((S + 3 * K, N), dtype=np.int64)
    for i in range(G):
        R[states.index(trans[i][K + 1]) if i < T else i - T, i] = 1
        for j in range(K):
            R[S + j, G + j * G + i] = 1
            R[S + K + j, G + (K + j) * G + i] = 1
            R[S + 2 * K + j, G + (2 * K + j) * G + i] = 1
    zero = Fraction(0)
    B = np.array([[zero] * (S + 3 * K) for _ in range(N)], dtype=object)
    bias = np.array([zero] * N, dtype=object)

    def q(j: int) -> int:
        return S + j

    def top(j: int) -> int:
        return S + K + j

    def ne(j: int) -> int:
        return S + 2 * K + j

    for i, tr in enumerate(trans):
        state, reads, ops = tr[0], tr[1 : K + 1], tr[K + 2 :]
        # γ_i = p_s + Σ_j [read_j = r_ij] − K, as (coefficients on u, constant)
        gamma = {states.index(state): Fraction(1)}
        const = Fraction(-K)
        for j, r in enumerate(reads):
            if r == "1":
                gamma[top(j)] = gamma.get(top(j), zero) + 1
            elif r == "0":
                gamma[ne(j)] = gamma.get(ne(j), zero) + 1
                gamma[top(j)] = gamma.get(top(j), zero) - 1
            else:
                gamma[ne(j)] = gamma.get(ne(j), zero) - 1
                const += 1
        for col, v in gamma.items():
            B[i, col] += v
        bias[i] = const
        for j, op in enumerate(ops):
            # A_ij as (coefficients, constant)
            if op == "noop":
                A, a0 = {q(j): Fraction(1)}, zero
            elif op == "pop":
                A, a0 = {q(j): Fraction(4), top(j): Fraction(-2)}, Fraction(-1)
            else:
                A, a0 = {q(j): Fraction(1, 4)}, Fraction(2 * int(op[-1]) + 1, 4)
            # unit rows: c = σ(A + γ − 1), t = σ(4A − 2 + 2(γ − 1)), e = σ(4A + 4(γ − 1))
            for block, scale_A, scale_g, extra in ((0, 1, 1, 0), (1, 4, 2, -2), (2, 4, 4, 0)):
                row = G + (block * K + j) * G + i
                for col, v in A.items():
                    B[row, col] += scale_A * v
                for col, v in gamma.items():
                    B[row, col] += scale_g * v
                bias[row] = scale_A * a0 + scale_g * (const - 1) + extra
    return StackNetwork(
        b=bias,
        R=R,
        B=B,
        states=tuple(states),
        transitions=tuple(tuple(tr) for tr in trans),
        n_stacks=K,
    )


def relu_embedding(net: StackNetwork) -> tuple[np.ndarray, np.ndarray]:
    """The tied ReLU layer of width 2N that runs the same machine as a StackNetwork of width N.

    Introduced in chapter 5 (What can be proved impossible).

    σ(x) = relu(x) − relu(x − 1), so with r = (r₁, r₂) and a = r₁ − r₂ the layer
    r ↦ relu(W' r + b'), W' = [[W, −W], [W, −W]], b' = (b, b − 1) gives
    r₁' − r₂' = σ(W a + b): the ReLU activations carry the saturated-linear ones exactly. Start
    from r^(1) = (a^(1), 0). (Our construction, used in the chapter to carry the Turing
    completeness of tied saturated-linear networks over to tied ReLU networks.)

    Parameters
    ----------
    net : StackNetwork

    Returns
    -------
    (W2, b2) : ((2N, 2N) object array, (2N,) object array) of Fraction

    Examples
    --------
    >>> from bpcore.impossibility import relu_embedding, reverse_program, stack_network
    >>> W2, b2 = relu_embedding(stack_network(reverse_program()))
    >>> W2.shape
    (280, 280)
    """
    if not isinstance(net, StackNetwork):
        raise TypeError(f"net must be a StackNetwork, got {type(net).__name__}")
    W = net.W
    W2 = np.block([[W, -W], [W, -W]]).astype(object)
    b2 = np.concatenate([net.b, net.b - 1]).astype(object)
    W2.setflags(write=False)
    b2.setflags(write=False)
    return W2, b2


@dataclass(frozen=True)
class FloatFailure:
    """Where the float64 stack network first disagrees with the exact machine.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    symbols : int or None
        The shortest input length n (reverse program, random bits) whose float64 run decodes
        wrongly at some layer; None if none up to ``max_symbols``.
    step : int or None
        The first layer at which it decodes wrongly.
    bits : tuple of int
        The input that failed.
    seed : int
    """

    symbols: int | None
    step: int | None
    bits: tuple[int, ...]
    seed: int


def float64_failure(max_symbols: int = 40, seed: int = 0) -> FloatFailure:
    """Run the reversal network in float64 on random bit strings of growing length n.

    Introduced in chapter 5 (What can be proved impossible).

    For n = 1, …, ``max_symbols`` a random string (``numpy.random.default_rng(seed)``, a fresh
    draw per n) is reversed by :func:`stack_network` (:func:`reverse_program`) in float64 for
    n + 1 layers and every layer is decoded and compared with :func:`run_reference`. A code of
    n symbols has at most 2n significant bits (2n − 1 when its top symbol is 0; its last base-4
    digit is odd), and float64 keeps 53, so the codes themselves fit up to n = 26. What breaks
    first is a sum. The first wrong unit is the new code c_ij = σ(A_ij + γ_i − 1) of the
    firing push onto stack 2. Its exact pre-activation, the new code, lies in [1/4, 1) and is
    representable, but float64 forms W a first: the code term q_2/4 plus three terms equal to
    1, about 3.2, where the float spacing is 2^-51. Only then is the bias (−11/4 or −9/4)
    added. The last bit of a code of 26 symbols, 2^-52, is lost in that partial sum. Measured:
    the first failure is at n = 26 (after 26 steps, the 26th push onto stack 2) for seeds 0–4.

    Returns
    -------
    FloatFailure
    """
    max_symbols = check_int(max_symbols, "max_symbols", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    program = reverse_program()
    net = stack_network(program, 2)
    rng = np.random.default_rng(seed)
    for n in range(1, max_symbols + 1):
        bits = tuple(int(v) for v in rng.integers(0, 2, size=n))
        ref = run_reference(program, "move", [bits, ()], n + 1)
        zs = net.run_float64("move", [bits, ()], n + 1)
        for step, (z, conf) in enumerate(zip(zs, ref, strict=True)):
            if net.decode(z) != conf:
                return FloatFailure(n, step, bits, seed)
    return FloatFailure(None, None, (), seed)


# ---------------------------------------------------------------------------------------------
# Products of matrices: joint spectral radius bounds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JSRBounds:
    """Brute-force bounds on the joint spectral radius from all products of length k.

    Introduced in chapter 5 (What can be proved impossible).

    For every k: max_P ρ(P)^(1/k) ≤ JSR ≤ max_P ‖P‖₂^(1/k), P over the m^k products of
    length k (Rota & Strang 1960; Jungers 2009, ch. 1).

    Attributes
    ----------
    lower, upper : float
    k : int
        Product length.
    products : int
        m^k, the products of length k examined.
    multiplications : int
        Matrix products formed so far to reach length k (m² + … + m^k).
    word : tuple of int
        Indices (left to right) of a product attaining ``lower``.
    """

    lower: float
    upper: float
    k: int
    products: int
    multiplications: int
    word: tuple[int, ...]

    def __repr__(self) -> str:
        return (
            f"JSRBounds(lower={self.lower:.6g}, upper={self.upper:.6g}, k={self.k}, "
            f"products={self.products})"
        )


def _check_matrix_set(matrices: object) -> np.ndarray:
    if isinstance(matrices, np.ndarray):
        arr = check_real_array(matrices, "matrices", ndim=3)
    elif isinstance(matrices, Sequence) and not isinstance(matrices, str | bytes):
        if len(matrices) == 0:
            raise ValueError("matrices must contain at least one matrix, got an empty set")
        mats = [check_square_matrix(A, f"matrices[{k}]") for k, A in enumerate(matrices)]
        if len({A.shape for A in mats}) != 1:
            raise ValueError(
                f"matrices must all have the same shape, got {sorted({A.shape for A in mats})}"
            )
        arr = np.stack(mats)
    else:
        raise TypeError(
            f"matrices must be a list of square matrices, got {type(matrices).__name__}"
        )
    if arr.shape[0] == 0:
        raise ValueError("matrices must contain at least one matrix, got an empty set")
    if arr.shape[1] != arr.shape[2] or arr.shape[1] == 0:
        raise ValueError(f"matrices must be square n×n, got shape {arr.shape[1:]}")
    return arr


def jsr_bounds_by_length(
    matrices: object, k_max: int, *, max_products: int = 2_000_000
) -> tuple[JSRBounds, ...]:
    """:func:`jsr_bounds` for every k = 1, …, k_max, sharing one product tree.

    Introduced in chapter 5 (What can be proved impossible).

    Parameters
    ----------
    matrices : sequence of (n, n) arrays or an (m, n, n) array
        A non-empty finite set of real square matrices of one size.
    k_max : int >= 1
    max_products : int >= 1
        Refuse (ValueError naming k_max) if m^k_max exceeds this: the cost is exponential.

    Returns
    -------
    tuple of JSRBounds
        Entry k − 1 is for length k.
    """
    A = _check_matrix_set(matrices)
    k_max = check_int(k_max, "k_max", minimum=1)
    max_products = check_int(max_products, "max_products", minimum=1)
    m, n = A.shape[0], A.shape[1]
    if m**k_max > max_products:
        raise ValueError(
            f"k_max must keep m^k_max <= max_products = {max_products} (m = {m} matrices), got "
            f"k_max = {k_max}: {m}^{k_max} = {m**k_max} products"
        )
    out = []
    P = A.copy()
    mults = 0
    for k in range(1, k_max + 1):
        if k > 1:
            P = np.matmul(P[:, None, :, :], A[None, :, :, :]).reshape(-1, n, n)
            mults += P.shape[0]
        if not np.all(np.isfinite(P)):
            raise OverflowError(f"products of length {k} overflow float64; scale the matrices")
        rho = np.max(np.abs(np.linalg.eigvals(P)), axis=1)
        norm = np.linalg.norm(P, ord=2, axis=(1, 2))
        best = int(np.argmax(rho))
        word = tuple(int(d) for d in np.unravel_index(best, (m,) * k)) if k > 1 else (best,)
        out.append(
            JSRBounds(
                lower=float(rho[best]) ** (1.0 / k),
                upper=float(norm.max()) ** (1.0 / k),
                k=k,
                products=m**k,
                multiplications=mults,
                word=word,
            )
        )
    return tuple(out)


def jsr_bounds(matrices: object, k: int, *, max_products: int = 2_000_000) -> JSRBounds:
    """Bounds on the joint spectral radius from all m^k products of length k.

    Introduced in chapter 5 (What can be proved impossible).

    ρ(Σ) = lim_k max_P ‖P‖^(1/k) over products P of k matrices from Σ. For every k,
    max ρ(P)^(1/k) ≤ ρ(Σ) ≤ max ‖P‖₂^(1/k); both bounds converge, but the work is m^k and the
    gap can close arbitrarily slowly (for {[[1, 1], [0, 1]], [[1, 0], [0, 0]]}, JSR 1, the
    upper bound is still ≈ 1.16 at k = 20). Computing or approximating the JSR is NP-hard
    (Tsitsiklis & Blondel 1997) and boundedness of all products is undecidable (Blondel &
    Tsitsiklis 2000).

    Parameters
    ----------
    matrices, max_products : see :func:`jsr_bounds_by_length`
    k : int >= 1

    Returns
    -------
    JSRBounds

    Examples
    --------
    >>> from bpcore.impossibility import jsr_bounds
    >>> jsr_bounds([[[1, 1], [0, 1]], [[1, 0], [1, 1]]], 2)
    JSRBounds(lower=1.61803, upper=1.61803, k=2, products=4)
    """
    A = _check_matrix_set(matrices)
    k = check_int(k, "k", minimum=1)
    max_products = check_int(max_products, "max_products", minimum=1)
    if A.shape[0] ** k > max_products:
        raise ValueError(
            f"k must keep m^k <= max_products = {max_products} (m = {A.shape[0]} matrices), got "
            f"k = {k}: {A.shape[0] ** k} products"
        )
    return jsr_bounds_by_length(A, k, max_products=max_products)[-1]


def relu_backward_factors(W: object, patterns: object = None) -> np.ndarray:
    """The backward factors D Wᵀ of a tied ReLU layer, one per activation pattern.

    Introduced in chapter 5 (What can be proved impossible).

    Backprop through a tied ReLU net multiplies δ by M = D Wᵀ with D = diag(pattern), the
    pattern being which units are on at that layer; which products occur depends on the input.
    Over *all* patterns the set always contains 0 (all off) and Wᵀ (all on), so its JSR is at
    least ρ(W).

    Parameters
    ----------
    W : (n, n) array
    patterns : (p, n) array of 0/1, optional
        The patterns to use; default all 2^n (n ≤ 10).

    Returns
    -------
    (p, n, n) array
        Entry k is diag(patterns[k]) Wᵀ; default order: pattern k has bit j = (k >> j) & 1.
    """
    W = check_square_matrix(W, "W")
    n = W.shape[0]
    if patterns is None:
        if n > 10:
            raise ValueError(f"W must be at most 10×10 for all 2^n patterns, got n = {n}")
        D = ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)
    else:
        D = check_real_array(patterns, "patterns", ndim=2)
        if D.shape[1] != n or D.shape[0] == 0:
            raise ValueError(f"patterns must have shape (p, {n}) with p >= 1, got {D.shape}")
        if not np.all((D == 0) | (D == 1)):
            raise ValueError("patterns must contain only 0 and 1")
    return D[:, :, None] * W.T[None, :, :]


# ---------------------------------------------------------------------------------------------
# Cost: the cheap gradient principle
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientFlops:
    """Multiply–adds of one forward pass and of forward + backward for an MLP batch.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    forward : int
        m Σ_l s_l s_{l+1} (the products W^(l) a^(l) for the m examples).
    backward : int
        The forward count (``MLP.backward`` runs its own forward pass) plus the weight
        gradients m Σ_l s_l s_{l+1} and the δ recurrence m Σ_{l=2}^{n_l−1} s_l s_{l+1}
        (δ^(1) is not computed).
    ratio : Fraction
        backward / forward; 3 − 1/L for L equal-width weight layers.
    """

    forward: int
    backward: int
    ratio: Fraction

    def __repr__(self) -> str:
        return (
            f"GradientFlops(forward={self.forward}, backward={self.backward}, ratio={self.ratio})"
        )


def gradient_flops(sizes: Sequence[int], m: int = 1) -> GradientFlops:
    """The multiply–add model of the cheap gradient principle for ``MLP.random(sizes)``.

    Introduced in chapter 5 (What can be proved impossible).

    Counts only matrix products (elementwise work is O(m Σ s_l), lower order). Baur & Strassen
    (1983) and Griewank & Walther (2008) bound the gradient's cost by a small constant times
    the function's for any straight-line program; here the constant is < 3.

    Parameters
    ----------
    sizes : sequence of int >= 1, length >= 2
        [s_1, …, s_{n_l}].
    m : int >= 1
        Batch size.

    Examples
    --------
    >>> from bpcore.impossibility import gradient_flops
    >>> gradient_flops([100] * 5).ratio
    Fraction(11, 4)
    """
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 layer widths, got {list(sizes)}")
    s = [check_int(v, f"sizes[{k}]", minimum=1) for k, v in enumerate(sizes)]
    m = check_int(m, "m", minimum=1)
    pairs = [a * b for a, b in itertools.pairwise(s)]
    forward = m * sum(pairs)
    backward = 2 * forward + m * sum(pairs[1:])
    return GradientFlops(forward, backward, Fraction(backward, forward))


@dataclass(frozen=True, eq=False)
class CheapGradient:
    """Measured forward and forward + backward times of ``MLP`` networks, with the flop model.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    sizes : tuple of tuple of int
        The networks' layer widths.
    batches : tuple of int
        The batch sizes.
    forward_seconds, backward_seconds : (len(sizes), len(batches)) arrays
        Median over rounds of the per-call time of ``net.forward(X)`` and of
        ``net.backward(X, Y)`` (which includes its own forward pass).
    ratio : (len(sizes), len(batches)) array
        Median over rounds of (forward + backward time) / (forward time), each round's two
        times measured back to back: ``MLP.backward`` runs its own forward pass, so this is
        the cost of the whole gradient in units of one forward pass.
    flop_ratio : (len(sizes), len(batches)) array
        :func:`gradient_flops` ratio for the same sizes (it does not depend on the batch).
    """

    sizes: tuple[tuple[int, ...], ...]
    batches: tuple[int, ...]
    forward_seconds: np.ndarray
    backward_seconds: np.ndarray
    ratio: np.ndarray
    flop_ratio: np.ndarray

    def __repr__(self) -> str:
        return (
            f"CheapGradient(widths={[max(s) for s in self.sizes]}, batches={list(self.batches)}, "
            f"ratio={short_array(self.ratio)}, flop_ratio={short_array(self.flop_ratio)})"
        )


_TIMING_SCRIPT = r"""
import json, statistics, sys, time
import numpy as np
from bpcore.network import MLP
args = json.loads(sys.argv[1])
def per_call(fn, min_total):
    n, total = 0, 0.0
    start = time.perf_counter()
    while total < min_total:
        fn()
        n += 1
        total = time.perf_counter() - start
    return total / n
configs = []
for sizes in args["sizes"]:
    net = MLP.random(sizes, "tanh", seed=args["seed"], output_activation="identity")
    for batch in args["batches"]:
        rng = np.random.default_rng(args["seed"])
        X = rng.standard_normal((batch, sizes[0]))
        Y = rng.standard_normal((batch, sizes[-1]))
        fwd = (lambda net, X: lambda: net.forward(X))(net, X)
        bwd = (lambda net, X, Y: lambda: net.backward(X, Y))(net, X, Y)
        fwd(); bwd()
        configs.append((fwd, bwd))
rounds = [[] for _ in configs]
for _ in range(args["repeats"]):  # interleaved: every configuration once per round
    for c, (fwd, bwd) in enumerate(configs):
        rounds[c].append((per_call(fwd, args["min_time"]), per_call(bwd, args["min_time"])))
out = [[statistics.median(f for f, _ in r), statistics.median(b for _, b in r),
        statistics.median(b / f for f, b in r)] for r in rounds]
print(json.dumps(out))
"""

#: Environment variables that pin the BLAS of the timing subprocess to one thread.
_ONE_THREAD = {
    v: "1"
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
}


def measure_cheap_gradient(
    sizes: Sequence[Sequence[int]],
    *,
    batches: Sequence[int] = (64,),
    repeats: int = 5,
    min_time: float = 0.05,
    seed: int = 0,
    timeout: float = 120.0,
) -> CheapGradient:
    """Time forward vs forward + backward of ``MLP.random`` networks in a fresh Python process.

    Introduced in chapter 5 (What can be proved impossible).

    A measurement tool: a subprocess of ``sys.executable`` (no warm caches or threads from the
    notebook; BLAS pinned to one thread) builds each network (tanh hidden layers, identity
    read-out, ``seed``) and one batch per entry of ``batches``, warms up, then runs ``repeats``
    rounds. Every round visits every (network, batch) configuration once, so that a change of
    load hits all of them alike; in each visit ``net.forward(X)`` and then
    ``net.backward(X, Y)`` are called until ``min_time`` seconds are spent, giving per-call
    times measured back to back. The results are medians over rounds. Timings depend on the
    machine, the BLAS and the load; compare the ratio with :func:`gradient_flops`.

    Parameters
    ----------
    sizes : non-empty sequence of layer-width lists
    batches : non-empty sequence of int >= 1
    repeats : int >= 1
    min_time : float > 0
        Seconds per timed block.
    seed : int >= 0
    timeout : float > 0
        Seconds before the subprocess is abandoned (``subprocess.TimeoutExpired``).

    Returns
    -------
    CheapGradient
    """
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence) or len(sizes) == 0:
        raise TypeError("sizes must be a non-empty list of layer-width lists, e.g. [[64] * 5]")
    flops = [gradient_flops(s, 1) for s in sizes]  # validates every entry
    size_lists = [[int(v) for v in s] for s in sizes]
    if isinstance(batches, str | bytes) or not isinstance(batches, Sequence) or not batches:
        raise TypeError("batches must be a non-empty list of batch sizes, e.g. [8, 512]")
    batch_list = [check_int(v, "batch", minimum=1) for v in batches]
    repeats = check_int(repeats, "repeats", minimum=1)
    min_time = check_real(min_time, "min_time", low=0.0, low_open=True)
    seed = check_int(seed, "seed", minimum=0)
    timeout = check_real(timeout, "timeout", low=0.0, low_open=True)
    payload = json.dumps(
        {
            "sizes": size_lists,
            "batches": batch_list,
            "repeats": repeats,
            "min_time": min_time,
            "seed": seed,
        }
    )
    proc = subprocess.run(
        [sys.executable, "-c", _TIMING_SCRIPT, payload],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **_ONE_THREAD},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the timing subprocess failed:\n{proc.stderr[-2000:]}")
    shape = (len(size_lists), len(batch_list))
    times = np.array(json.loads(proc.stdout), dtype=np.float64).reshape(*shape, 3)
    flop_ratio = np.repeat([[float(f.ratio)] for f in flops], len(batch_list), axis=1)
    arrays = [times[..., 0].copy(), times[..., 1].copy(), times[..., 2].copy(), flop_ratio]
    for arr in arrays:
        arr.setflags(write=False)
    return CheapGradient(tuple(tuple(s) for s in size_lists), tuple(batch_list), *arrays)

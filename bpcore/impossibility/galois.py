"""Radicals: Galois groups of the characteristic polynomial of a tied linear layer.

:func:`galois_group_of` factors the characteristic polynomial of an exact rational matrix and
computes the Galois group of every irreducible factor (sympy's ``Poly.galois_group``, degree
≤ 6), so an S5 factor shows that the eigenvalues of a tied linear network of width 5 have no
expression in radicals (Abel–Ruffini); the eigenvalues stay exact as ``CRootOf``.
:func:`dedekind_cycle_types` checks a group independently of sympy, and
:func:`matrix_power_entries` checks a power entry exactly through the integer recurrence that
the characteristic polynomial gives (Cayley–Hamilton).

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._validate import check_exact_number, check_int
from bpcore.impossibility._exact import python_rational
from bpcore.linear import _exact_matrix

__all__ = [
    "GALOIS_MAX_DEGREE",
    "GaloisFactor",
    "GaloisReport",
    "companion_matrix",
    "dedekind_cycle_types",
    "galois_group_of",
    "matrix_power_entries",
]

#: sympy's ``Poly.galois_group`` handles irreducible polynomials up to this degree.
GALOIS_MAX_DEGREE = 6


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

    Examples
    --------
    >>> from bpcore.impossibility import galois_group_of
    >>> factor = galois_group_of([[0, 1], [1, 1]]).factors[0]
    >>> factor
    GaloisFactor((x**2 - x - 1), group=S2, order=2, solvable_by_radicals=True)
    >>> factor.degree, factor.roots
    (2, (1/2 - sqrt(5)/2, 1/2 + sqrt(5)/2))
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

    Examples
    --------
    >>> from bpcore.impossibility import galois_group_of
    >>> report = galois_group_of([[2, 1], [1, 2]])
    >>> report
    GaloisReport(charpoly=x**2 - 4*x + 3, groups=[S1, S1], solvable_by_radicals=True)
    >>> report.eigenvalues
    (3, 1)
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

    Examples
    --------
    >>> from bpcore.impossibility import matrix_power_entries
    >>> matrix_power_entries([[1, 1], [1, 0]], 0, 1, 10)  # (W^k)_01: the Fibonacci numbers
    [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]
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
    c = [python_rational(v) for v in coeffs[:-1]]
    out: list[int | Fraction] = []
    P = sp.eye(n)
    for _ in range(min(n, k_max + 1)):
        out.append(python_rational(P[i, j]))
        P = P * M
    for k in range(n, k_max + 1):
        out.append(-sum(c[m] * out[k - n + m] for m in range(n)))
    return out

"""The exact closed form a(n) = Σ_r p_r(n)·rⁿ of a linear recurrence, and its check.

Introduced in chapter 1 (Linear recurrences).

These are the steps behind ``LinearRecurrence.closed_form``, ``verify_closed_form`` and
``numeric``; the class keeps their results (cached) and calls the functions here.

1. χ is factored over ℚ (``_irreducible_factors``). A root r of multiplicity m contributes
   (C₀ + C₁n + … + C_{m−1}n^{m−1})·rⁿ (Jordan form). Roots are radicals when ``sympy.roots``
   finds all of them without the Cardano/Ferrari formulas, ``CRootOf`` otherwise.
2. For an irreducible factor q of degree d and multiplicity m, the constants attached to its
   roots are Galois conjugates: the coefficient of nⁱ·rⁿ is G_i(r) for one polynomial
   G_i ∈ ℚ[x] of degree < d, the same for every root r of q. The k unknown rational coefficients
   of the G_i solve a k×k *rational* linear system whose entries are power sums of the roots of
   q (``_solve_constants``; the power sums satisfy a linear recurrence themselves,
   ``_power_sum_recurrences``), exact and fast even when the roots are not expressible in
   radicals.
3. Evaluating the closed form at an integer n is exact for the same reason:
   Σ_{r: q(r)=0} G(r)·rⁿ is the trace of G(θ)θⁿ, a rational number (``_exact_value``).
4. Every closed form is checked against direct iteration before it is returned
   (``_check_expression_at``): exactly when the roots are radicals, otherwise with 60-digit
   numerics on the expression (relative 10⁻⁴⁰) and the exact trace value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

import mpmath
import sympy as sp

from bpcore.recurrences._exact import Exact, _frac_norm, _to_fraction, _to_sympy

if TYPE_CHECKING:
    from bpcore.recurrences.linear_recurrence import LinearRecurrence

__all__ = ["n_symbol"]  # the rest is machinery of LinearRecurrence, whose methods call it

#: The index n of closed forms: an integer symbol, n ≥ 0.
n_symbol = sp.Symbol("n", integer=True, nonnegative=True)

# Tolerances for comparisons made with 60-digit arithmetic.
_VERIFY_DIGITS = 60
_ROOT_DIGITS = 80
_VERIFY_EXPONENT = 40  # relative tolerance 1e-40

#: (q, multiplicity, roots of q) for one monic irreducible factor q of χ over ℚ.
Factor = tuple[sp.Poly, int, list[sp.Expr]]


class _HasTerm(Protocol):
    def term(self, n: int) -> Exact: ...


def _irreducible_factors(chi: sp.Poly) -> list[Factor]:
    """[(q, multiplicity, roots of q)] over the monic irreducible factors q of χ over ℚ.

    Roots are radicals when ``sympy.roots`` finds all of them without the Cardano/Ferrari
    formulas (linear and quadratic factors, binomials, cyclotomic factors, …) and
    ``CRootOf`` otherwise.
    """
    _, factors = chi.factor_list()
    out = []
    for q, m in factors:
        q = q.monic()
        found = sp.roots(q, cubics=False, quartics=False, quintics=False)
        if sum(found.values()) == q.degree():
            rts = sorted(found, key=sp.default_sort_key)
        else:
            rts = list(q.all_roots())
        out.append((q, m, rts))
    return out


def _root_numbers(factors: list[Factor]) -> dict[sp.Expr, sp.Expr]:
    """{root: its value as a sympy Float (or Float + I·Float) with 80 digits}.

    sympy's own ``CRootOf.evalf`` refines complex isolating rectangles slowly (seconds per
    root), so the roots of each irreducible factor are computed with
    ``mpmath.polyroots`` and each numerical root is matched to the ``CRootOf`` whose
    isolating interval contains it; if the matching is not one-to-one, sympy's evalf is
    used after all.
    """
    out: dict[sp.Expr, sp.Expr] = {}
    for _, _, rts in factors:
        if not any(r.has(sp.CRootOf) for r in rts):
            for r in rts:
                out[r] = sp.N(r, _ROOT_DIGITS)
            continue
        # sympy may return a root as c·CRootOf(p, i) with p a rescaled integer polynomial
        # (e.g. 2·CRootOf(3x³ − 3x² + 2x + 1, 0)); the CRootOf atoms carry the numbers.
        atoms = {r: _crootof_atom(r) for r in rts}
        numbers = _match_crootof_numbers(atoms[rts[0]].poly, list(atoms.values()))
        for r, atom in atoms.items():
            out[r] = sp.expand(r.xreplace({atom: numbers[atom]}))
    return out


def _crootof_numbers(root_numbers: dict[sp.Expr, sp.Expr]) -> dict[sp.Expr, sp.Expr]:
    """{CRootOf atom: its 80-digit value} for the roots that contain a CRootOf."""
    out: dict[sp.Expr, sp.Expr] = {}
    for r, v in root_numbers.items():
        if r.has(sp.CRootOf):  # r = c·atom, so atom = v / c
            atom = _crootof_atom(r)
            out[atom] = sp.expand(v * atom / r)
    return out


def _power_sum_recurrences(factors: list[Factor]) -> list[tuple[list[Exact], list[Exact]]]:
    """For each irreducible factor q = xᵈ + e₁xᵈ⁻¹ + … + e_d, the power sums
    p_s = Σ_{q(r)=0} rˢ as a recurrence (coefficients, initial values): Newton's identities
    give p₀, …, p_{d−1}, and p_s = −e₁p_{s−1} − … − e_d·p_{s−d}."""
    out = []
    for q, _, _ in factors:
        e = [_to_fraction(v) for v in q.all_coeffs()[1:]]
        d = len(e)
        p: list[Exact] = [d]
        for s in range(1, d):
            p.append(-sum(e[i - 1] * p[s - i] for i in range(1, s)) - s * e[s - 1])
        out.append(([-v for v in e], p))
    return out


def _power_sum(
    power_sums: Sequence[_HasTerm], j: int, s: int, cache: dict[tuple[int, int], Exact]
) -> Exact:
    key = (j, s)
    if key not in cache:
        cache[key] = power_sums[j].term(s)
    return cache[key]


def _solve_constants(
    factors: list[Factor], initial: Sequence[Exact], power_sums: Sequence[_HasTerm]
) -> list[list[list[Fraction]]]:
    """g[j][i][l]: the coefficient of n^i·r^n for a root r of factor j is Σ_l g[j][i][l]·rˡ.

    Solved from the k initial values by a k×k rational linear system (sympy LUsolve).
    """
    k = len(initial)
    cache: dict[tuple[int, int], Exact] = {}
    columns: list[tuple[int, int, int]] = []
    for j, (q, m, _) in enumerate(factors):
        for i in range(m):
            for ell in range(q.degree()):
                columns.append((j, i, ell))
    A = sp.zeros(k, k)
    for t in range(k):
        for col, (j, i, ell) in enumerate(columns):
            A[t, col] = _to_sympy(_power_sum(power_sums, j, t + ell, cache)) * (
                1 if i == 0 else sp.Integer(t) ** i
            )
    rhs = sp.Matrix([_to_sympy(v) for v in initial])
    sol = A.LUsolve(rhs)
    g = [[[Fraction(0)] * q.degree() for _ in range(m)] for q, m, _ in factors]
    for col, (j, i, ell) in enumerate(columns):
        v = sol[col]
        g[j][i][ell] = Fraction(int(v.p), int(v.q))
    return g


def _closed_form_expression(
    factors: list[Factor], constants: list[list[list[Fraction]]]
) -> sp.Expr:
    """Σ_r p_r(n)·rⁿ in ``n_symbol``, the constants written as polynomials in each root."""
    n = n_symbol
    total = sp.Integer(0)
    for j, (_, m, rts) in enumerate(factors):
        gj = constants[j]
        for r in rts:
            poly_n = sp.Integer(0)
            for i in range(m):
                c = sp.Add(*[_to_sympy(_frac_norm(g)) * r**ell for ell, g in enumerate(gj[i])])
                if not r.has(sp.CRootOf):
                    c = sp.radsimp(sp.expand(c))
                poly_n += c * n**i
            if poly_n != 0:
                total += sp.factor_terms(poly_n) * r**n if m > 1 else poly_n * r**n
    return total


def _exact_value(
    factors: list[Factor],
    constants: list[list[list[Fraction]]],
    power_sums: Sequence[_HasTerm],
    n: int,
) -> sp.Rational:
    """Σ_j Σ_i nⁱ · Tr(G_ji(θ)θⁿ): the closed form at integer n, exactly (Galois traces)."""
    cache: dict[tuple[int, int], Exact] = {}
    total: Exact = 0
    for j, (_q, m, _) in enumerate(factors):
        for i in range(m):
            tr: Exact = 0
            for ell, g in enumerate(constants[j][i]):
                if g:
                    tr += g * _power_sum(power_sums, j, n + ell, cache)
            total += tr * n**i
    return _to_sympy(Fraction(total))


def _mp_scale(mp_terms: Callable[[int], list[mpmath.mpc]], n: int) -> mpmath.mpf:
    """Σ |term| of the closed form at n: the size against which round-off is judged."""
    return mpmath.fsum(abs(mpmath.mpmathify(t)) for t in mp_terms(n))


def _check_expression_at(rec: LinearRecurrence, n: int) -> str:
    """Compare the closed-form *expression* of ``rec`` at n with ``rec.term(n)``; return how it
    was checked (``RuntimeError`` on disagreement). The numerical functions of ``rec`` are
    only built when they are needed."""
    expected = _to_sympy(rec.term(n))
    if not rec._crootof_numbers:
        value = rec._expression.subs(n_symbol, n)
        exact = sp.expand(value)
        if not exact.is_Rational:
            exact = sp.simplify(sp.radsimp(exact))
        if exact.is_Rational:
            if exact != expected:
                raise RuntimeError(
                    f"closed form disagrees with iteration at n={n}: {exact} != {expected}"
                )
            return "exact"
    # CRootOf sums do not simplify: 60-digit numerics on the expression …
    with mpmath.workdps(_VERIFY_DIGITS + 10):
        total = rec._mp_function(n)
        scale = max(_mp_scale(rec._mp_terms, n), abs(mpmath.mpf(expected.p) / expected.q), 1)
        diff = abs(total - mpmath.mpf(expected.p) / expected.q)
        if diff > mpmath.mpf(10) ** (-_VERIFY_EXPONENT) * scale:
            raise RuntimeError(
                f"closed form disagrees with iteration at n={n}: |difference| = "
                f"{mpmath.nstr(diff, 5)} (60-digit evaluation)"
            )
    # … and the exact value via traces
    if rec._exact_closed_form_value(n) != expected:
        raise RuntimeError(f"closed form (exact trace) disagrees with iteration at n={n}")
    return "numeric-60-digits+exact-trace"


def _crootof_atom(r: sp.Expr) -> sp.CRootOf:
    """The one CRootOf inside a root r = c·CRootOf(p, i) (c rational; c = 1 for most roots)."""
    atoms = r.atoms(sp.CRootOf)
    coeff = r / next(iter(atoms)) if len(atoms) == 1 else None
    if coeff is None or not coeff.is_Rational:
        raise ValueError(f"unexpected root form {r}: expected c·CRootOf(p, i) with c rational")
    return next(iter(atoms))


def _match_crootof_numbers(q: sp.Poly, rts: list[sp.Expr]) -> dict[sp.Expr, sp.Expr]:
    """Numerical values (80 digits) of the CRootOf roots ``rts`` of the irreducible ``q``
    (the roots' own polynomial, ``rts[0].poly``, with integer or rational coefficients).

    Each ``mpmath.polyroots`` root is assigned to the CRootOf whose isolating interval (real)
    or rectangle (complex) it lies in, up to 1e-50; the assignment must be one-to-one.
    """
    try:
        with mpmath.workdps(_ROOT_DIGITS + 20):
            coeffs = [mpmath.mpf(c.p) / c.q for c in q.all_coeffs()]
            zs = mpmath.polyroots(coeffs, maxsteps=200, extraprec=4 * _ROOT_DIGITS)
            out: dict[sp.Expr, sp.Expr] = {}
            used: set[int] = set()
            for r in rts:
                box = r._get_interval()  # isolating interval (real) or rectangle (complex)
                if r.is_real:
                    lo, hi, ylo, yhi = box.a, box.b, 0, 0
                else:
                    lo, hi, ylo, yhi = box.ax, box.bx, box.ay, box.by
                dist = [
                    _dist_to_interval(mpmath.re(z), lo, hi)
                    + _dist_to_interval(mpmath.im(z), ylo, yhi)
                    for z in zs
                ]
                inside = [i for i, d in enumerate(dist) if d < mpmath.mpf(10) ** -50]
                if len(inside) != 1 or inside[0] in used:
                    raise ValueError("ambiguous match")
                used.add(inside[0])
                z = zs[inside[0]]
                re = sp.Float(mpmath.nstr(mpmath.re(z), _ROOT_DIGITS + 5), _ROOT_DIGITS)
                im = sp.Float(mpmath.nstr(mpmath.im(z), _ROOT_DIGITS + 5), _ROOT_DIGITS)
                out[r] = re if r.is_real else re + sp.I * im
        return out
    except (ValueError, AttributeError, mpmath.libmp.NoConvergence):
        return {r: sp.N(r, _ROOT_DIGITS) for r in rts}


def _dist_to_interval(v: mpmath.mpf, lo: object, hi: object) -> mpmath.mpf:
    lo_f = mpmath.mpf(int(lo.numerator)) / int(lo.denominator)
    hi_f = mpmath.mpf(int(hi.numerator)) / int(hi.denominator)
    return max(lo_f - v, v - hi_f, mpmath.mpf(0))

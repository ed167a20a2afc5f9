"""The Akra–Bazzi theorem: Θ-bounds of divide-and-conquer recurrences T(x) = Σ aᵢ·T(bᵢx) + g(x).

Introduced in chapter 1 (Linear recurrences).

T(x) = Θ( x^p·(1 + ∫₁ˣ g(u)/u^{p+1} du) ) where p solves Σ aᵢ·bᵢᵖ = 1 (Akra & Bazzi 1998,
bib key ``akra1998solution``; in the form with Leighton's polynomial-growth condition on g,
``leighton1996notes``). ``akra_bazzi`` finds p (exactly when it can),
integrates g term by term and keeps the leading term; ``AkraBazziResult`` records it. The
recurrence itself is evaluated numerically in :mod:`bpcore.recurrences.divide_and_conquer`.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from bpcore._validate import check_real
from bpcore.recurrences._exact import _CHAR_X

__all__ = ["AkraBazziResult", "akra_bazzi", "x"]

#: The variable x of Akra–Bazzi recurrences T(x) = Σ aᵢ·T(bᵢx) + g(x); positive.
x = sp.Symbol("x", positive=True)


@dataclass(frozen=True, repr=False)
class AkraBazziResult:
    """The Akra–Bazzi solution of T(x) = Σ aᵢ·T(bᵢx) + g(x).

    Introduced in chapter 1 (Linear recurrences).

    Attributes
    ----------
    terms : tuple of (aᵢ, bᵢ) as sympy numbers
    g : sympy expression in ``x``
    p : sympy number or float
        The unique real p with Σ aᵢ·bᵢᵖ = 1; exact when sympy could express it (then
        ``p_exact`` is True), otherwise a float from bisection (accurate to ~1e-15).
    p_exact : bool
    integral : sympy expression
        ∫₁ˣ g(u)/u^{p+1} du.
    bound : sympy expression
        The leading term of x^p·(1 + integral) without its constant factor: T(x) = Θ(bound).

    Examples
    --------
    >>> import sympy as sp
    >>> from bpcore.recurrences import akra_bazzi, x
    >>> akra_bazzi([(4, sp.Rational(1, 2))], x)
    AkraBazziResult(T(x) = 4*T(x/2) + x: p = 2, T(x) = Θ(x**2))
    """

    terms: tuple[tuple[sp.Expr, sp.Expr], ...]
    g: sp.Expr
    p: sp.Expr | float
    p_exact: bool
    integral: sp.Expr
    bound: sp.Expr

    def __repr__(self) -> str:
        rhs = " + ".join(f"{'' if a == 1 else f'{a}*'}T({_sstr(b * x)})" for a, b in self.terms)
        p = _sstr(self.p) if self.p_exact else f"{self.p:.12g}"
        bound = _sstr(self.bound)
        return f"AkraBazziResult(T(x) = {rhs} + {_sstr(self.g)}: p = {p}, T(x) = Θ({bound}))"

    @property
    def p_float(self) -> float:
        """p as a float.

        Examples
        --------
        >>> import sympy as sp
        >>> from bpcore.recurrences import akra_bazzi, x
        >>> result = akra_bazzi([(1, sp.Rational(1, 3)), (1, sp.Rational(1, 2))], x)
        >>> result.p_exact, round(result.p_float, 4)  # (1/3)ᵖ + (1/2)ᵖ = 1
        (False, 0.7879)
        """
        return float(self.p)

    def bound_values(self, n: np.ndarray | Sequence[float]) -> np.ndarray:
        """The bound evaluated (float64) at the points ``n`` (all > 0).

        Examples
        --------
        >>> import sympy as sp
        >>> from bpcore.recurrences import akra_bazzi, x
        >>> akra_bazzi([(2, sp.Rational(1, 2))], x).bound_values([1.0, 2.0]).round(4)
        array([0.    , 1.3863])
        """
        arr = np.asarray(n, dtype=np.float64)
        f = sp.lambdify(x, self.bound, "numpy")
        return np.broadcast_to(np.asarray(f(arr), dtype=np.float64), arr.shape).copy()


def _sstr(e: object) -> str:
    return sp.sstr(e)


def _check_terms(terms: object) -> list[tuple[sp.Expr, sp.Expr]]:
    if isinstance(terms, str | bytes) or not isinstance(terms, Iterable):
        raise TypeError(f"terms must be a sequence of pairs (a_i, b_i), got {terms!r}")
    out = []
    for item in terms:
        if isinstance(item, str | bytes) or not isinstance(item, Sequence) or len(item) != 2:
            raise TypeError(f"terms must be a sequence of pairs (a_i, b_i), got item {item!r}")
        pair = []
        for v, what in zip(item, ("a_i", "b_i"), strict=True):
            check_real(v, f"terms ({what})")
            if isinstance(v, sp.Basic):
                pass
            elif isinstance(v, Fraction):
                v = sp.Rational(v.numerator, v.denominator)
            elif isinstance(v, numbers.Integral):
                v = sp.Integer(int(v))
            elif isinstance(v, numbers.Real):
                v = sp.Float(float(v))
            pair.append(sp.sympify(v))
        a, b = pair
        if not a > 0:
            raise ValueError(f"terms must have every a_i > 0, got a_i = {a}")
        if not (0 < b < 1):
            raise ValueError(
                f"terms must have every b_i in the open interval (0, 1), got b_i = {b}"
            )
        out.append((a, b))
    if not out:
        raise ValueError("terms must contain at least one pair (a_i, b_i), got none")
    return out


def _check_g(g: object) -> sp.Expr:
    if isinstance(g, bool):
        raise TypeError("g must be a sympy expression in x, got a bool")
    if isinstance(g, numbers.Integral | Fraction):
        g = sp.sympify(g)
    if not isinstance(g, sp.Expr):
        raise TypeError(
            f"g must be a sympy expression in the symbol x, got {g!r} of type {type(g).__name__}"
        )
    syms = g.free_symbols
    if any(not isinstance(s, sp.Symbol) or s.name != "x" for s in syms):
        raise TypeError(
            f"g must be a sympy expression in the symbol x only, got free symbols {syms}"
        )
    g = g.subs({s: x for s in syms})
    for probe in (2, 1000, 10**6):
        val = complex(sp.N(g.subs(x, probe)))
        if abs(val.imag) > 1e-12 * max(1.0, abs(val.real)) or val.real < 0:
            raise ValueError(
                f"g must be real and nonnegative (probed at x = 2, 10^3, 10^6), "
                f"got g({probe}) = {val}"
            )
    return g


def _perfect_power_base(b: sp.Rational) -> tuple[sp.Rational, int]:
    """Write a rational b = β^e with the largest integer e."""
    num, den = int(b.p), int(b.q)
    best = (b, 1)
    for e in range(2, max(num, den).bit_length() + 1):
        rn, rd = sp.integer_nthroot(num, e), sp.integer_nthroot(den, e)
        if rn[1] and rd[1]:
            best = (sp.Rational(rn[0], rd[0]), e)
    return best


def _p_numeric(a: list[sp.Expr], b: list[sp.Expr], dps: int = 50) -> mpmath.mpf:
    """Bisection for the unique root of f(p) = Σ aᵢbᵢᵖ − 1 (strictly decreasing in p)."""
    with mpmath.workdps(dps + 10):
        af = [mpmath.mpf(ai._to_mpmath(mpmath.mp.prec)) for ai in a]
        bf = [mpmath.mpf(bi._to_mpmath(mpmath.mp.prec)) for bi in b]

        def f(p: mpmath.mpf) -> mpmath.mpf:
            return mpmath.fsum(ai * bi**p for ai, bi in zip(af, bf, strict=True)) - 1

        lo, hi = mpmath.mpf(-1), mpmath.mpf(1)
        while f(lo) < 0:
            lo *= 2
        while f(hi) > 0:
            hi *= 2
        for _ in range(4 * (dps + 10)):
            mid = (lo + hi) / 2
            if f(mid) > 0:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2


def _p_exact(a: list[sp.Expr], b: list[sp.Expr], p_num: mpmath.mpf) -> sp.Expr | None:
    """An exact p when sympy can express it, else None.

    Candidates: (1) one distinct b: p = log(Σaᵢ)/log(1/b); (2) a rational p with denominator
    ≤ 12, checked exactly; (3) all bᵢ integer powers of one rational β: Σ aᵢ yᵉⁱ = 1 is a
    polynomial equation for y = βᵖ, solved exactly. Every candidate must also agree with the
    bisection root to 35 digits.
    """
    if not all(v.is_Rational for v in (*a, *b)):
        return None
    p_ref = sp.Float(mpmath.nstr(p_num, 45), 45)

    def agrees(c: sp.Expr) -> bool:
        return bool(c.is_real) and abs(float(sp.N(c - p_ref, 45))) < 1e-35

    # (2) small rational p: exact check Σ aᵢ bᵢᵖ == 1 (algebraic numbers; minimal polynomial)
    cand = sp.Rational(mpmath.nstr(p_num, 45)).limit_denominator(12)
    if agrees(cand):
        residual = sp.Add(*[ai * bi**cand for ai, bi in zip(a, b, strict=True)]) - 1
        if residual == 0 or sp.minimal_polynomial(residual, _CHAR_X) == _CHAR_X:
            return cand
    # (1) a single distinct b
    if len(set(b)) == 1:
        c = sp.simplify(sp.expand_log(sp.log(sp.Add(*a)) / sp.log(1 / b[0]), force=True))
        if agrees(c):
            return c
    # (3) a common base
    bases = [_perfect_power_base(bi) for bi in b]
    if len({bb for bb, _ in bases}) == 1:
        beta = bases[0][0]
        ys = sp.Symbol("y", positive=True)
        poly = sp.Poly(sp.Add(*[ai * ys**e for ai, (_, e) in zip(a, bases, strict=True)]) - 1, ys)
        found = [r for r in sp.roots(poly, filter="R", cubics=False, quartics=False) if r > 0]
        if len(found) != 1:
            found = [r for r in poly.real_roots() if r > 0]
        for r in found:
            c = sp.log(sp.radsimp(1 / r)) / sp.log(1 / beta)
            if agrees(c):
                return c
    return None


# A term c·x^γ·log(x)^δ is kept as the triple (c, γ, δ).
_Triple = tuple[sp.Expr, sp.Expr, sp.Expr]


def _power_log_parts(t: sp.Expr) -> _Triple | None:
    """Write t = c·x^γ·log(x)^δ, return (c, γ, δ), or None if t is not of that form."""
    coeff, rest = t.as_independent(x, as_Add=False)
    gamma, delta = sp.Integer(0), sp.Integer(0)
    for f in sp.Mul.make_args(rest):
        base, ex = f.as_base_exp()
        if ex.has(x):
            return None
        if base == x:
            gamma += ex
        elif base == sp.log(x):
            delta += ex
        elif base != 1:
            return None
    return coeff, gamma, delta


def _integrate_triple(c: sp.Expr, alpha: sp.Expr, beta: int, p: sp.Expr) -> list[_Triple]:
    """∫₁ˣ c·u^α·log(u)^β / u^{p+1} du (β a nonnegative integer) as triples, exactly.

    With s = α − p: s = 0 gives c·log(x)^{β+1}/(β+1); otherwise repeated integration by parts
    gives c·x^s·Σ_j (−1)^j β!/(β−j)!·log(x)^{β−j}/s^{j+1} minus its value at x = 1.
    """
    s1 = alpha - p
    if _is_zero(s1):
        return [(c / (beta + 1), sp.Integer(0), sp.Integer(beta + 1))]
    out: list[_Triple] = []
    for j in range(beta + 1):
        coef = (-1) ** j * sp.factorial(beta) / sp.factorial(beta - j) / s1 ** (j + 1)
        out.append((c * coef, s1, sp.Integer(beta - j)))
    out.append((-c * (-1) ** beta * sp.factorial(beta) / s1 ** (beta + 1), sp.Integer(0), 0))
    return out


def _is_zero(e: sp.Expr) -> bool:
    """Exact zero test for a real number (within 1e-30 when it contains floats)."""
    if e == 0:
        return True
    val = abs(complex(sp.N(e, 40)))
    if e.has(sp.Float):
        return val < 1e-30
    if val > 1e-30:
        return False
    return bool(sp.simplify(e) == 0)


def _compare(e1: sp.Expr, e2: sp.Expr) -> int:
    """sign(e1 − e2) for real numbers (exact when possible)."""
    d = e1 - e2
    if _is_zero(d):
        return 0
    return 1 if float(sp.N(d, 40)) > 0 else -1


def _snap(e: sp.Expr) -> sp.Expr:
    """A float exponent within 1e-25 of a rational with denominator ≤ 12 becomes that rational."""
    if not e.has(sp.Float):
        return e
    approx = sp.Rational(str(sp.N(e, 40)))
    near = approx.limit_denominator(12)
    if abs(float(near - approx)) < 1e-25:
        return near
    return sp.Float(e, 15)


def _growth_cmp(t1: _Triple | sp.Expr, t2: _Triple | sp.Expr) -> int:
    """Compare growth as x → ∞: 1 if t1 ≫ t2, −1 if t1 ≪ t2, 0 if of the same order."""
    if isinstance(t1, tuple) and isinstance(t2, tuple):
        cg = _compare(t1[1], t2[1])
        return cg if cg != 0 else _compare(t1[2], t2[2])
    e1 = _triple_expr(t1) if isinstance(t1, tuple) else t1
    e2 = _triple_expr(t2) if isinstance(t2, tuple) else t2
    lim = sp.limit(e1 / e2, x, sp.oo)
    if lim.is_infinite:
        return 1
    if lim.is_zero:
        return -1
    if lim.is_finite:
        return 0
    raise ValueError(f"g must give comparable terms; cannot order {e1} and {e2} as x → oo")


def _triple_expr(t: _Triple) -> sp.Expr:
    return t[0] * x ** t[1] * sp.log(x) ** t[2]


def _leading(items: list[_Triple | sp.Expr]) -> sp.Expr:
    """Θ of a sum of terms (x → ∞): the dominant term without its constant factor."""
    remaining = list(items)
    while remaining:
        best = [remaining[0]]
        for t in remaining[1:]:
            c = _growth_cmp(t, best[0])
            if c > 0:
                best = [t]
            elif c == 0:
                best.append(t)
        remaining = [t for t in remaining if all(t is not b for b in best)]
        if all(isinstance(t, tuple) for t in best):
            coeff = sp.Add(*[t[0] for t in best])
            if _is_zero(coeff):
                continue  # the leading terms cancel exactly; look at the next order
            if float(sp.N(coeff, 30)) < 0:
                break
            return x ** _snap(best[0][1]) * sp.log(x) ** _snap(best[0][2])
        total = sp.simplify(sp.Add(*[_triple_expr(t) if isinstance(t, tuple) else t for t in best]))
        if total == 0:
            continue
        coeff, rest = total.as_coeff_Mul()
        if coeff > 0:
            return rest
        break
    raise ValueError(
        "g must make x^p·(1 + ∫ g(u)/u^(p+1) du) have a positive leading term; is g ≥ 0?"
    )


def akra_bazzi(terms: Sequence[tuple[object, object]], g: sp.Expr) -> AkraBazziResult:
    """Θ-bound of T(x) = Σ aᵢ·T(bᵢx) + g(x) by the Akra–Bazzi theorem.

    Introduced in chapter 1 (Linear recurrences).

    T(x) = Θ( x^p·(1 + ∫₁ˣ g(u)/u^{p+1} du) ) where p solves Σ aᵢ·bᵢᵖ = 1. p is exact when the
    equation can be solved exactly (one distinct bᵢ; a small rational p; or all bᵢ powers of a
    common rational base, which makes it a polynomial equation in βᵖ), otherwise a float from
    bisection (the left side is strictly decreasing in p). Every exact candidate is checked
    against the numerical root to 35 digits.

    The bound is the leading term of x^p·(1 + integral) as x → ∞ with its constant factor
    dropped: terms c·x^γ·log(x)^δ are ordered by (γ, δ); other terms by limits of ratios.

    Parameters
    ----------
    terms : sequence of pairs (aᵢ, bᵢ)
        aᵢ > 0 and 0 < bᵢ < 1 (ints, Fractions, sympy numbers or floats; floats give a
        float p).
    g : sympy expression in a symbol named ``x`` (or the module's ``x``), or an int/Fraction
        Nonnegative for x ≥ 1 (probed at x = 2, 10³, 10⁶; a float constant is refused with
        ``TypeError``: write ``sp.Rational``). g must also satisfy Leighton's polynomial-growth
        condition (c₁g(x) ≤ g(u) ≤ c₂g(x) for u ∈ [bᵢx, x]); that is *not* checked, and
        without it (e.g. g = 2**x) the returned Θ is not justified. Terms c·x^α·log(x)^β
        (β a nonnegative integer) are integrated exactly by formula; float exponents α are
        taken literally (x**1.58496 with 3T(x/2) is not x**log2(3)). Other terms are passed to
        ``sympy.integrate`` (``ValueError`` if that fails or the integral from 1 diverges,
        e.g. for x/log(x)).

    Returns
    -------
    AkraBazziResult

    Examples
    --------
    >>> import sympy as sp
    >>> from bpcore.recurrences import akra_bazzi, x
    >>> akra_bazzi([(2, sp.Rational(1, 2))], x).bound  # merge sort
    x*log(x)
    >>> akra_bazzi([(1, sp.Rational(1, 3)), (1, sp.Rational(2, 3))], x).bound
    x*log(x)
    """
    pairs = _check_terms(terms)
    g = _check_g(g)
    a = [ai for ai, _ in pairs]
    b = [bi for _, bi in pairs]
    p_num = _p_numeric(a, b)
    p_ex = _p_exact(a, b, p_num)
    if p_ex is not None:
        p_sym = p_ex
    else:  # float p; within 1e-30 of a small rational it is that rational (float inputs)
        p_sym = _snap(sp.Float(mpmath.nstr(p_num, 45), 45))
        if p_sym.has(sp.Float):
            p_sym = sp.Float(mpmath.nstr(p_num, 45), 45)

    integral_items: list[_Triple | sp.Expr] = []
    for t in sp.Add.make_args(sp.expand(sp.expand_log(g, force=True))):
        parts = _power_log_parts(t)
        if parts is not None and parts[2].is_Integer and parts[2] >= 0:
            integral_items.extend(_integrate_triple(parts[0], parts[1], int(parts[2]), p_sym))
            continue
        u = sp.Symbol("u", positive=True)
        integrand = sp.powsimp(sp.expand_power_base(t.subs(x, u) / u ** (p_sym + 1)), force=True)
        try:
            res = sp.integrate(integrand, (u, 1, x))
        except Exception as exc:  # sympy raises many kinds of errors here
            raise ValueError(f"g must be integrable: sympy failed on the term {t}/u^(p+1)") from exc
        if res.has(sp.Integral, sp.Piecewise, sp.meijerg) or not res.subs(x, 2).is_finite:
            raise ValueError(
                f"g must have polynomial growth and a finite closed-form ∫₁ˣ ({t})/u^(p+1) du; "
                "sympy found none for this term, or it diverges at u = 1"
            )
        integral_items.append(res)
    integral = sp.Add(*[_triple_expr(t) if isinstance(t, tuple) else t for t in integral_items])
    h_items: list[_Triple | sp.Expr] = [(sp.Integer(1), p_sym, sp.Integer(0))]
    for t in integral_items:
        if isinstance(t, tuple):
            h_items.append((t[0], t[1] + p_sym, t[2]))
        else:
            h_items.append(x**p_sym * t)
    bound = _leading(h_items)
    p_out: sp.Expr | float = p_ex if p_ex is not None else float(p_num)
    return AkraBazziResult(
        terms=tuple(pairs),
        g=g,
        p=p_out,
        p_exact=p_ex is not None,
        integral=integral,
        bound=bound,
    )

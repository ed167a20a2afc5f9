"""Linear recurrences with constant coefficients, their closed forms, and Akra–Bazzi bounds.

Introduced in chapter 1 (Linear recurrences).

A linear recurrence of order k with constant coefficients,

    a(n) = c₁·a(n−1) + c₂·a(n−2) + … + c_k·a(n−k),      a(0), …, a(k−1) given,

is the simplest recurrence that has a closed form. Writing the state as a vector turns it into
repeated multiplication by the *companion matrix*

    [a(n), a(n−1), …, a(n−k+1)]ᵀ = C · [a(n−1), a(n−2), …, a(n−k)]ᵀ,

    C = [[c₁, c₂, …, c_{k−1}, c_k],
         [1,  0,  …, 0,       0  ],
         …
         [0,  0,  …, 1,       0  ]],

so a(n) is read off Cⁿ⁻ᵏ⁺¹ (computed in O(log n) matrix products), and the eigenvalues of C — the
roots of the characteristic polynomial χ(x) = xᵏ − c₁xᵏ⁻¹ − … − c_k — give the closed form

    a(n) = Σ_r p_r(n)·rⁿ,     deg p_r < multiplicity of r.

Backprop (chapter 2) is the same recurrence with coefficients that change from layer to layer;
this module is the constant-coefficient baseline.

How the constants are found (see ``LinearRecurrence.closed_form``): χ is factored over ℚ. For
an irreducible factor q of degree d and multiplicity m, the constants attached to its roots are
Galois conjugates: the coefficient of nⁱ·rⁿ is G_i(r) for one polynomial G_i ∈ ℚ[x] of degree
< d, the same for every root r of q. The k unknown rational coefficients of the G_i solve a k×k
*rational* linear system whose entries are power sums of the roots of q (exact, and fast even
when the roots are not expressible in radicals). Evaluating the closed form at an integer n is
exact for the same reason: Σ_{r: q(r)=0} G(r)·rⁿ is the trace of G(θ)θⁿ, a rational number.
Every closed form is checked against direct iteration before it is returned.

For speed (interactive figures) ``LinearRecurrence.numeric_fast`` evaluates the closed form in
float64 instead: exact multiplicities and the sequence's exact minimal polynomial, numpy roots
and constants, and a check against exact terms.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import mpmath
import numpy as np
import sympy as sp

from bpcore._validate import check_exact_number, check_int, check_real, check_real_array

__all__ = [
    "AkraBazziResult",
    "LinearRecurrence",
    "akra_bazzi",
    "akra_bazzi_evaluate",
    "akra_bazzi_real",
    "binet",
    "binet_failure_index",
    "fibonacci",
    "first_order_product",
    "n_symbol",
    "x",
]

#: The index n of closed forms: an integer symbol, n ≥ 0.
n_symbol = sp.Symbol("n", integer=True, nonnegative=True)

#: The variable x of Akra–Bazzi recurrences T(x) = Σ aᵢ·T(bᵢx) + g(x); positive.
x = sp.Symbol("x", positive=True)

# The variable of characteristic polynomials (no assumptions, so that solving χ(x) = 0 with it
# finds every complex root).
_CHAR_X = sp.Symbol("x")

Exact = int | Fraction

# Tolerances for comparisons made with 60-digit arithmetic.
_VERIFY_DIGITS = 60
_ROOT_DIGITS = 80
_VERIFY_EXPONENT = 40  # relative tolerance 1e-40

# numeric_fast: largest condition number of the confluent Vandermonde system, and the relative
# tolerance of its self-check against exact terms.
_FAST_MAX_COND = 1e12
_FAST_RTOL = 1e-8


# --------------------------------------------------------------------------------------------
# exact-number helpers
# --------------------------------------------------------------------------------------------


def _to_exact(value: object, name: str) -> Exact:
    """Return ``value`` as an ``int`` or a ``Fraction``; reject floats and irrational numbers."""
    value = check_exact_number(value, name)
    if isinstance(value, int | Fraction):
        return value.numerator if isinstance(value, Fraction) and value.denominator == 1 else value
    # a sympy number
    if not value.is_Rational:
        raise TypeError(
            f"{name} must be exact rational numbers (int, fractions.Fraction or a sympy "
            f"Rational), got {value!r}"
        )
    if value.is_Integer:
        return int(value)
    return Fraction(int(value.p), int(value.q))


def _exact_list(values: object, name: str) -> list[Exact]:
    """Validate a non-empty sequence of exact rational numbers."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a sequence of exact numbers (int, Fraction or sympy Rational), "
            f"got {values!r} of type {type(values).__name__}"
        )
    out = [_to_exact(v, name) for v in values]
    if not out:
        raise ValueError(f"{name} must contain at least one number, got an empty sequence")
    return out


def _to_sympy(value: Exact) -> sp.Rational:
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return sp.Integer(value)


def _to_fraction(value: sp.Expr) -> Exact:
    """A sympy Rational as an int or Fraction."""
    if value.is_Integer:
        return int(value)
    return Fraction(int(value.p), int(value.q))


def _lcm_denominator(values: Sequence[Exact]) -> int:
    out = 1
    for v in values:
        if isinstance(v, Fraction):
            out = math.lcm(out, v.denominator)
    return out


def _as_exact_result(numer: int, denom: int, integral: bool) -> Exact:
    if integral:
        return numer  # denom == 1
    return Fraction(numer, denom)


# --------------------------------------------------------------------------------------------
# powers of the companion matrix
# --------------------------------------------------------------------------------------------


def _mat_mul(A: list[list[Exact]], B: list[list[Exact]]) -> list[list[Exact]]:
    k = len(A)
    return [[sum(A[i][t] * B[t][j] for t in range(k)) for j in range(k)] for i in range(k)]


def _companion_power(c: Sequence[Exact], m: int) -> list[list[Exact]]:
    """Cᵐ (m ≥ 0) for the companion matrix with first row ``c``, by left-to-right repeated
    squaring in exact Python numbers. Multiplying by C itself only shifts rows (C·R has
    first row Σ cₜ·(row t of R) and rows 1… equal to rows 0… of R), so it is cheap."""
    k = len(c)
    R: list[list[Exact]] = [[int(i == j) for j in range(k)] for i in range(k)]
    for bit in bin(m)[2:]:
        R = _mat_mul(R, R)
        if bit == "1":
            top = [sum(c[t] * R[t][j] for t in range(k)) for j in range(k)]
            R = [top, *R[:-1]]
    return R


def _x_power_mod(c: Sequence[int], m: int) -> list[int]:
    """Coefficients r₀…r_{k−1} of xᵐ mod χ(x), χ(x) = xᵏ − c₁xᵏ⁻¹ − … − c_k (integers).

    By Cayley–Hamilton χ(C) = 0, so Cᵐ = Σ_j r_j·Cʲ: this is the companion-matrix power in
    the k-dimensional algebra spanned by I, C, …, Cᵏ⁻¹. Squaring it costs k(k+1)/2 big
    products instead of the k³ of a matrix product; reducing modulo χ and multiplying by x
    (that is, by C) only involve the small integers cᵢ.
    """
    k = len(c)

    def reduce(p: list[int]) -> list[int]:
        for d in range(len(p) - 1, k - 1, -1):
            t = p[d]
            if t:
                for i, ci in enumerate(c, start=1):
                    if ci:
                        p[d - i] += t * ci
        return p[:k] + [0] * (k - len(p))

    r = reduce([1])  # x⁰
    for bit in bin(m)[2:]:
        p = [0] * (2 * k - 1)
        for i in range(k):
            ri = r[i]
            if ri:
                p[2 * i] += ri * ri
                for j in range(i + 1, k):
                    if r[j]:
                        p[i + j] += 2 * ri * r[j]
        r = reduce(p)
        if bit == "1":
            r = reduce([0, *r])
    return r


# --------------------------------------------------------------------------------------------
# LinearRecurrence
# --------------------------------------------------------------------------------------------


def _format_number(v: Exact) -> str:
    return str(v)


class LinearRecurrence:
    """a(n) = c₁·a(n−1) + … + c_k·a(n−k) with exact rational coefficients and initial values.

    Introduced in chapter 1 (Linear recurrences).

    Parameters
    ----------
    coefficients : sequence of exact numbers [c₁, …, c_k]
        ints, ``fractions.Fraction`` or sympy Rationals (floats are rejected with
        ``TypeError``: closed forms are checked exactly). c_k must be nonzero, otherwise the
        order would be lower (``ValueError``).
    initial : sequence of exact numbers [a(0), …, a(k−1)]
        Exactly k values (``ValueError`` otherwise).

    Notes
    -----
    Exact values are ``int`` when every coefficient and initial value is an integer, and
    ``fractions.Fraction`` otherwise.

    Examples
    --------
    >>> fib = LinearRecurrence([1, 1], [0, 1])
    >>> fib
    LinearRecurrence(a(n) = a(n-1) + a(n-2); a(0)=0, a(1)=1)
    >>> fib.term(10), fib.terms(8)
    (55, [0, 1, 1, 2, 3, 5, 8, 13])
    """

    def __init__(self, coefficients: Sequence[object], initial: Sequence[object]) -> None:
        coeffs = _exact_list(coefficients, "coefficients")
        if coeffs[-1] == 0:
            raise ValueError(
                "coefficients must end with a nonzero c_k (the coefficient of a(n-k)); with "
                f"c_k = 0 the recurrence has lower order. Got {coeffs!r}"
            )
        if isinstance(initial, str | bytes) or not isinstance(initial, Iterable):
            raise TypeError(
                f"initial must be a sequence of {len(coeffs)} exact numbers, got {initial!r}"
            )
        init = [_to_exact(v, "initial") for v in initial]
        if len(init) != len(coeffs):
            raise ValueError(
                f"initial must hold exactly k = {len(coeffs)} values a(0), …, a({len(coeffs) - 1}) "
                f"(one per coefficient), got {len(init)}"
            )
        self._c: tuple[Exact, ...] = tuple(coeffs)
        self._a0: tuple[Exact, ...] = tuple(init)
        self._integral = all(isinstance(v, int) for v in (*coeffs, *init))
        # Integer arithmetic: with D the common denominator of the cᵢ, b(n) = E·Dⁿ·a(n)
        # satisfies b(n) = Σ cᵢDⁱ·b(n−i) with integer coefficients cᵢDⁱ, and with E the
        # common denominator of the initial values its initial values are integers too.
        self._D = _lcm_denominator(coeffs)
        self._E = _lcm_denominator(init)
        self._c_int = [int(v * self._D**i) for i, v in enumerate(coeffs, start=1)]
        self._a0_int = [int(v * self._E * self._D**j) for j, v in enumerate(init)]
        self._verified = False

    # ---------------------------------------------------------------- basic properties
    @property
    def order(self) -> int:
        """The order k (number of coefficients)."""
        return len(self._c)

    @property
    def coefficients(self) -> tuple[Exact, ...]:
        """(c₁, …, c_k)."""
        return self._c

    @property
    def initial(self) -> tuple[Exact, ...]:
        """(a(0), …, a(k−1))."""
        return self._a0

    def __repr__(self) -> str:
        parts: list[str] = []
        for i, c in enumerate(self._c, start=1):
            if c == 0:
                continue
            mag = abs(c)
            body = f"a(n-{i})" if mag == 1 else f"{_format_number(mag)}*a(n-{i})"
            sign = "-" if c < 0 else "+"
            if not parts:
                parts.append(("-" if c < 0 else "") + body)
            else:
                parts.append(f" {sign} {body}")
        inits = ", ".join(f"a({i})={_format_number(v)}" for i, v in enumerate(self._a0))
        return f"LinearRecurrence(a(n) = {''.join(parts)}; {inits})"

    # ---------------------------------------------------------------- exact values
    def term(self, n: int) -> Exact:
        """Exact a(n) by repeated squaring of the companion matrix: O(log n) matrix products.

        Introduced in chapter 1 (Linear recurrences).

        The companion-matrix power is formed by repeated squaring in Python integers, kept in
        the Cayley–Hamilton form Cᵐ = Σ_j r_j·Cʲ (coefficients of xᵐ mod χ(x); see
        ``companion_power`` for the explicit matrix): k(k+1)/2 big products per squaring
        instead of k³. Rational coefficients are handled by rescaling b(n) = E·Dⁿ·a(n), which
        has integer coefficients and initial values. a(10⁶) of an order-2 recurrence — about
        200 000 digits for Fibonacci — takes well under a second.

        Parameters
        ----------
        n : int
            Index, n ≥ 0.

        Returns
        -------
        int or fractions.Fraction
        """
        n = check_int(n, "n", minimum=0)
        if n < self.order:
            return self._a0[n] if self._integral else Fraction(self._a0[n])
        r = _x_power_mod(self._c_int, n)  # b(n) = Σ r_j b(j)
        numer = sum(rj * bj for rj, bj in zip(r, self._a0_int, strict=True))
        denom = self._D**n * self._E
        return _as_exact_result(numer, denom, self._integral)

    def companion_power(self, m: int) -> sp.Matrix:
        """Cᵐ, the m-th power of the companion matrix, by repeated squaring (exact).

        Introduced in chapter 1 (Linear recurrences).

        Computed with Python ints/Fractions (O(log m) k×k products) and returned as a sympy
        Matrix; [a(n), …, a(n−k+1)]ᵀ = Cⁿ⁻ᵏ⁺¹·[a(k−1), …, a(0)]ᵀ for n ≥ k−1.
        """
        m = check_int(m, "m", minimum=0)
        R = _companion_power(self._c, m)
        return sp.Matrix([[_to_sympy(v) for v in row] for row in R])

    def terms(self, count: int) -> list[Exact]:
        """The first ``count`` terms a(0), …, a(count−1) by direct iteration of the recurrence.

        Introduced in chapter 1 (Linear recurrences).

        This is the reference the matrix power and the closed form are checked against.
        """
        count = check_int(count, "count", minimum=0)
        out = list(self._a0[:count])
        k = self.order
        c = self._c
        while len(out) < count:
            out.append(sum(c[i] * out[-1 - i] for i in range(k)))
        if self._integral:
            return out
        return [Fraction(v) for v in out]

    # ---------------------------------------------------------------- symbolic objects
    def companion_matrix(self) -> sp.Matrix:
        """The k×k companion matrix C (sympy), with [a(n), …, a(n−k+1)]ᵀ = C·[a(n−1), …, a(n−k)]ᵀ.

        Introduced in chapter 1 (Linear recurrences).
        """
        k = self.order
        C = sp.zeros(k, k)
        for j, c in enumerate(self._c):
            C[0, j] = _to_sympy(c)
        for i in range(1, k):
            C[i, i - 1] = 1
        return C

    def characteristic_polynomial(self) -> sp.Poly:
        """χ(x) = xᵏ − c₁xᵏ⁻¹ − … − c_k as a monic sympy ``Poly`` in a symbol named ``x``.

        Introduced in chapter 1 (Linear recurrences). It equals det(x·I − C).
        """
        coeffs = [sp.Integer(1)] + [-_to_sympy(c) for c in self._c]
        return sp.Poly(coeffs, _CHAR_X)

    @cached_property
    def _factors(self) -> list[tuple[sp.Poly, int, list[sp.Expr]]]:
        """[(q, multiplicity, roots of q)] over the monic irreducible factors q of χ over ℚ.

        Roots are radicals when ``sympy.roots`` finds all of them without the Cardano/Ferrari
        formulas (linear and quadratic factors, binomials, cyclotomic factors, …) and
        ``CRootOf`` otherwise.
        """
        chi = self.characteristic_polynomial()
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

    def roots(self) -> dict[sp.Expr, int]:
        """The roots of χ with multiplicities, ``{root: multiplicity}``.

        Introduced in chapter 1 (Linear recurrences).

        Exact: radicals where ``sympy.roots`` gives them for an irreducible factor of χ,
        ``sympy.CRootOf`` (an exact, indexed root of a polynomial) otherwise — e.g. for
        χ = x⁵ − x − 1, whose roots are not expressible in radicals. The Cardano/Ferrari formulas
        for irreducible cubics/quartics are deliberately not used: they are exact but so large
        that checking the closed form exactly becomes impractical; ``CRootOf`` is used instead.
        """
        out: dict[sp.Expr, int] = {}
        for _, m, rts in self._factors:
            for r in rts:
                out[r] = out.get(r, 0) + m
        return out

    @cached_property
    def _root_numbers(self) -> dict[sp.Expr, sp.Expr]:
        """{root: its value as a sympy Float (or Float + I·Float) with 80 digits}.

        sympy's own ``CRootOf.evalf`` refines complex isolating rectangles slowly (seconds per
        root), so the roots of each irreducible factor are computed with
        ``mpmath.polyroots`` and each numerical root is matched to the ``CRootOf`` whose
        isolating interval contains it; if the matching is not one-to-one, sympy's evalf is
        used after all.
        """
        out: dict[sp.Expr, sp.Expr] = {}
        for _, _, rts in self._factors:
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

    @cached_property
    def _root_values(self) -> list[tuple[complex, sp.Expr]]:
        return [(complex(self._root_numbers[r]), r) for r in self.roots()]

    def spectral_radius(self) -> float:
        """max |r| over the roots r of χ (the spectral radius of C), as a float.

        Introduced in chapter 1 (Linear recurrences). Generic solutions grow like ρⁿ (times a
        polynomial when the dominant roots repeat).
        """
        return max(abs(v) for v, _ in self._root_values)

    def dominant_root(self) -> sp.Expr:
        """The root of χ of largest modulus (exact sympy number).

        Introduced in chapter 1 (Linear recurrences).

        When several roots share the largest modulus (e.g. ±1, or a complex-conjugate pair)
        the dominant root is not unique; then a real positive one is preferred, then the one
        with the largest real part and non-negative imaginary part.
        """
        rho = self.spectral_radius()
        tied = [(v, r) for v, r in self._root_values if abs(v) >= rho * (1 - 1e-12)]
        tied.sort(key=lambda vr: (abs(vr[0].imag) > 1e-12 * rho, -vr[0].real, -vr[0].imag))
        return tied[0][1]

    # ---------------------------------------------------------------- closed form
    @cached_property
    def _power_sums(self) -> list[LinearRecurrence]:
        """For each irreducible factor q = xᵈ + e₁xᵈ⁻¹ + … + e_d, the power sums
        p_s = Σ_{q(r)=0} rˢ as a recurrence (Newton's identities give p₀, …, p_{d−1})."""
        out = []
        for q, _, _ in self._factors:
            e = [_to_fraction(v) for v in q.all_coeffs()[1:]]
            d = len(e)
            p: list[Exact] = [d]
            for s in range(1, d):
                p.append(-sum(e[i - 1] * p[s - i] for i in range(1, s)) - s * e[s - 1])
            out.append(LinearRecurrence([-v for v in e], p))
        return out

    def _power_sum(self, j: int, s: int, cache: dict[tuple[int, int], Exact]) -> Exact:
        key = (j, s)
        if key not in cache:
            cache[key] = self._power_sums[j].term(s)
        return cache[key]

    @cached_property
    def _constants(self) -> list[list[list[Fraction]]]:
        """g[j][i][l]: the coefficient of n^i·r^n for a root r of factor j is Σ_l g[j][i][l]·rˡ.

        Solved from the k initial values by a k×k rational linear system (sympy LUsolve).
        """
        k = self.order
        cache: dict[tuple[int, int], Exact] = {}
        columns: list[tuple[int, int, int]] = []
        for j, (q, m, _) in enumerate(self._factors):
            for i in range(m):
                for ell in range(q.degree()):
                    columns.append((j, i, ell))
        A = sp.zeros(k, k)
        for t in range(k):
            for col, (j, i, ell) in enumerate(columns):
                A[t, col] = _to_sympy(self._power_sum(j, t + ell, cache)) * (
                    1 if i == 0 else sp.Integer(t) ** i
                )
        rhs = sp.Matrix([_to_sympy(v) for v in self._a0])
        sol = A.LUsolve(rhs)
        g = [[[Fraction(0)] * q.degree() for _ in range(m)] for q, m, _ in self._factors]
        for col, (j, i, ell) in enumerate(columns):
            v = sol[col]
            g[j][i][ell] = Fraction(int(v.p), int(v.q))
        return g

    @cached_property
    def _expression(self) -> sp.Expr:
        n = n_symbol
        total = sp.Integer(0)
        for j, (_, m, rts) in enumerate(self._factors):
            gj = self._constants[j]
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

    @cached_property
    def _mp_function(self) -> Callable[[int], mpmath.mpc]:
        """The closed-form expression (CRootOf replaced by 80-digit values) as an mpmath
        function of n, evaluated at the caller's ``mpmath.mp.dps``."""
        return sp.lambdify(n_symbol, self._expression.xreplace(self._crootof_numbers), "mpmath")

    @cached_property
    def _has_crootof(self) -> bool:
        return bool(self._crootof_numbers)

    def _mp_scale(self, n: int) -> mpmath.mpf:
        """Σ |term| of the closed form at n: the size against which round-off is judged."""
        return mpmath.fsum(abs(mpmath.mpmathify(t)) for t in self._mp_terms(n))

    @cached_property
    def _mp_terms(self) -> Callable[[int], list[mpmath.mpc]]:
        expr = self._expression.xreplace(self._crootof_numbers)
        return sp.lambdify(n_symbol, list(sp.Add.make_args(expr)), "mpmath")

    @cached_property
    def _crootof_numbers(self) -> dict[sp.Expr, sp.Expr]:
        out: dict[sp.Expr, sp.Expr] = {}
        for r, v in self._root_numbers.items():
            if r.has(sp.CRootOf):  # r = c·atom, so atom = v / c
                atom = _crootof_atom(r)
                out[atom] = sp.expand(v * atom / r)
        return out

    def _exact_closed_form_value(self, n: int) -> sp.Rational:
        """Σ_j Σ_i nⁱ · Tr(G_ji(θ)θⁿ): the closed form at integer n, exactly (Galois traces)."""
        cache: dict[tuple[int, int], Exact] = {}
        total: Exact = 0
        for j, (_q, m, _) in enumerate(self._factors):
            for i in range(m):
                tr: Exact = 0
                for ell, g in enumerate(self._constants[j][i]):
                    if g:
                        tr += g * self._power_sum(j, n + ell, cache)
                total += tr * n**i
        return _to_sympy(Fraction(total))

    def _check_expression_at(self, n: int) -> str:
        """Compare the closed-form *expression* at n with term(n); return how it was checked."""
        expected = _to_sympy(self.term(n))
        if not self._has_crootof:
            value = self._expression.subs(n_symbol, n)
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
            total = self._mp_function(n)
            scale = max(self._mp_scale(n), abs(mpmath.mpf(expected.p) / expected.q), 1)
            diff = abs(total - mpmath.mpf(expected.p) / expected.q)
            if diff > mpmath.mpf(10) ** (-_VERIFY_EXPONENT) * scale:
                raise RuntimeError(
                    f"closed form disagrees with iteration at n={n}: |difference| = "
                    f"{mpmath.nstr(diff, 5)} (60-digit evaluation)"
                )
        # … and the exact value via traces
        if self._exact_closed_form_value(n) != expected:
            raise RuntimeError(f"closed form (exact trace) disagrees with iteration at n={n}")
        return "numeric-60-digits+exact-trace"

    def verify_closed_form(self, ns: Iterable[int] | None = None) -> bool:
        """Check the closed form against ``term(n)`` for every n in ``ns``; raise if any differs.

        Introduced in chapter 1 (Linear recurrences).

        Without CRootOf the substituted expression is simplified exactly (sympy ``expand``/
        ``radsimp``) and compared with ``term(n)``. With CRootOf roots the expression is
        evaluated to 60 significant digits and must agree to a relative 10⁻⁴⁰, and the exact
        rational value obtained from Galois traces must equal ``term(n)``.

        Parameters
        ----------
        ns : iterable of int, optional
            Indices to check; default 0, 1, …, k+2.

        Returns
        -------
        bool
            ``True`` (a disagreement raises ``RuntimeError``).
        """
        if ns is None:
            ns = range(self.order + 3)
        if isinstance(ns, str | bytes) or not isinstance(ns, Iterable):
            raise TypeError(f"ns must be an iterable of integers, got {ns!r}")
        for v in ns:
            self._check_expression_at(check_int(v, "ns", minimum=0))
        return True

    def closed_form(self, n: int | sp.Symbol | None = None) -> sp.Expr:
        """The closed form Σ_r p_r(n)·rⁿ over the roots r of χ, or its exact value at n.

        Introduced in chapter 1 (Linear recurrences).

        A root r of multiplicity m contributes (C₀ + C₁n + … + C_{m−1}n^{m−1})·rⁿ (Jordan
        form). The constants are solved from the initial values by an exact linear system (see
        the module docstring); the result is checked against ``term(n)`` for n = 0, …, k+2
        before it is first returned (``RuntimeError`` on disagreement).

        Parameters
        ----------
        n : int or sympy Symbol, optional
            Omitted: the expression in ``n_symbol`` (an integer, nonnegative sympy symbol).
            An int: the exact value, a sympy ``Integer``/``Rational``. For roots in radicals
            this equals the expanded expression; for ``CRootOf`` roots, whose sums sympy
            cannot simplify, the value is computed exactly from the same constants as
            Σ nⁱ·Tr(G(θ)θⁿ) (traces over conjugate roots are rational).
            A sympy Symbol: the expression in that symbol.

        Returns
        -------
        sympy.Expr
        """
        if not self._verified:
            self.verify_closed_form()
            self._verified = True
        if n is None:
            return self._expression
        if isinstance(n, sp.Symbol):
            return self._expression.subs(n_symbol, n)
        n = check_int(n, "n", minimum=0)
        return self._exact_closed_form_value(n)

    def numeric(self, n: int | np.ndarray) -> float | np.ndarray:
        """Floating-point value of the closed form at integer n (or an array of n).

        Introduced in chapter 1 (Linear recurrences).

        The expression Σ p_r(n)·rⁿ is evaluated with 30 significant digits (the sympy
        expression is lambdified to mpmath, with CRootOf replaced by 80-digit values; complex
        roots come in conjugate pairs, so the imaginary part is round-off and is dropped) and
        then rounded to float64 — so this is the closed form evaluated
        *accurately*, unlike ``binet`` which evaluates Binet's formula in float64 arithmetic.
        Values beyond the float range give ±inf.

        Parameters
        ----------
        n : int or 1-D array of ints
            Indices, n ≥ 0.

        Returns
        -------
        float, or float64 array of the same shape as ``n``.
        """
        if isinstance(n, np.ndarray | list | tuple):
            arr = np.asarray(n)
            if arr.ndim != 1 or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
                raise TypeError(f"n must be an int or a 1-D array of ints, got {n!r}")
            return np.array([self.numeric(int(v)) for v in arr], dtype=np.float64)
        n = check_int(n, "n", minimum=0)
        self.closed_form()  # builds and verifies the expression
        with mpmath.workdps(30):
            val = mpmath.mpmathify(self._mp_function(n))
            re, im = mpmath.re(val), mpmath.im(val)
            if abs(im) > mpmath.mpf(10) ** -12 * max(1, self._mp_scale(n)):
                raise RuntimeError(f"closed form at n={n} has a non-negligible imaginary part")
            return float(re)

    # ---------------------------------------------------------------- float64 closed form
    @cached_property
    def _minimal_characteristic_polynomial(self) -> sp.Poly | None:
        """The characteristic polynomial of the shortest recurrence the sequence satisfies.

        The generating function is Σ a(n)xⁿ = P(x)/Q(x) with Q(x) = 1 − c₁x − … − c_k·xᵏ and
        deg P < k (P's coefficients are a(j) − Σ_{i≤j} cᵢ·a(j−i)). Cancelling g = gcd(P, Q)
        (exact, over ℚ) leaves Q/g, whose reversal xᵈ·(Q/g)(1/x) is the minimal polynomial
        of the sequence: the roots of χ it lacks have constant exactly 0 in the closed form.
        ``None`` for the zero sequence.
        """
        k = self.order
        a0, c = self._a0, self._c
        p_asc = [a0[j] - sum(c[i - 1] * a0[j - i] for i in range(1, j + 1)) for j in range(k)]
        if all(v == 0 for v in p_asc):
            return None
        q_asc = [1, *(-v for v in c)]
        P = sp.Poly([_to_sympy(v) for v in reversed(p_asc)], _CHAR_X, domain=sp.QQ)
        Q = sp.Poly([_to_sympy(v) for v in reversed(q_asc)], _CHAR_X, domain=sp.QQ)
        q_min = Q.quo(P.gcd(Q))
        q_min_asc = list(reversed(q_min.all_coeffs()))
        return sp.Poly([v / q_min_asc[0] for v in q_min_asc], _CHAR_X, domain=sp.QQ)

    @cached_property
    def _float_form(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(roots, powers, constants) with a(n) = Σ_j constants_j·n^powers_j·roots_jⁿ, float64.

        Built on the sequence's minimal polynomial μ (degree d ≤ k), so no root gets a
        constant that is exactly 0. Multiplicities are exact: μ is split into squarefree
        factors over ℚ (sympy ``sqf_list``); each factor has simple roots, found by
        ``np.roots``. The constants solve the d×d confluent Vandermonde system
        V[t, j] = t^powers_j·roots_jᵗ, t < d, with right-hand side a(0), …, a(d−1).
        """
        mu = self._minimal_characteristic_polynomial
        if mu is None:  # the zero sequence: an empty sum
            empty = np.zeros(0, dtype=np.complex128)
            return empty, np.zeros(0, dtype=np.int64), empty
        distinct, mults = _float_roots(mu)
        r_arr = np.repeat(distinct, mults)
        p_arr = np.concatenate([np.arange(m, dtype=np.int64) for m in mults])
        d = len(r_arr)
        t = np.arange(d)
        V = t[:, None].astype(np.float64) ** p_arr[None, :] * r_arr[None, :] ** t[:, None]
        cond = np.linalg.cond(V)
        if not np.isfinite(cond) or cond > _FAST_MAX_COND:
            raise ValueError(
                f"coefficients ({self._coefficient_text()}) give characteristic roots too "
                "close together to separate in float64 (condition number "
                f"{cond:.1e} of the root system); use term(n) or numeric(n) instead"
            )
        initial = np.array([float(v) for v in self._a0[:d]], dtype=np.float64)
        constants = np.linalg.solve(V, initial.astype(np.complex128))
        return r_arr, p_arr, constants

    def roots_float(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct roots of χ in float64 (complex) with their exact multiplicities.

        Introduced in chapter 1 (Linear recurrences), for the interactive figure.

        χ is split into squarefree factors over ℚ (exact, sympy ``sqf_list``), so a repeated
        root is reported once with its true multiplicity instead of as a float cluster; the
        simple roots of each factor come from ``np.roots``. Use ``roots()`` for exact roots.

        Returns
        -------
        roots : complex128 array of the distinct roots
        multiplicities : int array of the same length, summing to the order k
        """
        return _float_roots(self.characteristic_polynomial())

    def _coefficient_text(self) -> str:
        return ", ".join(str(c) for c in self._c)

    def _float_values(self, n: np.ndarray) -> np.ndarray:
        """Σ_j constants_j·n^powers_j·roots_jⁿ at the integers ``n`` (complex, unchecked)."""
        roots, powers, constants = self._float_form
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            terms = (
                constants[None, :]
                * n.astype(np.float64)[:, None] ** powers[None, :]
                * roots[None, :] ** n[:, None]
            )
            return terms.sum(axis=1)

    def numeric_fast(self, n: int | np.ndarray) -> float | np.ndarray:
        """The closed form Σ_r p_r(n)·rⁿ evaluated in float64 with numpy: fast, self-checked.

        Introduced in chapter 1 (Linear recurrences), for the interactive figure, which needs a
        closed form at every redraw and cannot wait for the exact sympy one.

        Algorithm, exact where float64 would guess:

        1. The sequence's *minimal* polynomial μ, a divisor of χ, is found exactly (cancel the
           generating function P/Q). This matters: a(n) = (−1)ⁿ also satisfies
           a(n) = 2a(n−1) + 3a(n−2), whose χ has the root 3, but its constant is exactly 0;
           float round-off would make it about 10⁻¹⁷, and 10⁻¹⁷·3ⁿ swamps (−1)ⁿ by n ≈ 40.
        2. μ is split exactly into squarefree factors over ℚ, so every root's multiplicity m
           is known exactly (repeated roots are not guessed from float coincidences); the
           simple roots of each factor come from ``np.roots``.
        3. A root of multiplicity m contributes the columns tⁱ·rᵗ (i < m) of a confluent
           Vandermonde system for t = 0, …, d−1 (d = deg μ), whose solution gives the
           constants; then a(n) = Σ constant·nⁱ·rⁿ. Complex roots come in conjugate pairs,
           so the imaginary part is round-off and is dropped.

        The result is checked before it is returned: at t = k, …, 2k−1 and at the k
        consecutive indices ending at the largest requested n (the first k if it is < k) it
        must agree with the exact ``term`` to a relative 10⁻⁸ of the largest of those k exact
        terms (k consecutive terms are the whole state, so this measures the error against
        the size of the sequence there). Roots that float64
        cannot separate (distinct but nearly equal, e.g. 1 and 1 + 10⁻⁹) fail this check.

        Parameters
        ----------
        n : int or 1-D array of ints
            Indices, n ≥ 0.

        Returns
        -------
        float, or float64 array of the same shape as ``n``.

        Raises
        ------
        ValueError
            If float64 cannot separate the roots (the confluent Vandermonde system is
            numerically singular, or the check against ``term`` fails).
        OverflowError
            If a value leaves the float64 range (|a(n)| beyond about 1.8·10³⁰⁸).

        Examples
        --------
        >>> round(LinearRecurrence([1, 1], [0, 1]).numeric_fast(50))
        12586269025
        """
        if isinstance(n, np.ndarray | list | tuple):
            arr = np.asarray(n)
            if arr.ndim != 1 or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
                raise TypeError(f"n must be an int or a 1-D array of ints, got {n!r}")
            arr = arr.astype(np.int64)
            if arr.size and arr.min() < 0:
                raise ValueError(f"n must contain integers >= 0, got minimum {arr.min()}")
            scalar = False
        else:
            arr = np.array([check_int(n, "n", minimum=0)], dtype=np.int64)
            scalar = True
        values = self._float_values(arr)
        if not np.all(np.isfinite(values)):
            bad = int(arr[~np.isfinite(values)][0])
            raise OverflowError(
                f"a(n) leaves the float64 range at n = {bad}; term(n) gives the exact value"
            )
        k = self.order
        n_hi = int(arr.max()) if arr.size else 0
        for block in (range(k, 2 * k), range(max(0, n_hi - k + 1), max(n_hi, k - 1) + 1)):
            got = self._float_values(np.array(block, dtype=np.int64)).real
            try:
                exact = np.array([float(self.term(m)) for m in block], dtype=np.float64)
            except OverflowError:
                exact = np.array([np.inf])
            size = float(np.max(np.abs(exact)))
            err = float(np.max(np.abs(got - exact))) if np.isfinite(size) else np.inf
            if not err <= _FAST_RTOL * size:
                raise ValueError(
                    f"coefficients ({self._coefficient_text()}) give a closed form that "
                    "float64 cannot evaluate accurately (nearly equal roots?): it is off by "
                    f"a relative {err / size if size else err:.1e} at n = {block[-1]}; use "
                    "term(n) or numeric(n) instead"
                )
        out = values.real
        return float(out[0]) if scalar else out


def _float_roots(poly: sp.Poly) -> tuple[np.ndarray, np.ndarray]:
    """Distinct roots (np.roots of each exact squarefree factor) and exact multiplicities."""
    roots: list[complex] = []
    mults: list[int] = []
    for factor, m in poly.sqf_list()[1]:
        found = np.roots([float(v) for v in factor.all_coeffs()])
        roots.extend(complex(r) for r in found)
        mults.extend([m] * len(found))
    return np.array(roots, dtype=np.complex128), np.array(mults, dtype=np.int64)


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


def _frac_norm(v: Fraction) -> Exact:
    return v.numerator if v.denominator == 1 else v


# --------------------------------------------------------------------------------------------
# Fibonacci and Binet
# --------------------------------------------------------------------------------------------


def fibonacci(n: int) -> int:
    """Exact Fibonacci number F(n) (F(0)=0, F(1)=1) by fast doubling.

    Introduced in chapter 1 (Linear recurrences).

    F(2k) = F(k)·(2F(k+1) − F(k)) and F(2k+1) = F(k)² + F(k+1)²: about three big-integer
    products per bit of n, and only F(n) (not F(n+1)) is formed at the last, largest step.
    """
    n = check_int(n, "n", minimum=0)
    if n == 0:
        return 0
    a, b = 0, 1  # F(k), F(k+1) with k = 0
    half = n >> 1
    if half:
        for bit in bin(half)[2:]:
            c = a * (2 * b - a)  # F(2k)
            d = a * a + b * b  # F(2k+1)
            if bit == "1":
                a, b = d, c + d
            else:
                a, b = c, d
    # a = F(half), b = F(half+1)
    if n & 1:
        return a * a + b * b
    return a * (2 * b - a)


_SQRT5 = np.sqrt(np.float64(5.0))
_PHI = (np.float64(1.0) + _SQRT5) / np.float64(2.0)
_PSI = (np.float64(1.0) - _SQRT5) / np.float64(2.0)


def binet(n: int) -> float:
    """Binet's formula F(n) = (φⁿ − ψⁿ)/√5 evaluated in numpy float64 arithmetic.

    Introduced in chapter 1 (Linear recurrences).

    φ = (1+√5)/2 and ψ = (1−√5)/2 are rounded to float64 and powered with ``np.power``;
    the point is to show where rounding makes the exact closed form give a wrong integer
    (see ``binet_failure_index``). Returns ``inf`` once φⁿ overflows (n > 1474).
    """
    n = check_int(n, "n", minimum=0)
    with np.errstate(over="ignore", invalid="ignore"):
        val = (np.power(_PHI, np.float64(n)) - np.power(_PSI, np.float64(n))) / _SQRT5
    return float(val)


def binet_failure_index(n_max: int = 1474) -> int:
    """The first n with ``round(binet(n)) != fibonacci(n)``, found by scanning n = 0, 1, ….

    Introduced in chapter 1 (Linear recurrences).

    The exact F(n) comes from iteration (big integers). For float64 this is n = 71:
    F(71) = 308061521170129 but the float64 formula gives 308061521170129.7.

    Parameters
    ----------
    n_max : int
        Largest n scanned (default 1474, the last n with finite φⁿ in float64).

    Raises
    ------
    RuntimeError
        If no failure occurs for n ≤ n_max.
    """
    n_max = check_int(n_max, "n_max", minimum=0)
    a, b = 0, 1
    for n in range(n_max + 1):
        if round(binet(n)) != a:
            return n
        a, b = b, a + b
    raise RuntimeError(f"round(binet(n)) == fibonacci(n) for every n <= {n_max}")


# --------------------------------------------------------------------------------------------
# Akra–Bazzi
# --------------------------------------------------------------------------------------------


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
        """p as a float."""
        return float(self.p)

    def bound_values(self, n: np.ndarray | Sequence[float]) -> np.ndarray:
        """The bound evaluated (float64) at the points ``n`` (all > 0)."""
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
    >>> akra_bazzi([(2, sp.Rational(1, 2))], x).bound
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


def akra_bazzi_evaluate(
    terms: Sequence[tuple[object, object]],
    g: sp.Expr,
    n_max: int,
    base: float = 1.0,
    n0: int = 1,
) -> np.ndarray:
    """T(0), …, T(n_max) for T(n) = Σ aᵢ·T(⌊bᵢn⌋) + g(n), with T(n) = ``base`` for n ≤ n0.

    Introduced in chapter 1 (Linear recurrences).

    Since every bᵢ < 1, ⌊bᵢn⌋ < n for n ≥ 1, so the table is filled upwards without recursion.
    It is filled in blocks [lo, hi) with max(bᵢ)·(hi − 1) < lo, inside which every ⌊bᵢn⌋ points
    below the block, so each block is one vectorised numpy step (O(log n_max) blocks). The
    chapter plots T(n)/bound(n) against n to show it levelling off.

    Parameters
    ----------
    terms, g
        As in ``akra_bazzi``.
    n_max : int
        Largest n, ≥ 1.
    base : float
        Value of T on 0, …, n0.
    n0 : int
        Last index of the base case, ≥ 0 (default 1: T(0) = T(1) = base).

    Returns
    -------
    float64 array of length n_max + 1
    """
    pairs = _check_terms(terms)
    g = _check_g(g)
    n_max = check_int(n_max, "n_max", minimum=1)
    base = check_real(base, "base")
    n0 = check_int(n0, "n0", minimum=0)
    g_fun: Callable[[np.ndarray], np.ndarray] = sp.lambdify(x, g, "numpy")
    T = np.empty(n_max + 1, dtype=np.float64)
    T[: min(n0, n_max) + 1] = base
    b_max = max(float(bi) for _, bi in pairs)
    lo = n0 + 1
    while lo <= n_max:
        hi = min(n_max + 1, max(lo + 1, math.ceil(lo / b_max)))
        while hi - 1 > lo and b_max * (hi - 1) >= lo:  # guard against float rounding
            hi -= 1
        idx = np.arange(lo, hi, dtype=np.int64)
        vals = np.broadcast_to(np.asarray(g_fun(idx.astype(np.float64)), np.float64), idx.shape)
        block = vals.copy()
        for ai, bi in pairs:
            if bi.is_Rational:
                src = (idx * int(bi.p)) // int(bi.q)
            else:
                src = np.floor(float(bi) * idx).astype(np.int64)
            block += float(ai) * T[src]
        T[lo:hi] = block
        lo = hi
    return T


def _exact_fraction(v: sp.Expr) -> Fraction:
    """A sympy real number as an exact Fraction (a Float is the binary fraction it stores)."""
    if isinstance(v, sp.Rational):
        return Fraction(int(v.p), int(v.q))
    return Fraction(float(v))


def _exceeds_exactly(xs: np.ndarray, threshold: Fraction) -> np.ndarray:
    """Boolean array xs > threshold, exact: floats near the threshold are compared as Fractions."""
    t = float(threshold)
    out = xs > t
    near = np.flatnonzero(np.abs(xs - t) <= 1e-12 * abs(t))  # float(threshold) may be rounded
    for i in near:
        out[i] = Fraction(float(xs[i])) > threshold
    return out


def akra_bazzi_real(
    terms: Sequence[tuple[object, object]],
    g: sp.Expr,
    xs: np.ndarray | Sequence[float],
    base: float = 1.0,
) -> np.ndarray:
    """T(x) at real x for T(x) = Σ aᵢ·T(bᵢx) + g(x) (no rounding), with T(x) = ``base`` for x ≤ 1.

    Introduced in chapter 1 (Linear recurrences).

    Every argument reached from x is x·∏ bᵢ^{kᵢ} for a vector of exponents k, so T(x) is a
    sum over the nodes k of the recursion tree. The nodes are visited once each (memoised on
    k), and each visit handles all of ``xs`` at once as one numpy array. Whether a node is a
    leaf (x·∏ bᵢ^{kᵢ} ≤ 1) is decided in exact rational arithmetic, so an argument that is
    exactly 1, such as x = 2³⁰ after 30 halvings, is a leaf and not 1 + ε. With two terms and
    x ≤ 10¹⁵ there are about a thousand nodes. The chapter uses it to compare the lattice
    case (all log bᵢ rational multiples of one number), where T(x)/x^p keeps oscillating, with
    the non-lattice case, where the renewal theorem makes it converge.

    Parameters
    ----------
    terms, g
        As in ``akra_bazzi`` (aᵢ > 0, 0 < bᵢ < 1, g ≥ 0 a sympy expression in ``x``).
    xs : array of float
        Points x ≥ 1 at which T is wanted (1-D).
    base : float
        Value of T on x ≤ 1.

    Returns
    -------
    float64 array, the same shape as ``xs``
    """
    pairs = _check_terms(terms)
    g = _check_g(g)
    xs = check_real_array(xs, "xs", ndim=1)
    if xs.size and xs.min() < 1:
        raise ValueError(f"xs must contain only x >= 1, got min(xs) = {xs.min():.3g}")
    base = check_real(base, "base")
    g_fun: Callable[[np.ndarray], np.ndarray] = sp.lambdify(x, g, "numpy")
    a = [float(ai) for ai, _ in pairs]
    b_exact = [_exact_fraction(bi) for _, bi in pairs]
    memo: dict[tuple[int, ...], np.ndarray] = {}

    def node(k: tuple[int, ...]) -> np.ndarray:
        if k in memo:
            return memo[k]
        scale = math.prod((bi**ki for bi, ki in zip(b_exact, k, strict=True)), start=Fraction(1))
        arg = xs * float(scale)
        out = np.full(xs.shape, base, dtype=np.float64)
        live = _exceeds_exactly(xs, 1 / scale)  # x·∏ bᵢ^kᵢ > 1, decided without rounding
        if live.any():
            total = np.broadcast_to(np.asarray(g_fun(arg), np.float64), xs.shape).copy()
            for i, ai in enumerate(a):
                child = (*k[:i], k[i] + 1, *k[i + 1 :])
                total += ai * node(child)
            out[live] = total[live]
        memo[k] = out
        return out

    return node((0,) * len(pairs)).copy()


def first_order_product(
    coefficients: np.ndarray | Sequence[float], initial: float = 1.0
) -> np.ndarray:
    """Closed form of a(n+1) = cₙ·a(n): a(n) = a(0)·c₀c₁⋯c_{n−1}, for n = 0, …, len(c).

    Introduced in chapter 1 (Linear recurrences).

    The first-order linear recurrence with a *variable* coefficient has a closed form that is a
    plain product (an empty product is 1). It is width-1 backprop, δ⁽ˡ⁾ = w⁽ˡ⁾f′(z⁽ˡ⁾)δ⁽ˡ⁺¹⁾,
    and the scalar case of chapter 2's ordered matrix product (the state-transition matrix).
    The product costs as many multiplications as the recurrence: it is a closed form of
    constant size only when the cₙ have structure (cₙ = q gives qⁿ; cₙ = n + 1 gives n!).

    Parameters
    ----------
    coefficients : array of float
        c₀, …, c_{N−1} (1-D, finite).
    initial : float
        a(0).

    Returns
    -------
    float64 array [a(0), a(1), …, a(N)]
    """
    c = check_real_array(coefficients, "coefficients", ndim=1)
    initial = check_real(initial, "initial")
    return initial * np.concatenate(([1.0], np.cumprod(c)))

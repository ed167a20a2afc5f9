"""Linear recurrences with constant coefficients: exact terms, roots and closed forms.

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

so a(n) is read off Cⁿ⁻ᵏ⁺¹ (computed in O(log n) matrix products, ``_companion``), and the
eigenvalues of C — the roots of the characteristic polynomial χ(x) = xᵏ − c₁xᵏ⁻¹ − … − c_k —
give the closed form

    a(n) = Σ_r p_r(n)·rⁿ,     deg p_r < multiplicity of r.

Backprop (chapter 2) is the same recurrence with coefficients that change from layer to layer;
this module is the constant-coefficient baseline.

How the constants are found exactly, and checked against iteration before they are returned,
is in :mod:`bpcore.recurrences.closed_form`; the float64 closed form of ``numeric_fast`` (for
the interactive figure) is in :mod:`bpcore.recurrences.float_form`. The class below keeps the
results of those steps (cached) and calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from functools import cached_property

import mpmath
import numpy as np
import sympy as sp

from bpcore._validate import check_int
from bpcore.recurrences import closed_form as _cf
from bpcore.recurrences import float_form as _ff
from bpcore.recurrences._companion import _companion_power, _x_power_mod
from bpcore.recurrences._exact import (
    _CHAR_X,
    Exact,
    _as_exact_result,
    _exact_list,
    _lcm_denominator,
    _to_exact,
    _to_sympy,
)
from bpcore.recurrences.closed_form import n_symbol

__all__ = ["LinearRecurrence"]


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

    Size: the class is longer than ~200 lines because its thirteen public methods each carry their
    own documentation and example (about 300 of its ~510 lines are docstrings, 120 are code).
    The algorithms are module functions it calls (:mod:`bpcore.recurrences.closed_form`,
    :mod:`bpcore.recurrences.float_form`, ``_companion``); what the class adds is the cache of
    their results.

    Examples
    --------
    >>> from bpcore.recurrences import LinearRecurrence
    >>> fib = LinearRecurrence([1, 1], [0, 1])
    >>> fib
    LinearRecurrence(a(n) = a(n-1) + a(n-2); a(0)=0, a(1)=1)
    >>> fib.order, fib.coefficients, fib.initial
    (2, (1, 1), (0, 1))
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
        return _recurrence_repr(self._c, self._a0)

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

        Examples
        --------
        >>> from fractions import Fraction
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([1, 1], [0, 1]).term(100)
        354224848179261915075
        >>> LinearRecurrence([Fraction(1, 2)], [1]).term(3)
        Fraction(1, 8)
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

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([1, 1], [0, 1]).companion_power(5)
        Matrix([
        [8, 5],
        [5, 3]])
        """
        m = check_int(m, "m", minimum=0)
        R = _companion_power(self._c, m)
        return sp.Matrix([[_to_sympy(v) for v in row] for row in R])

    def terms(self, count: int) -> list[Exact]:
        """The first ``count`` terms a(0), …, a(count−1) by direct iteration of the recurrence.

        Introduced in chapter 1 (Linear recurrences).

        This is the reference the matrix power and the closed form are checked against.

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([2], [3]).terms(5)
        [3, 6, 12, 24, 48]
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

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([1, 2, 3], [0, 0, 1]).companion_matrix()
        Matrix([
        [1, 2, 3],
        [1, 0, 0],
        [0, 1, 0]])
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

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([1, 1], [0, 1]).characteristic_polynomial()
        Poly(x**2 - x - 1, x, domain='ZZ')
        """
        coeffs = [sp.Integer(1)] + [-_to_sympy(c) for c in self._c]
        return sp.Poly(coeffs, _CHAR_X)

    @cached_property
    def _factors(self) -> list[_cf.Factor]:
        return _cf._irreducible_factors(self.characteristic_polynomial())

    def roots(self) -> dict[sp.Expr, int]:
        """The roots of χ with multiplicities, ``{root: multiplicity}``.

        Introduced in chapter 1 (Linear recurrences).

        Exact: radicals where ``sympy.roots`` gives them for an irreducible factor of χ,
        ``sympy.CRootOf`` (an exact, indexed root of a polynomial) otherwise — e.g. for
        χ = x⁵ − x − 1, whose roots are not expressible in radicals. The Cardano/Ferrari formulas
        for irreducible cubics/quartics are deliberately not used: they are exact but so large
        that checking the closed form exactly becomes impractical; ``CRootOf`` is used instead.

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([4, -4], [0, 1]).roots()
        {2: 2}
        >>> LinearRecurrence([0, 0, 0, 1, 1], [0, 0, 0, 0, 1]).roots()
        {CRootOf(x**5 - x - 1, 0): 1, CRootOf(x**5 - x - 1, 1): 1, ...}
        """
        out: dict[sp.Expr, int] = {}
        for _, m, rts in self._factors:
            for r in rts:
                out[r] = out.get(r, 0) + m
        return out

    @cached_property
    def _root_numbers(self) -> dict[sp.Expr, sp.Expr]:
        return _cf._root_numbers(self._factors)

    @cached_property
    def _root_values(self) -> list[tuple[complex, sp.Expr]]:
        return [(complex(self._root_numbers[r]), r) for r in self.roots()]

    def spectral_radius(self) -> float:
        """max |r| over the roots r of χ (the spectral radius of C), as a float.

        Introduced in chapter 1 (Linear recurrences). Generic solutions grow like ρⁿ (times a
        polynomial when the dominant roots repeat).

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> round(LinearRecurrence([1, 1], [0, 1]).spectral_radius(), 4)
        1.618
        """
        return max(abs(v) for v, _ in self._root_values)

    def dominant_root(self) -> sp.Expr:
        """The root of χ of largest modulus (exact sympy number).

        Introduced in chapter 1 (Linear recurrences).

        When several roots share the largest modulus (e.g. ±1, or a complex-conjugate pair)
        the dominant root is not unique; then a real positive one is preferred, then the one
        with the largest real part and non-negative imaginary part.

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([1, 1], [0, 1]).dominant_root()
        1/2 + sqrt(5)/2
        """
        rho = self.spectral_radius()
        tied = [(v, r) for v, r in self._root_values if abs(v) >= rho * (1 - 1e-12)]
        tied.sort(key=lambda vr: (abs(vr[0].imag) > 1e-12 * rho, -vr[0].real, -vr[0].imag))
        return tied[0][1]

    # ---------------------------------------------------------------- closed form
    @cached_property
    def _power_sums(self) -> list[LinearRecurrence]:
        """For each irreducible factor q of χ, the power sums of its roots as a recurrence."""
        return [LinearRecurrence(c, p) for c, p in _cf._power_sum_recurrences(self._factors)]

    @cached_property
    def _constants(self) -> list[list[list[Fraction]]]:
        return _cf._solve_constants(self._factors, self._a0, self._power_sums)

    @cached_property
    def _expression(self) -> sp.Expr:
        return _cf._closed_form_expression(self._factors, self._constants)

    @cached_property
    def _crootof_numbers(self) -> dict[sp.Expr, sp.Expr]:
        return _cf._crootof_numbers(self._root_numbers)

    @cached_property
    def _mp_function(self) -> Callable[[int], mpmath.mpc]:
        """The closed-form expression (CRootOf replaced by 80-digit values) as an mpmath
        function of n, evaluated at the caller's ``mpmath.mp.dps``."""
        return sp.lambdify(n_symbol, self._expression.xreplace(self._crootof_numbers), "mpmath")

    @cached_property
    def _mp_terms(self) -> Callable[[int], list[mpmath.mpc]]:
        expr = self._expression.xreplace(self._crootof_numbers)
        return sp.lambdify(n_symbol, list(sp.Add.make_args(expr)), "mpmath")

    def _exact_closed_form_value(self, n: int) -> sp.Rational:
        return _cf._exact_value(self._factors, self._constants, self._power_sums, n)

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

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([1, 1], [0, 1]).verify_closed_form(range(10))
        True
        """
        if ns is None:
            ns = range(self.order + 3)
        if isinstance(ns, str | bytes) or not isinstance(ns, Iterable):
            raise TypeError(f"ns must be an iterable of integers, got {ns!r}")
        for v in ns:
            _cf._check_expression_at(self, check_int(v, "ns", minimum=0))
        return True

    def closed_form(self, n: int | sp.Symbol | None = None) -> sp.Expr:
        """The closed form Σ_r p_r(n)·rⁿ over the roots r of χ, or its exact value at n.

        Introduced in chapter 1 (Linear recurrences).

        A root r of multiplicity m contributes (C₀ + C₁n + … + C_{m−1}n^{m−1})·rⁿ (Jordan
        form). The constants are solved from the initial values by an exact linear system (see
        :mod:`bpcore.recurrences.closed_form`); the result is checked against ``term(n)`` for
        n = 0, …, k+2 before it is first returned (``RuntimeError`` on disagreement).

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

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> rec = LinearRecurrence([4, -4], [0, 1])
        >>> rec.closed_form()
        2**n*n/2
        >>> rec.closed_form(10)
        5120
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

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> LinearRecurrence([1, 1], [0, 1]).numeric(70)
        190392490709135.0
        """
        arr = _index_array(n)
        if arr is not None:
            return np.array([self.numeric(int(v)) for v in arr], dtype=np.float64)
        n = check_int(n, "n", minimum=0)
        self.closed_form()  # builds and verifies the expression
        with mpmath.workdps(30):
            val = mpmath.mpmathify(self._mp_function(n))
            re, im = mpmath.re(val), mpmath.im(val)
            if abs(im) > mpmath.mpf(10) ** -12 * max(1, _cf._mp_scale(self._mp_terms, n)):
                raise RuntimeError(f"closed form at n={n} has a non-negligible imaginary part")
            return float(re)

    # ---------------------------------------------------------------- float64 closed form
    @cached_property
    def _float_form(self) -> _ff.FloatForm:
        mu = _ff._minimal_characteristic_polynomial(self._c, self._a0)
        return _ff._float_form(mu, self._a0, self._coefficient_text())

    def _coefficient_text(self) -> str:
        return ", ".join(str(c) for c in self._c)

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

        Examples
        --------
        >>> from bpcore.recurrences import LinearRecurrence
        >>> roots, mults = LinearRecurrence([4, -4], [0, 1]).roots_float()
        >>> roots.real.tolist(), mults.tolist()
        ([2.0], [2])
        """
        return _ff._float_roots(self.characteristic_polynomial())

    def numeric_fast(self, n: int | np.ndarray) -> float | np.ndarray:
        """The closed form Σ_r p_r(n)·rⁿ evaluated in float64 with numpy: fast, self-checked.

        Introduced in chapter 1 (Linear recurrences), for the interactive figure, which needs a
        closed form at every redraw and cannot wait for the exact sympy one.

        The sequence's minimal polynomial and every root's multiplicity are found exactly, the
        roots and constants in float64, and the result is checked against the exact ``term``
        before it is returned (relative 10⁻⁸); :mod:`bpcore.recurrences.float_form` gives the
        algorithm and the check.

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
        >>> from bpcore.recurrences import LinearRecurrence
        >>> round(LinearRecurrence([1, 1], [0, 1]).numeric_fast(50))
        12586269025
        """
        arr = _index_array(n)
        if arr is not None:
            arr = arr.astype(np.int64)
            if arr.size and arr.min() < 0:
                raise ValueError(f"n must contain integers >= 0, got minimum {arr.min()}")
            scalar = False
        else:
            arr = np.array([check_int(n, "n", minimum=0)], dtype=np.int64)
            scalar = True
        values = _ff._float_values(self._float_form, arr)
        if not np.all(np.isfinite(values)):
            bad = int(arr[~np.isfinite(values)][0])
            raise OverflowError(
                f"a(n) leaves the float64 range at n = {bad}; term(n) gives the exact value"
            )
        n_hi = int(arr.max()) if arr.size else 0
        _ff._check_float_form(
            self._float_form, self.order, n_hi, self.term, self._coefficient_text()
        )
        out = values.real
        return float(out[0]) if scalar else out


def _index_array(n: object) -> np.ndarray | None:
    """``n`` as a 1-D integer array if it is an array, list or tuple (``TypeError`` if it is
    not 1-D integers), ``None`` for a scalar (checked by the caller)."""
    if not isinstance(n, np.ndarray | list | tuple):
        return None
    arr = np.asarray(n)
    if arr.ndim != 1 or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"n must be an int or a 1-D array of ints, got {n!r}")
    return arr


def _recurrence_repr(coefficients: Sequence[Exact], initial: Sequence[Exact]) -> str:
    """``LinearRecurrence(a(n) = a(n-1) + 2*a(n-2); a(0)=0, a(1)=1)``."""
    parts: list[str] = []
    for i, c in enumerate(coefficients, start=1):
        if c == 0:
            continue
        mag = abs(c)
        body = f"a(n-{i})" if mag == 1 else f"{mag}*a(n-{i})"
        sign = "-" if c < 0 else "+"
        if not parts:
            parts.append(("-" if c < 0 else "") + body)
        else:
            parts.append(f" {sign} {body}")
    inits = ", ".join(f"a({i})={v}" for i, v in enumerate(initial))
    return f"LinearRecurrence(a(n) = {''.join(parts)}; {inits})"

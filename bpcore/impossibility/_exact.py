"""Exact rationals shared by the modules of :mod:`bpcore.impossibility` (private)."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from bpcore._validate import check_exact_number


def python_rational(value: object) -> int | Fraction:
    """A sympy Rational (or anything sympy reads as one) as a Python int or Fraction.

    Examples
    --------
    >>> import sympy as sp
    >>> from bpcore.impossibility._exact import python_rational
    >>> python_rational(sp.Rational(6, 4)), python_rational(sp.Integer(3))
    (Fraction(3, 2), 3)
    """
    r = sp.Rational(value)
    return int(r) if r.q == 1 else Fraction(int(r.p), int(r.q))


def exact_rational(value: object, name: str) -> int | Fraction:
    """``value`` as an int or Fraction; TypeError naming ``name`` for floats and irrationals.

    Examples
    --------
    >>> import sympy as sp
    >>> from bpcore.impossibility._exact import exact_rational
    >>> exact_rational(sp.Rational(1, 3), "w"), exact_rational(2, "w")
    (Fraction(1, 3), 2)
    """
    v = check_exact_number(value, name)
    if isinstance(v, int | Fraction):
        return v
    r = sp.sympify(v)
    if not r.is_Rational:
        raise TypeError(f"{name} must be rational (int or Fraction), got {value!r}")
    return python_rational(r)

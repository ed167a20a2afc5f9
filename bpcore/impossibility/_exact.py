"""Exact rationals shared by the modules of :mod:`bpcore.impossibility` (private)."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from bpcore._validate import check_exact_number


def python_rational(value: object) -> int | Fraction:
    """A sympy Rational (or anything sympy reads as one) as a Python int or Fraction."""
    r = sp.Rational(value)
    return int(r) if r.q == 1 else Fraction(int(r.p), int(r.q))


def exact_rational(value: object, name: str) -> int | Fraction:
    """``value`` as an int or Fraction; TypeError naming ``name`` for floats and irrationals."""
    v = check_exact_number(value, name)
    if isinstance(v, int | Fraction):
        return v
    r = sp.sympify(v)
    if not r.is_Rational:
        raise TypeError(f"{name} must be rational (int or Fraction), got {value!r}")
    return python_rational(r)

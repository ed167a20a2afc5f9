"""Exact rational numbers for the recurrences package: validation and conversions.

Introduced in chapter 1 (Linear recurrences).

Coefficients and initial values are kept as ``int`` (when every one is an integer) or
``fractions.Fraction``; sympy Rationals are accepted on input, floats are rejected with
``TypeError`` because closed forms are checked exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

import sympy as sp

from bpcore._validate import check_exact_number

#: An exact rational number as the package stores it.
Exact = int | Fraction

# The variable of characteristic polynomials (no assumptions, so that solving χ(x) = 0 with it
# finds every complex root).
_CHAR_X = sp.Symbol("x")


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


def _frac_norm(v: Fraction) -> Exact:
    return v.numerator if v.denominator == 1 else v

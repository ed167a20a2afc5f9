"""Input checks shared by every bpcore module.

Each check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong
value) with a message that names the parameter and says what was expected, so that a reader
never meets a traceback from deep inside numpy or sympy, nor a silently wrong number.
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np
import sympy as sp

__all__ = [
    "check_exact_number",
    "check_int",
    "check_real",
    "check_real_array",
    "check_square_matrix",
]


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as a Python ``int``; reject bools, floats and anything below ``minimum``.

    Examples
    --------
    >>> from bpcore._validate import check_int
    >>> check_int(3, "n", minimum=1)
    3
    >>> check_int(0, "n", minimum=1)
    Traceback (most recent call last):
        ...
    ValueError: n must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | sp.Integer):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    out = int(value)
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {out}")
    return out


def check_real(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` inside the interval given by ``low``/``high``.

    ``low_open``/``high_open`` exclude the end points, e.g. ``check_real(s, "s", low=0,
    low_open=True)`` demands s > 0.

    Examples
    --------
    >>> from bpcore._validate import check_real
    >>> check_real(1, "s", low=0, low_open=True)
    1.0
    >>> check_real(0.0, "s", low=0, low_open=True)
    Traceback (most recent call last):
        ...
    ValueError: s must be > 0, got 0.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real | sp.Expr):
        raise TypeError(
            f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
        )
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real number, got {value!r}") from exc
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    if low is not None and (out < low or (low_open and out == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {out}")
    if high is not None and (out > high or (high_open and out == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {out}")
    return out


def check_exact_number(value: object, name: str) -> int | Fraction | sp.Expr:
    """Accept an int, a ``Fraction`` or a sympy number (exact arithmetic); reject floats.

    Floats are rejected because exact closed forms are checked against exact iteration; pass
    ``Fraction(1, 3)`` or ``sympy.Rational(1, 3)`` instead of ``0.333…``.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from bpcore._validate import check_exact_number
    >>> check_exact_number(Fraction(1, 3), "c")
    Fraction(1, 3)
    >>> check_exact_number(0.5, "c")
    Traceback (most recent call last):
        ...
    TypeError: c must be exact numbers (int, fractions.Fraction or sympy), g...
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an exact number (int, Fraction or sympy), got a bool")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, sp.Basic) and getattr(value, "is_number", False):
        return value
    raise TypeError(
        f"{name} must be exact numbers (int, fractions.Fraction or sympy), got {value!r} "
        f"of type {type(value).__name__}"
    )


def check_real_array(
    value: object,
    name: str,
    *,
    ndim: int | None = None,
    finite: bool = True,
) -> np.ndarray:
    """Return ``value`` as a float64 array; check its number of dimensions and finiteness.

    Examples
    --------
    >>> from bpcore._validate import check_real_array
    >>> check_real_array([[1, 2], [3, 4]], "W", ndim=2)
    array([[1., 2.],
           [3., 4.]])
    >>> check_real_array([1.0, float("nan")], "x")
    Traceback (most recent call last):
        ...
    ValueError: x must contain only finite numbers (no NaN or inf)
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be an array of real numbers, got {type(value).__name__}"
        ) from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return arr


def check_square_matrix(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a finite float64 square matrix (n × n, n ≥ 1).

    Examples
    --------
    >>> from bpcore._validate import check_square_matrix
    >>> check_square_matrix([[0, 1], [1, 1]], "A").shape
    (2, 2)
    >>> check_square_matrix([[1, 2, 3]], "A")
    Traceback (most recent call last):
        ...
    ValueError: A must be a square s×s matrix, got shape (1, 3)
    """
    arr = check_real_array(value, name, ndim=2)
    if arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"{name} must be a square s×s matrix, got shape {arr.shape}")
    return arr

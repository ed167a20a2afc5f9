"""Fibonacci numbers exactly, and Binet's formula in float64: where rounding breaks a closed form.

Introduced in chapter 1 (Linear recurrences).

F(n) = F(n−1) + F(n−2) is the order-2 ``LinearRecurrence([1, 1], [0, 1])``; its closed form is
Binet's F(n) = (φⁿ − ψⁿ)/√5. ``fibonacci`` computes F(n) exactly by fast doubling, ``binet``
evaluates Binet's formula in float64, and ``binet_failure_index`` finds the first n where the
two disagree.
"""

from __future__ import annotations

import numpy as np

from bpcore._validate import check_int

__all__ = ["binet", "binet_failure_index", "fibonacci"]


def fibonacci(n: int) -> int:
    """Exact Fibonacci number F(n) (F(0)=0, F(1)=1) by fast doubling.

    Introduced in chapter 1 (Linear recurrences).

    F(2k) = F(k)·(2F(k+1) − F(k)) and F(2k+1) = F(k)² + F(k+1)²: about three big-integer
    products per bit of n, and only F(n) (not F(n+1)) is formed at the last, largest step.

    Examples
    --------
    >>> from bpcore.recurrences import fibonacci
    >>> fibonacci(100)
    354224848179261915075
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

    Examples
    --------
    >>> from bpcore.recurrences import binet
    >>> binet(10)
    55.000000000000014
    >>> binet(71)  # F(71) = 308061521170129: rounding gives the wrong integer
    308061521170129.7
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

    Examples
    --------
    >>> from bpcore.recurrences import binet_failure_index
    >>> binet_failure_index()
    71
    """
    n_max = check_int(n_max, "n_max", minimum=0)
    a, b = 0, 1
    for n in range(n_max + 1):
        if round(binet(n)) != a:
            return n
        a, b = b, a + b
    raise RuntimeError(f"round(binet(n)) == fibonacci(n) for every n <= {n_max}")

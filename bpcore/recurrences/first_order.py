"""The first-order linear recurrence with a variable coefficient: its closed form is a product.

Introduced in chapter 1 (Linear recurrences).

a(n+1) = cₙ·a(n) is width-1 backprop; chapter 2 generalises it to the ordered matrix product.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bpcore._validate import check_real, check_real_array

__all__ = ["first_order_product"]


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

    Examples
    --------
    >>> from bpcore.recurrences import first_order_product
    >>> first_order_product([2.0, 3.0, 4.0])  # cₙ = n + 2: a(n) = (n + 1)!
    array([ 1.,  2.,  6., 24.])
    """
    c = check_real_array(coefficients, "coefficients", ndim=1)
    initial = check_real(initial, "initial")
    return initial * np.concatenate(([1.0], np.cumprod(c)))

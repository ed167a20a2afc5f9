"""The softsign chain as a Möbius map: δ is Binet-type, numerically and exactly in n.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._validate import (
    check_exact_number,
    check_int,
    check_real,
)

__all__ = [
    "MobiusClosedForm",
    "MobiusSymbolic",
    "mobius_closed_form",
    "mobius_closed_form_symbolic",
]


# ---------------------------------------------------------------------------------------------
# softsign: a Möbius map


def _scaled_power(A: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """A^n = M · 2^E by binary powering, renormalised by exact powers of two (no overflow)."""
    result, E = np.eye(A.shape[0]), 0
    base, Eb = A.copy(), 0
    while n:
        if n & 1:
            result = result @ base
            E += Eb
            _, e = np.frexp(np.max(np.abs(result)))
            result, E = np.ldexp(result, -int(e)), E + int(e)
        n >>= 1
        if n:
            base = base @ base
            Eb *= 2
            _, e = np.frexp(np.max(np.abs(base)))
            base, Eb = np.ldexp(base, -int(e)), Eb + int(e)
    return result, E


@dataclass(frozen=True, eq=False)
class MobiusClosedForm:
    """z after ``depth`` softsign layers and the derivative of the depth-fold map, closed form.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    z : float
        z_n = (a_n z0 + b_n)/(c_n z0 + d_n), [[a_n, b_n], [c_n, d_n]] = A^n, A = [[w+b, b], [1, 1]].
    derivative : float
        d z_n / d z0 = wⁿ/(c_n z0 + d_n)², i.e. δ^(2)/δ^(n_l) with n = depth.
    w, b, z0 : float
        The inputs.
    depth : int
        n.

    Examples
    --------
    >>> from bpcore.dynamics import mobius_closed_form
    >>> mobius_closed_form(1.0, 0.5, 0.5, 10)
    MobiusClosedForm(w=1, b=0.5, z0=0.5, depth=10, z=0.999999, derivative=2.14577e-06)
    """

    z: float
    derivative: float
    w: float
    b: float
    z0: float
    depth: int

    def __repr__(self) -> str:
        return (
            f"MobiusClosedForm(w={self.w:.6g}, b={self.b:.6g}, z0={self.z0:.6g}, "
            f"depth={self.depth}, z={self.z:.10g}, derivative={self.derivative:.10g})"
        )


def mobius_closed_form(w: float, b: float, z0: float, depth: int) -> MobiusClosedForm:
    """Closed form of the width-1 softsign chain z ↦ w z/(1+z) + b for w, z0 > 0 and b ≥ 0.

    Introduced in chapter 4 (Nonlinear activations).

    For z > 0, softsign is z/(1+z) and g(z) = ((w+b) z + b)/(z + 1) is the Möbius map of
    A = [[w+b, b], [1, 1]] (det A = w); the orbit stays positive (z > 0 gives g(z) > b ≥ 0), so
    the n-fold map is the Möbius map of Aⁿ and its derivative is det(Aⁿ)/(c_n z0 + d_n)² =
    wⁿ/(c_n z0 + d_n)². b = 0 is allowed: A = [[w, 0], [1, 1]], and c_n z0 + d_n ≥ 1 still.
    Aⁿ is computed by binary powering with exact power-of-two rescaling (no overflow; all
    entries ≥ 0, so no cancellation).

    Parameters
    ----------
    w, b, z0 : float
        Weight, bias and first pre-activation, each finite; w, z0 > 0 and b ≥ 0.
    depth : int
        n ≥ 0.

    Raises
    ------
    ValueError
        If w or z0 is not > 0, b is < 0, any of them is not finite, or depth < 0.

    See Also
    --------
    mobius_closed_form_symbolic : the same, exact and symbolic in n (Binet-type).
    tied_chain : the recurrence it equals.

    Examples
    --------
    >>> from bpcore.dynamics import mobius_closed_form, tied_chain
    >>> closed = mobius_closed_form(1.0, 0.5, 0.5, 10)
    >>> orbit = tied_chain("softsign", 1.0, 0.5, 0.5, 10)
    >>> bool(abs(closed.z - orbit.zs[-1]) < 1e-12), float(closed.derivative / orbit.deltas[0])
    (True, 1.0)
    """
    w = check_real(w, "w", low=0, low_open=True)
    b = check_real(b, "b", low=0)
    z0 = check_real(z0, "z0", low=0, low_open=True)
    depth = check_int(depth, "depth", minimum=0)
    M, E = _scaled_power(np.array([[w + b, b], [1.0, 1.0]]), depth)
    Mw, Ew = _scaled_power(np.array([[w]]), depth)
    denom = M[1, 0] * z0 + M[1, 1]
    z_n = (M[0, 0] * z0 + M[0, 1]) / denom
    deriv = float(np.ldexp(Mw[0, 0] / denom**2, Ew - 2 * E))
    return MobiusClosedForm(float(z_n), deriv, w, b, z0, depth)


@dataclass(frozen=True, eq=False)
class MobiusSymbolic:
    """Exact Möbius closed form, symbolic in the depth n.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    n, z0 : sympy.Symbol or number
        The depth symbol and the input (a symbol unless a value was given).
    eigenvalues : tuple of sympy.Expr
        λ± = (w+b+1 ± √((w+b−1)² + 4b))/2, real and distinct for b > 0, and w, 1 (in some
        order) for b = 0; λ₊λ₋ = w.
    power : sympy.Matrix
        Aⁿ = (λ₊ⁿ (A − λ₋ I) − λ₋ⁿ (A − λ₊ I))/(λ₊ − λ₋); for the double eigenvalue of
        w = 1, b = 0 (A = [[1, 0], [1, 1]], a Jordan block) Aⁿ = [[1, 0], [n, 1]].
    z : sympy.Expr
        z_n = (a_n z0 + b_n)/(c_n z0 + d_n).
    derivative : sympy.Expr
        wⁿ/(c_n z0 + d_n)².

    Examples
    --------
    >>> from fractions import Fraction
    >>> from bpcore.dynamics import mobius_closed_form_symbolic
    >>> form = mobius_closed_form_symbolic(1, Fraction(1, 2))
    >>> form
    MobiusSymbolic(n=n, z0=z0, eigenvalues=(2, 1/2))
    >>> form.eigenvalues
    (2, 1/2)
    """

    n: sp.Symbol
    z0: sp.Expr
    eigenvalues: tuple[sp.Expr, sp.Expr]
    power: sp.Matrix
    z: sp.Expr
    derivative: sp.Expr

    def __repr__(self) -> str:
        lam = ", ".join(sp.sstr(e) for e in self.eigenvalues)
        return f"MobiusSymbolic(n={self.n}, z0={sp.sstr(self.z0)}, eigenvalues=({lam}))"


def _exact_positive(value: object, name: str, *, allow_zero: bool = False) -> sp.Expr:
    v = check_exact_number(value, name)
    out = sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.sympify(v)
    if allow_zero and out.is_zero:
        return out
    if not (out.is_real and out.is_positive):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {out}")
    return out


def mobius_closed_form_symbolic(w: object, b: object, z0: object = None) -> MobiusSymbolic:
    """The Möbius closed form of the softsign chain, exact and symbolic in n (Binet-type).

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    w, b : int, Fraction or sympy number
        Exact, w > 0 and b ≥ 0 (floats are rejected: pass ``Fraction(3, 2)``).
    z0 : exact number > 0, optional
        Omitted: a positive symbol ``z0``.

    Raises
    ------
    TypeError
        For a float or non-number.
    ValueError
        If w or z0 is not > 0, or b < 0.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from bpcore.dynamics import mobius_closed_form_symbolic
    >>> form = mobius_closed_form_symbolic(1, Fraction(1, 2), Fraction(1, 2))
    >>> [form.z.subs(form.n, k) for k in range(3)]
    [1/2, 5/6, 21/22]
    """
    w_, b_ = _exact_positive(w, "w"), _exact_positive(b, "b", allow_zero=True)
    x0 = sp.Symbol("z0", positive=True) if z0 is None else _exact_positive(z0, "z0")
    n = sp.Symbol("n", integer=True, nonnegative=True)
    A = sp.Matrix([[w_ + b_, b_], [1, 1]])
    root = sp.sqrt((w_ + b_ - 1) ** 2 + 4 * b_)
    lp, lm = (w_ + b_ + 1 + root) / 2, (w_ + b_ + 1 - root) / 2
    eye = sp.eye(2)
    if root == 0:  # w = 1, b = 0: A is a Jordan block with the double eigenvalue 1
        P = sp.Matrix([[1, 0], [n, 1]])
    else:
        P = (lp**n * (A - lm * eye) - lm**n * (A - lp * eye)) / root
        P = P.applyfunc(sp.simplify)
    denom = P[1, 0] * x0 + P[1, 1]
    z_n = (P[0, 0] * x0 + P[0, 1]) / denom
    return MobiusSymbolic(n, x0, (lp, lm), P, z_n, w_**n / denom**2)

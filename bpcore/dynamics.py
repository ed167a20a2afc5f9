"""The forward pass of a tied-weight network as a dynamical system, and its closed forms.

With the same W and b at every layer the forward pass is the iteration z ↦ g(z) = W f(z) + b,
and backprop multiplies by the derivative of the iterated map,
δ^(l) = (∂z^(l+1)/∂z^(l))ᵀ δ^(l+1) with ∂z^(l+1)/∂z^(l) = W diag f'(z^(l)).
This module runs that system (the δ's come from :mod:`bpcore.backprop`, the one source of the
step) and collects the families where a closed form survives: the softsign chain (a Möbius map,
so δ is Binet-type), maps conjugate to linear ones (logistic r = 4 and r = 2, the Chebyshev map
z ↦ z² − 2, the power map z ↦ w z²), and the local closed form near an attracting fixed point
(Koenigs linearisation).

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._repr import short_array
from bpcore._validate import (
    check_exact_number,
    check_int,
    check_real,
    check_real_array,
    check_square_matrix,
)
from bpcore.activations import Activation, get_activation, softsign
from bpcore.backprop import delta_recursion

__all__ = [
    "KoenigsResult",
    "MobiusClosedForm",
    "MobiusSymbolic",
    "TiedOrbit",
    "chebyshev_closed_form",
    "koenigs",
    "koenigs_delta",
    "logistic_closed_form",
    "mobius_closed_form",
    "mobius_closed_form_symbolic",
    "power_map_closed_form",
    "softsign",
    "tied_chain",
    "tied_network",
]


# ---------------------------------------------------------------------------------------------
# the tied forward pass and its δ's


@dataclass(frozen=True, eq=False)
class TiedOrbit:
    """Forward orbit, per-layer factors and δ's of a tied network z ↦ W f(z) + b.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    zs : (depth+1,) or (depth+1, n) array
        z^(0) = z0, …, z^(depth); z^(l+1) = W f(z^(l)) + b.
    factors : (depth,) or (depth, n, n) array
        factors[l] = ∂z^(l+1)/∂z^(l) = W diag f'(z^(l)).
    deltas : (depth+1,) or (depth+1, n, n) array
        deltas[l] = ∂z^(depth)/∂z^(l) (for width n: row i is δ^(l) for the unit δ = e_i at the
        top), computed by :func:`bpcore.backprop.delta_recursion`; deltas[depth] is the unit.
        For width 1, deltas[0] is the product of all factors.
    activation : str
        Label of the activation.
    depth : int
        Number of layers.
    """

    zs: np.ndarray
    factors: np.ndarray
    deltas: np.ndarray
    activation: str
    depth: int

    @property
    def width(self) -> int:
        """Number of units per layer."""
        return 1 if self.zs.ndim == 1 else int(self.zs.shape[1])

    def __repr__(self) -> str:
        return (
            f"TiedOrbit(activation={self.activation}, width={self.width}, depth={self.depth}, "
            f"z_top={short_array(self.zs[-1])}, delta_bottom={short_array(self.deltas[0])})"
        )


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def tied_network(
    W: np.ndarray,
    b: np.ndarray,
    activation: str | Activation,
    z0: np.ndarray,
    depth: int,
) -> TiedOrbit:
    """Run z^(l+1) = W f(z^(l)) + b for ``depth`` layers and backpropagate a unit δ.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    W : (n, n) array
        The tied weight matrix (Ng's W^(l), the same at every layer).
    b : (n,) array
        The tied bias.
    activation : str or Activation
        A name known to :func:`bpcore.activations.get_activation` (``"softsign"`` among them) or an
        :class:`~bpcore.activations.Activation`.
    z0 : (n,) array
        The first pre-activation (z^(2) in Ng's numbering).
    depth : int
        Number of layers, ≥ 0.

    Returns
    -------
    TiedOrbit
        The z's, the factors W diag f'(z^(l)) and the Jacobians ∂z^(depth)/∂z^(l); the latter
        are the δ's of :func:`bpcore.backprop.delta_recursion` for the batch of unit δ's
        e_1, …, e_n at the top (weights [W]*depth, f'(z^(l)) as the fprimes).

    Raises
    ------
    TypeError, ValueError
        For a non-square or non-finite W, b or z0 of the wrong length, depth not an integer ≥ 0,
        or an unknown activation.
    OverflowError
        If the forward orbit, or the δ's, leave the float range.
    """
    W = check_square_matrix(W, "W")
    n = W.shape[0]
    b = check_real_array(b, "b", ndim=1)
    z0 = check_real_array(z0, "z0", ndim=1)
    if b.shape != (n,):
        raise ValueError(f"b must have {n} entries (W is {n}×{n}), got shape {b.shape}")
    if z0.shape != (n,):
        raise ValueError(f"z0 must have {n} entries (W is {n}×{n}), got shape {z0.shape}")
    depth = check_int(depth, "depth", minimum=0)
    act = get_activation(activation, "activation")
    zs = np.empty((depth + 1, n))
    zs[0] = z0
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):  # inherently sequential: a loop over layers
            zs[layer + 1] = W @ act.f(zs[layer]) + b
    if not np.all(np.isfinite(zs)):
        raise OverflowError("the forward orbit left the float range; reduce depth or W")
    fprimes = act.df(zs[:-1]) if depth else np.empty((0, n))
    factors = W[None, :, :] * fprimes[:, None, :]
    if depth == 0:
        deltas = np.eye(n)[None, :, :]
    else:
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                deltas = np.stack(delta_recursion([W] * depth, np.eye(n), list(fprimes)))
        except ValueError as exc:  # delta_step refuses the non-finite δ an overflow produced
            raise OverflowError(
                f"the δ's of this {depth}-layer orbit leave the float range (they grow like "
                "the product of the factors); reduce depth, or take logarithms of the factors "
                "as bpcore.chaos.lyapunov_from_orbit does"
            ) from exc
    return TiedOrbit(_readonly(zs), _readonly(factors), _readonly(deltas), act.label, depth)


def tied_chain(
    activation: str | Activation, w: float, b: float, z0: float, depth: int
) -> TiedOrbit:
    """Width-1 tied chain z^(l+1) = w f(z^(l)) + b: scalars in, 1-D arrays out.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    activation : str or Activation
        As in :func:`tied_network`.
    w, b, z0 : float
        Weight, bias and first pre-activation (finite reals).
    depth : int
        Number of layers, ≥ 0.

    Returns
    -------
    TiedOrbit
        ``zs`` (depth+1,), ``factors`` (depth,) = w f'(z^(l)), ``deltas`` (depth+1,) with
        deltas[l] = ∏_{k ≥ l} factors[k]; deltas[0] is the derivative of the depth-fold map.

    See Also
    --------
    tied_network : the same for width n.
    """
    w = check_real(w, "w")
    b = check_real(b, "b")
    z0 = check_real(z0, "z0")
    res = tied_network(np.array([[w]]), np.array([b]), activation, np.array([z0]), depth)
    return TiedOrbit(
        _readonly(res.zs[:, 0].copy()),
        _readonly(res.factors[:, 0, 0].copy()),
        _readonly(res.deltas[:, 0, 0].copy()),
        res.activation,
        res.depth,
    )


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


# ---------------------------------------------------------------------------------------------
# maps conjugate to linear ones (orbits k = 0, …, n)


def _angles(theta: object, n: object) -> tuple[np.ndarray, int]:
    theta = check_real(theta, "theta")
    n = check_int(n, "n", minimum=0)
    with np.errstate(over="ignore"):
        ang = np.ldexp(theta, np.arange(n + 1))  # 2^k θ, exact in binary floating point
    if not np.all(np.isfinite(ang)):
        raise ValueError(f"n must be small enough that 2**n * theta is finite, got n={n}")
    return ang, n


def logistic_closed_form(
    theta: float | None, n: int, r: int = 4, *, x0: object = None
) -> np.ndarray | list[Fraction]:
    """Closed-form orbit x_0, …, x_n of the logistic map x ↦ r x (1 − x) for r = 4 or r = 2.

    Introduced in chapter 4 (Nonlinear activations).

    r = 4: x = sin²θ conjugates the map to the doubling θ ↦ 2θ, so x_k = sin²(2ᵏθ).
    r = 2: 1 − 2x ↦ (1 − 2x)², so x_k = (1 − (1 − 2x_0)^(2ᵏ))/2 with x_0 = sin²θ.

    Parameters
    ----------
    theta : float or None
        The angle; x_0 = sin²θ.
    n : int
        Last index, ≥ 0.
    r : {4, 2}
    x0 : real or exact number, keyword-only
        Instead of θ (then ``theta`` must be None). For r = 2 an exact x0 (int or Fraction)
        gives an exact list of Fractions (its size doubles each step: keep n small); for r = 4,
        0 ≤ x0 ≤ 1 and θ = arcsin √x0.

    Returns
    -------
    (n+1,) float array, or list of Fraction
    """
    r = check_int(r, "r")
    if r not in (2, 4):
        raise ValueError(f"r must be 4 or 2 (the conjugate-to-linear cases), got {r}")
    if (theta is None) == (x0 is None):
        raise TypeError("give exactly one of theta and x0")
    if x0 is not None and r == 2 and isinstance(x0, int | Fraction) and not isinstance(x0, bool):
        n = check_int(n, "n", minimum=0)
        y = 1 - 2 * Fraction(x0)
        return [(1 - y ** (2**k)) / 2 for k in range(n + 1)]
    if x0 is not None:
        x = check_real(x0, "x0", low=0.0, high=1.0) if r == 4 else check_real(x0, "x0")
        if r == 2:
            n = check_int(n, "n", minimum=0)
            with np.errstate(over="ignore"):
                out = (1.0 - np.power(1.0 - 2.0 * x, np.ldexp(1.0, np.arange(n + 1)))) / 2.0
            if not np.all(np.isfinite(out)):
                raise OverflowError("the orbit left the float range (|1 - 2 x0| > 1)")
            return out
        theta = math.asin(math.sqrt(x))
    ang, n = _angles(theta, n)
    if r == 4:
        return np.array([math.sin(a) ** 2 for a in ang])  # libm: exact argument reduction
    return np.array([(1.0 - math.cos(2.0 * ang[0]) ** (2**k)) / 2.0 for k in range(n + 1)])


def chebyshev_closed_form(theta: float, n: int) -> np.ndarray:
    """Closed-form orbit of the quadratic chain z ↦ z² − 2 from z_0 = 2cos θ: z_k = 2cos(2ᵏθ).

    Introduced in chapter 4 (Nonlinear activations).

    z = 2cos θ conjugates z² − 2 (the Chebyshev polynomial T₂ rescaled) to θ ↦ 2θ.

    Parameters
    ----------
    theta : float
    n : int
        Last index, ≥ 0.

    Returns
    -------
    (n+1,) float array
    """
    ang, _ = _angles(theta, n)
    return np.array([2.0 * math.cos(a) for a in ang])


def power_map_closed_form(w: object, z0: object, n: int) -> np.ndarray | list[Fraction]:
    """Closed-form orbit of the power map z ↦ w z²: z_k = w^(2ᵏ−1) z0^(2ᵏ) = (w z0)^(2ᵏ)/w.

    Introduced in chapter 4 (Nonlinear activations).

    Parameters
    ----------
    w, z0 : real, or both exact (int / Fraction) for an exact list of Fractions
    n : int
        Last index, ≥ 0 (exact sizes double each step: keep n small).

    Raises
    ------
    OverflowError
        If the float orbit leaves the float range.
    """
    n = check_int(n, "n", minimum=0)
    exact = all(isinstance(v, int | Fraction) and not isinstance(v, bool) for v in (w, z0))
    if exact:
        fw, fz = Fraction(w), Fraction(z0)
        return [fw ** (2**k - 1) * fz ** (2**k) for k in range(n + 1)]
    w = check_real(w, "w")
    z0 = check_real(z0, "z0")
    p = np.ldexp(1.0, np.arange(n + 1))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = np.power(w * z0, p) / w if w != 0 else np.where(p == 1, z0, 0.0)
    if not np.all(np.isfinite(out)):
        raise OverflowError("the orbit left the float range (|w z0| > 1 grows as 2^(2^k))")
    return out


# ---------------------------------------------------------------------------------------------
# Koenigs linearisation near an attracting fixed point


@dataclass(frozen=True, eq=False)
class KoenigsResult:
    """Koenigs function h and h' at a point, with error estimates.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    h : float
        h(z) = lim λ^(−n)(gⁿ(z) − z*), with h(z*) = 0, h'(z*) = 1, h∘g = λ h; NaN if
        ``with_h=False`` was passed.
    dh : float
        h'(z) = ∏_{k≥0} g'(g^k z)/λ (0.0 exactly if the orbit passes a critical point of g).
    multiplier : float
        λ = g'(z*).
    z, z_star : float
        The point and the fixed point (``z_star`` after Newton polishing).
    iterations : int
        Number of factors K + 1 in the truncated product for h' (K = the stopping index).
    h_error : float
        Estimated absolute error of ``h``: the difference of two Gauss–Legendre rules plus the
        round-off estimate (see :func:`koenigs`); NaN with ``with_h=False``.
    dh_error : float
        Error bar for ``dh`` (absolute): twice the geometric tail estimate |ε_K| |λ|/(1 − |λ|)
        plus a first-order round-off model, times |dh| (see :func:`koenigs`).
    """

    h: float
    dh: float
    multiplier: float
    z: float
    z_star: float
    iterations: int
    h_error: float
    dh_error: float

    def __repr__(self) -> str:
        return (
            f"KoenigsResult(z={self.z:.6g}, z_star={self.z_star:.10g}, "
            f"multiplier={self.multiplier:.10g}, h={self.h:.12g}, dh={self.dh:.12g}, "
            f"iterations={self.iterations})"
        )


_EPS = float(np.finfo(float).eps)
_GL_LOW = np.polynomial.legendre.leggauss(12)
_GL_HIGH = np.polynomial.legendre.leggauss(20)
_H_START = 0.1  # h is integrated from the first orbit point with |g'(z_k)/λ − 1| ≤ this


def _check_map(g: object, dg: object, z_star: object) -> tuple[float, float]:
    for name, fn in (("g", g), ("dg", dg)):
        if not callable(fn):
            raise TypeError(f"{name} must be a callable float -> float, got {fn!r}")
    z_star = check_real(z_star, "z_star")
    lam = check_real(dg(z_star), "dg(z_star)")
    if lam == 0.0 or abs(lam) >= 1.0:
        raise ValueError(
            f"the multiplier lambda = dg(z_star) must satisfy 0 < |lambda| < 1 (an attracting, "
            f"not superattracting, fixed point), got {lam}"
        )
    gz = check_real(g(z_star), "g(z_star)")
    if abs(gz - z_star) > 1e-12 * (1.0 + abs(z_star)):
        raise ValueError(
            f"z_star must be a fixed point of g, but g(z_star) - z_star = {gz - z_star}"
        )
    for _ in range(3):  # Newton polishing: an error Δ in z* would cost Δ λ^(−k) in h
        slope = float(dg(z_star)) - 1.0
        step = (float(g(z_star)) - z_star) / slope
        if not math.isfinite(step) or abs(step) > 1e-12 * (1.0 + abs(z_star)):
            break
        z_star -= step
    return z_star, float(dg(z_star))


def _dh_product(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    lam: float,
    z: float,
    tol: float,
    max_iter: int,
) -> tuple[list[float], list[float], float]:
    """Orbit z_0..z_K, partial products P_k = ∏_{j<k} g'(z_j)/λ (P_{K+1} last), ε_K.

    Stops at the first K with |ε_K| ≤ max(tol (1 − |λ|), 4 eps) and |z_K − z*| ≤ √tol (1 + |z*|),
    ε_K = g'(z_K)/λ − 1. Raises ValueError naming the failure otherwise.
    """
    f_tol = max(tol * (1.0 - abs(lam)), 4.0 * _EPS)
    z_tol = math.sqrt(tol) * (1.0 + abs(z_star))
    orbit, prod = [z], [1.0]
    cur = z
    for _ in range(max_iter + 1):  # sequential in the layer index
        try:
            ratio = float(dg(cur)) / lam
            nxt = float(g(cur))
        except OverflowError:  # Python floats raise instead of returning inf: an escape
            nxt = math.inf
            ratio = math.nan
        if not (math.isfinite(nxt) and math.isfinite(ratio)):
            raise ValueError(
                f"z = {z} is not in the basin of z_star = {z_star}: its orbit escapes to "
                f"infinity (|z_k| > 1.8e308 after {len(orbit) - 1} steps)"
            )
        prod.append(prod[-1] * ratio)
        eps_k = ratio - 1.0
        if abs(eps_k) <= f_tol and abs(cur - z_star) <= z_tol:
            return orbit, prod, eps_k
        if abs(nxt - cur) <= 4.0 * _EPS * (1.0 + abs(cur)) and abs(cur - z_star) > z_tol:
            raise ValueError(
                f"z = {z} is not in the basin of z_star = {z_star}: its orbit converges to "
                f"another fixed point near {cur:.12g} (step {len(orbit) - 1})"
            )
        if len(orbit) > max_iter:
            break
        orbit.append(nxt)
        cur = nxt
    e_first, e_last = abs(orbit[0] - z_star), abs(orbit[-1] - z_star)
    e_prev = abs(orbit[-2] - z_star) if len(orbit) > 1 else e_first
    if e_last < e_first and e_last <= 0.5 * (1.0 + abs(lam)) * e_prev:  # contracting like λ
        raise ValueError(
            f"slow convergence: the orbit of z = {z} approaches z_star = {z_star} "
            f"(|z_k - z_star| = {e_last:.3g} after {max_iter} steps, multiplier {lam:.6g}) but "
            f"the factors g'(z_k)/lambda are not yet within tol of 1; increase max_iter "
            f"(about log(tol)/log|lambda| steps are needed) or tol"
        )
    raise ValueError(
        f"z = {z} is not in the basin of z_star = {z_star}: its orbit does not converge to it "
        f"within max_iter = {max_iter} steps (a cycle, chaos, or another attractor; "
        f"|z_k - z_star| = {e_last:.3g})"
    )


def _curvature(dg: Callable[[float], float], u: float) -> float:
    """|g''(u)/g'(u)| by a one-sided difference of dg (0.0 at a critical point or on failure)."""
    d0 = float(dg(u))
    if d0 == 0.0:
        return 0.0
    eta = math.sqrt(_EPS) * (1.0 + abs(u))
    try:
        d1 = float(dg(u + eta))
    except (OverflowError, ValueError):
        return 0.0
    c = abs(d1 - d0) / (eta * abs(d0))
    return c if math.isfinite(c) else 0.0


def _dh_roundoff(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    lam: float,
    orbit: list[float],
) -> float:
    """First-order relative round-off model of ∏ g'(z_k)/λ along ``orbit`` (see koenigs)."""
    total, drift = 0.0, 0.0
    for k, u in enumerate(orbit):
        c = _curvature(dg, u)
        total += _EPS * (4.0 + c * (1.0 + abs(u))) + c * drift
        if k + 1 < len(orbit):
            drift = abs(float(dg(u))) * drift + 2.0 * _EPS * (1.0 + abs(orbit[k + 1]))
    c_star = _curvature(dg, z_star)
    per_factor = _EPS * (2.0 + c_star * (1.0 + abs(z_star)) / (1.0 - abs(lam)))
    return total + len(orbit) * per_factor


def koenigs(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    z: float,
    tol: float = 1e-13,
    max_iter: int = 10_000,
    *,
    with_h: bool = True,
) -> KoenigsResult:
    """Koenigs linearisation h(z) and h'(z) of g at an attracting fixed point z*.

    Introduced in chapter 4 (Nonlinear activations).

    For 0 < |λ| < 1, λ = g'(z*), the limit h(z) = lim λ^(−n)(gⁿ(z) − z*) exists on the basin
    and conjugates g to multiplication by λ: h(g(z)) = λ h(z). Then (gⁿ)'(z) = λⁿ h'(z)/h'(gⁿz).

    **h'.** h'(z) = ∏_{k≥0} g'(z_k)/λ, z_k = g^k(z), truncated after the factor of the first K
    with both

    * |ε_K| ≤ max(tol·(1 − |λ|), 4·eps), ε_K = g'(z_K)/λ − 1, and
    * |z_K − z*| ≤ √tol·(1 + |z*|) (so that a factor close to 1 by accident far from z* does
      not stop the product).

    If the ε_k decayed exactly geometrically with ratio |λ| (they are O(|z_k − z*|)), the
    neglected tail would be |ε_K| |λ|/(1 − |λ|) ≤ tol·|λ| relative to first order; the ratio
    ε_(k+1)/ε_k is λ only up to O(z_k − z*), and the measured tail does exceed this estimate
    by a factor 1 + O(|ε_K|), so ``dh_error`` counts it twice. Its round-off part is a
    first-order model, not a proved bound: each factor carries (4 + κ_k (1 + |z_k|))·eps,
    κ = |g''/g'| estimated by a one-sided difference of ``dg`` (one extra call per factor),
    plus κ_k times the propagated orbit error d_k (d_(k+1) = |g'(z_k)| d_k +
    2·eps·(1 + |z_(k+1)|)); and every factor divides by the same rounded λ, which adds
    (K + 1)·(2 + κ* (1 + |z*|)/(1 − |λ|))·eps. It assumes that g and dg are evaluated to a few
    ulps. Measured against 200-digit references (9 maps w tanh z + b, 41 points each,
    tol = 1e−13 and 1e−8), the true error of ``dh`` stayed below 0.51·``dh_error``; the
    earlier estimate (tail once plus (K + 1)·eps) was exceeded up to 2.8-fold, at
    3 tanh z + 0.5. For |λ| close to 1 the 4·eps floor can dominate:
    the relative error is then about 4·eps·|λ|/(1 − |λ|) (4e-13 at λ = 0.999). If g'(z_k) = 0
    for some k (the orbit passes a critical point of g), h'(z) = 0 exactly and dh = 0.0.

    **h.** h(z) = λ^(−k) h(z_k) = λ^(−k) ∫_{z*}^{z_k} h'(s) ds with h' computed by the same
    product at Gauss–Legendre nodes s, at the first k with |g'(z_k)/λ − 1| ≤ 0.1; if the 12- and
    20-node rules differ by more than tol·|h|, k is increased (the segment shrinks towards z*)
    up to K. This avoids the cancellation in λ^(−n)(z_n − z*), whose relative error grows like
    eps/|z_n − z*|. ``h_error`` = |λ^(−k)|·|I₂₀ − I₁₂| + (k + 2)·eps·|h| +
    eps·(1 + |z*|)·|λ^(−k)|/(1 − |λ|) (the round-off of z_k) + (2(k + 2)·eps + the nodes'
    h' error)·|h|.

    Measured (tests/test_dynamics.py; reference: mpmath at 60 digits, h as the defining limit
    λ^(−n)(gⁿz − z*) with |gⁿz − z*| < 1e−30, h' as an mpmath central difference of that h), for
    g = 1.5 tanh z + 0.1 (λ ≈ 0.3015, z* ≈ 1.44078), default tol = 1e−13:

    ==================  ===============  ===============  ==========
    z                   rel. error of h  rel. error of h'  h_error/|h|
    ==================  ===============  ===============  ==========
    z* + 1e−6           5.3e−12          1.1e−14          7.8e−10
    z* ± 1e−3           1.6e−14          3.1e−14          8.1e−13
    1.45, 1.5           1.8e−14          2.5e−14          1.2e−13
    −0.1, 0.1, 1, 3     2.1e−14          1.7e−14          8.1e−14
    ==================  ===============  ===============  ==========

    Next to z* the float z* itself (rounded to eps·|z*|) limits h to ≈ eps (1 + |z*|)/|z − z*|
    relative; that is the 5e−12 at |z − z*| = 1e−6, and ``h_error`` covers it. With tol = 1e−10
    the errors are ≈ 1e−11 to 4e−11 (w tanh z, w = 0.5, 0.8, 0.95, z = 1).

    Parameters
    ----------
    g, dg : callable float -> float
        The map and its derivative.
    z_star : float
        The fixed point, |g(z*) − z*| ≤ 1e−12 (1 + |z*|) (checked); polished by up to three
        Newton steps before use.
    z : float
        A point of the basin.
    tol : float
        Target relative error of h' (and of h), > 0.
    max_iter : int
        Maximal number of steps along the orbit.
    with_h : bool, keyword-only
        False: skip h (``h`` and ``h_error`` are NaN); h' alone costs K + 1 steps.

    Raises
    ------
    ValueError
        If λ = 0 or |λ| ≥ 1, z_star is not a fixed point, or the orbit of z does not reach the
        stopping rule; the message says which: it escapes to infinity, it converges to another
        fixed point, it approaches z_star too slowly for max_iter ("slow convergence"), or it
        does not converge (cycle, chaos).
    """
    z_star, lam = _check_map(g, dg, z_star)
    z = check_real(z, "z")
    tol = check_real(tol, "tol", low=0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    orbit, prod, eps_last = _dh_product(g, dg, z_star, lam, z, tol, max_iter)
    dh = prod[-1]
    n_steps = len(orbit)
    tail = abs(eps_last) * abs(lam) / (1.0 - abs(lam))
    dh_error = abs(dh) * (2.0 * tail + _dh_roundoff(g, dg, z_star, lam, orbit))
    if not with_h:
        return KoenigsResult(math.nan, dh, lam, z, z_star, n_steps, math.nan, dh_error)
    start = next(
        (k for k in range(n_steps) if abs(float(dg(orbit[k])) / lam - 1.0) <= _H_START),
        n_steps - 1,
    )
    h = h_err = math.nan
    for k in range(start, n_steps):
        e_k = orbit[k] - z_star
        rules = []
        for x, wts in (_GL_LOW, _GL_HIGH):
            nodes = z_star + 0.5 * e_k * (1.0 + x)
            vals, node_err = [], 0.0
            for s_node in nodes:
                o_s, p_s, e_s = _dh_product(g, dg, z_star, lam, float(s_node), tol, max_iter)
                vals.append(p_s[-1])
                node_err = max(node_err, abs(e_s) * abs(lam) / (1.0 - abs(lam)) + len(o_s) * _EPS)
            rules.append(0.5 * e_k * float(np.dot(wts, vals)))
        scale = lam ** (-k)
        h = scale * rules[1]
        h_err = (
            abs(scale) * abs(rules[1] - rules[0])
            + (2 * (k + 2) * _EPS + node_err) * abs(h)
            + _EPS * (1.0 + abs(z_star)) * abs(scale) / (1.0 - abs(lam))
        )
        if abs(rules[1] - rules[0]) <= tol * abs(rules[1]):
            break
    return KoenigsResult(h, dh, lam, z, z_star, n_steps, h_err, dh_error)


def koenigs_delta(
    g: Callable[[float], float],
    dg: Callable[[float], float],
    z_star: float,
    z2: float,
    n: int,
    *,
    asymptotic: bool = False,
) -> float:
    """Koenigs' local form of δ^(2)/δ^(n_l) = (gⁿ)'(z^(2)) for a tied width-1 chain.

    Introduced in chapter 4 (Nonlinear activations).

    * ``asymptotic=False`` (default): the exact identity λⁿ h'(z^(2))/h'(gⁿ z^(2)). With h'
      computed (as here) by the product of g'/λ along the orbit, the two infinite tails cancel
      and this is the recurrence ∏_{k<n} g'(z_k) rearranged (plus rounding): a consistency check
      of h', not a cheaper formula (it costs n forward steps plus two h' products).
    * ``asymptotic=True``: the asymptotic law δ ≈ λⁿ h'(z^(2)), with h'(z^(2)) computed once;
      its cost does not depend on n (no forward pass to layer n_l). Its relative error is
      |1/h'(z_n) − 1| = |h''(z*)|·|λ|ⁿ·|h(z^(2))| (1 + o(1)), i.e. C|λ|ⁿ.

    Parameters
    ----------
    g, dg, z_star
        As in :func:`koenigs`.
    z2 : float
        z^(2), a point of the basin.
    n : int
        Number of layers n_l − 2, ≥ 0 (n = 0 gives 1.0).
    asymptotic : bool, keyword-only
        Which form (above).

    Returns
    -------
    float
        (gⁿ)'(z2) (exact form, to rounding), or λⁿ h'(z2) (asymptotic law).

    Raises
    ------
    ValueError
        As :func:`koenigs`; and, for the exact form, if h'(gⁿ z2) = 0 (the orbit of z_n passes a
        critical point of g, g'(z_k) = 0 for some k ≥ n): the identity is then 0/0.
    """
    z_star, lam = _check_map(g, dg, z_star)
    z2 = check_real(z2, "z2")
    n = check_int(n, "n", minimum=0)
    if n == 0:
        return 1.0
    dh2 = koenigs(g, dg, z_star, z2, with_h=False).dh
    if asymptotic:
        return lam**n * dh2
    zn = z2
    try:
        for _ in range(n):
            zn = float(g(zn))
    except OverflowError:
        zn = math.inf
    if not math.isfinite(zn):
        raise ValueError(f"z2 = {z2} is not in the basin of z_star: its orbit diverged")
    dhn = koenigs(g, dg, z_star, zn, with_h=False).dh
    if dhn == 0.0:
        raise ValueError(
            f"h'(z_n) = 0 at z_n = g^{n}(z2) = {zn}: the orbit passes a critical point of g "
            "(g' = 0) at or after layer n, so lambda^n h'(z2)/h'(z_n) is 0/0; use the recurrence"
        )
    return lam**n * dh2 / dhn

"""Activation functions f and their derivatives f', numerically and symbolically.

The backprop recurrence δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) only ever needs f' evaluated at
the pre-activations z^(l) of a forward pass, so an :class:`Activation` bundles

* ``f(z)`` and ``df(z)``: vectorised, numerically stable numpy evaluations;
* ``sympy_expr``: the same function as a sympy expression in the symbol :data:`z`, for exact
  and symbolic work (``sympy.diff(act.sympy_expr, z)`` is f');
* ``kinks``: the points where f is not differentiable (relu, leaky relu).

Derivative convention at a kink: relu'(0) = 0 and leaky_relu'(0) = α, i.e. the *left*
derivative. The sympy forms are ``Piecewise`` expressions whose first branch is ``z <= 0``, so
``sympy.diff`` follows the same convention.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._validate import check_real, check_real_array

__all__ = [
    "Activation",
    "get_activation",
    "identity",
    "known_activations",
    "leaky_relu",
    "polynomial",
    "relu",
    "sigmoid",
    "softplus",
    "softsign",
    "tanh",
    "z",
]

z = sp.Symbol("z", real=True)
"""The sympy symbol in which every :attr:`Activation.sympy_expr` is written."""

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, repr=False, eq=True)
class Activation:
    """An elementwise activation function f with its derivative f' and a sympy form.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Parameters
    ----------
    name : str
        Short name, e.g. ``"tanh"``.
    func, deriv : callable
        Vectorised numpy implementations of f and f' (float64 array in, same-shape array out).
        Call them through :meth:`f` and :meth:`df`, which accept any array_like.
    sympy_expr : sympy.Expr
        f written in the symbol :data:`bpcore.activations.z`.
    params : tuple of (name, value) pairs
        The parameters of a family (``(("alpha", 0.01),)`` for leaky relu); shown by ``repr``.
    kinks : tuple of float
        Points where f is not differentiable; finite-difference checks must stay away from them.
    deriv_from_output : callable, optional
        f' written in terms of the output a = f(z) (tanh: 1 − a², sigmoid: a(1 − a), relu:
        [a > 0], softplus: 1 − e^{−a}). The network uses it so that the backward pass needs
        neither z nor a second evaluation of f, as autograd frameworks do. Must agree with
        ``deriv`` (including the kink convention) for every z.

    Notes
    -----
    Equality and hashing use ``name``, ``params``, ``sympy_expr`` and ``kinks`` only, so two
    ``leaky_relu(0.01)`` objects compare equal.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.activations import get_activation
    >>> f = get_activation("tanh")
    >>> f
    Activation(tanh)
    >>> f.sympy_expr, f.sympy_derivative
    (tanh(z), 1 - tanh(z)**2)
    >>> round(float(f.df(np.array([0.5]))[0]), 6)
    0.786448
    """

    name: str
    func: ArrayFn
    deriv: ArrayFn
    sympy_expr: sp.Expr
    params: tuple[tuple[str, object], ...] = ()
    kinks: tuple[float, ...] = ()
    deriv_from_output: ArrayFn | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string, got {self.name!r}")
        for field in ("func", "deriv"):
            if not callable(getattr(self, field)):
                raise TypeError(f"{field} must be callable, got {getattr(self, field)!r}")
        if self.deriv_from_output is not None and not callable(self.deriv_from_output):
            raise TypeError(
                f"deriv_from_output must be callable or None, got {self.deriv_from_output!r}"
            )
        if not isinstance(self.sympy_expr, sp.Expr):
            raise TypeError(
                f"sympy_expr must be a sympy expression in the symbol z, got {self.sympy_expr!r}"
            )

    # dataclass(eq=True) would compare the callables (closures differ per call); compare the
    # mathematical identity instead.
    def _key(self) -> tuple[object, ...]:
        return (self.name, self.params, self.sympy_expr, self.kinks)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Activation):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def label(self) -> str:
        """Short readable form: ``"tanh"``, ``"leaky_relu(alpha=0.01)"``."""
        if not self.params:
            return self.name
        inner = ", ".join(f"{k}={v!r}" for k, v in self.params)
        return f"{self.name}({inner})"

    def __repr__(self) -> str:
        return f"Activation({self.label})"

    def f(self, z: object) -> np.ndarray:
        """Evaluate f elementwise (array_like in, float64 array out)."""
        return self.func(check_real_array(z, "z", finite=False))

    def df(self, z: object) -> np.ndarray:
        """Evaluate f' elementwise; at a kink the left derivative is returned."""
        return self.deriv(check_real_array(z, "z", finite=False))

    def __call__(self, z: object) -> np.ndarray:
        return self.f(z)

    @property
    def sympy_derivative(self) -> sp.Expr:
        """f' as a sympy expression in :data:`z` (``sympy.diff(sympy_expr, z)``)."""
        return sp.diff(self.sympy_expr, z)


# ---------------------------------------------------------------------------------------------
# numerically stable numpy kernels


def _identity_f(x: np.ndarray) -> np.ndarray:
    return np.array(x, dtype=np.float64, copy=True)


def _identity_df(x: np.ndarray) -> np.ndarray:
    return np.ones_like(x, dtype=np.float64)


def _identity_df_out(a: np.ndarray) -> np.ndarray:
    return np.ones_like(a, dtype=np.float64)


def _sigmoid_f(x: np.ndarray) -> np.ndarray:
    # σ(z) = 1/(1+e^{-z}) for z ≥ 0 and e^{z}/(1+e^{z}) for z < 0: exp never overflows.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_df(x: np.ndarray) -> np.ndarray:
    # σ'(z) = e^{-|z|}/(1+e^{-|z|})², symmetric in z; accurate where σ saturates.
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2


def _sigmoid_df_out(a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def _tanh_f(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def _tanh_df(x: np.ndarray) -> np.ndarray:
    # sech²(z) = 4e^{-2|z|}/(1+e^{-2|z|})²: no overflow, accurate where tanh saturates.
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def _tanh_df_out(a: np.ndarray) -> np.ndarray:
    out = np.multiply(a, a)
    np.subtract(1.0, out, out=out)
    return out


def _relu_f(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def _relu_df(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(np.float64)


def _softplus_df_out(a: np.ndarray) -> np.ndarray:
    # a = log(1 + e^z)  ⇒  σ(z) = 1 − e^{−a}; expm1 keeps it accurate for tiny a (z ≪ 0).
    return -np.expm1(-a)


def _softplus_f(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _softsign_f(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.abs(x))


def _softsign_df(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.abs(x)) ** 2


def _softsign_df_out(a: np.ndarray) -> np.ndarray:
    # a = z/(1 + |z|)  ⇒  1 − |a| = 1/(1 + |z|)
    return (1.0 - np.abs(a)) ** 2


def _exact_sympy(value: object, as_float: float) -> sp.Expr:
    """Keep exact numbers exact in the sympy form; floats become ``sympy.Float``."""
    if isinstance(value, bool):
        return sp.Float(as_float)
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, sp.Rational):
        return value
    return sp.Float(as_float)


# ---------------------------------------------------------------------------------------------
# the activations

identity = Activation(
    name="identity",
    func=_identity_f,
    deriv=_identity_df,
    sympy_expr=z,
    deriv_from_output=_identity_df_out,
)
"""f(z) = z, f'(z) = 1 (a linear network). Introduced in chapter 2."""

sigmoid = Activation(
    name="sigmoid",
    func=_sigmoid_f,
    deriv=_sigmoid_df,
    sympy_expr=1 / (1 + sp.exp(-z)),
    deriv_from_output=_sigmoid_df_out,
)
"""f(z) = 1/(1 + e^{−z}), f' = f(1 − f). Introduced in chapter 2."""

tanh = Activation(
    name="tanh",
    func=_tanh_f,
    deriv=_tanh_df,
    sympy_expr=sp.tanh(z),
    deriv_from_output=_tanh_df_out,
)
"""f(z) = tanh z, f' = 1 − f². Introduced in chapter 2."""

relu = Activation(
    name="relu",
    func=_relu_f,
    deriv=_relu_df,
    sympy_expr=sp.Piecewise((sp.Integer(0), z <= 0), (z, True)),
    kinks=(0.0,),
    deriv_from_output=_relu_df,  # a > 0 exactly when z > 0
)
"""f(z) = max(0, z), f'(z) = 1 for z > 0 and 0 for z ≤ 0 (convention f'(0) = 0). Chapter 2."""

softplus = Activation(
    name="softplus",
    func=_softplus_f,
    deriv=_sigmoid_f,
    sympy_expr=sp.log(1 + sp.exp(z)),
    deriv_from_output=_softplus_df_out,
)
"""f(z) = log(1 + e^z) (computed as logaddexp(0, z)), f' = sigmoid. Introduced in chapter 2."""

softsign = Activation(
    name="softsign",
    func=_softsign_f,
    deriv=_softsign_df,
    sympy_expr=z / (1 + sp.Abs(z)),
    deriv_from_output=_softsign_df_out,
)
"""f(z) = z/(1 + |z|), f'(z) = 1/(1 + |z|)²; for z > 0 a Möbius map. Introduced in chapter 4."""


def leaky_relu(alpha: float = 0.01) -> Activation:
    """Leaky relu f(z) = z for z > 0 and α z for z ≤ 0.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Parameters
    ----------
    alpha : real in [0, 1], default 0.01
        Slope for z ≤ 0. α = 0 is relu, α = 1 the identity. Exact numbers (int, Fraction,
        sympy Rational) stay exact in ``sympy_expr``.

    Returns
    -------
    Activation
        With f'(z) = 1 for z > 0 and α for z ≤ 0 (convention: f'(0) = α, the left derivative).

    Examples
    --------
    >>> from bpcore.activations import leaky_relu
    >>> f = leaky_relu(0.2)
    >>> f, f.f([-1.0, 2.0]), f.df([-1.0, 2.0])
    (Activation(leaky_relu(alpha=0.2)), array([-0.2,  2. ]), array([0.2, 1. ]))
    """
    a = check_real(alpha, "alpha", low=0.0, high=1.0)
    alpha_sym = _exact_sympy(alpha, a)

    def func(x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, x, a * x)

    def deriv(x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, 1.0, a)

    # For α ≥ 0, f(z) > 0 exactly when z > 0, so the same rule works on the output.
    return Activation(
        name="leaky_relu",
        func=func,
        deriv=deriv,
        sympy_expr=sp.Piecewise((alpha_sym * z, z <= 0), (z, True)),
        params=(("alpha", a),),
        kinks=() if a == 1.0 else (0.0,),
        deriv_from_output=deriv,
    )


def polynomial(coeffs: Sequence[object] | np.ndarray) -> Activation:
    """Polynomial activation f(z) = c_0 + c_1 z + c_2 z² + … (coefficients lowest degree first).

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Parameters
    ----------
    coeffs : non-empty 1-D sequence of finite reals
        ``[c_0, c_1, …]``. Exact numbers (int, Fraction, sympy Rational) stay exact in
        ``sympy_expr``; f and f' are evaluated in float64 by Horner's rule.

    Returns
    -------
    Activation
        Named ``"polynomial"`` with ``params = (("coeffs", (c_0, c_1, …)),)``.

    Examples
    --------
    >>> from bpcore.activations import polynomial
    >>> f = polynomial([0, 0, 1])
    >>> f.sympy_expr, f.f([3.0]), f.df([3.0])
    (z**2, array([9.]), array([6.]))
    """
    if isinstance(coeffs, str | bytes) or not isinstance(coeffs, Sequence | np.ndarray):
        raise TypeError(
            f"coeffs must be a 1-D sequence of real numbers [c_0, c_1, ...], got "
            f"{type(coeffs).__name__}"
        )
    c = check_real_array(coeffs, "coeffs", ndim=1)
    if c.size == 0:
        raise ValueError("coeffs must contain at least one coefficient, got an empty sequence")
    items = list(coeffs)
    expr = sp.Add(
        *[_exact_sympy(v, float(cf)) * z**k for k, (v, cf) in enumerate(zip(items, c, strict=True))]
    )
    c = c.copy()
    dc = np.polynomial.polynomial.polyder(c) if c.size > 1 else np.zeros(1)

    def func(x: np.ndarray) -> np.ndarray:
        return np.polynomial.polynomial.polyval(x, c)

    def deriv(x: np.ndarray) -> np.ndarray:
        return np.polynomial.polynomial.polyval(x, dc)

    return Activation(
        name="polynomial",
        func=func,
        deriv=deriv,
        sympy_expr=sp.sympify(expr),
        params=(("coeffs", tuple(float(v) for v in c)),),
    )


_BY_NAME: dict[str, Callable[[], Activation]] = {
    "identity": lambda: identity,
    "linear": lambda: identity,
    "sigmoid": lambda: sigmoid,
    "tanh": lambda: tanh,
    "relu": lambda: relu,
    "leaky_relu": leaky_relu,
    "softplus": lambda: softplus,
    "softsign": lambda: softsign,
}


def known_activations() -> list[str]:
    """The names :func:`get_activation` understands.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Examples
    --------
    >>> from bpcore.activations import known_activations
    >>> known_activations()
    ['identity', 'linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softplus', 'softsign']
    """
    return list(_BY_NAME)


def get_activation(name_or_activation: str | Activation, param: str = "activation") -> Activation:
    """Look an activation up by name, or pass an :class:`Activation` through unchanged.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Parameters
    ----------
    name_or_activation : str or Activation
        One of ``"identity"`` (alias ``"linear"``), ``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"leaky_relu"`` (α = 0.01; call :func:`leaky_relu` for another α), ``"softplus"`` or
        ``"softsign"``
        (case-insensitive). Polynomials need coefficients: pass ``polynomial(coeffs)``.
    param : str, default "activation"
        The parameter name used in error messages (e.g. ``"output_activation"``).

    Raises
    ------
    TypeError
        If ``name_or_activation`` is neither a string nor an Activation.
    ValueError
        For an unknown name; the message lists the known names.

    Examples
    --------
    >>> from bpcore.activations import get_activation
    >>> get_activation("relu")
    Activation(relu)
    >>> get_activation("gelu", "activation")
    Traceback (most recent call last):
        ...
    ValueError: activation must be one of identity, linear, sigmoid, tanh, r...
    """
    if isinstance(name_or_activation, Activation):
        return name_or_activation
    if not isinstance(name_or_activation, str):
        raise TypeError(
            f"{param} must be an activation name (one of {', '.join(_BY_NAME)}) or an "
            f"Activation, got {name_or_activation!r} of type {type(name_or_activation).__name__}"
        )
    key = name_or_activation.strip().lower()
    if key not in _BY_NAME:
        hint = (
            " (polynomial needs coefficients: pass polynomial(coeffs))"
            if key == "polynomial"
            else ""
        )
        raise ValueError(
            f"{param} must be one of {', '.join(_BY_NAME)}, got {name_or_activation!r}{hint}"
        )
    return _BY_NAME[key]()

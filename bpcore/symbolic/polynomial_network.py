"""The exact symbolic network: forward pass and δ's of a polynomial-activation network.

With a polynomial activation f every pre-activation is a polynomial in the inputs, so
:func:`symbolic_network` carries out the forward pass z^(l+1) = W^(l) f(z^(l)) + b^(l) and
backprop exactly (sympy ``Poly`` over ZZ or QQ, the δ's from the one backprop step of
:func:`bpcore.backprop.delta_recursion`); :func:`tied_polynomial_chain` is the width-1 tied
chain as one polynomial (the logistic map). The exact-input checks and the polynomial
arithmetic here are shared with :mod:`bpcore.symbolic.growth`.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp

from bpcore._validate import check_exact_number, check_int
from bpcore.activations import Activation, get_activation
from bpcore.activations import z as _z
from bpcore.backprop import delta_recursion

__all__ = ["MAX_TERMS", "SymbolicNetwork", "symbolic_network", "tied_polynomial_chain"]

# Refuse to build outputs with more monomials than this (the loops must stay bounded).
MAX_TERMS = 200_000


# ---------------------------------------------------------------------------------------------
# exact inputs


def _rational(value: object, name: str) -> sp.Rational:
    v = check_exact_number(value, name)
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    out = sp.sympify(v)
    if not isinstance(out, sp.Rational):
        raise ValueError(
            f"{name} must be a rational number (int, Fraction, sympy Rational), got {out}"
        )
    return out


def _exact_matrix(value: object, name: str) -> list[list[sp.Rational]]:
    try:
        arr = np.asarray(value, dtype=object)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be a 2-D array of exact numbers") from exc
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    return [
        [_rational(v, f"{name}[{i}, {j}]") for j, v in enumerate(row)] for i, row in enumerate(arr)
    ]


def _exact_vector(value: object, name: str, n: int) -> list[sp.Rational]:
    try:
        arr = np.asarray(value, dtype=object)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of exact numbers") from exc
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a 1-D array with {n} entries, got shape {arr.shape}")
    return [_rational(v, f"{name}[{i}]") for i, v in enumerate(arr)]


def _matrix_list(value: object, name: str) -> list[object]:
    if isinstance(value, str | bytes | np.ndarray) or not isinstance(value, Sequence):
        raise TypeError(
            f"{name} must be a list of arrays, one per layer, got {type(value).__name__}"
        )
    if len(value) == 0:
        raise ValueError(f"{name} must contain at least one layer")
    return list(value)


def _activation_coeffs(activation: str | Activation) -> tuple[str, list[sp.Rational]]:
    """The rational coefficients [c_0, …, c_d] of a polynomial activation (ValueError if not)."""
    act = get_activation(activation, "activation")
    expr = act.sympy_expr
    hint = "e.g. bpcore.activations.polynomial([0, 0, 1]) for f(z) = z**2"
    if expr.free_symbols - {_z} or expr.is_polynomial(_z) is not True:
        raise ValueError(
            f"activation must be a polynomial in z for an exact symbolic forward pass ({hint}); "
            f"got {act.label} with f(z) = {expr}, which is not a polynomial"
        )
    poly = sp.Poly(expr, _z)
    if poly.domain not in (sp.ZZ, sp.QQ):
        raise ValueError(
            f"activation must have exact rational coefficients (int, Fraction, sympy Rational), "
            f"got f(z) = {expr}; e.g. polynomial([0, Fraction(1, 2), 1]) instead of 0.5"
        )
    coeffs = [sp.Rational(c) for c in reversed(poly.all_coeffs())]
    return act.label, coeffs


def _coeffs_argument(coeffs: object) -> list[sp.Rational]:
    if isinstance(coeffs, str | bytes) or not isinstance(coeffs, Sequence | np.ndarray):
        raise TypeError(
            f"coeffs must be a sequence of exact numbers [c_0, c_1, ...] (lowest degree first), "
            f"got {type(coeffs).__name__}"
        )
    out = [_rational(v, f"coeffs[{k}]") for k, v in enumerate(list(coeffs))]
    if len(out) < 2:
        raise ValueError(
            f"coeffs must have at least 2 entries (degree d >= 1; a constant activation "
            f"forgets the input), got {len(out)}"
        )
    if out[-1] == 0:
        raise ValueError(
            f"coeffs must end with a nonzero coefficient (its length fixes the degree d), "
            f"got last coefficient {out[-1]}"
        )
    return out


def _inputs_argument(inputs: object, n0: int) -> tuple[sp.Symbol, ...]:
    if inputs is None:
        if n0 == 1:
            return (sp.Symbol("x", real=True),)
        return tuple(sp.symbols(f"x1:{n0 + 1}", real=True))
    if isinstance(inputs, sp.Symbol):
        inputs = (inputs,)
    if isinstance(inputs, str | bytes) or not isinstance(inputs, Sequence):
        raise TypeError(
            f"inputs must be None or a sequence of {n0} sympy Symbols, got {type(inputs).__name__}"
        )
    syms = tuple(inputs)
    if not all(isinstance(s, sp.Symbol) for s in syms):
        raise TypeError(f"inputs must be sympy Symbols, got {syms!r}")
    if len(syms) != n0:
        raise ValueError(
            f"inputs must have {n0} symbols (weights[0] has {n0} columns), got {len(syms)}"
        )
    if len(set(syms)) != n0:
        raise ValueError(f"inputs must be distinct symbols, got {syms!r}")
    return syms


# ---------------------------------------------------------------------------------------------
# exact polynomial arithmetic


def _apply_poly(coeffs: Sequence[sp.Rational], p: sp.Poly) -> sp.Poly:
    """f(p) by Horner's rule in Poly arithmetic (coefficients lowest degree first)."""
    out = (
        p.mul_ground(coeffs[-1])
        if len(coeffs) > 1
        else sp.Poly(coeffs[0], *p.gens, domain=p.domain)
    )
    if len(coeffs) > 1:
        out = out.add_ground(coeffs[-2])
    for c in reversed(coeffs[:-2]):
        out = (out * p).add_ground(c)
    return out


def _derivative_coeffs(coeffs: Sequence[sp.Rational]) -> list[sp.Rational]:
    return [k * c for k, c in enumerate(coeffs)][1:] or [sp.Integer(0)]


def _affine(W: list[list[sp.Rational]], a: list[sp.Poly], b: list[sp.Rational]) -> list[sp.Poly]:
    """W a + b with Poly entries (zero weights skipped)."""
    gens, dom = a[0].gens, a[0].domain
    out = []
    for row, bi in zip(W, b, strict=True):
        acc = sp.Poly(bi, *gens, domain=dom)
        for wij, aj in zip(row, a, strict=True):
            if wij != 0:
                acc = acc + aj.mul_ground(wij)
        out.append(acc)
    return out


def _domain(*groups: Sequence[sp.Rational]) -> sp.Domain:
    return sp.ZZ if all(v.is_Integer for g in groups for v in g) else sp.QQ


def _check_size(predicted_degree: int, n_inputs: int, name: str) -> None:
    bound = math.comb(predicted_degree + n_inputs, n_inputs)
    if bound > MAX_TERMS:
        raise ValueError(
            f"{name} too large: the output could have up to {bound} monomials (degree "
            f"{predicted_degree} in {n_inputs} inputs; the limit is {MAX_TERMS}); use fewer layers"
        )


# ---------------------------------------------------------------------------------------------
# the symbolic network


@dataclass(frozen=True, eq=False)
class SymbolicNetwork:
    """Exact forward pass and δ's of a polynomial-activation network, as polynomials.

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    inputs : tuple of sympy.Symbol
        The input symbols x = z^(0).
    zs : tuple of tuples of sympy.Expr
        zs[l] = z^(l), expanded polynomials in the inputs; z^(l+1) = W^(l) f(z^(l)) + b^(l).
    output : tuple of sympy.Expr
        z^(L) = zs[-1], the top pre-activations (the output is not passed through f).
    deltas : tuple of sympy.Matrix
        deltas[l] = ∂z^(L)/∂z^(l), shape (n_L, n_l): row i is δ^(l) for the unit δ e_i at the top,
        computed by the backprop step δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) with exact factors;
        deltas[L] is the identity and deltas[0] is the Jacobian of the whole network.
    degree : int
        Largest total degree of an output in the inputs (d^L for generic weights; the zero
        polynomial counts as 0).
    output_polys : tuple of sympy.Poly
        The outputs as :class:`sympy.Poly` in the inputs (fast exact evaluation).
    activation : str
        Label of the activation.
    coeffs : tuple of sympy.Rational
        f's coefficients, lowest degree first.

    Examples
    --------
    >>> from bpcore.activations import polynomial
    >>> from bpcore.symbolic import symbolic_network
    >>> net = symbolic_network([[[1, 1]], [[2]]], [[0], [1]], polynomial([0, 0, 1]))
    >>> net.widths, net.degree, net.terms
    ([2, 1, 1], 4, [4])
    >>> net.output
    (2*x1**4 + 4*x1**2*x2**2 + 2*x2**4 + 1,)
    """

    inputs: tuple[sp.Symbol, ...]
    zs: tuple[tuple[sp.Expr, ...], ...]
    output: tuple[sp.Expr, ...]
    deltas: tuple[sp.Matrix, ...]
    degree: int
    output_polys: tuple[sp.Poly, ...] = field(repr=False)
    activation: str
    coeffs: tuple[sp.Rational, ...]

    @property
    def depth(self) -> int:
        """Number of layers L."""
        return len(self.zs) - 1

    @property
    def widths(self) -> list[int]:
        """[n_0, …, n_L]."""
        return [len(layer) for layer in self.zs]

    @property
    def terms(self) -> list[int]:
        """Number of terms of each expanded output."""
        return [len(p.terms()) if not p.is_zero else 0 for p in self.output_polys]

    def __repr__(self) -> str:
        return (
            f"SymbolicNetwork(activation={self.activation}, widths={self.widths}, "
            f"inputs={self.inputs}, degree={self.degree}, terms={self.terms})"
        )


def _forward(
    Ws: list[list[list[sp.Rational]]],
    bs: list[list[sp.Rational]],
    coeffs: list[sp.Rational],
    gens: tuple[sp.Symbol, ...],
    *,
    fprimes: bool,
) -> tuple[list[list[sp.Poly]], list[list[sp.Poly]]]:
    dom = _domain(coeffs, *[v for W in Ws for v in W], *bs)
    dcoeffs = _derivative_coeffs(coeffs)
    zs = [[sp.Poly(g, *gens, domain=dom) for g in gens]]
    fps: list[list[sp.Poly]] = []
    for W, b in zip(Ws, bs, strict=True):  # a loop over layers: inherently sequential
        if fprimes:
            fps.append([_apply_poly(dcoeffs, p) for p in zs[-1]])
        zs.append(_affine(W, [_apply_poly(coeffs, p) for p in zs[-1]], b))
    return zs, fps


def _backward(
    Ws: list[list[list[sp.Rational]]],
    fps: list[list[sp.Poly]],
    n_top: int,
    rows: Sequence[int] | None = None,
) -> list[list[list[sp.Poly]]]:
    """δ's for the unit δ's e_i at the top, i in ``rows`` (default: all n_top)."""
    gens, dom = fps[-1][0].gens, fps[-1][0].domain
    rows = range(n_top) if rows is None else rows
    top = [[sp.Poly(int(i == j), *gens, domain=dom) for j in range(n_top)] for i in rows]
    # the one backprop step of bpcore.backprop, run on object arrays in exact arithmetic
    deltas = delta_recursion(
        [_object_array(W) for W in Ws], _object_array(top), [_object_array(fp) for fp in fps]
    )
    return [d.tolist() for d in deltas]


def _object_array(rows: Sequence[object]) -> np.ndarray:
    """An exact (dtype object) array of ``rows``, entries kept as they are (Polys, Rationals)."""
    nested = isinstance(rows[0], list)
    shape = (len(rows), len(rows[0])) if nested else (len(rows),)
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):  # element by element: numpy must not unpack a Poly
        out[idx] = rows[idx[0]][idx[1]] if nested else rows[idx[0]]
    return out


def _degree(p: sp.Poly) -> int:
    return 0 if p.is_zero else int(p.total_degree())


def symbolic_network(
    weights: Sequence[object],
    biases: Sequence[object],
    activation: str | Activation,
    inputs: Sequence[sp.Symbol] | sp.Symbol | None = None,
) -> SymbolicNetwork:
    """Exact sympy forward pass z^(l+1) = W^(l) f(z^(l)) + b^(l) and its δ's, f a polynomial.

    Introduced in chapter 4 (Nonlinear activations).

    The convention is that of :func:`bpcore.dynamics.tied_network` (pass ``[W] * L`` and
    ``[b] * L`` for a tied network): the inputs are z^(0), f is applied at every layer to the
    layer's input, and the outputs are the top pre-activations z^(L).

    Parameters
    ----------
    weights : sequence of 2-D arrays [W^(0), …, W^(L−1)]
        W^(l) has shape (n_{l+1}, n_l); entries exact: int, ``Fraction`` or sympy Rational
        (floats are rejected).
    biases : sequence of 1-D arrays [b^(0), …, b^(L−1)]
        b^(l) has n_{l+1} exact entries.
    activation : str or Activation
        An activation whose ``sympy_expr`` is a polynomial in ``bpcore.activations.z`` with
        rational coefficients, e.g. ``polynomial([0, 0, 1])`` (f(z) = z²) or ``"identity"``.
    inputs : sequence of n_0 sympy Symbols, optional
        Default: ``x`` for one input, ``x1, …, x{n_0}`` otherwise.

    Returns
    -------
    SymbolicNetwork
        Expanded z^(l), outputs, δ's (∂z^(L)/∂z^(l) as polynomial matrices) and the degree.

    Raises
    ------
    TypeError
        For a float or non-number weight/bias entry, non-Symbol inputs or a non-activation.
    ValueError
        If the activation is not a polynomial with rational coefficients (tanh, relu, softsign,
        ...), for inconsistent shapes, a different number of weights and biases, or an output
        that would exceed ``MAX_TERMS`` monomials.

    Examples
    --------
    >>> from bpcore.activations import polynomial
    >>> from bpcore.symbolic import symbolic_network
    >>> net = symbolic_network([[[2]]], [[1]], polynomial([0, 0, 1]))  # z ↦ 2 z² + 1
    >>> net.output, net.deltas[0]
    ((2*x**2 + 1,), Matrix([[4*x]]))
    """
    label, coeffs = _activation_coeffs(activation)
    wl = _matrix_list(weights, "weights")
    bl = _matrix_list(biases, "biases")
    if len(wl) != len(bl):
        raise ValueError(f"biases must have one entry per weight matrix ({len(wl)}), got {len(bl)}")
    Ws = [_exact_matrix(W, f"weights[{k}]") for k, W in enumerate(wl)]
    for k in range(1, len(Ws)):
        if len(Ws[k][0]) != len(Ws[k - 1]):
            raise ValueError(
                f"weights[{k}] must have {len(Ws[k - 1])} columns (weights[{k - 1}] has "
                f"{len(Ws[k - 1])} rows), got {len(Ws[k][0])}"
            )
    bs = [_exact_vector(b, f"biases[{k}]", len(Ws[k])) for k, b in enumerate(bl)]
    gens = _inputs_argument(inputs, len(Ws[0][0]))
    d = len(coeffs) - 1
    _check_size(max(d, 1) ** len(Ws), len(gens), "weights")
    zs, fps = _forward(Ws, bs, coeffs, gens, fprimes=True)
    deltas = _backward(Ws, fps, len(Ws[-1]))
    return SymbolicNetwork(
        inputs=gens,
        zs=tuple(tuple(p.as_expr() for p in layer) for layer in zs),
        output=tuple(p.as_expr() for p in zs[-1]),
        deltas=tuple(sp.Matrix([[p.as_expr() for p in row] for row in D]) for D in deltas),
        degree=max(_degree(p) for p in zs[-1]),
        output_polys=tuple(zs[-1]),
        activation=label,
        coeffs=tuple(coeffs),
    )


# ---------------------------------------------------------------------------------------------
# the tied chain as one polynomial (logistic map)


def tied_polynomial_chain(
    coeffs: Sequence[object], w: object, b: object, depth: int, z0: sp.Symbol | None = None
) -> sp.Poly:
    """The width-1 tied chain z^(l+1) = w f(z^(l)) + b, f(z) = Σ c_k z^k, as one exact polynomial.

    Introduced in chapter 4 (Nonlinear activations).

    ``tied_polynomial_chain([0, 1, -1], 4, 0, L)`` is the L-fold logistic map x ↦ 4x(1 − x): a
    polynomial of degree 2^L with a closed form all the same, sin²(2^L θ) at z0 = sin²θ.

    Parameters
    ----------
    coeffs : sequence of exact numbers
        [c_0, …, c_d], lowest degree first, d ≥ 1, c_d ≠ 0.
    w, b : int, Fraction or sympy Rational
        The tied weight and bias.
    depth : int
        L ≥ 0.
    z0 : sympy.Symbol, optional
        The variable (default ``z0``).

    Returns
    -------
    sympy.Poly
        z^(L) as a polynomial in z0 (``.as_expr()`` for an expression).

    Raises
    ------
    TypeError, ValueError
        For non-exact or bad coeffs, w or b, depth < 0, or an output beyond ``MAX_TERMS``.

    Examples
    --------
    >>> from bpcore.symbolic import tied_polynomial_chain
    >>> tied_polynomial_chain([0, 1, -1], 4, 0, 2).as_expr()  # two steps of x ↦ 4x(1 − x)
    -64*z0**4 + 128*z0**3 - 80*z0**2 + 16*z0
    """
    c = _coeffs_argument(coeffs)
    w_, b_ = _rational(w, "w"), _rational(b, "b")
    depth = check_int(depth, "depth", minimum=0)
    x = sp.Symbol("z0", real=True) if z0 is None else z0
    if not isinstance(x, sp.Symbol):
        raise TypeError(f"z0 must be a sympy Symbol or None, got {x!r}")
    _check_size((len(c) - 1) ** depth, 1, "depth")
    zs, _ = _forward([[[w_]]] * depth, [[b_]] * depth, c, (x,), fprimes=False)
    return zs[-1][0]

"""Exact symbolic forward pass and δ's of a network with a polynomial activation.

With a polynomial activation f of degree d every pre-activation is a polynomial in the inputs,
so the forward pass and backprop can be carried out exactly. The convention is the one of
:func:`bpcore.dynamics.tied_network`: the inputs are the first pre-activation z^(0) and

    z^(l+1) = W^(l) f(z^(l)) + b^(l),   l = 0, …, L−1,

so the output is the top pre-activation z^(L) (f is applied once per layer, to the layer's
input; the output itself is not passed through f), and the δ's are the Jacobians
δ^(l) = ∂z^(L)/∂z^(l), computed top-down by the backprop step
δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) with exact polynomial factors f'(z^(l)).

Each layer multiplies the degree by d, so the output has degree d^L: the closed form exists
(it is a polynomial), but its EXPANDED size (terms, ``count_ops`` of the expanded polynomial,
a tree without sharing) blows up — :func:`degree_growth` measures how fast. The circuit, the
network itself as a straight-line program, stays O(L) operations. Degree
blow-up alone does not forbid a compact closed form: the logistic chain f(z) = z − z², w = 4
(:func:`tied_polynomial_chain`) has degree 2^L and yet z^(L) = sin²(2^L θ) for z^(0) = sin²θ.

All arithmetic uses :class:`sympy.Poly` over ZZ (all data integers) or QQ (some fractions),
which is far faster than expanding expressions.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import itertools
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

__all__ = [
    "DegreeGrowth",
    "SymbolicNetwork",
    "degree_growth",
    "symbolic_network",
    "tied_polynomial_chain",
]

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


# ---------------------------------------------------------------------------------------------
# degree growth with depth


@dataclass(frozen=True, eq=False)
class DegreeGrowth:
    """Size of the exact output of a polynomial-activation network as the depth grows.

    Introduced in chapter 4 (Nonlinear activations).

    All per-depth fields are tuples aligned with ``depths``; they describe the first output unit
    z^(L)_1 as a polynomial in the ``width`` inputs.

    Attributes
    ----------
    coeffs : tuple of sympy.Rational
        The activation f(z) = Σ c_k z^k, lowest degree first; d = len(coeffs) − 1.
    width, seed : int
        Units per layer (= number of inputs) and the seed of the weights.
    tied : bool
        The same (W, b) at every layer, or fresh weights per layer.
    depths : tuple of int
    degrees : tuple of int
        Measured total degree of z^(L)_1.
    predicted : tuple of int
        d^L.
    terms : tuple of int
        Number of terms of the expanded z^(L)_1.
    count_ops : tuple of int
        ``sympy.count_ops`` of the expanded z^(L)_1 (a measure of the expanded expression, not
        of the network, which computes it in O(L) operations).
    coefficient_bits : tuple of int
        Bits of the largest |numerator| among its coefficients.
    delta_terms : tuple of int, or None
        Number of terms of δ^(0)_1 = ∂z^(L)_1/∂x_1 computed by the backprop recurrence
        (None if ``deltas=False``).
    weights, biases : tuple
        The exact weights and biases used (tied: one of each; untied: one per layer up to the
        largest depth; depth L uses the first L).
    """

    coeffs: tuple[sp.Rational, ...]
    width: int
    seed: int
    tied: bool
    depths: tuple[int, ...]
    degrees: tuple[int, ...]
    predicted: tuple[int, ...]
    terms: tuple[int, ...]
    count_ops: tuple[int, ...]
    coefficient_bits: tuple[int, ...]
    delta_terms: tuple[int, ...] | None
    weights: tuple[sp.Matrix, ...] = field(repr=False)
    biases: tuple[sp.Matrix, ...] = field(repr=False)

    COLUMNS = ("depth", "degree", "d^L", "terms", "count_ops", "coeff bits", "delta terms")

    def rows(self) -> list[tuple[int, ...]]:
        """One tuple per depth: (depth, degree, d^L, terms, count_ops, coeff bits, δ terms).

        The δ-terms entry is −1 when ``deltas=False``.
        """
        dt = self.delta_terms if self.delta_terms is not None else (-1,) * len(self.depths)
        return list(
            zip(
                self.depths,
                self.degrees,
                self.predicted,
                self.terms,
                self.count_ops,
                self.coefficient_bits,
                dt,
                strict=True,
            )
        )

    def __repr__(self) -> str:
        cols = self.COLUMNS if self.delta_terms is not None else self.COLUMNS[:-1]
        body = [r[: len(cols)] for r in self.rows()]
        widths = [max(len(c), *(len(str(r[i])) for r in body)) for i, c in enumerate(cols)]
        lines = ["  ".join(c.rjust(wd) for c, wd in zip(cols, widths, strict=True))]
        lines += [
            "  ".join(str(v).rjust(wd) for v, wd in zip(r, widths, strict=True)) for r in body
        ]
        f = sp.sstr(sp.Poly(list(reversed(self.coeffs)), _z).as_expr())
        head = (
            f"DegreeGrowth(f(z) = {f}, width={self.width}, "
            f"{'tied' if self.tied else 'untied'}, seed={self.seed})"
        )
        return "\n".join([head, *lines])


def _random_invertible(rng: np.random.Generator, n: int) -> list[list[sp.Rational]]:
    values = np.array([-2, -1, 1, 2])
    for _ in range(100):  # a random ±1, ±2 matrix is singular with small probability
        M = sp.Matrix(rng.choice(values, size=(n, n)).tolist())
        if M.det() != 0:
            return [[sp.Integer(v) for v in row] for row in M.tolist()]
    raise RuntimeError(
        "could not draw an invertible weight matrix in 100 tries"
    )  # pragma: no cover


def degree_growth(
    coeffs: Sequence[object],
    depths: Sequence[int],
    *,
    width: int = 1,
    seed: int = 0,
    tied: bool = True,
    W: object = None,
    b: object = None,
    deltas: bool = True,
) -> DegreeGrowth:
    """Exact degree, term count and ``count_ops`` of a polynomial network's output vs depth.

    Introduced in chapter 4 (Nonlinear activations).

    The network is the chain z^(l+1) = W^(l) f(z^(l)) + b^(l) of :func:`symbolic_network` with
    ``width`` units per layer and ``width`` inputs; depth L uses L layers. f has degree d, so
    the output has degree at most d^L, with equality for generic weights: for width 1 whenever
    w ≠ 0; for width 2 whenever every W^(l) is invertible. Proof for width 2: let L₁, L₂ be the
    linearly independent top-degree forms of z^(l); those of z^(l+1) are W (L₁ᵈ, L₂ᵈ)ᵀ, and
    L₁ᵈ, L₂ᵈ are independent (L₁ᵈ = c L₂ᵈ forces L₁/L₂ to be a constant root of c), so an
    invertible W keeps them independent and nonzero: the degree is multiplied by d exactly.
    For width ≥ 3 equality holds only generically (invertible W is not enough: cancellations
    such as (u² − v²)² + (2uv)² − (u² + v²)² = 0 can lower the degree).
    ``count_ops`` counts the EXPANDED output (the circuit stays O(L)).
    d = 1 is an affine network: the degree stays 1.

    Weights are small random integers from ``seed``: entries of W in {±1, ±2} (redrawn until W
    is invertible), biases in {−1, 0, 1}; untied networks draw one (W, b) per layer and depth L
    uses the first L of them, so the table is one growing network.

    Parameters
    ----------
    coeffs : sequence of exact numbers
        [c_0, …, c_d] as for :func:`bpcore.activations.polynomial`, d ≥ 1, c_d ≠ 0.
    depths : sequence of int
        Strictly increasing depths L ≥ 0.
    width : int, default 1
        Units per layer and number of inputs, 1 ≤ width ≤ 4.
    seed : int, default 0
    tied : bool, default True
    W, b : exact (width, width) matrix and (width,) vector, optional
        Override the random tied weights (requires ``tied=True``); e.g. ``W=[[4]], b=[0]``
        with coeffs [0, 1, −1] is the logistic map.
    deltas : bool, default True
        Also count the terms of δ^(0)_1 = ∂z^(L)_1/∂x_1 from the exact backprop recurrence.

    Returns
    -------
    DegreeGrowth
        Per-depth degree, d^L, terms, count_ops, coefficient bits, δ terms; ``rows()`` for a
        table. Wall time is not part of the result.

    Raises
    ------
    TypeError
        For float coefficients/weights, non-integer depths/width/seed, non-bool tied/deltas.
    ValueError
        For fewer than 2 coefficients or a zero leading coefficient, empty or non-increasing
        depths, width outside 1..4, W/b with the wrong shape or with ``tied=False``, or a
        depth whose output could exceed ``MAX_TERMS`` monomials.
    """
    c = _coeffs_argument(coeffs)
    if isinstance(depths, str | bytes) or not isinstance(depths, Sequence | np.ndarray):
        raise TypeError(f"depths must be a sequence of integers, got {type(depths).__name__}")
    ds = [check_int(v, f"depths[{k}]", minimum=0) for k, v in enumerate(list(depths))]
    if not ds:
        raise ValueError("depths must contain at least one depth")
    if any(b2 <= a2 for a2, b2 in itertools.pairwise(ds)):
        raise ValueError(f"depths must be strictly increasing, got {ds}")
    width = check_int(width, "width", minimum=1)
    if width > 4:
        raise ValueError(f"width must be between 1 and 4, got {width}")
    seed = check_int(seed, "seed", minimum=0)
    for name, flag in (("tied", tied), ("deltas", deltas)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    d = len(c) - 1
    _check_size(d ** ds[-1], width, "depths")
    L = ds[-1]
    if (W is None) != (b is None):
        raise ValueError("W and b must be given together (or neither)")
    if W is not None:
        if not tied:
            raise ValueError("W and b override the tied weights: they require tied=True")
        Wm = _exact_matrix(W, "W")
        if (len(Wm), len(Wm[0])) != (width, width):
            raise ValueError(
                f"W must have shape ({width}, {width}) for width={width}, got "
                f"({len(Wm)}, {len(Wm[0])})"
            )
        layers = [(Wm, _exact_vector(b, "b", width))]
    else:
        rng = np.random.default_rng(seed)
        layers = []
        for _ in range(1 if tied else max(L, 1)):
            Wm = _random_invertible(rng, width)
            layers.append((Wm, [sp.Integer(v) for v in rng.integers(-1, 2, size=width)]))
    Ws = [layers[0 if tied else k][0] for k in range(L)]
    bs = [layers[0 if tied else k][1] for k in range(L)]
    gens = (
        tuple(sp.symbols(f"x1:{width + 1}", real=True))
        if width > 1
        else (sp.Symbol("x", real=True),)
    )
    zs, fps = _forward(Ws, bs, c, gens, fprimes=deltas)
    degrees, terms, ops, bits, dterms = [], [], [], [], []
    for depth in ds:
        p = zs[depth][0]
        degrees.append(_degree(p))
        terms.append(0 if p.is_zero else len(p.terms()))
        ops.append(int(sp.count_ops(p.as_expr())))
        bits.append(max(abs(sp.Rational(cf).p).bit_length() for cf in p.coeffs()))
        if deltas:
            if depth == 0:
                dterms.append(1)
            else:
                top = _backward(Ws[:depth], fps[:depth], width, rows=[0])[0][0][0]
                dterms.append(0 if top.is_zero else len(top.terms()))
    return DegreeGrowth(
        coeffs=tuple(c),
        width=width,
        seed=seed,
        tied=tied,
        depths=tuple(ds),
        degrees=tuple(degrees),
        predicted=tuple(d**depth for depth in ds),
        terms=tuple(terms),
        count_ops=tuple(ops),
        coefficient_bits=tuple(bits),
        delta_terms=tuple(dterms) if deltas else None,
        weights=tuple(sp.Matrix(Wm) for Wm, _ in layers),
        biases=tuple(sp.Matrix(bv) for _, bv in layers),
    )

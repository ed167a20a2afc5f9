"""Degree growth: how the exact output of a polynomial network grows with its depth.

Each layer multiplies the degree by d, so the output has degree d^L: the closed form exists
(it is a polynomial), but its EXPANDED size (terms, ``count_ops``, coefficient bits) blows up,
while the circuit — the network itself — stays O(L) operations. :func:`degree_growth`
measures how fast, on the exact arithmetic of :mod:`bpcore.symbolic.polynomial_network`.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from bpcore._validate import check_int
from bpcore.activations import z as _z
from bpcore.symbolic.polynomial_network import (
    _backward,
    _check_size,
    _coeffs_argument,
    _degree,
    _exact_matrix,
    _exact_vector,
    _forward,
)

__all__ = ["DegreeGrowth", "degree_growth"]


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

    Examples
    --------
    >>> from bpcore.symbolic import degree_growth
    >>> degree_growth([1, -1, 2], [1, 2, 3], width=2)
    DegreeGrowth(f(z) = 2*z**2 - z + 1, width=2, tied, seed=0)
    depth  degree  d^L  terms  count_ops  coeff bits  delta terms
        1       2    2      5          9           3            2
        2       4    4     13         38           7            8
        3       8    8     41        154          17           32
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

    Examples
    --------
    >>> from bpcore.symbolic import degree_growth
    >>> growth = degree_growth([0, 0, 1], [1, 2, 3])  # f(z) = z², width 1
    >>> growth.degrees, growth.predicted, growth.terms
    ((2, 4, 8), (2, 4, 8), (1, 1, 1))
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

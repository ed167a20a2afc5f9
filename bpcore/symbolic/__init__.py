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

The package has one module per idea: :mod:`~bpcore.symbolic.polynomial_network` (the exact
network, :func:`symbolic_network`, :func:`tied_polynomial_chain`) and
:mod:`~bpcore.symbolic.growth` (:func:`degree_growth`); every public name is re-exported here.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from bpcore.symbolic.growth import DegreeGrowth, degree_growth
from bpcore.symbolic.polynomial_network import (  # MAX_TERMS: a constant, not in __all__
    MAX_TERMS,  # noqa: F401
    SymbolicNetwork,
    symbolic_network,
    tied_polynomial_chain,
)

__all__ = [
    "DegreeGrowth",
    "SymbolicNetwork",
    "degree_growth",
    "symbolic_network",
    "tied_polynomial_chain",
]

"""Ordered products of matrices, and the structured families where the product collapses.

Backprop is the costate (adjoint) equation of a linear time-varying system: with the factors
M_l = D_l W^(l)ᵀ, D_l = diag f'(z^(l)), the recurrence δ^(l) = M_l δ^(l+1) is solved by

    δ^(1) = M_1 M_2 ⋯ M_L δ^(L+1),

and the ordered product M_1 ⋯ M_L is the state-transition matrix of that system. That product
always *is* the closed form; the question is when it collapses to something shorter than L
matrix products. It does when the family has structure: conjugated factors M_k = R^k A R^{−k}
(:func:`conjugated_product`), periodic factors (:func:`floquet_product`, Floquet theory),
commuting factors (:func:`commuting_product`: a common eigenbasis turns the product into
products of numbers) and simultaneously triangularisable ones (:func:`triangular_product`:
variation of constants), the discrete shadow of Wei & Norman's (1963) theorem that a solvable
Lie algebra makes the state-transition matrix a finite product of exponentials of quadratures.
Without such structure the classical tool is an approximation, the Magnus expansion (Magnus
1954; Blanes et al. 2009), not a collapse. The last two functions show why the spectral radius
of each factor alone says nothing about the product (:func:`rho_counterexample`,
:func:`alternating_growth`).

The rooms of this package:

* :mod:`~bpcore.products.ordered` — the reference :func:`ordered_product`, conjugated and
  periodic (Floquet) factors;
* :mod:`~bpcore.products.commuting` — commuting and triangular families;
* :mod:`~bpcore.products.counterexample` — ρ of each factor against ρ of the product.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from bpcore.products.commuting import (
    TriangularProduct,
    common_eigenbasis,
    commuting_product,
    triangular_product,
)
from bpcore.products.counterexample import (
    RhoCounterexample,
    alternating_growth,
    rho_counterexample,
    rho_counterexample_network,
)
from bpcore.products.ordered import (
    conjugated_factors,
    conjugated_product,
    floquet_multipliers,
    floquet_product,
    ordered_product,
)

__all__ = [
    "RhoCounterexample",
    "TriangularProduct",
    "alternating_growth",
    "common_eigenbasis",
    "commuting_product",
    "conjugated_factors",
    "conjugated_product",
    "floquet_multipliers",
    "floquet_product",
    "ordered_product",
    "rho_counterexample",
    "rho_counterexample_network",
    "triangular_product",
]

"""The forward pass of a tied-weight network as a dynamical system, and its closed forms.

With the same W and b at every layer the forward pass is the iteration z ↦ g(z) = W f(z) + b,
and backprop multiplies by the derivative of the iterated map,
δ^(l) = (∂z^(l+1)/∂z^(l))ᵀ δ^(l+1) with ∂z^(l+1)/∂z^(l) = W diag f'(z^(l)).
This package runs that system (the δ's come from :mod:`bpcore.backprop`, the one source of the
step) and collects the families where a closed form survives, one room each:

* :mod:`~bpcore.dynamics.orbit` — the tied network's orbit, factors and δ's
  (:func:`tied_network`, :func:`tied_chain`, :class:`TiedOrbit`);
* :mod:`~bpcore.dynamics.mobius` — the softsign chain, a Möbius map, so δ is Binet-type;
* :mod:`~bpcore.dynamics.conjugacy` — maps conjugate to linear ones (logistic r = 4 and r = 2,
  the Chebyshev map z ↦ z² − 2, the power map z ↦ w z²);
* :mod:`~bpcore.dynamics.koenigs` — the local closed form near an attracting fixed point
  (Koenigs linearisation);
* :mod:`~bpcore.dynamics.chain` — which of these closed forms gives δ of the width-1 chain
  z ↦ w f(z) + b of chapter 4's explorer (:func:`chain_closed_form`, :func:`chain_fixed_point`).

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from bpcore.activations import softsign
from bpcore.dynamics.chain import (
    CHAIN_ACTIVATIONS,
    CHAIN_DEPTH,
    CHAIN_Z0,
    ChainClosedForm,
    chain_closed_form,
    chain_fixed_point,
)
from bpcore.dynamics.conjugacy import (
    chebyshev_closed_form,
    logistic_closed_form,
    power_map_closed_form,
)
from bpcore.dynamics.koenigs import KoenigsResult, koenigs, koenigs_delta
from bpcore.dynamics.mobius import (
    MobiusClosedForm,
    MobiusSymbolic,
    mobius_closed_form,
    mobius_closed_form_symbolic,
)
from bpcore.dynamics.orbit import TiedOrbit, tied_chain, tied_network

__all__ = [
    "CHAIN_ACTIVATIONS",
    "CHAIN_DEPTH",
    "CHAIN_Z0",
    "ChainClosedForm",
    "KoenigsResult",
    "MobiusClosedForm",
    "MobiusSymbolic",
    "TiedOrbit",
    "chain_closed_form",
    "chain_fixed_point",
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

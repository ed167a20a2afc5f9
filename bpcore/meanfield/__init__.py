"""Mean-field theory of deep random networks: what backprop does on average, in closed form.

For a random network in Ng's notation — W^(l)_ij ~ N(0, σ_w²/s_l), b^(l)_i ~ N(0, σ_b²),
``bpcore.network.MLP.random(sizes, activation, weight_scale=σ_w, bias_scale=σ_b)`` — the
pre-activations z^(l) of a wide layer are approximately i.i.d. Gaussian with variance q^(l),
and q follows a one-dimensional deterministic map, the *length map* (Poole et al. 2016;
Schoenholz et al. 2017):

    q^(l+1) = σ_w² E[f(√q^(l) Z)²] + σ_b²,   Z ~ N(0, 1).

Its attracting fixed point q* is where signals of any input settle. Under the
*gradient-independence assumption* (the W^(l)ᵀ of the backward pass treated as independent of
the W^(l) of the forward pass — true on average when the output error does not depend on the
weights, e.g. a random read-out vector) the backprop recurrence δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙
f'(z^(l)) has the averaged closed form

    E‖δ^(l)‖² = χ₁^{n_l − l} E‖δ^(n_l)‖²,   χ₁ = σ_w² E[f'(√q* Z)²]

(equal widths): a geometric sequence, the "Binet formula" of backprop on average. χ₁ < 1 is
the ordered phase (gradients vanish with depth scale ξ = −1/ln χ₁), χ₁ > 1 the chaotic phase,
χ₁ = 1 the critical line. This module computes the maps by Gauss–Hermite quadrature (closed
forms for ReLU, identity, leaky ReLU and erf), simulates real networks built with
:class:`bpcore.network.MLP` with backprop from :mod:`bpcore.backprop`, and adds the two
random-matrix results of the chapter: the spectrum of the input–output Jacobian (Fuss–Catalan
moments for Gaussian products, free-probability moments for nonlinear networks; Pennington,
Schoenholz & Ganguli 2017, 2018) and an exact finite-width law for the fluctuations of
log‖J u‖² in He-initialised ReLU networks (the per-layer law is derived in chapter 6; cf.
Hanin 2018 for bounds controlled by β = Σ 1/n_l, Hanin & Nica 2020 for the log-normal limit).

The package is split by concept, one module each (every name is re-exported here, so
``from bpcore.meanfield import chi1`` and ``meanfield.chi1`` work as before):

* :mod:`bpcore.meanfield.gaussian` — Gaussian expectations by quadrature and in closed form
  (:data:`DEFAULT_ORDER`, :data:`ERF`);
* :mod:`bpcore.meanfield.maps` — the length map, q*, χ₁ and the correlation map;
* :mod:`bpcore.meanfield.phases` — order and chaos: depth scales and the critical line;
* :mod:`bpcore.meanfield.gradients` — simulated E‖δ^(l)‖² against χ₁^(n_l − l);
* :mod:`bpcore.meanfield.spectra` — Fuss–Catalan numbers and the Jacobian spectrum;
* :mod:`bpcore.meanfield.finite_width` — the exact finite-width law of log‖J u‖².

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

from bpcore.meanfield.finite_width import LogNormVariance, hanin_V, log_norm_variance
from bpcore.meanfield.gaussian import DEFAULT_ORDER, ERF
from bpcore.meanfield.gradients import INITS as INITS  # public, not in __all__ (as before)
from bpcore.meanfield.gradients import READOUTS as READOUTS
from bpcore.meanfield.gradients import GradientNorms, gradient_norms
from bpcore.meanfield.maps import chi1, correlation_map, derivative_moment, fixed_point, length_map
from bpcore.meanfield.phases import DepthScales, critical_sigma_w, depth_scales
from bpcore.meanfield.spectra import (
    JacobianSpectrum,
    fuss_catalan,
    jacobian_spectrum,
    predicted_jacobian_moments,
)

__all__ = [
    "DEFAULT_ORDER",
    "ERF",
    "DepthScales",
    "GradientNorms",
    "JacobianSpectrum",
    "LogNormVariance",
    "chi1",
    "correlation_map",
    "critical_sigma_w",
    "depth_scales",
    "derivative_moment",
    "fixed_point",
    "fuss_catalan",
    "gradient_norms",
    "hanin_V",
    "jacobian_spectrum",
    "length_map",
    "log_norm_variance",
    "predicted_jacobian_moments",
]

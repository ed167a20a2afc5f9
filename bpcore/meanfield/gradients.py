"""Backprop on average in real random networks: simulated E‖δ^(l)‖² next to χ₁^(n_l − l).

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bpcore._validate import check_int
from bpcore.activations import Activation
from bpcore.backprop import delta_recursion
from bpcore.meanfield.gaussian import (
    DEFAULT_ORDER,
    _activation,
    _sigmas,
)
from bpcore.meanfield.maps import (
    _at_fixed_point,
    _chi_along,
    _q_orbit,
    chi1,
    fixed_point,
)
from bpcore.network import MLP

__all__ = ["INITS", "READOUTS", "GradientNorms", "gradient_norms"]

READOUTS = ("random", "squared_error")
INITS = ("gaussian", "orthogonal")


# ---------------------------------------------------------------------------------------------
# simulation helpers


def _input_q(act: Activation, sw: float, sb: float) -> float:
    """The variance at which to start the inputs: q* if it exists and is > 0, else 1."""
    try:
        q = fixed_point(act, sw, sb)
    except ValueError:
        return 1.0
    return q if q > 0.0 else 1.0


def _inputs_at(act, sw, sb, q: float, width: int, m: int, rng) -> np.ndarray:
    """m inputs a^(1) with ‖a‖²/width = (q − σ_b²)/σ_w² exactly, so that E z^(2)² = q."""
    target = max(q - sb * sb, 0.0) / (sw * sw)
    if target <= 0.0:
        target = 1.0
    X = rng.standard_normal((m, width))
    X *= np.sqrt(target / np.mean(X * X, axis=1, keepdims=True))
    return X


def _check_readout(readout: object) -> str:
    if readout not in READOUTS:
        raise ValueError(f"readout must be 'random' or 'squared_error', got {readout!r}")
    return str(readout)


def _check_init(init: object) -> str:
    if init not in INITS:
        raise ValueError(f"init must be 'gaussian' or 'orthogonal', got {init!r}")
    return str(init)


@dataclass(frozen=True, eq=False)
class GradientNorms:
    """Simulated E‖δ^(l)‖² by layer against the mean-field prediction χ₁^{n_l − l}.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    layers : (depth,) int array
        Ng's layer numbers l = 2, …, n_l (n_l = depth + 1).
    mean : (depth,) array
        E‖δ^(l)‖² / E‖δ^(n_l)‖² — the mean over all nets and inputs of ‖δ^(l)‖², divided by the
        same mean at the output layer (so ``mean[-1] = 1``).
    stderr : (depth,) array
        Standard error of ``mean`` over the ``n_nets`` networks (each network's mean over its
        inputs is one sample; delta method for the ratio; NaN when n_nets = 1).
    predicted : (depth,) array
        The mean-field prediction Π_{k=l}^{n_l − 1} σ_w² E[f'(√q^(k) Z)²] along the actual
        layer variances ``q_layers``; this is χ₁^{n_l − l} when the inputs start at a fixed
        point q* > 0 (or for relu / identity, whose f'² does not depend on q). Where q* = 0
        (tanh with σ_b = 0, σ_w ≤ 1) or no finite q* exists, the inputs start at q = 1 and q
        moves layer by layer; the prediction follows that orbit instead of silently using χ₁.
    chi1 : float
        The mean-field χ₁ at (σ_w, σ_b) (σ_w²/2 for relu), i.e. at q*.
    rate : float
        The measured per-layer factor: (mean[0]/mean[-1])^{1/(depth − 1)}, the geometric mean
        of E‖δ^(l)‖²/E‖δ^(l+1)‖² over the depth − 1 steps (NaN for depth 1).
    top_ratio : float
        E‖δ^(n_l − 1)‖²/E‖δ^(n_l)‖², the first backward step, where ``readout="squared_error"``
        departs most from χ₁.
    q_in : float
        The variance of z^(2) the inputs were scaled to (q* if q* > 0, else 1).
    q_layers : (depth,) array
        q^(2), …, q^(n_l): the length map iterated from q_in (all equal to q* when q_in = q*).
    activation, readout : str
    sigma_w, sigma_b : float
    width, depth, n_nets, n_inputs : int

    Examples
    --------
    >>> from bpcore.meanfield import gradient_norms
    >>> gradient_norms("tanh", 1.0, 0.05, 32, 6, n_nets=2, n_inputs=4).layers.tolist()
    [2, 3, 4, 5, 6, 7]
    """

    layers: np.ndarray
    mean: np.ndarray
    stderr: np.ndarray
    predicted: np.ndarray
    chi1: float
    rate: float
    top_ratio: float
    q_in: float
    q_layers: np.ndarray
    activation: str
    readout: str
    sigma_w: float
    sigma_b: float
    width: int
    depth: int
    n_nets: int
    n_inputs: int

    @property
    def ratio_error(self) -> float:
        """rate/χ₁ − 1, the relative error of the measured per-layer factor."""
        return self.rate / self.chi1 - 1.0

    def __repr__(self) -> str:
        return (
            f"GradientNorms({self.activation}, sigma_w={self.sigma_w:.6g}, "
            f"sigma_b={self.sigma_b:.6g}, readout={self.readout!r}, width={self.width}, "
            f"depth={self.depth}, {self.n_nets} nets x {self.n_inputs} inputs: "
            f"rate={self.rate:.6g} vs chi1={self.chi1:.6g}, top_ratio={self.top_ratio:.6g}, "
            f"mean[0]={self.mean[0]:.6g} vs predicted {self.predicted[0]:.6g})"
        )


def gradient_norms(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    width: int,
    depth: int,
    *,
    n_nets: int = 4,
    n_inputs: int = 16,
    readout: str = "random",
    init: str = "gaussian",
    seed: int = 0,
) -> GradientNorms:
    """E‖δ^(l)‖² by layer in real random networks, next to the prediction χ₁^{n_l − l}.

    Introduced in chapter 6 (Approximations that work).

    Each of ``n_nets`` networks is ``MLP.random([width] * (depth + 1), activation,
    weight_scale=σ_w, bias_scale=σ_b, init=init, seed=seed + i)`` (f at every layer, the
    output included, as in Ng's convention): depth weight matrices, layers l = 1, …, n_l =
    depth + 1. Its ``n_inputs`` inputs are Gaussian vectors rescaled so that z^(2) has variance
    exactly q* (pitfall 1: inputs at another length pass through a transient of the length map
    and bias the top layers by several per cent). The δ's come from
    :func:`bpcore.backprop.delta_recursion` (the one backprop step):

    * ``readout="random"``: δ^(n_l) = v ⊙ f'(z^(n_l)) with v ~ N(0, I) drawn independently of
      the weights — the gradient of the random linear read-out J = vᵀ h(x). The output error
      does not depend on the weights, which is what the gradient-independence assumption needs;
      the per-layer factor then matches χ₁.
    * ``readout="squared_error"``: ``MLP.backward`` with the cost ½‖h − y‖², y = 0 (so
      δ^(n_l) = h ⊙ f'(z^(n_l))). h depends on W^(n_l − 1), which the first backward step
      multiplies by again: the assumption fails and the top layers run well above χ₁ (pitfall
      2; for a critical relu net the norm grows over depth instead of staying flat).

    Parameters
    ----------
    activation : str or Activation
    sigma_w : float > 0
    sigma_b : float >= 0
    width : int >= 2
    depth : int >= 1
        Number of weight matrices (n_l − 1).
    n_nets, n_inputs : int >= 1
    readout : {"random", "squared_error"}
    init : {"gaussian", "orthogonal"}
        See :meth:`bpcore.network.MLP.random`; χ₁ and the prediction are the same for both.
    seed : int >= 0

    Returns
    -------
    GradientNorms

    Examples
    --------
    >>> from bpcore.meanfield import gradient_norms
    >>> g = gradient_norms("tanh", 1.0, 0.05, 128, 10, n_nets=4, n_inputs=8, seed=0)
    >>> print(f"measured factor {g.rate:.4f} per layer, chi1 = {g.chi1:.4f}")
    measured factor 0.9478 per layer, chi1 = 0.9341
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    width = check_int(width, "width", minimum=2)
    depth = check_int(depth, "depth", minimum=1)
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1)
    kind = _check_readout(readout)
    init = _check_init(init)
    seed = check_int(seed, "seed", minimum=0)
    x1 = chi1(act, sw, sb)
    q_in = _input_q(act, sw, sb)
    per_net = np.empty((n_nets, depth))
    for i in range(n_nets):
        net = MLP.random(
            [width] * (depth + 1), act, weight_scale=sw, bias_scale=sb, init=init, seed=seed + i
        )
        rng = np.random.default_rng([seed, i, 1])
        X = _inputs_at(act, sw, sb, q_in, width, n_inputs, rng)
        if kind == "random":
            fp = net.forward(X)
            fprimes = [act.deriv(z) for z in fp.z]  # f'(z^(2)), …, f'(z^(n_l))
            delta_out = rng.standard_normal((n_inputs, width)) * fprimes[-1]
            deltas = (
                delta_recursion(net.weights[1:], delta_out, fprimes[:-1])
                if depth > 1
                else [delta_out]
            )
        else:
            deltas = net.backward(X, np.zeros((n_inputs, width))).deltas
        per_net[i] = [float(np.mean(np.sum(d * d, axis=1))) for d in deltas]
    tot = per_net.mean(axis=0)
    mean = tot / tot[-1]
    if n_nets > 1:
        # delta method for the ratio of two means over nets
        r = per_net / tot[-1] - mean[None, :] * (per_net[:, -1:] / tot[-1])
        stderr = r.std(axis=0, ddof=1) / math.sqrt(n_nets)
    else:
        stderr = np.full(depth, np.nan)
    layers = np.arange(2, depth + 2)
    q_layers = _q_orbit(act, sw, sb, q_in, depth, DEFAULT_ORDER)
    if _at_fixed_point(act, sw, sb, q_in):
        predicted = x1 ** (depth + 1 - layers).astype(float)
    else:  # follow the orbit: factor σ_w² μ₁(q^(k)) for each backward step k = l … n_l − 1
        fac = sw * sw * _chi_along(act, sw, q_layers, 1, DEFAULT_ORDER)
        predicted = np.append(np.cumprod(fac[-2::-1])[::-1], 1.0) if depth > 1 else np.ones(1)
    rate = float(mean[0] ** (1.0 / (depth - 1))) if depth > 1 else math.nan
    top = float(mean[-2]) if depth > 1 else math.nan
    return GradientNorms(
        layers=layers,
        mean=mean,
        stderr=stderr,
        predicted=predicted,
        chi1=x1,
        rate=rate,
        top_ratio=top,
        q_in=q_in,
        q_layers=q_layers,
        activation=act.label,
        readout=kind,
        sigma_w=sw,
        sigma_b=sb,
        width=width,
        depth=depth,
        n_nets=n_nets,
        n_inputs=n_inputs,
    )

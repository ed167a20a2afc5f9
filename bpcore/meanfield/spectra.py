"""Spectra of the input–output Jacobian: Fuss–Catalan moments and free-probability predictions.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real
from bpcore.activations import Activation
from bpcore.backprop import delta_recursion
from bpcore.meanfield.gaussian import (
    DEFAULT_ORDER,
    _activation,
    _deriv_moment,
    _order,
    _sigmas,
)
from bpcore.meanfield.gradients import _check_init, _input_q, _inputs_at
from bpcore.meanfield.maps import (
    _at_fixed_point,
    _chi_along,
    _q_orbit,
)
from bpcore.network import MLP

__all__ = ["JacobianSpectrum", "fuss_catalan", "jacobian_spectrum", "predicted_jacobian_moments"]

# ---------------------------------------------------------------------------------------------
# spectra of the input–output Jacobian


def fuss_catalan(L: int, k: int) -> int:
    """The Fuss–Catalan number FC_L(k) = binom((L + 1)k, k)/(Lk + 1), an exact integer.

    Introduced in chapter 6 (Approximations that work).

    Index convention: for X = G_L ⋯ G_1, a product of L independent N × N Gaussian matrices
    with entries N(0, 1/N), the k-th moment of the spectrum of XXᵀ is
    lim_{N→∞} (1/N) E tr (XXᵀ)^k = FC_L(k) (k = 0, 1, 2, …). L = 1 gives the Catalan numbers
    (Marchenko–Pastur at aspect ratio 1); L = 2: 1, 1, 3, 12, 55 (k = 0…4); L = 3: 1, 1, 4, 22,
    140. L = 0 (no matrix: X = I) gives 1 for every k.

    Parameters
    ----------
    L : int >= 0
    k : int >= 0

    Examples
    --------
    >>> from bpcore.meanfield import fuss_catalan
    >>> [fuss_catalan(2, k) for k in range(5)]
    [1, 1, 3, 12, 55]
    >>> fuss_catalan(1, 3)  # L = 1: the Catalan numbers
    5
    """
    L = check_int(L, "L", minimum=0)
    k = check_int(k, "k", minimum=0)
    num = math.comb((L + 1) * k, k)
    q, r = divmod(num, L * k + 1)
    if r:  # pragma: no cover - a theorem, not bad input
        raise RuntimeError("binom((L+1)k, k) not divisible by Lk + 1")
    return q


def predicted_jacobian_moments(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    depth: int,
    *,
    init: str = "gaussian",
    q: float | None = None,
    order: int = DEFAULT_ORDER,
) -> tuple[float, float]:
    """Free-probability moments (m₁, m₂) of JJᵀ, J = D_L W_L ⋯ D_1 W_1 (Pennington et al.).

    Introduced in chapter 6 (Approximations that work).

    z^(2) has variance q^(2) = q (default: q* where q* > 0, else 1) and z^(l+1) the variance
    q^(l+1) = L(q^(l)) of the length map; the D_l² have moments μ_k(q^(l)) =
    E[f'(√q^(l) Z)^{2k}] (:func:`derivative_moment`). Treating the D_l and W_l as
    asymptotically free, the S-transform of JJᵀ is the product of the layers' S-transforms;
    expanding S(w) = (1/m₁)(1 − (m₂/m₁² − 1) w + O(w²)) (the O(w) coefficients add) gives
    (Pennington, Schoenholz & Ganguli 2017, 2018)

        m₁ = Π_l σ_w² μ₁(q^(l)),   m₂/m₁² − 1 = Σ_l (μ₂/μ₁²(q^(l)) − 1 + s),

    which is m₁ = χ₁^L, m₂/m₁² − 1 = L (μ₂/μ₁² − 1 + s) when q is a fixed point q* (every
    z at variance q*). Where q* = 0 (tanh, σ_b = 0, σ_w ≤ 1) or does not exist, q moves
    layer by layer and the orbit — not χ₁ — is the prediction (a fixed-q formula would be off
    by orders of magnitude: tanh σ_w = 0.9, L = 10 from q = 1).

    with s = 1 for Gaussian W (WᵀW is Marchenko–Pastur, m₂ = 2σ_w⁴) and s = 0 for orthogonal
    W. Linear Gaussian: m₂ = L + 1 = FC_L(2); orthogonal linear: m₂ = 1 (dynamical isometry).

    Parameters
    ----------
    activation, sigma_w, sigma_b, order : see :func:`length_map`
    depth : int >= 1
        L, the number of factors D_l W_l.
    init : {"gaussian", "orthogonal"}
    q : float >= 0, optional
        The variance of z^(2), the start of the orbit. Default: q* where q* > 0, else 1 (for
        relu / identity the μ_k do not depend on q).

    Returns
    -------
    (m1, m2) : tuple of float

    Examples
    --------
    >>> from bpcore.meanfield import predicted_jacobian_moments
    >>> predicted_jacobian_moments("identity", 1.0, 0.0, 3)  # m₂ = FC_3(2) = 4
    (1.0, 4.0)
    >>> predicted_jacobian_moments("identity", 1.0, 0.0, 3, init="orthogonal")  # isometry
    (1.0, 1.0)
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    L = check_int(depth, "depth", minimum=1)
    init = _check_init(init)
    n = _order(order)
    qq = _input_q(act, sw, sb) if q is None else check_real(q, "q", low=0.0)
    s = 1.0 if init == "gaussian" else 0.0
    if _at_fixed_point(act, sw, sb, qq):
        mu1 = float(_deriv_moment(act, np.asarray(qq), 1, n, "auto"))
        mu2 = float(_deriv_moment(act, np.asarray(qq), 2, n, "auto"))
        m1 = (sw * sw * mu1) ** L
        m2 = m1 * m1 * (1.0 + L * (mu2 / (mu1 * mu1) - 1.0 + s))
        return m1, m2
    qs = _q_orbit(act, sw, sb, qq, L, n)
    mu1 = _chi_along(act, sw, qs, 1, n)
    mu2 = _chi_along(act, sw, qs, 2, n)
    m1 = float(np.prod(sw * sw * mu1))
    m2 = m1 * m1 * (1.0 + float(np.sum(mu2 / (mu1 * mu1) - 1.0 + s)))
    return m1, m2


@dataclass(frozen=True, eq=False)
class JacobianSpectrum:
    """Squared singular values of the input–output Jacobian of random networks.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    sq_singular_values : (n_nets · width,) array
        The eigenvalues of JJᵀ, J = ∂a^(n_l)/∂a^(1) = D_{n_l} W^(n_l − 1) ⋯ D_2 W^(1), pooled
        over the networks, sorted ascending.
    moments : (4,) array
        (1/N) tr (JJᵀ)^k for k = 1 … 4, averaged over the networks.
    moments_stderr : (4,) array
        Their standard errors over the networks (NaN for one network).
    predicted : (2,) array
        The free-probability (m₁, m₂) of :func:`predicted_jacobian_moments`.
    fuss_catalan : (4,) array or None
        FC_L(k), k = 1 … 4, scaled by σ_w^{2Lk}, for the linear Gaussian case (None otherwise).
    activation, init : str
    sigma_w, sigma_b, q_in : float
    width, depth, n_nets : int

    Examples
    --------
    >>> from bpcore.meanfield import jacobian_spectrum
    >>> jacobian_spectrum("identity", 1.0, 0.0, 32, 2, n_nets=2).fuss_catalan.tolist()  # FC_2(k)
    [1.0, 3.0, 12.0, 55.0]
    """

    sq_singular_values: np.ndarray
    moments: np.ndarray
    moments_stderr: np.ndarray
    predicted: np.ndarray
    fuss_catalan: np.ndarray | None
    activation: str
    init: str
    sigma_w: float
    sigma_b: float
    q_in: float
    width: int
    depth: int
    n_nets: int

    @property
    def relative_error(self) -> np.ndarray:
        """moments[:2]/predicted − 1."""
        return self.moments[:2] / self.predicted - 1.0

    def __repr__(self) -> str:
        return (
            f"JacobianSpectrum({self.activation}, {self.init}, sigma_w={self.sigma_w:.6g}, "
            f"sigma_b={self.sigma_b:.6g}, width={self.width}, depth={self.depth}, "
            f"n_nets={self.n_nets}: moments={short_array(self.moments)}, "
            f"predicted m1, m2={short_array(self.predicted)})"
        )


def jacobian_spectrum(
    activation: str | Activation,
    sigma_w: float,
    sigma_b: float,
    width: int,
    depth: int,
    *,
    init: str = "gaussian",
    n_nets: int = 1,
    seed: int = 0,
) -> JacobianSpectrum:
    """The spectrum of JJᵀ for random networks built with ``MLP.random``, and its predictions.

    Introduced in chapter 6 (Approximations that work).

    For each network ``MLP.random([width] * (depth + 1), activation, σ_w, σ_b, init=init,
    seed=seed + i)`` and one input with z^(2) at variance q* (q* > 0; else 1, and the prediction
    follows the length map's orbit, as in :func:`gradient_norms`),
    the rows of J = ∂a^(n_l)/∂a^(1) are the δ^(1) of the ``width`` unit read-outs
    δ^(n_l) = e_i ⊙ f'(z^(n_l)), computed by :func:`bpcore.backprop.delta_recursion` as one
    batch; the eigenvalues of JJᵀ follow from its singular values. Cost O(depth · width³).

    Parameters
    ----------
    activation, sigma_w, sigma_b : see :func:`length_map`
    width : int >= 2
    depth : int >= 1
    init : {"gaussian", "orthogonal"}
    n_nets : int >= 1
    seed : int >= 0

    Returns
    -------
    JacobianSpectrum

    Examples
    --------
    >>> from bpcore.meanfield import jacobian_spectrum
    >>> jacobian_spectrum("identity", 1.0, 0.0, 64, 2, n_nets=4).moments[:2].round(2).tolist()
    [1.01, 3.15]

    (The prediction is FC_2(1), FC_2(2) = 1, 3; the excess is finite width.)
    """
    act = _activation(activation)
    sw, sb = _sigmas(sigma_w, sigma_b)
    width = check_int(width, "width", minimum=2)
    depth = check_int(depth, "depth", minimum=1)
    init = _check_init(init)
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    q_in = _input_q(act, sw, sb)
    evs = []
    mom = np.empty((n_nets, 4))
    for i in range(n_nets):
        net = MLP.random(
            [width] * (depth + 1), act, weight_scale=sw, bias_scale=sb, init=init, seed=seed + i
        )
        rng = np.random.default_rng([seed, i, 2])
        x = _inputs_at(act, sw, sb, q_in, width, 1, rng)
        fp = net.forward(x)
        fprimes = [act.deriv(z[0]) for z in fp.z]
        delta_out = np.diag(fprimes[-1])  # row i: e_i ⊙ f'(z^(n_l))
        J = delta_recursion(net.weights, delta_out, [None, *fprimes[:-1]])[0]
        ev = np.linalg.svd(J, compute_uv=False) ** 2
        evs.append(ev)
        mom[i] = [np.mean(ev**k) for k in range(1, 5)]
    moments = mom.mean(axis=0)
    se = mom.std(axis=0, ddof=1) / math.sqrt(n_nets) if n_nets > 1 else np.full(4, np.nan)
    pred = np.array(predicted_jacobian_moments(act, sw, sb, depth, init=init, q=q_in))
    fc = None
    if act.name == "identity" and init == "gaussian":
        fc = np.array([fuss_catalan(depth, k) * sw ** (2 * depth * k) for k in range(1, 5)])
    return JacobianSpectrum(
        sq_singular_values=np.sort(np.concatenate(evs)),
        moments=moments,
        moments_stderr=se,
        predicted=pred,
        fuss_catalan=fc,
        activation=act.label,
        init=init,
        sigma_w=sw,
        sigma_b=sb,
        q_in=q_in,
        width=width,
        depth=depth,
        n_nets=n_nets,
    )

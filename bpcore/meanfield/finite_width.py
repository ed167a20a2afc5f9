"""The exact finite-width law of log‖J u‖² for He-initialised ReLU networks (cf. Hanin 2018).

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from bpcore._validate import check_int
from bpcore.network import MLP

__all__ = ["LogNormVariance", "hanin_V", "log_norm_variance"]

# ---------------------------------------------------------------------------------------------
# Hanin's finite-width law


def _hanin_V(n: int) -> float:
    k = np.arange(1, n + 1)
    logp = (
        special.gammaln(n + 1)
        - special.gammaln(k + 1)
        - special.gammaln(n - k + 1)
        - n * math.log(2)
    )
    p = np.exp(logp)
    p /= p.sum()  # condition on K >= 1
    psi = special.digamma(k / 2.0)
    mean = float(p @ psi)
    return float(p @ special.polygamma(1, k / 2.0) + p @ (psi - mean) ** 2)


def hanin_V(n: int | Sequence[int] | np.ndarray) -> float | np.ndarray:
    """V(n) = Var[log((2/n) χ²_K)], K ~ Binomial(n, ½) conditioned on K ≥ 1: one ReLU layer.

    Introduced in chapter 6 (Approximations that work).

    The exact per-layer law is the course's own derivation (chapter 6); Hanin (2018, NeurIPS,
    "Which neural net architectures give rise to exploding and vanishing gradients?") shows
    that the fluctuations are controlled by β = Σ 1/n_l (bounds of the form exp(Cβ) on the
    moments of the Jacobian entries), and Hanin & Nica (2020, Comm. Math. Phys. 376, "Products
    of many large random matrices and gradients in deep neural networks") give the log-normal
    limit. Derivation: a He-initialised ReLU layer without biases, W_ij ~ N(0, 2/n_in),
    maps a tangent vector v to D W v, D = diag 1{W a > 0}. Write v = α â + w with w ⊥ a.
    Given the signs of g_i = (W â)_i, the |g_i| are independent half-normals and h_i = (W w)_i
    independent symmetric Gaussians, and (α|g_i| + h_i)² has the law of (α g_i + h_i)², a
    squared N(0, 2‖v‖²/n_in) (flip the sign of h). Hence ‖D W v‖² = (2/n_in) ‖v‖² χ²_K with
    K ~ Binomial(n_out, ½) active units, independent of everything before — the layers are
    independent and log‖J u‖² is a sum of independent terms, Var log‖J u‖² = Σ_l V(n_l)
    exactly. With E log χ²_k = ψ(k/2) + log 2 and Var log χ²_k = ψ'(k/2) (ψ the digamma
    function), the law of total variance gives

        V(n) = E[ψ'(K/2)] + Var[ψ(K/2)]  (the offset log(2/n) drops out),

    and V(n) = 5/n + O(1/n²) (ψ'(x) ≈ 1/x gives 4/n, Var ψ(K/2) ≈ 1/n). K = 0 (probability
    2^{−n}) kills the layer: J u = 0 and log‖J u‖² = −∞, so the unconditioned variance is
    infinite; V(n) is the variance given K ≥ 1, and :func:`log_norm_variance` discards (and
    counts) samples with a dead layer, which is the same conditioning.

    Parameters
    ----------
    n : int >= 1 or a sequence of them
        The number of units of the layer (the output width of the layer).

    Returns
    -------
    float or array

    Examples
    --------
    >>> from bpcore.meanfield import hanin_V
    >>> round(hanin_V(100), 4), 5 / 100  # V(n) = 5/n + O(1/n²)
    (0.0519, 0.05)
    >>> hanin_V([10, 20]).round(4).tolist()
    [0.8667, 0.3118]
    """
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        return _hanin_V(check_int(n, "n", minimum=1))
    if isinstance(n, str | bytes) or not isinstance(n, Sequence | np.ndarray):
        raise TypeError(f"n must be an integer or a sequence of integers, got {type(n).__name__}")
    return np.array([_hanin_V(check_int(v, f"n[{i}]", minimum=1)) for i, v in enumerate(n)])


@dataclass(frozen=True, eq=False)
class LogNormVariance:
    """Simulated Var log‖J u‖² of He ReLU networks vs the exact per-layer law and its limit.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    widths : tuple of int
        [s_1, …, s_{n_l}] (input first).
    variance : float
        Sample variance of log‖J u‖² over the live samples.
    stderr : float
        Its standard error, by the jackknife over networks (leave one network out), since the
        inputs of one network share its weights.
    exact : float
        Σ_{l=2}^{n_l} V(s_l) (:func:`hanin_V`).
    asymptotic : float
        5 Σ_{l=2}^{n_l} 1/s_l.
    mean_log : float
        Sample mean of log‖J u‖² over the live samples. (Unconditionally
        E‖J u‖² = Π_l s_l/s_{l−1} = s_{n_l}/s_1 — 1 only for equal first and last widths;
        conditioned on "alive" it differs again.)
    n_samples : int
        Live samples used.
    n_dead : int
        Samples discarded because some layer had no active unit (J u = 0).
    log_sq_norms : (n_samples,) array
        The live samples log‖J u‖² themselves (for medians, histograms, …).
    network : (n_samples,) int array
        Which network (0 … n_nets − 1) each sample came from.
    sq_norm_mean : float
        Mean of ‖J u‖² over all samples, dead ones included as 0 (unbiased for s_{n_l}/s_1).
    sq_norm_stderr : float
        Its standard error over networks (each network's mean over its inputs is one sample:
        the inputs of one network share its weights; NaN for one network).
    expected_sq_norm : float
        s_{n_l}/s_1, the exact E‖J u‖² (unconditional).

    Examples
    --------
    >>> from bpcore.meanfield import log_norm_variance
    >>> round(log_norm_variance([16, 16, 16], n_nets=20, n_inputs=4).asymptotic, 4)  # 5·(2/16)
    0.625
    """

    widths: tuple[int, ...]
    variance: float
    stderr: float
    exact: float
    asymptotic: float
    mean_log: float
    n_samples: int
    n_dead: int
    log_sq_norms: np.ndarray
    network: np.ndarray
    sq_norm_mean: float
    sq_norm_stderr: float
    expected_sq_norm: float

    @property
    def median_sq_norm(self) -> float:
        """Median of ‖J u‖² over all samples (dead ones as 0)."""
        full = np.concatenate([np.exp(self.log_sq_norms), np.zeros(self.n_dead)])
        return float(np.median(full))

    def __repr__(self) -> str:
        return (
            f"LogNormVariance(widths={list(self.widths)}, variance={self.variance:.6g} ± "
            f"{self.stderr:.2g}, exact={self.exact:.6g}, asymptotic={self.asymptotic:.6g}, "
            f"n_samples={self.n_samples}, n_dead={self.n_dead})"
        )


def log_norm_variance(
    widths: Sequence[int],
    *,
    n_nets: int = 200,
    n_inputs: int = 8,
    seed: int = 0,
) -> LogNormVariance:
    """Var log‖J u‖² for He-initialised ReLU networks (σ_w = √2, σ_b = 0) by simulation.

    Introduced in chapter 6 (Approximations that work).

    Each network is ``MLP.random(widths, "relu", weight_scale=√2, bias_scale=0, seed=seed + i)``
    (relu also at the output, so J = ∂a^(n_l)/∂a^(1) = D_{n_l} W^(n_l − 1) ⋯ D_2 W^(1));
    each of its ``n_inputs`` (x, u) pairs has a Gaussian input x and an independent unit
    direction u, and J u is pushed forward layer by layer (v ← f'(z) ⊙ W v, a Jacobian–vector
    product). The result is compared with the exact Σ_l V(s_l) (:func:`hanin_V`, the course's
    derivation) and with the large-width limit 5 Σ_l 1/s_l (cf. Hanin 2018 for the role of
    β = Σ 1/s_l, Hanin & Nica 2020 for the log-normal limit). The samples themselves are
    returned (``log_sq_norms``, ``network``), with the mean of ‖J u‖² and its standard error
    over networks.

    Parameters
    ----------
    widths : sequence of ints >= 1, length >= 2
        [s_1, …, s_{n_l}].
    n_nets, n_inputs : int >= 1
    seed : int >= 0

    Returns
    -------
    LogNormVariance

    Examples
    --------
    >>> from bpcore.meanfield import log_norm_variance
    >>> r = log_norm_variance([32, 32, 32, 32], n_nets=50, n_inputs=4, seed=0)
    >>> round(r.exact, 4), bool(abs(r.variance - r.exact) < 2 * r.stderr)
    (0.5325, True)
    """
    if isinstance(widths, str | bytes) or not isinstance(widths, Sequence | np.ndarray):
        raise TypeError(f"widths must be a sequence of layer widths, got {type(widths).__name__}")
    if len(widths) < 2:
        raise ValueError(f"widths must list at least 2 layer widths, got {list(widths)}")
    s = tuple(check_int(v, f"widths[{i}]", minimum=1) for i, v in enumerate(widths))
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    logs = []
    per_net_sq = np.empty(n_nets)
    dead = 0
    for i in range(n_nets):
        net = MLP.random(list(s), "relu", weight_scale=math.sqrt(2.0), seed=seed + i)
        rng = np.random.default_rng([seed, i, 3])
        X = rng.standard_normal((n_inputs, s[0]))
        U = rng.standard_normal((n_inputs, s[0]))
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        fp = net.forward(X)
        V = U
        for W, z in zip(net.weights, fp.z, strict=True):
            V = (V @ W.T) * (z > 0)
        nrm = np.sum(V * V, axis=1)
        alive = nrm > 0
        per_net_sq[i] = float(nrm.mean())
        dead += int(np.count_nonzero(~alive))
        logs.append(np.log(nrm[alive]))
    x = np.concatenate(logs)
    N = x.size
    if N < 3 or sum(len(v) > 0 for v in logs) < 2:
        raise ValueError(
            f"only {N} of {n_nets * n_inputs} samples (from fewer than 2 networks) have no dead "
            "layer; raise n_nets or the widths"
        )
    var = float(np.var(x, ddof=1))
    # jackknife over networks (the inputs of one network share its weights)
    n_i = np.array([len(v) for v in logs], dtype=float)
    s1 = np.array([v.sum() for v in logs])
    s2 = np.array([(v * v).sum() for v in logs])
    keep = N - n_i
    ok = keep >= 2
    loo = ((s2.sum() - s2[ok]) - (s1.sum() - s1[ok]) ** 2 / keep[ok]) / (keep[ok] - 1)
    g = loo.size
    se = math.sqrt((g - 1) / g * float(np.sum((loo - loo.mean()) ** 2)))
    return LogNormVariance(
        widths=s,
        variance=var,
        stderr=se,
        exact=float(np.sum(hanin_V(list(s[1:])))),
        asymptotic=5.0 * sum(1.0 / n for n in s[1:]),
        mean_log=float(x.mean()),
        n_samples=N,
        n_dead=dead,
        log_sq_norms=_ro(x),
        network=_ro(np.concatenate([np.full(len(v), i) for i, v in enumerate(logs)])),
        sq_norm_mean=float(per_net_sq.mean()),
        sq_norm_stderr=(
            float(per_net_sq.std(ddof=1) / math.sqrt(n_nets)) if n_nets > 1 else math.nan
        ),
        expected_sq_norm=s[-1] / s[0],
    )


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a

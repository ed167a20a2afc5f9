"""Lyapunov exponents of products of random Gaussian matrices: simulated and exact (Newman 1986).

Introduced in chapter 3 (Linear networks).

Untied linear backprop through random layers is a product A_T ⋯ A_1 of i.i.d. matrices; its
growth rate per layer is the top Lyapunov exponent λ₁, and the whole spectrum γ_1 ≥ … ≥ γ_n
describes how volumes grow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma

from bpcore._validate import check_int, check_real

__all__ = [
    "LyapunovEstimate",
    "lyapunov_exponent_gaussian",
    "lyapunov_exponent_gaussian_exact",
    "lyapunov_spectrum_gaussian",
    "lyapunov_spectrum_gaussian_exact",
]


@dataclass(frozen=True, eq=False)
class LyapunovEstimate:
    """Simulated top Lyapunov exponent of a product of random Gaussian matrices.

    Introduced in chapter 3 (Linear networks).

    Attributes
    ----------
    estimate : float
        Mean over runs of (1/n_steps) Σ log(‖A_t v_{t−1}‖ / ‖v_{t−1}‖).
    stderr : float
        Standard error of ``estimate`` (sample std of the per-run values / √n_runs).
    per_run : (n_runs,) array
        The per-run growth rates.
    n, sigma, n_steps, n_runs : the simulation parameters.

    Examples
    --------
    >>> from bpcore.linear import lyapunov_exponent_gaussian
    >>> lyapunov_exponent_gaussian(4, 1.0, n_steps=200, seed=0, n_runs=8)  # doctest: +NUMBER
    LyapunovEstimate(estimate=-0.142 ± 0.013, n=4, sigma=1, n_steps=200, n_runs=8)
    """

    estimate: float
    stderr: float
    per_run: np.ndarray
    n: int
    sigma: float
    n_steps: int
    n_runs: int

    def __repr__(self) -> str:
        return (
            f"LyapunovEstimate(estimate={self.estimate:.6g} ± {self.stderr:.2g}, n={self.n}, "
            f"sigma={self.sigma:g}, n_steps={self.n_steps}, n_runs={self.n_runs})"
        )


def lyapunov_exponent_gaussian(
    n: int,
    sigma: float,
    n_steps: int = 1000,
    seed: int = 0,
    n_runs: int = 64,
) -> LyapunovEstimate:
    """Simulated top Lyapunov exponent of A_T ⋯ A_1, A_t i.i.d. with entries N(0, σ²/n).

    Introduced in chapter 3 (Linear networks).

    Each run starts from a random unit vector v_0, sets w = A_t v_{t−1}, accumulates log‖w‖ and
    renormalises v_t = w/‖w‖; the exponent is the accumulated log-growth / n_steps. All runs
    advance together (batched matrix–vector products). Compare with
    ``lyapunov_exponent_gaussian_exact``.

    Parameters
    ----------
    n : int ≥ 1          matrix size.
    sigma : float > 0     entries have standard deviation sigma/√n.
    n_steps : int ≥ 1     factors per run.
    seed : int ≥ 0        seed for numpy.random.default_rng.
    n_runs : int ≥ 2      independent runs (for the standard error).

    Examples
    --------
    >>> from bpcore.linear import lyapunov_exponent_gaussian, lyapunov_exponent_gaussian_exact
    >>> round(lyapunov_exponent_gaussian(4, 1.0, n_steps=200, seed=0, n_runs=8).estimate, 3)
    -0.142
    >>> round(lyapunov_exponent_gaussian_exact(4, 1.0), 3)
    -0.135
    """
    n = check_int(n, "n", minimum=1)
    sigma = check_real(sigma, "sigma", low=0, low_open=True)
    n_steps = check_int(n_steps, "n_steps", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    n_runs = check_int(n_runs, "n_runs", minimum=2)
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n_runs, n))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    log_growth = np.zeros(n_runs)
    scale = sigma / math.sqrt(n)
    for _ in range(n_steps):
        A = rng.standard_normal((n_runs, n, n)) * scale
        w = np.einsum("rij,rj->ri", A, v)
        norms = np.linalg.norm(w, axis=1)
        log_growth += np.log(norms)
        v = w / norms[:, None]
    per_run = log_growth / n_steps
    return LyapunovEstimate(
        estimate=float(per_run.mean()),
        stderr=float(per_run.std(ddof=1) / math.sqrt(n_runs)),
        per_run=per_run,
        n=n,
        sigma=sigma,
        n_steps=n_steps,
        n_runs=n_runs,
    )


def lyapunov_exponent_gaussian_exact(n: int, sigma: float) -> float:
    """λ₁ = log σ + ½[log(2/n) + ψ(n/2)] for i.i.d. N(0, σ²/n) entries (Newman 1986).

    Introduced in chapter 3 (Linear networks).

    Derivation: for any fixed unit v, Av has i.i.d. N(0, σ²/n) entries, so
    ‖Av‖² ~ (σ²/n) χ²_n independently of v (rotation invariance), and successive growth
    factors are i.i.d.; E log χ²_n = log 2 + ψ(n/2) (χ²_n = 2·Gamma(n/2)), hence
    λ₁ = ½ E log(σ² χ²_n / n) = log σ + ½(log(2/n) + ψ(n/2)). (C. M. Newman, "The distribution
    of Lyapunov exponents: exact results for random matrices", Comm. Math. Phys. 103, 1986.)

    Examples
    --------
    >>> from bpcore.linear import lyapunov_exponent_gaussian_exact
    >>> round(lyapunov_exponent_gaussian_exact(4, 1.0), 4)  # log σ + ½[log(2/4) + ψ(2)]
    -0.1352
    """
    n = check_int(n, "n", minimum=1)
    sigma = check_real(sigma, "sigma", low=0, low_open=True)
    return float(math.log(sigma) + 0.5 * (math.log(2.0 / n) + digamma(n / 2.0)))


def lyapunov_spectrum_gaussian(
    n: int,
    sigma: float,
    n_steps: int = 1000,
    seed: int = 0,
) -> np.ndarray:
    """All n simulated Lyapunov exponents of A_T ⋯ A_1, A_t i.i.d. with entries N(0, σ²/n).

    Introduced in chapter 3 (Linear networks).

    The standard QR method: start from Q_0 = I, factor A_t Q_{t−1} = Q_t R_t (Q_t orthogonal,
    R_t upper triangular with positive diagonal) and average log R_t[i, i] over the steps. The
    i-th average estimates the Lyapunov exponent γ_i (chapter 3's letter), in decreasing order
    up to sampling noise. Compare with :func:`lyapunov_spectrum_gaussian_exact`.

    Parameters
    ----------
    n : int ≥ 1          matrix size.
    sigma : float > 0     entries have standard deviation sigma/√n.
    n_steps : int ≥ 1     number of factors.
    seed : int ≥ 0        seed for numpy.random.default_rng.

    Returns
    -------
    (n,) float array: the estimated exponents γ_1, …, γ_n.

    Examples
    --------
    >>> from bpcore.linear import lyapunov_spectrum_gaussian
    >>> lyapunov_spectrum_gaussian(3, 1.0, n_steps=500, seed=0).round(2)
    array([-0.15, -0.55, -1.24])
    """
    n = check_int(n, "n", minimum=1)
    sigma = check_real(sigma, "sigma", low=0, low_open=True)
    n_steps = check_int(n_steps, "n_steps", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    Q = np.eye(n)
    total = np.zeros(n)
    scale = sigma / math.sqrt(n)
    for _ in range(n_steps):
        Q, R = np.linalg.qr((rng.standard_normal((n, n)) * scale) @ Q)
        diag = np.diag(R)
        Q = Q * np.sign(diag)  # make the diagonal of R positive
        total += np.log(np.abs(diag))
    return total / n_steps


def lyapunov_spectrum_gaussian_exact(n: int, sigma: float) -> np.ndarray:
    """γ_i = log σ + ½[log(2/n) + ψ((n − i + 1)/2)], i = 1, …, n (Newman 1986).

    Introduced in chapter 3 (Linear networks).

    Derivation (the same as for λ₁): the sum λ_1 + … + λ_i is the growth rate of the volume of
    an i-dimensional parallelepiped, ½ E log det(G) of the Gram matrix of i Gaussian vectors,
    which by rotation invariance splits into independent factors ‖A v‖² ~ (σ²/n) χ²_{n−j+1},
    j = 1, …, i (Bartlett decomposition); subtracting consecutive sums leaves
    λ_i = ½ E log(σ² χ²_{n−i+1}/n). λ_1 is :func:`lyapunov_exponent_gaussian_exact`.

    Examples
    --------
    >>> from bpcore.linear import lyapunov_spectrum_gaussian_exact
    >>> lyapunov_spectrum_gaussian_exact(3, 1.0).round(4)
    array([-0.1845, -0.4913, -1.1845])
    """
    n = check_int(n, "n", minimum=1)
    sigma = check_real(sigma, "sigma", low=0, low_open=True)
    i = np.arange(1, n + 1)
    return math.log(sigma) + 0.5 * (math.log(2.0 / n) + digamma((n - i + 1) / 2.0))

"""Linear networks: the closed form of the tied recurrence and of training over time.

With the identity activation every f'(z^(l)) = 1, so the backprop recurrence
δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) becomes a plain product of transposes,

    δ^(n) = (W^(n))ᵀ (W^(n+1))ᵀ ⋯ (W^(m−1))ᵀ δ^(m),

and with one tied square matrix W, δ after k backward steps is (Wᵀ)ᵏ δ_out. (A Q&A reply wrote
δ^(n) = (W^(m−n))ᵀ with W = RᵀDR: that drops the factor δ^(m) and needs W symmetric;
``reply_formula``/``rtdr_formula``/``rtdr_from_symmetric`` reproduce it so the chapter can show
where it holds.) The power (Wᵀ)ᵏ is computed from a decomposition (``tied_delta``) or exactly in
the symbol k (``symbolic_tied_delta``); ``spectral_radius``, ``delta_norms``,
``gelfand_sequence`` and the Lyapunov exponent of random products tell the growth story;
``time_tied_delta`` measures what the closed form costs against the recursion.

The second half is the closed form of gradient-descent *training* of a linear network over time
(Saxe, McClelland & Ganguli 2014, "Exact solutions to the nonlinear dynamics of learning in deep
linear neural networks"): with whitened inputs each singular mode of the input–output
correlation Σ³¹ = U S Vᵀ is learned along the sigmoid u(t) = s e^{2st/τ}/(e^{2st/τ} − 1 + s/u₀).

Row convention (as in ``bpcore.backprop``): vectors are rows, so (Wᵀ)ᵏ δ is ``delta @ W**k``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp
from scipy.linalg import schur
from scipy.special import digamma

from bpcore._repr import short_array
from bpcore._timing import min_call_time
from bpcore._validate import (
    check_exact_number,
    check_int,
    check_real,
    check_real_array,
    check_square_matrix,
)
from bpcore.backprop import delta_recursion, delta_step

__all__ = [
    "ACCURACY_TARGET",
    "EIG_BOUND_LIMIT",
    "LinearTrainingRun",
    "LyapunovEstimate",
    "TiedDelta",
    "delta_norms",
    "gelfand_sequence",
    "lyapunov_exponent_gaussian",
    "lyapunov_exponent_gaussian_exact",
    "lyapunov_spectrum_gaussian",
    "lyapunov_spectrum_gaussian_exact",
    "reply_formula",
    "rtdr_formula",
    "rtdr_from_symmetric",
    "saxe_deep_mode_ode",
    "saxe_learning_time",
    "saxe_mode_trajectory",
    "spectral_radius",
    "symbolic_tied_delta",
    "tied_delta",
    "time_tied_delta",
    "train_linear_network",
    "untied_delta",
]

#: Unit round-off of float64 (2⁻⁵³).
_U = 2.0**-53

#: ``tied_delta`` aims at a normwise relative error ‖δ̂ − δ‖ ≤ ACCURACY_TARGET · ‖Wᵏ‖₂ ‖δ_out‖
#: and never returns a result it cannot vouch for at that level.
ACCURACY_TARGET = 1e-9

#: The eigendecomposition W = P Λ P⁻¹ is trusted only while the a-priori relative error bound
#: κ(P) · (‖W‖₂/ρ(W)) · max(k, 1) · 2⁻⁵³ is ≤ this (ACCURACY_TARGET/10; on ~2000 random
#: ill-conditioned test matrices the bound was always ≥ 1.8× the measured error). For k ≤ 1 and
#: a normal-ish W that means cond(P) ≲ 9·10⁵, for k = 10⁴ cond(P) ≲ 90; a defective W
#: (cond(P) = ∞ or ~10¹⁶) is never accepted.
EIG_BOUND_LIMIT = ACCURACY_TARGET / 10

#: Step of the random perturbation used to estimate the error of the Schur route.
_PERTURBATION = 2.0**-40
#: Number of random perturbations probed, and the safety factor on the largest change.
_PROBES = 2
_SAFETY = 10.0

#: Exact (integer) arithmetic is used only for W whose entries are dyadic rationals with
#: denominator ≤ this (integers, halves, quarters, …) …
_EXACT_MAX_DENOMINATOR = 1024
#: … of size n ≤ this …
_EXACT_MAX_N = 8
#: … and when the exact powers need at most this many bits per entry (k · log₂ of the entry
#: growth); larger ones overflow float64 anyway or would be slow.
_EXACT_MAX_BITS = 2**17

#: ``rtdr_from_symmetric`` accepts max|W − Wᵀ| ≤ this · max|W|.
_SYMMETRY_RTOL = 1e-12

# ---------------------------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TiedDelta:
    """δ after k backward steps through a tied square W, and how it was computed.

    Introduced in chapter 3 (Linear networks).

    Attributes
    ----------
    delta : (n,) or (m, n) array
        (Wᵀ)ᵏ δ_out (rows: ``delta_out @ W**k``). Read-only.
    method : str
        ``"symmetric-eigh"`` (W == Wᵀ exactly: W = Q Λ Qᵀ, Q orthogonal);
        ``"eigendecomposition"`` (W = P Λ P⁻¹, eigenvalues possibly complex, real part returned
        after checking the imaginary residue is round-off);
        ``"jordan"`` (W defective or ill-conditioned, with small dyadic-rational entries and
        rational eigenvalues: exact sympy Jordan form W = P J P⁻¹, J^k from the binomial terms
        C(k, j) λ^{k−j}, rounded once to float);
        ``"squaring"`` (W with small dyadic-rational entries whose eigenvalues are not all
        rational: W^k by binary powering, O(log k) products, in exact integer arithmetic,
        rounded once to float);
        ``"schur"`` (everything else: real Schur form W = Z T Zᵀ (scipy.linalg.schur), T^k
        by binary powering of the quasi-triangular factor with power-of-two rescaling, so only a
        genuinely overflowing result overflows; returned only if 10× an a-posteriori error
        estimate — the change of the result under small perturbations of W, rescaled to the
        round-off level — is ≤ ``ACCURACY_TARGET``, otherwise FloatingPointError).
    condition : float
        2-norm condition number of the eigenvector matrix P that numpy computed (1.0 for the
        symmetric case, ``inf`` if P is singular). It is what decided the method.
    k : int
        Number of backward steps.
    """

    delta: np.ndarray
    method: str
    condition: float
    k: int

    def __repr__(self) -> str:
        return (
            f"TiedDelta(method={self.method!r}, k={self.k}, condition={self.condition:.3g}, "
            f"delta={short_array(self.delta)})"
        )


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


@dataclass(frozen=True, eq=False)
class LinearTrainingRun:
    """Record of full-batch gradient descent on a linear network (``train_linear_network``).

    Introduced in chapter 3 (Linear networks).

    Attributes
    ----------
    times : (n_records,) array
        step · lr, i.e. time t in units where τ = 1/lr = 1 (compare with τ = 1 closed forms).
    modes : (n_records, rank) array
        Mode strengths u_i(t) = u_iᵀ (W^(L) ⋯ W^(1)) v_i for the SVD Σ³¹ = U S Vᵀ.
    singular_values : (rank,) array
        s_i, the targets of the modes (in decreasing order).
    weights : tuple of arrays
        The final [W^(1), …, W^(L)].
    depth : int
        Number of weight matrices L (Saxe's N_l = L + 1 layers of units).
    init : str
        ``"decoupled"`` or ``"random"``.
    """

    times: np.ndarray
    modes: np.ndarray
    singular_values: np.ndarray
    weights: tuple[np.ndarray, ...]
    depth: int
    init: str

    def __repr__(self) -> str:
        return (
            f"LinearTrainingRun(depth={self.depth}, init={self.init!r}, "
            f"records={self.times.size}, t_final={self.times[-1]:.4g}, "
            f"singular_values={short_array(self.singular_values)}, "
            f"final_modes={short_array(self.modes[-1])})"
        )


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check_delta_out(delta_out: object, n: int) -> np.ndarray:
    delta = check_real_array(delta_out, "delta_out")
    if delta.ndim not in (1, 2) or delta.shape[-1] != n:
        raise ValueError(
            f"delta_out must be a vector of length {n} or a batch (m, {n}) of rows (W is "
            f"{n}×{n}), got shape {delta.shape}"
        )
    return delta


def _overflow(k: int, what: str = "(Wᵀ)^k δ_out") -> OverflowError:
    return OverflowError(
        f"{what} overflows float64 for k={k}: the entries grow like ρ(W)^k beyond 1.8e308; "
        "use a smaller k, rescale W, or symbolic_tied_delta for the exact closed form"
    )


def _normalise(X: np.ndarray) -> tuple[np.ndarray, int]:
    """Return (X · 2^−e, e) with max|X · 2^−e| in [0.5, 1) (exact scaling); e = 0 for X = 0."""
    peak = float(np.max(np.abs(X)))
    if peak == 0.0:
        return X, 0
    e = math.frexp(peak)[1]
    if np.iscomplexobj(X):
        return np.ldexp(X.real, -e) + 1j * np.ldexp(X.imag, -e), e
    return np.ldexp(X, -e), e


def _log2_scaled_power(W: np.ndarray, k: int) -> tuple[np.ndarray, int]:
    """W^k = 2^E · M by binary powering with exact power-of-two rescaling; returns (M, E)."""
    result, e_result = np.eye(W.shape[0]), 0
    base, e_base = _normalise(W)
    while k > 0:
        if k & 1:
            result, e = _normalise(result @ base)
            e_result += e + e_base
        k >>= 1
        if k:
            base, e = _normalise(base @ base)
            e_base = 2 * e_base + e
    return result, e_result


def _apply_power_of_two(y: np.ndarray, E: int, k: int) -> np.ndarray:
    """y · 2^E, raising OverflowError (naming k) on genuine overflow."""
    with np.errstate(over="ignore", under="ignore"):
        out = np.ldexp(y, int(np.clip(E, -4000, 4000)))
    if not np.all(np.isfinite(out)):
        raise _overflow(k)
    return out


def _scale_by_power(y: np.ndarray, rho: float, k: int) -> np.ndarray:
    """y · ρ^k without spurious overflow/underflow of the intermediate ρ^k."""
    with np.errstate(over="ignore", under="ignore"):
        scale = float(np.power(np.float64(rho), k)) if rho > 0 else 0.0
    if rho == 0.0:
        return y * (1.0 if k == 0 else 0.0)
    if np.isfinite(scale) and scale >= np.finfo(np.float64).tiny:
        out = y * scale
    else:
        with np.errstate(divide="ignore", over="ignore", under="ignore"):
            out = np.sign(y) * np.exp(np.log(np.abs(y)) + k * math.log(rho))
    if not np.all(np.isfinite(out)):
        raise _overflow(k)
    return out


def _small_dyadic(W: np.ndarray) -> tuple[np.ndarray, int] | None:
    """(N, d) with W = N/d, N a Python-int object matrix, d a power of two ≤ 1024; else None."""
    if W.shape[0] > _EXACT_MAX_N or np.max(np.abs(W)) > 2.0**40:
        return None
    scaled = W * _EXACT_MAX_DENOMINATOR  # exact: multiplication by a power of two
    if not np.array_equal(scaled, np.round(scaled)):
        return None
    N = scaled.astype(np.int64)
    d = _EXACT_MAX_DENOMINATOR
    while d > 1 and not np.any(N % 2):
        N //= 2
        d //= 2
    return N.astype(object), d


def _exact_bits(N: np.ndarray, d: int, k: int) -> float:
    """A bound on the bits per entry of N^k and d^k."""
    growth = max(2, int(np.max(np.sum(np.abs(N.astype(np.int64)), axis=1))))
    return k * (math.log2(growth) + math.log2(d))


def _to_float_matrix(entries: list[list[object]], k: int) -> np.ndarray:
    """Round exact rationals (Fraction or sympy Rational) correctly to float64."""

    def rounded(x: object) -> float:
        if isinstance(x, sp.Rational):  # sympy's float() returns inf instead of raising
            x = Fraction(int(x.p), int(x.q))
        return float(x)  # int / int true division: correctly rounded, OverflowError if too big

    try:
        return np.array([[rounded(x) for x in row] for row in entries], dtype=np.float64)
    except OverflowError as exc:
        raise _overflow(k, "W^k") from exc


def _exact_power_squaring(N: np.ndarray, d: int, k: int) -> np.ndarray:
    """W^k for W = N/d exactly (binary powering in Python integers), rounded once to float."""
    Nk = np.linalg.matrix_power(N, k) if k > 0 else np.eye(N.shape[0], dtype=np.int64)
    denominator = d**k
    return _to_float_matrix([[Fraction(int(x), denominator) for x in row] for row in Nk], k)


def _rational_eigenvalues(M: sp.Matrix) -> bool:
    _, factors = sp.factor_list(M.charpoly())
    return all(sp.Poly(f).degree() <= 1 for f, _ in factors)


def _jordan_power(J: sp.Matrix, k: int | sp.Symbol) -> sp.Matrix:
    """J^k for a Jordan matrix: entry (a, a+j) of a block with eigenvalue λ is C(k, j) λ^{k−j}."""
    n = J.shape[0]
    Jk = sp.zeros(n, n)
    start = 0
    while start < n:
        stop = start + 1
        while stop < n and J[stop - 1, stop] == 1:
            stop += 1
        lam = J[start, start]
        for j in range(stop - start):
            if isinstance(k, int):
                term = sp.binomial(k, j) * lam ** (k - j) if k >= j else sp.Integer(0)
            elif lam == 0:
                term = sp.KroneckerDelta(k, j)
            else:
                term = sp.expand_func(sp.binomial(k, j)) * lam ** (k - j)
            for a in range(start, stop - j):
                Jk[a, a + j] = term
        start = stop
    return Jk


# ---------------------------------------------------------------------------------------------
# The tied recurrence: (Wᵀ)^k δ_out
# ---------------------------------------------------------------------------------------------


def tied_delta(W: np.ndarray, k: int, delta_out: np.ndarray) -> TiedDelta:
    """δ after k backward steps through a tied square W: (Wᵀ)ᵏ δ_out, from a decomposition.

    Introduced in chapter 3 (Linear networks).

    The method is chosen so that no inaccurate number is returned silently (target: normwise
    relative error ≤ ``ACCURACY_TARGET`` = 1e-9 of ‖Wᵏ‖₂‖δ_out‖):

    1. W == Wᵀ exactly → ``"symmetric-eigh"``: W = Q Λ Qᵀ (numpy.linalg.eigh), backward
       stable.
    2. Otherwise numpy.linalg.eig gives W = P Λ P⁻¹ with κ = cond₂(P). It is used
       (``"eigendecomposition"``; complex eigenvalues allowed, real part returned after
       checking the imaginary residue is round-off) only if the a-priori relative error bound
       κ · (‖W‖₂/ρ(W)) · max(k, 1) · 2⁻⁵³ ≤ ``EIG_BOUND_LIMIT`` (1e-10). A defective W
       (κ = ∞ or ~10¹⁶) or a nearly defective one (κ ≈ 2·10⁶ for [[1, 1], [1e-12, 1]]) never
       passes.
    3. Otherwise, if W has small dyadic-rational entries (integers, halves, … denominator
       ≤ 1024; n ≤ 8; at most 2¹⁷ bits per exact entry) the power is computed exactly and
       rounded once: ``"jordan"`` when all eigenvalues are rational (sympy ``jordan_form``,
       Jᵏ from the binomial terms C(k, j) λ^{k−j}), else ``"squaring"`` (exact binary
       powering).
    4. Otherwise → ``"schur"``: real Schur form W = Z T Zᵀ and binary powering of the
       quasi-triangular factor T (a triangular W is used as it is). Its error is estimated a
       posteriori from the change of the result when T is perturbed (two random directions
       and the bottom-left corner, relative size 2⁻⁴⁰, rescaled to round-off 2⁻⁵³, plus the
       rounding of the log₂ k squarings); if 10× the estimate exceeds ``ACCURACY_TARGET``
       the problem is too ill-conditioned for float64 and ``FloatingPointError`` is raised.
       (On ~2000 random ill-conditioned test matrices the estimate was ≥ 0.5× the measured
       error whenever that error exceeded 1e-13.)

    Parameters
    ----------
    W : (n, n) array
        The tied weight matrix.
    k : int
        Number of backward steps, k ≥ 0 (tested up to 10⁴). The cost is O(n³) for routes 1–2
        and O(n³ log k) for the Schur route, against O(k n²) for k steps of the recursion.
    delta_out : (n,) or (m, n) array
        δ at the output, a vector or a batch of rows.

    Returns
    -------
    TiedDelta
        ``delta`` (same shape as ``delta_out``), ``method``, ``condition``, ``k``.

    Raises
    ------
    OverflowError
        If (Wᵀ)ᵏ δ_out (or Wᵏ on the exact routes) does not fit in float64 — rather than
        returning inf or nan. The message names k.
    FloatingPointError
        If W (with entries that are not small dyadic rationals) is so close to defective or
        so far from normal that round-off alone would spoil the result beyond
        ``ACCURACY_TARGET``; the message names W and k. Use exact entries instead.
    """
    W = check_square_matrix(W, "W")
    k = check_int(k, "k", minimum=0)
    delta = _check_delta_out(delta_out, W.shape[0])

    def done(out: np.ndarray, method: str, condition: float) -> TiedDelta:
        out = np.array(out, dtype=np.float64)
        out.setflags(write=False)
        return TiedDelta(delta=out, method=method, condition=float(condition), k=k)

    if np.array_equal(W, W.T):
        lam, Q = np.linalg.eigh(W)
        rho = float(np.max(np.abs(lam)))
        if rho == 0.0:  # W = 0
            return done(delta * (1.0 if k == 0 else 0.0), "symmetric-eigh", 1.0)
        y = ((delta @ Q) * (lam / rho) ** k) @ Q.T
        return done(_scale_by_power(y, rho, k), "symmetric-eigh", 1.0)

    lam, P = np.linalg.eig(W)
    rho = float(np.max(np.abs(lam)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        kappa = float(np.linalg.cond(P))
    if not np.isfinite(kappa):
        kappa = math.inf
    if rho > 0.0 and np.isfinite(kappa):
        bound = kappa * (np.linalg.norm(W, 2) / rho) * max(k, 1) * _U
        if bound <= EIG_BOUND_LIMIT:
            coeff = (delta @ P) * (lam / rho) ** k
            y = np.linalg.solve(P.T, coeff.T).T  # coeff @ P⁻¹
            scale = np.max(np.abs(delta), axis=-1, keepdims=True) * kappa
            if np.all(np.abs(y.imag) <= ACCURACY_TARGET * np.maximum(scale, 1e-300)):
                return done(_scale_by_power(y.real, rho, k), "eigendecomposition", kappa)

    exact = _small_dyadic(W)
    if exact is not None and _exact_bits(*exact, k) <= _EXACT_MAX_BITS:
        N, d = exact
        Wsym = sp.Matrix(N.tolist()) / d
        if _rational_eigenvalues(Wsym):
            Pj, J = Wsym.jordan_form()
            Mk = Pj * _jordan_power(J, k) * Pj.inv()
            Mk_float = _to_float_matrix(Mk.tolist(), k)
            method = "jordan"
        else:
            Mk_float = _exact_power_squaring(N, d, k)
            method = "squaring"
        with np.errstate(over="ignore", invalid="ignore"):
            out = delta @ Mk_float
        if not np.all(np.isfinite(out)):
            raise _overflow(k)
        return done(out, method, kappa)

    out, estimate = _schur_route(W, k, delta)
    if not estimate * _SAFETY <= ACCURACY_TARGET:
        raise FloatingPointError(
            f"(Wᵀ)^k δ_out cannot be computed to relative accuracy {ACCURACY_TARGET:g} in "
            f"float64 for this W and k={k}: W is (nearly) defective or far from normal "
            f"(eigenvector condition {kappa:.3g}), so round-off in W alone changes the "
            f"result by an estimated {estimate * _SAFETY:.2g} (relative). Pass W with "
            "exact small-denominator entries (integers, halves, …) or use "
            "symbolic_tied_delta with Fractions"
        )
    return done(out, "schur", kappa)


def _schur_route(W: np.ndarray, k: int, delta: np.ndarray) -> tuple[np.ndarray, float]:
    """delta @ W^k via the real Schur form, and an estimate of its normwise relative error.

    A triangular W is its own Schur form (reversing the order makes a lower triangular W upper
    triangular); its powers are then computed with componentwise-small errors, so the estimate
    perturbs its entries relatively. Otherwise the Schur decomposition has a normwise backward
    error and the estimate perturbs T normwise (``_PROBES`` fixed random directions plus the
    bottom-left corner, the worst direction for a Jordan-like T). The estimate is the largest
    change of the result over these perturbations of relative size 2⁻⁴⁰, rescaled to the
    round-off level 2⁻⁵³ and divided by ‖Wᵏ‖₂‖δ_out‖ (0 when Tᵏ is exactly zero); the
    rounding in the ⌈log₂(k+2)⌉ squarings (each a relative perturbation of ~n·2⁻⁵³) is
    accounted for by the factor 1 + n⌈log₂(k+2)⌉ and the floor n⌈log₂(k+2)⌉·2⁻⁵³.
    """
    rng = np.random.default_rng(0)  # fixed directions: deterministic results
    upper = not np.any(np.tril(W, -1))
    lower = not upper and not np.any(np.triu(W, 1))
    if upper or lower:
        T = W if upper else W[::-1, ::-1]
        Z = None
        d_in = delta if upper else delta[..., ::-1]
        perturbed = [
            T + _PERTURBATION * np.abs(T) * rng.standard_normal(T.shape) for _ in range(_PROBES)
        ]
    else:
        T, Z = schur(W, output="real")
        d_in = delta @ Z
        size = _PERTURBATION * np.linalg.norm(T, 2)
        directions = [rng.standard_normal(T.shape) for _ in range(_PROBES)]
        # the bottom-left corner of T couples the first and last Schur vectors: the direction in
        # which a (nearly) defective, Jordan-like T is most sensitive
        corner = np.zeros(T.shape)
        corner[-1, 0] = 1.0
        directions.append(corner)
        perturbed = [T + size * D / np.linalg.norm(D, 2) for D in directions]

    def apply(A: np.ndarray) -> tuple[np.ndarray, int, float]:
        M, E = _log2_scaled_power(A, k)
        return d_in @ M, E, float(np.linalg.norm(M, 2))

    y, E, norm_M = apply(T)
    estimate = 0.0
    if norm_M > 0.0 and np.any(delta):  # else the result is exactly zero
        for T_pert in perturbed:
            y_pert, E_pert, _ = apply(T_pert)
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                shifted = np.ldexp(y_pert, int(np.clip(E_pert - E, -4000, 4000)))
                diff = float(np.linalg.norm(shifted - y))
            change = (_U / _PERTURBATION) * diff / (norm_M * np.linalg.norm(delta))
            estimate = max(estimate, change) if np.isfinite(change) else math.inf
    # the ⌈log₂(k+2)⌉ rounded squarings act like further relative perturbations of size ~n·u
    growth = W.shape[0] * math.ceil(math.log2(k + 2))
    estimate = estimate * (1 + growth) + growth * _U
    if Z is not None:
        y = y @ Z.T
    elif lower:
        y = y[..., ::-1]
    return _apply_power_of_two(y, E, k), estimate


def _exact_matrix(W: object) -> sp.Matrix:
    """W as an exact sympy Matrix of Rationals; TypeError for floats, ValueError for shape."""
    if isinstance(W, sp.MatrixBase):
        rows = W.tolist()
    elif isinstance(W, np.ndarray):
        if W.dtype.kind == "f" or W.dtype.kind == "c":
            raise TypeError(
                "W must have exact entries (integers, fractions.Fraction or sympy Rationals), "
                f"got a float array of dtype {W.dtype}; use an integer array or Fractions"
            )
        rows = W.tolist()
    elif isinstance(W, Sequence) and not isinstance(W, str):
        rows = [list(r) if isinstance(r, Sequence | np.ndarray) else r for r in W]
    else:
        raise TypeError(f"W must be a square matrix of exact numbers, got {type(W).__name__}")
    if (
        not rows
        or not all(isinstance(r, list) for r in rows)
        or any(len(r) != len(rows) for r in rows)
    ):
        shape = (len(rows), len(rows[0]) if rows and isinstance(rows[0], list) else 0)
        raise ValueError(f"W must be a square n×n matrix (n ≥ 1), got shape {shape}")
    out = []
    for i, row in enumerate(rows):
        out_row = []
        for j, x in enumerate(row):
            value = check_exact_number(x, f"W[{i}, {j}]")
            if isinstance(value, Fraction):
                value = sp.Rational(value.numerator, value.denominator)
            value = sp.sympify(value)
            if not value.is_Rational:
                raise TypeError(
                    f"W[{i}, {j}] must be rational (int, Fraction or sympy Rational), got "
                    f"{value!r}; floats are not accepted — write 1/3 as Fraction(1, 3)"
                )
            out_row.append(value)
        out.append(out_row)
    return sp.Matrix(out)


def symbolic_tied_delta(W: object, k: sp.Symbol | None = None) -> sp.Matrix:
    """(Wᵀ)ᵏ as an exact sympy Matrix in the symbol k, via the Jordan form of Wᵀ.

    Introduced in chapter 3 (Linear networks).

    Wᵀ = P J P⁻¹ (sympy ``jordan_form``; diagonalizable or not), so (Wᵀ)ᵏ = P Jᵏ P⁻¹ where a
    Jordan block of size b with eigenvalue λ contributes C(k, j) λ^{k−j} on its j-th
    superdiagonal (j < b); for λ = 0 that term is written KroneckerDelta(k, j). δ after k
    steps is this matrix times δ_out. Substitute with ``.subs(k, value)``; irrational or
    complex eigenvalues appear as radicals, so simplify (``sp.nsimplify``/``sp.simplify``)
    after substituting.

    Parameters
    ----------
    W : square matrix of exact rationals
        Nested lists of ints/``Fraction``/sympy Rationals, a numpy integer array or a sympy
        Matrix. Floats are rejected (TypeError): pass ``Fraction(1, 10)`` instead of 0.1.
    k : sympy Symbol, optional
        Default ``sympy.Symbol('k', integer=True, nonnegative=True)``.

    Returns
    -------
    sympy.Matrix
        (Wᵀ)ᵏ as a function of k (valid for every integer k ≥ 0).
    """
    if k is None:
        k = sp.Symbol("k", integer=True, nonnegative=True)
    elif not isinstance(k, sp.Symbol):
        raise TypeError(
            f"k must be a sympy Symbol (or None for the default), got {type(k).__name__}; "
            "substitute numbers afterwards with .subs(k, value)"
        )
    M = _exact_matrix(W).T
    P, J = M.jordan_form()
    P_inv = P.inv()
    n = M.shape[0]
    # Collect P Jᵏ P⁻¹ = Σ_(λ, j) C(k, j) λ^{k−j} · P S_(λ,j) P⁻¹, where S_(λ,j) marks the j-th
    # superdiagonals of the blocks with eigenvalue λ: constant coefficient matrices (simplified
    # once) times the k-dependent terms, so the result reads as a spectral sum.
    Jk = _jordan_power(J, k)
    selectors: dict[sp.Expr, sp.Matrix] = {}
    for a in range(n):
        for b in range(a, n):
            if Jk[a, b] != 0:
                selectors.setdefault(Jk[a, b], sp.zeros(n, n))[a, b] = 1
    out = sp.zeros(n, n)
    for term, S in selectors.items():
        coefficient = (P * S * P_inv).applyfunc(lambda e: sp.simplify(sp.radsimp(e)))
        out += coefficient * term
    return out


def untied_delta(weights: Sequence[np.ndarray], delta_out: np.ndarray) -> np.ndarray:
    """δ^(1) from the explicit product matrix: δ^(1) = (W^(L) ⋯ W^(1))ᵀ δ_out.

    Introduced in chapter 3 (Linear networks).

    The closed form of the linear (f = identity) recurrence with untied weights: form
    P = W^(L) · … · W^(1) (shape (s_{L+1}, s_1)) explicitly, then δ^(1) = Pᵀ δ_out (rows:
    ``delta_out @ P``). Equals ``delta_recursion(weights, delta_out)[0]``.

    Parameters
    ----------
    weights : sequence [W^(1), …, W^(L)]
        W^(l) of shape (s_{l+1}, s_l).
    delta_out : (s_{L+1},) or (m, s_{L+1}) array

    Returns
    -------
    (s_1,) or (m, s_1) array
    """
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence) or not weights:
        raise TypeError("weights must be a non-empty list of 2-D arrays [W^(1), …, W^(L)]")
    mats = [check_real_array(Wl, f"weights[{i}]", ndim=2) for i, Wl in enumerate(weights)]
    for i in range(1, len(mats)):
        if mats[i].shape[1] != mats[i - 1].shape[0]:
            raise ValueError(
                f"weights[{i}] must have {mats[i - 1].shape[0]} columns to follow weights[{i - 1}]"
                f" of shape {mats[i - 1].shape}, got shape {mats[i].shape}"
            )
    delta = check_real_array(delta_out, "delta_out")
    if delta.ndim not in (1, 2) or delta.shape[-1] != mats[-1].shape[0]:
        raise ValueError(
            f"delta_out must have {mats[-1].shape[0]} entries per example (the output layer of "
            f"weights[-1]), got shape {delta.shape}"
        )
    product = mats[0]
    for Wl in mats[1:]:
        product = Wl @ product
    return delta @ product


# ---------------------------------------------------------------------------------------------
# The Q&A reply, reproduced
# ---------------------------------------------------------------------------------------------


def reply_formula(W: np.ndarray, k: int) -> np.ndarray:
    """(Wᵏ)ᵀ exactly as the reply wrote it — a matrix, not the vector δ.

    Introduced in chapter 0 (The question); used again in chapter 3 (Linear networks).

    (Wᵏ)ᵀ = (Wᵀ)ᵏ is the correct *operator*, but δ^(n) is that matrix applied to δ^(m):
    ``reply_formula(W, k) @ delta_out`` equals ``tied_delta(W, k, delta_out).delta``.
    """
    W = check_square_matrix(W, "W")
    k = check_int(k, "k", minimum=0)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.linalg.matrix_power(W, k).T
    if not np.all(np.isfinite(out)):
        raise _overflow(k, "W^k")
    return out


def rtdr_formula(R: np.ndarray, D: np.ndarray, k: int) -> np.ndarray:
    """Rᵀ Dᵏ R, the reply's W^k for W = Rᵀ D R.

    Introduced in chapter 3 (Linear networks).

    Equals Wᵏ only when R is orthogonal (R⁻¹ = Rᵀ), i.e. W symmetric; no check is made here,
    so the chapter can show what goes wrong otherwise.

    Parameters
    ----------
    R : (n, n) array
    D : (n,) array of diagonal entries or (n, n) diagonal matrix
    k : int ≥ 0
    """
    R = check_square_matrix(R, "R")
    k = check_int(k, "k", minimum=0)
    D = check_real_array(D, "D")
    n = R.shape[0]
    if D.ndim == 2:
        if D.shape != (n, n) or np.any(D - np.diag(np.diag(D))):
            raise ValueError(f"D must be a diagonal {n}×{n} matrix (or its diagonal), got {D}")
        D = np.diag(D)
    if D.shape != (n,):
        raise ValueError(f"D must have {n} diagonal entries to match R, got shape {D.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        out = R.T @ (D[:, None] ** k * R)
    if not np.all(np.isfinite(out)):
        raise _overflow(k, "Rᵀ D^k R")
    return out


def rtdr_from_symmetric(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, D) with W = Rᵀ D R, R orthogonal and D diagonal, from numpy.linalg.eigh.

    Introduced in chapter 3 (Linear networks).

    Raises ValueError for a non-symmetric W (max|W − Wᵀ| > 1e-12 · max|W|): Rᵀ D R is
    always symmetric ((RᵀDR)ᵀ = RᵀDᵀR = RᵀDR), so no such factorisation exists.

    Returns
    -------
    R : (n, n) orthogonal array (rows are eigenvectors)
    D : (n, n) diagonal array of eigenvalues
    """
    W = check_square_matrix(W, "W")
    if np.max(np.abs(W - W.T)) > _SYMMETRY_RTOL * np.max(np.abs(W)):
        raise ValueError(
            "W must be symmetric for W = RᵀDR: RᵀDR is always symmetric, so a non-symmetric W "
            f"(max|W − Wᵀ| = {np.max(np.abs(W - W.T)):.3g}) has no such factorisation"
        )
    lam, Q = np.linalg.eigh((W + W.T) / 2)
    return Q.T, np.diag(lam)


# ---------------------------------------------------------------------------------------------
# Growth: spectral radius, norms, Gelfand, Lyapunov
# ---------------------------------------------------------------------------------------------


def spectral_radius(W: np.ndarray) -> float:
    """ρ(W) = max |λ_i(W)|.

    Introduced in chapter 3 (Linear networks).
    """
    W = check_square_matrix(W, "W")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def delta_norms(W: np.ndarray, delta_out: np.ndarray, k_max: int) -> np.ndarray:
    """‖(Wᵀ)ᵏ δ_out‖₂ for k = 0, …, k_max, by running the recurrence (``delta_step``).

    Introduced in chapter 3 (Linear networks).

    Parameters
    ----------
    W : (n, n) array
    delta_out : (n,) or (m, n) array
    k_max : int ≥ 0

    Returns
    -------
    (k_max + 1,) array, or (k_max + 1, m) for a batch (one column per example).

    Raises
    ------
    OverflowError
        If δ overflows float64 before k_max steps (the message names the step and k_max).
    """
    W = check_square_matrix(W, "W")
    delta = _check_delta_out(delta_out, W.shape[0])
    k_max = check_int(k_max, "k_max", minimum=0)
    deltas = np.empty((k_max + 1, *delta.shape))
    deltas[0] = delta
    for step in range(1, k_max + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            current = delta_step(W, deltas[step - 1])  # previous steps are finite (checked)
        if not np.all(np.isfinite(current)):
            raise OverflowError(
                f"δ overflows float64 at step {step} of k_max={k_max}; use a smaller k_max"
            )
        deltas[step] = current
    return np.linalg.norm(deltas, axis=-1)


def gelfand_sequence(W: np.ndarray, k_values: Sequence[int] | np.ndarray) -> np.ndarray:
    """‖Wᵏ‖₂^{1/k} for each k, which converges to ρ(W) (Gelfand's formula).

    Introduced in chapter 3 (Linear networks).

    Wᵏ is computed by binary powering with exact power-of-two rescaling, so large k neither
    overflows nor underflows. Always ‖Wᵏ‖^{1/k} ≥ ρ(W); the gap closes like O(log(C)/k) for a
    diagonalizable W.

    Parameters
    ----------
    W : (n, n) array
    k_values : sequence of ints ≥ 1

    Returns
    -------
    array of floats, one per k.
    """
    W = check_square_matrix(W, "W")
    if isinstance(k_values, str | bytes) or not isinstance(k_values, Sequence | np.ndarray):
        raise TypeError(f"k_values must be a sequence of integers >= 1, got {type(k_values)}")
    ks = [check_int(kv, "k_values", minimum=1) for kv in np.asarray(k_values).ravel().tolist()]
    out = np.empty(len(ks))
    for i, kv in enumerate(ks):
        M, E = _log2_scaled_power(W, kv)
        norm = float(np.linalg.norm(M, 2))
        out[i] = 0.0 if norm == 0.0 else math.exp((math.log(norm) + E * math.log(2.0)) / kv)
    return out


def _bare_tied_recursion(W: np.ndarray, delta: np.ndarray, k: int) -> np.ndarray:
    """(Wᵀ)ᵏ δ by k bare products ``delta @ W``, without input checks: a timing kernel only.

    ``delta_recursion`` runs the same product per step but validates its inputs at every step
    (about 10 µs per step, several times the product itself at small widths).
    :func:`time_tied_delta` times this loop as well, so that the cost of the recursion's
    arithmetic can be told apart from the cost of its checks; it verifies that both give
    identical results before timing.
    """
    for _ in range(k):
        delta = delta @ W
    return delta


def time_tied_delta(
    W: np.ndarray,
    k_values: Sequence[int] | np.ndarray,
    delta_out: np.ndarray,
    repeats: int = 3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wall-clock seconds for (Wᵀ)ᵏ δ_out by three methods, for each k in ``k_values``.

    Introduced in chapter 3 (Linear networks).

    * bare loop: k products ``delta @ W`` in a plain Python loop (no input checks);
    * ``delta_recursion([W] * k, delta_out)``: the course's recurrence, which validates its
      inputs at every step (the lists ``[W] * k`` are built before timing);
    * ``tied_delta(W, k, delta_out)``: the closed form (one decomposition, whatever k).

    The bare loop and ``delta_recursion`` are checked to give identical results before timing
    (they perform the same floating-point operations). Timing on a shared machine: the
    measurement runs ``repeats`` rounds over all k and all three methods (round-robin, so that
    a slow period hits different k in different rounds); in each round a call is repeated until
    10 ms are spent and the shortest call of the round is kept; the result is the median over
    the rounds (robust to one slow round). Timings are machine-dependent: compare methods at
    the same k, and do not read an ordering into ratios close to 1.

    Parameters
    ----------
    W : (n, n) array
    k_values : non-empty sequence of ints ≥ 1
    delta_out : (n,) or (m, n) array
    repeats : int ≥ 1
        Number of rounds.

    Returns
    -------
    (t_bare, t_recursion, t_closed) : three float arrays of shape (len(k_values),), in seconds.

    Raises
    ------
    OverflowError
        If (Wᵀ)ᵏ δ_out overflows float64 for some k (from ``tied_delta``).
    """
    W = check_square_matrix(W, "W")
    delta = _check_delta_out(delta_out, W.shape[0])
    if isinstance(k_values, str | bytes) or not isinstance(k_values, Sequence | np.ndarray):
        raise TypeError(f"k_values must be a sequence of integers >= 1, got {type(k_values)}")
    ks = [check_int(kv, "k_values", minimum=1) for kv in np.asarray(k_values).ravel().tolist()]
    if not ks:
        raise ValueError("k_values must contain at least one integer >= 1, got an empty sequence")
    repeats = check_int(repeats, "repeats", minimum=1)
    methods = []
    for kv in ks:
        layers = [W] * kv
        by_bare = functools.partial(_bare_tied_recursion, W, delta, kv)
        by_recursion = functools.partial(_delta_recursion_first, layers, delta)
        by_closed = functools.partial(tied_delta, W, kv, delta)
        by_closed()  # warm-up; raises OverflowError if the result overflows
        with np.errstate(over="ignore", invalid="ignore"):
            if not np.array_equal(by_bare(), by_recursion()):  # pragma: no cover - a bug
                raise RuntimeError("the bare loop and delta_recursion disagree")
        methods.append((by_bare, by_recursion, by_closed))
    rounds = np.empty((repeats, 3, len(ks)))
    for r in range(repeats):
        for i, triple in enumerate(methods):
            for j, fn in enumerate(triple):
                rounds[r, j, i] = min_call_time(fn, 0.01)
    median = np.median(rounds, axis=0)
    return median[0], median[1], median[2]


def _delta_recursion_first(layers: list[np.ndarray], delta: np.ndarray) -> np.ndarray:
    """δ after len(layers) steps by ``delta_recursion`` (its first entry)."""
    return delta_recursion(layers, delta)[0]


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
    """
    n = check_int(n, "n", minimum=1)
    sigma = check_real(sigma, "sigma", low=0, low_open=True)
    i = np.arange(1, n + 1)
    return math.log(sigma) + 0.5 * (math.log(2.0 / n) + digamma((n - i + 1) / 2.0))


# ---------------------------------------------------------------------------------------------
# Saxe, McClelland & Ganguli (2014): training dynamics of linear networks
# ---------------------------------------------------------------------------------------------


def _check_mode(s: object, u0: object, tau: object) -> tuple[float, float, float]:
    s = check_real(s, "s", low=0, low_open=True)
    u0 = check_real(u0, "u0", low=0, high=s, low_open=True, high_open=True)
    tau = check_real(tau, "tau", low=0, low_open=True)
    return s, u0, tau


def saxe_mode_trajectory(
    t: float | np.ndarray, s: float, u0: float, tau: float = 1.0
) -> float | np.ndarray:
    """u(t) = s e^{2st/τ} / (e^{2st/τ} − 1 + s/u₀), the exact solution of τ u̇ = 2u(s − u).

    Introduced in chapter 3 (Linear networks).

    One balanced mode of a one-hidden-layer linear network (Saxe et al. 2014): with
    τ ȧ = b(s − ab), τ ḃ = a(s − ab) and u = ab, τ u̇ = (a² + b²)(s − u) = 2u(s − u) when a = b.
    Evaluated in the overflow-free logistic form u = s / (1 + (s/u₀ − 1) e^{−2st/τ}).

    Parameters
    ----------
    t : float or array of finite times (vectorised; negative t is the backward solution)
    s : float > 0     singular value (target strength).
    u0 : float in (0, s)   initial strength u(0).
    tau : float > 0   time constant (τ = 1/learning rate).
    """
    s, u0, tau = _check_mode(s, u0, tau)
    t_arr = check_real_array(t, "t")
    with np.errstate(over="ignore"):
        out = s / (1.0 + (s / u0 - 1.0) * np.exp(-2.0 * s * t_arr / tau))
    return out[()] if out.ndim == 0 else out


def saxe_learning_time(s: float, u0: float, uf: float, tau: float = 1.0) -> float:
    """t(u₀ → u_f) = (τ/2s) ln[u_f (s − u₀) / (u₀ (s − u_f))] for τ u̇ = 2u(s − u).

    Introduced in chapter 3 (Linear networks).

    Parameters
    ----------
    s : float > 0;  u0 : float in (0, s);  uf : float in (u0, s);  tau : float > 0.
    """
    s, u0, tau = _check_mode(s, u0, tau)
    uf = check_real(uf, "uf", low=u0, high=s, low_open=True, high_open=True)
    return float(tau / (2.0 * s) * math.log(uf * (s - u0) / (u0 * (s - uf))))


def saxe_deep_mode_ode(
    t: float | np.ndarray, s: float, u0: float, tau: float = 1.0, n_layers: int = 3
) -> float | np.ndarray:
    """u(t) for a balanced mode of an N_l-layer linear network: τ u̇ = (N_l−1) u^{2−2/(N_l−1)} (s−u).

    Introduced in chapter 3 (Linear networks).

    Derivation (Saxe et al. 2014): each of the N_l − 1 weight matrices carries the mode with
    the same strength a, u = a^{N_l−1}, and τ ȧ = a^{N_l−2}(s − u). Then
    τ u̇ = (N_l−1) a^{N_l−2} · τ ȧ = (N_l−1) a^{2N_l−4} (s − u), and a^{2N_l−4} =
    u^{(2N_l−4)/(N_l−1)} = u^{2 − 2/(N_l−1)}. N_l = 3 (one hidden layer) gives 2u(s − u), the
    ``saxe_mode_trajectory`` case; N_l = 2 (a single weight matrix) gives s − u.
    Solved numerically with scipy.integrate.solve_ivp (DOP853, rtol = 1e-10).

    Parameters
    ----------
    t : float or array of times ≥ 0
    s : float > 0;  u0 : float in (0, s);  tau : float > 0
    n_layers : int ≥ 2
        N_l, the number of layers of units (weight matrices + 1).
    """
    s, u0, tau = _check_mode(s, u0, tau)
    n_layers = check_int(n_layers, "n_layers", minimum=2)
    t_arr = check_real_array(t, "t")
    if np.any(t_arr < 0):
        raise ValueError("t must be >= 0 (the ODE is integrated forward from u(0) = u0)")
    m = n_layers - 1
    power = 2.0 - 2.0 / m

    def rhs(_: float, u: np.ndarray) -> np.ndarray:
        return m * np.abs(u) ** power * (s - u) / tau

    flat = t_arr.ravel()
    t_eval, inverse = np.unique(flat, return_inverse=True)
    if t_eval[-1] == 0.0:
        out = np.full(flat.shape, u0)
    else:
        sol = solve_ivp(
            rhs,
            (0.0, float(t_eval[-1])),
            [u0],
            method="DOP853",
            t_eval=t_eval,
            rtol=1e-10,
            atol=1e-14 * s,
        )
        if not sol.success:  # pragma: no cover - DOP853 on this smooth scalar ODE succeeds
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        out = sol.y[0][inverse]
    out = out.reshape(t_arr.shape)
    return out[()] if out.ndim == 0 else out


def _descent_directions(
    weights: list[np.ndarray], sigma31: np.ndarray, sigma11: np.ndarray | None = None
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Composite map Ŵ = W^(L)⋯W^(1) and −∂J/∂W^(l) for every layer.

    J = ½E‖y − Ŵx‖² = ½ tr(Ŵ Σ¹¹ Ŵᵀ) − tr(Σ³¹ Ŵᵀ) + const, whose negative gradient w.r.t.
    W^(l) is (W^(L)⋯W^(l+1))ᵀ (Σ³¹ − Ŵ Σ¹¹) (W^(l−1)⋯W^(1))ᵀ; Σ¹¹ = I (``None``) for
    whitened inputs.
    """
    L = len(weights)
    below: list[np.ndarray | None] = [None] * L
    acc: np.ndarray | None = None
    for layer in range(L):
        below[layer] = acc
        acc = weights[layer] if acc is None else weights[layer] @ acc
    composite = acc
    error = sigma31 - (composite if sigma11 is None else composite @ sigma11)
    grads: list[np.ndarray] = [error] * L
    above: np.ndarray | None = None
    for layer in range(L - 1, -1, -1):
        left = error if above is None else above.T @ error
        grads[layer] = left if below[layer] is None else left @ below[layer].T
        above = weights[layer] if above is None else above @ weights[layer]
    return composite, grads


def train_linear_network(
    sigma31: np.ndarray,
    n_hidden: int,
    n_steps: int,
    lr: float,
    init_scale: float = 1e-3,
    seed: int = 0,
    depth: int = 2,
    record_every: int = 1,
    *,
    init: str = "decoupled",
    u0: float | np.ndarray = 1e-3,
    sigma11: np.ndarray | None = None,
) -> LinearTrainingRun:
    """Full-batch gradient descent on y = W^(L)⋯W^(1) x, whitened inputs (Σ¹¹ = I) by default.

    Introduced in chapter 3 (Linear networks).

    Minimises ½E‖y − Ŵx‖² = ½‖Σ³¹ − Ŵ‖²_F + const (Σ³¹ = E[y xᵀ], shape (n_out, n_in)) with
    W^(l) ← W^(l) + lr · (W^(L)⋯W^(l+1))ᵀ (Σ³¹ − Ŵ) (W^(l−1)⋯W^(1))ᵀ, all layers at once.
    For L = 2: ΔW²¹ = lr · W³²ᵀ(Σ³¹ − W³²W²¹), ΔW³² = lr · (Σ³¹ − W³²W²¹)W²¹ᵀ — Euler steps of
    Saxe's τ Ẇ²¹ = W³²ᵀ(Σ³¹ − W³²W²¹), τ Ẇ³² = (Σ³¹ − W³²W²¹)W²¹ᵀ with τ = 1/lr steps, so the
    recorded time is t = step · lr (τ = 1 units).

    Parameters
    ----------
    sigma31 : (n_out, n_in) array, nonzero
        Input–output correlation; its SVD U S Vᵀ defines the modes (rank = number of singular
        values above n·2⁻⁵²·s_max).
    n_hidden : int ≥ 1
        Width of every hidden layer (≥ rank for ``init="decoupled"``; unused if depth = 1).
    n_steps : int ≥ 1
        Gradient steps.
    lr : float > 0
        Learning rate (diverging runs raise ValueError naming lr).
    init_scale : float > 0
        ``init="random"``: every entry of every W^(l) is drawn from N(0, init_scale²).
    seed : int ≥ 0
        Seeds the random init and the random orthogonal hidden basis of the decoupled init.
    depth : int ≥ 1
        Number of weight matrices L (Saxe's N_l = L + 1 layers of units).
    record_every : int ≥ 1
        Record every this many steps (step 0 and the last step are always recorded).
    init : {"decoupled", "random"}
        ``"decoupled"``: balanced, mode-aligned weights W^(1) = R diag(a) V_rᵀ,
        W^(l) = R diag(a) Rᵀ (middle), W^(L) = U_r diag(a) Rᵀ with R a random orthonormal
        hidden basis and a = u0^{1/L}, so every mode starts at strength exactly u0 and stays
        decoupled and balanced.
    u0 : float or (rank,) array, > 0
        Initial mode strength(s) for the decoupled init.
    sigma11 : (n_in, n_in) symmetric positive definite array, optional
        Input correlation Σ¹¹ = E[x xᵀ]. ``None`` means whitened inputs, Σ¹¹ = I (Saxe's
        assumption). With another Σ¹¹ the update uses Σ³¹ − Ŵ Σ¹¹ in place of Σ³¹ − Ŵ, the
        modes are still read along the singular vectors of Σ³¹, and gradient descent converges
        (for a small enough lr) to Σ³¹ (Σ¹¹)⁻¹ projected on rank ≤ n_hidden, not to Σ³¹:
        the closed form no longer describes the run.

    Returns
    -------
    LinearTrainingRun
    """
    sigma31 = check_real_array(sigma31, "sigma31", ndim=2)
    n_hidden = check_int(n_hidden, "n_hidden", minimum=1)
    n_steps = check_int(n_steps, "n_steps", minimum=1)
    lr = check_real(lr, "lr", low=0, low_open=True)
    init_scale = check_real(init_scale, "init_scale", low=0, low_open=True)
    seed = check_int(seed, "seed", minimum=0)
    depth = check_int(depth, "depth", minimum=1)
    record_every = check_int(record_every, "record_every", minimum=1)
    if init not in ("decoupled", "random"):
        raise ValueError(f"init must be 'decoupled' or 'random', got {init!r}")
    if sigma11 is not None:
        sigma11 = check_real_array(sigma11, "sigma11", ndim=2)
        n_in_ = sigma31.shape[1]
        if sigma11.shape != (n_in_, n_in_) or not np.allclose(sigma11, sigma11.T, rtol=1e-12):
            raise ValueError(
                f"sigma11 must be a symmetric ({n_in_}, {n_in_}) matrix, got shape {sigma11.shape}"
            )
        if np.linalg.eigvalsh(sigma11)[0] <= 0:
            raise ValueError("sigma11 must be positive definite (an input correlation E[x xᵀ])")
    U, S, Vt = np.linalg.svd(sigma31)
    if S.size == 0 or S[0] == 0.0:
        raise ValueError("sigma31 must be a nonzero (n_out, n_in) matrix")
    tol = max(sigma31.shape) * 2.0**-52 * S[0]
    rank = int(np.count_nonzero(tol < S))
    U_r, S_r, V_r = U[:, :rank], S[:rank], Vt[:rank].T
    n_out, n_in = sigma31.shape
    rng = np.random.default_rng(seed)

    if init == "decoupled":
        u0_arr = check_real_array(u0, "u0")
        if u0_arr.ndim == 0:
            u0_arr = np.full(rank, float(u0_arr))
        if u0_arr.shape != (rank,) or np.any(u0_arr <= 0):
            raise ValueError(
                f"u0 must be a positive number or {rank} positive numbers (one per mode), "
                f"got {u0!r}"
            )
        if depth > 1 and n_hidden < rank:
            raise ValueError(
                f"n_hidden must be >= the rank of sigma31 ({rank}) for init='decoupled', "
                f"got {n_hidden}"
            )
        a = u0_arr ** (1.0 / depth)
        R = np.linalg.qr(rng.standard_normal((n_hidden, n_hidden)))[0][:, :rank]
        if depth == 1:
            weights = [U_r @ (u0_arr[:, None] * V_r.T)]
        else:
            weights = [R @ (a[:, None] * V_r.T)]
            weights += [R @ (a[:, None] * R.T) for _ in range(depth - 2)]
            weights += [U_r @ (a[:, None] * R.T)]
    else:
        sizes = [n_in] + [n_hidden] * (depth - 1) + [n_out]
        weights = [rng.standard_normal((sizes[i + 1], sizes[i])) * init_scale for i in range(depth)]

    record_steps = list(range(0, n_steps + 1, record_every))
    if record_steps[-1] != n_steps:
        record_steps.append(n_steps)
    modes = np.empty((len(record_steps), rank))
    record = 0
    for step in range(n_steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            composite, directions = _descent_directions(weights, sigma31, sigma11)
        if not np.all(np.isfinite(composite)):
            raise ValueError(
                f"training diverged at step {step}: lr={lr} is too large for singular values up "
                f"to {S_r[0]:.3g} (try lr < 1/(depth·s_max))"
            )
        if step == record_steps[record]:
            modes[record] = np.einsum("ji,jk,ki->i", U_r, composite, V_r)
            record += 1
        if step < n_steps:
            weights = [Wl + lr * g for Wl, g in zip(weights, directions, strict=True)]
    return LinearTrainingRun(
        times=np.asarray(record_steps, dtype=np.float64) * lr,
        modes=modes,
        singular_values=S_r,
        weights=tuple(weights),
        depth=depth,
        init=init,
    )

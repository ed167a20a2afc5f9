"""Closed forms of the linear backprop recurrence: tied powers (Wᵀ)ᵏ δ and untied products.

Introduced in chapter 3 (Linear networks).

With the identity activation every f'(z^(l)) = 1, so the backprop recurrence
δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) becomes a plain product of transposes,

    δ^(n) = (W^(n))ᵀ (W^(n+1))ᵀ ⋯ (W^(m−1))ᵀ δ^(m),

and with one tied square matrix W, δ after k backward steps is (Wᵀ)ᵏ δ_out. ``tied_delta``
computes that power from a decomposition of W and never returns a number it cannot vouch for
(``ACCURACY_TARGET``); ``untied_delta`` forms the product matrix of untied weights. The exact
power in the symbol k is :func:`bpcore.linear.exact_powers.symbolic_tied_delta`.

Row convention (as in ``bpcore.backprop``): vectors are rows, so (Wᵀ)ᵏ δ is ``delta @ W**k``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from scipy.linalg import schur

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real_array, check_square_matrix
from bpcore.linear._powers import (
    _U,
    _apply_power_of_two,
    _check_delta_out,
    _jordan_power,
    _log2_scaled_power,
    _overflow,
    _scale_by_power,
    _to_float_matrix,
)

__all__ = ["ACCURACY_TARGET", "EIG_BOUND_LIMIT", "TiedDelta", "tied_delta", "untied_delta"]

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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import tied_delta
    >>> tied_delta(np.array([[2.0, 1.0], [1.0, 2.0]]), 10, np.array([1.0, 0.0]))
    TiedDelta(method='symmetric-eigh', k=10, condition=1, delta=[29525. 29524.])
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


def _exact_power_squaring(N: np.ndarray, d: int, k: int) -> np.ndarray:
    """W^k for W = N/d exactly (binary powering in Python integers), rounded once to float."""
    Nk = np.linalg.matrix_power(N, k) if k > 0 else np.eye(N.shape[0], dtype=np.int64)
    denominator = d**k
    return _to_float_matrix([[Fraction(int(x), denominator) for x in row] for row in Nk], k)


def _rational_eigenvalues(M: sp.Matrix) -> bool:
    _, factors = sp.factor_list(M.charpoly())
    return all(sp.Poly(f).degree() <= 1 for f, _ in factors)


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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import tied_delta
    >>> W = np.array([[0.5, 0.25], [0.0, 0.5]])  # defective: one Jordan block
    >>> result = tied_delta(W, 3, np.array([1.0, 0.0]))
    >>> result.method, result.delta.tolist()
    ('jordan', [0.125, 0.1875])
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import untied_delta
    >>> weights = [2.0 * np.eye(2), np.array([[1.0, 1.0]])]  # W^(1) (2×2), W^(2) (1×2)
    >>> untied_delta(weights, np.array([3.0]))  # δ^(1) = (W^(2) W^(1))ᵀ δ_out
    array([6., 6.])
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

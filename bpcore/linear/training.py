"""Training a linear network over time: Saxe, McClelland & Ganguli's closed form, gradient descent.

Introduced in chapter 3 (Linear networks).

The closed form of gradient-descent *training* of a linear network over time (Saxe,
McClelland & Ganguli 2014, "Exact solutions to the nonlinear dynamics of learning in deep
linear neural networks"): with whitened inputs each singular mode of the input–output
correlation Σ³¹ = U S Vᵀ is learned along the sigmoid u(t) = s e^{2st/τ}/(e^{2st/τ} − 1 + s/u₀).
``train_linear_network`` runs the gradient descent the closed form describes; time is
t = step · lr (τ = 1/lr).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real, check_real_array

__all__ = [
    "LinearTrainingRun",
    "saxe_deep_mode_ode",
    "saxe_learning_time",
    "saxe_mode_trajectory",
    "saxe_simulation",
    "train_linear_network",
]


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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import train_linear_network
    >>> run = train_linear_network(np.diag([2.0, 1.0]), n_hidden=2, n_steps=500, lr=0.01)
    >>> run  # doctest: +NUMBER +NORMALIZE_WHITESPACE
    LinearTrainingRun(depth=2, init='decoupled', records=501, t_final=5,
                      singular_values=[2. 1.], final_modes=[2.0 0.956])
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import saxe_mode_trajectory
    >>> saxe_mode_trajectory(np.array([0.0, 1.0, 5.0]), 1.0, 0.01).round(4)  # plateau, then rise
    array([0.01  , 0.0695, 0.9955])
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

    Examples
    --------
    >>> from bpcore.linear import saxe_learning_time
    >>> round(saxe_learning_time(1.0, 0.01, 0.5), 4)  # (1/2) ln 99
    2.2976
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import saxe_deep_mode_ode
    >>> saxe_deep_mode_ode(np.array([0.0, 5.0]), 1.0, 0.01, n_layers=3).round(4)  # = the sigmoid
    array([0.01  , 0.9955])
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.linear import train_linear_network
    >>> run = train_linear_network(np.diag([2.0, 1.0]), n_hidden=2, n_steps=500, lr=0.01)
    >>> run.modes[-1].round(3)  # the stronger mode is learned first
    array([2.   , 0.956])
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


#: Gradient steps per unit of s·t in :func:`saxe_simulation`: lr·s = 1/_STEPS_PER_ST keeps the
#: Euler error of gradient descent at about 1 % of the continuous-time curve.
_STEPS_PER_ST = 100


@functools.lru_cache(maxsize=64)
def _simulate(s: float, u0: float) -> tuple[np.ndarray, np.ndarray, float]:
    t_end = 1.3 * saxe_learning_time(s, u0, 0.99 * s)
    n_steps = max(200, math.ceil(_STEPS_PER_ST * s * t_end))
    lr = t_end / n_steps
    run = train_linear_network(
        np.array([[s]]),
        n_hidden=1,
        n_steps=n_steps,
        lr=lr,
        u0=u0,
        record_every=max(1, n_steps // 60),
    )
    times, modes = run.times, run.modes[:, 0]
    times.setflags(write=False)
    modes.setflags(write=False)
    return times, modes, lr


def saxe_simulation(s: float, u0: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Gradient descent on a one-mode two-layer linear network, to compare with the closed form.

    Introduced in chapter 3 (Linear networks); drawn by ``bpcore.widgets.saxe_explorer``.

    Trains y = W^(2) W^(1) x with Σ³¹ = [[s]] (one input, one hidden and one output unit;
    balanced init of strength u₀) by ``train_linear_network`` up to 1.3× the time at which the
    closed form reaches 0.99 s, with learning rate lr = 1/(100 s) or smaller (at least 200
    steps). Results are cached (read-only arrays).

    Returns
    -------
    times : array (τ = 1 units: t = step · lr)
    modes : array, the mode strength u(t) = W^(2) W^(1)
    lr : float, the learning rate used

    Examples
    --------
    >>> from bpcore.linear import saxe_simulation
    >>> times, modes, lr = saxe_simulation(1.0, 1e-3)
    >>> times.shape, round(lr, 6), round(float(modes[-1]), 3)
    ((64,), 0.009995, 1.0)
    """
    s = check_real(s, "s", low=0, low_open=True)
    u0 = check_real(u0, "u0", low=0, high=s, low_open=True, high_open=True)
    return _simulate(s, u0)

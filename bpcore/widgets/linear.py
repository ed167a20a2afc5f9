"""Chapter 3's interactive figures: tied linear networks and the Saxe learning curves.

* :func:`tied_explorer` — a 2×2 tied weight matrix W (symmetric, rotation-scaling, defective or
  non-normal, with a chosen spectral radius) and a depth: ‖δ‖ after k backward steps from the
  closed form (``bpcore.linear.tied_delta``) on top of the recursion, and the eigenvalues of W
  against the unit circle.
* :func:`saxe_explorer` — a singular value s and an initial mode strength u₀: Saxe,
  McClelland & Ganguli's exact learning curve against gradient descent on a small two-layer
  linear network (``bpcore.linear.saxe_simulation``, re-exported here).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from matplotlib.figure import Figure

from bpcore._validate import check_int, check_real
from bpcore.linear import (
    delta_norms,
    saxe_learning_time,
    saxe_mode_trajectory,
    saxe_simulation,
    tied_delta,
)
from bpcore.plotting import STACKED_FIGSIZE as STACKED
from bpcore.widgets.explorer import Control, Explorer

__all__ = [
    "PRESETS",
    "preset_matrix",
    "saxe_explorer",
    "saxe_simulation",
    "tied_delta_norms",
    "tied_explorer",
]

#: The kinds of 2×2 tied weight matrix offered by :func:`tied_explorer`.
PRESETS = ("symmetric", "rotation-scaling", "defective", "non-normal")

#: Number of depths at which the closed form is evaluated (markers); the recursion is drawn at
#: every depth. Each closed-form evaluation is one decomposition (≤ 2 ms even on the exact
#: Jordan route), so this bounds the redraw time.
_N_MARKERS = 9


def preset_matrix(preset: str, radius: float) -> np.ndarray:
    """A 2×2 tied weight matrix of the given kind with spectral radius ``radius``.

    Introduced in chapter 3 (Linear networks).

    Parameters
    ----------
    preset : {"symmetric", "rotation-scaling", "defective", "non-normal"}
        ``"symmetric"``: Q diag(r, −0.6r) Qᵀ, Q a rotation by 0.5 rad (normal, real
        eigenvalues); ``"rotation-scaling"``: r times a rotation by π/5 (normal, eigenvalues
        r e^{±iπ/5}); ``"defective"``: [[r, 1], [0, r]] (one Jordan block, a single
        eigenvector); ``"non-normal"``: [[r, 4], [0, r/2]] (diagonalizable, but with nearly
        parallel eigenvectors, so ‖(Wᵀ)ᵏ‖ can exceed ρᵏ by far).
    radius : float > 0
        The spectral radius r = ρ(W).

    Returns
    -------
    (2, 2) array

    Examples
    --------
    >>> from bpcore.widgets.linear import preset_matrix
    >>> preset_matrix("defective", 0.9)
    array([[0.9, 1. ],
           [0. , 0.9]])
    """
    if not isinstance(preset, str):
        raise TypeError(f"preset must be a string, one of {PRESETS}, got {type(preset).__name__}")
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")
    r = check_real(radius, "radius", low=0, low_open=True)
    if preset == "symmetric":
        c, s = math.cos(0.5), math.sin(0.5)
        Q = np.array([[c, -s], [s, c]])
        M = Q @ np.diag([r, -0.6 * r]) @ Q.T
        return (M + M.T) / 2  # exactly symmetric, so tied_delta takes its symmetric route
    if preset == "rotation-scaling":
        c, s = math.cos(math.pi / 5), math.sin(math.pi / 5)
        return r * np.array([[c, -s], [s, c]])
    if preset == "defective":
        return np.array([[r, 1.0], [0.0, r]])
    return np.array([[r, 4.0], [0.0, r / 2]])


@functools.lru_cache(maxsize=128)
def _tied_norms_cached(
    preset: str, radius: float, depth: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    W = preset_matrix(preset, radius)
    delta_out = np.array([1.0, 0.0])
    try:
        recursion = delta_norms(W, delta_out, depth)
    except OverflowError as exc:
        raise OverflowError(
            f"‖δ‖ grows like ρ^k = {radius:g}^k and overflows float64 (beyond 1.8·10^308) "
            f"before depth {depth}: choose a smaller depth or spectral radius"
        ) from exc
    if np.any(recursion == 0.0):
        raise OverflowError(
            f"‖δ‖ shrinks like ρ^k = {radius:g}^k and underflows float64 (below 5·10^-324, "
            f"it is exactly 0) before depth {depth}: the gradient has vanished; choose a "
            "smaller depth or a larger spectral radius"
        )
    k_closed = np.unique(np.round(np.linspace(0, depth, _N_MARKERS)).astype(int))
    results = [tied_delta(W, int(k), delta_out) for k in k_closed]
    closed = np.array([np.linalg.norm(r.delta) for r in results])
    for arr in (recursion, k_closed, closed):
        arr.setflags(write=False)
    return recursion, k_closed, closed, results[-1].method


def tied_delta_norms(
    preset: str, radius: float, depth: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """‖(Wᵀ)ᵏ δ_out‖ for the explorer's W: by recursion at every k, by the closed form at a few.

    Introduced in chapter 3 (Linear networks).

    δ_out = (1, 0). The recursion is ``bpcore.linear.delta_norms`` (k = 0, …, depth); the
    closed form is ``bpcore.linear.tied_delta`` at ≤ 9 depths spread over 0, …, depth.
    Results are cached (read-only arrays), so moving a slider back is instant.

    Returns
    -------
    recursion : (depth + 1,) array
        ‖δ‖ after k = 0, …, depth steps.
    k_closed : int array
        The depths where the closed form was evaluated.
    closed : array
        ‖(Wᵀ)ᵏ δ_out‖ from the closed form at ``k_closed``.
    method : str
        The ``tied_delta`` method used at the largest depth.

    Raises
    ------
    OverflowError
        If ‖δ‖ leaves the float64 range (overflow, or underflow to 0) before ``depth``; the
        message says which and suggests a smaller depth.

    Examples
    --------
    >>> from bpcore.widgets.linear import tied_delta_norms
    >>> recursion, k_closed, closed, method = tied_delta_norms("defective", 0.9, 10)
    >>> method, k_closed.tolist(), round(float(closed[-1]), 4), round(float(recursion[-1]), 4)
    ('schur', [0, 1, 2, 4, 5, 6, 8, 9, 10], 3.8899, 3.8899)
    """
    preset_matrix(preset, radius)  # validates preset and radius
    radius = check_real(radius, "radius", low=0, low_open=True)
    depth = check_int(depth, "depth", minimum=1)
    return _tied_norms_cached(preset, radius, depth)


def _draw_tied(fig: Figure, preset: str, radius: float, depth: int) -> str:
    W = preset_matrix(preset, radius)
    recursion, k_closed, closed, method = tied_delta_norms(preset, radius, depth)
    # Stacked panels (a phone column is too narrow for two side by side): the norms on top,
    # the eigenvalues below.
    ax = fig.add_axes((0.16, 0.53, 0.8, 0.34))
    ks = np.arange(depth + 1)
    # log10 on a linear axis: the picture of a log axis, several times faster to draw.
    ax.plot(ks, np.log10(recursion), "-", lw=1.5, label="recursion (k steps)")
    ax.plot(k_closed, np.log10(closed), "o", ms=5, mfc="none", label=f"closed form ({method})")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel(r"backward steps $k$")
    ax.set_ylabel(r"$\log_{10}\,\|(W^{\mathsf{T}})^k\delta\|$")
    ax.locator_params(nbins=4)
    ax.legend(loc="best")

    # the complex plane without tick machinery (half the cost of a second ticked axes)
    lam = np.linalg.eigvals(W)
    ax2 = fig.add_axes((0.3, 0.0, 0.4, 0.35))
    ax2.axis("off")
    theta = np.linspace(0.0, 2.0 * np.pi, 121)
    ax2.plot([-2.2, 2.2], [0.0, 0.0], color="0.75", lw=0.8)
    ax2.plot([0.0, 0.0], [-2.2, 2.2], color="0.75", lw=0.8)
    ax2.plot(np.cos(theta), np.sin(theta), color="0.45", lw=1)
    ax2.plot(lam.real, lam.imag, "x", ms=8, mew=2, color="C3")
    ax2.set_xlim(-2.2, 2.2)
    ax2.set_ylim(-2.2, 2.2)
    ax2.set_aspect("equal")
    ax2.text(1.05, -0.35, "1", fontsize=10)
    ax2.text(2.2, 0.15, r"Re $\lambda$", ha="right", fontsize=10)
    ax2.text(0.15, 1.9, r"Im $\lambda$", fontsize=10)
    fig.text(
        0.5, 0.415, r"eigenvalues of $W$ ($\times$) and the unit circle", ha="center", fontsize=10
    )
    entries = "], [".join(", ".join(f"{x:.3g}" for x in row) for row in W)
    fig.text(
        0.5,
        0.955,
        f"{preset} W = [[{entries}]]\n" + rf"$\rho(W) = {radius:.3g}$",
        ha="center",
        va="center",
        fontsize=10,
    )
    inside = "inside" if radius < 1 else ("on" if radius == 1 else "outside")
    return (
        f"Top: log-scale plot of ‖(Wᵀ)ᵏ δ‖ against the number of backward steps k up to {depth} "
        f"for the {preset} 2×2 matrix with spectral radius {radius:.3g}; the closed form "
        f"(method {method}) lies on the recursion, which ends at ‖δ‖ = {recursion[-1]:.3g} "
        f"(largest value {recursion.max():.3g}). Bottom: its eigenvalues, {inside} the unit circle."
    )


def tied_explorer() -> Explorer:
    """Chapter 3 explorer: a tied 2×2 W (kind, spectral radius) and depth → ‖δ‖ and eigenvalues.

    Introduced in chapter 3 (Linear networks).

    Examples
    --------
    >>> from bpcore.widgets import tied_explorer
    >>> explorer = tied_explorer()
    >>> explorer.name, [control.name for control in explorer.controls]
    ('tied-explorer', ['preset', 'radius', 'depth'])
    """
    return Explorer(
        name="tied-explorer",
        draw=_draw_tied,
        controls=[
            Control("preset", "kind of $W$", PRESETS, default="non-normal"),
            Control(
                "radius",
                r"spectral radius $\rho(W)$",
                (0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25, 1.5, 2.0),
                default=0.9,
            ),
            Control("depth", "depth $k$", (5, 10, 20, 40, 80, 160, 320, 640, 1280), default=40),
        ],
        caption=(
            r"Backpropagated error $\|(W^{\mathsf T})^k \delta\|$ through $k$ layers of a linear "
            r"network with one tied $2\times 2$ weight matrix $W$: the closed form from a "
            r"decomposition of $W$ (circles) and the layer-by-layer recursion (line), with the "
            r"eigenvalues of $W$ and the unit circle below. The spectral radius decides the "
            r"eventual growth rate; a non-normal $W$ (defective or not) can add a transient hump."
        ),
        figsize=STACKED,
    )


def _draw_saxe(fig: Figure, s: float, u0: float) -> str:
    if not u0 < s:
        raise ValueError(f"u0 = {u0:g} must be smaller than s = {s:g} (the mode starts below s)")
    times, modes, lr = saxe_simulation(s, u0)
    t = np.linspace(0.0, times[-1], 200)
    closed = saxe_mode_trajectory(t, s, u0)
    shallow = s - (s - u0) * np.exp(-t)  # N_l = 2: τ u̇ = s − u
    ax = fig.add_subplot()
    ax.plot(
        t,
        shallow / s,
        color="0.6",
        lw=1,
        ls=":",
        label=r"no hidden layer: $\tau\dot u = \sigma - u$",
    )
    ax.plot(t, closed / s, lw=2, label="Saxe et al. closed form")
    ax.plot(times, modes / s, "o", ms=3, label=f"gradient descent (lr = {lr:.2g})")
    if u0 < s / 2:
        t_half = saxe_learning_time(s, u0, s / 2)
        ax.axvline(t_half, color="C3", lw=0.8, ls="--", label=rf"$t_{{1/2}} = {t_half:.3g}\,\tau$")
        story = (
            f"after a plateau it rises along the sigmoid and is half learned at t = {t_half:.3g} τ"
        )
    else:
        story = "it starts above s/2, so there is no plateau"
    ax.set_xlabel(r"training time $t/\tau$")
    ax.set_ylabel(r"$u(t)/\sigma$")
    ax.set_ylim(-0.05, 1.08)
    ax.locator_params(nbins=5)
    ax.legend(loc="lower right", fontsize=8.5)
    fig.text(0.5, 0.93, rf"One mode, $\sigma = {s:g}$, $u_0 = {u0:g}$", ha="center", fontsize=10)
    err = float(np.max(np.abs(modes - saxe_mode_trajectory(times, s, u0)))) / s
    return (
        f"Learning curve of one mode with singular value {s:g} starting from u0 = {u0:g}: "
        f"{story}; gradient descent stays within {err:.1%} of s of the closed form."
    )


def saxe_explorer() -> Explorer:
    """Chapter 3 explorer: singular value s and initial strength u₀ → Saxe curve vs simulation.

    Introduced in chapter 3 (Linear networks).

    Examples
    --------
    >>> from bpcore.widgets import saxe_explorer
    >>> saxe_explorer().controls[0].values  # the singular values s offered
    (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
    """
    return Explorer(
        name="saxe-explorer",
        draw=_draw_saxe,
        controls=[
            Control("s", r"singular value $\sigma$", (0.25, 0.5, 1.0, 2.0, 4.0, 8.0), default=1.0),
            Control(
                "u0", "initial strength $u_0$", (1e-6, 1e-4, 1e-3, 1e-2, 0.1, 0.2), default=1e-3
            ),
        ],
        caption=(
            r"Training a two-layer linear network: the strength $u(t)$ of one input–output mode "
            r"(singular value $\sigma$, initial strength $u_0$) by gradient descent with a small "
            r"step (dots) and by the exact solution of the gradient flow "
            r"$\tau\dot u = 2u(\sigma - u)$ (line). Smaller $u_0$ means a longer plateau, larger "
            r"$\sigma$ a faster rise; without a hidden layer (dotted) there is no plateau."
        ),
    )

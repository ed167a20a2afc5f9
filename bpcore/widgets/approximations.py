"""Chapter 6's interactive figures: the mean-field phase diagram, and the NTK closed form.

``phase_diagram_explorer`` puts a point (σ_w, σ_b) on the order/chaos phase diagram of a random
tanh or ReLU network (top: the critical line χ₁ = 1 from
:func:`bpcore.meanfield.critical_sigma_w`) and compares, layer by layer, the simulated
E‖δ^(l)‖² of real networks with the mean-field prediction χ₁^(n_l − l) (bottom:
:func:`bpcore.meanfield.gradient_norms` with a random read-out). ``ntk_explorer`` trains a
one-hidden-layer ReLU network in NTK parametrisation on a 1-D regression
(:func:`bpcore.ntk.train_gd`) next to the closed form of the linearised model with the
infinite-width kernel (:func:`bpcore.ntk.linearized_training` with :func:`bpcore.ntk.relu_ntk`).

This module only draws: the computations are the core's (:mod:`bpcore.meanfield`, and
:func:`bpcore.ntk.compare_with_linearized` for one run of the NTK explorer). Every simulation
is run once, when the explorer is built, for every value of the controls, so a redraw only
draws.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from bpcore import meanfield, ntk
from bpcore.plotting import STACKED_FIGSIZE
from bpcore.widgets.explorer import Control, Explorer

__all__ = [
    "NTK_GRID",
    "NTK_LR_FRACTIONS",
    "NTK_STEPS",
    "NTK_WIDTHS",
    "NTK_X",
    "NTK_Y",
    "PHASE_ACTIVATIONS",
    "PHASE_DEPTH",
    "PHASE_N_INPUTS",
    "PHASE_N_NETS",
    "PHASE_SIGMA_B",
    "PHASE_SIGMA_W",
    "PHASE_WIDTH",
    "NTKComparison",
    "ntk_comparison",
    "ntk_explorer",
    "phase_diagram_explorer",
]

# ---------------------------------------------------------------------------------------------
# the phase-diagram explorer

PHASE_ACTIVATIONS = ("tanh", "relu")
"""The activations offered by :func:`phase_diagram_explorer`."""
PHASE_SIGMA_W = (0.5, 0.8, 1.0, 1.2, 1.4, 1.6, 2.0, 2.5, 3.0)
"""The values of σ_w offered by :func:`phase_diagram_explorer`."""
PHASE_SIGMA_B = (0.05, 0.3, 0.6, 1.0, 1.5)
"""The values of σ_b offered by :func:`phase_diagram_explorer`."""
PHASE_WIDTH = 64
"""Width s_l of the simulated networks."""
PHASE_DEPTH = 20
"""Number of weight matrices n_l − 1 of the simulated networks."""
PHASE_N_NETS = 8
"""Number of random networks per setting (the error bars are over these)."""
PHASE_N_INPUTS = 8
"""Number of inputs per network."""

_SB_LINE = np.linspace(0.0, 1.7, 35)  # σ_b grid of the drawn critical line
_SW_MAX = 3.2
_ERR_SE = 2.365  # error bars: ± t_{7, 0.975} standard errors (8 networks)


@lru_cache(maxsize=2)
def _critical_line(activation: str) -> np.ndarray:
    return np.array([meanfield.critical_sigma_w(activation, float(sb)) for sb in _SB_LINE])


@lru_cache(maxsize=2 * len(PHASE_SIGMA_W) * len(PHASE_SIGMA_B))
def _gradient_norms(activation: str, sigma_w: float, sigma_b: float) -> meanfield.GradientNorms:
    return meanfield.gradient_norms(
        activation,
        sigma_w,
        sigma_b,
        PHASE_WIDTH,
        PHASE_DEPTH,
        n_nets=PHASE_N_NETS,
        n_inputs=PHASE_N_INPUTS,
        readout="random",
        seed=0,
    )


def _precompute_phase() -> None:
    for activation in PHASE_ACTIVATIONS:
        _critical_line(activation)
        for sw in PHASE_SIGMA_W:
            for sb in PHASE_SIGMA_B:
                _gradient_norms(activation, sw, sb)


def _region_names(activation: str) -> tuple[str, str]:
    if activation == "relu":
        return "vanishing", "exploding"
    return "ordered", "chaotic"


def _draw_phase(fig: Figure, sigma_w: float, sigma_b: float, activation: str) -> str:
    if activation not in PHASE_ACTIVATIONS:
        raise ValueError(f"activation must be one of {PHASE_ACTIVATIONS}, got {activation!r}")
    crit = _critical_line(activation)
    res = _gradient_norms(activation, sigma_w, sigma_b)
    chi = res.chi1
    low_name, high_name = _region_names(activation)

    # top: the phase diagram
    ax1 = fig.add_axes((0.15, 0.6, 0.8, 0.33))
    ax1.fill_betweenx(_SB_LINE, 0.0, crit, color="C0", alpha=0.18, lw=0)
    ax1.fill_betweenx(_SB_LINE, crit, _SW_MAX, color="C3", alpha=0.18, lw=0)
    ax1.plot(crit, _SB_LINE, color="k", lw=1.4)
    ax1.plot([sigma_w], [sigma_b], "o", color="k", ms=7, mfc="C1")
    # Labels between the σ_b grid values (no setting's dot covers them); few mathtext strings:
    # each one is parsed again for every new figure, ~5 ms apiece.
    ax1.text(0.06, 0.8, low_name, fontsize=10, va="center")
    ax1.text(_SW_MAX - 0.06, 0.8, high_name, fontsize=10, va="center", ha="right")
    k = int(np.searchsorted(_SB_LINE, 1.25))
    ax1.text(crit[k] + 0.06, _SB_LINE[k], r"$\chi_1 = 1$", fontsize=10, va="center")
    ax1.set_xlim(0.0, _SW_MAX)
    ax1.set_ylim(0.0, _SB_LINE[-1])
    ax1.set_xlabel(r"$\sigma_w$", labelpad=1)
    ax1.set_ylabel(r"$\sigma_b$")
    ax1.set_xticks([0, 1, 2, 3])
    ax1.set_yticks([0, 0.5, 1, 1.5])

    # bottom: simulated E‖δ^(l)‖² against χ₁^(n_l − l)
    ax2 = fig.add_axes((0.15, 0.09, 0.8, 0.36))
    layers = res.layers
    logs = np.log10(res.mean)
    upper = np.log10(res.mean + _ERR_SE * res.stderr)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.log10(res.mean - _ERR_SE * res.stderr)
    pred = np.log10(res.predicted)
    top = max(float(np.max(upper)), float(np.max(pred)))
    bottom = min(float(np.min(logs)), float(np.min(pred)))
    if top - bottom < 2.0:
        centre = 0.5 * (top + bottom)
        top, bottom = centre + 1.0, centre - 1.0
    pad = 0.08 * (top - bottom)
    lower = np.where(np.isfinite(lower), lower, bottom - pad)
    ax2.plot(layers, pred, "-", color="C1", lw=1.6)
    ax2.plot(layers, logs, "o", color="C0", ms=3.5)
    # the error bars as one line with gaps (errorbar() builds an artist per bar: slower)
    nan = np.full_like(logs, np.nan)
    ax2.plot(
        np.column_stack([layers, layers, nan]).ravel(),
        np.column_stack([lower, upper, nan]).ravel(),
        color="C0", lw=1.0,
    )  # fmt: skip
    y_text = 0.93 if chi <= 1 else 0.2
    ax2.text(0.03, y_text, "line: mean field", color="C1", fontsize=9.5,
             transform=ax2.transAxes, va="top")  # fmt: skip
    ax2.text(0.03, y_text - 0.1, "dots: simulated, 95% t-bars", color="C0", fontsize=9.5,
             transform=ax2.transAxes, va="top")  # fmt: skip
    ax2.set_ylim(bottom - pad, top + pad)
    ax2.set_xticks([2, 6, 11, 16, 21])
    ax2.locator_params(axis="y", nbins=5)
    ax2.set_xlabel(r"layer $l$", labelpad=1)
    ax2.set_ylabel(r"$\log_{10} E\|\delta^{(l)}\|^2$")
    fig.text(0.5, 0.955, rf"{activation}: $\chi_1 = {chi:.3f}$", ha="center", fontsize=10.5)

    phase = low_name if chi < 1 else high_name
    q_note = (
        " There is no finite fixed point q* here (q grows layer by layer), so the inputs start "
        "at q = 1; for ReLU χ₁ = σ_w²/2 does not depend on q."
        if activation == "relu" and sigma_w**2 >= 2.0
        else ""
    )
    return (
        f"Top: the (σ_w, σ_b) phase diagram of random {activation} networks, with the critical "
        f"line χ₁ = 1; the point σ_w = {sigma_w:g}, σ_b = {sigma_b:g} lies in the {phase} "
        f"region, χ₁ = {chi:.3f}. Bottom: log10 of E‖δ⁽ˡ⁾‖² relative to the output layer, by "
        f"layer, in {res.n_nets} random networks of width {res.width} and depth {res.depth} "
        f"with a random read-out, against the mean-field prediction χ₁ to the power nₗ − l: "
        f"the measured factor per layer is {res.rate:.3f}, at layer 2 the simulation gives "
        f"{res.mean[0]:.3g} and the prediction {res.predicted[0]:.3g}. The bars (± "
        f"{_ERR_SE:g} standard errors over {res.n_nets} networks, a 95% t-interval) under-cover: "
        f"‖δ‖² is heavy-tailed (for ReLU log-normal, see the section on the finite-width law), "
        f"so a mean over few networks is usually below E‖δ‖² and its standard error too small; "
        f"and at width {res.width} each layer adds a finite-width bias of order 1/{res.width} "
        f"to the factor χ₁.{q_note}"
    )


def phase_diagram_explorer() -> Explorer:
    """The chapter 6 explorer: σ_w, σ_b, f → the phase diagram and E‖δ^(l)‖² vs χ₁^(n_l − l).

    Introduced in chapter 6 (Approximations that work).

    Top: the (σ_w, σ_b) plane of random networks with Gaussian weights 𝒩(0, σ_w²/s_l) and biases
    𝒩(0, σ_b²), split by the critical line χ₁ = 1 (:func:`bpcore.meanfield.critical_sigma_w` on
    a grid of σ_b; for ReLU σ_w = √2 for every σ_b) into the ordered (χ₁ < 1) and chaotic
    (χ₁ > 1) regions — for ReLU, where q* does not exist above the line, simply vanishing and
    exploding gradients. Bottom: :func:`bpcore.meanfield.gradient_norms` (random read-out,
    :data:`PHASE_N_NETS` networks of width :data:`PHASE_WIDTH` and depth :data:`PHASE_DEPTH`,
    :data:`PHASE_N_INPUTS` inputs each, started at q*) — the mean of ‖δ^(l)‖² relative to the
    output layer with ± t_{7, 0.975} = 2.365 standard errors over the networks (these
    under-cover: ‖δ‖² is heavy-tailed, log-normal for ReLU, and width 64 adds an O(1/n)
    bias per layer; the figure text says so) — and the prediction
    χ₁^(n_l − l). All 90 simulations run when the explorer is built (about a second).

    In a notebook::

        explorer = widgets.phase_diagram_explorer()
        explorer.show(vary="sigma_w", sigma_b=0.05, activation="tanh")

    Examples
    --------
    Building the explorer runs every simulation (a second or more, too slow for an example
    here; the usage is the notebook lines above). Its grid:

    >>> from bpcore.widgets.approximations import PHASE_ACTIVATIONS, PHASE_SIGMA_B, PHASE_SIGMA_W
    >>> len(PHASE_ACTIVATIONS) * len(PHASE_SIGMA_W) * len(PHASE_SIGMA_B)  # simulations
    90
    """
    _precompute_phase()
    return Explorer(
        name="phase-diagram-explorer",
        draw=_draw_phase,
        controls=[
            Control("sigma_w", r"weight scale $\sigma_w$", PHASE_SIGMA_W, default=1.0),
            Control("sigma_b", r"bias scale $\sigma_b$", PHASE_SIGMA_B, default=0.05),
            Control("activation", "activation $f$", PHASE_ACTIVATIONS, default="tanh"),
        ],
        caption=(
            r"Top: the order–chaos phase diagram of random networks with weights "
            r"$\mathcal N(0, \sigma_w^2/s_l)$ and biases $\mathcal N(0, \sigma_b^2)$; "
            r"the black line is "
            r"$\chi_1 = 1$, the dot the current setting. Bottom: "
            rf"$E\|\delta^{{(l)}}\|^2$ relative to the output layer in {PHASE_N_NETS} random "
            rf"networks of width {PHASE_WIDTH} and depth {PHASE_DEPTH} with a random read-out "
            r"(dots, 95% t-bars over the networks, which under-cover for heavy tails), "
            r"against the mean-field prediction "
            r"$\chi_1^{\,n_l - l}$ (line)."
        ),
        figsize=STACKED_FIGSIZE,
    )


# ---------------------------------------------------------------------------------------------
# the NTK explorer

NTK_WIDTHS = (16, 64, 256, 1024, 4096)
"""The hidden-layer widths offered by :func:`ntk_explorer`."""
NTK_LR_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 0.9, 1.05, 1.2, 1.5, 2.0, 3.0)
"""Learning rates offered by :func:`ntk_explorer`, as fractions of 2m/λ_max (λ_max of the
infinite-width kernel on the training points)."""
NTK_STEPS = 100
"""Gradient steps of every run of :func:`ntk_explorer`."""
_x_train = np.linspace(-1.0, 1.0, 6)
NTK_X = np.column_stack([_x_train, np.ones_like(_x_train)])
"""The training inputs x̃ = (x, 1) (the bias folded into the input), x = −1, −0.6, …, 1."""
NTK_Y = 0.5 * np.sin(np.pi * _x_train)
"""The training targets y = sin(πx)/2."""
_x_grid = np.linspace(-1.5, 1.5, 121)
NTK_GRID = np.column_stack([_x_grid, np.ones_like(_x_grid)])
"""The inputs (x, 1), x ∈ [−1.5, 1.5], at which the fitted functions are drawn."""
NTK_X.setflags(write=False)
NTK_Y.setflags(write=False)
NTK_GRID.setflags(write=False)


NTKComparison = ntk.NTKComparison
"""One run of :func:`ntk_explorer`: :class:`bpcore.ntk.NTKComparison` (computed in the core)."""


@lru_cache(maxsize=len(NTK_WIDTHS) * len(NTK_LR_FRACTIONS))
def ntk_comparison(width: int, lr_fraction: float) -> NTKComparison:
    """Train the explorer's network and its linearisation at one setting (cached).

    Introduced in chapter 6 (Approximations that work).

    The network is ``ntk.NTKNetwork.random(2, width, 1, seed=0)`` (one hidden ReLU layer, NTK
    parametrisation, W_std = 1, b_std = 0, inputs x̃ = (x, 1)); the learning rate is η =
    lr_fraction · 2m/λ_max with λ_max the top eigenvalue of the infinite-width kernel
    Θ = ``ntk.relu_ntk(NTK_X, NTK_X)``; both models take :data:`NTK_STEPS` full-batch steps
    on the loss (1/2m) Σ (f(x_i) − y_i)², m = 6. The computation is
    :func:`bpcore.ntk.compare_with_linearized` on :data:`NTK_X`, :data:`NTK_Y` with test
    points :data:`NTK_GRID`.

    Examples
    --------
    >>> from bpcore.widgets.approximations import ntk_comparison
    >>> ntk_comparison(1024, 0.5)
    NTKComparison(width=1024, lr_fraction=0.5, net loss 0.00603, linearised loss 0.002544)
    """
    net0 = ntk.NTKNetwork.random(NTK_X.shape[1], width, 1, seed=0)
    return ntk.compare_with_linearized(net0, NTK_X, NTK_Y, lr_fraction, NTK_STEPS, X_test=NTK_GRID)


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _net_verdict(c: NTKComparison) -> str:
    """What the network does when the linearised model diverges (plain text)."""
    loss = c.net.loss
    own = c.lr * c.lambda_max_empirical / (2.0 * NTK_X.shape[0])
    if c.net.diverged:
        return "the network diverges too"
    peak = int(np.nanargmax(loss))
    m = NTK_X.shape[0]
    if c.collapsed:
        rise = f"its loss rises to {loss[peak]:.3g} at step {peak}, then " if peak > 0 else ""
        return (
            f"the network does not fit: {rise}it ends at {loss[-1]:.3g}, "
            f"{loss[-1] / c.null_loss:.0%} of the loss {c.null_loss:.3g} of predicting 0, with "
            f"only {c.alive_fraction:.0%} of its ReLUs still active on the plotted range "
            f"(a dead unit gets no gradient): "
            f"it collapsed towards a near-constant function instead of fitting"
        )
    if loss[peak] > 1.5 * loss[0] and loss[-1] < loss[0]:
        lam0, lam1 = c.lambda_max_empirical, c.lambda_max_final
        moved = "fell" if lam1 < lam0 else "rose"
        limit = 2.0 * m / c.lr
        side = "below" if lam1 < limit else "still above"
        return (
            f"the network catapults: its loss rises to {loss[peak]:.3g} at step {peak}, then "
            f"falls to {loss[-1]:.3g}; its own kernel's λ̂_max {moved} from {lam0:.3g} to "
            f"{lam1:.3g}, {side} 2m/η = {limit:.3g}"
        )
    if loss[-1] < loss[0]:
        kernel = (
            f"its own kernel at initialisation has λ̂_max = {c.lambda_max_empirical:.3g} "
            f"(λ_max = {c.lambda_max:.3g} at infinite width), so η = {own:.2f} × its own limit"
        )
        if own < 1.0:
            return f"the network converges (loss {loss[-1]:.3g}): {kernel}"
        return (
            f"the network converges (loss {loss[-1]:.3g}) with no visible catapult (its loss "
            f"never rises above 1.5 × its initial value); {kernel}"
        )
    return f"the network does not converge either (loss {loss[-1]:.3g} after {NTK_STEPS} steps)"


def _draw_ntk(fig: Figure, width: int, lr_fraction: float) -> str:
    c = ntk_comparison(width, lr_fraction)
    steps = np.arange(NTK_STEPS + 1)
    lin_diverged = not c.linear.stable
    lin_grid = c.linear.test[-1]

    ax1 = fig.add_axes((0.15, 0.6, 0.8, 0.33))
    ax1.plot(_x_grid, c.init_grid, color="0.55", lw=1.0, ls=":")
    ax1.plot(_x_grid, c.net_grid, color="C0", lw=1.8)
    if not lin_diverged:
        ax1.plot(_x_grid, lin_grid, color="C1", lw=1.6, ls="--")
    ax1.plot(NTK_X[:, 0], NTK_Y, "o", color="k", ms=5)
    shown = [NTK_Y, c.init_grid] + ([] if c.net.diverged else [c.net_grid])
    if not lin_diverged:
        shown.append(lin_grid)
    span = min(3.0, max(1.0, float(np.max(np.abs(np.concatenate(shown))))))
    ax1.set_ylim(-1.1 * span, 1.1 * span)
    ax1.set_xlim(_x_grid[0], _x_grid[-1])
    ax1.set_xlabel(r"$x$", labelpad=1)
    ax1.set_ylabel(r"$h(x)$")
    if lin_diverged:
        ax1.text(
            0.03, 0.05, "linearised model diverges: not drawn", transform=ax1.transAxes,
            fontsize=9.5, color="C1", bbox={"fc": "white", "ec": "none", "alpha": 0.8},
        )  # fmt: skip

    ax2 = fig.add_axes((0.15, 0.09, 0.8, 0.36))
    with np.errstate(divide="ignore"):
        net_log = np.log10(c.net.loss)
        lin_log = np.log10(np.minimum(c.linear_loss, 1e300))
    finite = np.concatenate([net_log[np.isfinite(net_log)], lin_log[np.isfinite(lin_log)]])
    low = float(np.min(finite))
    high = float(np.max(net_log[np.isfinite(net_log)])) if np.isfinite(net_log).any() else 2.0
    high = max(high, float(np.max(lin_log)) if not lin_diverged else high) + 0.5
    ax2.plot(steps, net_log, color="C0", lw=1.8)
    ax2.plot(steps, lin_log, color="C1", lw=1.6, ls="--")
    ax2.set_ylim(low - 0.3, high)
    ax2.set_xlim(0, NTK_STEPS)
    ax2.set_xlabel(r"step $t$", labelpad=1)
    ax2.set_ylabel(r"$\log_{10}$ loss")
    ax2.locator_params(axis="y", nbins=5)
    # plain-text keys instead of a legend (a legend costs more than the curves)
    ax2.text(0.97, 0.95, "solid: trained network", color="C0", fontsize=9.5,
             transform=ax2.transAxes, ha="right", va="top")  # fmt: skip
    lin_key = "dashed: linearised (NTK)"
    if lin_diverged:
        exponent = str(math.floor(float(lin_log[-1]))).translate(_SUPERSCRIPTS)
        lin_key += f"\noff the scale: 10{exponent} at step {NTK_STEPS}"
    ax2.text(0.97, 0.84, lin_key, color="C1", fontsize=9.5,
             transform=ax2.transAxes, ha="right", va="top")  # fmt: skip
    fig.text(
        0.5, 0.955,
        rf"width {width}, $\eta = {lr_fraction:g} \times 2m/\lambda_{{\max}}$",
        ha="center", fontsize=10.5,
    )  # fmt: skip

    setting = (
        f"a one-hidden-layer ReLU network of width {width} trained for {NTK_STEPS} steps with "
        f"η = {lr_fraction:g} × 2m/λ_max"
    )
    if lin_diverged:
        verdict = _net_verdict(c)
        return (
            f"Top: the fit of {setting}; the linearised model is not drawn. Bottom: log10 of "
            f"the training loss by step. η is above 2m/λ_max, the stability limit of the "
            f"linearised model, which diverges: its loss grows to {c.linear_loss[-1]:.3g}; "
            f"{verdict}."
        )
    gap = float(np.max(np.abs(c.net_grid - lin_grid)[np.abs(_x_grid) <= 1.0]))
    return (
        f"Top: the fit of {setting}, next to the linearised model's closed form with the "
        f"infinite-width kernel; on −1 ≤ x ≤ 1 they differ by at most {gap:.3g}. Bottom: log10 "
        f"of the training loss by step: after {NTK_STEPS} steps {c.net.loss[-1]:.3g} for the "
        f"network and {c.linear_loss[-1]:.3g} for the linearised model."
    )


def ntk_explorer() -> Explorer:
    """The chapter 6 explorer: width and learning rate → trained network vs the NTK closed form.

    Introduced in chapter 6 (Approximations that work).

    A one-hidden-layer ReLU network in NTK parametrisation (:class:`bpcore.ntk.NTKNetwork`)
    fits six points of y = sin(πx)/2 by full-batch gradient descent
    (:func:`bpcore.ntk.train_gd`, :data:`NTK_STEPS` steps); next to it, the discrete closed
    form of the linearised model Ŷ_t = Ŷ_0 + (I − (I − ηΘ/m)^t)(Y − Ŷ_0) with the
    infinite-width kernel Θ = :func:`bpcore.ntk.relu_ntk` and the network's own Ŷ_0
    (:func:`bpcore.ntk.linearized_training`). The learning rate is a fraction of 2m/λ_max(Θ):
    above 1 the linearised model diverges, and the figure says whether the network diverges
    too, catapults (its loss rises, then falls; the text reports the trained net's measured
    λ̂_max against 2m/η), collapses (it ends above half the loss of predicting 0, most ReLUs
    dead: not a fit) or converges because its own kernel's λ̂_max differs at this width. All 50
    runs are computed when the explorer is built (about a second; :func:`ntk_comparison`).

    In a notebook::

        explorer = widgets.ntk_explorer()
        explorer.show(vary="width", lr_fraction=0.5)

    Examples
    --------
    Building the explorer trains every setting (about half a second, too slow for an example
    here; the usage is the notebook lines above). Its grid:

    >>> from bpcore.widgets.approximations import NTK_LR_FRACTIONS, NTK_WIDTHS
    >>> NTK_WIDTHS, len(NTK_WIDTHS) * len(NTK_LR_FRACTIONS)  # the runs made when it is built
    ((16, 64, 256, 1024, 4096), 50)
    """
    for width in NTK_WIDTHS:
        for frac in NTK_LR_FRACTIONS:
            ntk_comparison(width, frac)
    return Explorer(
        name="ntk-explorer",
        draw=_draw_ntk,
        controls=[
            Control("width", "hidden width $s$", NTK_WIDTHS, default=1024),
            Control(
                "lr_fraction",
                r"learning rate $\eta$ in units of $2m/\lambda_{\max}$",
                NTK_LR_FRACTIONS,
                default=0.5,
            ),
        ],
        caption=(
            r"A one-hidden-layer ReLU network in NTK parametrisation fitted to six points by "
            rf"{NTK_STEPS} steps of gradient descent (solid), and the closed form of the "
            r"linearised model with the infinite-width kernel $\Theta$ (dashed). Top: the "
            rf"functions after {NTK_STEPS} steps (dots: the training points; dotted: the "
            r"network at initialisation); "
            r"bottom: the training loss. Above $\eta = 2m/\lambda_{\max}$ the "
            r"linearised model diverges while the network may catapult and converge."
        ),
        figsize=STACKED_FIGSIZE,
    )

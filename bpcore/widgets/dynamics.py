"""Chapter 4's interactive figures: a tied chain as a dynamical system, and ReLU regions.

``tied_chain_explorer`` shows the width-1 tied network z ↦ g(z) = w f(z) + b twice: as a
cobweb plot of the forward orbit (top) and as the size of δ^(l) = ∂z^(D)/∂z^(l) layer by layer
(bottom), with a closed form overlaid where one is known for the setting (Möbius for softsign,
the Chebyshev and power-map conjugacies for the quadratic, the affine pieces of ReLU, Koenigs
linearisation near an attracting fixed point). ``relu_regions_explorer`` shows the
piecewise-linear output of a random ReLU network along a segment, with its breakpoints.

This module only draws: the closed forms and the fixed point come from
:mod:`bpcore.dynamics.chain` (re-exported here under their old names), the regions from
:mod:`bpcore.regions`.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from bpcore.activations import Activation
from bpcore.dynamics import TiedOrbit, tied_chain
from bpcore.dynamics.chain import (
    CHAIN_ACTIVATIONS,
    CHAIN_DEPTH,
    CHAIN_Z0,
    ChainClosedForm,
    _chain_activation,
    _num,
    chain_closed_form,
    chain_fixed_point,
)
from bpcore.plotting import STACKED_FIGSIZE
from bpcore.regions import (
    RegionCount,
    count_regions,
    he_relu_network,
    product_bound,
    sawtooth_network,
)
from bpcore.widgets.explorer import Control, Explorer

__all__ = [
    "CHAIN_ACTIVATIONS",
    "CHAIN_DEPTH",
    "CHAIN_Z0",
    "REGIONS_SEGMENT",
    "ChainClosedForm",
    "chain_closed_form",
    "chain_fixed_point",
    "relu_regions_explorer",
    "tied_chain_explorer",
]


# ---------------------------------------------------------------------------------------------
# the cobweb explorer

_F_TEX = {
    "tanh": r"\tanh z",
    "softsign": r"\frac{z}{1+|z|}",
    "relu": r"\max(0, z)",
    "quadratic": r"z^2",
}
_F_TEXT = {"tanh": "tanh(z)", "softsign": "z/(1+|z|)", "relu": "max(0, z)", "quadratic": "z²"}
_WINDOW = 12.0  # the cobweb shows at most |z| ≤ 12


def _g_tex(activation: str, w: float, b: float) -> str:
    bias = "" if b == 0 else (f" + {b:g}" if b > 0 else f" - {-b:g}")
    scale = {1.0: "", -1.0: "-"}.get(w, f"{w:g}\\,")
    return rf"$g(z) = {scale}{_F_TEX[activation]}{bias}$"


def _g_text(activation: str, w: float, b: float) -> str:
    bias = "" if b == 0 else f" {'+' if b > 0 else '−'} {abs(b):g}"
    scale = {1.0: "", -1.0: "−"}.get(w, f"{_num(w)}·")
    return f"g(z) = {scale}{_F_TEXT[activation]}{bias}"


def _orbit(act: Activation, activation: str, w: float, b: float) -> TiedOrbit:
    try:
        orbit = tied_chain(act, w, b, CHAIN_Z0, CHAIN_DEPTH)
    except OverflowError:
        raise OverflowError(
            f"the orbit of z⁽⁰⁾ = {CHAIN_Z0:g} under {_g_text(activation, w, b)} "
            f"escapes to infinity: |z| passes the float64 "
            f"limit 1.8e308 before layer {CHAIN_DEPTH}, so there is no δ to plot"
        ) from None
    if not np.all(np.isfinite(orbit.deltas)):
        raise OverflowError(
            f"δ overflows float64 within {CHAIN_DEPTH} layers for {_g_text(activation, w, b)}"
        )
    return orbit


def _draw_tied_chain(fig: Figure, activation: str, w: float, b: float) -> str:
    act = _chain_activation(activation)
    orbit = _orbit(act, activation, w, b)
    zs, depth = orbit.zs, CHAIN_DEPTH
    closed = chain_closed_form(activation, w, b)
    fixed = chain_fixed_point(act, w, b, float(zs[-1]))

    # top: cobweb
    ax1 = fig.add_axes((0.16, 0.6, 0.8, 0.31))
    shown = np.clip(zs, -_WINDOW, _WINDOW)
    lo, hi = float(shown.min()), float(shown.max())
    if fixed is not None and abs(fixed[0]) <= _WINDOW:
        lo, hi = min(lo, fixed[0]), max(hi, fixed[0])
    pad = max(0.15 * (hi - lo), 0.5)
    lo, hi = lo - pad, hi + pad
    x = np.linspace(lo, hi, 240)
    ax1.plot(x, w * act.f(x) + b, color="C0", lw=1.6)
    ax1.plot([lo, hi], [lo, hi], color="0.55", lw=0.9)
    stairs = np.repeat(zs, 2)
    ax1.plot(stairs[:-1], stairs[1:], color="C1", lw=0.9)
    ax1.plot([zs[0]], [zs[0]], "o", color="C1", ms=4)
    ax1.set_xlim(lo, hi)
    ax1.set_ylim(lo, hi)
    ax1.locator_params(nbins=4)
    ax1.set_xlabel(r"$z$")
    ax1.set_ylabel(r"$g(z)$")
    escaped = bool(np.any(np.abs(zs) > _WINDOW))
    if escaped:
        ax1.text(
            0.03, 0.9, f"the orbit leaves the window: |z(30)| = {abs(zs[-1]):.2g}",
            transform=ax1.transAxes, fontsize=9,
        )  # fmt: skip

    # bottom: log10 |δ| per layer
    ax2 = fig.add_axes((0.16, 0.08, 0.8, 0.36))
    layers = np.arange(depth + 1)
    with np.errstate(divide="ignore"):
        logs = np.log10(np.abs(orbit.deltas))
    ax2.plot(layers, logs, "o", color="C0", ms=3.5, label="recurrence")
    values = [logs[np.isfinite(logs)]]
    if closed.log10_delta is not None:
        ax2.plot(layers, closed.log10_delta, "-", color="C3", lw=1.3)
        values.append(closed.log10_delta[np.isfinite(closed.log10_delta)])
        note = f"line: {closed.name} closed form"
    else:
        note = closed.formula.split(" (")[0]  # "no closed form drawn for …", details in alt text
    ax2.set_title(note, fontsize=9, color="C3", pad=3)
    finite = np.concatenate(values)
    low, high = float(finite.min()), float(finite.max())
    if high - low < 2.0:
        centre = 0.5 * (high + low)
        low, high = centre - 1.0, centre + 1.0
    margin = 0.08 * (high - low)
    ax2.set_ylim(low - margin, high + 2.5 * margin)
    ax2.set_xlim(-0.5, depth + 0.5)
    ax2.set_xticks([0, 10, 20, 30])
    ax2.locator_params(axis="y", nbins=4)
    ax2.set_xlabel(r"layer $l$ (the top layer $D = 30$ is on the right)")
    ax2.set_ylabel(r"$\log_{10}\,|\delta^{(l)}|$")
    fig.text(0.5, 0.955, _g_tex(activation, w, b) + rf", $z^{{(0)}} = {CHAIN_Z0:g}$", ha="center")

    # description (plain Unicode alt text)
    g_text = _g_text(activation, w, b)
    if fixed is None and abs(zs[-1] - zs[-2]) <= 1e-12 * (1.0 + abs(zs[-1])):
        lam_here = float(orbit.factors[-1])
        if abs(abs(lam_here) - 1.0) <= 1e-9:
            kind = "which is neutral"
        elif abs(lam_here) > 1.0:
            kind = "which repels"
        else:
            kind = "which attracts"
        where = (
            f"the orbit sits on the fixed point z = {_num(zs[-1], '.4g')}, {kind} "
            f"(λ = {_num(lam_here, '.3g')})"
        )
    elif fixed is not None:
        where = (
            f"the orbit settles at the fixed point z* = {_num(fixed[0], '.4g')} "
            f"(λ = {_num(fixed[1], '.3g')})"
        )
    elif escaped:
        where = f"the orbit leaves the window and reaches z⁽³⁰⁾ = {_num(zs[-1], '.3g')}"
    else:
        where = f"the orbit does not settle on a fixed point (z⁽³⁰⁾ = {_num(zs[-1], '.4g')})"
    zero = np.flatnonzero(orbit.deltas == 0.0)
    if zero.size:
        bottom = f"δ is 0 in float64 at layers 0 to {zero.max()} (a factor w f′(z⁽ᵏ⁾) is 0)"
    else:
        bottom = f"log10|δ⁽⁰⁾| = {_num(logs[0], '.3g')}"
    if closed.log10_delta is not None:
        cf = f"The line is the closed form ({closed.formula})."
    else:
        cf = f"No line: {closed.formula}."
    return (
        f"Top: cobweb plot of {g_text} from z⁽⁰⁾ = {CHAIN_Z0:g}; {where}. Bottom: log10|δ⁽ˡ⁾| "
        f"against the layer from the backprop recurrence, 0 at the top layer 30; {bottom}. {cf}"
    )


def tied_chain_explorer() -> Explorer:
    """The chapter 4 explorer: f, w, b → cobweb of z ↦ w f(z) + b and log10 |δ^(l)|.

    Introduced in chapter 4 (Nonlinear activations).

    The chain starts at z^(0) = :data:`CHAIN_Z0` and has :data:`CHAIN_DEPTH` layers; the δ's
    come from :func:`bpcore.dynamics.tied_chain` and the overlaid line from
    :func:`bpcore.dynamics.chain_closed_form`.

    Examples
    --------
    >>> from bpcore.widgets import tied_chain_explorer
    >>> explorer = tied_chain_explorer()
    >>> explorer
    Explorer('tied-chain-explorer', controls: activation, w, b)
    >>> explorer.render(dpi=20, activation="softsign", w=1.0, b=0.5)[1][:60]
    'Top: cobweb plot of g(z) = z/(1+|z|) + 0.5 from z⁽⁰⁾ = 0.5; '
    """
    return Explorer(
        name="tied-chain-explorer",
        draw=_draw_tied_chain,
        controls=[
            Control("activation", "activation $f$", CHAIN_ACTIVATIONS, default="tanh"),
            Control(
                "w",
                "weight $w$",
                (-2.0, -1.0, -0.5, 0.25, 0.5, 0.9, 1.0, 1.5, 2.0, 3.0, 4.0),
                default=0.5,
            ),
            Control("b", "bias $b$", (-2.0, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0), default=0.5),
        ],
        caption=(
            r"A width-1 tied network is the iteration $z \mapsto g(z) = w f(z) + b$. Top: its "
            r"cobweb plot, $g$ (blue), the diagonal and the orbit of $z^{(0)} = 0.5$ for 30 "
            r"layers. Bottom: $\log_{10}|\delta^{(l)}|$ with $\delta^{(l)} = \partial z^{(30)}"
            r"/\partial z^{(l)}$, the product of the factors $w f'(z^{(k)})$ above layer $l$; "
            r"dots from the backprop recurrence, the line from a closed form where one is known "
            r"(Möbius for softsign, Chebyshev $z^2 - 2$ and the power map for the quadratic, "
            r"the affine piece of ReLU, Koenigs near an attracting fixed point). Look for the "
            r"straight line when the orbit settles on a fixed "
            r"point (each layer multiplies $\delta$ by about the multiplier $\lambda = g'(z^*)$), "
            r"and the ragged, growing $\delta$ of the chaotic $z^2 - 2$. (The widget counts the "
            r"iterations $z^{(0)}, z^{(1)}, \dots$: its $z^{(0)}$ is the book's $z^{(2)}$.)"
        ),
        figsize=STACKED_FIGSIZE,
    )


# ---------------------------------------------------------------------------------------------
# the ReLU regions explorer

REGIONS_SEGMENT = (-2.0, 2.0)
"""The input segment of :func:`relu_regions_explorer`."""


def _regions(depth: int, width: int) -> tuple[RegionCount, int]:
    net = he_relu_network([1] + [width] * depth + [1], seed=0)
    return count_regions(net, *REGIONS_SEGMENT), product_bound(net)


def _sawtooth(depth: int) -> RegionCount:
    return count_regions(sawtooth_network(depth), 0.0, 1.0)


def _sci_tex(n: int) -> str:
    if n < 100_000:
        return str(n)
    exponent = math.floor(math.log10(n))
    return rf"{n / 10**exponent:.1f}\times 10^{{{exponent}}}"


def _draw_regions(fig: Figure, depth: int, width: int) -> str:
    rc, bound = _regions(depth, width)
    x0, x1 = REGIONS_SEGMENT
    xs = x0 + rc.t_grid * (x1 - x0)
    ys = rc.values[:, 0]
    ax1 = fig.add_axes((0.16, 0.6, 0.8, 0.3))
    ax1.plot(xs, ys, color="C0", lw=1.4)
    ax1.plot(xs[1:-1], ys[1:-1], "o", color="C1", ms=2.5)
    ax1.plot(xs[1:-1], np.zeros(xs.size - 2), "|", color="C1", ms=6,
             transform=ax1.get_xaxis_transform())  # fmt: skip
    ax1.set_xlim(x0, x1)
    if np.ptp(ys) < 1e-9:
        ax1.set_ylim(ys[0] - 1.0, ys[0] + 1.0)
    ax1.locator_params(nbins=4)
    ax1.set_xlabel(r"input $x$")
    ax1.set_ylabel("network output")
    ax1.set_title(
        rf"{rc.pieces} regions, {rc.linear_pieces} linear pieces; "
        rf"bound $(s+1)^k = {_sci_tex(bound)}$",
        fontsize=9,
        pad=3,
    )
    saw = _sawtooth(depth)
    ax2 = fig.add_axes((0.16, 0.08, 0.8, 0.3))
    ax2.plot(saw.t_grid, saw.values[:, 0], color="C2", lw=1.0)
    ax2.set_xlim(0.0, 1.0)
    ax2.set_ylim(-0.05, 1.12)
    ax2.set_xticks([0.0, 0.5, 1.0])
    ax2.set_yticks([0.0, 1.0])
    ax2.set_xlabel(r"input $x$")
    ax2.set_ylabel("sawtooth")
    ax2.set_title(
        rf"Telgarsky's sawtooth, $k = {depth}$ tent maps, $2k = {2 * depth}$ units: "
        rf"${saw.linear_pieces}$ pieces",
        fontsize=9,
        pad=3,
    )
    fig.text(
        0.5, 0.955, rf"He-initialised ReLU net, $k = {depth}$ hidden layers of width $s = {width}$",
        ha="center", fontsize=10,
    )  # fmt: skip
    return (
        f"Top: the output of a He-initialised ReLU network (seed 0) with {depth} hidden "
        f"layer{'s' if depth > 1 else ''} of width {width} along the input x from −2 to 2: "
        f"piecewise linear, with {rc.pieces} activation regions and {rc.linear_pieces} "
        f"linear pieces (breakpoints marked), against the product bound "
        f"({width}+1)^{depth} = {bound}. Bottom: Telgarsky's sawtooth with {depth} tent "
        f"map{'s' if depth > 1 else ''} "
        f"({2 * depth} units) has {saw.linear_pieces} = 2^{depth} linear pieces on [0, 1]."
    )


def relu_regions_explorer() -> Explorer:
    """The chapter 4 explorer: depth, width → the piecewise-linear output of a random ReLU net.

    Introduced in chapter 4 (Nonlinear activations).

    The network is ``bpcore.regions.he_relu_network([1, s, …, s, 1], seed=0)`` (k hidden
    layers of width s); its exact graph along x ∈ :data:`REGIONS_SEGMENT` and the breakpoints
    come from :func:`bpcore.regions.count_regions`. The bottom panel is
    :func:`bpcore.regions.sawtooth_network` of the same depth on [0, 1].

    Examples
    --------
    >>> from bpcore.widgets import relu_regions_explorer
    >>> explorer = relu_regions_explorer()
    >>> explorer
    Explorer('relu-regions-explorer', controls: depth, width)
    >>> explorer.render(dpi=20, depth=2, width=4)[1][:70]
    'Top: the output of a He-initialised ReLU network (seed 0) with 2 hidde'
    """
    return Explorer(
        name="relu-regions-explorer",
        draw=_draw_regions,
        controls=[
            Control("depth", "hidden layers $k$", (1, 2, 3, 4, 6, 8), default=3),
            Control("width", "width $s$", (2, 4, 8, 16, 32), default=16),
        ],
        caption=(
            r"A ReLU network is piecewise linear: inside one activation region every ReLU is a "
            r"fixed 0/1 mask, so the network, and every $\delta$ of backprop, is a product of "
            r"fixed matrices there. Top: the exact output of a random He-initialised network "
            r"along $x \in [-2, 2]$ with its breakpoints (dots and ticks), the number of "
            r"regions crossed and the trivial bound $(s+1)^k$. Bottom: Telgarsky's sawtooth "
            r"reaches $2^k$ pieces with only $2k$ units. Look how far below the bound the "
            r"random network stays as $k$ grows."
        ),
        figsize=STACKED_FIGSIZE,
    )

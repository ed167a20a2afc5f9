"""Chapter 2's interactive figure: ‖δ^(l)‖ layer by layer, and the coefficients f'(z^(l)).

Backprop is the linear recurrence δ^(l) = M_l δ^(l+1) with M_l = D_l W^(l)ᵀ and
D_l = diag f'(z^(l)). The explorer shows both halves of that statement for a random network:
how the size of δ changes from the output layer back to layer 2 (top), and what the diagonal
of D_l — the part of M_l that the forward pass decides — looks like in a few layers (bottom).
This module only draws; the numbers come from :func:`bpcore.network.delta_profile`
(re-exported here under its old name).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bpcore.network.profile import delta_profile
from bpcore.plotting import STACKED_FIGSIZE
from bpcore.widgets.explorer import Control, Explorer

__all__ = ["NETWORK_ACTIVATIONS", "delta_profile", "network_explorer"]

NETWORK_ACTIVATIONS = ("identity", "tanh", "sigmoid", "softplus", "relu", "leaky_relu")
"""The activations offered by :func:`network_explorer` (all have 0 <= f' <= 1)."""


_BINS = np.linspace(0.0, 1.05, 43)
# 16 examples: at width 128 each layer is then a (16 × 128) @ (128 × 128) product, which
# OpenBLAS runs on one thread; larger products go multi-threaded and, on a busy 2-core
# machine, can stall for hundreds of milliseconds waiting for the second core.
_BATCH = 16


def _draw_network(fig: Figure, depth: int, width: int, weight_scale: float, activation: str) -> str:
    norms, fprimes = delta_profile(depth, width, weight_scale, activation, batch=_BATCH)
    n_l = depth + 1
    layers = np.arange(2, n_l + 1)
    with np.errstate(divide="ignore"):
        logs = np.log10(norms)  # log10 on a linear axis: the picture of a log axis, faster
    low, mid, high = np.quantile(logs, [0.1, 0.5, 0.9], axis=0, method="nearest")
    # Few ticks and no legend: every tick label is a text to lay out, and text dominates the
    # redraw time.
    # Stacked panels (a phone column is too narrow for two side by side).
    ax1 = fig.add_axes((0.16, 0.56, 0.8, 0.34))
    ax1.fill_between(layers, low, high, color="C0", alpha=0.25, lw=0)
    ax1.plot(layers, mid, "o-", color="C0", ms=3, lw=1.2)
    ax1.set_xticks([2, (2 + n_l) // 2, n_l])
    ax1.set_xlabel(r"layer $l$")
    ax1.set_ylabel(r"$\log_{10}\,\|\delta^{(l)}\|$")
    ax1.locator_params(axis="y", nbins=4)
    finite = mid[np.isfinite(mid)]
    if finite.size and np.ptp(finite) < 2.0:  # keep a readable range when δ barely changes
        centre = 0.5 * (finite.max() + finite.min())
        ax1.set_ylim(centre - 1.5, centre + 1.5)

    ax2 = fig.add_axes((0.16, 0.08, 0.8, 0.34))
    shown = sorted({2, (1 + n_l) // 2, n_l - 1})
    for k, l in enumerate(shown):
        counts, _ = np.histogram(fprimes[l - 2], bins=_BINS)
        ax2.stairs(counts / fprimes[l - 2].size, _BINS, color=f"C{k + 1}", lw=1.4)
        ax2.text(
            0.5, 0.88 - 0.11 * k, rf"$l = {l}$", color=f"C{k + 1}", fontsize=10,
            transform=ax2.transAxes, ha="center",
        )  # fmt: skip
    ax2.set_xlim(0.0, 1.05)
    ax2.set_ylim(0.0, None)
    ax2.set_xticks([0.0, 0.5, 1.0])
    ax2.locator_params(axis="y", nbins=3)
    ax2.set_xlabel(r"$f'(z^{(l)})$, the diagonal of $D_l$")
    ax2.set_ylabel("fraction of units")
    fig.text(
        0.5,
        0.955,
        rf"{activation}, depth {depth}, width {width}, $\sigma_w = {weight_scale:.3g}$",
        ha="center",
        fontsize=10,
    )
    means = ", ".join(f"{np.mean(fprimes[l - 2]):.2f} in layer {l}" for l in shown)
    dead = "" if np.all(np.isfinite(logs)) else " For some inputs δ is exactly zero."
    return (
        f"Top: log10 of ‖δ⁽ˡ⁾‖ against the layer for a {activation} network of depth {depth}, "
        f"width {width} and weight scale {weight_scale:.3g} (median and 10–90 % band over "
        f"{_BATCH} inputs); the median goes from "
        f"{mid[-1]:.2g} at the output layer to {mid[0]:.2g} at layer 2. Bottom: histograms of "
        f"f′(z⁽ˡ⁾), whose mean is {means}.{dead}"
    )


def network_explorer() -> Explorer:
    """The chapter 2 explorer: depth, width, σ_w and f → ‖δ^(l)‖ per layer and f'(z^(l)).

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Examples
    --------
    >>> from bpcore.widgets import network_explorer
    >>> explorer = network_explorer()
    >>> explorer
    Explorer('network-explorer', controls: depth, width, weight_scale, activation)
    >>> explorer.render(dpi=20, depth=3, width=16)[1][:60]
    'Top: log10 of ‖δ⁽ˡ⁾‖ against the layer for a tanh network of'
    """
    return Explorer(
        name="network-explorer",
        draw=_draw_network,
        controls=[
            Control("depth", r"depth $n_l - 1$", (3, 5, 10, 20, 30, 40, 50), default=20),
            Control("width", "width $s_l$", (16, 32, 64, 128), default=64),
            Control(
                "weight_scale",
                r"weight scale $\sigma_w$",
                (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0),
                default=1.0,
            ),
            Control("activation", "activation $f$", NETWORK_ACTIVATIONS, default="tanh"),
        ],
        caption=(
            r"Top: the size of the backpropagated error $\|\delta^{(l)}\|$ in every layer of a "
            r"random network (Gaussian weights of scale $\sigma_w$, zero biases): median and "
            r"10–90 % band over 16 random inputs. Bottom: the distribution of $f'(z^{(l)})$, the "
            r"diagonal of $D_l$ in $M_l = D_l W^{(l)\mathsf T}$, in three layers. These "
            r"coefficients change from layer to layer and from input to input."
        ),
        figsize=STACKED_FIGSIZE,
    )

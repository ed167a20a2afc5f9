"""Chapter 0's interactive figure: how the size of δ changes with depth in a linear network.

It draws ``bpcore.linear.linear_delta_norms`` (re-exported here and from ``bpcore.widgets``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bpcore.linear import linear_delta_norms
from bpcore.widgets.explorer import Control, Explorer

__all__ = ["depth_explorer", "linear_delta_norms"]


def _draw_depth(fig: Figure, depth: int, weight_scale: float) -> str:
    ax = fig.add_subplot()
    layers = np.arange(1, depth + 2)
    norms = {tied: linear_delta_norms(depth, weight_scale, tied=tied) for tied in (True, False)}
    # log10 on a linear axis: the picture of a log axis, several times faster to draw.
    ax.plot(layers, np.log10(norms[True]), "o-", ms=3, label="tied: one W for every layer")
    ax.plot(layers, np.log10(norms[False]), "s--", ms=3, label="untied: a new W per layer")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel(r"layer $l$ (the output layer is on the right)")
    ax.set_ylabel(r"$\log_{10}\,\|\delta^{(l)}\|$")
    top = max(10.0, 5.0 * np.ceil(np.abs(np.log10([*norms[True], *norms[False]])).max() / 5.0))
    ax.set_ylim(-top, top)
    ax.locator_params(nbins=5)
    ax.legend(loc="lower right" if norms[True][0] > 1 else "upper right")
    fig.text(0.5, 0.93, rf"Linear network, width 32, $\sigma_w = {weight_scale:.3g}$", ha="center")
    return (
        f"Log-scale plot of the size of δ against the layer for a {depth}-layer linear network "
        f"with weight scale {weight_scale:.3g}: at the input layer ‖∂J/∂x‖ ≈ "
        f"{norms[True][0]:.2g} (tied) and {norms[False][0]:.2g} (untied)."
    )


def depth_explorer() -> Explorer:
    """The chapter 0 explorer: depth and weight scale → ‖δ^(l)‖ per layer of a linear network.

    Introduced in chapter 0 ("The question").

    Examples
    --------
    >>> from bpcore.widgets import depth_explorer
    >>> {control.name: control.default for control in depth_explorer().controls}
    {'depth': 20, 'weight_scale': 1.0}
    """
    return Explorer(
        name="depth-explorer",
        draw=_draw_depth,
        controls=[
            Control("depth", "depth (layers)", (2, 5, 10, 20, 40, 80), default=20),
            Control(
                "weight_scale",
                r"weight scale $\sigma_w$",
                (0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 2.0),
                default=1.0,
            ),
        ],
        caption=(
            r"Size of the backpropagated error $\|\delta^{(l)}\|$ in every layer of a linear "
            r"network ($f$ = identity) with Gaussian weights of scale $\sigma_w$. With a fresh "
            r"matrix per layer (untied) it shrinks towards the input below $\sigma_w \approx 1$ "
            r"and grows above; with one tied matrix the rate per layer is that matrix's spectral "
            r"radius (1.07 at $\sigma_w = 1$ for this draw)."
        ),
    )

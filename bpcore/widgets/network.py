"""Chapter 2's interactive figure: ‖δ^(l)‖ layer by layer, and the coefficients f'(z^(l)).

Backprop is the linear recurrence δ^(l) = M_l δ^(l+1) with M_l = D_l W^(l)ᵀ and
D_l = diag f'(z^(l)). The explorer shows both halves of that statement for a random network:
how the size of δ changes from the output layer back to layer 2 (left), and what the diagonal
of D_l — the part of M_l that the forward pass decides — looks like in a few layers (right).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from bpcore._validate import check_int, check_real
from bpcore.activations import get_activation
from bpcore.backprop import delta_recursion
from bpcore.network import MLP
from bpcore.plotting import STACKED_FIGSIZE
from bpcore.widgets.explorer import Control, Explorer

__all__ = ["NETWORK_ACTIVATIONS", "delta_profile", "network_explorer"]

NETWORK_ACTIVATIONS = ("identity", "tanh", "sigmoid", "softplus", "relu", "leaky_relu")
"""The activations offered by :func:`network_explorer` (all have 0 <= f' <= 1)."""


@lru_cache(maxsize=8)
def _unit_network(depth: int, width: int, seed: int) -> MLP:
    # Gaussian weights with σ_w = 1; every other σ_w is a multiple (MLP.random scales the same
    # standard normals), so the widget draws the random numbers once per depth and width.
    return MLP.random([width] * (depth + 1), "identity", weight_scale=1.0, seed=seed)


def delta_profile(
    depth: int,
    width: int,
    weight_scale: float,
    activation: str = "tanh",
    batch: int = 32,
    seed: int = 0,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """‖δ^(l)‖ of every layer and the coefficients f'(z^(l)) for a batch of random examples.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    The network is ``MLP.random([width] * (depth + 1), activation, weight_scale, seed=seed)``
    (Gaussian weights N(0, σ_w²/width), zero biases, f also at the output layer); the inputs
    x and targets y have i.i.d. N(0, 1) entries (seeded with ``seed + 1``). The cost is the
    squared error, δ^(n_l) = (a^(n_l) − y) ⊙ f'(z^(n_l)), and the other δ's come from
    :func:`bpcore.backprop.delta_recursion` — the same numbers as
    :meth:`bpcore.network.MLP.backward`, without computing the weight gradients.

    Parameters
    ----------
    depth : int >= 2
        Number of weight matrices n_l − 1 (so there are hidden layers 2, …, n_l − 1).
    width : int >= 1
        s_l for every layer.
    weight_scale : float > 0
        σ_w.
    activation : str
        A name for :func:`bpcore.activations.get_activation`.
    batch : int >= 1
        Number of examples m.
    seed : int >= 0

    Returns
    -------
    norms : (m, n_l − 1) array
        ``norms[i, l − 2]`` = ‖δ^(l)‖ for example i, l = 2, …, n_l.
    fprimes : list of (m, width) arrays
        ``[f'(z^(2)), …, f'(z^(n_l−1))]``: the diagonals of D_2, …, D_{n_l−1}.

    Raises
    ------
    OverflowError
        If a pre-activation or δ overflows float64.
    """
    depth = check_int(depth, "depth", minimum=2)
    width = check_int(width, "width", minimum=1)
    weight_scale = check_real(weight_scale, "weight_scale", low=0.0, low_open=True)
    act = get_activation(activation, "activation")
    batch = check_int(batch, "batch", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    unit = _unit_network(depth, width, seed)
    net = MLP([weight_scale * W for W in unit.weights], unit.biases, act)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((batch, width))
    Y = rng.standard_normal((batch, width))
    n_l = net.n_layers
    with np.errstate(over="raise", invalid="raise"):
        try:
            # One forward pass, then the recurrence itself (what MLP.backward does, without
            # the weight gradients the figure does not need): half the work of backward().
            forward = net.forward(X)
            fprimes = [act.df(forward.z_of(l)) for l in range(2, n_l)]
            delta_out = (forward.output - Y) * act.df(forward.z_of(n_l))
            deltas = delta_recursion(net.weights[1:], delta_out, fprimes)
            norms = np.linalg.norm(np.stack(deltas, axis=1), axis=2)
        except FloatingPointError as exc:
            raise OverflowError(
                f"the forward pass or δ overflows float64 (σ_w = {weight_scale:.3g}, depth {depth})"
            ) from exc
    return norms, fprimes


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

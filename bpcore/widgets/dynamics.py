"""Chapter 4's interactive figures: a tied chain as a dynamical system, and ReLU regions.

``tied_chain_explorer`` shows the width-1 tied network z ↦ g(z) = w f(z) + b twice: as a
cobweb plot of the forward orbit (top) and as the size of δ^(l) = ∂z^(D)/∂z^(l) layer by layer
(bottom), with a closed form overlaid where one is known for the setting (Möbius for softsign,
the Chebyshev and power-map conjugacies for the quadratic, the affine pieces of ReLU, Koenigs
linearisation near an attracting fixed point). ``relu_regions_explorer`` shows the
piecewise-linear output of a random ReLU network along a segment, with its breakpoints.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real
from bpcore.activations import Activation, get_activation, polynomial
from bpcore.dynamics import TiedOrbit, koenigs, mobius_closed_form, tied_chain
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

CHAIN_ACTIVATIONS = ("tanh", "softsign", "relu", "quadratic")
"""The activations offered by :func:`tied_chain_explorer` ("quadratic" is f(z) = z²)."""
CHAIN_Z0 = 0.5
"""z^(0) of the explorer's chain."""
CHAIN_DEPTH = 30
"""Number of layers D of the explorer's chain."""

_QUADRATIC = polynomial([0, 0, 1])
_LOG10_2 = math.log10(2.0)


def _chain_activation(activation: str | Activation) -> Activation:
    if activation == "quadratic":
        return _QUADRATIC
    return get_activation(activation, "activation")


def _scalar_map(act: Activation, w: float, b: float) -> tuple[Callable, Callable]:
    """g and g' on Python floats (Koenigs iterates scalars; numpy per call is ~10× slower)."""
    name = "quadratic" if act == _QUADRATIC else act.name
    if name == "tanh":
        return (lambda z: w * math.tanh(z) + b), (lambda z: w * (1.0 - math.tanh(z) ** 2))
    if name == "softsign":
        return (lambda z: w * z / (1.0 + abs(z)) + b), (lambda z: w / (1.0 + abs(z)) ** 2)
    if name == "quadratic":
        return (lambda z: w * z * z + b), (lambda z: 2.0 * w * z)

    def g(z: float) -> float:
        return w * float(act.f(np.array([z]))[0]) + b

    def dg(z: float) -> float:
        return w * float(act.df(np.array([z]))[0])

    return g, dg


def chain_fixed_point(
    activation: str | Activation, w: float, b: float, z: float, max_iter: int = 3000
) -> tuple[float, float] | None:
    """The attracting fixed point the orbit of z converges to, with its multiplier, or None.

    Introduced in chapter 4 (Nonlinear activations).

    Iterates g(z) = w f(z) + b from z (at most ``max_iter`` steps, until a step changes z by
    ≤ 1e-13 (1 + |z|)), polishes with two Newton steps, and accepts z* if
    |g(z*) − z*| ≤ 1e-12 (1 + |z*|) and the multiplier λ = g'(z*) has |λ| < 1.

    Returns
    -------
    (z_star, lam) or None
        None if the orbit does not settle (a cycle, chaos, escape, or convergence too slow
        for ``max_iter``, as at a neutral fixed point with |λ| = 1).
    """
    act = _chain_activation(activation)
    w, b, z = check_real(w, "w"), check_real(b, "b"), check_real(z, "z")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    g, dg = _scalar_map(act, w, b)
    try:
        for _ in range(max_iter):  # sequential in the layer index
            nxt = g(z)
            if not math.isfinite(nxt):
                return None
            settled = abs(nxt - z) <= 1e-13 * (1.0 + abs(z))
            z = nxt
            if settled:
                break
        else:
            return None
        for _ in range(2):
            slope = dg(z) - 1.0
            if slope != 0.0:
                z -= (g(z) - z) / slope
        lam = dg(z)
    except (OverflowError, ZeroDivisionError):
        return None
    if abs(g(z) - z) > 1e-12 * (1.0 + abs(z)) or not abs(lam) < 1.0:
        return None
    return z, lam


@dataclass(frozen=True, eq=False)
class ChainClosedForm:
    """A closed form for log10 |δ^(l)|, l = 0, …, D, of a width-1 tied chain (if one is known).

    Introduced in chapter 4 (Nonlinear activations).

    Attributes
    ----------
    name : str or None
        "Möbius", "Chebyshev", "power map", "affine pieces", "stationary" or "Koenigs"; None
        if this figure draws none for the setting (which does not mean that none exists).
    log10_delta : (D+1,) array or None
        log10 |δ^(l)| from the closed form (entries may be −inf where δ = 0).
    formula : str
        The formula, or why none is shown (plain Unicode).
    """

    name: str | None
    log10_delta: np.ndarray | None
    formula: str

    def __repr__(self) -> str:
        shown = "none" if self.log10_delta is None else short_array(self.log10_delta)
        return f"ChainClosedForm(name={self.name}, log10_delta={shown}, formula={self.formula!r})"


_NONE_DRAWN = "no closed form drawn for these settings"
_NONE_NOTE = "none known to this chapter; that does not mean none exists"


def _koenigs_log10(
    act: Activation, w: float, b: float, zs: np.ndarray, depth: int
) -> ChainClosedForm | None:
    fixed = chain_fixed_point(act, w, b, float(zs[-1]))
    if fixed is None:
        return None
    z_star, lam = fixed
    if lam == 0.0 or abs(lam) > 0.95:
        return None  # superattracting (Böttcher, not Koenigs), or too slow to converge
    g, dg = _scalar_map(act, w, b)
    try:
        dh = np.array([koenigs(g, dg, z_star, float(z), tol=1e-12, with_h=False).dh for z in zs])
    except (ValueError, OverflowError):
        return ChainClosedForm(
            None,
            None,
            f"{_NONE_DRAWN} (Koenigs' h′ at z* = {_num(z_star, '.4g')} did not converge; "
            f"{_NONE_NOTE})",
        )
    if dh[-1] == 0.0:
        return ChainClosedForm(
            None,
            None,
            f"{_NONE_DRAWN} (h′(z⁽ᴰ⁾) = 0: the orbit passes a critical point of g above layer D; "
            f"{_NONE_NOTE})",
        )
    with np.errstate(divide="ignore"):
        logs = (depth - np.arange(depth + 1)) * math.log10(abs(lam)) + np.log10(np.abs(dh))
    return ChainClosedForm(
        "Koenigs",
        logs - logs[-1],
        f"Koenigs, near z* = {_num(z_star, '.4g')} with λ = g′(z*) = {_num(lam, '.3g')}: "
        f"δ⁽ˡ⁾ = λ^(D−l) h′(z⁽ˡ⁾)/h′(z⁽ᴰ⁾), an exact identity; h′ is the product of g′/λ along "
        f"this orbit, so the line coincides with the dots by construction; its content is the "
        f"slope log10|λ| per layer once the orbit is near z* (h′ → 1)",
    )


def chain_closed_form(
    activation: str, w: float, b: float, z0: float = CHAIN_Z0, depth: int = CHAIN_DEPTH
) -> ChainClosedForm:
    """log10 |δ^(l)| of the chain z ↦ w f(z) + b from a closed form, where one is known.

    Introduced in chapter 4 (Nonlinear activations).

    δ^(l) = ∂z^(D)/∂z^(l) (so δ^(D) = 1). The closed forms, tried in this order:

    * softsign with w, b, z0 > 0 — Möbius: δ^(l) = (g^D)′(z0)/(g^l)′(z0), each from
      :func:`bpcore.dynamics.mobius_closed_form` (matrix powers Aⁿ, from z0 alone);
    * quadratic (f(z) = z²) with w b = −2 and |w z0| ≤ 2 — Chebyshev: u = w z satisfies
      u ↦ u² − 2 (and δ in u equals δ in z), u0 = 2cos θ, δ^(l) = 2^(D−l) sin(2^D θ)/sin(2^l θ).
      Hypothesis: sin(2^l θ) ≠ 0 for 0 ≤ l ≤ D. For |u0| = 2 (θ = 0, π) the limit
      |δ^(l)| = 4^(D−l) is returned; if |sin(2^l θ)| < 1e−8 for some l (θ/π dyadic, e.g. z0 = 0
      or √2 for z² − 2) the form is 0/0 or ill-conditioned and none is drawn;
    * quadratic with b = 0 — power map: δ^(l) = 2^(D−l) (w z0)^(2^D − 2^l), in log form
      (finite even where float64 underflows to 0); w z0 = 0 gives δ^(l) = 0 for l < D;
    * relu — δ^(l) = w^(D−l) if z^(k) > 0 for l ≤ k < D, else 0 (a product of fixed numbers,
      the on/off pattern read off the orbit); w = 0 gives δ^(l) = 0 for l < D;
    * a stationary orbit (z0 a fixed point, any λ, also |λ| ≥ 1): δ^(l) = λ^(D−l);
    * otherwise, if the orbit converges to a fixed point z* with 0 < |λ| ≤ 0.95, λ = g′(z*)
      (tanh, softsign, quadratic) — Koenigs: δ^(l) = λ^(D−l) h′(z^(l))/h′(z^(D)), with h′ from
      :func:`bpcore.dynamics.koenigs`. This identity is exact, but h′ here is the product of
      g′/λ along the same orbit, so it coincides with the recurrence by construction; its
      content is the slope log10|λ| per layer once the orbit is near z*.

    Everything else (2-cycles, |λ| > 0.95, chaos) gets ``name`` None and the text "no closed
    form drawn for …": none is drawn here, which does not mean none exists.

    Parameters
    ----------
    activation : {"tanh", "softsign", "relu", "quadratic"}
    w, b, z0 : float
    depth : int >= 1

    Returns
    -------
    ChainClosedForm
        With ``name`` None if none of the cases applies.

    Raises
    ------
    ValueError
        For an activation outside :data:`CHAIN_ACTIVATIONS`.
    OverflowError
        If the orbit leaves the float range.
    """
    if activation not in CHAIN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {CHAIN_ACTIVATIONS}, got {activation!r}")
    w, b, z0 = check_real(w, "w"), check_real(b, "b"), check_real(z0, "z0")
    depth = check_int(depth, "depth", minimum=1)
    act = _chain_activation(activation)
    layers = np.arange(depth + 1)
    if activation == "softsign" and w > 0 and b > 0 and z0 > 0:
        derivs = np.array([mobius_closed_form(w, b, z0, n).derivative for n in layers])
        return ChainClosedForm(
            "Möbius",
            np.log10(derivs[-1]) - np.log10(derivs),
            "Möbius: g = matrix A = [[w+b, b], [1, 1]], (gⁿ)′(z) = wⁿ/(cₙ z + dₙ)²",
        )
    if activation == "quadratic" and abs(w * b + 2.0) <= 1e-12 and abs(w * z0) <= 2.0:
        return _chebyshev(w, z0, depth)
    orbit = tied_chain(act, w, b, z0, depth)
    at_top = layers == depth
    if activation == "quadratic" and b == 0.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = (depth - layers) * _LOG10_2 + (
                np.ldexp(1.0, depth) - np.ldexp(1.0, layers)
            ) * np.log10(abs(w * z0))
        return ChainClosedForm(
            "power map",
            np.where(at_top, 0.0, logs),
            "power map: z⁽ᵏ⁾ = (w z⁽⁰⁾)^(2ᵏ)/w, δ⁽ˡ⁾ = 2^(D−l) (w z⁽⁰⁾)^(2^D−2^l) "
            "(δ = 0 below the top if w z⁽⁰⁾ = 0)",
        )
    if activation == "relu":
        # above the highest layer with z ≤ 0 every factor is w; that layer's factor is 0
        off = np.flatnonzero(orbit.zs[:-1] <= 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(at_top, 0.0, (depth - layers) * np.log10(abs(w)))
        if off.size:
            logs[: off.max() + 1] = -np.inf
        return ChainClosedForm(
            "affine pieces",
            logs,
            "ReLU, a product of fixed numbers: δ⁽ˡ⁾ = w^(D−l) if z⁽ᵏ⁾ > 0 for l ≤ k < D, else 0 "
            "(the on/off pattern is read off the forward orbit)",
        )
    zs = orbit.zs
    if np.all(np.abs(zs - zs[0]) <= 1e-12 * (1.0 + abs(zs[0]))):
        lam = float(orbit.factors[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(at_top, 0.0, (depth - layers) * np.log10(abs(lam)))
        return ChainClosedForm(
            "stationary",
            logs,
            f"stationary orbit at the fixed point z* = {_num(zs[0], '.4g')}: "
            f"δ⁽ˡ⁾ = λ^(D−l), λ = g′(z*) = {_num(lam, '.3g')}",
        )
    result = _koenigs_log10(act, w, b, zs, depth)
    if result is not None:
        return result
    return ChainClosedForm(
        None,
        None,
        f"{_NONE_DRAWN} (this figure draws the Möbius, Chebyshev, power-map, ReLU, stationary "
        f"and Koenigs forms with |λ| ≤ 0.95 only; {_NONE_NOTE})",
    )


def _chebyshev(w: float, z0: float, depth: int) -> ChainClosedForm:
    """w z² + b with w b = −2: u = w z satisfies u ↦ u² − 2, u = 2cos θ doubles θ."""
    layers = np.arange(depth + 1)
    u0 = w * z0
    theta = math.acos(max(-1.0, min(1.0, u0 / 2.0)))
    formula = (
        "Chebyshev: u = w z maps w z² + b (w b = −2) to u² − 2, u = 2cos θ doubles θ, "
        "δ⁽ˡ⁾ = 2^(D−l) sin(2^D θ)/sin(2^l θ)"
    )
    if abs(u0) == 2.0:  # θ = 0 or π: u⁽ᵏ⁾ = 2 for k ≥ 1, every factor has |g′| = 4
        return ChainClosedForm(
            "Chebyshev",
            (depth - layers) * 2.0 * _LOG10_2,
            formula + " (limit θ → 0: |δ⁽ˡ⁾| = 4^(D−l))",
        )
    sines = np.abs(np.sin(np.ldexp(theta, layers)))
    bad = np.flatnonzero(sines < 1e-8)
    if bad.size:
        return ChainClosedForm(
            None,
            None,
            f"no closed form drawn for θ = acos(w z⁽⁰⁾/2) with sin(2^l θ) ≈ 0 at layer "
            f"l = {bad[0]} (θ/π dyadic: the orbit lands on ±2 or the critical point 0, where "
            f"the sine formula is 0/0; {_NONE_NOTE})",
        )
    logs = (depth - layers) * _LOG10_2 + np.log10(sines[-1]) - np.log10(sines)
    return ChainClosedForm("Chebyshev", logs, formula)


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


def _num(x: float, fmt: str = "g") -> str:
    """A number for plain text: Unicode minus, no negative zero."""
    return format(x + 0.0, fmt).replace("-", "−")


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
    :func:`chain_closed_form`.
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
            r"and the ragged, growing $\delta$ of the chaotic $z^2 - 2$."
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
        rf"bound $(n+1)^L = {_sci_tex(bound)}$",
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
        rf"Telgarsky's sawtooth, $L = {depth}$ tent maps, $2L = {2 * depth}$ units: "
        rf"${saw.linear_pieces}$ pieces",
        fontsize=9,
        pad=3,
    )
    fig.text(
        0.5, 0.955, rf"He-initialised ReLU net, $L = {depth}$ hidden layers of width $n = {width}$",
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

    The network is ``bpcore.regions.he_relu_network([1, n, …, n, 1], seed=0)`` (L hidden
    layers of width n); its exact graph along x ∈ :data:`REGIONS_SEGMENT` and the breakpoints
    come from :func:`bpcore.regions.count_regions`. The bottom panel is
    :func:`bpcore.regions.sawtooth_network` of the same depth on [0, 1].
    """
    return Explorer(
        name="relu-regions-explorer",
        draw=_draw_regions,
        controls=[
            Control("depth", "hidden layers $L$", (1, 2, 3, 4, 6, 8), default=3),
            Control("width", "width $n$", (2, 4, 8, 16, 32), default=16),
        ],
        caption=(
            r"A ReLU network is piecewise linear: inside one activation region every ReLU is a "
            r"fixed 0/1 mask, so the network, and every $\delta$ of backprop, is a product of "
            r"fixed matrices there. Top: the exact output of a random He-initialised network "
            r"along $x \in [-2, 2]$ with its breakpoints (dots and ticks), the number of "
            r"regions crossed and the trivial bound $(n+1)^L$. Bottom: Telgarsky's sawtooth "
            r"reaches $2^L$ pieces with only $2L$ units. Look how far below the bound the "
            r"random network stays as $L$ grows."
        ),
        figsize=STACKED_FIGSIZE,
    )

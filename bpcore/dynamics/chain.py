"""Which closed form gives δ of a width-1 tied chain z ↦ w f(z) + b, and the chain's fixed point.

For the chain of chapter 4's explorer, δ^(l) = ∂z^(D)/∂z^(l) has a closed form in a few
families: Möbius (softsign), Chebyshev and the power map (the quadratic), the affine pieces of
ReLU, a stationary orbit, and Koenigs linearisation near an attracting fixed point.
:func:`chain_closed_form` picks the one that applies and returns log10 |δ^(l)| from it, or says
that none is drawn; :func:`chain_fixed_point` finds the attracting fixed point the orbit settles
on. The explorer :func:`bpcore.widgets.tied_chain_explorer` draws both.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real
from bpcore.activations import Activation, get_activation, polynomial
from bpcore.dynamics.koenigs import koenigs
from bpcore.dynamics.mobius import mobius_closed_form
from bpcore.dynamics.orbit import tied_chain

__all__ = [
    "CHAIN_ACTIVATIONS",
    "CHAIN_DEPTH",
    "CHAIN_Z0",
    "ChainClosedForm",
    "chain_closed_form",
    "chain_fixed_point",
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

    Examples
    --------
    >>> from bpcore.dynamics import chain_fixed_point
    >>> z_star, lam = chain_fixed_point("tanh", 0.5, 0.5, 0.5)
    >>> round(z_star, 6), round(lam, 6)
    (0.843947, 0.263401)
    >>> chain_fixed_point("tanh", -2.0, 0.0, 0.5) is None
    True
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

    Examples
    --------
    >>> from bpcore.dynamics import chain_closed_form
    >>> closed = chain_closed_form("relu", 2.0, 0.5, depth=3)
    >>> closed.name, closed.log10_delta.round(4)
    ('affine pieces', array([0.9031, 0.6021, 0.301 , 0.    ]))
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.dynamics import chain_closed_form, tied_chain
    >>> closed = chain_closed_form("softsign", 1.0, 0.5)
    >>> orbit = tied_chain("softsign", 1.0, 0.5, 0.5, 30)
    >>> closed.name, bool(np.allclose(closed.log10_delta, np.log10(orbit.deltas), atol=1e-9))
    ('Möbius', True)
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


def _num(x: float, fmt: str = "g") -> str:
    """A number for plain text: Unicode minus, no negative zero."""
    return format(x + 0.0, fmt).replace("-", "−")

"""bpcore.dynamics.chain: the closed forms of the width-1 tied chain's δ and its fixed point.

Each closed form is checked against the backprop recurrence (tied_chain) or a high-precision
product; these tests moved here from test_widgets_dynamics.py with the code they test.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from bpcore.activations import polynomial
from bpcore.dynamics import tied_chain
from bpcore.dynamics.chain import (
    CHAIN_DEPTH,
    CHAIN_Z0,
    chain_closed_form,
    chain_fixed_point,
)


def _recurrence_log10(activation: str, w: float, b: float) -> np.ndarray:
    act = polynomial([0, 0, 1]) if activation == "quadratic" else activation
    orbit = tied_chain(act, w, b, CHAIN_Z0, CHAIN_DEPTH)
    with np.errstate(divide="ignore"):
        return np.log10(np.abs(orbit.deltas))


def _assert_plain(text: str) -> None:
    for char in "$\\{":
        assert char not in text, text


def _assert_matches(closed: np.ndarray, recurrence: np.ndarray, tol: float) -> None:
    both = np.isfinite(closed) & np.isfinite(recurrence)
    assert both.any()
    np.testing.assert_allclose(closed[both], recurrence[both], rtol=0, atol=tol)
    # where float64 gives δ = 0, the closed form is 0 too or below the smallest float
    zero = ~np.isfinite(recurrence)
    assert np.all(closed[zero] < math.log10(5e-324)), closed[zero]
    assert np.all(recurrence[closed == -np.inf] == -np.inf)  # an exact 0 is 0 in float64 too


@pytest.mark.parametrize(
    ("activation", "w", "b", "name", "tol"),
    [
        ("softsign", 0.5, 0.5, "Möbius", 1e-12),
        ("softsign", 4.0, 2.0, "Möbius", 1e-12),
        ("quadratic", 1.0, -2.0, "Chebyshev", 1e-6),  # chaotic: both lose ~2^30 eps
        ("quadratic", -2.0, 0.0, "power map", 1e-12),
        ("quadratic", 0.5, 0.0, "power map", 1e-12),  # recurrence underflows to δ = 0
        ("relu", 3.0, -1.0, "affine pieces", 1e-12),
        ("relu", 0.5, -1.0, "affine pieces", 1e-12),  # dead: δ = 0 below layer 29
        ("tanh", 0.5, 0.5, "Koenigs", 1e-9),
        ("tanh", 2.0, 0.0, "Koenigs", 1e-9),
        ("tanh", -0.5, 0.0, "Koenigs", 1e-9),  # negative multiplier
        ("quadratic", 1.0, -0.5, "Koenigs", 1e-9),
        ("softsign", 1.0, -0.5, "Koenigs", 1e-9),
    ],
)
def test_closed_form_overlay_matches_the_recurrence(
    activation: str, w: float, b: float, name: str, tol: float
) -> None:
    closed = chain_closed_form(activation, w, b)
    assert closed.name == name
    assert closed.log10_delta.shape == (CHAIN_DEPTH + 1,)
    assert closed.log10_delta[-1] == 0.0
    _assert_matches(closed.log10_delta, _recurrence_log10(activation, w, b), tol)
    _assert_plain(closed.formula)


def test_chebyshev_overlay_against_high_precision_product() -> None:
    # independent of float64: δ^(l) = ∏_{k ≥ l} 2 z_k with the orbit in 60-digit arithmetic
    with mpmath.workdps(60):
        z = [mpmath.mpf(CHAIN_Z0)]
        for _ in range(CHAIN_DEPTH):
            z.append(z[-1] ** 2 - 2)
        exact = [
            float(mpmath.log10(abs(mpmath.fprod(2 * zk for zk in z[l:CHAIN_DEPTH]))))
            for l in range(CHAIN_DEPTH + 1)
        ]
    closed = chain_closed_form("quadratic", 1.0, -2.0)
    np.testing.assert_allclose(closed.log10_delta, exact, rtol=0, atol=1e-6)


def test_no_closed_form_is_said_carefully() -> None:
    for activation, w, b in [("tanh", 1.0, 0.0), ("tanh", -2.0, 0.0), ("quadratic", 1.0, -1.0)]:
        closed = chain_closed_form(activation, w, b)
        assert closed.name is None
        assert closed.log10_delta is None
        assert closed.formula.startswith("no closed form drawn for these settings")
        assert "does not mean none exists" in closed.formula
    # a critical point on the orbit (z^(1) = 0, g′ = 0) is now handled: h′ = 0 below it
    critical = chain_closed_form("quadratic", -1.0, 0.25)
    assert critical.name == "Koenigs"
    _assert_matches(critical.log10_delta, _recurrence_log10("quadratic", -1.0, 0.25), 1e-9)
    assert np.all(critical.log10_delta[:2] == -np.inf)
    assert "ChainClosedForm(name=None" in repr(chain_closed_form("tanh", 1.0, 0.0))


def _mp_log10_deltas(g, dg, z0, depth: int = CHAIN_DEPTH) -> list[float]:
    """log10 |δ^(l)| = log10 |∏_{l ≤ k < D} g′(z_k)| with the orbit in 60-digit arithmetic."""
    with mpmath.workdps(60):
        z = [mpmath.mpf(z0)]
        for _ in range(depth):
            z.append(g(z[-1]))
        out = []
        for l in range(depth + 1):
            p = mpmath.fprod(dg(zk) for zk in z[l:depth])
            out.append(-math.inf if p == 0 else float(mpmath.log10(abs(p))))
        return out


def test_chebyshev_rescaled_wb_minus_two() -> None:
    """2z² − 1 = T₂ and 4z² − 1/2 are w z² + b with w b = −2 (u = w z ↦ u² − 2)."""
    for w, b in [(2.0, -1.0), (-1.0, 2.0), (-2.0, 1.0), (0.5, -4.0)]:
        closed = chain_closed_form("quadratic", w, b)
        assert closed.name == "Chebyshev"
        ref = _mp_log10_deltas(lambda z, w=w, b=b: w * z * z + b, lambda z, w=w: 2 * w * z, 0.5)
        np.testing.assert_allclose(closed.log10_delta, ref, rtol=0, atol=1e-6)
    # w = 4, b = −1/2 from z0 = 0.5: u0 = 2 (θ = 0), the limit |δ^(l)| = 4^(D−l)
    closed = chain_closed_form("quadratic", 4.0, -0.5)
    layers = np.arange(CHAIN_DEPTH + 1)
    np.testing.assert_allclose(
        closed.log10_delta, (CHAIN_DEPTH - layers) * math.log10(4.0), atol=1e-12
    )


def test_chebyshev_edge_cases() -> None:
    depth = 12
    layers = np.arange(depth + 1)
    cheb, dcheb = (lambda z: z * z - 2), (lambda z: 2 * z)
    # z0 = 2 (θ = 0): a fixed point with g′ = 4
    top = chain_closed_form("quadratic", 1.0, -2.0, z0=2.0, depth=depth)
    np.testing.assert_allclose(top.log10_delta, (depth - layers) * math.log10(4.0), atol=1e-12)
    np.testing.assert_allclose(top.log10_delta, _mp_log10_deltas(cheb, dcheb, 2, depth), atol=1e-12)
    # z0 = −2 (θ = π): |δ| = 4^(D−l) as well
    bottom = chain_closed_form("quadratic", 1.0, -2.0, z0=-2.0, depth=depth)
    np.testing.assert_allclose(
        bottom.log10_delta, _mp_log10_deltas(cheb, dcheb, -2, depth), atol=1e-12
    )
    # z0 = 0 (θ = π/2, δ^(0) = 0 exactly) and z0 = √2 (θ = π/4): the sine form is 0/0: refused
    for z0 in (0.0, math.sqrt(2.0)):
        closed = chain_closed_form("quadratic", 1.0, -2.0, z0=z0, depth=depth)
        assert closed.name is None
        assert closed.formula.startswith("no closed form drawn for θ")


def test_power_map_and_relu_zero_edge_cases() -> None:
    depth = 10
    expected = np.r_[np.full(depth, -np.inf), 0.0]  # δ^(l) = 0 for l < D, δ^(D) = 1
    for activation, w, b, z0 in [("quadratic", 2.0, 0.0, 0.0), ("quadratic", 0.0, 0.0, 0.7),
                                 ("relu", 0.0, 0.3, 0.5)]:  # fmt: skip
        closed = chain_closed_form(activation, w, b, z0=z0, depth=depth)
        assert not np.any(np.isnan(closed.log10_delta))
        np.testing.assert_array_equal(closed.log10_delta, expected)
        act = polynomial([0, 0, 1]) if activation == "quadratic" else activation
        with np.errstate(divide="ignore"):
            rec = np.log10(np.abs(tied_chain(act, w, b, z0, depth).deltas))
        np.testing.assert_array_equal(rec, expected)


def test_chain_fixed_point_against_mpmath() -> None:
    z_star, lam = chain_fixed_point("tanh", 0.5, 0.5, CHAIN_Z0)
    with mpmath.workdps(30):
        ref = mpmath.findroot(lambda z: 0.5 * mpmath.tanh(z) + 0.5 - z, 0.8)
        assert z_star == pytest.approx(float(ref), abs=1e-14)
        assert lam == pytest.approx(float(0.5 * mpmath.sech(ref) ** 2), rel=1e-12)
    assert chain_fixed_point("tanh", 1.0, 0.0, CHAIN_Z0) is None  # neutral: too slow
    assert chain_fixed_point("tanh", -2.0, 0.0, CHAIN_Z0) is None  # attracting 2-cycle
    assert chain_fixed_point("quadratic", 1.0, 1.0, CHAIN_Z0) is None  # escapes


@pytest.mark.parametrize(
    ("call", "exc", "msg"),
    [
        (lambda: chain_closed_form("gelu", 1.0, 0.0), ValueError, "activation must be one of"),
        (lambda: chain_closed_form("tanh", "w", 0.0), TypeError, "w must be a real number"),
        (lambda: chain_closed_form("tanh", 1.0, 0.0, depth=0), ValueError, "depth must be"),
        (lambda: chain_fixed_point("tanh", 1.0, 0.0, 0.5, 0), ValueError, "max_iter must be"),
        (lambda: chain_fixed_point("gelu", 1.0, 0.0, 0.5), ValueError, "activation must be"),
    ],
)
def test_bad_input(call, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        call()

"""Chapter 4's explorers: the tied chain (cobweb + δ with closed forms) and ReLU regions."""

from __future__ import annotations

import itertools
import math

import numpy as np
from test_dynamics_chain import _assert_matches, _assert_plain, _recurrence_log10

from bpcore import widgets
from bpcore.regions import brute_force_regions, he_relu_network
from bpcore.widgets.dynamics import (
    CHAIN_ACTIVATIONS,
    CHAIN_DEPTH,
    REGIONS_SEGMENT,
    chain_closed_form,
    relu_regions_explorer,
    tied_chain_explorer,
)


def test_every_closed_form_on_the_control_grid_matches_the_recurrence() -> None:
    explorer = tied_chain_explorer()
    by_name = {c.name: c.values for c in explorer.controls}
    names = set()
    for activation, w, b in itertools.product(CHAIN_ACTIVATIONS, by_name["w"], by_name["b"]):
        try:
            recurrence = _recurrence_log10(activation, w, b)
        except OverflowError:
            assert activation == "quadratic"  # only the quadratic escapes to infinity
            continue
        closed = chain_closed_form(activation, w, b)
        names.add(closed.name)
        _assert_plain(closed.formula)
        if closed.name is None:
            assert closed.formula.startswith("no closed form drawn for")
            assert "does not mean none exists" in closed.formula
        else:  # tolerance: 1e-6 decades (the chaotic Chebyshev orbits lose ~2^30 eps)
            _assert_matches(closed.log10_delta, recurrence, 1e-6)
            assert closed.log10_delta[-1] == 0.0
    assert names == {
        None, "Möbius", "Chebyshev", "power map", "affine pieces", "stationary", "Koenigs"
    }  # fmt: skip


def test_stationary_orbits_and_neutral_wording() -> None:
    # z² + 1/4 at z0 = 1/2: the parabolic (neutral) fixed point, λ = 1
    closed = chain_closed_form("quadratic", 1.0, 0.25)
    assert closed.name == "stationary"
    np.testing.assert_array_equal(closed.log10_delta, np.zeros(CHAIN_DEPTH + 1))
    # a repelling stationary orbit: 3z² − 1/4 fixes z0 = 1/2 with λ = 3
    rep = chain_closed_form("quadratic", 3.0, -0.25)
    layers = np.arange(CHAIN_DEPTH + 1)
    np.testing.assert_allclose(
        rep.log10_delta, (CHAIN_DEPTH - layers) * math.log10(3.0), atol=1e-12
    )
    explorer = tied_chain_explorer()
    for activation, w, b in [("relu", 1.0, 0.0), ("quadratic", 1.0, 0.25)]:
        _, text = explorer.render(activation=activation, w=w, b=b)
        assert "which is neutral" in text, text
        assert "repels" not in text


def test_tied_chain_explorer_renders_every_extreme() -> None:
    explorer = tied_chain_explorer()
    assert widgets.tied_chain_explorer is tied_chain_explorer
    extremes = {c.name: (c.values[0], c.values[-1]) for c in explorer.controls}
    for activation in CHAIN_ACTIVATIONS:
        for w, b in itertools.product(extremes["w"], extremes["b"]):
            png, description = explorer.render(activation=activation, w=w, b=b)
            assert png.startswith(b"\x89PNG")
            _assert_plain(description)
            if "cannot be drawn" in description:
                assert activation == "quadratic"
                assert "escapes to infinity" in description
            else:
                assert description.startswith("Top: cobweb plot of g(z) = ")
    _, message = explorer.render(activation="quadratic", w=4.0, b=2.0)
    assert "cannot be drawn: the orbit of z⁽⁰⁾ = 0.5 under g(z) = 4·z² + 2 escapes" in message
    _, text = explorer.render(activation="tanh", w=0.5, b=0.5)
    assert "settles at the fixed point z* = 0.8439" in text
    assert "(Koenigs" in text


def test_tied_chain_static_scrubber() -> None:
    explorer = tied_chain_explorer()
    for control in explorer.controls:
        assert len(control.values) <= 12
    scrubber = explorer.static("w", dpi=48, activation="tanh", b=0.0)
    assert len(scrubber.frames) == len(explorer.controls[1].values)
    assert len(set(scrubber.frames)) == len(scrubber.frames)
    for d in scrubber.descriptions:
        _assert_plain(d)
        assert "cannot be drawn" not in d
    assert "Fixed: activation $f$ = tanh, bias $b$ = 0.)" in scrubber.caption
    assert "bp-scrubber" in scrubber._repr_html_()


def test_relu_regions_explorer_counts_against_brute_force() -> None:
    explorer = relu_regions_explorer()
    assert widgets.relu_regions_explorer is relu_regions_explorer
    for depth, width in [(3, 16), (8, 4), (1, 32)]:
        _, description = explorer.render(depth=depth, width=width)
        _assert_plain(description)
        net = he_relu_network([1] + [width] * depth + [1], seed=0)
        pieces = brute_force_regions(net, *REGIONS_SEGMENT, samples=200_000)
        assert f"with {pieces} activation regions" in description
        assert f"({width}+1)^{depth} = {(width + 1) ** depth}." in description
        assert f"has {2**depth} = 2^{depth} linear pieces" in description


def test_relu_regions_explorer_extremes_and_static() -> None:
    explorer = relu_regions_explorer()
    for control in explorer.controls:
        assert len(control.values) <= 12
        for value in (control.values[0], control.values[-1]):
            png, description = explorer.render(**{control.name: value})
            assert png.startswith(b"\x89PNG")
            assert "cannot be drawn" not in description
    _, corner = explorer.render(depth=8, width=32)
    assert "cannot be drawn" not in corner
    scrubber = explorer.static("depth", dpi=48, width=16)
    assert len(scrubber.frames) == 6 == len(set(scrubber.frames))
    assert all("of width 16" in d for d in scrubber.descriptions)

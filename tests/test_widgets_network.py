"""Chapter 2's explorer: ‖δ^(l)‖ per layer and the coefficients f'(z^(l))."""

from __future__ import annotations

import numpy as np
import pytest

from bpcore import widgets
from bpcore.network import MLP
from bpcore.widgets.network import NETWORK_ACTIVATIONS, delta_profile, network_explorer


@pytest.mark.parametrize("activation", NETWORK_ACTIVATIONS)
def test_delta_profile_matches_backward_of_the_same_network(activation: str) -> None:
    depth, width, scale, batch, seed = 5, 6, 1.3, 4, 2
    norms, fprimes = delta_profile(depth, width, scale, activation, batch=batch, seed=seed)
    net = MLP.random([width] * (depth + 1), activation, weight_scale=scale, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, Y = rng.standard_normal((batch, width)), rng.standard_normal((batch, width))
    g = net.backward(X, Y)
    assert norms.shape == (batch, depth)
    expected = np.stack([np.linalg.norm(g.delta_of(l), axis=1) for l in range(2, depth + 2)], 1)
    np.testing.assert_allclose(norms, expected, rtol=1e-12, atol=1e-300)
    forward = net.forward(X)
    assert len(fprimes) == depth - 1
    for l, fp in zip(range(2, depth + 1), fprimes, strict=True):
        assert fp.shape == (batch, width)
        np.testing.assert_allclose(fp, net.activation.df(forward.z_of(l)), rtol=1e-12)


def test_delta_profile_coefficients_per_activation() -> None:
    _, ones = delta_profile(4, 8, 2.0, "identity", batch=3)
    assert all(np.all(fp == 1.0) for fp in ones)
    _, mask = delta_profile(4, 8, 2.0, "relu", batch=3)
    assert all(set(np.unique(fp)) <= {0.0, 1.0} for fp in mask)
    assert 0.2 < np.mean(np.concatenate(mask)) < 0.8  # about half the units are active
    _, sig = delta_profile(4, 8, 1.0, "sigmoid", batch=3)
    assert all(np.all((fp > 0) & (fp <= 0.25)) for fp in sig)


def test_delta_profile_identity_with_small_weights_vanishes() -> None:
    norms, _ = delta_profile(30, 32, 0.5, "identity", batch=8)
    # each layer multiplies ‖δ‖ by about σ_w = 0.5: 29 steps ≈ 10^-8.7
    drop = np.median(np.log10(norms[:, 0]) - np.log10(norms[:, -1]))
    assert -10.5 < drop < -7.0


def test_delta_profile_overflow_is_reported() -> None:
    with pytest.raises(OverflowError, match="overflows float64"):
        delta_profile(5, 4, 1e100, "identity", batch=2)


@pytest.mark.parametrize(
    ("kwargs", "exc", "msg"),
    [
        ({"depth": 1}, ValueError, "depth must be an integer >= 2"),
        ({"depth": 2.5}, TypeError, "depth must be an integer"),
        ({"width": 0}, ValueError, "width must be an integer >= 1"),
        ({"weight_scale": 0.0}, ValueError, "weight_scale must be > 0"),
        ({"weight_scale": "big"}, TypeError, "weight_scale must be a real number"),
        ({"activation": "gelu"}, ValueError, "activation must be one of"),
        ({"batch": 0}, ValueError, "batch must be an integer >= 1"),
        ({"seed": -3}, ValueError, "seed must be an integer >= 0"),
    ],
)
def test_delta_profile_bad_input(kwargs: dict, exc: type, msg: str) -> None:
    args = {"depth": 4, "width": 8, "weight_scale": 1.0, **kwargs}
    with pytest.raises(exc, match=msg):
        delta_profile(**args)


def test_network_explorer_renders_every_extreme() -> None:
    explorer = network_explorer()
    assert widgets.network_explorer is network_explorer
    for control in explorer.controls:
        for value in (control.values[0], control.values[-1]):
            png, description = explorer.render(**{control.name: value})
            assert png.startswith(b"\x89PNG")
            assert "cannot be drawn" not in description
    big = {c.name: c.values[-1] for c in explorer.controls if c.name != "activation"}
    for activation in NETWORK_ACTIVATIONS:
        _, description = explorer.render(activation=activation, **big)
        assert "cannot be drawn" not in description
        assert f"for a {activation} network of depth 50" in description


def test_network_explorer_static_frames() -> None:
    explorer = network_explorer()
    for control in explorer.controls:
        assert len(control.values) <= 12
    scrubber = explorer.static("weight_scale", depth=10, width=16)
    assert len(scrubber.frames) == len(explorer.controls[2].values)
    assert len(set(scrubber.frames)) == len(scrubber.frames)
    assert all("tanh network of depth 10, width 16" in d for d in scrubber.descriptions)
    assert sum(len(f) for f in scrubber.frames) < 2_000_000

"""bpcore.network.profile: ‖δ^(l)‖ per layer and f'(z^(l)) of a random network, against backward.

These tests moved here from test_widgets_network.py with the code they test.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpcore.network import MLP, delta_profile
from bpcore.widgets.network import NETWORK_ACTIVATIONS  # the activations the explorer offers


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

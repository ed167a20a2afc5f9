"""Chapter 2's explorer: ‖δ^(l)‖ per layer and the coefficients f'(z^(l))."""

from __future__ import annotations

from bpcore import widgets
from bpcore.widgets.network import NETWORK_ACTIVATIONS, network_explorer


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

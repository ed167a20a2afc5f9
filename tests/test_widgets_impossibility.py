"""Chapter 5's explorers: the stack-machine network layer by layer, and brute-force JSR bounds."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from bpcore import widgets
from bpcore.impossibility import jsr_bounds, reverse_program, run_reference
from bpcore.widgets.impossibility import (
    JSR_SETS,
    STACK_INPUT,
    STACK_LAYERS,
    STACK_LENGTHS,
    jsr_explorer,
    jsr_matrices,
    stack_machine_explorer,
    stack_machine_run,
)


def _assert_plain(text: str) -> None:
    for char in "$\\{":
        assert char not in text, text


def _stack_text(stack: tuple[int, ...]) -> str:
    return "".join(map(str, stack)) or "∅"


_EXACT = re.compile(r"Exact: state (\w+), stack 1 = ([01∅]+), stack 2 = ([01∅]+)\.")


def test_input_bits_are_the_documented_draw() -> None:
    bits = np.random.default_rng(0).integers(0, 2, 40)
    assert "".join(map(str, bits)) == STACK_INPUT


def test_decoded_state_in_the_figure_is_the_reference_machine_at_every_layer() -> None:
    # the reference is plain Python tuples (run_reference), independent of the network
    explorer = stack_machine_explorer()
    for length in (4, 26, 32):
        ref = run_reference(reverse_program(), "move", [STACK_INPUT[:length], ""], STACK_LAYERS[-1])
        for layer in STACK_LAYERS:
            _, description = explorer.render(layer=layer, length=length)
            _assert_plain(description)
            match = _EXACT.search(description)
            assert match, description
            conf = ref[layer]
            assert match.groups() == (conf.state, *map(_stack_text, conf.stacks))


def test_stack_run_decodes_every_layer_like_the_reference() -> None:
    for length in STACK_LENGTHS:
        run = stack_machine_run(length)
        ref = run_reference(reverse_program(), "move", [STACK_INPUT[:length], ""], run.layers)
        assert list(run.decoded_exact) == ref
        assert stack_machine_run(length) is run  # cached
    assert (
        repr(stack_machine_run(26))
        == "StackRun(n=26, layers 0..27, float64 first wrong at layer 26)"
    )


def test_float64_failure_point_shows_in_the_figure() -> None:
    explorer = stack_machine_explorer()
    # n = 26: float64 is right up to layer 25 and wrong from the 26th push on
    run = stack_machine_run(26)
    assert [run.agrees(layer) for layer in range(run.layers + 1)] == [True] * 26 + [False] * 2
    _, ok = explorer.render(layer=25, length=26)
    assert "float64 decodes the same configuration." in ok
    _, bad = explorer.render(layer=26, length=26)
    assert "float64 decodes state move, stack 1 = ∅, stack 2 = " in bad
    assert "wrong in stack 2 from position 23" in bad
    assert "(here, so far, up to 52) and float64 keeps 53" in bad
    # n >= 27: the input code itself (2n > 53 bits) is rounded at layer 0
    for length in (27, 28, 32):
        assert not stack_machine_run(length).agrees(0)
        _, text = explorer.render(layer=0, length=length)
        assert "wrong in stack 1" in text
    for length in (4, 8, 12, 16, 20, 24, 25):
        run = stack_machine_run(length)
        assert all(run.agrees(layer) for layer in range(run.layers + 1))


def test_long_wrong_float64_stacks_are_abbreviated() -> None:
    _, text = stack_machine_explorer().render(layer=25, length=32)
    assert "… (64 symbols)" in text  # the mid-gap decoder reads 1s up to its cap of 64
    _assert_plain(text)


def test_stack_machine_every_extreme_renders() -> None:
    explorer = stack_machine_explorer()
    assert widgets.stack_machine_explorer is stack_machine_explorer
    for control in explorer.controls:
        assert len(control.values) <= 12
    for layer, length in itertools.product(
        (STACK_LAYERS[0], STACK_LAYERS[-1]), (STACK_LENGTHS[0], STACK_LENGTHS[-1])
    ):
        png, description = explorer.render(layer=layer, length=length)
        assert png.startswith(b"\x89PNG")
        assert "cannot be drawn" not in description
        assert description.startswith(
            f"The activations after {layer} machine steps (layer {layer + 1}, counting the input "
            "as layer 1) of the tied saturated-linear network"
        )
    _, halted = explorer.render(layer=27, length=4)
    assert "Exact: state halt, stack 1 = ∅, stack 2 = 0111." in halted


def test_stack_machine_static_scrubber() -> None:
    explorer = stack_machine_explorer()
    assert 'explorer.show(vary="layer", length=26)' in stack_machine_explorer.__doc__
    scrubber = explorer.static("layer", dpi=48, length=26)
    assert len(scrubber.frames) == len(STACK_LAYERS) == len(set(scrubber.frames))
    for d in scrubber.descriptions:
        _assert_plain(d)
        assert "cannot be drawn" not in d
    assert "(Fixed: input bits $n$ = 26.)" in scrubber.caption
    assert sum(len(f) for f in scrubber.frames) < 2_000_000
    lengths = explorer.static("length", dpi=48, layer=26)
    assert len(lengths.frames) == len(STACK_LENGTHS) == len(set(lengths.frames))


@pytest.mark.parametrize(
    ("call", "exc", "msg"),
    [
        (lambda: stack_machine_run(0), ValueError, "length must be an integer >= 1"),
        (lambda: stack_machine_run(41), ValueError, "length must be <= 40"),
        (lambda: stack_machine_run(4, -1), ValueError, "layers must be"),
        (lambda: stack_machine_run(2.0), TypeError, "length must be an integer"),
        (lambda: jsr_matrices("identity"), ValueError, "name must be one of"),
    ],
)
def test_bad_input(call, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        call()


def test_jsr_explorer_bounds_match_jsr_bounds() -> None:
    explorer = jsr_explorer()
    assert widgets.jsr_explorer is jsr_explorer
    for name, k in [("golden pair", 2), ("unbounded pair", 12), ("ReLU backward factors", 7)]:
        _, description = explorer.render(matrices=name, k=k)
        _assert_plain(description)
        bounds = [jsr_bounds(jsr_matrices(name), j) for j in range(1, k + 1)]
        lower, upper = max(b.lower for b in bounds), min(b.upper for b in bounds)
        m = len(jsr_matrices(name))
        assert f"after all {m}^{k} = {m**k} products of length {k}" in description
        assert f"{lower:.4f} ≤ JSR ≤ {upper:.4f}" in description
    _, golden = explorer.render(matrices="golden pair", k=2)
    assert "1.6180 ≤ JSR ≤ 1.6180" in golden


def test_jsr_explorer_extremes_and_static() -> None:
    explorer = jsr_explorer()
    for control in explorer.controls:
        assert len(control.values) <= 12
    for name in JSR_SETS:
        for k in (1, 12):
            png, description = explorer.render(matrices=name, k=k)
            assert png.startswith(b"\x89PNG")
            _assert_plain(description)
            if name == "ReLU backward factors" and k == 12:
                assert description.startswith(
                    "This setting cannot be drawn: k = 12 would need all 4^12 = 16,777,216 products"
                )
            else:
                assert "cannot be drawn" not in description
    assert 'explorer.show(vary="k", matrices="unbounded pair")' in jsr_explorer.__doc__
    scrubber = explorer.static("k", dpi=48, matrices="unbounded pair")
    assert len(scrubber.frames) == 12 == len(set(scrubber.frames))
    assert all("cannot be drawn" not in d for d in scrubber.descriptions)

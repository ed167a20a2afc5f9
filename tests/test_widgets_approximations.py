"""Chapter 6's explorers: the mean-field phase diagram and the NTK closed form vs training."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bpcore import meanfield, ntk, widgets
from bpcore.widgets.approximations import (
    NTK_GRID,
    NTK_LR_FRACTIONS,
    NTK_STEPS,
    NTK_WIDTHS,
    NTK_X,
    NTK_Y,
    PHASE_ACTIVATIONS,
    PHASE_DEPTH,
    PHASE_N_INPUTS,
    PHASE_N_NETS,
    PHASE_SIGMA_B,
    PHASE_SIGMA_W,
    PHASE_WIDTH,
    NTKComparison,
    ntk_comparison,
    ntk_explorer,
    phase_diagram_explorer,
)


def _assert_plain(text: str) -> None:
    for char in "$\\{":
        assert char not in text, text


@pytest.fixture(scope="module")
def phase() -> widgets.Explorer:
    return phase_diagram_explorer()


@pytest.fixture(scope="module")
def ntk_exp() -> widgets.Explorer:
    return ntk_explorer()


def test_exported(phase: widgets.Explorer, ntk_exp: widgets.Explorer) -> None:
    assert widgets.phase_diagram_explorer is phase_diagram_explorer
    assert widgets.ntk_explorer is ntk_explorer
    # the explorer's computation lives in the core module it illustrates
    assert NTKComparison is ntk.NTKComparison
    for explorer in (phase, ntk_exp):
        for control in explorer.controls:
            assert len(control.values) <= 12


@pytest.mark.parametrize(
    ("activation", "sigma_w", "sigma_b"),
    [("tanh", 1.0, 0.05), ("tanh", 2.5, 0.3), ("relu", 1.4, 0.6), ("relu", 3.0, 1.5)],
)
def test_phase_figure_draws_the_module_numbers(
    phase: widgets.Explorer, activation: str, sigma_w: float, sigma_b: float
) -> None:
    # recomputed here, independently of the explorer's cache
    ref = meanfield.gradient_norms(
        activation, sigma_w, sigma_b, PHASE_WIDTH, PHASE_DEPTH,
        n_nets=PHASE_N_NETS, n_inputs=PHASE_N_INPUTS, readout="random", seed=0,
    )  # fmt: skip
    fig = phase.figure(activation=activation, sigma_w=sigma_w, sigma_b=sigma_b)
    top, bottom = fig.axes
    # the current point and the critical line
    marker = top.lines[1]
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (sigma_w, sigma_b)
    line = top.lines[0]
    sb = line.get_ydata()
    for k in (0, len(sb) // 2, len(sb) - 1):
        expected = meanfield.critical_sigma_w(activation, float(sb[k]))
        assert line.get_xdata()[k] == pytest.approx(expected, rel=1e-12)
    # the prediction line and the simulated dots
    pred, dots = bottom.lines[0], bottom.lines[1]
    np.testing.assert_array_equal(pred.get_xdata(), ref.layers)
    np.testing.assert_allclose(pred.get_ydata(), np.log10(ref.predicted), rtol=0, atol=1e-12)
    np.testing.assert_allclose(dots.get_ydata(), np.log10(ref.mean), rtol=0, atol=1e-12)
    chi = meanfield.chi1(activation, sigma_w, sigma_b)
    np.testing.assert_allclose(
        ref.predicted, chi ** (PHASE_DEPTH + 1 - ref.layers).astype(float), rtol=1e-12
    )
    _, text = phase.render(activation=activation, sigma_w=sigma_w, sigma_b=sigma_b)
    _assert_plain(text)
    assert f"χ₁ = {chi:.3f}" in text
    assert f"the measured factor per layer is {ref.rate:.3f}" in text
    phase_name = (
        ("ordered" if chi < 1 else "chaotic")
        if activation == "tanh"
        else ("vanishing" if chi < 1 else "exploding")
    )
    assert f"lies in the {phase_name} region" in text


def test_phase_values_of_the_contract() -> None:
    # the chapter's measured facts, read off the explorer's own functions
    assert meanfield.chi1("tanh", 1.0, 0.05) == pytest.approx(0.934, abs=5e-4)
    assert meanfield.critical_sigma_w("tanh", 0.05) == pytest.approx(1.1225, abs=5e-5)
    assert meanfield.critical_sigma_w("relu", 1.0) == pytest.approx(np.sqrt(2.0), rel=1e-12)


def test_phase_every_setting_renders(phase: widgets.Explorer) -> None:
    for activation, sw, sb in itertools.product(PHASE_ACTIVATIONS, PHASE_SIGMA_W, PHASE_SIGMA_B):
        if sw not in (PHASE_SIGMA_W[0], PHASE_SIGMA_W[-1]) or sb not in (
            PHASE_SIGMA_B[0], PHASE_SIGMA_B[-1]
        ):  # fmt: skip
            continue
        png, text = phase.render(activation=activation, sigma_w=sw, sigma_b=sb)
        assert png.startswith(b"\x89PNG")
        assert "cannot be drawn" not in text
        assert text.startswith("Top: the (σ_w, σ_b) phase diagram of random ")
        _assert_plain(text)
    _, relu = phase.render(activation="relu", sigma_w=2.0, sigma_b=0.3)
    assert "no finite fixed point q*" in relu
    _, tanh = phase.render(activation="tanh", sigma_w=2.0, sigma_b=0.3)
    assert "no finite fixed point" not in tanh


def test_phase_bad_activation_is_a_readable_message(phase: widgets.Explorer) -> None:
    _, message = phase.render(activation="gelu")
    assert message.startswith("This setting cannot be drawn: activation must be one of")


def test_phase_static_frames(phase: widgets.Explorer) -> None:
    scrubber = phase.static("sigma_w", dpi=48, sigma_b=0.05, activation="tanh")
    assert len(scrubber.frames) == len(PHASE_SIGMA_W) == len(set(scrubber.frames))
    for d in scrubber.descriptions:
        _assert_plain(d)
        assert "cannot be drawn" not in d
    assert "Fixed: bias scale $\\sigma_b$ = 0.05, activation $f$ = tanh.)" in scrubber.caption
    relu = phase.static("activation", dpi=48)
    assert len(set(relu.frames)) == 2


@pytest.mark.parametrize(("width", "frac"), [(16, 0.1), (1024, 0.5), (4096, 0.9), (64, 1.5)])
def test_ntk_figure_draws_the_module_numbers(
    ntk_exp: widgets.Explorer, width: int, frac: float
) -> None:
    # recomputed here: train_gd and linearized_training with the analytic kernel
    K = ntk.relu_ntk(NTK_X, NTK_X)
    lam = np.linalg.eigvalsh(K)[-1]
    m = NTK_X.shape[0]
    lr = frac * 2 * m / lam
    net = ntk.NTKNetwork.random(2, width, 1, seed=0)
    run = ntk.train_gd(net, NTK_X, NTK_Y, lr, NTK_STEPS, X_test=NTK_GRID)
    lin = ntk.linearized_training(
        K, net.predict(NTK_X), NTK_Y, lr, NTK_STEPS,
        K_test=ntk.relu_ntk(NTK_GRID, NTK_X), f0_test=net.predict(NTK_GRID),
    )  # fmt: skip
    lin_loss = 0.5 * np.mean((lin.train - NTK_Y) ** 2, axis=1)
    fig = ntk_exp.figure(width=width, lr_fraction=frac)
    top, bottom = fig.axes
    np.testing.assert_allclose(top.lines[0].get_ydata(), run.test[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(top.lines[1].get_ydata(), run.test[-1], rtol=0, atol=1e-10)
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), np.log10(run.loss), rtol=0, atol=1e-10)
    np.testing.assert_allclose(bottom.lines[1].get_ydata(), np.log10(lin_loss), rtol=1e-10)
    _, text = ntk_exp.render(width=width, lr_fraction=frac)
    _assert_plain(text)
    if frac < 1:
        np.testing.assert_allclose(top.lines[2].get_ydata(), lin.test[-1], rtol=0, atol=1e-12)
        gap = np.max(np.abs(run.test[-1] - lin.test[-1])[np.abs(NTK_GRID[:, 0]) <= 1])
        assert f"they differ by at most {gap:.3g}" in text
        assert f"{run.loss[-1]:.3g} for the network and {lin_loss[-1]:.3g}" in text
    else:
        assert len(top.lines) == 3  # initialisation, network, training points
        assert f"which diverges: its loss grows to {lin_loss[-1]:.3g}" in text
        peak = int(np.argmax(run.loss))
        assert f"the network catapults: its loss rises to {run.loss[peak]:.3g}" in text


def test_ntk_divergence_says_what_the_network_does(ntk_exp: widgets.Explorer) -> None:
    verdicts = set()
    for width, frac in itertools.product(NTK_WIDTHS, NTK_LR_FRACTIONS):
        c = ntk_comparison(width, frac)
        assert c.linear.stable == (frac < 1)
        if frac > 1:
            _, text = ntk_exp.render(width=width, lr_fraction=frac)
            _assert_plain(text)
            assert "is above 2m/λ_max, the stability limit of the linearised model" in text
            for verdict in (
                "catapults", "converges", "diverges too", "does not converge", "does not fit"
            ):  # fmt: skip
                if f"the network {verdict}" in text:
                    verdicts.add(verdict)
            if "the network catapults" in text:  # a catapult is a fit, not a collapse
                assert c.net.loss[-1] < 0.5 * c.null_loss
                assert f"to {c.lambda_max_final:.3g}" in text  # the kernel's λ̂_max measured
            if c.collapsed:
                assert "the network does not fit" in text
                assert f"{c.alive_fraction:.0%} of its ReLUs" in text
    assert {"catapults", "does not fit"} <= verdicts
    c = ntk_comparison(4096, 3.0)  # the review's case: dies, ends at the zero predictor's loss
    assert c.collapsed
    assert c.alive_fraction < 0.3
    _, small = ntk_exp.render(width=16, lr_fraction=1.05)
    assert "the network converges" in small  # its own kernel differs at width 16
    assert "λ̂_max = " in small


def test_ntk_extremes_render(ntk_exp: widgets.Explorer) -> None:
    for width, frac in itertools.product(
        (NTK_WIDTHS[0], NTK_WIDTHS[-1]), (NTK_LR_FRACTIONS[0], NTK_LR_FRACTIONS[-1])
    ):
        png, text = ntk_exp.render(width=width, lr_fraction=frac)
        assert png.startswith(b"\x89PNG")
        assert "cannot be drawn" not in text
        _assert_plain(text)


def test_ntk_static_frames(ntk_exp: widgets.Explorer) -> None:
    scrubber = ntk_exp.static("width", dpi=48, lr_fraction=0.5)
    assert len(scrubber.frames) == len(NTK_WIDTHS) == len(set(scrubber.frames))
    by_lr = ntk_exp.static("lr_fraction", dpi=48, width=4096)
    assert len(by_lr.frames) == len(NTK_LR_FRACTIONS) == len(set(by_lr.frames))
    for d in scrubber.descriptions + by_lr.descriptions:
        _assert_plain(d)
    assert "(Fixed: hidden width $s$ = 4096.)" in by_lr.caption
    assert repr(ntk_comparison(16, 0.1)).startswith("NTKComparison(width=16, lr_fraction=0.1")

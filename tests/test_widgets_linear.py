"""Chapter 3's explorers: the tied 2×2 matrices, their ‖δ‖ curves, and the Saxe learning curve."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcore import widgets
from bpcore.linear import saxe_learning_time, spectral_radius
from bpcore.widgets.linear import PRESETS, preset_matrix, tied_delta_norms


@settings(max_examples=40, deadline=None)
@given(preset=st.sampled_from(PRESETS), radius=st.floats(0.05, 3.0))
def test_preset_has_the_requested_spectral_radius(preset: str, radius: float) -> None:
    W = preset_matrix(preset, radius)
    assert W.shape == (2, 2)
    assert spectral_radius(W) == pytest.approx(radius, rel=1e-6)


def test_presets_are_what_their_names_say() -> None:
    r = 0.9
    sym = preset_matrix("symmetric", r)
    np.testing.assert_array_equal(sym, sym.T)
    rot = preset_matrix("rotation-scaling", r)
    np.testing.assert_allclose(rot.T @ rot, r**2 * np.eye(2), atol=1e-15)  # r · orthogonal
    assert np.all(np.abs(np.linalg.eigvals(rot).imag) > 0.5)  # complex pair
    defective = preset_matrix("defective", r)
    assert np.linalg.matrix_rank(defective - r * np.eye(2)) == 1  # one eigenvector only
    non_normal = preset_matrix("non-normal", r)
    assert np.linalg.norm(non_normal @ non_normal.T - non_normal.T @ non_normal) > 1.0
    assert np.linalg.cond(np.linalg.eig(non_normal)[1]) > 5.0


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("radius", [0.5, 1.0, 1.1])
def test_closed_form_lies_on_the_recursion(preset: str, radius: float) -> None:
    depth = 60
    recursion, k_closed, closed, method = tied_delta_norms(preset, radius, depth)
    assert recursion.shape == (depth + 1,)
    assert k_closed[0] == 0
    assert k_closed[-1] == depth
    assert len(k_closed) <= 12
    np.testing.assert_allclose(closed, recursion[k_closed], rtol=1e-9)
    # and both against an independent reference: exact-ish repeated products in float64
    W = preset_matrix(preset, radius)
    reference = [
        np.linalg.norm(np.linalg.matrix_power(W.T, int(k)) @ np.array([1.0, 0.0])) for k in k_closed
    ]
    np.testing.assert_allclose(closed, reference, rtol=1e-9)
    expected = {"symmetric": {"symmetric-eigh"}, "rotation-scaling": {"eigendecomposition"}}
    allowed = {"symmetric-eigh", "eigendecomposition", "jordan", "squaring", "schur"}
    assert method in expected.get(preset, allowed)


def test_norm_curves_match_their_closed_forms() -> None:
    k = np.arange(41)
    r = 0.9
    rec_rot = tied_delta_norms("rotation-scaling", r, 40)[0]
    np.testing.assert_allclose(rec_rot, r**k, rtol=1e-12)  # normal: exactly ρ^k
    # defective [[r, 1], [0, r]]: (Wᵀ)^k e₁ = (r^k, k r^{k−1})
    rec_def = tied_delta_norms("defective", r, 40)[0]
    np.testing.assert_allclose(rec_def, np.hypot(r**k, k * r ** (k - 1.0)), rtol=1e-12)
    assert rec_def.max() > 3.0  # the transient hump, although ρ < 1


def test_tied_norms_extremes_raise_readable_errors() -> None:
    with pytest.raises(OverflowError, match=r"overflows float64 .* before depth 1280"):
        tied_delta_norms("symmetric", 2.0, 1280)
    with pytest.raises(OverflowError, match=r"underflows float64 .* before depth 1280"):
        tied_delta_norms("rotation-scaling", 0.5, 1280)


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: preset_matrix("hermitian", 1.0), ValueError, "preset must be one of"),
        (lambda: preset_matrix(3, 1.0), TypeError, "preset must be a string"),
        (lambda: preset_matrix("symmetric", 0.0), ValueError, "radius must be > 0"),
        (lambda: preset_matrix("symmetric", "big"), TypeError, "radius must be a real"),
        (lambda: tied_delta_norms("symmetric", 0.9, 0), ValueError, "depth must be an integer"),
        (lambda: tied_delta_norms("symmetric", 0.9, 2.5), TypeError, "depth must be an integer"),
    ],
)
def test_bad_input_names_the_parameter(call, exc, pattern) -> None:
    with pytest.raises(exc, match=pattern):
        call()


def test_explorers_render_every_extreme_and_show_messages() -> None:
    for factory in (widgets.tied_explorer, widgets.saxe_explorer):
        explorer = factory()
        for control in explorer.controls:
            for value in (control.values[0], control.values[-1]):
                png, description = explorer.render(**{control.name: value})
                assert png.startswith(b"\x89PNG")
                assert "cannot be drawn" not in description, description
    tied = widgets.tied_explorer()
    _, description = tied.render(preset="symmetric", radius=2.0, depth=1280)
    assert description.startswith("This setting cannot be drawn: ‖δ‖ grows like ρ^k = 2^k")
    _, description = tied.render(radius=0.5, depth=1280)
    assert "underflows float64" in description
    _, description = widgets.saxe_explorer().render(s=0.25, u0=0.2)
    assert "no plateau" in description


def test_descriptions_report_the_numbers() -> None:
    _, description = widgets.tied_explorer().render(preset="rotation-scaling", radius=0.5, depth=10)
    assert "method eigendecomposition" in description
    assert f"‖δ‖ = {0.5**10:.3g}" in description
    _, description = widgets.saxe_explorer().render(s=1.0, u0=1e-3)
    assert f"t = {saxe_learning_time(1.0, 1e-3, 0.5):.3g} τ" in description


def test_static_versions_have_one_frame_per_value() -> None:
    scrubber = widgets.tied_explorer().static("preset", dpi=40)
    assert len(scrubber.frames) == len(PRESETS) == len(set(scrubber.frames))
    scrubber = widgets.saxe_explorer().static("s", dpi=40, u0=1e-3)
    assert len(scrubber.frames) == 6
    assert "initial strength $u_0$ = 0.001" in scrubber.caption

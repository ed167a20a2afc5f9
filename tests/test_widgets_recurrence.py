"""Chapter 1's explorer: a linear recurrence, its characteristic roots and float closed form.

References: exact iteration with Python Fractions (written out here), hand-derived closed
forms, and numpy's roots of the characteristic polynomial.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from bpcore import widgets
from bpcore.widgets.recurrence import COEFFICIENT_VALUES, INITIAL_PRESETS, recurrence_curves


def iterate(coefficients: list[Fraction], initial: list[Fraction], count: int) -> list[Fraction]:
    """Independent reference: the recurrence run in exact arithmetic."""
    out = list(initial)
    while len(out) < count:
        out.append(sum(c * out[-1 - i] for i, c in enumerate(coefficients)))
    return out[:count]


def test_every_coefficient_setting_draws_and_the_closed_form_lies_on_the_sequence() -> None:
    """All 9³ − 1 nonzero coefficient settings of the explorer, at its largest n."""
    n_max = 60
    for c1, c2, c3 in itertools.product(COEFFICIENT_VALUES, repeat=3):
        if c1 == c2 == c3 == 0:
            continue
        curves = recurrence_curves(c1, c2, c3, "1, -1, 2", n_max)
        coeffs = [Fraction(str(c)) for c in (c1, c2, c3)]
        while coeffs[-1] == 0:
            coeffs.pop()
        k = len(coeffs)
        exact = iterate(coeffs, [Fraction(1), Fraction(-1), Fraction(2)][:k], n_max + 1)
        np.testing.assert_array_equal(curves.exact, [float(v) for v in exact])
        for i in range(n_max + 1):  # error against the size of the state (k consecutive terms)
            window = [abs(float(v)) for v in exact[max(0, i - k + 1) : max(i, k - 1) + 1]]
            assert abs(curves.closed[i] - float(exact[i])) <= 1e-8 * max(window), (c1, c2, c3, i)
        # ρ is the largest root modulus of the characteristic polynomial
        chi = [1.0, *(-float(c) for c in coeffs)]
        assert curves.rho == pytest.approx(np.max(np.abs(np.roots(chi))), rel=1e-6)
        assert int(curves.multiplicities.sum()) == k


@pytest.mark.parametrize(
    ("c", "initial", "formula", "roots", "mults"),
    [
        ((1.0, 1.0, 0.0), "0, 1, 1", None, [-0.6180339887, 1.6180339887], [1, 1]),  # Fibonacci
        ((2.0, -1.0, 0.0), "0, 1, 1", lambda n: n, [1.0], [2]),  # double root 1: a(n) = n
        ((1.0, -0.25, 0.0), "1, 1, 1", lambda n: (1 + n) / 2**n, [0.5], [2]),  # off the grid
        ((1.5, 0.0, 0.0), "2, 1, 3", lambda n: 2 * 1.5**n, [1.5], [1]),  # order 1
        ((0.0, 0.0, 1.0), "1, 0, 0", lambda n: float(n % 3 == 0), None, [1, 1, 1]),
    ],
)
def test_known_recurrences(
    c: tuple[float, float, float], initial: str, formula: object, roots: object, mults: list
) -> None:
    curves = recurrence_curves(*c, initial, 30)
    assert curves.recurrence.order == sum(mults)
    assert sorted(curves.multiplicities.tolist()) == sorted(mults)
    if roots is not None:
        np.testing.assert_allclose(sorted(curves.roots.real), roots, atol=1e-9)
        np.testing.assert_allclose(curves.roots.imag, 0.0, atol=1e-12)
    else:  # x³ − 1: the three cube roots of unity, all on the unit circle
        np.testing.assert_allclose(np.abs(curves.roots), 1.0, atol=1e-12)
        assert curves.rho == pytest.approx(1.0, abs=1e-12)
    if formula is not None:
        expected = [formula(n) for n in range(31)]
        np.testing.assert_allclose(curves.exact, expected, rtol=1e-15)
        np.testing.assert_allclose(curves.closed, expected, rtol=1e-10, atol=1e-10)
    assert not curves.exact.flags.writeable


def test_initial_values_as_numbers_and_order_two_ignores_a2() -> None:
    a = recurrence_curves(1.0, 1.0, 0.0, (0, 1, 99), 10)
    b = recurrence_curves(1.0, 1.0, 0.0, "0, 1, 1", 10)
    np.testing.assert_array_equal(a.exact, b.exact)
    assert a.exact[10] == 55.0
    assert "ρ = 1.618" in repr(a)


@pytest.mark.parametrize(
    ("args", "error", "pattern"),
    [
        ((0.0, 0.0, 0.0, "0, 1, 1", 10), ValueError, "c1, c2 and c3 must not all be 0"),
        (("1", 1.0, 0.0, "0, 1, 1", 10), TypeError, "c1 must"),
        ((1.0, float("nan"), 0.0, "0, 1, 1", 10), ValueError, "c2 must"),
        ((1.0, 1.0, 0.0, "5, 5, 5", 10), ValueError, "initial must be one of"),
        ((1.0, 1.0, 0.0, (1, 2), 10), TypeError, "initial must"),
        ((1.0, 1.0, 0.0, (1, 2, "x"), 10), TypeError, "initial must"),
        ((1.0, 1.0, 0.0, "0, 1, 1", 0), ValueError, "n_max must"),
        ((1.0, 1.0, 0.0, "0, 1, 1", 2.0), TypeError, "n_max must"),
    ],
)
def test_bad_inputs(args: tuple, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        recurrence_curves(*args)


def test_explorer_controls_frames_and_messages() -> None:
    explorer = widgets.recurrence_explorer()
    assert [c.name for c in explorer.controls] == ["c1", "c2", "c3", "initial", "n_max"]
    assert all(len(c.values) <= 12 for c in explorer.controls)
    assert set(INITIAL_PRESETS) == set(explorer.controls[3].values)
    png, description = explorer.render(c1=2.0, c2=-1.0, c3=0.0, n_max=40)
    assert png.startswith(b"\x89PNG")
    assert "1 (×2)" in description
    assert "spectral radius 1, on the unit circle" in description
    assert "a(40) = 40" in description
    _, description = explorer.render(c1=0.5, c2=-0.5, c3=0.0)
    assert "inside the unit circle" in description
    _, description = explorer.render(c1=0.0, c2=0.0, c3=0.0)
    assert description.startswith("This setting cannot be drawn: c1, c2 and c3 must not all be 0")
    scrubber = explorer.static("c2", c1=2.0, c3=0.0, n_max=20)
    assert len(scrubber.frames) == len(COEFFICIENT_VALUES) <= 12
    assert len(set(scrubber.frames)) == len(scrubber.frames)
    assert not any(d.startswith("This setting cannot") for d in scrubber.descriptions)

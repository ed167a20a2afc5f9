"""The recurrence step against an entry-by-entry evaluation of the learner's formula."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcore.backprop import delta_recursion, delta_step


def learner_formula(W: np.ndarray, delta_next: np.ndarray, fprime: np.ndarray) -> np.ndarray:
    """δ_i = (Σ_j W_ji δ_j) · f'(z_i), written with explicit sums as in the question."""
    s_l = W.shape[1]
    return np.array(
        [sum(W[j, i] * delta_next[j] for j in range(W.shape[0])) * fprime[i] for i in range(s_l)]
    )


@settings(max_examples=60, deadline=None)
@given(
    s_next=st.integers(1, 6),
    s_l=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_delta_step_matches_the_formula_entry_by_entry(s_next: int, s_l: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    W, delta_next, fprime = rng.normal(size=(s_next, s_l)), rng.normal(size=s_next), rng.random(s_l)
    np.testing.assert_allclose(
        delta_step(W, delta_next, fprime), learner_formula(W, delta_next, fprime), rtol=1e-12
    )


def test_delta_step_on_a_batch_equals_each_row() -> None:
    rng = np.random.default_rng(1)
    W, deltas, fprimes = rng.normal(size=(4, 3)), rng.normal(size=(5, 4)), rng.random((5, 3))
    batch = delta_step(W, deltas, fprimes)
    for row in range(5):
        np.testing.assert_allclose(
            batch[row], learner_formula(W, deltas[row], fprimes[row]), rtol=1e-12
        )


def test_identity_activation_gives_the_transpose_power() -> None:
    """Exact integers: with f' = 1 and tied W, k steps give (Wᵀ)ᵏ δ (chapter 0's proposition)."""
    W = np.array([[2, 1, 0], [1, -1, 3], [0, 2, 1]], dtype=float)
    delta = np.array([1.0, -2.0, 1.0])
    exact = np.linalg.matrix_power(W.astype(np.int64).T, 7) @ delta.astype(np.int64)
    got = delta_recursion([W] * 7, delta)[0]
    np.testing.assert_array_equal(got, exact.astype(float))


def test_recursion_returns_every_layer_in_ng_order() -> None:
    W1, W2 = np.ones((5, 3)), np.ones((2, 5))
    deltas = delta_recursion([W1, W2], np.array([1.0, 2.0]))
    assert [d.shape for d in deltas] == [(3,), (5,), (2,)]
    np.testing.assert_array_equal(deltas[1], np.full(5, 3.0))
    np.testing.assert_array_equal(deltas[0], np.full(3, 15.0))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: delta_step(np.ones((2, 3)), np.ones(3)), ValueError, "delta_next must have 2"),
        (lambda: delta_step(np.ones((2, 3)), np.ones(2), np.ones(2)), ValueError, "fprime_z must"),
        (lambda: delta_step(np.ones(3), np.ones(3)), ValueError, "W must be a 2-D array"),
        (lambda: delta_step([[np.nan]], [1.0]), ValueError, "W must contain only finite"),
        (lambda: delta_step([["a"]], [1.0]), TypeError, "W must be an array of real numbers"),
        (lambda: delta_recursion([], np.ones(2)), ValueError, "weights must contain"),
        (lambda: delta_recursion(np.ones((2, 2)), np.ones(2)), TypeError, "weights must be a list"),
        (
            lambda: delta_recursion([np.eye(2)], np.ones(2), [None, None]),
            ValueError,
            "fprimes must have one entry",
        ),
    ],
)
def test_bad_input_names_the_parameter(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


def test_delta_step_exact_object_arrays_match_float64() -> None:
    """Object arrays run the same step in exact arithmetic (Fractions); dyadic inputs: = float64."""
    from fractions import Fraction

    rng = np.random.default_rng(4)
    for _ in range(5):
        W = rng.integers(-4, 5, size=(3, 2))
        dnext = rng.integers(-4, 5, size=(2, 3))
        fp = rng.integers(1, 5, size=(2, 2))
        to_frac = np.vectorize(lambda v: Fraction(int(v), 4), otypes=[object])
        exact = delta_step(to_frac(W), to_frac(dnext), to_frac(fp))
        assert exact.dtype == object
        assert all(isinstance(v, Fraction) for v in exact.ravel())
        np.testing.assert_array_equal(exact.astype(float), delta_step(W / 4, dnext / 4, fp / 4))
    with pytest.raises(ValueError, match="W must be a 2-D array"):
        delta_step(np.empty(3, dtype=object), np.ones(3))

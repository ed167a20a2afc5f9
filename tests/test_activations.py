"""Tests for bpcore.activations: values and derivatives against sympy and finite differences."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bpcore.activations import (
    Activation,
    get_activation,
    identity,
    known_activations,
    leaky_relu,
    polynomial,
    relu,
    sigmoid,
    softplus,
    tanh,
    z,
)

ALL = [
    identity,
    sigmoid,
    tanh,
    relu,
    leaky_relu(),
    leaky_relu(0.3),
    softplus,
    polynomial([0.1, 1.0, -0.3, 0.1]),
    polynomial([Fraction(1, 2), 2, Fraction(-1, 3)]),
]
IDS = [act.label for act in ALL]
FAST = settings(max_examples=40, deadline=None, derandomize=True)


def sympy_numeric(expr: sp.Expr):
    """Evaluate a sympy expression in z with numpy (Piecewise becomes np.select)."""
    return sp.lambdify(z, expr, "numpy")


def away_from_kinks(act: Activation, x: np.ndarray, gap: float = 1e-4) -> np.ndarray:
    for k in act.kinks:
        x = np.where(np.abs(x - k) < gap, x + 3 * gap, x)
    return x


@pytest.mark.parametrize("act", ALL, ids=IDS)
def test_f_matches_sympy(act: Activation) -> None:
    x = away_from_kinks(act, np.linspace(-6.0, 6.0, 241))
    ref = np.asarray(sympy_numeric(act.sympy_expr)(x), dtype=float) * np.ones_like(x)
    np.testing.assert_allclose(act.f(x), ref, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("act", ALL, ids=IDS)
def test_df_matches_sympy_derivative(act: Activation) -> None:
    x = away_from_kinks(act, np.linspace(-6.0, 6.0, 241))
    ref = np.asarray(sympy_numeric(sp.diff(act.sympy_expr, z))(x), dtype=float) * np.ones_like(x)
    np.testing.assert_allclose(act.df(x), ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        act.df(x), np.asarray(sympy_numeric(act.sympy_derivative)(x), float) * np.ones_like(x)
    )


@pytest.mark.parametrize("act", ALL, ids=IDS)
@FAST
@given(x0=st.floats(-5.0, 5.0, allow_nan=False))
def test_df_matches_central_difference(act: Activation, x0: float) -> None:
    h = 1e-6
    assume(all(abs(x0 - k) > 1e-4 for k in act.kinks))
    fd = (act.f(x0 + h) - act.f(x0 - h)) / (2 * h)
    exact = act.df(x0)
    assert abs(fd - exact) <= 1e-6 * max(abs(exact), 1e-3)


@pytest.mark.parametrize("act", [a for a in ALL if a.deriv_from_output is not None], ids=str)
def test_derivative_from_output_agrees(act: Activation) -> None:
    x = np.concatenate([np.linspace(-8.0, 8.0, 161), [0.0, -0.0, 1e-300, -1e-300]])
    np.testing.assert_allclose(act.deriv_from_output(act.f(x)), act.df(x), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("act", ALL, ids=IDS)
def test_vectorised_shapes_and_lists(act: Activation) -> None:
    x = np.arange(12.0).reshape(3, 4) / 4 - 1.3
    assert act.f(x).shape == x.shape
    assert act.df(x).shape == x.shape
    assert act(x.tolist()).shape == x.shape
    np.testing.assert_array_equal(act(x), act.f(x))


def test_kink_conventions() -> None:
    assert relu.df(0.0) == 0.0
    assert relu.sympy_derivative.subs(z, 0) == 0
    lk = leaky_relu(0.25)
    assert lk.df(0.0) == 0.25
    assert lk.sympy_derivative.subs(z, 0) == 0.25
    assert relu.kinks == (0.0,)
    assert leaky_relu(1.0).kinks == ()
    np.testing.assert_array_equal(relu.f([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(lk.f([-2.0, 0.0, 3.0]), [-0.5, 0.0, 3.0])


def test_saturation_is_stable_and_accurate() -> None:
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, ds = sigmoid.f(x), sigmoid.df(x)
        t, dt = tanh.f(x), tanh.df(x)
        sp_, dsp = softplus.f(x), softplus.df(x)
    for arr in (s, ds, t, dt, sp_, dsp):
        assert np.all(np.isfinite(arr))
    np.testing.assert_array_equal(s[[0, -1]], [0.0, 1.0])
    np.testing.assert_array_equal(sp_[[0, -1]], [0.0, 1000.0])
    # deep in saturation the derivatives are tiny but must still be relatively accurate
    for act, x0 in ((sigmoid, 30.0), (sigmoid, -30.0), (tanh, 15.0), (softplus, -30.0)):
        exact = float(act.sympy_derivative.subs(z, sp.Rational(x0)).evalf(30))
        assert abs(act.df(x0) - exact) <= 1e-12 * exact
    exact_sigmoid = float((1 / (1 + sp.exp(40))).evalf(30))
    assert abs(s[1] - exact_sigmoid) <= 1e-13 * exact_sigmoid


def test_polynomial_coefficients_and_exactness() -> None:
    p = polynomial([1, Fraction(1, 2), sp.Rational(1, 3)])
    assert p.sympy_expr == 1 + z / 2 + z**2 / 3
    assert p.params == (("coeffs", (1.0, 0.5, 1 / 3)),)
    np.testing.assert_allclose(p.f([0.0, 3.0]), [1.0, 1 + 1.5 + 3.0])
    np.testing.assert_allclose(p.df([0.0, 3.0]), [0.5, 0.5 + 2.0])
    const = polynomial([3.0])
    np.testing.assert_array_equal(const.f([1.0, 2.0]), [3.0, 3.0])
    np.testing.assert_array_equal(const.df([1.0, 2.0]), [0.0, 0.0])
    assert polynomial(np.array([0.0, 1.0])).sympy_expr == 1.0 * z


def test_repr_label_and_equality() -> None:
    assert repr(tanh) == "Activation(tanh)"
    assert repr(leaky_relu(0.2)) == "Activation(leaky_relu(alpha=0.2))"
    assert leaky_relu(0.2).label == "leaky_relu(alpha=0.2)"
    assert repr(polynomial([0, 1])) == "Activation(polynomial(coeffs=(0.0, 1.0)))"
    assert leaky_relu(0.2) == leaky_relu(0.2)
    assert hash(leaky_relu(0.2)) == hash(leaky_relu(0.2))
    assert leaky_relu(0.2) != leaky_relu(0.3)
    assert tanh != sigmoid
    with pytest.raises(AttributeError):
        tanh.name = "x"  # type: ignore[misc]


def test_get_activation_lookup() -> None:
    assert get_activation("tanh") is tanh
    assert get_activation("linear") is identity
    assert get_activation("identity") is identity
    assert get_activation(" ReLU ") is relu
    assert get_activation("sigmoid") is sigmoid
    assert get_activation("softplus") is softplus
    assert get_activation("leaky_relu") == leaky_relu(0.01)
    lk = leaky_relu(0.5)
    assert get_activation(lk) is lk
    assert set(known_activations()) >= {"identity", "sigmoid", "tanh", "relu", "softplus"}


def test_get_activation_errors_name_the_parameter() -> None:
    with pytest.raises(ValueError, match=r"activation must be one of .*tanh.*relu") as info:
        get_activation("swish")
    assert "swish" in str(info.value)
    with pytest.raises(ValueError, match="output_activation must be one of"):
        get_activation("nope", "output_activation")
    with pytest.raises(ValueError, match="polynomial needs coefficients"):
        get_activation("polynomial")
    with pytest.raises(TypeError, match="activation must be an activation name"):
        get_activation(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alpha", "exc", "msg"),
    [
        (-0.1, ValueError, "alpha must be >= 0"),
        (1.5, ValueError, "alpha must be <= 1"),
        (float("nan"), ValueError, "alpha must be finite"),
        ("0.1", TypeError, "alpha must be a real number"),
        (True, TypeError, "alpha must be a real number"),
    ],
)
def test_leaky_relu_validates_alpha(alpha: object, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        leaky_relu(alpha)  # type: ignore[arg-type]


def test_leaky_relu_exact_alpha() -> None:
    lk = leaky_relu(Fraction(1, 10))
    assert lk.sympy_expr == sp.Piecewise((z / 10, z <= 0), (z, True))
    assert lk.df(-1.0) == 0.1


@pytest.mark.parametrize(
    ("coeffs", "exc", "msg"),
    [
        ([], ValueError, "coeffs must contain at least one"),
        ("123", TypeError, "coeffs must be a 1-D sequence"),
        (3.0, TypeError, "coeffs must be a 1-D sequence"),
        ([[1.0, 2.0]], ValueError, "coeffs must be a 1-D array"),
        ([1.0, float("nan")], ValueError, "coeffs must contain only finite"),
        ([1.0, float("inf")], ValueError, "coeffs must contain only finite"),
        (["a", "b"], TypeError, "coeffs must be an array of real numbers"),
    ],
)
def test_polynomial_validates_coeffs(coeffs: object, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        polynomial(coeffs)  # type: ignore[arg-type]


def test_activation_constructor_validates() -> None:
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        Activation("", np.tanh, np.tanh, z)
    with pytest.raises(TypeError, match="func must be callable"):
        Activation("x", 3, np.tanh, z)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="deriv must be callable"):
        Activation("x", np.tanh, None, z)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sympy_expr must be a sympy expression"):
        Activation("x", np.tanh, np.tanh, "tanh(z)")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="deriv_from_output must be callable"):
        Activation("x", np.tanh, np.tanh, z, deriv_from_output=1)  # type: ignore[arg-type]


def test_f_rejects_non_numeric_input() -> None:
    with pytest.raises(TypeError, match="z must be an array of real numbers"):
        tanh.f(["a"])

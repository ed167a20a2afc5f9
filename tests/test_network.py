"""Tests for bpcore.network: backprop against finite differences, the ordered-product form,
the linear closed form (Wᵀ)^k, and the input checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import bpcore.network as network
import bpcore.network.mlp as network_mlp
from bpcore.activations import Activation, leaky_relu, polynomial
from bpcore.backprop import delta_recursion
from bpcore.network import MLP, ForwardPass, Gradients, numerical_gradient, relative_error

ACTIVATIONS: list[str | Activation] = [
    "identity",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    leaky_relu(0.2),
    "softplus",
    polynomial([0.1, 1.0, -0.3, 0.1]),
]
ACT_IDS = [a if isinstance(a, str) else a.label for a in ACTIVATIONS]
HYP = settings(max_examples=50, deadline=None, derandomize=True)


rel_err = relative_error  # short name for the many comparisons below


def flat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(x) for x in arrays])


@st.composite
def problems(draw: st.DrawFn, activation: str | Activation = "tanh") -> tuple:
    """A random network (depth 1–4, widths 1–6) with a batch of 1–5 examples."""
    depth = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1))
    m = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    net = MLP.random(sizes, activation, weight_scale=1.5, bias_scale=0.5, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((m, sizes[0]))
    Y = rng.standard_normal((m, sizes[-1]))
    return net, X, Y


def min_abs_preactivation(net: MLP, X: np.ndarray) -> float:
    return min(float(np.min(np.abs(zl))) for zl in net.forward(X).z)


def max_abs_preactivation(net: MLP, X: np.ndarray) -> float:
    return max(float(np.max(np.abs(zl))) for zl in net.forward(X).z)


# ---------------------------------------------------------------------------------------------
# backprop against finite differences


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=ACT_IDS)
@HYP
@given(data=st.data())
def test_gradients_match_finite_differences(activation: str | Activation, data) -> None:
    net, X, Y = data.draw(problems(activation))
    # relu / leaky relu: stay ≥ 1e-4 away from the kink so the difference quotient is valid
    assume(net.activation.kinks == () or min_abs_preactivation(net, X) > 1e-4)
    # a cubic composed 4 times has degree 81: keep its inputs where FD steps of 1e-6 are small
    assume(net.activation.name != "polynomial" or max_abs_preactivation(net, X) < 3.0)
    g = net.backward(X, Y)
    gW, gb = numerical_gradient(net, X, Y, eps=1e-6)
    assert rel_err(flat(g.grad_W + g.grad_b), flat(gW + gb)) < 1e-6
    for exact, approx in zip(g.grad_W + g.grad_b, gW + gb, strict=True):
        np.testing.assert_allclose(exact, approx, rtol=1e-5, atol=1e-8)


@HYP
@given(data=st.data())
def test_cross_entropy_gradients_match_finite_differences(data) -> None:
    depth = data.draw(st.integers(1, 3))
    sizes = data.draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1))
    m = data.draw(st.integers(1, 5))
    seed = data.draw(st.integers(0, 10_000))
    net = MLP.random(sizes, "tanh", bias_scale=0.5, seed=seed, output_activation="sigmoid")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, sizes[0]))
    Y = rng.uniform(0, 1, (m, sizes[-1]))
    g = net.backward(X, Y, cost="cross_entropy")
    gW, gb = numerical_gradient(net, X, Y, eps=1e-6, cost="cross_entropy")
    assert rel_err(flat(g.grad_W + g.grad_b), flat(gW + gb)) < 1e-6
    # δ^(n_l) = a − y for cross entropy with a sigmoid output
    np.testing.assert_allclose(g.delta_of(net.n_layers), net.predict(X) - Y, rtol=1e-15)


def test_output_activation_can_differ() -> None:
    net = MLP.random([3, 4, 2], "relu", bias_scale=0.3, seed=3, output_activation="identity")
    assert net.output_activation.name == "identity"
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    fp = net.forward(X)
    np.testing.assert_array_equal(fp.a_of(3), fp.z_of(3))  # linear read-out
    np.testing.assert_array_equal(fp.a_of(2), np.maximum(fp.z_of(2), 0))
    assert min_abs_preactivation(net, X) > 1e-4
    g = net.backward(X, Y)
    gW, gb = numerical_gradient(net, X, Y)
    assert rel_err(flat(g.grad_W + g.grad_b), flat(gW + gb)) < 1e-6
    np.testing.assert_allclose(g.delta_of(3), fp.a_of(3) - Y)


# ---------------------------------------------------------------------------------------------
# structure of the computation


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", "relu"])
@HYP
@given(data=st.data())
def test_batch_gradient_is_mean_of_per_example_gradients(activation: str, data) -> None:
    net, X, Y = data.draw(problems(activation))
    g = net.backward(X, Y)
    singles = [net.backward(x, y) for x, y in zip(X, Y, strict=True)]
    for k in range(net.depth):
        mean_W = np.mean([s.grad_W[k] for s in singles], axis=0)
        mean_b = np.mean([s.grad_b[k] for s in singles], axis=0)
        assert rel_err(g.grad_W[k], mean_W) < 1e-12
        assert rel_err(g.grad_b[k], mean_b) < 1e-12
    for k in range(net.depth):  # the batch δ's are the per-example δ's stacked
        stacked = np.stack([s.deltas[k] for s in singles])
        assert all(rel_err(a, b) < 1e-12 for a, b in zip(g.deltas[k], stacked, strict=True))
    mean_J = np.mean([s.J for s in singles])
    assert abs(g.J - mean_J) <= 1e-12 * abs(mean_J)


@pytest.mark.parametrize("activation", ["tanh", "relu", "softplus", "identity"])
@HYP
@given(data=st.data())
def test_product_form_equals_recurrence(activation: str, data) -> None:
    net, X, Y = data.draw(problems(activation))
    g = net.backward(X, Y)
    batch = net.delta_by_product_batch(X, Y)
    assert len(batch) == len(g.deltas) == net.n_layers - 1
    for by_product, by_recursion in zip(batch, g.deltas, strict=True):
        assert by_product.shape == by_recursion.shape
        assert rel_err(by_product, by_recursion) < 1e-12
    single = net.delta_by_product(X[0], Y[0])
    for by_product, by_recursion in zip(single, net.backward(X[0], Y[0]).deltas, strict=True):
        assert by_product.shape == by_recursion.shape
        assert rel_err(by_product, by_recursion) < 1e-12


def test_layer_factors_are_D_times_W_transpose() -> None:
    net = MLP.random([3, 5, 4, 6, 2], "tanh", bias_scale=0.4, seed=11)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(3), rng.standard_normal(2)
    fp = net.forward(x)
    factors = net.layer_factors(x)
    assert [M.shape for M in factors] == [(5, 4), (4, 6), (6, 2)]
    for l, M in zip(range(2, net.n_layers), factors, strict=True):
        D = np.diag(1.0 - np.tanh(fp.z_of(l)) ** 2)
        np.testing.assert_allclose(M, D @ net.W(l).T, rtol=1e-14, atol=1e-16)
    deltas = net.backward(x, y).deltas
    for k, M in enumerate(factors):  # δ^(l) = M_l δ^(l+1)
        np.testing.assert_allclose(M @ deltas[k + 1], deltas[k], rtol=1e-13, atol=1e-16)
    products = net.layer_products(x)
    assert [P.shape for P in products] == [(5, 2), (4, 2), (6, 2), (2, 2)]
    np.testing.assert_array_equal(products[-1], np.eye(2))
    np.testing.assert_allclose(
        products[0], factors[0] @ factors[1] @ factors[2], rtol=1e-13, atol=1e-16
    )
    batch = net.layer_factors_batch(np.stack([x, 2 * x]))
    assert [M.shape for M in batch] == [(2, 5, 4), (2, 4, 6), (2, 6, 2)]
    for Mb, M in zip(batch, factors, strict=True):
        np.testing.assert_allclose(Mb[0], M, rtol=1e-14, atol=1e-16)
    for Mb, M in zip(batch, net.layer_factors(2 * x), strict=True):
        np.testing.assert_allclose(Mb[1], M, rtol=1e-14, atol=1e-16)


def test_two_layer_network_has_no_factors() -> None:
    net = MLP.random([3, 2], "sigmoid", seed=0)
    x, y = np.ones(3), np.zeros(2)
    assert net.layer_factors(x) == []
    deltas = net.delta_by_product(x, y)
    assert len(deltas) == 1
    np.testing.assert_allclose(deltas[0], net.backward(x, y).deltas[0])


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("s", [1, 2, 4])
def test_linear_tied_weights_give_matrix_power(k: int, s: int) -> None:
    rng = np.random.default_rng(10 * k + s)
    W = rng.standard_normal((s, s)) / np.sqrt(s)
    net = MLP([W] * k, [rng.standard_normal(s)] * k, "identity")
    x, y = rng.standard_normal(s), rng.standard_normal(s)
    delta_out = net.predict(x) - y
    deltas = net.delta_by_product(x, y)
    for l in range(2, net.n_layers + 1):
        expected = np.linalg.matrix_power(W.T, net.n_layers - l) @ delta_out
        assert rel_err(deltas[l - 2], expected) < 1e-12
        assert rel_err(net.backward(x, y).delta_of(l), expected) < 1e-12


def test_backward_uses_the_shared_recurrence(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = network_mlp.delta_recursion

    def spy(weights, delta_out, fprimes=None):
        calls.append(len(weights))
        return original(weights, delta_out, fprimes)

    monkeypatch.setattr(network_mlp, "delta_recursion", spy)
    net = MLP.random([2, 3, 3, 1], "tanh", seed=1)
    net.backward(np.ones((4, 2)), np.zeros((4, 1)))
    assert calls == [2]  # [W^(2), W^(3)]: δ^(1) of the input layer is not computed


# ---------------------------------------------------------------------------------------------
# forward pass, cost, indexing


def test_forward_indexing_follows_ng() -> None:
    net = MLP.random([3, 4, 2], "tanh", bias_scale=1.0, seed=5)
    X = np.random.default_rng(2).standard_normal((6, 3))
    fp = net.forward(X)
    assert isinstance(fp, ForwardPass)
    assert fp.n_layers == 3
    assert len(fp.z) == 2
    assert len(fp.a) == 3
    np.testing.assert_array_equal(fp.a_of(1), X)
    np.testing.assert_allclose(fp.z_of(2), X @ net.W(1).T + net.b(1), rtol=1e-15)
    np.testing.assert_allclose(fp.a_of(2), np.tanh(fp.z_of(2)), rtol=1e-15)
    np.testing.assert_allclose(fp.z_of(3), fp.a_of(2) @ net.W(2).T + net.b(2), rtol=1e-15)
    np.testing.assert_array_equal(fp.output, fp.a_of(3))
    np.testing.assert_array_equal(net.predict(X), fp.output)
    assert repr(fp) == "ForwardPass(sizes=[3, 4, 2], batch=6)"
    for bad in (0, 4):
        with pytest.raises(ValueError, match="l must be a layer number in 1…3"):
            fp.a_of(bad)
    with pytest.raises(ValueError, match="l must be a layer number in 2…3"):
        fp.z_of(1)
    with pytest.raises(TypeError, match="l must be an integer"):
        fp.z_of(2.0)  # type: ignore[arg-type]


def test_single_example_gives_1d_arrays() -> None:
    net = MLP.random([3, 4, 2], "sigmoid", seed=5)
    x = np.array([0.1, -0.2, 0.3])
    fp = net.forward(x)
    assert [a.shape for a in fp.a] == [(3,), (4,), (2,)]
    assert repr(fp) == "ForwardPass(sizes=[3, 4, 2], single example)"
    np.testing.assert_array_equal(fp.output, net.forward(x[None, :]).output[0])
    g = net.backward(x, np.zeros(2))
    assert [d.shape for d in g.deltas] == [(4,), (2,)]
    assert [w.shape for w in g.grad_W] == [(4, 3), (2, 4)]


def test_cost_values() -> None:
    net = MLP.random([2, 3, 2], "sigmoid", bias_scale=0.5, seed=9)
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((4, 2)), rng.uniform(0, 1, (4, 2))
    h = net.predict(X)
    assert net.cost(X, Y) == pytest.approx(np.sum((h - Y) ** 2) / (2 * 4), rel=1e-14)
    ce = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / 4
    assert net.cost(X, Y, cost="cross_entropy") == pytest.approx(ce, rel=1e-12)
    g = net.backward(X, Y)
    assert abs(g.J - net.cost(X, Y)) <= 1e-15 * net.cost(X, Y)
    assert g.cost == "squared_error"
    # saturated sigmoid: the cross entropy stays finite and equals its asymptote |z|
    W = [np.array([[1000.0]])]
    big = MLP(W, [np.zeros(1)], "sigmoid")
    assert big.cost(np.array([[1.0]]), np.array([[0.0]]), cost="cross_entropy") == pytest.approx(
        1000.0
    )


def test_gradients_indexing() -> None:
    net = MLP.random([3, 4, 5, 2], "tanh", seed=1)
    g = net.backward(np.ones((2, 3)), np.zeros((2, 2)))
    assert isinstance(g, Gradients)
    assert g.n_layers == 4
    assert g.delta_of(2).shape == (2, 4)
    assert g.delta_of(4).shape == (2, 2)
    assert g.grad_W_of(1).shape == (4, 3)
    assert g.grad_b_of(3).shape == (2,)
    assert g.grad_W_of(3) is g.grad_W[2]
    assert repr(g).startswith("Gradients(cost='squared_error', J=")
    with pytest.raises(ValueError, match="l must be a layer number in 2…4"):
        g.delta_of(1)
    with pytest.raises(ValueError, match="l must be a layer number in 1…3"):
        g.grad_W_of(4)


# ---------------------------------------------------------------------------------------------
# construction


def test_repr_and_properties() -> None:
    net = MLP.random([3, 5, 2], "tanh")
    assert repr(net) == "MLP(sizes=[3, 5, 2], activation=tanh, params=32)"
    assert net.sizes == [3, 5, 2]
    assert net.depth == 2
    assert net.n_layers == 3
    assert net.n_params == 32
    other = MLP.random([3, 2], leaky_relu(0.1), output_activation="sigmoid")
    assert repr(other) == (
        "MLP(sizes=[3, 2], activation=leaky_relu(alpha=0.1), output_activation=sigmoid, params=8)"
    )
    assert net.W(1) is net.weights[0]
    assert net.b(2) is net.biases[1]
    with pytest.raises(ValueError, match="l must be a layer number in 1…2"):
        net.W(3)


def test_constructor_copies_inputs() -> None:
    W, b = np.ones((2, 3)), np.zeros(2)
    net = MLP([W], [b], "identity")
    W[0, 0] = 5.0
    assert net.W(1)[0, 0] == 1.0
    net_int = MLP([[[1, 2]]], [[0]], "relu")
    assert net_int.W(1).dtype == np.float64


def test_random_is_deterministic() -> None:
    a = MLP.random([4, 3, 2], bias_scale=1.0, seed=7)
    b = MLP.random([4, 3, 2], bias_scale=1.0, seed=7)
    c = MLP.random([4, 3, 2], bias_scale=1.0, seed=8)
    for x, y in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.W(1), c.W(1))
    zero_bias = MLP.random([4, 3, 2], seed=7)
    assert all(np.all(bb == 0) for bb in zero_bias.biases)


def test_gaussian_init_variance() -> None:
    sw, sb, fan_in = 1.7, 0.3, 400
    net = MLP.random([fan_in, 300, 200], weight_scale=sw, bias_scale=sb, seed=0)
    # 120 000 samples: the sample variance is within ~1 % (4 standard errors) of σ_w²/s_l
    var = np.var(net.W(1))
    assert var == pytest.approx(sw**2 / fan_in, rel=0.02)
    assert np.var(net.W(2)) == pytest.approx(sw**2 / 300, rel=0.02)
    assert abs(np.mean(net.W(1))) < 4 * sw / np.sqrt(fan_in) / np.sqrt(120_000)
    big_b = MLP.random([2, 20_000], bias_scale=sb, seed=1)
    assert np.std(big_b.b(1)) == pytest.approx(sb, rel=0.03)


@pytest.mark.parametrize("sizes", [[4, 4, 4], [6, 3, 8, 2], [1, 5, 1]])
def test_orthogonal_init(sizes: list[int]) -> None:
    sw = 1.3
    net = MLP.random(sizes, init="orthogonal", weight_scale=sw, seed=2)
    for W in net.weights:
        rows, cols = W.shape
        gram = W @ W.T if rows <= cols else W.T @ W
        np.testing.assert_allclose(gram, sw**2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_init_sign_fix_gives_haar_like_diagonal() -> None:
    # without the sign fix the diagonal of Q from QR is biased (R has a positive diagonal in
    # some LAPACKs); with it the diagonal entries of a 1×1 layer are ±1 equally often.
    signs = [np.sign(MLP.random([1, 1], init="orthogonal", seed=s).W(1)[0, 0]) for s in range(400)]
    assert abs(np.mean(signs)) < 0.2


# ---------------------------------------------------------------------------------------------
# bad input


def good_net() -> MLP:
    return MLP.random([3, 4, 2], "tanh", seed=0)


@pytest.mark.parametrize(
    ("weights", "biases", "exc", "msg"),
    [
        (
            [np.ones((5, 3)), np.ones((4, 6))],
            [np.ones(5), np.ones(4)],
            ValueError,
            r"weights\[1\] has shape \(4, 6\) but weights\[0\] maps to 5 units",
        ),
        ([np.ones((5, 3))], [np.ones(4)], ValueError, r"biases\[0\] has shape \(4,\)"),
        ([np.ones((5, 3))], [np.ones((5, 1))], ValueError, r"biases\[0\] must be a 1-D array"),
        ([np.ones((5, 3))], [], ValueError, "biases must have one vector per weight matrix"),
        ([], [], ValueError, "weights must contain at least one matrix"),
        ([np.ones(3)], [np.ones(1)], ValueError, r"weights\[0\] must be a 2-D array"),
        ([np.ones((0, 3))], [np.ones(0)], ValueError, r"weights\[0\] must have positive"),
        ([np.array([[1.0, np.nan]])], [np.ones(1)], ValueError, r"weights\[0\] must contain only"),
        ([np.array([[1.0, np.inf]])], [np.ones(1)], ValueError, r"weights\[0\] must contain only"),
        ([np.ones((1, 2))], [np.array([np.nan])], ValueError, r"biases\[0\] must contain only"),
        (np.ones((2, 2)), [np.ones(2)], TypeError, "weights must be a list of arrays"),
        ([np.ones((2, 2))], "ab", TypeError, "biases must be a list of arrays"),
        ([[["a"]]], [np.ones(1)], TypeError, r"weights\[0\] must be an array of real numbers"),
    ],
)
def test_bad_parameters(weights, biases, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        MLP(weights, biases, "tanh")


def test_bad_activations() -> None:
    W, b = [np.ones((2, 2))], [np.ones(2)]
    with pytest.raises(ValueError, match=r"activation must be one of .*relu"):
        MLP(W, b, "gelu")
    with pytest.raises(ValueError, match="output_activation must be one of"):
        MLP(W, b, "tanh", output_activation="swish")
    with pytest.raises(TypeError, match="activation must be an activation name"):
        MLP(W, b, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "exc", "msg"),
    [
        ({"sizes": [3]}, ValueError, "sizes must list at least 2 layer widths"),
        ({"sizes": []}, ValueError, "sizes must list at least 2 layer widths"),
        ({"sizes": [3, 0, 2]}, ValueError, r"sizes\[1\] must be an integer >= 1"),
        ({"sizes": [3, -2]}, ValueError, r"sizes\[1\] must be an integer >= 1"),
        ({"sizes": [3, 2.5]}, TypeError, r"sizes\[1\] must be an integer"),
        ({"sizes": "32"}, TypeError, "sizes must be a sequence"),
        ({"sizes": [3, 2], "weight_scale": -1.0}, ValueError, "weight_scale must be >= 0"),
        ({"sizes": [3, 2], "bias_scale": float("inf")}, ValueError, "bias_scale must be finite"),
        ({"sizes": [3, 2], "init": "xavier"}, ValueError, "init must be 'gaussian' or"),
        ({"sizes": [3, 2], "seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"sizes": [3, 2], "activation": "swish"}, ValueError, "activation must be one of"),
    ],
)
def test_bad_random_arguments(kwargs: dict, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        MLP.random(**kwargs)


@pytest.mark.parametrize(
    ("X", "msg"),
    [
        (np.ones((4, 2)), r"X must have shape \(m, 3\)"),
        (np.ones(2), r"X must have s_1 = 3 entries"),
        (np.ones((2, 3, 1)), r"X must have shape \(m, 3\)"),
        (np.ones((0, 3)), "X must contain at least one example"),
        (np.array([[1.0, np.nan, 0.0]]), "X must contain only finite numbers"),
        (np.array([[1.0, np.inf, 0.0]]), "X must contain only finite numbers"),
    ],
)
def test_bad_X(X: np.ndarray, msg: str) -> None:
    net = good_net()
    for call in (
        lambda: net.forward(X),
        lambda: net.backward(X, np.zeros((len(X), 2))),
        lambda: net.cost(X, np.zeros((len(X), 2))),
        lambda: net.layer_factors_batch(X),
    ):
        with pytest.raises(ValueError, match=msg):
            call()


@pytest.mark.parametrize(
    ("X", "Y", "msg"),
    [
        (np.ones((4, 3)), np.ones((4, 3)), r"Y must have shape \(4, 2\)"),
        (np.ones((4, 3)), np.ones((5, 2)), r"Y must have shape \(4, 2\)"),
        (np.ones((4, 3)), np.ones(2), r"Y must have shape \(4, 2\)"),
        (np.ones(3), np.ones((1, 2)), r"Y must have shape \(2,\)"),
        (np.ones((1, 3)), np.array([[0.0, np.nan]]), "Y must contain only finite"),
    ],
)
def test_bad_Y(X: np.ndarray, Y: np.ndarray, msg: str) -> None:
    net = good_net()
    with pytest.raises(ValueError, match=msg):
        net.backward(X, Y)
    with pytest.raises(ValueError, match=msg):
        net.cost(X, Y)
    with pytest.raises(ValueError, match=msg):
        numerical_gradient(net, X, Y)


def test_bad_cost() -> None:
    net = good_net()
    X, Y = np.ones((2, 3)), np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="cost must be one of squared_error, cross_entropy"):
        net.backward(X, Y, cost="hinge")
    with pytest.raises(ValueError, match="cost must be one of"):
        net.cost(X, Y, cost="l1")
    with pytest.raises(ValueError, match="cross_entropy' needs a sigmoid output activation"):
        net.backward(X, Y, cost="cross_entropy")
    sig = MLP.random([3, 2], "sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"Y must lie in \[0, 1\]"):
        sig.backward(X, np.full((2, 2), 1.5), cost="cross_entropy")


def test_bad_single_example_calls() -> None:
    net = good_net()
    with pytest.raises(ValueError, match="x must be a single example"):
        net.layer_factors(np.ones((2, 3)))
    with pytest.raises(ValueError, match="x must be a single example"):
        net.delta_by_product(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"x must have s_1 = 3 entries"):
        net.layer_products(np.ones(4))
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        net.delta_by_product(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"Y must have shape \(2, 2\)"):
        net.delta_by_product_batch(np.ones((2, 3)), np.ones((3, 2)))


def test_bad_numerical_gradient_arguments() -> None:
    net = good_net()
    with pytest.raises(TypeError, match="mlp must be an MLP"):
        numerical_gradient("net", np.ones(3), np.ones(2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="eps must be > 0"):
        numerical_gradient(net, np.ones(3), np.ones(2), eps=0.0)


# ---------------------------------------------------------------------------------------------
# cost of the recurrence and of the product form (chapter 2)


class _Counted:
    """A number that counts how often it is multiplied (a reference for multiplication_counts)."""

    multiplications = 0

    def __init__(self, value: float) -> None:
        self.value = value

    def _v(self, other: object) -> float:
        return other.value if isinstance(other, _Counted) else float(other)  # type: ignore[arg-type]

    def __mul__(self, other: object) -> _Counted:
        _Counted.multiplications += 1
        return _Counted(self.value * self._v(other))

    __rmul__ = __mul__

    def __add__(self, other: object) -> _Counted:
        return _Counted(self.value + self._v(other))

    __radd__ = __add__


def _counted(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        out[idx] = _Counted(float(a[idx]))
    return out


@pytest.mark.parametrize("sizes", [[3, 4, 2], [2, 3, 5, 4], [4, 4, 4, 4, 4], [3, 6, 2, 5, 1]])
def test_multiplication_counts_match_an_instrumented_computation(sizes: list[int]) -> None:
    rng = np.random.default_rng(0)
    Ws = [_counted(rng.standard_normal((b, a))) for a, b in itertools.pairwise(sizes)]
    fps = [_counted(rng.uniform(0.1, 1.0, s)) for s in sizes[1:-1]]  # f'(z^(2)), …
    delta_out = _counted(rng.standard_normal(sizes[-1]))
    hidden = range(len(sizes) - 2)  # fps[k] and Ws[k + 1] belong to layer l = k + 2

    _Counted.multiplications = 0
    d = delta_out
    for k in reversed(hidden):  # the recurrence, one layer at a time
        d = (d @ Ws[k + 1]) * fps[k]
    recurrence = _Counted.multiplications

    _Counted.multiplications = 0
    Ms = [fps[k][:, None] * Ws[k + 1].T for k in hidden]  # M_l = D_l W^(l)ᵀ
    P = Ms[-1]
    deltas = [P @ delta_out]
    for M in reversed(Ms[:-1]):
        P = M @ P
        deltas.append(P @ delta_out)
    product = _Counted.multiplications

    assert network.multiplication_counts(sizes) == (recurrence, product)
    assert isinstance(recurrence, int)
    np.testing.assert_allclose([x.value for x in deltas[-1]], [x.value for x in d], rtol=1e-12)


@pytest.mark.parametrize(("L", "n"), [(1, 1), (1, 7), (3, 5), (8, 512)])
def test_multiplication_counts_for_equal_widths(L: int, n: int) -> None:
    recurrence, product = network.multiplication_counts([n] * (L + 2))
    assert recurrence == L * (n * n + n)
    assert product == 2 * L * n * n + (L - 1) * n**3


def test_accumulated_product_gives_the_deltas_of_backward() -> None:
    net = MLP.random([4, 5, 3, 6, 2], "tanh", bias_scale=0.3, seed=4)
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal(4), rng.standard_normal(2)
    g = net.backward(x, y)
    deltas = network._deltas_by_accumulated_product(net.layer_factors(x), g.delta_of(5))
    assert len(deltas) == 3
    for l, d in zip(range(2, 5), deltas, strict=True):
        assert rel_err(d, g.delta_of(l)) < 1e-12


@pytest.mark.parametrize("sizes", [[4, 5, 3, 6, 2], [3, 7, 1], [2, 4, 4, 4, 4, 4]])
def test_bare_timing_kernels_give_the_deltas_of_the_shared_recurrence(sizes: list[int]) -> None:
    net = MLP.random(sizes, "tanh", bias_scale=0.3, seed=4)
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal(sizes[0]), rng.standard_normal(sizes[-1])
    fp = net.forward(x)
    fprimes = [1.0 - np.tanh(fp.z_of(l)) ** 2 for l in range(2, net.n_layers)]
    delta_out = net.backward(x, y).delta_of(net.n_layers)
    reference = delta_recursion(net.weights[1:], delta_out, fprimes)[:-1]  # δ^(2), …
    args = (net.weights[1:], fprimes, delta_out)
    for kernel in (network._bare_recurrence, network._bare_product):
        deltas = kernel(*args)
        assert len(deltas) == len(sizes) - 2
        for d, ref in zip(deltas, reference, strict=True):
            assert d.shape == ref.shape
            assert rel_err(d, ref) < 1e-12


def test_time_recurrence_vs_product_shapes() -> None:
    t_rec, t_prod = network.time_recurrence_vs_product([2, 8, 16], hidden_layers=2, repeats=1)
    for t in (t_rec, t_prod):
        assert t.shape == (3,)
        assert t.dtype == np.float64
        assert np.all(np.isfinite(t))
        assert np.all(t > 0)
        assert np.all(t < 1.0)


def test_time_recurrence_vs_product_uses_the_counted_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The timed network has L hidden layers and every width n, as multiplication_counts."""
    built = []
    original = MLP.random

    def spy(sizes, *args, **kwargs):
        built.append(list(sizes))
        return original(sizes, *args, **kwargs)

    monkeypatch.setattr(MLP, "random", spy)
    network.time_recurrence_vs_product([3, 5], hidden_layers=4, repeats=1)
    assert built == [[3] * 6, [5] * 6]


@pytest.mark.parametrize(
    ("kwargs", "exc", "msg"),
    [
        ({"widths": []}, ValueError, "widths must contain at least 1 entries"),
        ({"widths": 32}, TypeError, "widths must be a sequence"),
        ({"widths": [8, 0]}, ValueError, r"widths\[1\] must be an integer >= 1"),
        ({"widths": [8], "hidden_layers": 0}, ValueError, "hidden_layers must be an integer >= 1"),
        ({"widths": [8], "hidden_layers": 2.5}, TypeError, "hidden_layers must be an integer"),
        ({"widths": [8], "repeats": 0}, ValueError, "repeats must be an integer >= 1"),
        ({"widths": [8], "seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"widths": [8], "activation": "gelu"}, ValueError, "activation must be one of"),
    ],
)
def test_time_recurrence_vs_product_bad_input(kwargs: dict, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        network.time_recurrence_vs_product(**kwargs)


@pytest.mark.parametrize(
    ("sizes", "exc", "msg"),
    [
        ([3, 2], ValueError, "sizes must contain at least 3 entries"),
        ("abc", TypeError, "sizes must be a sequence"),
        ([3, 2.0, 1], TypeError, r"sizes\[1\] must be an integer"),
        ([3, -1, 1], ValueError, r"sizes\[1\] must be an integer >= 1"),
    ],
)
def test_multiplication_counts_bad_input(sizes: object, exc: type, msg: str) -> None:
    with pytest.raises(exc, match=msg):
        network.multiplication_counts(sizes)  # type: ignore[arg-type]


def test_relative_error_known_values_and_bad_input() -> None:
    assert relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1.0, 0.0], [0.0, 0.0]) == 1.0
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == 2.0  # the largest possible value
    assert relative_error([[3.0, 4.0]], [[3.0, 0.0]]) == pytest.approx(4 / 5, rel=1e-15)
    assert relative_error([1j, 0], [1j, 1]) == pytest.approx(1 / np.sqrt(2), rel=1e-15)
    with pytest.raises(ValueError, match="a and b must have the same shape"):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="b must be finite"):
        relative_error([1.0], [np.nan])
    with pytest.raises(TypeError, match="a must be an array of numbers"):
        relative_error(["x"], [1.0])


# -- forward vs reverse accumulation (chapter 2) ----------------------------------------------


@HYP
@given(problems())
def test_forward_mode_equals_backprop(problem):
    net, X, Y = problem
    assume(net.n_layers >= 3)
    x, y = X[0], Y[0]
    by_forward = net.delta_by_forward_mode(x, y)
    by_reverse = net.backward(x, y).delta_of(2)
    assert rel_err(by_forward, by_reverse) < 1e-10


def test_forward_mode_two_layers_is_output_delta():
    net = MLP.random([3, 2], "tanh", seed=1)
    x, y = np.ones(3), np.zeros(2)
    assert np.allclose(net.delta_by_forward_mode(x, y), net.backward(x, y).delta_of(2))


def test_accumulation_counts_by_counting_products():
    # Count every scalar multiplication of the two accumulation orders with explicit shapes.
    sizes = [3, 5, 4, 6, 2]
    rev, fwd = network.accumulation_counts(sizes)
    s2 = sizes[1]
    rev_count = fwd_count = 0
    for k in range(1, len(sizes) - 1):  # layers l = 2 .. n_l - 1 (0-based k)
        rev_count += sizes[k] * sizes[k + 1] + sizes[k]  # W^T v, then ⊙ f'
        fwd_count += sizes[k] * s2 + sizes[k + 1] * sizes[k] * s2  # D_l T, then W^(l) (D_l T)
    fwd_count += sizes[-1] * s2  # T^T delta
    assert (rev, fwd) == (rev_count, fwd_count)
    assert rev == network.multiplication_counts(sizes)[0]
    n = 256
    r, f = network.accumulation_counts([n] * 10)
    assert n - 1 < f / r < n + 1  # forward costs about s_2 times reverse


def test_accumulation_counts_bad_input():
    with pytest.raises(ValueError, match="sizes must"):
        network.accumulation_counts([3, 2])
    with pytest.raises(TypeError, match="sizes must"):
        network.accumulation_counts("abc")

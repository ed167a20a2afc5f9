"""Tests for bpcore.regions: activation regions of ReLU networks and the masked-product form.

References: a dense-grid brute force (``brute_force_regions`` and an independent plain-numpy
pattern evaluation written here), exact ``Fraction`` arithmetic for Telgarsky's sawtooth and
its closed form 2 dist(2^{L−1} x, ℤ), finite differences and an explicit matrix product for the
region's affine map, and :func:`bpcore.backprop.delta_recursion`.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bpcore.backprop import delta_recursion
from bpcore.regions import (
    RegionCount,
    RegionMap,
    ReluNetwork,
    brute_force_regions,
    count_regions,
    he_relu_network,
    product_bound,
    region_affine_map,
    sawtooth_network,
)

SAMPLES = 100_000


def plain_patterns(net: ReluNetwork, X: np.ndarray) -> np.ndarray:
    """Activation patterns by an independent forward pass (relu as max, on iff z > 0)."""
    h, on = X, []
    for w, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        z = np.einsum("ij,mj->mi", w, h) + b
        on.append(z > 0)
        h = np.maximum(z, 0.0)
    return np.hstack(on) if on else np.zeros((X.shape[0], 0), dtype=bool)


def random_segment(n0: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 12345)
    return rng.normal(size=n0) * 2.0, rng.normal(size=n0) * 2.0


net_specs = st.tuples(
    st.integers(0, 10_000),
    st.integers(1, 3),
    st.lists(st.integers(1, 6), min_size=1, max_size=4),
    st.integers(1, 2),
)


# --- exact count vs brute force ---------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(net_specs)
def test_count_matches_dense_grid_brute_force(spec: tuple[int, int, list[int], int]) -> None:
    """Equal counts whenever every piece is longer than 4 grid cells.

    The brute force samples cell midpoints (j + 1/2)/SAMPLES, so any piece longer than
    1/SAMPLES holds a sample; we require the minimum gap between consecutive t's of
    [0, breakpoints, 1] to exceed 4/SAMPLES (float breakpoints are accurate to ~1e-15, far
    below that), otherwise the example is discarded. A breakpoint missed by count_regions would
    leave two different patterns inside one of its pieces, which the grid sees.
    """
    seed, n0, hidden, n_out = spec
    net = he_relu_network([n0, *hidden, n_out], seed=seed)
    x0, x1 = random_segment(n0, seed)
    assume(np.linalg.norm(x1 - x0) > 1e-3)
    res = count_regions(net, x0, x1)
    assume(np.min(np.diff(res.t_grid)) > 4.0 / SAMPLES)
    assert brute_force_regions(net, x0, x1, samples=SAMPLES) == res.pieces
    # every breakpoint lies in the grid cell where the independent pattern changes
    tj = (np.arange(SAMPLES) + 0.5) / SAMPLES
    pats = plain_patterns(net, x0 + tj[:, None] * (x1 - x0))
    j = np.nonzero(np.any(pats[1:] != pats[:-1], axis=1))[0]
    assert j.size == res.breakpoints.size
    assert np.all(tj[j] <= res.breakpoints)
    assert np.all(res.breakpoints <= tj[j + 1])
    # the pattern of each piece is the grid's pattern there
    np.testing.assert_array_equal(pats[np.concatenate([[0], j + 1])], res.patterns)
    assert res.pieces <= product_bound(net)
    assert 1 <= res.linear_pieces <= res.pieces


@settings(max_examples=25, deadline=None)
@given(net_specs)
def test_slopes_and_linear_pieces_by_finite_differences(
    spec: tuple[int, int, list[int], int],
) -> None:
    """Slopes per piece vs central differences at the piece midpoints; linear_pieces recounted."""
    seed, n0, hidden, n_out = spec
    net = he_relu_network([n0, *hidden, n_out], seed=seed)
    x0, x1 = random_segment(n0, seed)
    assume(np.linalg.norm(x1 - x0) > 1e-3)
    res = count_regions(net, x0, x1)
    widths = np.diff(res.t_grid)
    assume(np.min(widths) > 1e-6)
    mids = 0.5 * (res.t_grid[:-1] + res.t_grid[1:])
    h = widths / 4
    d = x1 - x0
    fd = (net(x0 + (mids + h)[:, None] * d) - net(x0 + (mids - h)[:, None] * d)) / (2 * h)[:, None]
    scale = 1.0 + np.abs(res.slopes)
    np.testing.assert_allclose(res.slopes / scale, fd / scale, atol=1e-6)
    # values at the nodes are the network's values, and the graph is linear between them
    np.testing.assert_allclose(res.values, net(x0 + res.t_grid[:, None] * d), rtol=0, atol=0)
    chord = (res.values[1:] - res.values[:-1]) / widths[:, None]
    np.testing.assert_allclose(chord / scale, res.slopes / scale, atol=1e-6)
    # linear pieces recounted from the finite-difference slopes (relative 1e-5)
    jump = np.linalg.norm(fd[1:] - fd[:-1], axis=1)
    size = np.maximum(np.linalg.norm(fd[1:], axis=1), np.linalg.norm(fd[:-1], axis=1))
    assume(np.all((jump > 1e-4 * size) | (jump < 1e-7 * size + 1e-12)))  # no borderline cases
    assert res.linear_pieces == 1 + int(np.count_nonzero(jump > 1e-5 * size))


def test_pieces_vs_linear_pieces_when_a_unit_does_not_reach_the_output() -> None:
    # one unit switches at x = 0 but its output weight is 0: two regions, one linear piece
    net = ReluNetwork(([[1.0], [1.0]], [[0.0, 3.0]]), ([0.0, 5.0], [0.5]))
    res = count_regions(net, -1.0, 1.0)
    assert res.pieces == 2
    assert res.linear_pieces == 1
    np.testing.assert_array_equal(res.breakpoints, [0.5])
    np.testing.assert_array_equal(res.patterns, [[False, True], [True, True]])
    np.testing.assert_array_equal(res.slopes, [[6.0], [6.0]])
    assert brute_force_regions(net, -1.0, 1.0, samples=1000) == 2


def test_affine_network_and_dead_layer() -> None:
    affine = ReluNetwork(([[2.0, 1.0]],), ([1.0],))
    res = count_regions(affine, [0.0, 0.0], [1.0, 1.0])
    assert (res.pieces, res.linear_pieces, res.patterns.shape) == (1, 1, (1, 0))
    assert affine.hidden_neurons == 0
    assert product_bound(affine) == 1
    # a layer whose units are all off: constant z downstream, no zero crossings there
    dead = ReluNetwork(([[1.0]], [[-1.0]], [[1.0]]), ([0.0], [-10.0], [0.0]))
    res = count_regions(dead, -1.0, 1.0)
    assert res.pieces == 2
    assert res.linear_pieces == 1
    np.testing.assert_array_equal(res.slopes, [[0.0], [0.0]])


def test_guard_merges_coincident_switches() -> None:
    # two units switching at the same x give one breakpoint
    net = ReluNetwork(([[1.0], [2.0]], [[1.0, 1.0]]), ([0.0, 0.0], [0.0]))
    res = count_regions(net, -1.0, 1.0)
    assert res.pieces == 2
    # two switches 1e-13 apart in t: merged by the default guard, separate without it
    net = ReluNetwork(([[1.0], [1.0]], [[1.0, -1.0]]), ([0.0, -2e-13], [0.0]))
    assert count_regions(net, -1.0, 1.0).pieces == 2
    assert count_regions(net, -1.0, 1.0, guard=0.0).pieces == 3


# --- Telgarsky's sawtooth ---------------------------------------------------------------------


def tent_exact(x: Fraction) -> Fraction:
    return 2 * max(x, Fraction(0)) - 4 * max(x - Fraction(1, 2), Fraction(0))


def sawtooth_closed_form(x: Fraction, depth: int) -> Fraction:
    """2 dist(2^{L−1} x, ℤ), exactly."""
    y = x * 2 ** (depth - 1)
    return 2 * abs(y - round(y))


@pytest.mark.parametrize("depth", range(1, 13))
def test_sawtooth_has_exactly_two_to_the_depth_pieces(depth: int) -> None:
    net = sawtooth_network(depth)
    assert net.widths == [1] + [2] * depth + [1]
    assert net.hidden_neurons == 2 * depth
    res = count_regions(net, 0.0, 1.0)
    assert res.pieces == 2**depth
    assert res.linear_pieces == 2**depth
    expected = [Fraction(k, 2**depth) for k in range(1, 2**depth)]
    assert [Fraction(float(b)) for b in res.breakpoints] == expected  # exact dyadics
    np.testing.assert_array_equal(res.slopes[:, 0], 2.0**depth * (-1.0) ** np.arange(2**depth))
    np.testing.assert_array_equal(res.values[:, 0], np.arange(2**depth + 1) % 2)
    assert res.pieces <= product_bound(net) == 3**depth


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.lists(st.integers(0, 2**20), min_size=1, max_size=20))
def test_sawtooth_equals_iterated_tent_and_closed_form_exactly(depth: int, ks: list[int]) -> None:
    """At dyadic inputs k / 2^20 every float operation is exact, so equality is exact."""
    net = sawtooth_network(depth)
    xs = [Fraction(k, 2**20) for k in ks]
    out = net(np.array([[float(x)] for x in xs]))[:, 0]
    for x, y in zip(xs, out, strict=True):
        it = x
        for _ in range(depth):
            it = tent_exact(it)
        assert Fraction(float(y)) == it == sawtooth_closed_form(x, depth)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.floats(0.0, 1.0))
def test_sawtooth_arccos_form(depth: int, x: float) -> None:
    # t^L(x) = arccos(cos(2^L π x)) / π; float rounding of x is amplified by 2^L
    got = float(sawtooth_network(depth)(x)[0])
    exact = float(sawtooth_closed_form(Fraction(x), depth))
    assert got == pytest.approx(exact, abs=2.0**depth * 1e-15)
    assert math.acos(math.cos(2**depth * math.pi * x)) / math.pi == pytest.approx(
        exact, abs=2.0**depth * 1e-14 + 1e-7
    )


# --- random He networks: roughly linear in the neurons, far below the product bound -----------


def test_he_network_statistics() -> None:
    net = he_relu_network([200, 400, 3], seed=7, bias_scale=0.5)
    assert np.std(net.weights[0]) == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    assert np.std(net.weights[1]) == pytest.approx(math.sqrt(2 / 400), rel=0.05)
    assert np.std(np.concatenate(net.biases)) == pytest.approx(0.5, rel=0.1)
    assert he_relu_network([2, 3, 1], seed=7).weights[0].tolist() == (
        he_relu_network([2, 3, 1], seed=7).weights[0].tolist()
    )
    zero_bias = he_relu_network([1, 16, 16, 1], seed=1, bias_scale=0.0)
    # positively homogeneous: a single kink at the origin
    assert count_regions(zero_bias, -1.0, 1.0).linear_pieces == 2


def test_region_counts_grow_roughly_linearly_with_neurons() -> None:
    """Observed: the count along a line is roughly linear in the number of neurons.

    Hanin & Rolnick (2019, Thm 1) prove an UPPER bound on the EXPECTED density of breakpoints
    along a line, ≈ #neurons × constants (C_grad, C_bias), for weights and biases with densities
    satisfying their conditions (biases with a bounded density; here N(0, 1)). That bound does
    not grow with depth; it is not a proof that counts grow linearly. The lower end of the band
    checked here is empirical.

    Mean over 3 seeds along the segment from (−2, −2) to (2, 2); measured ratios pieces/neurons
    are about 0.5–0.95 (see the module report), so [0.25, 1.5] leaves a wide margin while still
    failing for exponential growth (the product bound is 10^12 at width 32, depth 8).
    """
    x0, x1 = np.array([-2.0, -2.0]), np.array([2.0, 2.0])
    for width in (8, 16, 32):
        for depth in (1, 2, 4, 8):
            widths = [2] + [width] * depth + [1]
            nets = [he_relu_network(widths, seed=s) for s in range(3)]
            counts = [count_regions(net, x0, x1).pieces for net in nets]
            ratio = np.mean(counts) / (width * depth)
            assert 0.25 <= ratio <= 1.5, (width, depth, counts)
            assert max(counts) <= product_bound(widths)
            if depth >= 4:
                assert max(counts) <= 1e-2 * product_bound(widths)


def test_count_regions_is_fast_at_width_32_depth_8() -> None:
    net = he_relu_network([2] + [32] * 8 + [1], seed=3)
    x0, x1 = np.array([-2.0, -2.0]), np.array([2.0, 2.0])
    count_regions(net, x0, x1)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        count_regions(net, x0, x1)
        times.append(time.perf_counter() - start)
    assert np.median(times) < 0.05


def test_max_pieces_bounds_the_work() -> None:
    with pytest.raises(ValueError, match="max_pieces"):
        count_regions(sawtooth_network(12), 0.0, 1.0, max_pieces=1000)
    assert count_regions(sawtooth_network(9), 0.0, 1.0, max_pieces=512).pieces == 512


# --- the closed form inside one region --------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(net_specs)
def test_region_affine_map(spec: tuple[int, int, list[int], int]) -> None:
    seed, n0, hidden, n_out = spec
    net = he_relu_network([n0, *hidden, n_out], seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n0)
    rm = region_affine_map(net, x)
    # explicit product W_L D_{L−1} ⋯ D_1 W_1 with the masks of an independent forward pass
    pattern = plain_patterns(net, x[None, :])[0]
    np.testing.assert_array_equal(rm.pattern, pattern)
    prod = net.weights[0]
    start = 0
    for w in net.weights[1:]:
        n = w.shape[1]
        prod = w @ (pattern[start : start + n, None] * prod)
        start += n
    np.testing.assert_allclose(rm.A, prod, rtol=1e-12, atol=1e-12)
    # the recurrence with f' = masks gives the same rows (δ at the input for unit δ's on top)
    deltas = delta_recursion(list(net.weights), np.eye(n_out), [None, *rm.masks])
    np.testing.assert_array_equal(rm.A, deltas[0])
    np.testing.assert_allclose(rm(x), net(x), rtol=1e-12, atol=1e-12)
    # finite differences, where the region is wide enough around x
    h = 1e-6
    E = np.eye(n0) * h
    pts = np.concatenate([x + E, x - E])
    assume(np.all(plain_patterns(net, pts) == pattern))
    fd = ((net(x + E) - net(x - E)) / (2 * h)).T
    np.testing.assert_allclose(rm.A, fd, rtol=1e-6, atol=1e-7)
    # net(y) = A y + c for nearby y in the same region
    ys = x + rng.normal(size=(200, n0)) * 1e-3
    same = np.all(plain_patterns(net, ys) == pattern, axis=1)
    np.testing.assert_allclose(rm(ys[same]), net(ys[same]), rtol=1e-10, atol=1e-10)


def test_region_map_matches_count_regions_slopes() -> None:
    net = he_relu_network([3, 10, 10, 10, 2], seed=4)
    x0, x1 = np.array([-1.0, 0.5, 2.0]), np.array([1.5, -1.0, -0.5])
    res = count_regions(net, x0, x1)
    assert res.pieces > 5
    mids = 0.5 * (res.t_grid[:-1] + res.t_grid[1:])
    for k, t in enumerate(mids):
        rm = region_affine_map(net, x0 + t * (x1 - x0))
        np.testing.assert_array_equal(rm.pattern, res.patterns[k])
        np.testing.assert_allclose(rm.A @ (x1 - x0), res.slopes[k], rtol=1e-12, atol=1e-12)


# --- shapes, reprs and bad input ---------------------------------------------------------------


def test_call_shapes_and_reprs() -> None:
    net = he_relu_network([1, 4, 2], seed=0)
    assert net(0.3).shape == (2,)
    assert net([0.3]).shape == (2,)
    batch = np.array([[0.3], [-1.0], [2.0]])
    out = net(batch)
    assert out.shape == (3, 2)
    np.testing.assert_array_equal(out[1], net(-1.0))
    assert repr(net) == "ReluNetwork(widths=[1, 4, 2], hidden_neurons=4)"
    assert net.depth == 1
    res = count_regions(sawtooth_network(2), 0.0, 1.0)
    assert isinstance(res, RegionCount)
    assert repr(res).startswith("RegionCount(pieces=4, linear_pieces=4, breakpoints=[0.25")
    rm = region_affine_map(sawtooth_network(1), 0.25)
    assert isinstance(rm, RegionMap)
    assert repr(rm) == "RegionMap(units_on=1/2, A=[[2.]], c=[0.])"
    assert product_bound([3, 4, 5, 1]) == 30
    assert product_bound([2] + [32] * 8 + [1]) == 33**8
    assert not net.weights[0].flags.writeable


def test_bad_input_network() -> None:
    with pytest.raises(TypeError, match="weights must"):
        ReluNetwork(np.ones((2, 2)), ([0.0, 0.0],))
    with pytest.raises(ValueError, match="weights must contain"):
        ReluNetwork((), ())
    with pytest.raises(ValueError, match="biases must have one"):
        ReluNetwork(([[1.0]],), ())
    with pytest.raises(ValueError, match=r"weights\[1\] must have 2 columns"):
        ReluNetwork((np.ones((2, 1)), np.ones((1, 3))), (np.zeros(2), np.zeros(1)))
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(2,\)"):
        ReluNetwork((np.ones((2, 1)),), (np.zeros(3),))
    with pytest.raises(ValueError, match=r"weights\[0\] must contain only finite"):
        ReluNetwork(([[np.nan]],), ([0.0],))
    with pytest.raises(ValueError, match=r"weights\[0\] must be a 2-D"):
        ReluNetwork(([1.0],), ([0.0],))
    with pytest.raises(ValueError, match=r"weights\[0\] must have at least one row"):
        ReluNetwork((np.ones((0, 1)),), (np.zeros(0),))
    net = he_relu_network([2, 3, 1])
    with pytest.raises(ValueError, match=r"x must have shape \(2,\)"):
        net([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="x must contain only finite"):
        net([1.0, np.inf])


def test_bad_input_constructors() -> None:
    with pytest.raises(ValueError, match="widths must list at least"):
        he_relu_network([3])
    with pytest.raises(ValueError, match=r"widths\[1\] must be an integer >= 1"):
        he_relu_network([3, 0, 1])
    with pytest.raises(TypeError, match=r"widths\[0\] must be an integer"):
        he_relu_network([2.5, 3, 1])
    with pytest.raises(TypeError, match="widths must be a sequence"):
        he_relu_network("321")
    with pytest.raises(ValueError, match="bias_scale must be >= 0"):
        he_relu_network([1, 2, 1], bias_scale=-1.0)
    with pytest.raises(ValueError, match="bias_scale must be finite"):
        he_relu_network([1, 2, 1], bias_scale=math.nan)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        he_relu_network([1, 2, 1], seed=-1)
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        sawtooth_network(0)
    with pytest.raises(TypeError, match="depth must be an integer"):
        sawtooth_network(2.0)
    with pytest.raises(ValueError, match="widths must list at least"):
        product_bound([4])


def test_bad_input_counting() -> None:
    net = he_relu_network([2, 3, 1])
    with pytest.raises(ValueError, match="x0 and x1 must differ"):
        count_regions(net, [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="x0 and x1 must differ"):
        brute_force_regions(net, [0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\)"):
        count_regions(net, 0.0, [1.0, 1.0])
    with pytest.raises(ValueError, match=r"x1 must have shape \(2,\)"):
        count_regions(net, [0.0, 0.0], [[1.0, 1.0]])
    with pytest.raises(ValueError, match="x1 must contain only finite"):
        count_regions(net, [0.0, 0.0], [np.nan, 1.0])
    with pytest.raises(TypeError, match="net must be a ReluNetwork"):
        count_regions(net.weights, [0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"guard must be < 0\.5"):
        count_regions(net, [0.0, 0.0], [1.0, 1.0], guard=0.5)
    with pytest.raises(ValueError, match="guard must be >= 0"):
        count_regions(net, [0.0, 0.0], [1.0, 1.0], guard=-1e-3)
    with pytest.raises(ValueError, match="max_pieces must be an integer >= 1"):
        count_regions(net, [0.0, 0.0], [1.0, 1.0], max_pieces=0)
    with pytest.raises(ValueError, match="samples must be an integer >= 2"):
        brute_force_regions(net, [0.0, 0.0], [1.0, 1.0], samples=1)
    with pytest.raises(ValueError, match="samples must be <= 10"):
        brute_force_regions(net, [0.0, 0.0], [1.0, 1.0], samples=10**9)
    with pytest.raises(ValueError, match=r"x must be one point of shape \(2,\)"):
        region_affine_map(net, [[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="x must contain only finite"):
        region_affine_map(net, [0.0, np.nan])
    with pytest.raises(TypeError, match="net must be a ReluNetwork"):
        region_affine_map("net", [0.0, 1.0])
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        region_affine_map(net, [0.0, 1.0])([1.0, 2.0, 3.0])

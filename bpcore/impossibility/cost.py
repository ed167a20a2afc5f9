"""Cost: the cheap gradient principle, as a multiply–add model and as a measurement.

:func:`gradient_flops` is the multiply–add model of forward vs forward + backward for
:class:`bpcore.network.MLP`; :func:`measure_cheap_gradient` times both in a fresh process.

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real

__all__ = ["CheapGradient", "GradientFlops", "gradient_flops", "measure_cheap_gradient"]


@dataclass(frozen=True)
class GradientFlops:
    """Multiply–adds of one forward pass and of forward + backward for an MLP batch.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    forward : int
        m Σ_l s_l s_{l+1} (the products W^(l) a^(l) for the m examples).
    backward : int
        The forward count (``MLP.backward`` runs its own forward pass) plus the weight
        gradients m Σ_l s_l s_{l+1} and the δ recurrence m Σ_{l=2}^{n_l−1} s_l s_{l+1}
        (δ^(1) is not computed).
    ratio : Fraction
        backward / forward; 3 − 1/L for L equal-width weight layers.

    Examples
    --------
    >>> from bpcore.impossibility import gradient_flops
    >>> gradient_flops([2, 3, 1], m=4)
    GradientFlops(forward=36, backward=84, ratio=7/3)
    """

    forward: int
    backward: int
    ratio: Fraction

    def __repr__(self) -> str:
        return (
            f"GradientFlops(forward={self.forward}, backward={self.backward}, ratio={self.ratio})"
        )


def gradient_flops(sizes: Sequence[int], m: int = 1) -> GradientFlops:
    """The multiply–add model of the cheap gradient principle for ``MLP.random(sizes)``.

    Introduced in chapter 5 (What can be proved impossible).

    Counts only matrix products (elementwise work is O(m Σ s_l), lower order). Baur & Strassen
    (1983) and Griewank & Walther (2008) bound the gradient's cost by a small constant times
    the function's for any straight-line program; here the constant is < 3.

    Parameters
    ----------
    sizes : sequence of int >= 1, length >= 2
        [s_1, …, s_{n_l}].
    m : int >= 1
        Batch size.

    Examples
    --------
    >>> from bpcore.impossibility import gradient_flops
    >>> gradient_flops([100] * 5).ratio
    Fraction(11, 4)
    """
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 layer widths, got {list(sizes)}")
    s = [check_int(v, f"sizes[{k}]", minimum=1) for k, v in enumerate(sizes)]
    m = check_int(m, "m", minimum=1)
    pairs = [a * b for a, b in itertools.pairwise(s)]
    forward = m * sum(pairs)
    backward = 2 * forward + m * sum(pairs[1:])
    return GradientFlops(forward, backward, Fraction(backward, forward))


@dataclass(frozen=True, eq=False)
class CheapGradient:
    """Measured forward and forward + backward times of ``MLP`` networks, with the flop model.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    sizes : tuple of tuple of int
        The networks' layer widths.
    batches : tuple of int
        The batch sizes.
    forward_seconds, backward_seconds : (len(sizes), len(batches)) arrays
        Median over rounds of the per-call time of ``net.forward(X)`` and of
        ``net.backward(X, Y)`` (which includes its own forward pass).
    ratio : (len(sizes), len(batches)) array
        Median over rounds of (forward + backward time) / (forward time), each round's two
        times measured back to back: ``MLP.backward`` runs its own forward pass, so this is
        the cost of the whole gradient in units of one forward pass.
    flop_ratio : (len(sizes), len(batches)) array
        :func:`gradient_flops` ratio for the same sizes (it does not depend on the batch).

    Examples
    --------
    A result with illustrative times (:func:`measure_cheap_gradient` measures real ones):

    >>> import numpy as np
    >>> from bpcore.impossibility import CheapGradient, gradient_flops
    >>> result = CheapGradient(
    ...     sizes=((8, 8, 8),), batches=(64,), forward_seconds=np.array([[4e-6]]),
    ...     backward_seconds=np.array([[1.1e-5]]), ratio=np.array([[2.75]]),
    ...     flop_ratio=np.array([[float(gradient_flops([8, 8, 8]).ratio)]]),
    ... )
    >>> result
    CheapGradient(widths=[8], batches=[64], ratio=[[2.75]], flop_ratio=[[2.5]])
    """

    sizes: tuple[tuple[int, ...], ...]
    batches: tuple[int, ...]
    forward_seconds: np.ndarray
    backward_seconds: np.ndarray
    ratio: np.ndarray
    flop_ratio: np.ndarray

    def __repr__(self) -> str:
        return (
            f"CheapGradient(widths={[max(s) for s in self.sizes]}, batches={list(self.batches)}, "
            f"ratio={short_array(self.ratio)}, flop_ratio={short_array(self.flop_ratio)})"
        )


_TIMING_SCRIPT = r"""
import json, statistics, sys, time
import numpy as np
from bpcore.network import MLP
args = json.loads(sys.argv[1])
def per_call(fn, min_total):
    n, total = 0, 0.0
    start = time.perf_counter()
    while total < min_total:
        fn()
        n += 1
        total = time.perf_counter() - start
    return total / n
configs = []
for sizes in args["sizes"]:
    net = MLP.random(sizes, "tanh", seed=args["seed"], output_activation="identity")
    for batch in args["batches"]:
        rng = np.random.default_rng(args["seed"])
        X = rng.standard_normal((batch, sizes[0]))
        Y = rng.standard_normal((batch, sizes[-1]))
        fwd = (lambda net, X: lambda: net.forward(X))(net, X)
        bwd = (lambda net, X, Y: lambda: net.backward(X, Y))(net, X, Y)
        fwd(); bwd()
        configs.append((fwd, bwd))
rounds = [[] for _ in configs]
for _ in range(args["repeats"]):  # interleaved: every configuration once per round
    for c, (fwd, bwd) in enumerate(configs):
        rounds[c].append((per_call(fwd, args["min_time"]), per_call(bwd, args["min_time"])))
out = [[statistics.median(f for f, _ in r), statistics.median(b for _, b in r),
        statistics.median(b / f for f, b in r)] for r in rounds]
print(json.dumps(out))
"""

#: Environment variables that pin the BLAS of the timing subprocess to one thread.
_ONE_THREAD = {
    v: "1"
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
}


def measure_cheap_gradient(
    sizes: Sequence[Sequence[int]],
    *,
    batches: Sequence[int] = (64,),
    repeats: int = 5,
    min_time: float = 0.05,
    seed: int = 0,
    timeout: float = 120.0,
) -> CheapGradient:
    """Time forward vs forward + backward of ``MLP.random`` networks in a fresh Python process.

    Introduced in chapter 5 (What can be proved impossible).

    A measurement tool: a subprocess of ``sys.executable`` (no warm caches or threads from the
    notebook; BLAS pinned to one thread) builds each network (tanh hidden layers, identity
    read-out, ``seed``) and one batch per entry of ``batches``, warms up, then runs ``repeats``
    rounds. Every round visits every (network, batch) configuration once, so that a change of
    load hits all of them alike; in each visit ``net.forward(X)`` and then
    ``net.backward(X, Y)`` are called until ``min_time`` seconds are spent, giving per-call
    times measured back to back. The results are medians over rounds. Timings depend on the
    machine, the BLAS and the load; compare the ratio with :func:`gradient_flops`.

    Parameters
    ----------
    sizes : non-empty sequence of layer-width lists
    batches : non-empty sequence of int >= 1
    repeats : int >= 1
    min_time : float > 0
        Seconds per timed block.
    seed : int >= 0
    timeout : float > 0
        Seconds before the subprocess is abandoned (``subprocess.TimeoutExpired``).

    Returns
    -------
    CheapGradient

    Examples
    --------
    >>> from bpcore.impossibility import measure_cheap_gradient
    >>> result = measure_cheap_gradient([[8, 8]], batches=[4], repeats=1, min_time=0.001)
    >>> result.flop_ratio, bool(result.forward_seconds[0, 0] > 0)
    (array([[2.]]), True)
    """
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence) or len(sizes) == 0:
        raise TypeError("sizes must be a non-empty list of layer-width lists, e.g. [[64] * 5]")
    flops = [gradient_flops(s, 1) for s in sizes]  # validates every entry
    size_lists = [[int(v) for v in s] for s in sizes]
    if isinstance(batches, str | bytes) or not isinstance(batches, Sequence) or not batches:
        raise TypeError("batches must be a non-empty list of batch sizes, e.g. [8, 512]")
    batch_list = [check_int(v, "batch", minimum=1) for v in batches]
    repeats = check_int(repeats, "repeats", minimum=1)
    min_time = check_real(min_time, "min_time", low=0.0, low_open=True)
    seed = check_int(seed, "seed", minimum=0)
    timeout = check_real(timeout, "timeout", low=0.0, low_open=True)
    payload = json.dumps(
        {
            "sizes": size_lists,
            "batches": batch_list,
            "repeats": repeats,
            "min_time": min_time,
            "seed": seed,
        }
    )
    proc = subprocess.run(
        [sys.executable, "-c", _TIMING_SCRIPT, payload],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **_ONE_THREAD},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the timing subprocess failed:\n{proc.stderr[-2000:]}")
    shape = (len(size_lists), len(batch_list))
    times = np.array(json.loads(proc.stdout), dtype=np.float64).reshape(*shape, 3)
    flop_ratio = np.repeat([[float(f.ratio)] for f in flops], len(batch_list), axis=1)
    arrays = [times[..., 0].copy(), times[..., 1].copy(), times[..., 2].copy(), flop_ratio]
    for arr in arrays:
        arr.setflags(write=False)
    return CheapGradient(tuple(tuple(s) for s in size_lists), tuple(batch_list), *arrays)

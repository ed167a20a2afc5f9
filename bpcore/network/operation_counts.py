"""The cost of the recurrence and of the product form: multiplication counts and timings.

The recurrence needs a matrix–vector product per layer; forming the ordered product needs
matrix–matrix products, about n times dearer at width n. Forward accumulation pays per input
direction, reverse accumulation (backprop) per output direction.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from bpcore._timing import min_call_time
from bpcore._validate import check_int
from bpcore.activations import Activation, get_activation
from bpcore.network.mlp import MLP
from bpcore.network.ordered_product import _deltas_by_accumulated_product

__all__ = ["accumulation_counts", "multiplication_counts", "time_recurrence_vs_product"]


def _check_sizes(sizes: object, name: str, minimum_length: int) -> list[int]:
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(
            f"{name} must be a sequence of positive integers, got {type(sizes).__name__}"
        )
    if len(sizes) < minimum_length:
        raise ValueError(
            f"{name} must contain at least {minimum_length} entries, got {list(sizes)}"
        )
    return [check_int(v, f"{name}[{k}]", minimum=1) for k, v in enumerate(sizes)]


def multiplication_counts(sizes: Sequence[int]) -> tuple[int, int]:
    """Scalar multiplications to get δ^(2), …, δ^(n_l−1) from δ^(n_l): recurrence vs product.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Both start from the same data: the weights, the vectors f'(z^(l)) of a forward pass and
    δ^(n_l). Layer l has s_l units.

    * Recurrence, δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) for l = n_l−1, …, 2: a matrix–vector
      product (s_l s_{l+1}) and a Hadamard product (s_l) per layer,
      Σ_{l=2}^{n_l−1} (s_l s_{l+1} + s_l).
    * Product form, δ^(l) = P_l δ^(n_l) with P_l = M_l M_{l+1} ⋯ M_{n_l−1}: form every
      M_l = D_l W^(l)ᵀ (s_l s_{l+1} each), accumulate P_{n_l−1} = M_{n_l−1} and
      P_l = M_l P_{l+1} (an (s_l × s_{l+1}) by (s_{l+1} × s_{n_l}) product, s_l s_{l+1} s_{n_l},
      for l = n_l−2, …, 2), then apply each P_l to δ^(n_l) (s_l s_{n_l}).

    For n_l − 2 = L hidden layers and s_2 = … = s_{n_l} = n (the output layer as wide as the
    hidden ones) this is L(n² + n) against 2Ln² + (L − 1)n³: the product form is about n times
    dearer. For s_{n_l} = 1 every P_l is a single column and the ratio stays near 2.

    Parameters
    ----------
    sizes : sequence of ints >= 1, length >= 3
        [s_1, …, s_{n_l}] (at least one hidden layer, so that there is at least one M_l).

    Returns
    -------
    (recurrence, product) : tuple of int

    Examples
    --------
    >>> from bpcore.network import multiplication_counts
    >>> multiplication_counts([4, 8, 8, 8])
    (144, 768)
    >>> multiplication_counts([4, 8, 8, 1])
    (88, 152)
    """
    s = _check_sizes(sizes, "sizes", 3)
    n_l = len(s)
    out = s[-1]
    hidden = range(1, n_l - 1)  # 0-based index of layers l = 2, …, n_l − 1
    recurrence = sum(s[k] * s[k + 1] + s[k] for k in hidden)
    forming = sum(s[k] * s[k + 1] for k in hidden)
    accumulating = sum(s[k] * s[k + 1] * out for k in range(1, n_l - 2))
    applying = sum(s[k] * out for k in hidden)
    return recurrence, forming + accumulating + applying


def accumulation_counts(sizes: Sequence[int]) -> tuple[int, int]:
    """Scalar multiplications for ∂J/∂z^(2) from δ^(n_l): reverse vs forward accumulation.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    The Jacobian of z^(n_l) with respect to z^(2) is the product of the layer Jacobians
    W^(l) D_l, l = n_l−1, …, 2. Both counts start from the weights, the vectors f'(z^(l)) of a
    forward pass and δ^(n_l).

    * Reverse accumulation (backprop, one vector–Jacobian product per layer, started from the
      single cotangent δ^(n_l)): Σ_{l=2}^{n_l−1} (s_l s_{l+1} + s_l), the ``recurrence`` count
      of :func:`multiplication_counts`.
    * Forward accumulation (:meth:`MLP.delta_by_forward_mode`, one Jacobian–vector product per
      layer for each of the s_2 tangent directions): per layer s_l s_2 to scale by D_l and
      s_{l+1} s_l s_2 for the product with W^(l), then s_{n_l} s_2 for T_{n_l}ᵀ δ^(n_l).

    Forward costs about s_2 times reverse: forward mode pays per input direction, reverse mode
    per output direction, and a scalar loss has one.

    Parameters
    ----------
    sizes : sequence of ints >= 1, length >= 3

    Returns
    -------
    (reverse, forward) : tuple of int

    Examples
    --------
    >>> from bpcore.network import accumulation_counts
    >>> accumulation_counts([4, 8, 8, 1])
    (88, 712)
    """
    s = _check_sizes(sizes, "sizes", 3)
    n_l = len(s)
    hidden = range(1, n_l - 1)
    reverse = sum(s[k] * s[k + 1] + s[k] for k in hidden)
    forward = sum(s[k] * s[1] + s[k + 1] * s[k] * s[1] for k in hidden) + s[-1] * s[1]
    return reverse, forward


def _bare_recurrence(
    weights: list[np.ndarray], fprimes: list[np.ndarray], delta_out: np.ndarray
) -> list[np.ndarray]:
    """[δ^(2), …, δ^(n_l−1)] by the recurrence, without input checks: a timing kernel only.

    ``weights = [W^(2), …, W^(n_l−1)]``, ``fprimes = [f'(z^(2)), …, f'(z^(n_l−1))]``. The same
    arithmetic as :func:`bpcore.backprop.delta_recursion`, which validates its inputs at every
    step (about 10 µs per layer, more than the matrix–vector product itself at small widths).
    :func:`time_recurrence_vs_product` times this bare loop so that the recurrence and the
    product form pay the same (no) overhead; the tests check it against ``delta_recursion``.
    """
    d = delta_out
    deltas = []
    for W, fp in zip(reversed(weights), reversed(fprimes), strict=True):
        d = (d @ W) * fp  # δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)), row-vector convention
        deltas.append(d)
    return deltas[::-1]


def _bare_product(
    weights: list[np.ndarray], fprimes: list[np.ndarray], delta_out: np.ndarray
) -> list[np.ndarray]:
    """[δ^(2), …, δ^(n_l−1)] by the product form, without input checks: a timing kernel only.

    Forms every M_l = D_l W^(l)ᵀ, accumulates P_l = M_l P_{l+1} from the output side and
    applies each P_l to δ^(n_l) — exactly the operations counted by
    :func:`multiplication_counts`. Arguments as for :func:`_bare_recurrence`.
    """
    factors = [fp[:, None] * W.T for W, fp in zip(weights, fprimes, strict=True)]
    return _deltas_by_accumulated_product(factors, delta_out)


def time_recurrence_vs_product(
    widths: Sequence[int],
    hidden_layers: int = 3,
    repeats: int = 5,
    activation: str | Activation = "tanh",
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock seconds for all δ's of one example: by the recurrence and by the product form.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    For each width n a random network ``MLP.random([n] * (hidden_layers + 2), activation,
    seed=seed)`` — L = ``hidden_layers`` hidden layers, every layer (the output included) of
    width n, as in :func:`multiplication_counts` — and one random example (x, y) are drawn. One
    untimed forward and backward pass give f'(z^(2)), …, f'(z^(n_l−1)) and δ^(n_l). From these
    same data two bare numpy kernels (no input checks, no Python overhead beyond one loop
    iteration per layer) compute δ^(2), …, δ^(n_l−1), and are timed:

    * the recurrence: δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)), one matrix–vector product per
      layer, L(n² + n) multiplications;
    * the product form: form every M_l = D_l W^(l)ᵀ, accumulate P_l = M_l P_{l+1} from the
      output side and apply every P_l to δ^(n_l) — matrix–matrix products,
      2Ln² + (L − 1)n³ multiplications.

    Both kernels are checked to agree (relative error < 1e-10) before timing.

    Timing on a shared machine: a call can be slowed down tenfold while another process holds
    a core, for seconds at a time. So the measurement runs ``repeats`` rounds over all widths
    and both methods (round-robin, so that a slow period hits different widths in different
    rounds); in each round a call is repeated until 5 ms are spent; the result is the shortest
    call seen. Timings are machine-dependent (BLAS library and threads, caches, memory
    bandwidth); matrix–matrix products run much closer to the processor's peak speed than
    matrix–vector products, so the time ratio is smaller than the ratio of multiplication
    counts.

    Parameters
    ----------
    widths : non-empty sequence of ints >= 1
    hidden_layers : int >= 1
        L = n_l − 2, the number of hidden layers (and of factors M_l).
    repeats : int >= 1
        Number of rounds.
    activation : str or Activation
    seed : int >= 0

    Returns
    -------
    (t_recurrence, t_product) : two float arrays of shape (len(widths),), in seconds.

    Examples
    --------
    >>> from bpcore.network import time_recurrence_vs_product
    >>> t_rec, t_prod = time_recurrence_vs_product([4, 64], hidden_layers=2, repeats=1)
    >>> t_rec.shape, bool((t_rec > 0).all() and (t_prod > 0).all())
    ((2,), True)
    """
    ns = _check_sizes(widths, "widths", 1)
    L = check_int(hidden_layers, "hidden_layers", minimum=1)
    repeats = check_int(repeats, "repeats", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    act = get_activation(activation, "activation")
    methods = []
    for n in ns:
        net = MLP.random([n] * (L + 2), act, seed=seed)
        rng = np.random.default_rng(seed)
        x, y = rng.standard_normal(n), rng.standard_normal(n)
        fp = net.forward(x)
        fprimes = [act.df(fp.z_of(l)) for l in range(2, net.n_layers)]
        delta_out = net.backward(x, y).delta_of(net.n_layers)
        args = (net.weights[1:], fprimes, delta_out)
        by_recurrence = functools.partial(_bare_recurrence, *args)
        by_product = functools.partial(_bare_product, *args)
        for a, b in zip(by_recurrence(), by_product(), strict=True):  # also a warm-up
            scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), 1e-300)
            if np.linalg.norm(a - b) > 1e-10 * scale:  # pragma: no cover - a bug, not bad input
                raise RuntimeError("the recurrence and the product form disagree")
        methods.append((by_recurrence, by_product))
    best = np.full((2, len(ns)), np.inf)
    for _ in range(repeats):
        for i, pair in enumerate(methods):
            for j, fn in enumerate(pair):
                best[j, i] = min(best[j, i], min_call_time(fn, 0.005))
    return best[0], best[1]

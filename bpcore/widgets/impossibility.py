"""Chapter 5's interactive figures: a stack machine run by a tied network, and JSR bounds.

* :func:`stack_machine_explorer` — the tied saturated-linear network of
  :func:`bpcore.impossibility.stack_network` running :func:`bpcore.impossibility.reverse_program`
  (reverse a bit string from stack 1 onto stack 2, one machine step per layer): the 140
  activations of a chosen layer (top) and the machine configuration read off them (bottom), in
  exact ``Fraction`` arithmetic and in float64, which decodes wrongly once a stack code needs
  more significant bits than float64 keeps.
* :func:`jsr_explorer` — brute-force bounds max ρ(Π)^(1/k) ≤ JSR ≤ max ‖Π‖₂^(1/k) over
  all products Π of length k of a small set Σ of matrices
  (:func:`bpcore.impossibility.jsr_bounds`), against the number of products formed.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from matplotlib.figure import Figure

from bpcore._validate import check_int
from bpcore.impossibility import (
    Configuration,
    JSRBounds,
    StackRun,
    jsr_bounds_by_length,
    relu_backward_factors,
    reversal_run,
)
from bpcore.plotting import STACKED_FIGSIZE
from bpcore.widgets.explorer import Control, Explorer

__all__ = [
    "JSR_K_MAX",
    "JSR_SETS",
    "STACK_INPUT",
    "STACK_LAYERS",
    "STACK_LENGTHS",
    "StackRun",
    "jsr_explorer",
    "jsr_matrices",
    "stack_machine_explorer",
    "stack_machine_run",
]

STACK_INPUT = "1110000001111111111101100110111001010000"
"""The explorer's input bits: ``numpy.random.default_rng(0).integers(0, 2, 40)``; length n uses
the first n (stack 1, top first)."""
STACK_LENGTHS = (4, 8, 12, 16, 20, 24, 25, 26, 27, 28, 32)
"""Input lengths n offered by :func:`stack_machine_explorer`."""
STACK_LAYERS = (0, 1, 2, 4, 8, 12, 16, 20, 24, 25, 26, 27)
"""Layers l offered by :func:`stack_machine_explorer` (12 values: one static frame each)."""

#: float64 keeps 53 significant bits; a stack code of k symbols has exactly 2k.
_FLOAT64_BITS = 53


@functools.lru_cache(maxsize=16)
def _run(length: int, layers: int) -> StackRun:
    return reversal_run(STACK_INPUT[:length], layers)


def stack_machine_run(length: int, layers: int = STACK_LAYERS[-1]) -> StackRun:
    """Run the reversal network on the first ``length`` input bits for ``layers`` layers.

    Introduced in chapter 5 (What can be proved impossible).

    Parameters
    ----------
    length : int, 1 ≤ length ≤ 40
        n, the number of bits of :data:`STACK_INPUT` on stack 1.
    layers : int >= 0
        L; the machine halts after n + 1 steps and then stays put.

    Returns
    -------
    StackRun
        :func:`bpcore.impossibility.reversal_run` of the first ``length`` bits. Cached: a
        second call with the same arguments returns the same object.

    Examples
    --------
    >>> from bpcore.widgets.impossibility import stack_machine_run
    >>> run = stack_machine_run(26)
    >>> run
    StackRun(n=26, layers 0..27, float64 first wrong at layer 26)
    >>> run is stack_machine_run(26)
    True
    """
    length = check_int(length, "length", minimum=1)
    if length > len(STACK_INPUT):
        raise ValueError(f"length must be <= {len(STACK_INPUT)} input bits, got {length}")
    return _run(length, check_int(layers, "layers", minimum=0))


# ---------------------------------------------------------------------------------------------
# the stack-machine explorer

_READ_TEXT = {"empty": "∅", "0": "0", "1": "1"}
_ROW_TEX = ("$g$", "$c_1$", "$c_2$", "$t_1$", "$t_2$", "$e_1$", "$e_2$")
_ROW_NAMES = ("gate g", "code c₁", "code c₂", "top t₁", "top t₂", "flag e₁", "flag e₂")
_SHOWN_SYMBOLS = 34  # at most this many cells per decoded stack (float64 may read up to 64)
_COLOURS = {  # cell colours: (right, wrong); empty cells are white
    0: ((0.74, 0.84, 0.95), (1.0, 0.72, 0.62)),
    1: ((0.13, 0.35, 0.66), (0.78, 0.12, 0.08)),
}
_MISSING = (1.0, 0.9, 0.86)  # the exact stack has a symbol here, float64 has none


def _stack_text(stack: tuple[int, ...]) -> str:
    if not stack:
        return "∅"
    text = "".join(map(str, stack))
    if len(text) > _SHOWN_SYMBOLS:
        return f"{text[:_SHOWN_SYMBOLS]}… ({len(text)} symbols)"
    return text


def _config_text(conf: Configuration) -> str:
    s1, s2 = (_stack_text(s) for s in conf.stacks)
    return f"state {conf.state}, stack 1 = {s1}, stack 2 = {s2}"


def _transition_text(tr: tuple[str, ...]) -> str:
    state, r1, r2, nxt, op1, op2 = tr
    return f"({state}, reads {_READ_TEXT[r1]} and {_READ_TEXT[r2]}) → ({nxt}, {op1}, {op2})"


def _first_difference(a: tuple[int, ...], b: tuple[int, ...]) -> int | None:
    for k, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return k
    return None if len(a) == len(b) else min(len(a), len(b))


def _cells(exact: Configuration, approx: Configuration, ncols: int) -> tuple[np.ndarray, list]:
    """RGB cells: rows exact stack 1, exact stack 2, float64 stack 1, float64 stack 2."""
    img = np.ones((4, ncols, 3))
    wrong = []
    for j in range(2):
        e, f = exact.stacks[j], approx.stacks[j]
        for k, s in enumerate(e[:ncols]):
            img[j, k] = _COLOURS[s][0]
        for k in range(min(max(len(e), len(f)), ncols)):
            if k >= len(f):
                img[2 + j, k] = _MISSING
                wrong.append((k, 2 + j))
                continue
            bad = k >= len(e) or e[k] != f[k]
            img[2 + j, k] = _COLOURS[f[k]][bad]
            if bad:
                wrong.append((k, 2 + j))
    return img, wrong


def _draw_stack_machine(fig: Figure, layer: int, length: int) -> str:
    run = stack_machine_run(length, STACK_LAYERS[-1])
    net = run.network
    z_float = np.array(run.exact[layer], dtype=np.float64)
    error = run.max_error(layer)  # |float64 − exact|, measured exactly
    exact, approx = run.decoded_exact[layer], run.decoded_float64[layer]
    groups = len(net.transitions) + len(net.states)
    T = len(net.transitions)

    # top: the activations of the layer, one row per unit kind, one column per unit group
    grid = z_float.reshape(1 + 3 * net.n_stacks, groups)
    lit = np.flatnonzero(grid[0])  # the group whose gate is on: exactly one
    if lit.size != 1:
        raise ValueError(f"layer {layer} has {lit.size} gates on; the construction needs one")
    column = int(lit[0])
    ax1 = fig.add_axes((0.13, 0.655, 0.84, 0.235))
    ax1.imshow(grid, cmap="Greens", vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
    ax1.add_patch(
        _rectangle(column - 0.5, -0.5, 1.0, grid.shape[0], edgecolor="C3", lw=2.0, fill=False)
    )
    ax1.set_yticks(range(grid.shape[0]), _ROW_TEX)
    ax1.set_xticks([4, 13, 18.5], ["move", "halt", "input"])
    ax1.tick_params(axis="x", length=0)
    ax1.vlines([8.5, 17.5], -0.5, grid.shape[0] - 0.5, colors="0.4", lw=0.9)
    ax1.set_xlabel("unit groups: 18 transitions (state, reads), 2 inputs", labelpad=2)
    q1, q2 = grid[1, column], grid[2, column]
    if column < T:
        state, r1, r2 = net.transitions[column][:3]
        fired = f"fired: {state} reading ({_READ_TEXT[r1]}, {_READ_TEXT[r2]})"
    else:
        fired = f"input group of {net.states[column - T]}"
    ax1.set_title(f"{fired}; codes {q1:.5f} and {q2:.5f}", fontsize=9.5, pad=3)

    # bottom: the configuration decoded from the activations, exact and float64
    longest = max(len(s) for s in (*exact.stacks, *approx.stacks))
    ncols = max(min(longest, _SHOWN_SYMBOLS), length, 4)
    img, wrong = _cells(exact, approx, ncols)
    ax2 = fig.add_axes((0.26, 0.1, 0.67, 0.3))
    ax2.imshow(  # cell k (0-based) is drawn at x = k + 1: positions count from 1, top first
        img, aspect="auto", interpolation="nearest", extent=(0.5, ncols + 0.5, 3.5, -0.5)
    )
    ax2.hlines([0.5, 1.5, 2.5], 0.5, ncols + 0.5, colors="0.3", lw=(0.5, 1.6, 0.5))
    if ncols <= 40:
        ax2.vlines(np.arange(1, ncols) + 0.5, -0.5, 3.5, colors="white", lw=0.6)
    if wrong:
        xs, ys = zip(*wrong, strict=True)
        ax2.plot(np.add(xs, 1), ys, "x", color="black", ms=5 if ncols <= 16 else 3.5, mew=1.2)
    for row, stack in enumerate((*exact.stacks, *approx.stacks)):
        if len(stack) > ncols:
            ax2.text(ncols + 0.7, row, f"+{len(stack) - ncols}", va="center", fontsize=7.5)
    ax2.set_yticks(
        range(4),
        ["exact, stack 1", "exact, stack 2", "float64, stack 1", "float64, stack 2"],
        fontsize=9,
    )
    ax2.set_xlabel("position from the top (dark 1, light 0, × wrong)", labelpad=2)
    ax2.locator_params(axis="x", integer=True, nbins=6)
    ax2.set_xlim(0.5, ncols + 0.5)
    states = f"state: exact {exact.state}, float64 {approx.state}"
    # the longest exact stack up to this layer: a wrong digit, once there, stays wrong
    bits_needed = 2 * run.longest_stack(layer)
    if approx == exact:
        verdict, colour = f"{states}; the two agree", "0.2"
    else:
        verdict, colour = f"{states}; float64 is wrong at ×", "C3"
    ax2.set_title(verdict, fontsize=9.5, color=colour, pad=3)
    halted = "halted" if exact.state == "halt" else f"after {layer} of {length + 1} steps"
    fig.text(
        0.5, 0.955, f"Reversing {length} bits: layer {layer} ({halted})",
        ha="center", fontsize=10.5,
    )  # fmt: skip
    fig.text(
        0.5, 0.5,
        f"longest stack so far: {bits_needed // 2} symbols, a code of {bits_needed} "
        f"significant bits (float64: {_FLOAT64_BITS})\n"
        + (
            f"float64 activations differ from the exact ones by ≤ {error:.1e}"
            if error
            else "float64 activations are exact here (every value fits in 53 bits)"
        ),
        ha="center", va="center", fontsize=8.5, linespacing=1.5,
    )  # fmt: skip

    # description (plain Unicode alt text)
    if column < T:
        top = f"lit in the column of transition {_transition_text(net.transitions[column])}"
    else:
        top = f"lit in the input group of state {net.states[column - T]}"
    if approx == exact:
        floats = "float64 decodes the same configuration."
    else:
        where = [
            f"stack {j + 1} from position {k + 1}"
            for j in range(2)
            if (k := _first_difference(exact.stacks[j], approx.stacks[j])) is not None
        ]
        if approx.state != exact.state:
            where.insert(0, "the state")
        floats = (
            f"float64 decodes {_config_text(approx)}: wrong in {' and '.join(where)}, because "
            f"a stack of k symbols has a code of at most 2k significant bits (here, so far, up to "
            f"{bits_needed}) and float64 keeps 53, less what the layer's additions round off."
        )
    return (
        f"The activations after {layer} machine steps (layer {layer + 1}, counting the input "
        f"as layer 1) of the tied saturated-linear network (140 units) that reverses the "
        f"{length}-bit input {run.bits} from stack 1 onto stack 2. Top: the layer's "
        f"activations as a heat map, {top}. Bottom: the configuration read off the "
        f"activations. Exact: {_config_text(exact)}. {floats}"
    )


def _rectangle(x: float, y: float, w: float, h: float, **kwargs: object):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, **kwargs)


def stack_machine_explorer() -> Explorer:
    """The chapter 5 explorer: machine step t, input length n → the network's activations and state.

    Introduced in chapter 5 (What can be proved impossible).

    The network is ``stack_network(reverse_program())`` (140 units, one tied layer
    a ↦ σ(W a + b) per machine step); the input is the first n bits of :data:`STACK_INPUT`.
    Exact and float64 runs come from :func:`stack_machine_run`; the configurations from
    :meth:`bpcore.impossibility.StackNetwork.decode`. The runs for every offered length are
    computed here, once (about 0.5 s in exact arithmetic), so that a redraw only draws.
    Notebook cell::

        explorer = widgets.stack_machine_explorer()
        explorer.show(vary="layer", length=26)

    Examples
    --------
    >>> from bpcore.widgets.impossibility import stack_machine_explorer
    >>> explorer = stack_machine_explorer()
    >>> explorer
    Explorer('stack-machine-explorer', controls: layer, length)
    >>> [(c.name, c.default) for c in explorer.controls]
    [('layer', 4), ('length', 26)]
    """
    for length in STACK_LENGTHS:
        stack_machine_run(length)
    return Explorer(
        name="stack-machine-explorer",
        draw=_draw_stack_machine,
        controls=[
            Control("layer", "machine step $t$", STACK_LAYERS, default=4),
            Control("length", "input bits $n$", STACK_LENGTHS, default=26),
        ],
        caption=(
            r"A tied network $a \mapsto \operatorname{sat}(Wa + b)$ with the saturated-linear "
            r"$\operatorname{sat}(x) = \min(1, \max(0, x))$ and rational $W$, $b$ runs a "
            r"two-stack machine "
            r"that reverses $n$ bits, one step per layer (our construction, in the spirit of "
            r"Siegelmann and Sontag). A stack of bits $\mathrm{bit}_1 \mathrm{bit}_2 \dots$ "
            r"(top first) is the number $q = \sum_i (2\,\mathrm{bit}_i + 1)/4^i$. "
            r"Top: the 140 activations after $t$ steps (layer "
            r"$t + 1$, the input being layer 1); only the "
            r"units of the transition that fired are non-zero (gate $g$, codes $c_j$, tops "
            r"$t_j$, flags $e_j$). Bottom: the configuration read off them, in exact "
            r"arithmetic and in float64. Look for the step where float64 first goes wrong "
            r"at $n = 26$, and at step 0 for $n \geq 27$: a code of $k$ symbols needs up to "
            r"$2k$ significant bits."
        ),
        figsize=STACKED_FIGSIZE,
    )


# ---------------------------------------------------------------------------------------------
# the JSR explorer

JSR_SETS = ("golden pair", "unbounded pair", "ReLU backward factors")
"""The matrix sets offered by :func:`jsr_explorer`."""
JSR_K_MAX = 12
"""Longest product length of :func:`jsr_explorer` (the ReLU set has 4 matrices: 4^12 products)."""

#: The ReLU set has 4 matrices: 4^7 = 16,384 products of length 7 take ~15 ms; 4^12 would be 16.8
#: million (~1 GB of products). Beyond this k the explorer shows why instead of computing.
_JSR_K_CAP = {"ReLU backward factors": 7}
_RELU_W = np.array([[0.6, -1.1], [0.9, 0.7]])
_JSR_TRUE = {"golden pair": (1 + math.sqrt(5)) / 2, "unbounded pair": 1.0}


def jsr_matrices(name: str) -> np.ndarray:
    """The matrix set ``name`` of :data:`JSR_SETS` as an (m, 2, 2) array.

    Introduced in chapter 5 (What can be proved impossible).

    * ``"golden pair"``: [[1, 1], [0, 1]] and [[1, 0], [1, 1]] (JSR = golden ratio φ, reached by
      the product of the two: bounds tight at k = 2);
    * ``"unbounded pair"``: [[1, 1], [0, 1]] and [[1, 0], [0, 0]] (JSR = 1 but the products are
      unbounded, so the upper bound closes slowly);
    * ``"ReLU backward factors"``: D Wᵀ for the 4 on/off patterns D of a 2-unit tied ReLU layer
      with W = [[0.6, −1.1], [0.9, 0.7]] (:func:`bpcore.impossibility.relu_backward_factors`).

    Examples
    --------
    >>> from bpcore.widgets.impossibility import jsr_matrices
    >>> jsr_matrices("golden pair")
    array([[[1., 1.],
            [0., 1.]],
    <BLANKLINE>
           [[1., 0.],
            [1., 1.]]])
    >>> jsr_matrices("ReLU backward factors").shape
    (4, 2, 2)
    """
    if name not in JSR_SETS:
        raise ValueError(f"name must be one of {JSR_SETS}, got {name!r}")
    if name == "golden pair":
        return np.array([[[1.0, 1.0], [0.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]])
    if name == "unbounded pair":
        return np.array([[[1.0, 1.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]]])
    return relu_backward_factors(_RELU_W)


@functools.lru_cache(maxsize=8)
def _jsr_table(name: str) -> tuple[JSRBounds, ...]:
    return jsr_bounds_by_length(jsr_matrices(name), _JSR_K_CAP.get(name, JSR_K_MAX))


def _draw_jsr(fig: Figure, matrices: str, k: int) -> str:
    cap = _JSR_K_CAP.get(matrices, JSR_K_MAX)
    if k > cap:
        m = len(jsr_matrices(matrices))
        raise ValueError(
            f"k = {k} would need all {m}^{k} = {m**k:,} products of the {m} {matrices}: the "
            f"brute-force work grows like |Σ|^k, so to redraw within a tenth of a second this "
            f"explorer stops at k = {cap} ({m}^{cap} = {m**cap:,} products) for this set"
        )
    table = _jsr_table(matrices)[:k]
    ks = np.arange(1, k + 1)
    lower = np.array([b.lower for b in table])
    upper = np.array([b.upper for b in table])
    products = np.array([b.products for b in table], dtype=np.float64)
    best_lower, best_upper = float(lower.max()), float(upper.min())
    ax1 = fig.add_axes((0.16, 0.6, 0.8, 0.3))
    ax1.plot(ks, upper, "v-", color="C3", ms=4, label=r"$\max\,\|\Pi\|_2^{1/k}$")
    ax1.plot(ks, lower, "^-", color="C0", ms=4, label=r"$\max\,\rho(\Pi)^{1/k}$")
    ax1.fill_between(ks, np.maximum.accumulate(lower), np.minimum.accumulate(upper),
                     color="0.85", lw=0)  # fmt: skip
    true = _JSR_TRUE.get(matrices)
    if true is not None:
        ax1.axhline(true, color="0.4", lw=0.9, ls=":")
    ax1.set_xlim(0.5, JSR_K_MAX + 0.5)
    ax1.set_xticks([1, 4, 8, 12])
    ax1.locator_params(axis="y", nbins=4)
    ax1.set_xlabel(r"product length $k$")
    ax1.set_ylabel("bound on the JSR")
    ax1.legend(loc="upper right", fontsize=8.5)
    ax1.set_title(rf"after $k = {k}$: ${best_lower:.4f} \leq$ JSR $\leq {best_upper:.4f}$",
                  fontsize=9.5, pad=3)  # fmt: skip
    ax2 = fig.add_axes((0.16, 0.1, 0.8, 0.3))
    ax2.plot(ks, np.log10(products), "o-", color="C2", ms=4)
    ax2.set_xlim(0.5, JSR_K_MAX + 0.5)
    ax2.set_ylim(0.0, math.log10(4.0) * JSR_K_MAX + 0.5)
    ax2.set_xticks([1, 4, 8, 12])
    ax2.set_xlabel(r"product length $k$")
    ax2.set_ylabel(r"$\log_{10}$ products $|\Sigma|^k$")
    m = len(jsr_matrices(matrices))
    fig.text(0.5, 0.955, rf"{matrices}: $|\Sigma| = {m}$ matrices, $2\times 2$", ha="center")
    gap = best_upper - best_lower
    truth = "" if true is None else f" (the JSR is {true:.6g})"
    return (
        f"Top: brute-force bounds on the joint spectral radius of the {matrices} ({m} matrices) "
        f"against the product length k = 1 to {k}: after all {m}^{k} = {int(products[-1])} "
        f"products of length {k}, {best_lower:.4f} ≤ JSR ≤ {best_upper:.4f}, a gap of "
        f"{gap:.2g}{truth}. Bottom: log10 of the number of products, |Σ|^k, growing linearly in k."
    )


def jsr_explorer() -> Explorer:
    """The chapter 5 explorer: a matrix set and k → brute-force JSR bounds and their cost.

    Introduced in chapter 5 (What can be proved impossible).

    Bounds from :func:`bpcore.impossibility.jsr_bounds_by_length` on :func:`jsr_matrices`
    (all lengths up to :data:`JSR_K_MAX` computed once per set and cached). Notebook cell::

        explorer = widgets.jsr_explorer()
        explorer.show(vary="k", matrices="unbounded pair")

    Examples
    --------
    >>> from bpcore.widgets.impossibility import jsr_explorer
    >>> png, alt = jsr_explorer().render(matrices="golden pair", k=2)
    >>> png[1:4], "1.6180 ≤ JSR ≤ 1.6180" in alt
    (b'PNG', True)
    """
    return Explorer(
        name="jsr-explorer",
        draw=_draw_jsr,
        controls=[
            Control("matrices", "matrix set", JSR_SETS, default="unbounded pair"),
            Control("k", "product length $k$", tuple(range(1, JSR_K_MAX + 1)), default=6),
        ],
        caption=(
            r"Backprop through a tied ReLU net multiplies $\delta$ by products of the backward "
            r"factors $DW^{\mathsf T}$, and their growth rate is the joint spectral radius of the "
            r"set $\Sigma$. Top: the bounds $\max \rho(\Pi)^{1/k} \leq \mathrm{JSR} \leq \max "
            r"\|\Pi\|_2^{1/k}$ over all $|\Sigma|^k$ products $\Pi$ of length $k$ "
            r"(shaded: the best bracket so far; dotted: the true value where known). "
            r"Bottom: the number of products. Look how slowly the bracket closes for the "
            r"unbounded pair while the work grows like $|\Sigma|^k$."
        ),
        figsize=STACKED_FIGSIZE,
    )

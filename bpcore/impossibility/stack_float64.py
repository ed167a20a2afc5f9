"""Decidable vocabularies, part 3: what float64 does to the stack network.

The tied layer of :mod:`bpcore.impossibility.stack_layer` is exact in ``Fraction``
arithmetic; in float64 a stack code of n symbols needs up to 2n significant bits and a layer's
partial sums round off more. :func:`float64_failure` finds the shortest input the float64 run
reverses wrongly, and :func:`reversal_run` runs the reversal network exactly and in float64
side by side, decoding every layer (the computation behind the chapter's stack-machine figure).

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from bpcore._validate import check_int
from bpcore.impossibility.stack_layer import StackNetwork, stack_network
from bpcore.impossibility.stack_machine import (
    Configuration,
    _check_bits,
    reverse_program,
    run_reference,
)

__all__ = ["FloatFailure", "StackRun", "float64_failure", "reversal_run"]


@dataclass(frozen=True)
class FloatFailure:
    """Where the float64 stack network first disagrees with the exact machine.

    Introduced in chapter 5 (What can be proved impossible).

    Attributes
    ----------
    symbols : int or None
        The shortest input length n (reverse program, random bits) whose float64 run decodes
        wrongly at some layer; None if none up to ``max_symbols``.
    step : int or None
        The first layer at which it decodes wrongly.
    bits : tuple of int
        The input that failed.
    seed : int

    Examples
    --------
    >>> from bpcore.impossibility import float64_failure
    >>> float64_failure(5)  # float64 reverses every string of up to 5 symbols
    FloatFailure(symbols=None, step=None, bits=(), seed=0)
    """

    symbols: int | None
    step: int | None
    bits: tuple[int, ...]
    seed: int


def float64_failure(max_symbols: int = 40, seed: int = 0) -> FloatFailure:
    """Run the reversal network in float64 on random bit strings of growing length n.

    Introduced in chapter 5 (What can be proved impossible).

    For n = 1, …, ``max_symbols`` a random string (``numpy.random.default_rng(seed)``, a fresh
    draw per n) is reversed by :func:`stack_network` (:func:`reverse_program`) in float64 for
    n + 1 layers and every layer is decoded and compared with :func:`run_reference`. A code of
    n symbols has at most 2n significant bits (2n − 1 when its top symbol is 0; its last base-4
    digit is odd), and float64 keeps 53, so the codes themselves fit up to n = 26. What breaks
    first is a sum. The first wrong unit is the new code c_ij = σ(A_ij + γ_i − 1) of the
    firing push onto stack 2. Its exact pre-activation, the new code, lies in [1/4, 1) and is
    representable, but float64 forms W a first: the code term q_2/4 plus three terms equal to
    1, about 3.2, where the float spacing is 2^-51. Only then is the bias (−11/4 or −9/4)
    added. The last bit of a code of 26 symbols, 2^-52, is lost in that partial sum. Measured:
    the first failure is at n = 26 (after 26 steps, the 26th push onto stack 2) for seeds 0–4.

    Returns
    -------
    FloatFailure

    Examples
    --------
    >>> from bpcore.impossibility import float64_failure
    >>> failure = float64_failure(30, seed=0)
    >>> failure.symbols, failure.step
    (26, 26)
    """
    max_symbols = check_int(max_symbols, "max_symbols", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    program = reverse_program()
    net = stack_network(program, 2)
    rng = np.random.default_rng(seed)
    for n in range(1, max_symbols + 1):
        bits = tuple(int(v) for v in rng.integers(0, 2, size=n))
        ref = run_reference(program, "move", [bits, ()], n + 1)
        zs = net.run_float64("move", [bits, ()], n + 1)
        for step, (z, conf) in enumerate(zip(zs, ref, strict=True)):
            if net.decode(z) != conf:
                return FloatFailure(n, step, bits, seed)
    return FloatFailure(None, None, (), seed)


@functools.cache
def _reversal_network() -> StackNetwork:
    return stack_network(reverse_program(), 2)


@dataclass(frozen=True, eq=False)
class StackRun:
    """The reversal network on an input, layer by layer, in exact arithmetic and in float64.

    Introduced in chapter 5 (What can be proved impossible).

    Built by :func:`reversal_run`.

    Attributes
    ----------
    bits : str
        The input, stack 1 top first (stack 2 starts empty).
    exact : tuple of (N,) object arrays
        The activations after 0, …, L machine steps (layers 1, …, L + 1 in the chapter's
        numbering, where layer 1 is the input) in ``Fraction`` arithmetic
        (:meth:`StackNetwork.run`).
    float64 : tuple of (N,) float arrays
        The same layers in float64 (:meth:`StackNetwork.run_float64`).
    decoded_exact, decoded_float64 : tuple of Configuration
        :meth:`StackNetwork.decode` of every layer of each run.
    network : StackNetwork
        ``stack_network(reverse_program())``, the network that ran.

    Examples
    --------
    >>> from bpcore.impossibility import reversal_run
    >>> run = reversal_run("10" * 13, 27)
    >>> run
    StackRun(n=26, layers 0..27, float64 first wrong at layer 26)
    >>> run.longest_stack(26), run.max_error(0)  # 26 symbols: a 52-bit code, exact at layer 0
    (26, 0.0)
    """

    bits: str
    exact: tuple[np.ndarray, ...]
    float64: tuple[np.ndarray, ...]
    decoded_exact: tuple[Configuration, ...]
    decoded_float64: tuple[Configuration, ...]
    network: StackNetwork

    @property
    def layers(self) -> int:
        """L, the last layer computed."""
        return len(self.exact) - 1

    def __repr__(self) -> str:
        wrong = [l for l in range(self.layers + 1) if not self.agrees(l)]
        first = wrong[0] if wrong else None
        return (
            f"StackRun(n={len(self.bits)}, layers 0..{self.layers}, "
            f"float64 first wrong at layer {first})"
        )

    def agrees(self, layer: int) -> bool:
        """Whether the float64 layer decodes to the exact configuration."""
        return self.decoded_float64[layer] == self.decoded_exact[layer]

    def max_error(self, layer: int) -> float:
        """max over the units of |float64 − exact| at ``layer``, measured exactly.

        Every float is a ``Fraction``, so the difference is exact before it is rounded to a
        float once; at layer 0 it is the rounding of the input a^(1) itself.
        """
        pairs = zip(self.float64[layer], self.exact[layer], strict=True)
        return float(max(abs(Fraction(float(v)) - e) for v, e in pairs))

    def longest_stack(self, layer: int) -> int:
        """The most symbols on any stack of the exact run up to ``layer`` (its code has 2× bits).

        A stack of k symbols has a code of at most 2k significant bits, and a wrong digit,
        once there, stays wrong: this is what float64's 53 bits are up against.
        """
        return max(len(s) for c in self.decoded_exact[: layer + 1] for s in c.stacks)


def reversal_run(bits: object, layers: int) -> StackRun:
    """Run the reversal network on ``bits`` for ``layers`` layers, exactly and in float64.

    Introduced in chapter 5 (What can be proved impossible).

    The network is ``stack_network(reverse_program())`` (built once); stack 1 holds ``bits``
    (top first) and stack 2 starts empty. Every layer of both runs is decoded with
    :meth:`StackNetwork.decode`, so the float64 run can be compared with the exact one.

    Parameters
    ----------
    bits : sequence of 0/1 or a string of '0'/'1'
        The input, top first.
    layers : int >= 0
        L; the machine halts after len(bits) + 1 steps and then stays put.

    Returns
    -------
    StackRun
        Its arrays are read-only.

    Examples
    --------
    >>> from bpcore.impossibility import reversal_run
    >>> run = reversal_run("10", 3)
    >>> run.decoded_exact[-1], run.agrees(3)
    (Configuration(state='halt', stacks=[∅, 01]), True)
    >>> reversal_run("1" * 27, 0)  # a 54-bit code: float64 rounds the input itself
    StackRun(n=27, layers 0..0, float64 first wrong at layer 0)
    """
    text = "".join(map(str, _check_bits(bits, "bits")))
    layers = check_int(layers, "layers", minimum=0)
    net = _reversal_network()
    exact = net.run("move", [text, ""], layers)
    floats = net.run_float64("move", [text, ""], layers)
    for z in (*exact, *floats):
        z.setflags(write=False)
    return StackRun(
        text,
        tuple(exact),
        tuple(floats),
        tuple(net.decode(z) for z in exact),
        tuple(net.decode(z) for z in floats),
        net,
    )

"""Decidable vocabularies, part 1: the Siegelmann–Sontag stack code and a reference machine.

A stack of bits s_1 s_2 … (top first) is the number q = Σ_i (2 s_i + 1) / 4^i (base 4,
digits 1 and 3), and the saturated-linear σ(x) = min(1, max(0, x)) reads and updates it exactly
in ``fractions.Fraction``: :func:`stack_encode`, :func:`stack_top`, :func:`stack_nonempty`,
:func:`stack_push`, :func:`stack_pop`, :func:`stack_decode`. A finite-control program over
such stacks (:func:`reverse_program`) runs on plain Python tuples in :func:`run_reference`,
the reference that :mod:`bpcore.impossibility.stack_layer` (the same machine as one tied
layer) is checked against.

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from bpcore._validate import check_exact_number, check_int
from bpcore.impossibility._exact import exact_rational

__all__ = [
    "OPS",
    "READS",
    "Configuration",
    "reverse_program",
    "run_reference",
    "saturated_linear",
    "stack_decode",
    "stack_encode",
    "stack_nonempty",
    "stack_pop",
    "stack_push",
    "stack_top",
]

#: Stack operations a program may use (per stack, per step).
OPS = ("noop", "push0", "push1", "pop")
#: What a step reads from each stack: empty, top symbol 0, top symbol 1 ("*" = any, in programs).
READS = ("empty", "0", "1")


def saturated_linear(x: object) -> object:
    """σ(x) = min(1, max(0, x)), the saturated-linear activation; exact for Fractions.

    Introduced in chapter 5 (What can be proved impossible).

    A Fraction or int gives a Fraction or int (no rounding); a float array gives np.clip(x, 0, 1).

    Examples
    --------
    >>> from fractions import Fraction
    >>> from bpcore.impossibility import saturated_linear
    >>> [saturated_linear(x) for x in (-1, Fraction(1, 3), 2)]
    [0, Fraction(1, 3), 1]
    """
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            return np.array([saturated_linear(v) for v in x.ravel()], dtype=object).reshape(x.shape)
        return np.clip(x, 0.0, 1.0)
    if isinstance(x, bool) or not isinstance(x, int | float | Fraction):
        raise TypeError(f"x must be a number or an array, got {type(x).__name__}")
    return 0 if x <= 0 else (1 if x >= 1 else x)


def _check_bits(bits: object, name: str) -> tuple[int, ...]:
    if isinstance(bits, str):
        if any(ch not in "01" for ch in bits):
            raise ValueError(
                f"{name} must be a string of '0'/'1' or a sequence of 0/1, got {bits!r}"
            )
        return tuple(int(ch) for ch in bits)
    if not isinstance(bits, Sequence | np.ndarray):
        raise TypeError(f"{name} must be a sequence of bits 0/1, got {type(bits).__name__}")
    out = []
    for k, v in enumerate(bits):
        b = check_int(v, f"{name}[{k}]", minimum=0)
        if b > 1:
            raise ValueError(f"{name}[{k}] must be 0 or 1, got {b}")
        out.append(b)
    return tuple(out)


def stack_encode(bits: object) -> Fraction:
    """Siegelmann–Sontag encoding of a stack: q = Σ_i (2 s_i + 1) / 4^i, top symbol s_1 first.

    Introduced in chapter 5 (What can be proved impossible).

    The base-4 digits are 1 (for 0) and 3 (for 1), so the codes form a Cantor set: an empty
    stack is 0, a stack with top 0 lies in [1/4, 1/2), with top 1 in [3/4, 1). These gaps let
    σ read the top exactly (:func:`stack_top`).

    Parameters
    ----------
    bits : sequence of 0/1 or a string of '0'/'1'
        The stack contents, top first.

    Examples
    --------
    >>> from bpcore.impossibility import stack_encode
    >>> stack_encode([1, 0])
    Fraction(13, 16)
    """
    q = Fraction(0)
    for s in reversed(_check_bits(bits, "bits")):
        q = q / 4 + Fraction(2 * s + 1, 4)
    return q


def _check_code(q: object, name: str = "q") -> Fraction:
    v = check_exact_number(q, name)
    if not isinstance(v, int | Fraction):
        v = exact_rational(v, name)
    v = Fraction(v)
    if not 0 <= v < 1:
        raise ValueError(f"{name} must be a stack code in [0, 1), got {v}")
    return v


def stack_top(q: object) -> int:
    """Top symbol of the stack coded by q: σ(4q − 2) (0 for the empty stack).

    Introduced in chapter 5 (What can be proved impossible).

    Examples
    --------
    >>> from bpcore.impossibility import stack_encode, stack_top
    >>> stack_top(stack_encode([1, 0])), stack_top(stack_encode([0, 1])), stack_top(0)
    (1, 0, 0)
    """
    return int(saturated_linear(4 * _check_code(q) - 2))


def stack_nonempty(q: object) -> int:
    """1 if the stack coded by q is non-empty, else 0: σ(4q).

    Introduced in chapter 5 (What can be proved impossible).

    Examples
    --------
    >>> from bpcore.impossibility import stack_encode, stack_nonempty
    >>> stack_nonempty(stack_encode([0])), stack_nonempty(stack_encode([]))
    (1, 0)
    """
    return int(saturated_linear(4 * _check_code(q)))


def stack_push(q: object, bit: int) -> Fraction:
    """Push ``bit`` onto the stack coded by q: q/4 + (2 bit + 1)/4 (affine; no σ needed).

    Introduced in chapter 5 (What can be proved impossible).

    Examples
    --------
    >>> from bpcore.impossibility import stack_encode, stack_push
    >>> stack_push(stack_encode([0]), 1)
    Fraction(13, 16)
    >>> stack_push(stack_encode([0]), 1) == stack_encode([1, 0])
    True
    """
    b = check_int(bit, "bit", minimum=0)
    if b > 1:
        raise ValueError(f"bit must be 0 or 1, got {b}")
    return _check_code(q) / 4 + Fraction(2 * b + 1, 4)


def stack_pop(q: object) -> Fraction:
    """Pop the stack coded by q: σ(4q − 2 top(q) − 1) (popping the empty stack leaves it empty).

    Introduced in chapter 5 (What can be proved impossible).

    Examples
    --------
    >>> from bpcore.impossibility import stack_encode, stack_pop
    >>> stack_pop(stack_encode([1, 0])) == stack_encode([0])
    True
    >>> stack_pop(0)  # the empty stack stays empty
    Fraction(0, 1)
    """
    v = _check_code(q)
    return Fraction(saturated_linear(4 * v - 2 * stack_top(v) - 1))


def stack_decode(q: object, *, max_symbols: int | None = None) -> tuple[int, ...]:
    """The stack (top first) coded by q; ValueError if q is not a code.

    Introduced in chapter 5 (What can be proved impossible).

    Exact for a Fraction (every code is a finite base-4 expansion with digits 1 and 3). For a
    float the decision thresholds sit in the middle of the gaps (nonempty iff q ≥ 1/8, top 1
    iff q ≥ 1/2) and at most ``max_symbols`` (default 64) symbols are read, so a corrupted
    float code decodes to *something* that can be compared with the exact run.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from bpcore.impossibility import stack_decode
    >>> stack_decode(Fraction(13, 16))
    (1, 0)
    >>> stack_decode(0.8125)  # a float: decided by the mid-gap thresholds
    (1, 0)
    """
    if isinstance(q, float | np.floating):
        limit = 64 if max_symbols is None else check_int(max_symbols, "max_symbols", minimum=0)
        x = float(q)
        out = []
        while x >= 0.125 and len(out) < limit:
            t = 1 if x >= 0.5 else 0
            out.append(t)
            x = 4 * x - 2 * t - 1
        return tuple(out)
    v = _check_code(q)
    out = []
    while v != 0:
        t = 1 if v >= Fraction(3, 4) else 0
        if not (Fraction(1, 4) <= v < Fraction(1, 2) or v >= Fraction(3, 4)):
            raise ValueError(f"q must be a stack code (base-4 digits 1 and 3), got {Fraction(q)}")
        out.append(t)
        v = 4 * v - 2 * t - 1
    return tuple(out)


@dataclass(frozen=True)
class Configuration:
    """A stack machine's configuration: control state and stacks (each a tuple, top first).

    Introduced in chapter 5 (What can be proved impossible).

    Examples
    --------
    >>> from bpcore.impossibility import Configuration
    >>> Configuration("move", ((1, 0), ()))
    Configuration(state='move', stacks=[10, ∅])
    """

    state: str
    stacks: tuple[tuple[int, ...], ...]

    def __repr__(self) -> str:
        stacks = ", ".join("".join(map(str, s)) or "∅" for s in self.stacks)
        return f"Configuration(state={self.state!r}, stacks=[{stacks}])"


def _read(stack: Sequence[int]) -> str:
    return "empty" if not stack else str(stack[0])


def _apply(op: str, stack: tuple[int, ...]) -> tuple[int, ...]:
    if op == "noop":
        return stack
    if op == "pop":
        return stack[1:]
    return (int(op[-1]), *stack)


def _normalise_program(
    program: object, n_stacks: int
) -> tuple[list[str], dict[tuple[str, ...], tuple[str, ...]]]:
    """Validate and expand a program: wildcards out, halting states get no-op self-loops."""
    if not isinstance(program, Mapping) or not program:
        raise TypeError(
            "program must be a non-empty dict {(state, read_1, …, read_K): (next_state, op_1, "
            f"…, op_K)}}, got {type(program).__name__}"
        )
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    states: list[str] = []
    for key, value in program.items():
        if (
            not isinstance(key, tuple)
            or not isinstance(value, tuple)
            or len(key) != n_stacks + 1
            or len(value) != n_stacks + 1
        ):
            raise ValueError(
                f"program entries must map (state, {n_stacks} reads) to (next_state, "
                f"{n_stacks} ops), got {key!r}: {value!r}"
            )
        state, *reads = key
        nxt, *ops = value
        for s in (state, nxt):
            if not isinstance(s, str):
                raise ValueError(f"program states must be strings, got {s!r} in {key!r}")
            if s not in states:
                states.append(s)
        for r in reads:
            if r not in (*READS, "*"):
                raise ValueError(
                    f"program reads must be one of {(*READS, '*')}, got {r!r} in {key!r}"
                )
        for op in ops:
            if op not in OPS:
                raise ValueError(f"program ops must be one of {OPS}, got {op!r} in {key!r}")
        choices = [READS if r == "*" else (r,) for r in reads]
        for combo in itertools.product(*choices):
            full = (state, *combo)
            if full in table and table[full] != (nxt, *ops):
                raise ValueError(f"program has two different transitions for {full!r}")
            table[full] = (nxt, *ops)
    acting = {k[0] for k in table}
    for state in states:
        for combo in itertools.product(READS, repeat=n_stacks):
            full = (state, *combo)
            if full in table:
                continue
            if state in acting:
                raise ValueError(f"program has no transition for {full!r} (state {state!r})")
            table[full] = (state, *("noop",) * n_stacks)  # a halting state: stay put
    return states, table


def run_reference(
    program: Mapping[tuple[str, ...], tuple[str, ...]],
    start: str,
    stacks: Sequence[object],
    steps: int,
) -> list[Configuration]:
    """The same stack machine as :func:`stack_network`, with plain Python tuples as stacks.

    Introduced in chapter 5 (What can be proved impossible).

    Returns the configurations after 0, 1, …, ``steps`` steps (the reference the network is
    checked against). Popping an empty stack leaves it empty; a state without transitions
    halts (stays put).

    Examples
    --------
    >>> from bpcore.impossibility import reverse_program, run_reference
    >>> for conf in run_reference(reverse_program(), "move", ["10", ""], 3):
    ...     print(conf)
    Configuration(state='move', stacks=[10, ∅])
    Configuration(state='move', stacks=[0, 1])
    Configuration(state='move', stacks=[∅, 01])
    Configuration(state='halt', stacks=[∅, 01])
    """
    n_stacks = len(stacks)
    states, table = _normalise_program(program, n_stacks)
    if start not in states:
        raise ValueError(f"start must be a state of the program {states}, got {start!r}")
    steps = check_int(steps, "steps", minimum=0)
    st = tuple(_check_bits(s, f"stacks[{k}]") for k, s in enumerate(stacks))
    conf = Configuration(start, st)
    out = [conf]
    for _ in range(steps):
        nxt, *ops = table[(conf.state, *(_read(s) for s in conf.stacks))]
        conf = Configuration(
            nxt, tuple(_apply(op, s) for op, s in zip(ops, conf.stacks, strict=True))
        )
        out.append(conf)
    return out


def reverse_program() -> dict[tuple[str, ...], tuple[str, ...]]:
    """A two-stack program that reverses the bit string on stack 1 onto stack 2.

    Introduced in chapter 5 (What can be proved impossible).

    State ``"move"``: if stack 1 is empty go to ``"halt"``, else pop its top s and push s on
    stack 2. From stacks (s_1 … s_n, ∅) it halts after n + 1 steps with (∅, s_n … s_1), i.e.
    stack 2 read top first is the reversed string.

    Examples
    --------
    >>> from bpcore.impossibility import reverse_program
    >>> reverse_program()[("move", "0", "*")]  # read 0 on stack 1: pop it, push 0 on stack 2
    ('move', 'pop', 'push0')
    """
    return {
        ("move", "empty", "*"): ("halt", "noop", "noop"),
        ("move", "0", "*"): ("move", "pop", "push0"),
        ("move", "1", "*"): ("move", "pop", "push1"),
    }

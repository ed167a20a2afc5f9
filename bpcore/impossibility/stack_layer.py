"""Decidable vocabularies, part 2: a stack machine compiled into ONE tied saturated-linear layer.

:func:`stack_network` compiles a finite-control stack program
(:mod:`bpcore.impossibility.stack_machine`) into a tied layer a ↦ σ(W a + b) with rational
W, b — one layer per machine step — and :meth:`StackNetwork.decode` reads the machine
configuration off any layer's activations. :func:`relu_embedding` carries the construction
over to a tied ReLU layer. What float64 does to it is in
:mod:`bpcore.impossibility.stack_float64`.

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from bpcore._validate import check_int
from bpcore.impossibility.stack_machine import (
    Configuration,
    _check_bits,
    _normalise_program,
    saturated_linear,
    stack_decode,
    stack_encode,
    stack_nonempty,
    stack_top,
)

__all__ = ["StackNetwork", "relu_embedding", "stack_network"]


@dataclass(frozen=True, eq=False)
class StackNetwork:
    """A tied saturated-linear network a ↦ σ(W a + b) that runs a stack machine, one step per layer.

    Introduced in chapter 5 (What can be proved impossible).

    Built by :func:`stack_network`. For every transition i = (state s, reads r_1 … r_K) of the
    program there are 1 + 3K units: a gate g_i and, for each stack j, the candidate code c_ij,
    top t_ij and non-empty flag e_ij of stack j *after* the transition. Exactly one transition
    fires per step; the others' units are 0. One more group of 1 + 3K input units per state
    holds the input activations a^(1) (layer 1, :meth:`initial`); their rows of W and b are 0, so
    they are 0 from layer 2 on.
    The machine state is a linear read-out
    u = R a: p_s = Σ_{i → s} g_i (one-hot control), q_j = Σ_i c_ij, top_j = Σ_i t_ij,
    nonempty_j = Σ_i e_ij. With the indicators [read_j = 1] = top_j, [read_j = 0] =
    nonempty_j − top_j, [read_j = empty] = 1 − nonempty_j and the gate
    γ_i = p_s + Σ_j [read_j = r_ij] − K (1 iff transition i fires, ≤ 0 otherwise),

        g_i = σ(γ_i),  c_ij = σ(A_ij + γ_i − 1),  t_ij = σ(4A_ij − 2 + 2(γ_i − 1)),
        e_ij = σ(4A_ij + 4(γ_i − 1)),

    where A_ij is the affine stack update of the transition's op: q_j (noop),
    q_j/4 + (2s+1)/4 (push s), 4q_j − 2top_j − 1 (pop). All of these are affine in u, hence
    W = B R with rational B, R, and σ makes every unit exact (Siegelmann & Sontag 1995 use
    the same encoding; this compilation with one layer per step is ours).

    Attributes
    ----------
    W : (N, N) object array of Fraction
        The tied weight matrix, W = B R.
    b : (N,) object array of Fraction
        The tied bias.
    R : (S + 3K, N) int array
        The read-out (0/1 entries): rows p_1…p_S, q_1…q_K, top_1…top_K, nonempty_1…nonempty_K.
    B : (N, S + 3K) object array of Fraction
        W = B R; :meth:`step` evaluates W a as B (R a), the same rational numbers.
    states : tuple of str
    transitions : tuple of tuples
        (state, reads…, next_state, ops…) per transition, in unit order.
    n_stacks : int

    Examples
    --------
    >>> from bpcore.impossibility import reverse_program, stack_network
    >>> net = stack_network(reverse_program())
    >>> net
    StackNetwork(states=['move', 'halt'], stacks=2, transitions=18, units=140)
    >>> net.decode(net.step(net.initial("move", ["10", ""])))
    Configuration(state='move', stacks=[0, 1])
    """

    b: np.ndarray
    R: np.ndarray
    B: np.ndarray
    states: tuple[str, ...]
    transitions: tuple[tuple[str, ...], ...]
    n_stacks: int

    @property
    def n_units(self) -> int:
        """Width N of the layer."""
        return int(self.B.shape[0])

    @functools.cached_property
    def W(self) -> np.ndarray:
        """The tied weight matrix W = B R, an (N, N) object array of Fractions (formed once)."""
        W = self.B.dot(self.R.astype(object))
        W.setflags(write=False)
        return W

    def __repr__(self) -> str:
        return (
            f"StackNetwork(states={list(self.states)}, stacks={self.n_stacks}, "
            f"transitions={len(self.transitions)}, units={self.n_units})"
        )

    def _check_z(self, z: object, exact: bool) -> np.ndarray:
        if not isinstance(z, np.ndarray) or z.shape != (self.n_units,):
            raise ValueError(
                f"z must be a ({self.n_units},) array of activations of this network, got "
                f"{getattr(z, 'shape', type(z).__name__)}"
            )
        if exact and z.dtype != object:
            raise TypeError("z must be an object array of Fractions (use step_float64 for floats)")
        return z

    def initial(self, start: str, stacks: Sequence[object]) -> np.ndarray:
        """Activations a^(1) (layer 1, the input) of the configuration (start, stacks), exact.

        Introduced in chapter 5 (What can be proved impossible).

        The input group of ``start`` carries the configuration (gate 1, the stack codes, tops
        and flags); all other units are 0, so R a^(1) reads it back. An object array of
        Fractions.
        """
        return _initial_activations(self, start, stacks)

    def step(self, z: np.ndarray) -> np.ndarray:
        """One layer, exactly: a^(l+1) = σ(W a^(l) + b) for a^(l) = ``z``, in Fractions (sparse).

        Introduced in chapter 5 (What can be proved impossible).
        """
        z = self._check_z(z, exact=True)
        groups, rows = self._sparse
        u = [sum((z[k] for k in idx if z[k]), Fraction(0)) for idx in groups]  # u = R z
        out = np.empty(self.n_units, dtype=object)
        for r, (entries, const) in enumerate(rows):  # B u + b, skipping zeros
            out[r] = saturated_linear(sum((v * u[c] for c, v in entries if u[c]), const))
        return out

    @functools.cached_property
    def _sparse(self) -> tuple[list[list[int]], list[tuple[list[tuple[int, Fraction]], Fraction]]]:
        groups = [list(np.flatnonzero(row)) for row in self.R]
        rows = [
            ([(c, v) for c, v in enumerate(self.B[r]) if v], Fraction(self.b[r]))
            for r in range(self.n_units)
        ]
        return groups, rows

    def step_float64(self, z: np.ndarray) -> np.ndarray:
        """One layer in float64: np.clip(W a + b, 0, 1) for a = ``z``, W and b rounded to float64.

        Introduced in chapter 5 (What can be proved impossible).
        """
        z = self._check_z(z, exact=False)
        return np.clip(self._W64 @ np.asarray(z, dtype=np.float64) + self._b64, 0.0, 1.0)

    @functools.cached_property
    def _W64(self) -> np.ndarray:
        return self.B.astype(np.float64) @ self.R.astype(np.float64)  # exact: B has dyadic entries

    @functools.cached_property
    def _b64(self) -> np.ndarray:
        return self.b.astype(np.float64)

    def run(self, start: str, stacks: Sequence[object], steps: int) -> list[np.ndarray]:
        """Activations a^(1), …, a^(steps+1), exact (a^(t+1): the configuration after t steps).

        Introduced in chapter 5 (What can be proved impossible).
        """
        steps = check_int(steps, "steps", minimum=0)
        zs = [self.initial(start, stacks)]
        for _ in range(steps):  # inherently sequential: one layer per machine step
            zs.append(self.step(zs[-1]))
        return zs

    def run_float64(self, start: str, stacks: Sequence[object], steps: int) -> list[np.ndarray]:
        """Activations a^(1), …, a^(steps+1) in float64 (a^(1) is the exact one, rounded).

        Introduced in chapter 5 (What can be proved impossible).
        """
        steps = check_int(steps, "steps", minimum=0)
        W64, b64 = self._W64, self._b64
        zs = [self.initial(start, stacks).astype(np.float64)]
        for _ in range(steps):
            zs.append(np.clip(W64 @ zs[-1] + b64, 0.0, 1.0))
        return zs

    def decode(self, z: np.ndarray) -> Configuration:
        """The machine configuration that the activations z encode.

        Introduced in chapter 5 (What can be proved impossible).

        Exact z (object array): the read-out must be a one-hot control and valid stack codes
        whose tops and flags agree with the read-out (ValueError otherwise). Float z: the
        control is the largest p_s and the stacks are decoded with mid-gap thresholds
        (:func:`stack_decode`), so a float run can be compared with the exact one.
        """
        return _decode(self, z)


# The bodies of StackNetwork.initial and StackNetwork.decode (module functions keep the class
# short): they know the unit layout that stack_network builds.


def _initial_activations(net: StackNetwork, start: str, stacks: Sequence[object]) -> np.ndarray:
    if start not in net.states:
        raise ValueError(f"start must be one of the states {list(net.states)}, got {start!r}")
    if isinstance(stacks, str | bytes) or len(stacks) != net.n_stacks:
        raise ValueError(f"stacks must be a list of {net.n_stacks} bit sequences, got {stacks!r}")
    codes = [stack_encode(_check_bits(s, f"stacks[{k}]")) for k, s in enumerate(stacks)]
    G, K = len(net.transitions) + len(net.states), net.n_stacks
    i = len(net.transitions) + net.states.index(start)  # the input group of `start`
    z = np.array([Fraction(0)] * net.n_units, dtype=object)
    z[i] = Fraction(1)
    for j, q in enumerate(codes):
        z[G + j * G + i] = q
        z[G + (K + j) * G + i] = Fraction(stack_top(q))
        z[G + (2 * K + j) * G + i] = Fraction(stack_nonempty(q))
    return z


def _decode(net: StackNetwork, z: np.ndarray) -> Configuration:
    S, K = len(net.states), net.n_stacks
    if isinstance(z, np.ndarray) and z.dtype != object:
        z = net._check_z(z, exact=False)
        u = net.R.astype(np.float64) @ z
        state = net.states[int(np.argmax(u[:S]))]
        stacks = tuple(stack_decode(float(u[S + j])) for j in range(K))
        return Configuration(state, stacks)
    z = net._check_z(z, exact=True)
    u = net.R.dot(z)
    p = list(u[:S])
    if sorted(p) != [0] * (S - 1) + [1]:
        raise ValueError(f"z does not encode a control state: p = {[str(v) for v in p]}")
    stacks = []
    for j in range(K):
        q = Fraction(u[S + j])
        s = stack_decode(q)
        if u[S + K + j] != stack_top(q) or u[S + 2 * K + j] != stack_nonempty(q):
            raise ValueError(f"z: the top/nonempty units of stack {j} disagree with its code")
        stacks.append(s)
    return Configuration(net.states[p.index(1)], tuple(stacks))


def stack_network(
    program: Mapping[tuple[str, ...], tuple[str, ...]], n_stacks: int = 2
) -> StackNetwork:
    """Compile a finite-control stack program into one tied saturated-linear layer.

    Introduced in chapter 5 (What can be proved impossible).

    Parameters
    ----------
    program : dict
        {(state, read_1, …, read_K): (next_state, op_1, …, op_K)} with reads in
        ``READS`` = ("empty", "0", "1") or "*" (any), ops in ``OPS`` =
        ("noop", "push0", "push1", "pop"). A state that has transitions must have one for every
        combination of reads; a state without any (e.g. "halt") halts: it stays put.
    n_stacks : int >= 1
        K, the number of stacks.

    Returns
    -------
    StackNetwork
        See its docstring for the construction; (S·3^K + S) groups of (1 + 3K) units.

    Raises
    ------
    TypeError, ValueError
        A program that is not such a dict, an unknown op or read, missing or conflicting
        transitions ("a program the stack machine does not understand").

    Examples
    --------
    >>> from bpcore.impossibility import reverse_program, stack_network
    >>> net = stack_network(reverse_program())
    >>> net.decode(net.run("move", ["110", ""], 4)[-1])
    Configuration(state='halt', stacks=[∅, 011])
    """
    K = check_int(n_stacks, "n_stacks", minimum=1)
    if K > 4:
        raise ValueError(f"n_stacks must be <= 4 (the layer has S·3^K·(1+3K) units), got {K}")
    states, table = _normalise_program(program, K)
    S = len(states)
    trans = [(*key, *val) for key, val in table.items()]
    T = len(trans)
    G = T + S  # unit groups: one per transition, then one input group per state
    N = G * (1 + 3 * K)
    R = np.zeros((S + 3 * K, N), dtype=np.int64)
    for i in range(G):
        R[states.index(trans[i][K + 1]) if i < T else i - T, i] = 1
        for j in range(K):
            R[S + j, G + j * G + i] = 1
            R[S + K + j, G + (K + j) * G + i] = 1
            R[S + 2 * K + j, G + (2 * K + j) * G + i] = 1
    zero = Fraction(0)
    B = np.array([[zero] * (S + 3 * K) for _ in range(N)], dtype=object)
    bias = np.array([zero] * N, dtype=object)

    def q(j: int) -> int:
        return S + j

    def top(j: int) -> int:
        return S + K + j

    def ne(j: int) -> int:
        return S + 2 * K + j

    for i, tr in enumerate(trans):
        state, reads, ops = tr[0], tr[1 : K + 1], tr[K + 2 :]
        # γ_i = p_s + Σ_j [read_j = r_ij] − K, as (coefficients on u, constant)
        gamma = {states.index(state): Fraction(1)}
        const = Fraction(-K)
        for j, r in enumerate(reads):
            if r == "1":
                gamma[top(j)] = gamma.get(top(j), zero) + 1
            elif r == "0":
                gamma[ne(j)] = gamma.get(ne(j), zero) + 1
                gamma[top(j)] = gamma.get(top(j), zero) - 1
            else:
                gamma[ne(j)] = gamma.get(ne(j), zero) - 1
                const += 1
        for col, v in gamma.items():
            B[i, col] += v
        bias[i] = const
        for j, op in enumerate(ops):
            # A_ij as (coefficients, constant)
            if op == "noop":
                A, a0 = {q(j): Fraction(1)}, zero
            elif op == "pop":
                A, a0 = {q(j): Fraction(4), top(j): Fraction(-2)}, Fraction(-1)
            else:
                A, a0 = {q(j): Fraction(1, 4)}, Fraction(2 * int(op[-1]) + 1, 4)
            # unit rows: c = σ(A + γ − 1), t = σ(4A − 2 + 2(γ − 1)), e = σ(4A + 4(γ − 1))
            for block, scale_A, scale_g, extra in ((0, 1, 1, 0), (1, 4, 2, -2), (2, 4, 4, 0)):
                row = G + (block * K + j) * G + i
                for col, v in A.items():
                    B[row, col] += scale_A * v
                for col, v in gamma.items():
                    B[row, col] += scale_g * v
                bias[row] = scale_A * a0 + scale_g * (const - 1) + extra
    return StackNetwork(
        b=bias,
        R=R,
        B=B,
        states=tuple(states),
        transitions=tuple(tuple(tr) for tr in trans),
        n_stacks=K,
    )


def relu_embedding(net: StackNetwork) -> tuple[np.ndarray, np.ndarray]:
    """The tied ReLU layer of width 2N that runs the same machine as a StackNetwork of width N.

    Introduced in chapter 5 (What can be proved impossible).

    σ(x) = relu(x) − relu(x − 1), so with r = (r₁, r₂) and a = r₁ − r₂ the layer
    r ↦ relu(W' r + b'), W' = [[W, −W], [W, −W]], b' = (b, b − 1) gives
    r₁' − r₂' = σ(W a + b): the ReLU activations carry the saturated-linear ones exactly. Start
    from r^(1) = (a^(1), 0). (Our construction, used in the chapter to carry the Turing
    completeness of tied saturated-linear networks over to tied ReLU networks.)

    Parameters
    ----------
    net : StackNetwork

    Returns
    -------
    (W2, b2) : ((2N, 2N) object array, (2N,) object array) of Fraction

    Examples
    --------
    >>> from bpcore.impossibility import relu_embedding, reverse_program, stack_network
    >>> W2, b2 = relu_embedding(stack_network(reverse_program()))
    >>> W2.shape
    (280, 280)
    """
    if not isinstance(net, StackNetwork):
        raise TypeError(f"net must be a StackNetwork, got {type(net).__name__}")
    W = net.W
    W2 = np.block([[W, -W], [W, -W]]).astype(object)
    b2 = np.concatenate([net.b, net.b - 1]).astype(object)
    W2.setflags(write=False)
    b2.setflags(write=False)
    return W2, b2

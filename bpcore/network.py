"""A fully connected network in Andrew Ng's notation, and backprop as an ordered product.

Notation (Ng's UFLDL notes). Layers are numbered l = 1, …, n_l; layer l has s_l units; layer 1
is the input and layer n_l the output. W^(l) has shape (s_{l+1}, s_l) and b^(l) shape
(s_{l+1},); they map layer l to layer l+1:

    z^(l+1) = W^(l) a^(l) + b^(l),   a^(l+1) = f(z^(l+1)),   a^(1) = x,   h(x) = a^(n_l).

The activation f is applied at every hidden layer AND at the output layer (Ng's convention);
``output_activation`` may choose a different f for the output layer only.

Examples are stored as rows, so a batch X has shape (m, s_1) and the forward pass computes
``Z = A @ W.T + b``. Python lists are 0-based while Ng's layers are 1-based: use the helpers
``z_of(l)``, ``a_of(l)``, ``delta_of(l)``, ``grad_W_of(l)``, ``W(l)`` that take Ng's l.

Backprop is the recurrence δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)), computed by
:func:`bpcore.backprop.delta_recursion`. It is linear in δ:

    δ^(l) = M_l δ^(l+1),   M_l = D_l W^(l)ᵀ,   D_l = diag f'(z^(l)),

so δ^(l) = M_l M_{l+1} ⋯ M_{n_l−1} δ^(n_l) — an ordered product of matrices that change from
layer to layer and depend on the forward pass (:meth:`MLP.delta_by_product`). Evaluated against
the vector it is the recurrence, O(depth · s²) for width s; formed as matrices it costs
O(depth · s³) when the output layer is as wide as the hidden ones (:func:`multiplication_counts`,
:func:`time_recurrence_vs_product`).

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bpcore._timing import min_call_time
from bpcore._validate import check_int, check_real, check_real_array
from bpcore.activations import Activation, get_activation
from bpcore.backprop import delta_recursion

__all__ = [
    "COSTS",
    "MLP",
    "ForwardPass",
    "Gradients",
    "accumulation_counts",
    "multiplication_counts",
    "numerical_gradient",
    "relative_error",
    "time_recurrence_vs_product",
]

COSTS = ("squared_error", "cross_entropy")
"""Costs understood by :meth:`MLP.cost` and :meth:`MLP.backward`."""


def _check_layer(l: object, first: int, last: int, what: str) -> int:
    l = check_int(l, "l")
    if not first <= l <= last:
        raise ValueError(f"l must be a layer number in {first}…{last} for {what}, got {l}")
    return l


# ---------------------------------------------------------------------------------------------
# result objects


@dataclass(frozen=True, repr=False)
class ForwardPass:
    """The pre-activations and activations of one forward pass.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Attributes
    ----------
    z : list of arrays
        ``[z^(2), …, z^(n_l)]``: ``z[k]`` is z^(k+2) (there is no z^(1)). Use :meth:`z_of`.
    a : list of arrays
        ``[a^(1) = x, a^(2), …, a^(n_l) = h(x)]``: ``a[k]`` is a^(k+1). Use :meth:`a_of`.

    Each array has shape (m, s_l) for a batch X of shape (m, s_1), or (s_l,) if a single 1-D
    example x was passed.
    """

    z: list[np.ndarray]
    a: list[np.ndarray]

    @property
    def n_layers(self) -> int:
        """n_l, the number of layers including input and output."""
        return len(self.a)

    @property
    def output(self) -> np.ndarray:
        """h(x) = a^(n_l)."""
        return self.a[-1]

    def z_of(self, l: int) -> np.ndarray:
        """z^(l) for Ng's layer number l = 2, …, n_l."""
        return self.z[_check_layer(l, 2, self.n_layers, "z^(l)") - 2]

    def a_of(self, l: int) -> np.ndarray:
        """a^(l) for Ng's layer number l = 1, …, n_l (a^(1) is the input)."""
        return self.a[_check_layer(l, 1, self.n_layers, "a^(l)") - 1]

    def __repr__(self) -> str:
        shape = self.a[0].shape
        batch = "single example" if len(shape) == 1 else f"batch={shape[0]}"
        sizes = [a.shape[-1] for a in self.a]
        return f"ForwardPass(sizes={sizes}, {batch})"


@dataclass(frozen=True, repr=False)
class Gradients:
    """Result of :meth:`MLP.backward`: the δ's and the gradients of the cost J.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Attributes
    ----------
    deltas : list of arrays
        ``[δ^(2), …, δ^(n_l)]``: ``deltas[k]`` is δ^(k+2) = ∂J_i/∂z^(k+2) per example (not
        divided by m), shape (m, s_l) or (s_l,) for a single example. δ^(1) (the input layer)
        is not computed. Use :meth:`delta_of`.
    grad_W, grad_b : list of arrays
        ``grad_W[k]`` = ∂J/∂W^(k+1), shape (s_{k+2}, s_{k+1}); ``grad_b[k]`` = ∂J/∂b^(k+1).
        Averaged over the batch. Use :meth:`grad_W_of`, :meth:`grad_b_of`.
    J : float
        The cost at the current parameters.
    cost : str
        Which cost (``"squared_error"`` or ``"cross_entropy"``).
    """

    deltas: list[np.ndarray]
    grad_W: list[np.ndarray]
    grad_b: list[np.ndarray]
    J: float
    cost: str

    @property
    def n_layers(self) -> int:
        """n_l, the number of layers including input and output."""
        return len(self.deltas) + 1

    def delta_of(self, l: int) -> np.ndarray:
        """δ^(l) for Ng's layer number l = 2, …, n_l."""
        return self.deltas[_check_layer(l, 2, self.n_layers, "δ^(l)") - 2]

    def grad_W_of(self, l: int) -> np.ndarray:
        """∂J/∂W^(l) for l = 1, …, n_l − 1."""
        return self.grad_W[_check_layer(l, 1, self.n_layers - 1, "W^(l)") - 1]

    def grad_b_of(self, l: int) -> np.ndarray:
        """∂J/∂b^(l) for l = 1, …, n_l − 1."""
        return self.grad_b[_check_layer(l, 1, self.n_layers - 1, "b^(l)") - 1]

    def __repr__(self) -> str:
        shapes = [tuple(g.shape) for g in self.grad_W]
        return f"Gradients(cost={self.cost!r}, J={self.J:.6g}, grad_W shapes={shapes})"


# ---------------------------------------------------------------------------------------------
# private kernels (inputs already validated, 2-D batches)


def _forward(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    act: Activation,
    out_act: Activation,
    X: np.ndarray,
    keep_z: bool = True,
) -> tuple[list[np.ndarray | None], list[np.ndarray]]:
    """Forward pass on a validated batch.

    With ``keep_z=False`` the hidden z^(l) whose f' can be computed from a^(l) are dropped
    (entry ``None``) as soon as a^(l) exists, so their memory is reused by the next layer;
    z^(n_l) is always kept (the cross-entropy cost needs it).
    """
    drop_hidden = not keep_z and act.deriv_from_output is not None
    zs: list[np.ndarray | None] = []
    acts: list[np.ndarray] = [X]
    last = len(weights) - 1
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        zk = acts[-1] @ W.T
        zk += b
        acts.append((out_act if k == last else act).func(zk))
        zs.append(None if drop_hidden and k < last else zk)
    return zs, acts


def _fprime(f: Activation, zk: np.ndarray | None, ak: np.ndarray) -> np.ndarray:
    if f.deriv_from_output is not None:
        return f.deriv_from_output(ak)
    return f.deriv(zk)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _cost_value(cost: str, z_out: np.ndarray, a_out: np.ndarray, Y: np.ndarray) -> float:
    m = Y.shape[0]
    if cost == "squared_error":
        r = a_out - Y
        return float(0.5 * np.vdot(r, r) / m)
    # cross entropy with a sigmoid output, from z for stability:
    # −log σ(z) = softplus(−z), −log(1 − σ(z)) = softplus(z).
    return float(np.sum(Y * _softplus(-z_out) + (1.0 - Y) * _softplus(z_out)) / m)


# ---------------------------------------------------------------------------------------------
# the network


class MLP:
    """A fully connected feed-forward network h(x) = a^(n_l) in Ng's notation.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Parameters
    ----------
    weights : sequence of 2-D arrays [W^(1), …, W^(n_l−1)]
        W^(l) has shape (s_{l+1}, s_l); consecutive shapes must chain.
    biases : sequence of 1-D arrays [b^(1), …, b^(n_l−1)]
        b^(l) has shape (s_{l+1},).
    activation : str or Activation
        f, applied at every hidden layer AND at the output layer (Ng: h(x) = f(z^(n_l))).
        A name for :func:`bpcore.activations.get_activation` or an Activation object.
    output_activation : str or Activation, optional
        f at the output layer only; default: the same as ``activation``. Use ``"identity"`` for
        a linear read-out, ``"sigmoid"`` with ``cost="cross_entropy"``.

    Notes
    -----
    The arrays are copied to float64; the network does not see later changes to the caller's
    arrays. ``weights``/``biases`` return the stored arrays (modify them to train in place).

    Raises
    ------
    TypeError, ValueError
        Naming the offending parameter: non-finite entries, shapes that do not chain
        (``"weights[1] has shape (4, 6) but weights[0] maps to 5 units"``), bias lengths, an
        unknown activation.
    """

    def __init__(
        self,
        weights: Sequence[object],
        biases: Sequence[object],
        activation: str | Activation,
        output_activation: str | Activation | None = None,
    ) -> None:
        for name, seq in (("weights", weights), ("biases", biases)):
            if isinstance(seq, str | bytes | np.ndarray) or not isinstance(seq, Sequence):
                raise TypeError(
                    f"{name} must be a list of arrays (one per layer transition), got "
                    f"{type(seq).__name__}"
                )
        if len(weights) == 0:
            raise ValueError("weights must contain at least one matrix W^(1) (n_l >= 2 layers)")
        if len(biases) != len(weights):
            raise ValueError(
                f"biases must have one vector per weight matrix ({len(weights)}), got {len(biases)}"
            )
        Ws: list[np.ndarray] = []
        bs: list[np.ndarray] = []
        for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
            Wk = np.array(check_real_array(W, f"weights[{k}]", ndim=2), dtype=np.float64)
            if Wk.shape[0] == 0 or Wk.shape[1] == 0:
                raise ValueError(f"weights[{k}] must have positive dimensions, got {Wk.shape}")
            if k > 0 and Wk.shape[1] != Ws[-1].shape[0]:
                raise ValueError(
                    f"weights[{k}] has shape {Wk.shape} but weights[{k - 1}] maps to "
                    f"{Ws[-1].shape[0]} units, so weights[{k}] must have {Ws[-1].shape[0]} "
                    f"columns"
                )
            bk = np.array(check_real_array(b, f"biases[{k}]", ndim=1), dtype=np.float64)
            if bk.shape[0] != Wk.shape[0]:
                raise ValueError(
                    f"biases[{k}] has shape {bk.shape} but weights[{k}] has shape {Wk.shape}, "
                    f"so biases[{k}] must have {Wk.shape[0]} entries"
                )
            Ws.append(Wk)
            bs.append(bk)
        self._weights = Ws
        self._biases = bs
        self.activation = get_activation(activation, "activation")
        self.output_activation = (
            self.activation
            if output_activation is None
            else get_activation(output_activation, "output_activation")
        )

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def random(
        cls,
        sizes: Sequence[int],
        activation: str | Activation = "tanh",
        weight_scale: float = 1.0,
        bias_scale: float = 0.0,
        init: str = "gaussian",
        seed: int = 0,
        output_activation: str | Activation | None = None,
    ) -> MLP:
        """A random network with layer widths ``sizes = [s_1, …, s_{n_l}]``.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        Parameters
        ----------
        sizes : sequence of positive ints, length >= 2
        activation, output_activation : see :class:`MLP`
        weight_scale : float >= 0
            σ_w. ``init="gaussian"``: W^(l)_ij ~ N(0, σ_w² / s_l) i.i.d. — the variance is
            divided by the fan-in s_l, so σ_w = 1 keeps E‖W a‖² = ‖a‖² (LeCun/“critical”
            scaling; σ_w² is the χ-parameter of mean-field theory). ``init="orthogonal"``:
            W^(l) = σ_w Q with Q (semi-)orthogonal: orthonormal rows if s_{l+1} <= s_l,
            orthonormal columns otherwise (QR of a Gaussian matrix with the signs of R's
            diagonal moved into Q, which makes Q Haar-distributed).
        bias_scale : float >= 0
            σ_b: b^(l)_i ~ N(0, σ_b²); 0 gives zero biases.
        init : {"gaussian", "orthogonal"}
        seed : int >= 0
            Seed for ``numpy.random.default_rng``; the same seed gives the same network.
        """
        if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
            raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
        if len(sizes) < 2:
            raise ValueError(
                f"sizes must list at least 2 layer widths [s_1, ..., s_n_l], got {list(sizes)}"
            )
        s = [check_int(v, f"sizes[{k}]", minimum=1) for k, v in enumerate(sizes)]
        sw = check_real(weight_scale, "weight_scale", low=0.0)
        sb = check_real(bias_scale, "bias_scale", low=0.0)
        if init not in ("gaussian", "orthogonal"):
            raise ValueError(f"init must be 'gaussian' or 'orthogonal', got {init!r}")
        rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
        weights = []
        biases = []
        for fan_in, fan_out in itertools.pairwise(s):
            if init == "gaussian":
                W = rng.standard_normal((fan_out, fan_in)) * (sw / np.sqrt(fan_in))
            else:
                big, small = max(fan_in, fan_out), min(fan_in, fan_out)
                Q, R = np.linalg.qr(rng.standard_normal((big, small)))
                Q *= np.where(np.diag(R) < 0, -1.0, 1.0)
                W = sw * (Q if fan_out >= fan_in else Q.T)
            weights.append(W)
            biases.append(rng.standard_normal(fan_out) * sb)
        return cls(weights, biases, activation, output_activation)

    # -- structure ---------------------------------------------------------------------------

    @property
    def weights(self) -> list[np.ndarray]:
        """[W^(1), …, W^(n_l−1)] (0-based list; ``W(l)`` takes Ng's l)."""
        return list(self._weights)

    @property
    def biases(self) -> list[np.ndarray]:
        """[b^(1), …, b^(n_l−1)] (0-based list; ``b(l)`` takes Ng's l)."""
        return list(self._biases)

    def W(self, l: int) -> np.ndarray:
        """W^(l), shape (s_{l+1}, s_l), for l = 1, …, n_l − 1."""
        return self._weights[_check_layer(l, 1, self.depth, "W^(l)") - 1]

    def b(self, l: int) -> np.ndarray:
        """b^(l), shape (s_{l+1},), for l = 1, …, n_l − 1."""
        return self._biases[_check_layer(l, 1, self.depth, "b^(l)") - 1]

    @property
    def sizes(self) -> list[int]:
        """[s_1, …, s_{n_l}]."""
        return [self._weights[0].shape[1]] + [W.shape[0] for W in self._weights]

    @property
    def depth(self) -> int:
        """Number of weight matrices, n_l − 1."""
        return len(self._weights)

    @property
    def n_layers(self) -> int:
        """n_l, the number of layers including input and output."""
        return len(self._weights) + 1

    @property
    def n_params(self) -> int:
        """Total number of weights and biases."""
        return sum(W.size + b.size for W, b in zip(self._weights, self._biases, strict=True))

    def __repr__(self) -> str:
        out = ""
        if self.output_activation != self.activation:
            out = f", output_activation={self.output_activation.label}"
        return (
            f"MLP(sizes={self.sizes}, activation={self.activation.label}{out}, "
            f"params={self.n_params})"
        )

    # -- input checks ------------------------------------------------------------------------

    def _check_X(self, X: object, name: str = "X") -> tuple[np.ndarray, bool]:
        arr = check_real_array(X, name)
        s1 = self.sizes[0]
        if arr.ndim == 1:
            if arr.shape[0] != s1:
                raise ValueError(
                    f"{name} must have s_1 = {s1} entries (a single example), got shape {arr.shape}"
                )
            return arr[None, :], True
        if arr.ndim != 2 or arr.shape[1] != s1:
            raise ValueError(
                f"{name} must have shape (m, {s1}) (one example per row, s_1 = {s1} columns) "
                f"or ({s1},), got shape {arr.shape}"
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{name} must contain at least one example, got shape {arr.shape}")
        return arr, False

    def _check_Y(self, Y: object, m: int, single: bool, name: str = "Y") -> np.ndarray:
        arr = check_real_array(Y, name)
        s_out = self.sizes[-1]
        expected = (s_out,) if single else (m, s_out)
        if arr.shape != expected:
            raise ValueError(
                f"{name} must have shape {expected} to match the input and the s_{self.n_layers}"
                f" = {s_out} output units, got shape {arr.shape}"
            )
        return arr[None, :] if single else arr

    def _check_cost(self, cost: object, Y: np.ndarray) -> str:
        if not isinstance(cost, str) or cost not in COSTS:
            raise ValueError(f"cost must be one of {', '.join(COSTS)}, got {cost!r}")
        if cost == "cross_entropy":
            if self.output_activation.name != "sigmoid":
                raise ValueError(
                    "cost='cross_entropy' needs a sigmoid output activation, got "
                    f"output_activation={self.output_activation.label}"
                )
            if np.any((Y < 0) | (Y > 1)):
                raise ValueError("Y must lie in [0, 1] for cost='cross_entropy'")
        return str(cost)

    def _output_delta(
        self, cost: str, z_out: np.ndarray, a_out: np.ndarray, Y: np.ndarray
    ) -> np.ndarray:
        delta = a_out - Y
        if cost == "squared_error":
            delta *= _fprime(self.output_activation, z_out, a_out)
        return delta

    def _hidden_fprimes(
        self, zs: list[np.ndarray | None], acts: list[np.ndarray]
    ) -> list[np.ndarray]:
        # [f'(z^(2)), …, f'(z^(n_l−1))]; z^(k+2) = zs[k] and a^(k+2) = acts[k+1].
        return [_fprime(self.activation, zs[k], acts[k + 1]) for k in range(self.depth - 1)]

    # -- forward, cost, backward -------------------------------------------------------------

    def forward(self, X: object) -> ForwardPass:
        """Run the forward pass z^(l+1) = W^(l) a^(l) + b^(l), a^(l+1) = f(z^(l+1)).

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        Parameters
        ----------
        X : (m, s_1) array (one example per row) or (s_1,) array (a single example)

        Returns
        -------
        ForwardPass
            ``z = [z^(2), …, z^(n_l)]``, ``a = [a^(1) = X, …, a^(n_l)]``; arrays are 1-D if X
            was. Use ``z_of(l)``/``a_of(l)`` with Ng's layer numbers.
        """
        X2, single = self._check_X(X)
        zs, acts = _forward(
            self._weights, self._biases, self.activation, self.output_activation, X2
        )
        if single:
            zs = [v[0] for v in zs]
            acts = [v[0] for v in acts]
        return ForwardPass(z=zs, a=acts)

    def predict(self, X: object) -> np.ndarray:
        """h(X) = a^(n_l), shape (m, s_{n_l}) or (s_{n_l},) for a single example.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
        """
        return self.forward(X).output

    def cost(self, X: object, Y: object, cost: str = "squared_error") -> float:
        """The cost J(W, b; X, Y), averaged over the m examples.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        ``cost="squared_error"``: J = (1/m) Σ_i ½ ‖h(x_i) − y_i‖² (no weight decay).
        ``cost="cross_entropy"`` (needs a sigmoid output, Y in [0, 1]):
        J = −(1/m) Σ_i Σ_k [y_ik log a_ik + (1 − y_ik) log(1 − a_ik)], computed from z^(n_l)
        with softplus so that it stays finite when the sigmoid saturates.

        Parameters
        ----------
        X : (m, s_1) or (s_1,) array
        Y : (m, s_{n_l}) or (s_{n_l},) array, matching X
        """
        X2, single = self._check_X(X)
        Y2 = self._check_Y(Y, X2.shape[0], single)
        kind = self._check_cost(cost, Y2)
        zs, acts = _forward(
            self._weights, self._biases, self.activation, self.output_activation, X2
        )
        return _cost_value(kind, zs[-1], acts[-1], Y2)

    def backward(self, X: object, Y: object, cost: str = "squared_error") -> Gradients:
        """Backpropagation: every δ^(l) and the gradient of J with respect to every W, b.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        For example i (row i of X, Y):

        * output layer: δ^(n_l) = (a^(n_l) − y) ⊙ f'(z^(n_l)) for ``"squared_error"``;
          δ^(n_l) = a^(n_l) − y for ``"cross_entropy"`` with a sigmoid output;
        * hidden layers l = n_l − 1, …, 2: δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)), computed by
          :func:`bpcore.backprop.delta_recursion` (δ^(1) of the input layer is not needed and
          not computed);
        * gradients averaged over the batch: ∂J/∂W^(l) = (1/m) Σ_i δ^(l+1) a^(l)ᵀ and
          ∂J/∂b^(l) = (1/m) Σ_i δ^(l+1).

        Parameters
        ----------
        X : (m, s_1) or (s_1,) array
        Y : (m, s_{n_l}) or (s_{n_l},) array, matching X
        cost : {"squared_error", "cross_entropy"}
            See :meth:`cost`.

        Returns
        -------
        Gradients
        """
        X2, single = self._check_X(X)
        Y2 = self._check_Y(Y, X2.shape[0], single)
        kind = self._check_cost(cost, Y2)
        m = X2.shape[0]
        zs, acts = _forward(
            self._weights, self._biases, self.activation, self.output_activation, X2, keep_z=False
        )
        J = _cost_value(kind, zs[-1], acts[-1], Y2)
        delta_out = self._output_delta(kind, zs[-1], acts[-1], Y2)
        if self.depth > 1:
            # delta_recursion on [W^(2), …, W^(n_l−1)] returns [δ^(2), …, δ^(n_l)].
            deltas = delta_recursion(self._weights[1:], delta_out, self._hidden_fprimes(zs, acts))
        else:
            deltas = [delta_out]
        grad_W = []
        grad_b = []
        inv_m = 1.0 / m
        for delta, a in zip(
            deltas, acts[:-1], strict=True
        ):  # δ^(l+1) with a^(l), l = 1, …, n_l − 1
            # Scale the (m, s_{l+1}) factor, not the (s_{l+1}, s_l) product: fewer flops.
            scaled = delta * inv_m
            grad_W.append(scaled.T @ a)
            grad_b.append(scaled.sum(axis=0))
        if single:
            deltas = [d[0] for d in deltas]
        return Gradients(deltas=deltas, grad_W=grad_W, grad_b=grad_b, J=J, cost=kind)

    # -- backprop as an ordered product ------------------------------------------------------

    def _factors(self, X2: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], list]:
        zs, acts = _forward(
            self._weights, self._biases, self.activation, self.output_activation, X2
        )
        fps = self._hidden_fprimes(zs, acts)
        # M_l = D_l W^(l)ᵀ for each example: (m, s_l, s_{l+1}); W^(l) = self._weights[l − 1].
        factors = [
            fp[:, :, None] * W.T[None, :, :] for fp, W in zip(fps, self._weights[1:], strict=True)
        ]
        return factors, zs, acts

    def layer_factors(self, x: object) -> list[np.ndarray]:
        """The per-layer matrices M_l = D_l W^(l)ᵀ, D_l = diag f'(z^(l)), for one example x.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        δ^(l) = M_l δ^(l+1) (column vectors), so backprop is multiplication by M_{n_l−1}, then
        M_{n_l−2}, … — a linear recurrence whose coefficient matrix changes at every layer and
        depends on x through the forward pass.

        Parameters
        ----------
        x : (s_1,) array — a single example (see :meth:`layer_factors_batch` for a batch)

        Returns
        -------
        list of arrays
            ``[M_2, …, M_{n_l−1}]`` with M_l of shape (s_l, s_{l+1}); empty if n_l = 2.
        """
        return [M[0] for M in self.layer_factors_batch(self._check_single(x, "x"))]

    def layer_factors_batch(self, X: object) -> list[np.ndarray]:
        """:meth:`layer_factors` for every row of X at once: arrays of shape (m, s_l, s_{l+1}).

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
        """
        X2, _ = self._check_X(X)
        return self._factors(X2)[0]

    def _check_single(self, x: object, name: str) -> np.ndarray:
        arr = check_real_array(x, name)
        if arr.ndim != 1:
            raise ValueError(
                f"{name} must be a single example, a 1-D array of length s_1 = {self.sizes[0]}, "
                f"got shape {arr.shape}; use the *_batch method for a batch"
            )
        return self._check_X(arr, name)[0]

    def _products(self, X2: np.ndarray, Y2: np.ndarray, cost: str):
        factors, zs, acts = self._factors(X2)
        kind = self._check_cost(cost, Y2)
        delta_out = self._output_delta(kind, zs[-1], acts[-1], Y2)
        m, s_out = delta_out.shape
        P = np.broadcast_to(np.eye(s_out), (m, s_out, s_out)).copy()
        products = [P]
        for M in reversed(factors):
            P = M @ P  # P_l = M_l P_{l+1} = M_l M_{l+1} ⋯ M_{n_l−1}, batched over examples
            products.append(P)
        products.reverse()
        return products, delta_out

    def layer_products(self, x: object) -> list[np.ndarray]:
        """The ordered products P_l = M_l M_{l+1} ⋯ M_{n_l−1} for one example x.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        Returns
        -------
        list of arrays
            ``[P_2, …, P_{n_l}]`` with P_l of shape (s_l, s_{n_l}); P_{n_l} = I. δ^(l) =
            P_l δ^(n_l) is the "closed form" of the recurrence.
        """
        x2 = self._check_single(x, "x")
        s_out = self.sizes[-1]
        P = np.eye(s_out)
        products = [P]
        for M in reversed(self.layer_factors(x2[0])):
            P = M @ P
            products.append(P)
        return products[::-1]

    def delta_by_product(
        self, x: object, y: object, cost: str = "squared_error"
    ) -> list[np.ndarray]:
        """Every δ^(l) of one example, from the explicitly formed ordered matrix products.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        δ^(l) = (M_l M_{l+1} ⋯ M_{n_l−1}) δ^(n_l): the product matrix P_l is formed first
        (P_{n_l} = I, P_l = M_l P_{l+1}) and then applied to δ^(n_l), instead of running the
        recurrence vector by vector. Equal to ``backward(x, y).deltas`` up to rounding.

        Parameters
        ----------
        x : (s_1,) array;  y : (s_{n_l},) array;  cost : see :meth:`backward`

        Returns
        -------
        list of arrays
            ``[δ^(2), …, δ^(n_l)]``, each of shape (s_l,).
        """
        x2 = self._check_single(x, "x")
        y2 = self._check_Y(y, 1, True, "y")
        return [d[0] for d in self.delta_by_product_batch(x2, y2, cost)]

    def delta_by_forward_mode(
        self, x: object, y: object, cost: str = "squared_error"
    ) -> np.ndarray:
        """δ^(2) = ∂J/∂z^(2) of one example by forward accumulation (Jacobian–vector products).

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        Forward mode pushes tangents from the input side: T_2 = I (s_2 × s_2, one tangent
        direction per unit of layer 2) and T_{l+1} = W^(l) D_l T_l = ∂z^(l+1)/∂z^(2), one
        Jacobian–vector product per direction and layer; then δ^(2) = T_{n_l}ᵀ δ^(n_l). It
        gives the same numbers as the reverse accumulation of :meth:`backward` (up to
        rounding) at s_2 times the cost (:func:`accumulation_counts`).

        Returns
        -------
        (s_2,) array
        """
        x2 = self._check_single(x, "x")
        y2 = self._check_Y(y, 1, True, "y")
        factors, zs, acts = self._factors(x2)
        kind = self._check_cost(cost, y2)
        delta_out = self._output_delta(kind, zs[-1], acts[-1], y2)[0]
        if not factors:  # n_l = 2: z^(2) is the output
            return delta_out
        T = np.eye(factors[0].shape[1])
        for M in factors:  # M_l = D_l W^(l)ᵀ, so W^(l) D_l = M_lᵀ
            T = M[0].T @ T
        return T.T @ delta_out

    def delta_by_product_batch(
        self, X: object, Y: object, cost: str = "squared_error"
    ) -> list[np.ndarray]:
        """:meth:`delta_by_product` for every row of X, vectorised over the batch.

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

        Returns
        -------
        list of arrays
            ``[δ^(2), …, δ^(n_l)]``, each of shape (m, s_l); products are formed per example
            as stacked (m, s_l, s_{n_l}) matrices.
        """
        X2, _ = self._check_X(X)
        Y2 = self._check_Y(Y, X2.shape[0], False)
        products, delta_out = self._products(X2, Y2, cost)
        return [np.einsum("mij,mj->mi", P, delta_out) for P in products]


def relative_error(a: object, b: object) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖) over all entries (Frobenius norm); 0 when both vanish.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients), whose
    checks compare backprop with finite differences, the product form and PyTorch with it.
    Symmetric in a and b, and at most 2.

    Parameters
    ----------
    a, b : arrays of the same shape (real or complex, finite)
    """
    arrays = []
    for value, name in ((a, "a"), (b, "b")):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
        arrays.append(arr)
    a, b = arrays
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def numerical_gradient(
    mlp: MLP,
    X: object,
    Y: object,
    eps: float = 1e-6,
    cost: str = "squared_error",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central-difference gradient of J with respect to every W^(l) and b^(l).

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    ∂J/∂θ ≈ (J(θ + ε) − J(θ − ε)) / (2ε) for each parameter θ in turn: a reference for
    testing :meth:`MLP.backward`. It loops over the parameters, so it costs 2·(#params) forward
    passes — O(#params) — and is meant for small networks only. Truncation error O(ε²),
    rounding error O(machine-ε · J / ε); ε ≈ 1e-6…1e-5 balances them in float64. Near a kink
    of relu / leaky relu (|z| ≲ ε) the difference quotient is meaningless.

    Parameters
    ----------
    mlp : MLP
    X, Y : arrays as for :meth:`MLP.backward`
    eps : float > 0
    cost : {"squared_error", "cross_entropy"}

    Returns
    -------
    (grad_W, grad_b) : lists of arrays shaped like ``mlp.weights`` and ``mlp.biases``.
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be an MLP, got {type(mlp).__name__}")
    h = check_real(eps, "eps", low=0.0, low_open=True)
    X2, single = mlp._check_X(X)
    Y2 = mlp._check_Y(Y, X2.shape[0], single)
    kind = mlp._check_cost(cost, Y2)
    weights = [W.copy() for W in mlp.weights]
    biases = [b.copy() for b in mlp.biases]

    def J() -> float:
        zs, acts = _forward(weights, biases, mlp.activation, mlp.output_activation, X2)
        return _cost_value(kind, zs[-1], acts[-1], Y2)

    def grad_of(P: np.ndarray) -> np.ndarray:
        G = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            old = P[idx]
            P[idx] = old + h
            j_plus = J()
            P[idx] = old - h
            j_minus = J()
            P[idx] = old
            G[idx] = (j_plus - j_minus) / (2.0 * h)
        return G

    return [grad_of(W) for W in weights], [grad_of(b) for b in biases]


# ---------------------------------------------------------------------------------------------
# the cost of the recurrence and of the product form


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
    """
    s = _check_sizes(sizes, "sizes", 3)
    n_l = len(s)
    hidden = range(1, n_l - 1)
    reverse = sum(s[k] * s[k + 1] + s[k] for k in hidden)
    forward = sum(s[k] * s[1] + s[k + 1] * s[k] * s[1] for k in hidden) + s[-1] * s[1]
    return reverse, forward


def _deltas_by_accumulated_product(
    factors: list[np.ndarray], delta_out: np.ndarray
) -> list[np.ndarray]:
    """[δ^(2), …, δ^(n_l−1)] as Φ(l, n_l) δ^(n_l).

    Φ(n_l−1, n_l) = M_{n_l−1} and Φ(l, n_l) = M_l Φ(l+1, n_l), accumulated from the output side.
    """
    P = factors[-1]
    deltas = [P @ delta_out]
    for M in reversed(factors[:-1]):
        P = M @ P
        deltas.append(P @ delta_out)
    return deltas[::-1]


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

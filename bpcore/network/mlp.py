"""The network: a fully connected feed-forward net h(x) = a^(n_l) in Ng's notation.

z^(l+1) = W^(l) a^(l) + b^(l), a^(l+1) = f(z^(l+1)), a^(1) = x; examples are rows, so a batch
computes ``Z = A @ W.T + b``. The backward pass runs :func:`bpcore.backprop.delta_recursion`;
the ordered-product methods come from :mod:`bpcore.network.ordered_product`.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bpcore.activations import Activation, get_activation
from bpcore.backprop import delta_recursion
from bpcore.network._inputs import (
    _check_cost,
    _check_parameters,
    _check_X,
    _check_Y,
    _random_parameters,
)
from bpcore.network._kernels import (
    _cost_value,
    _forward,
    _fprime,
    _output_delta,
    _weight_gradients,
)
from bpcore.network.ordered_product import _OrderedProductView
from bpcore.network.results import ForwardPass, Gradients, _check_layer

__all__ = ["MLP"]


class MLP(_OrderedProductView):
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

    Size: about 250 lines, because the class is the network's whole documented interface
    (construction, Ng-indexed structure, forward pass, cost, backward pass); its checks,
    kernels and initialisation live in ``_inputs``/``_kernels`` and its ordered-product
    methods in :mod:`bpcore.network.ordered_product`.

    Raises
    ------
    TypeError, ValueError
        Naming the offending parameter: non-finite entries, shapes that do not chain
        (``"weights[1] has shape (4, 6) but weights[0] maps to 5 units"``), bias lengths, an
        unknown activation.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.network import MLP
    >>> net = MLP.random([2, 3, 1], "tanh", seed=0)
    >>> net
    MLP(sizes=[2, 3, 1], activation=tanh, params=13)
    >>> g = net.backward(np.array([1.0, -1.0]), np.array([0.5]))
    >>> [d.shape for d in g.deltas], round(g.J, 4)
    ([(3,), (1,)], 0.2953)
    """

    def __init__(
        self,
        weights: Sequence[object],
        biases: Sequence[object],
        activation: str | Activation,
        output_activation: str | Activation | None = None,
    ) -> None:
        self._weights, self._biases = _check_parameters(weights, biases)
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
        weights, biases = _random_parameters(sizes, weight_scale, bias_scale, init, seed)
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
        X2, single = _check_X(self.sizes, X)
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
        X2, single = _check_X(self.sizes, X)
        Y2 = _check_Y(self.sizes, Y, X2.shape[0], single)
        kind = _check_cost(self.output_activation, cost, Y2)
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
        X2, single = _check_X(self.sizes, X)
        Y2 = _check_Y(self.sizes, Y, X2.shape[0], single)
        kind = _check_cost(self.output_activation, cost, Y2)
        zs, acts = _forward(
            self._weights, self._biases, self.activation, self.output_activation, X2, keep_z=False
        )
        J = _cost_value(kind, zs[-1], acts[-1], Y2)
        delta_out = _output_delta(self.output_activation, kind, zs[-1], acts[-1], Y2)
        if self.depth > 1:
            # delta_recursion on [W^(2), …, W^(n_l−1)] returns [δ^(2), …, δ^(n_l)].
            deltas = delta_recursion(self._weights[1:], delta_out, self._hidden_fprimes(zs, acts))
        else:
            deltas = [delta_out]
        grad_W, grad_b = _weight_gradients(deltas, acts[:-1])
        if single:
            deltas = [d[0] for d in deltas]
        return Gradients(deltas=deltas, grad_W=grad_W, grad_b=grad_b, J=J, cost=kind)

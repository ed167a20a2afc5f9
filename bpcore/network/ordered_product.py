"""Backprop as an ordered product: δ^(l) = M_l M_{l+1} ⋯ M_{n_l−1} δ^(n_l).

The recurrence δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) is linear in δ:

    δ^(l) = M_l δ^(l+1),   M_l = D_l W^(l)ᵀ,   D_l = diag f'(z^(l)),

so its "closed form" is an ordered product of matrices that change from layer to layer and
depend on the example through the forward pass. :class:`_OrderedProductView` holds the methods
of :class:`~bpcore.network.MLP` that form these factors and products (``layer_factors``,
``layer_products``, ``delta_by_product``, ``delta_by_forward_mode`` and their batch versions);
MLP inherits them. Evaluated against the vector the product is the recurrence, O(depth · s²);
formed as matrices it costs O(depth · s³) (:mod:`bpcore.network.operation_counts`).

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

import numpy as np

from bpcore.network._inputs import _check_cost, _check_single, _check_X, _check_Y
from bpcore.network._kernels import _forward, _output_delta


class _OrderedProductView:
    """The ordered-product methods of :class:`~bpcore.network.MLP` (a mixin; MLP only).

    It uses the network's weights, activations and input checks, so it is not a class to
    instantiate: each method is documented and exemplified as ``MLP.<method>``.

    Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.network import MLP
    >>> net = MLP.random([2, 3, 3, 1], "tanh", seed=0)
    >>> [M.shape for M in net.layer_factors(np.ones(2))]
    [(3, 3), (3, 1)]
    """

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
        return [M[0] for M in self.layer_factors_batch(_check_single(self.sizes, x, "x"))]

    def layer_factors_batch(self, X: object) -> list[np.ndarray]:
        """:meth:`layer_factors` for every row of X at once: arrays of shape (m, s_l, s_{l+1}).

        Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
        """
        X2, _ = _check_X(self.sizes, X)
        return self._factors(X2)[0]

    def _products(self, X2: np.ndarray, Y2: np.ndarray, cost: str):
        factors, zs, acts = self._factors(X2)
        kind = _check_cost(self.output_activation, cost, Y2)
        delta_out = _output_delta(self.output_activation, kind, zs[-1], acts[-1], Y2)
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
        x2 = _check_single(self.sizes, x, "x")
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
        x2 = _check_single(self.sizes, x, "x")
        y2 = _check_Y(self.sizes, y, 1, True, "y")
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
        x2 = _check_single(self.sizes, x, "x")
        y2 = _check_Y(self.sizes, y, 1, True, "y")
        factors, zs, acts = self._factors(x2)
        kind = _check_cost(self.output_activation, cost, y2)
        delta_out = _output_delta(self.output_activation, kind, zs[-1], acts[-1], y2)[0]
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
        X2, _ = _check_X(self.sizes, X)
        Y2 = _check_Y(self.sizes, Y, X2.shape[0], False)
        products, delta_out = self._products(X2, Y2, cost)
        return [np.einsum("mij,mj->mi", P, delta_out) for P in products]


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

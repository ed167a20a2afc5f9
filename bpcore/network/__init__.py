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

The rooms of this package:

* :mod:`~bpcore.network.mlp` — :class:`MLP`: forward pass, cost, backward pass;
* :mod:`~bpcore.network.results` — :class:`ForwardPass` and :class:`Gradients`;
* :mod:`~bpcore.network.ordered_product` — the factors M_l and the products P_l (MLP methods);
* :mod:`~bpcore.network.gradcheck` — :func:`relative_error`, :func:`numerical_gradient`;
* :mod:`~bpcore.network.operation_counts` — the cost of the recurrence against the product form;
* :mod:`~bpcore.network.profile` — :func:`delta_profile`, ‖δ^(l)‖ per layer of a random network;
* ``_inputs`` and ``_kernels`` — the input checks and the forward/cost kernels they share.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

from bpcore.network._kernels import COSTS
from bpcore.network.gradcheck import numerical_gradient, relative_error
from bpcore.network.mlp import MLP
from bpcore.network.operation_counts import (
    _bare_product as _bare_product,
)
from bpcore.network.operation_counts import (
    _bare_recurrence as _bare_recurrence,
)
from bpcore.network.operation_counts import (
    accumulation_counts,
    multiplication_counts,
    time_recurrence_vs_product,
)
from bpcore.network.ordered_product import (
    _deltas_by_accumulated_product as _deltas_by_accumulated_product,
)
from bpcore.network.profile import delta_profile
from bpcore.network.results import ForwardPass, Gradients

__all__ = [
    "COSTS",
    "MLP",
    "ForwardPass",
    "Gradients",
    "accumulation_counts",
    "delta_profile",
    "multiplication_counts",
    "numerical_gradient",
    "relative_error",
    "time_recurrence_vs_product",
]

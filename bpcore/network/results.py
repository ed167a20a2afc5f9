"""The result objects of a forward and a backward pass, indexed by Ng's layer numbers.

Python lists are 0-based while Ng's layers are 1-based: ``z_of(l)``, ``a_of(l)``,
``delta_of(l)``, ``grad_W_of(l)`` take Ng's l and check it.

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._validate import check_int

__all__ = ["ForwardPass", "Gradients"]


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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.network import MLP
    >>> fp = MLP.random([2, 3, 1], "tanh", seed=0).forward(np.array([1.0, -1.0]))
    >>> fp
    ForwardPass(sizes=[2, 3, 1], single example)
    >>> fp.z_of(2).shape, fp.a_of(1)
    ((3,), array([ 1., -1.]))
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.network import MLP
    >>> g = MLP.random([2, 3, 1], "tanh", seed=0).backward(np.ones((4, 2)), np.zeros((4, 1)))
    >>> g
    Gradients(cost='squared_error', J=0.0147495, grad_W shapes=[(3, 2), (1, 3)])
    >>> g.delta_of(2).shape, g.grad_W_of(1).shape
    ((4, 3), (3, 2))
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

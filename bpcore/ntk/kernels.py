"""Closed-form NNGP and NTK of wide ReLU networks: the arc-cosine recursion.

K^(l+1) = W_std² E[φ(u)φ(v)] + b_std² and Θ^(l+1) = K^(l+1) + W_std² E[φ'(u)φ'(v)] Θ^(l),
with the two ReLU expectations in closed form (:func:`relu_arccos_step`); the conventions are
those of :mod:`bpcore.ntk`.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real, check_real_array
from bpcore.meanfield.gaussian import _relu_arccos
from bpcore.meanfield.maps import length_map

__all__ = [
    "ReluKernels",
    "relu_arccos_step",
    "relu_kernels",
    "relu_nngp",
    "relu_ntk",
]


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def _check_stds(W_std: object, b_std: object) -> tuple[float, float]:
    sw = check_real(W_std, "W_std", low=0.0, low_open=True)
    sb = check_real(b_std, "b_std", low=0.0)
    return sw, sb


def _check_design(X: object, name: str = "X") -> np.ndarray:
    """X as a float (m, s_1) array with m >= 1 rows and s_1 >= 1 columns (one input per row)."""
    arr = check_real_array(X, name, ndim=2)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {arr.shape}")
    return arr


# ---------------------------------------------------------------------------------------------
# closed-form kernels


def relu_arccos_step(k12: object, k11: object, k22: object) -> tuple[np.ndarray, np.ndarray]:
    """The two ReLU Gaussian expectations (arc-cosine kernels of degree 1 and 0).

    Introduced in chapter 6 (Approximations that work).

    For (u, v) ~ N(0, [[k11, k12], [k12, k22]]) and cos θ = k12/√(k11 k22),

        E[relu(u) relu(v)]   = √(k11 k22) (sin θ + (π − θ) cos θ) / 2π,
        E[relu'(u) relu'(v)] = (π − θ) / 2π

    (Cho & Saul 2009, with their normalisation divided by 2). At k11 = k22 = k12 = q this is the
    ReLU length map q/2 and the ReLU χ₁/σ_w² = 1/2. Where k11 k22 = 0 one of u, v is 0 almost
    surely and both expectations are 0 (relu'(0) = 0, bpcore's convention). This is the
    package's one ReLU step: the closed-form mean-field maps of relu, leaky relu and identity
    (:func:`bpcore.meanfield.correlation_map`) call it too, and the NNGP diagonal here is
    :func:`bpcore.meanfield.length_map`.

    Parameters
    ----------
    k12, k11, k22 : broadcastable arrays, k11, k22 >= 0

    Returns
    -------
    (E[φ(u)φ(v)], E[φ'(u)φ'(v)]) : two float arrays of the broadcast shape

    Examples
    --------
    >>> from bpcore.ntk import relu_arccos_step
    >>> [round(float(v), 6) for v in relu_arccos_step(0.0, 1.0, 1.0)]
    [0.159155, 0.25]
    """
    k12 = check_real_array(k12, "k12")
    k11 = check_real_array(k11, "k11")
    k22 = check_real_array(k22, "k22")
    if np.any(k11 < 0) or np.any(k22 < 0):
        raise ValueError("k11 and k22 must be variances (>= 0)")
    return _relu_arccos(k12, k11, k22)


@dataclass(frozen=True, eq=False)
class ReluKernels:
    """The infinite-width NNGP and NTK of a ReLU network, as ``kernel_fn(x1, x2, ('nngp', 'ntk'))``.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    nngp : (m1, m2) array
        K^(n_l)(x_i, x'_j): the covariance of the outputs at initialisation (a Gaussian process).
    ntk : (m1, m2) array
        Θ^(n_l)(x_i, x'_j): the neural tangent kernel, the large-width limit of J Jᵀ.
    depth : int
        Number of hidden ReLU layers.
    W_std, b_std : float
        The conventions (see :mod:`bpcore.ntk`).

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import relu_kernels
    >>> bool(np.all(relu_kernels(np.eye(3), depth=2).ntk >= relu_kernels(np.eye(3), depth=2).nngp))
    True

    (Θ = K plus a non-negative term, layer by layer.)
    """

    nngp: np.ndarray
    ntk: np.ndarray
    depth: int
    W_std: float
    b_std: float

    def __repr__(self) -> str:
        return (
            f"ReluKernels(depth={self.depth}, W_std={self.W_std:.6g}, b_std={self.b_std:.6g}, "
            f"shape={self.ntk.shape}, ntk={short_array(self.ntk)})"
        )


def _check_inputs(X1: object, X2: object) -> tuple[np.ndarray, np.ndarray]:
    A = _check_design(X1, "X1")
    if X2 is None:
        return A, A
    B = check_real_array(X2, "X2", ndim=2)
    if B.shape[0] == 0 or B.shape[1] != A.shape[1]:
        raise ValueError(
            f"X2 must have shape (m2, {A.shape[1]}) with m2 >= 1 (the same input dimension as "
            f"X1), got shape {B.shape}"
        )
    return A, B


def relu_kernels(
    X1: object,
    X2: object = None,
    depth: int = 1,
    *,
    W_std: float = 1.0,
    b_std: float = 0.0,
) -> ReluKernels:
    """Closed-form NNGP and NTK of ``depth`` hidden ReLU layers and a linear read-out.

    Introduced in chapter 6 (Approximations that work).

    The recursion of the module docstring, started from K^(1) = X1 X2ᵀ / s_1, Θ^(1) = 0 and run
    through ``depth`` blocks [Dense(W_std, b_std), Relu] and a final Dense(1, W_std, b_std);
    the same as neural-tangents' ``stax.serial(*[stax.Dense(n, W_std, b_std), stax.Relu()] *
    depth, stax.Dense(1, W_std, b_std))`` with ``parameterization='ntk'`` (its default).

    Parameters
    ----------
    X1 : (m1, s_1) array
    X2 : (m2, s_1) array, optional
        Default: X1.
    depth : int >= 1
        Number of hidden ReLU layers (n_l − 2 in Ng's numbering).
    W_std : float > 0
    b_std : float >= 0

    Returns
    -------
    ReluKernels

    Raises
    ------
    ValueError
        depth < 1, W_std <= 0, b_std < 0, non-finite entries, X1 and X2 of different widths.
    TypeError
        Non-numeric inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import relu_kernels
    >>> k = relu_kernels(np.eye(2), depth=2, W_std=2**0.5)  # He: the diagonal stays at 1
    >>> k.nngp.round(4).tolist()
    [[1.0, 0.4937], [0.4937, 1.0]]
    """
    A, B = _check_inputs(X1, X2)
    depth = check_int(depth, "depth", minimum=1)
    sw, sb = _check_stds(W_std, b_std)
    d = A.shape[1]
    k12 = A @ B.T / d
    k11 = np.einsum("ij,ij->i", A, A) / d
    k22 = np.einsum("ij,ij->i", B, B) / d
    w2, b2 = sw * sw, sb * sb
    # first Dense layer: Θ^(2) = K^(2) since Θ^(1) = 0
    k12, k11, k22 = w2 * k12 + b2, w2 * k11 + b2, w2 * k22 + b2
    theta = k12.copy()
    for _ in range(depth):
        e_phi, e_dphi = relu_arccos_step(k12, k11[:, None], k22[None, :])
        # the diagonal: θ = 0, the ReLU length map q ↦ W_std² q/2 + b_std² of mean-field theory
        k11 = length_map("relu", sw, sb, k11, method="closed_form")
        k22 = length_map("relu", sw, sb, k22, method="closed_form")
        k12 = w2 * e_phi + b2
        theta = k12 + w2 * e_dphi * theta
    return ReluKernels(nngp=_readonly(k12), ntk=_readonly(theta), depth=depth, W_std=sw, b_std=sb)


def relu_nngp(
    X1: object,
    X2: object = None,
    depth: int = 1,
    *,
    W_std: float = 1.0,
    b_std: float = 0.0,
) -> np.ndarray:
    """The NNGP kernel K(X1, X2) of a ReLU network at infinite width, ``(m1, m2)``.

    Introduced in chapter 6 (Approximations that work).

    neural-tangents' ``kernel_fn(x1, x2, 'nngp')`` for ``depth`` blocks [Dense(W_std, b_std,
    parameterization='ntk'), Relu] and Dense(1, W_std, b_std); K^(l+1) = W_std² E[φ(u)φ(v)] +
    b_std² (Cho & Saul 2009; Lee et al. 2018). See :func:`relu_kernels` for the parameters and
    errors.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import relu_nngp
    >>> relu_nngp(np.eye(2), depth=1, W_std=1.0, b_std=0.0).round(6).tolist()
    [[0.25, 0.079577], [0.079577, 0.25]]
    """
    return relu_kernels(X1, X2, depth, W_std=W_std, b_std=b_std).nngp


def relu_ntk(
    X1: object,
    X2: object = None,
    depth: int = 1,
    *,
    W_std: float = 1.0,
    b_std: float = 0.0,
) -> np.ndarray:
    """The neural tangent kernel Θ(X1, X2) of a ReLU network at infinite width, ``(m1, m2)``.

    Introduced in chapter 6 (Approximations that work).

    neural-tangents' ``kernel_fn(x1, x2, 'ntk')`` for ``depth`` blocks [Dense(W_std, b_std,
    parameterization='ntk'), Relu] and Dense(1, W_std, b_std); Θ^(l+1) = K^(l+1) + W_std²
    E[φ'(u)φ'(v)] Θ^(l) (Jacot, Gabriel & Hongler 2018; Lee et al. 2019). See
    :func:`relu_kernels` for the parameters and errors.

    For one hidden layer with W_std = b_std = 1 and x̃ = (x/√s_1, 1), this is the read-out bias
    term 1 plus ‖x̃‖‖x̃'‖(sin θ + (π − θ) cos θ)/2π + (x̃·x̃')(π − θ)/2π, θ the angle between x̃
    and x̃'.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import relu_ntk
    >>> relu_ntk(np.eye(2), depth=1, W_std=1.0, b_std=0.0).round(6).tolist()
    [[0.5, 0.079577], [0.079577, 0.5]]
    """
    return relu_kernels(X1, X2, depth, W_std=W_std, b_std=b_std).ntk

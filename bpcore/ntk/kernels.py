"""The neural tangent kernel of wide ReLU networks: closed forms next to finite networks.

Conventions (those of neural-tangents, ``stax.Dense(out_dim, W_std, b_std,
parameterization='ntk')`` layers with ``stax.Relu()`` between them, so that a reader can check
every number against ``kernel_fn(x1, x2, ('nngp', 'ntk'))``). In NTK parametrisation a layer
with fan-in s_l computes

    z^(l+1) = (W_std / √s_l) V^(l) a^(l) + b_std β^(l),   V^(l)_ij, β^(l)_i ~ N(0, 1),

and the trainable parameters are V and β (Jacot, Gabriel & Hongler 2018, p. 3). The network
has ``depth`` hidden ReLU layers and a linear read-out of one unit: a^(l+1) = relu(z^(l+1)) for
the hidden layers, h(x) = z^(n_l). The input kernel is K^(1)(x, x') = x·x'/s_1 (neural-tangents
divides by the input dimension); then, layer by layer,

    K^(l+1) = W_std² E[φ(u)φ(v)] + b_std²,                 (the NNGP; Cho & Saul 2009)
    Θ^(l+1) = K^(l+1) + W_std² E[φ'(u)φ'(v)] Θ^(l),        Θ^(1) = 0,

with (u, v) ~ N(0, [[K(x,x), K(x,x')], [K(x,x'), K(x',x')]]) at the previous layer. For φ = relu
both expectations are arc-cosine kernels: with cos θ = K(x,x')/√(K(x,x) K(x',x')),

    E[φ(u)φ(v)]   = √(K(x,x) K(x',x')) (sin θ + (π − θ) cos θ) / 2π,
    E[φ'(u)φ'(v)] = (π − θ) / 2π.

The same network is simulated with :class:`bpcore.network.MLP`: an NTK-parametrised layer is
an ordinary layer W = (W_std/√s_l) V, b = b_std β (exactly how ``MLP.random`` draws it), and
gradient descent on (V, β) is gradient descent on (W, b) with the learning rate multiplied by
W_std²/s_l for W^(l) and by b_std² for b^(l). So every gradient here comes from
:meth:`bpcore.network.MLP.backward` and hence from :func:`bpcore.backprop.delta_recursion`.

Training uses the loss L = (1/2m) Σ_i (h(x_i) − y_i)² over the m training points (the
``squared_error`` cost of :meth:`MLP.cost`). Linearised around its initialisation, the network's
training predictions then follow f_{t+1} = f_t − (η/m) Θ (f_t − Y), whose solution is the
discrete closed form of :func:`linearized_training` (Lee et al. 2019). Time is measured in
steps; the gradient-flow limit uses t = steps·η.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real, check_real_array
from bpcore.network import MLP

__all__ = [
    "CatapultRun",
    "KernelWidthScan",
    "LinearizedTrajectory",
    "NTKNetwork",
    "ReluKernels",
    "TrainingRun",
    "alive_fraction",
    "catapult_run",
    "empirical_ntk",
    "kernel_error_by_width",
    "linearized_training",
    "parameter_jacobian",
    "relu_arccos_step",
    "relu_kernels",
    "relu_nngp",
    "relu_ntk",
    "train_gd",
]


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def _check_stds(W_std: object, b_std: object) -> tuple[float, float]:
    sw = check_real(W_std, "W_std", low=0.0, low_open=True)
    sb = check_real(b_std, "b_std", low=0.0)
    return sw, sb


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
    surely and both expectations are 0 (relu'(0) = 0, bpcore's convention).

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
    k12, k11, k22 = np.broadcast_arrays(k12, k11, k22)
    norm = np.sqrt(k11 * k22)
    positive = norm > 0
    safe = np.where(positive, norm, 1.0)
    cos = np.clip(np.where(positive, k12 / safe, 0.0), -1.0, 1.0)
    theta = np.arccos(cos)
    sin = np.sqrt(np.maximum(1.0 - cos * cos, 0.0))
    e_phi = np.where(positive, norm * (sin + (np.pi - theta) * cos) / (2 * np.pi), 0.0)
    e_dphi = np.where(positive, (np.pi - theta) / (2 * np.pi), 0.0)
    return e_phi, e_dphi


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
    A = check_real_array(X1, "X1", ndim=2)
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"X1 must have at least one row and one column, got shape {A.shape}")
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
        k11 = w2 * k11 / 2 + b2  # the diagonal: θ = 0, E[relu(u)²] = q/2 (the length map)
        k22 = w2 * k22 / 2 + b2
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


# ---------------------------------------------------------------------------------------------
# the finite network in NTK parametrisation


class NTKNetwork:
    """A ReLU network in NTK parametrisation, stored as a :class:`bpcore.network.MLP`.

    Introduced in chapter 6 (Approximations that work).

    Layer l computes z^(l+1) = (W_std/√s_l) V^(l) a^(l) + b_std β^(l); the MLP holds
    W^(l) = c_l V^(l), c_l = W_std/√s_l, and b^(l) = b_std β^(l), with ReLU hidden layers and
    an identity (linear) read-out of one unit. The trainable parameters are θ = (V^(1), β^(1),
    V^(2), β^(2), …) in this order (each V flattened row by row); their gradients are the MLP's
    gradients times c_l (for V) and b_std (for β).

    Parameters
    ----------
    mlp : MLP
        ReLU hidden layers, identity output activation, one output unit. Copied.
    W_std : float > 0
    b_std : float >= 0
        With b_std = 0 the biases are fixed at 0 (their gradient is 0).
    """

    def __init__(self, mlp: MLP, W_std: float = 1.0, b_std: float = 0.0) -> None:
        if not isinstance(mlp, MLP):
            raise TypeError(f"mlp must be a bpcore.network.MLP, got {type(mlp).__name__}")
        if mlp.activation.name != "relu" or mlp.output_activation.name != "identity":
            raise ValueError(
                "mlp must have relu hidden layers and an identity output activation, got "
                f"activation={mlp.activation.label}, output_activation="
                f"{mlp.output_activation.label}"
            )
        if mlp.sizes[-1] != 1:
            raise ValueError(f"mlp must have one output unit, got sizes={mlp.sizes}")
        if mlp.depth < 2:
            raise ValueError(f"mlp must have at least one hidden layer, got sizes={mlp.sizes}")
        self.W_std, self.b_std = _check_stds(W_std, b_std)
        self.mlp = MLP(mlp.weights, mlp.biases, "relu", "identity")

    @classmethod
    def random(
        cls,
        input_dim: int,
        width: int,
        depth: int = 1,
        *,
        W_std: float = 1.0,
        b_std: float = 0.0,
        seed: int = 0,
    ) -> NTKNetwork:
        """A random network [input_dim, width × depth, 1] with V, β ~ N(0, 1).

        Introduced in chapter 6 (Approximations that work).

        Drawn by ``MLP.random(sizes, "relu", weight_scale=W_std, bias_scale=b_std, seed=seed,
        output_activation="identity")``, whose W ~ N(0, W_std²/s_l), b ~ N(0, b_std²) is
        exactly c_l V, b_std β.

        Parameters
        ----------
        input_dim, width : int >= 1
        depth : int >= 1
            Number of hidden layers.
        W_std : float > 0
        b_std : float >= 0
        seed : int >= 0
        """
        d = check_int(input_dim, "input_dim", minimum=1)
        n = check_int(width, "width", minimum=1)
        depth = check_int(depth, "depth", minimum=1)
        sw, sb = _check_stds(W_std, b_std)
        seed = check_int(seed, "seed", minimum=0)
        mlp = MLP.random(
            [d] + [n] * depth + [1],
            "relu",
            weight_scale=sw,
            bias_scale=sb,
            seed=seed,
            output_activation="identity",
        )
        return cls(mlp, sw, sb)

    @property
    def scales(self) -> list[float]:
        """[c_1, …, c_{n_l−1}], c_l = W_std/√s_l: W^(l) = c_l V^(l)."""
        return [self.W_std / np.sqrt(s) for s in self.mlp.sizes[:-1]]

    @property
    def sizes(self) -> list[int]:
        """[s_1, …, s_{n_l}] (s_{n_l} = 1)."""
        return self.mlp.sizes

    @property
    def n_params(self) -> int:
        """Number of trainable parameters (all V and β entries)."""
        return self.mlp.n_params

    def copy(self) -> NTKNetwork:
        """An independent copy (training one does not change the other)."""
        return NTKNetwork(self.mlp, self.W_std, self.b_std)

    def parameters(self) -> np.ndarray:
        """θ = (V^(1), β^(1), …) as one vector; β = 0 when b_std = 0."""
        parts = []
        for c, W, b in zip(self.scales, self.mlp.weights, self.mlp.biases, strict=True):
            parts.append((W / c).ravel())
            parts.append(b / self.b_std if self.b_std > 0 else np.zeros_like(b))
        return np.concatenate(parts)

    def with_parameters(self, theta: object) -> NTKNetwork:
        """A new network with parameters θ (the layout of :meth:`parameters`)."""
        theta = check_real_array(theta, "theta", ndim=1)
        if theta.shape[0] != self.n_params:
            raise ValueError(
                f"theta must have n_params = {self.n_params} entries, got {theta.shape[0]}"
            )
        Ws, bs, k = [], [], 0
        for c, W, b in zip(self.scales, self.mlp.weights, self.mlp.biases, strict=True):
            Ws.append(c * theta[k : k + W.size].reshape(W.shape))
            k += W.size
            bs.append(self.b_std * theta[k : k + b.size])
            k += b.size
        return NTKNetwork(MLP(Ws, bs, "relu", "identity"), self.W_std, self.b_std)

    def predict(self, X: object) -> np.ndarray:
        """h(X), shape (m,) for X of shape (m, s_1)."""
        return self.mlp.predict(_check_X(self, X))[:, 0]

    def __repr__(self) -> str:
        return (
            f"NTKNetwork(sizes={self.sizes}, W_std={self.W_std:.6g}, b_std={self.b_std:.6g}, "
            f"params={self.n_params})"
        )


def _check_net(net: object) -> NTKNetwork:
    if not isinstance(net, NTKNetwork):
        raise TypeError(f"net must be an NTKNetwork, got {type(net).__name__}")
    return net


def _check_X(net: NTKNetwork, X: object, name: str = "X") -> np.ndarray:
    arr = check_real_array(X, name, ndim=2)
    if arr.shape[0] == 0 or arr.shape[1] != net.sizes[0]:
        raise ValueError(
            f"{name} must have shape (m, {net.sizes[0]}) with m >= 1 (one example per row), "
            f"got shape {arr.shape}"
        )
    return arr


def _per_example(net: NTKNetwork, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """[a^(1), …, a^(n_l−1)] and [δ^(2), …, δ^(n_l)] with δ^(n_l) = ∂h/∂z^(n_l) = 1, per example.

    ``MLP.backward`` with targets Y = h(X) − 1 has output error a − y = 1, so its per-example
    δ's are the derivatives ∂h(x_i)/∂z^(l) (bpcore.backprop.delta_recursion computes them).
    """
    fp = net.mlp.forward(X)
    grads = net.mlp.backward(X, fp.output - 1.0)
    return fp.a[:-1], grads.deltas


def parameter_jacobian(net: NTKNetwork, X: object) -> np.ndarray:
    """The parameter Jacobian J = ∂h(x_i)/∂θ, shape (m, n_params) (layout of ``parameters()``).

    Introduced in chapter 6 (Approximations that work).

    Row i holds c_l δ^(l+1)_i a^(l)_iᵀ (flattened) and b_std δ^(l+1)_i for each layer, with the
    δ's from :meth:`bpcore.network.MLP.backward`. Memory m · n_params: for small networks (the
    finite-difference check); :func:`empirical_ntk` never forms J.
    """
    net = _check_net(net)
    X = _check_X(net, X)
    acts, deltas = _per_example(net, X)
    parts = []
    for c, a, d in zip(net.scales, acts, deltas, strict=True):
        parts.append(c * (d[:, :, None] * a[:, None, :]).reshape(X.shape[0], -1))
        parts.append(net.b_std * d)
    return np.concatenate(parts, axis=1)


def empirical_ntk(net: NTKNetwork, X: object, X2: object = None) -> np.ndarray:
    """The empirical neural tangent kernel Θ̂ = J Jᵀ of a finite network, ``(m, m2)``.

    Introduced in chapter 6 (Approximations that work).

    J is the Jacobian of the outputs with respect to all parameters θ = (V, β) (see
    :func:`parameter_jacobian`); J(X) J(X2)ᵀ is summed layer by layer without forming J:

        Θ̂ = Σ_l [c_l² (Δ_{l+1} Δ'_{l+1}ᵀ) ⊙ (A_l A'_lᵀ) + b_std² Δ_{l+1} Δ'_{l+1}ᵀ],

    with A_l the rows a^(l)(x_i) and Δ_{l+1} the rows δ^(l+1)(x_i) from
    :meth:`bpcore.network.MLP.backward`. As the width n → ∞ it tends to :func:`relu_ntk` with
    fluctuations O(1/√n) (Jacot, Gabriel & Hongler 2018).

    Parameters
    ----------
    net : NTKNetwork
    X : (m, s_1) array
    X2 : (m2, s_1) array, optional
        Default: X.
    """
    net = _check_net(net)
    X = _check_X(net, X)
    acts, deltas = _per_example(net, X)
    if X2 is None:
        acts2, deltas2 = acts, deltas
    else:
        acts2, deltas2 = _per_example(net, _check_X(net, X2, "X2"))
    out = np.zeros((X.shape[0], acts2[0].shape[0]))
    b2 = net.b_std * net.b_std
    for c, a, d, a2, d2 in zip(net.scales, acts, deltas, acts2, deltas2, strict=True):
        dd = d @ d2.T
        out += (c * c) * dd * (a @ a2.T) + b2 * dd
    return out


@dataclass(frozen=True, eq=False)
class KernelWidthScan:
    """Empirical vs closed-form NTK over widths: the O(1/√n) approach to the limit.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    widths : (k,) int array
    errors : (k, n_nets) array
        ‖Θ̂ − Θ‖_F / ‖Θ‖_F for each width and each seeded network (seeds seed, seed + 1, …).
    rms : (k,) array
        Root mean square of ``errors`` over the networks.
    slope : float
        Least-squares slope of log rms against log width (−1/2 for O(1/√n) fluctuations);
        NaN for a single width.
    depth : int
    W_std, b_std : float
    """

    widths: np.ndarray
    errors: np.ndarray
    rms: np.ndarray
    slope: float
    depth: int
    W_std: float
    b_std: float

    def __repr__(self) -> str:
        return (
            f"KernelWidthScan(depth={self.depth}, W_std={self.W_std:.6g}, b_std={self.b_std:.6g}"
            f", widths={self.widths.tolist()}, rms={short_array(self.rms)}, "
            f"slope={self.slope:.4g})"
        )


def kernel_error_by_width(
    X: object,
    widths: object,
    depth: int = 1,
    *,
    W_std: float = 1.0,
    b_std: float = 0.0,
    n_nets: int = 8,
    seed: int = 0,
) -> KernelWidthScan:
    """Relative error of :func:`empirical_ntk` against :func:`relu_ntk` for several widths.

    Introduced in chapter 6 (Approximations that work).

    For each width n, ``n_nets`` networks ``NTKNetwork.random(s_1, n, depth, W_std=W_std,
    b_std=b_std, seed=seed + k)`` give ‖Θ̂ − Θ‖_F/‖Θ‖_F on the inputs X. The entries of Θ̂ are
    averages over n units, so the error falls like n^(−1/2) (the fitted ``slope``).

    Parameters
    ----------
    X : (m, s_1) array
    widths : sequence of ints >= 1
    depth : int >= 1
    W_std : float > 0
    b_std : float >= 0
    n_nets : int >= 1
    seed : int >= 0
    """
    X = check_real_array(X, "X", ndim=2)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have at least one row and one column, got shape {X.shape}")
    if isinstance(widths, str | bytes) or np.ndim(widths) != 1 or len(widths) == 0:
        raise ValueError("widths must be a non-empty sequence of positive integers")
    ns = [check_int(v, f"widths[{k}]", minimum=1) for k, v in enumerate(widths)]
    K = relu_ntk(X, depth=depth, W_std=W_std, b_std=b_std)
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    norm = np.linalg.norm(K)
    errors = np.array(
        [
            [
                np.linalg.norm(
                    empirical_ntk(
                        NTKNetwork.random(
                            X.shape[1], n, depth, W_std=W_std, b_std=b_std, seed=seed + k
                        ),
                        X,
                    )
                    - K
                )
                / norm
                for k in range(n_nets)
            ]
            for n in ns
        ]
    )
    rms = np.sqrt(np.mean(errors**2, axis=1))
    slope = float(np.polyfit(np.log(ns), np.log(rms), 1)[0]) if len(ns) > 1 else float("nan")
    return KernelWidthScan(
        widths=_readonly(np.array(ns)),
        errors=_readonly(errors),
        rms=_readonly(rms),
        slope=slope,
        depth=check_int(depth, "depth", minimum=1),
        W_std=float(W_std),
        b_std=float(b_std),
    )


# ---------------------------------------------------------------------------------------------
# training: the linearised closed form and plain gradient descent


@dataclass(frozen=True, eq=False)
class LinearizedTrajectory:
    """Predictions of the linearised model f_t under gradient descent on (1/2m) Σ (f − y)².

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    train : (steps + 1, m) or (steps + 1, m, k) array
        f_t on the training points, t = 0, …, steps.
    test : array or None
        f_t on the test points (if ``K_test`` was given), shape (steps + 1, m_test[, k]).
    eigenvalues : (m,) array
        Eigenvalues λ of K (ascending).
    lr : float
        η.
    continuous : bool
        True: the gradient-flow limit f_0 + (I − e^{−ηtK/m})(Y − f_0), t = step number (time
        steps·η); an approximation of the discrete iteration, wrong by O(1) when ηλ_max/m is
        not small. False: the exact discrete closed form.
    """

    train: np.ndarray
    test: np.ndarray | None
    eigenvalues: np.ndarray
    lr: float
    continuous: bool

    @property
    def steps(self) -> int:
        """Number of gradient steps."""
        return self.train.shape[0] - 1

    @property
    def lr_ratio(self) -> float:
        """η λ_max / m: the discrete iteration converges iff 0 < η λ/m < 2 for every λ > 0."""
        return self.lr * float(self.eigenvalues[-1]) / self.train.shape[1]

    @property
    def stable(self) -> bool:
        """η λ_max / m < 2 (the discrete linearised model converges)."""
        return self.lr_ratio < 2.0

    def __repr__(self) -> str:
        kind = "continuous (gradient-flow limit)" if self.continuous else "discrete"
        return (
            f"LinearizedTrajectory({kind}, lr={self.lr:.6g}, steps={self.steps}, "
            f"lr*lambda_max/m={self.lr_ratio:.6g}, final={short_array(self.train[-1])})"
        )


def linearized_training(
    K: object,
    f0: object,
    Y: object,
    lr: float,
    steps: int,
    *,
    continuous: bool = False,
    K_test: object = None,
    f0_test: object = None,
) -> LinearizedTrajectory:
    """Closed form of gradient descent on the linearised network (Lee et al. 2019).

    Introduced in chapter 6 (Approximations that work).

    Loss L = (1/2m) Σ_i (f(x_i) − y_i)² over m training points, step f_{t+1} = f_t −
    (η/m) K (f_t − Y). Its solution, computed from K = U diag(λ) Uᵀ:

        f_t = f_0 + (I − (I − η K/m)^t)(Y − f_0)                      (discrete, exact),
        f_t = f_0 + (I − e^{−η t K/m})(Y − f_0)                        (``continuous=True``,
                                                                       gradient-flow limit).

    Test points x follow f_t(x) = f_0(x) − (η/m) K(x, X) Σ_{s<t} (f_s − Y), i.e.
    K(x, X) U diag((1 − (1 − ηλ/m)^t)/λ) Uᵀ (Y − f_0) (t η/m in place of the ratio where λ = 0;
    the continuous limit uses 1 − e^{−ηtλ/m}).

    Parameters
    ----------
    K : (m, m) symmetric array
        The kernel on the training points (e.g. :func:`relu_ntk` or :func:`empirical_ntk`).
    f0, Y : (m,) or (m, k) arrays of the same shape
        Predictions at initialisation and targets.
    lr : float > 0
        η.
    steps : int >= 0
    continuous : bool
    K_test : (m_test, m) array, optional
        K(X_test, X).
    f0_test : (m_test,) or (m_test, k) array, optional
        Predictions at the test points at initialisation; default 0 (needs ``K_test``).

    Returns
    -------
    LinearizedTrajectory

    Raises
    ------
    ValueError
        K not square and symmetric, shapes that do not match, lr <= 0, steps < 0.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import linearized_training
    >>> run = linearized_training(np.eye(2), [0.0, 0.0], [1.0, 2.0], lr=1.0, steps=2)
    >>> run.train[-1].round(6).tolist()
    [0.75, 1.5]
    """
    K = check_real_array(K, "K", ndim=2)
    m = K.shape[0]
    if K.shape != (m, m) or m == 0:
        raise ValueError(f"K must be a square m×m matrix, got shape {K.shape}")
    scale = max(float(np.max(np.abs(K))), 1e-300)
    if np.max(np.abs(K - K.T)) > 1e-10 * scale:
        raise ValueError("K must be symmetric (a kernel matrix on the training points)")
    f0 = check_real_array(f0, "f0")
    Y = check_real_array(Y, "Y")
    if f0.ndim not in (1, 2) or f0.shape[0] != m:
        raise ValueError(f"f0 must have shape ({m},) or ({m}, k) to match K, got {f0.shape}")
    if Y.shape != f0.shape:
        raise ValueError(f"Y must have the shape of f0 {f0.shape}, got {Y.shape}")
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", minimum=0)
    if not isinstance(continuous, bool):
        raise TypeError(f"continuous must be a bool, got {continuous!r}")
    lam, U = np.linalg.eigh((K + K.T) / 2)
    t = np.arange(steps + 1, dtype=float)[:, None]
    rate = lr * lam[None, :] / m
    with np.errstate(over="ignore", invalid="ignore"):
        decay = np.exp(-rate * t) if continuous else (1.0 - rate) ** t  # (steps+1, m)
    r0 = U.T @ (f0 - Y).reshape(m, -1)  # (m, k) residual in the eigenbasis
    train = Y.reshape(m, -1)[None] + np.einsum("ij,tj,jk->tik", U, decay, r0)
    test = None
    if K_test is not None:
        Kt = check_real_array(K_test, "K_test", ndim=2)
        if Kt.shape[1] != m or Kt.shape[0] == 0:
            raise ValueError(f"K_test must have shape (m_test, {m}), got shape {Kt.shape}")
        if f0_test is None:
            ft0 = np.zeros((Kt.shape[0], *f0.shape[1:]))
        else:
            ft0 = check_real_array(f0_test, "f0_test")
            if ft0.shape != (Kt.shape[0], *f0.shape[1:]):
                raise ValueError(
                    f"f0_test must have shape {(Kt.shape[0], *f0.shape[1:])}, got {ft0.shape}"
                )
        safe = np.where(lam != 0, lam, 1.0)
        with np.errstate(over="ignore", invalid="ignore"):
            gain = np.where(lam != 0, (1.0 - decay) / safe, lr * t / m)  # Σ_{s<t} (1−ηλ/m)^s·η/m
        test = ft0.reshape(Kt.shape[0], -1)[None] - np.einsum("ij,tj,jk->tik", Kt @ U, gain, r0)
        test = _readonly(test.reshape((steps + 1, *ft0.shape)))
    return LinearizedTrajectory(
        train=_readonly(train.reshape((steps + 1, *f0.shape))),
        test=test,
        eigenvalues=_readonly(lam),
        lr=lr,
        continuous=continuous,
    )


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """Result of :func:`train_gd`: a network trained by full-batch gradient descent.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    train : (steps + 1, m) array
        h(x_i) before step 1, …, after the last step.
    loss : (steps + 1,) array
        L = (1/2m) Σ (h(x_i) − y_i)² at the same times.
    test : (steps + 1, m_test) array or None
        h on X_test, if it was given.
    net : NTKNetwork
        The trained network (the input network is not changed).
    lr : float
        η (on the parameters θ = (V, β)).
    diverged : bool
        True if the loss overflowed; the remaining entries are NaN.
    """

    train: np.ndarray
    loss: np.ndarray
    test: np.ndarray | None
    net: NTKNetwork
    lr: float
    diverged: bool

    @property
    def steps(self) -> int:
        """Number of gradient steps."""
        return self.loss.shape[0] - 1

    def __repr__(self) -> str:
        return (
            f"TrainingRun(lr={self.lr:.6g}, steps={self.steps}, loss[0]={self.loss[0]:.6g}, "
            f"loss[-1]={self.loss[-1]:.6g}, diverged={self.diverged}, net={self.net!r})"
        )


def _check_targets(Y: object, m: int) -> np.ndarray:
    arr = check_real_array(Y, "Y")
    if arr.shape not in ((m,), (m, 1)):
        raise ValueError(f"Y must have shape ({m},) or ({m}, 1) to match X, got {arr.shape}")
    return arr.reshape(m, 1)


def train_gd(
    net: NTKNetwork,
    X: object,
    Y: object,
    lr: float,
    steps: int,
    *,
    X_test: object = None,
) -> TrainingRun:
    """Plain full-batch gradient descent θ ← θ − η ∇_θ L, L = (1/2m) Σ (h(x_i) − y_i)².

    Introduced in chapter 6 (Approximations that work).

    θ = (V, β) are the NTK parameters; in the MLP's (W, b) the step is W^(l) ← W^(l) − η c_l²
    ∂L/∂W^(l), b^(l) ← b^(l) − η b_std² ∂L/∂b^(l), with the gradients from
    :meth:`bpcore.network.MLP.backward` (cost ``"squared_error"``). To first order in the step
    the training predictions move as f_{t+1} = f_t − (η/m) Θ̂ (f_t − Y) with Θ̂ =
    :func:`empirical_ntk`, the iteration solved by :func:`linearized_training`.

    Parameters
    ----------
    net : NTKNetwork
        The initial network (copied, not modified).
    X : (m, s_1) array
    Y : (m,) or (m, 1) array
    lr : float > 0
    steps : int >= 0
    X_test : (m_test, s_1) array, optional

    Returns
    -------
    TrainingRun
    """
    net = _check_net(net).copy()
    X = _check_X(net, X)
    m = X.shape[0]
    Y2 = _check_targets(Y, m)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", minimum=0)
    Xt = None if X_test is None else _check_X(net, X_test, "X_test")
    train = np.full((steps + 1, m), np.nan)
    loss = np.full(steps + 1, np.nan)
    test = None if Xt is None else np.full((steps + 1, Xt.shape[0]), np.nan)
    lr_W = [lr * c * c for c in net.scales]
    lr_b = lr * net.b_std * net.b_std
    Ws, bs = net.mlp.weights, net.mlp.biases  # the stored arrays: updated in place
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            if test is not None:
                test[t] = net.mlp.predict(Xt)[:, 0]
            g = net.mlp.backward(X, Y2)
            train[t] = (Y2 + g.deltas[-1])[:, 0]  # δ^(n_l) = h − y for a linear read-out
            loss[t] = g.J
            if not np.isfinite(g.J) or g.J > 1e150:
                diverged = True
                train[t:] = np.nan
                loss[t:] = np.nan
                if test is not None:
                    test[t:] = np.nan
                break
            if t == steps:
                break
            for W, b, gW, gb, eta in zip(Ws, bs, g.grad_W, g.grad_b, lr_W, strict=True):
                W -= eta * gW
                if lr_b > 0:
                    b -= lr_b * gb
    return TrainingRun(
        train=_readonly(train),
        loss=_readonly(loss),
        test=None if test is None else _readonly(test),
        net=net,
        lr=lr,
        diverged=diverged,
    )


# ---------------------------------------------------------------------------------------------
# where the closed form fails: the catapult


def alive_fraction(net: NTKNetwork, X: object) -> float:
    """The fraction of hidden ReLUs active (z > 0) on at least one row of X.

    Introduced in chapter 6 (Approximations that work).

    A unit that is off on every input gets zero gradient and stays dead; a net whose units are
    mostly dead has collapsed to a near-constant function (it has not converged).
    """
    net = _check_net(net)
    X = _check_X(net, X)
    z = net.mlp.forward(X).z[:-1]  # hidden pre-activations
    alive = sum(int(np.count_nonzero(np.any(zl > 0, axis=0))) for zl in z)
    return alive / sum(zl.shape[1] for zl in z)


@dataclass(frozen=True, eq=False)
class CatapultRun:
    """A network trained above the linearised model's stability limit η = 2m/λ_max.

    Introduced in chapter 6 (Approximations that work).

    Attributes
    ----------
    lr : float
        η = ``lr_factor`` · 2m/λ_max(Θ̂_0).
    lr_factor : float
        η / (2m/λ_max); > 1 is beyond the linearised model's stability limit.
    lambda_max : (steps + 1,) array
        λ_max of the empirical NTK of the trained network at every step (on the training set).
    net_loss : (steps + 1,) array
        The network's training loss (NaN after a divergence).
    linear_loss : (steps + 1,) array
        The loss of the linearised model f_0 + (I − (I − ηΘ̂_0/m)^t)(Y − f_0) with the
        network's own initial kernel Θ̂_0 (inf where it overflows).
    width : int
    net : NTKNetwork
        The network after the last step.
    diverged : bool
        True when the loss overflowed (train_gd's divergence) or ended above 1e3 × its
        initial value (e.g. 1.7e34 at lr_factor 2.2): the run blew up, and ``kernel_shrink``
        then means nothing.
    alive_fraction : float
        :func:`alive_fraction` of the final network on X (a collapse kills most ReLUs).
    null_loss : float
        ½ mean(Y²), the loss of the zero predictor: a final loss near it is a collapse, not a fit.
    """

    lr: float
    lr_factor: float
    lambda_max: np.ndarray
    net_loss: np.ndarray
    linear_loss: np.ndarray
    width: int
    net: NTKNetwork
    diverged: bool = False
    alive_fraction: float = 1.0
    null_loss: float = float("nan")

    @property
    def kernel_shrink(self) -> float:
        """λ_max at the end / λ_max at initialisation (< 1: the kernel moved down)."""
        return float(self.lambda_max[-1] / self.lambda_max[0])

    @property
    def peak_loss(self) -> float:
        """The largest network loss during training (the catapult's height)."""
        return float(np.nanmax(self.net_loss))

    def __repr__(self) -> str:
        return (
            f"CatapultRun(width={self.width}, lr_factor={self.lr_factor:.6g}, "
            f"loss[0]={self.net_loss[0]:.6g}, peak={self.peak_loss:.6g}, "
            f"net_loss[-1]={self.net_loss[-1]:.6g}, linear_loss[-1]={self.linear_loss[-1]:.6g}, "
            f"lambda_max {self.lambda_max[0]:.6g} -> {self.lambda_max[-1]:.6g}, "
            f"diverged={self.diverged}, alive_fraction={self.alive_fraction:.3g})"
        )


def catapult_run(
    X: object,
    Y: object,
    *,
    width: int = 1024,
    depth: int = 1,
    lr_factor: float = 1.5,
    steps: int = 100,
    W_std: float = 1.0,
    b_std: float = 0.0,
    seed: int = 0,
) -> CatapultRun:
    """Train a network at η = lr_factor · 2m/λ_max and compare with its linearisation.

    Introduced in chapter 6 (Approximations that work).

    λ_max is the top eigenvalue of the network's own empirical NTK Θ̂_0 at initialisation. For
    lr_factor < 1 the linearised model and the network converge together. For 1 < lr_factor
    (up to a limit that depends on the architecture and the data: measured about 1.5–1.8 on
    the chapter's example at width 512 — 1.5 is still at 0.129 after 100 steps against a null
    loss 0.234, 1.9 reaches 4e12, 2.2 and above 1e34, flagged ``diverged``) the linearised
    model diverges, the residual along the top eigenvector growing like |1 − 2 lr_factor|^t,
    while the network's loss first rises, its kernel's λ_max falls below 2m/η, and the loss
    comes back down and converges: the catapult of Lewkowycz et al. (2020). The network has left the
    lazy (linearised) regime (Chizat, Oyallon & Bach 2019). Every step records λ_max(Θ̂_t), so
    the cost is one empirical NTK per step.

    Parameters
    ----------
    X : (m, s_1) array
    Y : (m,) or (m, 1) array
    width, depth : int >= 1
    lr_factor : float > 0
    steps : int >= 0
    W_std : float > 0
    b_std : float >= 0
    seed : int >= 0

    Returns
    -------
    CatapultRun
    """
    X = check_real_array(X, "X", ndim=2)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have at least one row and one column, got shape {X.shape}")
    m = X.shape[0]
    Y2 = _check_targets(Y, m)[:, 0]
    factor = check_real(lr_factor, "lr_factor", low=0.0, low_open=True)
    steps = check_int(steps, "steps", minimum=0)
    net = NTKNetwork.random(X.shape[1], width, depth, W_std=W_std, b_std=b_std, seed=seed)
    K0 = empirical_ntk(net, X)
    lam0 = float(np.linalg.eigvalsh(K0)[-1])
    lr = factor * 2.0 * m / lam0
    f0 = net.predict(X)
    lin = linearized_training(K0, f0, Y2, lr, steps)
    with np.errstate(over="ignore", invalid="ignore"):
        linear_loss = 0.5 * np.mean((lin.train - Y2) ** 2, axis=1)
    linear_loss = np.where(np.isfinite(linear_loss), linear_loss, np.inf)
    # train one step at a time (train_gd), recording the kernel's top eigenvalue
    lam = np.full(steps + 1, np.nan)
    net_loss = np.full(steps + 1, np.nan)
    lam[0] = lam0
    current = net
    blew_up = False
    for t in range(steps + 1):
        r = train_gd(current, X, Y2, lr, 1 if t < steps else 0)
        net_loss[t] = r.loss[0]
        if r.diverged:
            blew_up = True
            break
        if t > 0:
            lam[t] = float(np.linalg.eigvalsh(empirical_ntk(current, X))[-1])
        current = r.net
    return CatapultRun(
        lr=lr,
        lr_factor=factor,
        lambda_max=_readonly(lam),
        net_loss=_readonly(net_loss),
        linear_loss=_readonly(linear_loss),
        width=net.sizes[1],
        net=current,
        diverged=bool(
            blew_up
            or not np.isfinite(net_loss[-1])
            or net_loss[-1] > 1e3 * max(net_loss[0], 1e-300)
        ),
        alive_fraction=alive_fraction(current, X),
        null_loss=float(0.5 * np.mean(Y2 * Y2)),
    )

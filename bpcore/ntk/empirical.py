"""The finite network in NTK parametrisation and its empirical kernel Θ̂ = J Jᵀ.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real_array
from bpcore.network import MLP
from bpcore.ntk.kernels import _check_design, _check_stds, _readonly, relu_ntk

__all__ = [
    "KernelWidthScan",
    "NTKNetwork",
    "empirical_ntk",
    "kernel_error_by_width",
    "parameter_jacobian",
]

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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork
    >>> net = NTKNetwork.random(3, 8, 2, seed=0)
    >>> net
    NTKNetwork(sizes=[3, 8, 8, 1], W_std=1, b_std=0, params=113)
    >>> bool(np.allclose(net.with_parameters(net.parameters()).mlp.weights[0], net.mlp.weights[0]))
    True
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork, empirical_ntk, parameter_jacobian
    >>> net = NTKNetwork.random(2, 4, seed=0)
    >>> J = parameter_jacobian(net, np.eye(2))
    >>> J.shape, bool(np.allclose(J @ J.T, empirical_ntk(net, np.eye(2))))
    ((2, 17), True)
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork, empirical_ntk, relu_ntk
    >>> K = empirical_ntk(NTKNetwork.random(2, 4096, seed=0), np.eye(2))
    >>> K.round(2).tolist(), relu_ntk(np.eye(2)).round(2).tolist()  # width 4096 vs infinite
    ([[0.49, 0.07], [0.07, 0.48]], [[0.5, 0.08], [0.08, 0.5]])
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import kernel_error_by_width
    >>> kernel_error_by_width(np.eye(2), [64, 256], n_nets=4).errors.shape  # (widths, networks)
    (2, 4)
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import kernel_error_by_width
    >>> scan = kernel_error_by_width(np.eye(2), [64, 256, 1024], n_nets=8, seed=0)
    >>> round(scan.slope, 2)  # about −1/2: the O(1/√n) approach to the limit
    -0.56
    """
    X = _check_design(X)
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

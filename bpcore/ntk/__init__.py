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

The package is split by concept, one module each (every name is re-exported here, so
``from bpcore.ntk import relu_ntk`` and ``ntk.relu_ntk`` work as before):

* :mod:`bpcore.ntk.kernels` — the closed-form NNGP and NTK (the arc-cosine recursion);
* :mod:`bpcore.ntk.empirical` — :class:`NTKNetwork` and its empirical kernel Θ̂ = J Jᵀ;
* :mod:`bpcore.ntk.training` — the linearised closed form and gradient descent;
* :mod:`bpcore.ntk.catapult` — where the closed form fails: the catapult, and a network side
  by side with its linearisation.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

from bpcore.ntk.catapult import (
    CatapultRun,
    NTKComparison,
    alive_fraction,
    catapult_run,
    compare_with_linearized,
)
from bpcore.ntk.empirical import (
    KernelWidthScan,
    NTKNetwork,
    empirical_ntk,
    kernel_error_by_width,
    parameter_jacobian,
)
from bpcore.ntk.kernels import ReluKernels, relu_arccos_step, relu_kernels, relu_nngp, relu_ntk
from bpcore.ntk.training import LinearizedTrajectory, TrainingRun, linearized_training, train_gd

__all__ = [
    "CatapultRun",
    "KernelWidthScan",
    "LinearizedTrajectory",
    "NTKComparison",
    "NTKNetwork",
    "ReluKernels",
    "TrainingRun",
    "alive_fraction",
    "catapult_run",
    "compare_with_linearized",
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

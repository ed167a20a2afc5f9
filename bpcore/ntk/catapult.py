"""Where the closed form fails: the catapult, and a network side by side with its linearisation.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._validate import check_int, check_real
from bpcore.ntk.empirical import NTKNetwork, _check_net, _check_X, empirical_ntk
from bpcore.ntk.kernels import _check_design, _readonly, relu_ntk
from bpcore.ntk.training import (
    LinearizedTrajectory,
    TrainingRun,
    _check_targets,
    linearized_training,
    train_gd,
)

__all__ = [
    "CatapultRun",
    "NTKComparison",
    "alive_fraction",
    "catapult_run",
    "compare_with_linearized",
]


def _loss_curve(train: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """L_t = (1/2m) Σ_i (f_t(x_i) − y_i)² for each row f_t of ``train`` (inf where it overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss = 0.5 * np.mean((train - Y) ** 2, axis=1)
    return np.where(np.isfinite(loss), loss, np.inf)


def alive_fraction(net: NTKNetwork, X: object) -> float:
    """The fraction of hidden ReLUs active (z > 0) on at least one row of X.

    Introduced in chapter 6 (Approximations that work).

    A unit that is off on every input gets zero gradient and stays dead; a net whose units are
    mostly dead has collapsed to a near-constant function (it has not converged).

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork, alive_fraction
    >>> alive_fraction(NTKNetwork.random(2, 64, seed=0), np.eye(2))  # 50 of 64 units
    0.78125
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import catapult_run
    >>> catapult_run(np.eye(2), [1.0, -1.0], width=64, lr_factor=1.2, steps=20).diverged
    False
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import catapult_run
    >>> X = np.linspace(-1.0, 1.0, 8)[:, None]
    >>> c = catapult_run(X, np.sin(np.pi * X[:, 0]), width=256, lr_factor=1.2, steps=40, b_std=1.0)
    >>> round(float(c.peak_loss / c.net_loss[0])), bool(c.net_loss[-1] < c.net_loss[0])  # up, down
    (23, True)
    """
    X = _check_design(X)
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
    linear_loss = _loss_curve(lin.train, Y2)
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


# ---------------------------------------------------------------------------------------------
# a network side by side with its linearisation (the chapter 6 NTK explorer's computation)


@dataclass(frozen=True, eq=False)
class NTKComparison:
    """A network trained by gradient descent next to the linearised model's closed form.

    Introduced in chapter 6 (Approximations that work).

    The result of :func:`compare_with_linearized` (and of the chapter 6 explorer's
    :func:`bpcore.widgets.approximations.ntk_comparison`); the ``*_grid`` fields are the
    functions on the test inputs X_test (the explorer's drawing grid).

    Attributes
    ----------
    width : int
        The first hidden layer's width.
    lr_fraction : float
        η / (2m/λ_max).
    lr : float
        η.
    lambda_max : float
        Largest eigenvalue of the infinite-width kernel Θ on the training points.
    lambda_max_empirical : float
        Largest eigenvalue of this network's empirical kernel at initialisation.
    net : TrainingRun
        :func:`bpcore.ntk.train_gd` from the network at initialisation.
    net_grid : (m_test,) array
        The trained network on X_test (NaN if it diverged).
    init_grid : (m_test,) array
        The network at initialisation on X_test.
    linear : LinearizedTrajectory
        :func:`bpcore.ntk.linearized_training` with K = Θ, f_0 the network at initialisation,
        test points X_test.
    linear_loss : (steps + 1,) array
        (1/2m) Σ (f_t(x_i) − y_i)² of the linearised model (inf where it overflows).
    lambda_max_final : float
        Largest eigenvalue of the trained network's empirical kernel (NaN if it diverged).
    alive_fraction : float
        Fraction of hidden ReLUs of the trained network active somewhere on X_test
        (:func:`bpcore.ntk.alive_fraction`; NaN if it diverged).
    null_loss : float
        ½ mean(y²), the loss of predicting 0.

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork, compare_with_linearized
    >>> net = NTKNetwork.random(2, 64, seed=0)
    >>> compare_with_linearized(net, np.eye(2), [1.0, -1.0], 1.5, 20).linear.stable  # η too big
    False
    """

    width: int
    lr_fraction: float
    lr: float
    lambda_max: float
    lambda_max_empirical: float
    net: TrainingRun
    net_grid: np.ndarray
    init_grid: np.ndarray
    linear: LinearizedTrajectory
    linear_loss: np.ndarray
    lambda_max_final: float = float("nan")
    alive_fraction: float = float("nan")
    null_loss: float = float("nan")

    @property
    def collapsed(self) -> bool:
        """The net did not diverge but ended above half the null loss (a near-constant fit)."""
        return (not self.net.diverged) and float(self.net.loss[-1]) > 0.5 * self.null_loss

    def __repr__(self) -> str:
        return (
            f"NTKComparison(width={self.width}, lr_fraction={self.lr_fraction:g}, "
            f"net loss {self.net.loss[-1]:.4g}, linearised loss {self.linear_loss[-1]:.4g})"
        )


def compare_with_linearized(
    net: NTKNetwork,
    X: object,
    Y: object,
    lr_fraction: float,
    steps: int,
    *,
    X_test: object = None,
) -> NTKComparison:
    """Train ``net`` by gradient descent next to its linearisation with the infinite-width Θ.

    Introduced in chapter 6 (Approximations that work).

    The learning rate is η = lr_fraction · 2m/λ_max, λ_max the top eigenvalue of the
    closed-form kernel Θ = :func:`relu_ntk` of the network's architecture on the m training
    points (above lr_fraction = 1 the linearised model diverges). Both models take ``steps``
    full-batch steps on (1/2m) Σ (f(x_i) − y_i)²: the network by :func:`train_gd`, the
    linearised model f_t = f_0 + (I − (I − ηΘ/m)^t)(Y − f_0) with the network's own f_0 by
    :func:`linearized_training` (on X_test too). :func:`catapult_run` is the same comparison
    with the network's own empirical kernel in place of Θ.

    Parameters
    ----------
    net : NTKNetwork
        The network at initialisation (not modified).
    X : (m, s_1) array
    Y : (m,) or (m, 1) array
    lr_fraction : float > 0
    steps : int >= 0
    X_test : (m_test, s_1) array, optional
        Where the functions, and the alive fraction, are evaluated. Default: X.

    Returns
    -------
    NTKComparison

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork, compare_with_linearized
    >>> x = np.linspace(-1.0, 1.0, 6)
    >>> X, Y = np.column_stack([x, np.ones(6)]), 0.5 * np.sin(np.pi * x)
    >>> c = compare_with_linearized(NTKNetwork.random(2, 1024, seed=0), X, Y, 0.5, 100)
    >>> round(float(c.net.loss[-1]), 4), round(float(c.linear_loss[-1]), 4)
    (0.006, 0.0025)
    """
    net = _check_net(net)
    X = _check_X(net, X)
    m = X.shape[0]
    Y = _check_targets(Y, m)[:, 0]
    lr_fraction = check_real(lr_fraction, "lr_fraction", low=0.0, low_open=True)
    steps = check_int(steps, "steps", minimum=0)
    Xt = X if X_test is None else _check_X(net, X_test, "X_test")
    depth = len(net.sizes) - 2
    K = relu_ntk(X, X, depth, W_std=net.W_std, b_std=net.b_std)
    K_test = relu_ntk(Xt, X, depth, W_std=net.W_std, b_std=net.b_std)
    lam = float(np.linalg.eigvalsh(K)[-1])
    lam_emp = float(np.linalg.eigvalsh(empirical_ntk(net, X))[-1])
    lr = lr_fraction * 2.0 * m / lam
    run = train_gd(net, X, Y, lr, steps)
    init_grid = net.predict(Xt)
    net_grid = np.full(len(Xt), np.nan) if run.diverged else run.net.predict(Xt)
    lin = linearized_training(K, net.predict(X), Y, lr, steps, K_test=K_test, f0_test=init_grid)
    if run.diverged:
        lam_end, alive = float("nan"), float("nan")
    else:
        lam_end = float(np.linalg.eigvalsh(empirical_ntk(run.net, X))[-1])
        alive = alive_fraction(run.net, Xt)
    return NTKComparison(
        width=net.sizes[1],
        lr_fraction=lr_fraction,
        lr=lr,
        lambda_max=lam,
        lambda_max_empirical=lam_emp,
        net=run,
        net_grid=_readonly(net_grid),
        init_grid=_readonly(init_grid),
        linear=lin,
        linear_loss=_readonly(_loss_curve(lin.train, Y)),
        lambda_max_final=lam_end,
        alive_fraction=alive,
        null_loss=float(0.5 * np.mean(Y**2)),
    )

"""Training: the closed form of the linearised model, and plain gradient descent on the network.

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore._repr import short_array
from bpcore._validate import check_int, check_real, check_real_array
from bpcore.ntk.empirical import NTKNetwork, _check_net, _check_X
from bpcore.ntk.kernels import _readonly

__all__ = ["LinearizedTrajectory", "TrainingRun", "linearized_training", "train_gd"]

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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import linearized_training
    >>> run = linearized_training(np.eye(2), [0.0, 0.0], [1.0, 2.0], lr=1.0, steps=3)
    >>> run.steps, run.lr_ratio, run.stable  # η λ_max/m = 1/2 < 2
    (3, 0.5, True)
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork, train_gd
    >>> train_gd(NTKNetwork.random(1, 16, seed=1), [[0.5]], [2.0], 0.5, 3).loss.shape  # t = 0 … 3
    (4,)
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

    Examples
    --------
    >>> import numpy as np
    >>> from bpcore.ntk import NTKNetwork, train_gd
    >>> run = train_gd(NTKNetwork.random(2, 64, seed=0), np.eye(2), [1.0, -1.0], 1.0, 50)
    >>> round(float(run.loss[0]), 4), run.train[-1].round(4).tolist()  # fits the two targets
    (0.1116, [1.0, -1.0])
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

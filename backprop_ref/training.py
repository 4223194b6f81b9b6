r"""Training: plain SGD over the functional core (D20, note 002).

$$
\theta \leftarrow \theta - \eta\,\frac{\partial L}{\partial \theta}
$$

Note 002 writes it for a bias: ``b^L = b^L − η·δ^L``; with the batch-mean loss the ``1/m``
of "for m examples" is inside ``∂L/∂θ``.  Everything here is pure: parameters go in, new
parameters come out, nothing is modified in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_array, finite_result, positive_number, seed_value

__all__ = ["sgd_step", "minibatch_indices", "fit", "EpochEnd", "History"]


@finite_result("sgd_step")
def sgd_step(params: dict, grads: dict, lr: float) -> dict:
    r"""One SGD step (D20): ``θ ← θ − η ∂L/∂θ`` for every key of ``params``.

    $$
    \theta \leftarrow \theta - \eta\,\frac{\partial L}{\partial \theta}
    $$

    Inputs:
        params, grads: dicts with the same keys; each gradient has its parameter's shape.
        lr: η, a finite number > 0.
    Returns:
        a new dict; ``params`` and ``grads`` are left untouched.
    """
    lr = positive_number(lr, "lr")
    for name, d in (("params", params), ("grads", grads)):
        if not isinstance(d, Mapping):
            raise TypeError(f"{name} must be a dict of arrays, got {type(d).__name__}")
    differ = set(params) ^ set(grads)
    if differ:
        raise ValueError("params and grads must have the same keys; they differ in "
                         f"{sorted(map(str, differ))}")
    new = {}
    for k in params:
        theta = as_array(params[k], f"params[{k!r}]")
        g = as_array(grads[k], f"grads[{k!r}]")
        if g.shape != theta.shape:
            raise ValueError(f"grads[{k!r}] has shape {g.shape} but params[{k!r}] has shape "
                             f"{theta.shape}; a gradient must have its parameter's shape")
        new[k] = theta - lr * g
    return new


def minibatch_indices(n: int, batch_size: int | None, rng: np.random.Generator):
    """Index arrays of one epoch of SGD (D20): a fresh permutation cut into batches.

    Inputs:
        n: the number of examples, a positive int.
        batch_size: a positive int, or None for one full batch (in order).
        rng: a ``numpy.random.Generator``; it draws the permutation.
    Returns:
        a list of int arrays that together hold ``0 … n−1`` once each; the last batch holds
        what is left (it may be smaller).
    """
    n = positive_number(n, "n", integer=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if batch_size is not None:
        batch_size = positive_number(batch_size, "batch_size", integer=True)
    if batch_size is None or batch_size >= n:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


@dataclass(frozen=True)
class EpochEnd:
    """What `fit` hands its callback after each epoch."""

    epoch: int          # 1-based
    epochs: int
    loss: float         # mean of this epoch's mini-batch losses
    params: dict


@dataclass
class History:
    """Per-step and per-epoch losses of a `fit` run."""

    step_losses: list = field(default_factory=list)
    epoch_losses: list = field(default_factory=list)


def fit(
    loss_and_grads: Callable,
    params: dict,
    X: ArrayLike,
    y: ArrayLike,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callable[[EpochEnd], None] | None = None,
):
    r"""Train with SGD; full batch when ``batch_size`` is None (D20, note 002).

    Every step moves each parameter against its gradient on one mini-batch $B$ (`sgd_step`),
    where $L_B$ is the batch-mean loss of that mini-batch:

    $$
    \theta \leftarrow \theta - \eta\,\frac{\partial L_B}{\partial \theta}
    $$

    Inputs:
        loss_and_grads: ``f(params, X_batch, y_batch) -> Result`` (e.g. a
            ``functools.partial`` of ``two_layer.loss_and_grads`` with ``reg``).
        params: the starting parameters (not modified).
        X, y: the training set; each epoch visits a fresh seeded permutation.
        lr, epochs, batch_size, seed: η > 0, epochs ≥ 1, batch size ≥ 1 or None.
        callback: called with an `EpochEnd` after every epoch.
    Returns:
        ``(params, history)``: the trained parameters (a new dict) and a `History`.
    """
    if not callable(loss_and_grads):
        raise TypeError("loss_and_grads must be a function f(params, X, y) -> Result, got "
                        f"{type(loss_and_grads).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function or None, got {type(callback).__name__}")
    lr = positive_number(lr, "lr")
    epochs = positive_number(epochs, "epochs", integer=True)
    if batch_size is not None:
        batch_size = positive_number(batch_size, "batch_size", integer=True)
    rng = np.random.default_rng(seed_value(seed))
    X = as_array(X, "X", ndim=2)
    y = np.asarray(y)
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one label or target row per row of X{X.shape}, "
                         f"got shape {y.shape}")
    history = History()
    for epoch in range(1, epochs + 1):
        losses = []
        for idx in minibatch_indices(X.shape[0], batch_size, rng):
            res = loss_and_grads(params, X[idx], y[idx])
            if not (hasattr(res, "loss") and isinstance(getattr(res, "grads", None), Mapping)):
                raise TypeError("loss_and_grads must return a Result with .loss and a .grads "
                                f"dict, got {type(res).__name__}")
            params = sgd_step(params, res.grads, lr)
            losses.append(float(res.loss))
        history.step_losses.extend(losses)
        history.epoch_losses.append(float(np.mean(losses)))
        if callback is not None:
            callback(EpochEnd(epoch, epochs, history.epoch_losses[-1], params))
    return params, history

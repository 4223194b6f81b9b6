r"""Training: plain SGD over the functional core (D20, note 002).

.. math:: \theta \leftarrow \theta - \eta\,\frac{\partial L}{\partial \theta}

Note 002 writes it for a bias: ``b^L = b^L − η·δ^L``; with the batch-mean loss the ``1/m``
of "for m examples" is inside ``∂L/∂θ``.  Everything here is pure: parameters go in, new
parameters come out, nothing is modified in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["sgd_step", "minibatch_indices", "fit", "EpochEnd", "History"]


def sgd_step(params: dict, grads: dict, lr: float) -> dict:
    r"""One SGD step (D20): ``θ ← θ − η ∂L/∂θ`` for every key of ``params``.

    Inputs:
        params, grads: dicts with the same keys and shapes.
        lr: η > 0.
    Returns:
        a new dict; ``params`` is left untouched.
    """
    missing = set(params) ^ set(grads)
    if missing:
        raise ValueError(f"params and grads must have the same keys; differ in {sorted(missing)}")
    return {k: params[k] - lr * grads[k] for k in params}


def minibatch_indices(n: int, batch_size: int | None, rng: np.random.Generator):
    """Index arrays of one epoch: a fresh permutation cut into batches (full batch if None)."""
    if batch_size is None or batch_size >= n:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


@dataclass(frozen=True)
class EpochEnd:
    """What :func:`fit` hands its callback after each epoch."""

    epoch: int          # 1-based
    epochs: int
    loss: float         # mean of this epoch's mini-batch losses
    params: dict


@dataclass
class History:
    """Per-step and per-epoch losses of a :func:`fit` run."""

    step_losses: list = field(default_factory=list)
    epoch_losses: list = field(default_factory=list)


def _check_positive(value, name, kind=float):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0 or (kind is int and int(value) != value):
        raise ValueError(f"{name} must be a positive {kind.__name__}, got {value!r}")
    return kind(value)


def fit(
    loss_and_grads: Callable,
    params: dict,
    X,
    y,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callable[[EpochEnd], None] | None = None,
):
    """Train with SGD; full batch when ``batch_size`` is None (D20).

    Inputs:
        loss_and_grads: ``f(params, X_batch, y_batch) -> Result`` (e.g. a
            ``functools.partial`` of ``two_layer.loss_and_grads`` with ``reg``).
        params: the starting parameters (not modified).
        X, y: the training set; each epoch visits a fresh seeded permutation.
        lr, epochs, batch_size, seed: η > 0, epochs ≥ 1, batch size ≥ 1 or None.
        callback: called with an :class:`EpochEnd` after every epoch.
    Returns:
        ``(params, history)``: the trained parameters (a new dict) and a :class:`History`.
    """
    lr = _check_positive(lr, "lr")
    epochs = _check_positive(epochs, "epochs", int)
    if batch_size is not None:
        batch_size = _check_positive(batch_size, "batch_size", int)
    X = np.asarray(X)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    history = History()
    for epoch in range(1, epochs + 1):
        losses = []
        for idx in minibatch_indices(X.shape[0], batch_size, rng):
            res = loss_and_grads(params, X[idx], y[idx])
            params = sgd_step(params, res.grads, lr)
            losses.append(float(res.loss))
        history.step_losses.extend(losses)
        history.epoch_losses.append(float(np.mean(losses)))
        if callback is not None:
            callback(EpochEnd(epoch, epochs, history.epoch_losses[-1], params))
    return params, history
